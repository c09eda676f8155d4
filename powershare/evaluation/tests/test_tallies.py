"""The results' tallies (evaluation.tallies) stay equal to a fresh count through every service
that stores or takes out answers: anonymous answers sent through a link, an import and its
undoing, a council's national return saved again; and `manage.py questionnaire_tallies`
checks and rebuilds them. (That results read from tallies equal a naive count is
test_results_property's job; that a fresh count equals the tallies is this file's.)"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powershare.evaluation import selectors, services
from powershare.evaluation.models import ImportBatch, ResultTally, TallyKind
from powershare.evaluation.tallies import tallies_check, tallies_read, tallies_rebuild

from .test_answering import survey  # noqa: F401 - the fixture
from .test_import_command import _csv, _run

pytestmark = pytest.mark.django_db


def _submit(link, questions, *, role=2, years=7, useful=5, again=1, liked=(1, 3), words="Ask."):
    answers = {
        questions["role"].pk: role,
        questions["useful"].pk: useful,
        questions["liked"].pk: list(liked),
    }
    if years is not None:
        answers[questions["years"].pk] = years
    if again is not None:
        answers[questions["again"].pk] = again
    texts = {questions["next"].pk: words} if words else {}
    return services.response_submit(
        link=link, answers=answers, texts=texts, today=timezone.localdate()
    )


def test_sending_answers_counts_them_in_with_one_query(survey):  # noqa: F811
    questionnaire, questions, link = survey
    assert tallies_check(questionnaire_ids=[questionnaire.pk]) == []
    _submit(link, questions)
    with CaptureQueriesContext(connection) as counted:
        _submit(link, questions, useful=4, liked=(2,), words="")
    tally_queries = [q for q in counted.captured_queries if "evaluation_resulttally" in q["sql"]]
    assert len(tally_queries) == 1
    assert tallies_check(questionnaire_ids=[questionnaire.pk]) == []
    tallied = tallies_read(questionnaire_id=questionnaire.pk, by_site=False)
    assert tallied.responses[None] == 2
    assert tallied.counts[None][questions["useful"].pk] == {5: 1, 4: 1}
    assert tallied.counts[None][questions["liked"].pk] == {1: 1, 3: 1, 2: 1}
    # Responses that answered: people, not ticks; words written once.
    assert tallied.answered[None][questions["liked"].pk] == 2
    assert tallied.answered[None][questions["next"].pk] == 1


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sent=st.lists(
        st.fixed_dictionaries(
            {
                "role": st.integers(1, 3),
                "years": st.one_of(st.none(), st.integers(0, 40)),
                "useful": st.integers(0, 5),
                "again": st.one_of(st.none(), st.integers(0, 1)),
                "liked": st.lists(st.integers(1, 3), unique=True, max_size=3),
                "words": st.sampled_from(["", "More time to talk."]),
            }
        ),
        max_size=8,
    )
)
def test_results_from_tallies_equal_results_counted_afresh(survey, sent):  # noqa: F811
    questionnaire, questions, link = survey
    for values in sent:
        _submit(link, questions, **values)
    assert tallies_check(questionnaire_ids=[questionnaire.pk]) == []
    for by_site in (False, True):
        from_tallies = selectors.questionnaire_results(questionnaire=questionnaire, by_site=by_site)
        # Narrowed to every delivery there is, the results are counted afresh from the answers.
        delivery_ids = set(questionnaire.responses.values_list("delivery_id", flat=True))
        afresh = selectors.questionnaire_results(
            questionnaire=questionnaire,
            by_site=by_site,
            delivery_ids=[d for d in delivery_ids if d] or [0],
        )
        if afresh.suppressed:  # too few to show narrowed: compare the counts only
            assert from_tallies.responses == afresh.responses
            continue
        assert from_tallies.responses == afresh.responses
        assert [q.__dict__ for q in from_tallies.questions] == [
            q.__dict__ for q in afresh.questions
        ]


def test_an_import_and_its_undoing_are_counted_in_and_out(tmp_path, samples, personas):
    questionnaire = samples["questionnaire"]
    words = samples["text_question"]
    before = ResultTally.objects.filter(questionnaire=questionnaire, n__gt=0).count()
    responses = tallies_read(questionnaire_id=questionnaire.pk, by_site=False).responses[None]
    path = _csv(tmp_path, f'ILO-1,"{words.text}"\n5,I will listen\n1,\n')
    out, _ = _run(path, "--questionnaire", questionnaire.code)
    assert "Imported 2 responses" in out
    assert tallies_check(questionnaire_ids=[questionnaire.pk]) == []
    tallied = tallies_read(questionnaire_id=questionnaire.pk, by_site=False)
    assert tallied.responses[None] == responses + 2
    batch = ImportBatch.objects.filter(questionnaire=questionnaire).latest("pk")
    services.import_undo(actor=personas.alice, batch=batch)
    assert tallies_check(questionnaire_ids=[questionnaire.pk]) == []
    assert ResultTally.objects.filter(questionnaire=questionnaire, n__gt=0).count() == before


def test_a_national_return_saved_again_is_counted_once(personas):
    from powershare.national import services as national_services
    from powershare.national.tests.test_return_services import _everything, _questions, _round

    survey_round = _round(personas)
    council_return = survey_round.returns.get(council=personas.council_a)
    questions = _questions(survey_round)
    answers, texts, shareable = _everything(questions)
    saved = national_services.return_save(
        actor=personas.rhona,
        council_return=council_return,
        answers=answers,
        texts=texts,
        shareable=shareable,
    )
    ids = [survey_round.questionnaire_id]
    assert tallies_check(questionnaire_ids=ids) == []
    national_services.return_save(
        actor=personas.rhona,
        council_return=saved,
        answers={questions["steering-group"].pk: 0},
        texts={},
    )
    assert tallies_check(questionnaire_ids=ids) == []
    responses = ResultTally.objects.get(
        questionnaire_id=survey_round.questionnaire_id, kind=TallyKind.RESPONSES
    )
    assert responses.n == 1


def test_the_command_finds_a_wrong_tally_and_rebuilds(survey):  # noqa: F811
    questionnaire, questions, link = survey
    _submit(link, questions)
    ResultTally.objects.filter(questionnaire=questionnaire, kind=TallyKind.RESPONSES).update(n=7)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 tally differs"):
        call_command("questionnaire_tallies", "--check", stdout=out)
    call_command("questionnaire_tallies", "--rebuild", stdout=out)
    assert "Counted afresh" in out.getvalue()
    assert tallies_check() == []
    tallies_rebuild()
    assert tallies_check() == []


def test_the_migration_counts_the_answers_already_stored(survey):  # noqa: F811
    """0003 tallies what was stored before the tallies existed, as the services would have."""
    from importlib import import_module

    questionnaire, questions, link = survey
    _submit(link, questions)
    _submit(link, questions, useful=2, liked=(2,), again=None, words="")
    made = sorted(
        ResultTally.objects.filter(questionnaire=questionnaire)
        .exclude(n=0)
        .values_list("question_key", "kind", "n")
    )
    ResultTally.objects.all().delete()
    migration = import_module("powershare.evaluation.migrations.0003_result_tallies")
    with connection.cursor() as cursor:
        cursor.execute(migration.COUNT_EXISTING)
    assert tallies_check() == []
    again = sorted(
        ResultTally.objects.filter(questionnaire=questionnaire).values_list(
            "question_key", "kind", "n"
        )
    )
    assert again == made


def test_the_migration_records_the_count_of_responses_of_made_summaries(survey):  # noqa: F811
    """0004 gives a made, up-to-date PDF the count it was made from (today's), so it is not
    remade for no reason; one already out of date or not made is left to be remade."""
    from importlib import import_module

    from django.apps import apps

    from powershare.evaluation.models import LearningSummary, SummaryStatus

    questionnaire, questions, link = survey
    _submit(link, questions)
    _submit(link, questions, useful=2)
    product = questionnaire.product
    LearningSummary.objects.update_or_create(
        product=product, defaults={"status": SummaryStatus.READY, "pdf": "s.pdf"}
    )
    migration = import_module("powershare.evaluation.migrations.0004_summary_responses_when_made")
    migration.record_counts(apps, None)
    summary = LearningSummary.objects.get(product=product)
    from powershare.evaluation.models import QuestionnaireResponse

    counted = QuestionnaireResponse.objects.filter(questionnaire__product=product).count()
    assert counted >= 2
    assert summary.responses_when_made == counted
    assert not selectors.summary_is_stale(summary=summary)
    LearningSummary.objects.filter(pk=summary.pk).update(
        responses_when_made=None, needs_remaking=True
    )
    migration.record_counts(apps, None)
    assert LearningSummary.objects.get(pk=summary.pk).responses_when_made is None
