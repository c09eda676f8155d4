"""Results, counted in SQL (evaluation.selectors): percentages rounded half up of the people who
answered (a blank and "prefer not to say" are not in the denominator), choose-any counted by
people not ticks, numbers' mean/min/max, breakdowns by site that hide small groups (5 unless
set higher; never below 3), one delivery's results, response rates against the registers,
and paired change counted over matched pairs only."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from powershare.accounts.models import Organisation
from powershare.evaluation import selectors, services
from powershare.evaluation.models import (
    Answer,
    AnswerLink,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireResponse,
    QuestionPurpose,
    QuestionType,
    TextAnswer,
)
from powershare.evaluation.tallies import tallies_add
from powershare.learning.models import Attendance, Delivery, DeliverySession, SessionMode

TODAY = datetime.date(2025, 3, 4)
AGREE, STRONGLY_AGREE, DISAGREE, NEUTRAL = 4, 5, 2, 3


# Helpers (plain ORM: these tests are about counting, not about answering) --------------------


def make_questionnaire(organisation, code="q", threshold=5, **fields) -> Questionnaire:
    return Questionnaire.objects.create(
        organisation=organisation,
        code=code,
        title=f"Questionnaire {code}",
        small_group_threshold=threshold,
        **fields,
    )


def make_question(questionnaire, code, type, choices=(), **fields) -> Question:
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=questionnaire.questions.count() + 1,
        code=code,
        text=f"Question {code}",
        type=type,
        **fields,
    )
    Choice.objects.bulk_create(
        Choice(question=question, value=n, label=label) for n, label in enumerate(choices, 1)
    )
    return question


def respond(questionnaire, answers=None, *, site=None, site_label="", delivery=None, pair_key=""):
    """One response; `answers` maps a question to a value, a list (choose any), text, or
    None (left blank)."""
    response = QuestionnaireResponse.objects.create(
        questionnaire=questionnaire,
        site=site,
        site_label=site_label,
        delivery=delivery,
        submitted_on=TODAY,
        pair_key=pair_key,
    )
    rows, texts = [], []
    for question, value in (answers or {}).items():
        if value is None or value == "" or value == []:
            continue
        if question.type == QuestionType.TEXT:
            texts.append(TextAnswer(response=response, question=question, text=value))
        else:
            for one in value if isinstance(value, list) else [value]:
                rows.append(Answer(response=response, question=question, value=one))
    Answer.objects.bulk_create(rows)
    TextAnswer.objects.bulk_create(texts)
    tallies_add(response_id=response.pk)  # as the services do when they store answers
    return response


def respond_many(questionnaire, question, values, **where):
    for value in values:
        respond(questionnaire, {question: value}, **where)


# percent() -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (5, 8, 63),  # 62.5
        (1, 8, 13),  # 12.5
        (3, 8, 38),  # 37.5
        (7, 8, 88),  # 87.5
        (2, 3, 67),
        (1, 3, 33),
        (0, 5, 0),
        (8, 8, 100),
        (1, 200, 1),  # 0.5
        (1, 400, 0),  # 0.25
        (199, 200, 100),  # 99.5
        (0, 0, None),
        (3, 0, None),
    ],
)
def test_percentages_round_half_up(part, whole, expected):
    assert selectors.percent(part, whole) == expected


# One question at a time ----------------------------------------------------------------------


def test_agreement_rounds_half_up(personas):
    questionnaire = make_questionnaire(personas.council_a)
    five_of_eight = make_question(questionnaire, "five-of-eight", QuestionType.LIKERT)
    one_of_eight = make_question(questionnaire, "one-of-eight", QuestionType.LIKERT)
    for n in range(8):
        respond(
            questionnaire,
            {
                five_of_eight: AGREE if n < 3 else STRONGLY_AGREE if n < 5 else DISAGREE,
                one_of_eight: STRONGLY_AGREE if n == 0 else NEUTRAL,
            },
        )
    results = selectors.questionnaire_results(questionnaire=questionnaire)
    first, second = results.as_dict()["questions"]
    assert (first["answered"], first["agree"], first["agree_pct"]) == (8, 5, 63)
    assert first["counts"] == {
        "Strongly disagree": 0,
        "Disagree": 3,
        "Neither agree nor disagree": 0,
        "Agree": 3,
        "Strongly agree": 2,
    }
    assert (second["answered"], second["agree"], second["agree_pct"]) == (8, 1, 13)
    assert "prefer_not_to_say" not in first


def test_nobody_answering_gives_no_percentage(personas):
    questionnaire = make_questionnaire(personas.council_a)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT, allow_prefer_not=True)
    make_question(questionnaire, "yes-no", QuestionType.YES_NO)
    make_question(questionnaire, "number", QuestionType.NUMBER)
    respond(questionnaire, {likert: 0})  # prefer not to say: not an answer on the scale
    respond(questionnaire, {})
    likert_result, yes_no_result, number_result = selectors.questionnaire_results(
        questionnaire=questionnaire
    ).as_dict()["questions"]
    assert likert_result["answered"] == 0
    assert likert_result["agree"] == 0
    assert likert_result["agree_pct"] is None
    assert likert_result["prefer_not_to_say"] == 1
    assert yes_no_result == {
        "code": "yes-no",
        "text": "Question yes-no",
        "type": "yes_no",
        "answered": 0,
        "counts": {"Yes": 0, "No": 0},
        "yes": 0,
        "yes_pct": None,
    }
    assert (number_result["answered"], number_result["mean"]) == (0, None)
    assert (number_result["min"], number_result["max"]) == (None, None)


def test_prefer_not_to_say_and_blanks_are_not_in_the_denominator(personas):
    questionnaire = make_questionnaire(personas.council_a)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT, allow_prefer_not=True)
    values = [AGREE, AGREE, STRONGLY_AGREE, DISAGREE, 1, NEUTRAL, 0, 0, None, None, None]
    respond_many(questionnaire, likert, values)
    results = selectors.questionnaire_results(questionnaire=questionnaire)
    assert results.responses == 11
    (result,) = results.as_dict()["questions"]
    assert result["answered"] == 6
    assert result["agree"] == 3
    assert result["agree_pct"] == 50  # 3 of 6, not 3 of 8 or 3 of 11
    assert result["prefer_not_to_say"] == 2
    assert result["counts"]["Prefer not to say"] == 2
    # The percentages for charts leave "prefer not to say" out too.
    assert results.question("likert").percentages == {
        "Strongly disagree": 17,
        "Disagree": 17,
        "Neither agree nor disagree": 17,
        "Agree": 33,
        "Strongly agree": 17,
    }


def test_yes_or_no(personas):
    questionnaire = make_questionnaire(personas.council_a)
    yes_no = make_question(questionnaire, "yes-no", QuestionType.YES_NO)
    respond_many(questionnaire, yes_no, [1, 1, 1, 0, 0, 0, 0, 0, None])
    (result,) = selectors.questionnaire_results(questionnaire=questionnaire).as_dict()["questions"]
    assert result["counts"] == {"Yes": 3, "No": 5}
    assert (result["answered"], result["yes"], result["yes_pct"]) == (8, 3, 38)


def test_choose_one_counts_each_option(personas):
    questionnaire = make_questionnaire(personas.council_a)
    single = make_question(
        questionnaire, "role", QuestionType.SINGLE, choices=["Team leader", "Manager", "Other"]
    )
    respond_many(questionnaire, single, [1, 1, 2, None, 3, 1])
    (result,) = selectors.questionnaire_results(questionnaire=questionnaire).as_dict()["questions"]
    assert result == {
        "code": "role",
        "text": "Question role",
        "type": "single",
        "answered": 5,
        "counts": {"Team leader": 3, "Manager": 1, "Other": 1},
    }


def test_choose_any_counts_people_not_ticks(personas):
    questionnaire = make_questionnaire(personas.council_a)
    multiple = make_question(
        questionnaire, "who", QuestionType.MULTIPLE, choices=["Children", "Adults", "Justice"]
    )
    respond_many(questionnaire, multiple, [[1, 2, 3], [1, 2], [2], [], None, [3]])
    results = selectors.questionnaire_results(questionnaire=questionnaire)
    (result,) = results.as_dict()["questions"]
    assert result["answered"] == 4  # four people ticked something; seven ticks in all
    assert result["counts"] == {"Children": 2, "Adults": 3, "Justice": 2}
    # Each option's share is of the people who answered.
    assert results.question("who").percentages == {"Children": 50, "Adults": 75, "Justice": 50}


def test_numbers_give_their_mean_smallest_and_largest(personas):
    questionnaire = make_questionnaire(personas.council_a)
    number = make_question(questionnaire, "years", QuestionType.NUMBER)
    respond_many(questionnaire, number, [2, 3, 3, None, 10, -1])
    (result,) = selectors.questionnaire_results(questionnaire=questionnaire).as_dict()["questions"]
    assert result == {
        "code": "years",
        "text": "Question years",
        "type": "number",
        "answered": 5,
        "mean": 3.4,
        "min": -1,
        "max": 10,
    }


def test_free_text_counts_only_who_wrote_something(personas):
    questionnaire = make_questionnaire(personas.council_a)
    words = make_question(questionnaire, "words", QuestionType.TEXT)
    respond_many(questionnaire, words, ["Helpful", "", None, "More time"])
    (result,) = selectors.questionnaire_results(questionnaire=questionnaire).as_dict()["questions"]
    assert result == {"code": "words", "text": "Question words", "type": "text", "answered": 2}


def test_a_closed_questions_answers_stay_in_the_results(personas):
    questionnaire = make_questionnaire(personas.council_a)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT)
    respond_many(questionnaire, likert, [AGREE, DISAGREE])
    services.question_close(actor=personas.alice, question=likert)
    (result,) = selectors.questionnaire_results(questionnaire=questionnaire).as_dict()["questions"]
    assert (result["answered"], result["agree_pct"]) == (2, 50)


def test_another_questionnaires_answers_are_not_counted(personas):
    mine = make_questionnaire(personas.council_a, code="mine")
    other = make_questionnaire(personas.council_a, code="other")
    likert = make_question(mine, "likert", QuestionType.LIKERT)
    theirs = make_question(other, "likert", QuestionType.LIKERT)
    respond_many(mine, likert, [AGREE])
    respond_many(other, theirs, [DISAGREE, DISAGREE])
    results = selectors.questionnaire_results(questionnaire=mine)
    assert results.responses == 1
    assert results.question("likert").counts["Disagree"] == 0


# By site -------------------------------------------------------------------------------------


def _sites(personas):
    return personas.council_a, personas.council_b


def test_by_site_hides_groups_below_five(personas):
    a, b = _sites(personas)
    questionnaire = make_questionnaire(personas.council_a)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT)
    respond_many(questionnaire, likert, [AGREE] * 4 + [DISAGREE], site=a)  # 5: shown
    respond_many(questionnaire, likert, [AGREE] * 4, site=b)  # 4: hidden
    respond_many(questionnaire, likert, [DISAGREE] * 6, site_label="Harbour Hall")  # 6: shown
    respond_many(questionnaire, likert, [AGREE] * 2)  # no site: hidden
    results = selectors.questionnaire_results(questionnaire=questionnaire, by_site=True)
    data = results.as_dict()
    assert data["threshold"] == 5
    assert data["responses"] == 17
    # Overall, every response counts, hidden groups' too.
    assert data["questions"][0]["agree"] == 10
    assert data["questions"][0]["agree_pct"] == 59  # 10 of 17 = 58.8
    by_site = {group["site"]: group for group in data["by_site"]}
    assert [group["site"] for group in data["by_site"]] == [
        a.name,  # Aberdeen City Council
        b.name,  # Angus Council
        "Harbour Hall",
        selectors.NO_SITE,  # always last
    ]
    assert by_site[a.name]["responses"] == 5
    assert by_site[a.name]["questions"][0]["agree_pct"] == 80
    assert by_site["Harbour Hall"]["questions"][0]["agree_pct"] == 0
    for hidden in (b.name, selectors.NO_SITE):
        assert by_site[hidden] == {
            "site": hidden,
            "responses": "fewer than 5",
            "suppressed": True,
            "questions": [],
        }


def test_a_threshold_of_three_shows_groups_of_three(personas):
    a, b = _sites(personas)
    questionnaire = make_questionnaire(personas.council_a, threshold=3)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT)
    c = Organisation.objects.get_or_create(
        name="Clackmannanshire Council",
        defaults={"slug": "clackmannanshire", "kind": "local_authority"},
    )[0]
    respond_many(questionnaire, likert, [AGREE, AGREE, DISAGREE], site=a)
    respond_many(questionnaire, likert, [AGREE, AGREE, AGREE, DISAGREE], site=b)
    respond_many(questionnaire, likert, [AGREE], site=c)
    data = selectors.questionnaire_results(questionnaire=questionnaire, by_site=True).as_dict()
    assert data["threshold"] == 3
    groups = {g["site"]: g for g in data["by_site"]}
    shown = groups[b.name]
    assert (shown["responses"], shown["suppressed"]) == (4, False)
    assert shown["questions"][0]["agree_pct"] == 75
    assert groups[c.name]["responses"] == "fewer than 3"
    # The smallest group shown would otherwise give the hidden one away by subtraction: with
    # it hidden too, the two together (4) reach the threshold.
    also = groups[a.name]
    assert (also["responses"], also["suppressed"], also["questions"]) == (3, True, [])


def test_a_threshold_below_three_is_never_used(personas):
    questionnaire = make_questionnaire(personas.council_a)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT)
    respond_many(questionnaire, likert, [AGREE, AGREE], site=personas.council_a)
    results = selectors.questionnaire_results(
        questionnaire=questionnaire, by_site=True, threshold=2
    )
    assert results.threshold == 3
    assert results.by_site[0].suppressed is True
    # A higher one asked for is used.
    results = selectors.questionnaire_results(
        questionnaire=questionnaire, by_site=True, threshold=8
    )
    assert results.as_dict()["by_site"][0]["responses"] == "fewer than 8"


def test_the_service_refuses_a_threshold_below_three(personas):
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_create(
            actor=personas.alice,
            organisation_id=personas.council_a.pk,
            code="too-small",
            title="Too small",
            small_group_threshold=2,
        )
    assert "small_group_threshold" in refused.value.message_dict
    assert not Questionnaire.objects.filter(code="too-small").exists()
    questionnaire = services.questionnaire_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        code="just-right",
        title="Just right",
        small_group_threshold=3,
    )
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_update(
            actor=personas.alice, questionnaire=questionnaire, small_group_threshold=1
        )
    assert "small_group_threshold" in refused.value.message_dict
    questionnaire.refresh_from_db()
    assert questionnaire.small_group_threshold == 3
    # And the database says no too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.filter(pk=questionnaire.pk).update(small_group_threshold=2)


def test_the_overall_figures_by_site_equal_those_without(personas):
    a, b = _sites(personas)
    questionnaire = make_questionnaire(personas.council_a)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT, allow_prefer_not=True)
    multiple = make_question(questionnaire, "any", QuestionType.MULTIPLE, choices=["X", "Y"])
    number = make_question(questionnaire, "n", QuestionType.NUMBER)
    words = make_question(questionnaire, "words", QuestionType.TEXT)
    for n in range(12):
        respond(
            questionnaire,
            {likert: n % 6, multiple: [1, 2][: n % 3], number: n * 3 % 7, words: "w" * (n % 2)},
            site=[a, b, None][n % 3],
            site_label="Hall" if n == 2 else "",
        )
    plain = selectors.questionnaire_results(questionnaire=questionnaire).as_dict()
    by_site = selectors.questionnaire_results(questionnaire=questionnaire, by_site=True).as_dict()
    assert by_site.pop("threshold") == 5
    by_site.pop("by_site")
    assert by_site == plain


# One delivery --------------------------------------------------------------------------------


def _delivery(samples, personas, site, cohort) -> Delivery:
    delivery = Delivery.objects.create(
        organisation=personas.council_a,
        product=samples["product"],
        version=samples["version"],
        site=site,
        cohort=cohort,
        capacity=20,
    )
    return delivery


def test_results_for_some_deliveries(personas, samples):
    first = _delivery(samples, personas, personas.council_a, "First")
    second = _delivery(samples, personas, personas.council_b, "Second")
    questionnaire = make_questionnaire(personas.council_a)
    likert = make_question(questionnaire, "likert", QuestionType.LIKERT)
    words = make_question(questionnaire, "words", QuestionType.TEXT)
    for value in (AGREE, AGREE, DISAGREE):
        respond(questionnaire, {likert: value, words: "x"}, delivery=first, site=first.site)
    for value in (DISAGREE, DISAGREE):
        respond(questionnaire, {likert: value}, delivery=second, site=second.site)
    respond(questionnaire, {likert: AGREE})  # imported, no delivery
    questionnaire.small_group_threshold = 3
    questionnaire.save()
    only_first = selectors.questionnaire_results(
        questionnaire=questionnaire, delivery_ids=[first.pk]
    )
    assert only_first.responses == 3
    assert only_first.question("likert").agree_pct == 67
    assert only_first.question("words").answered == 3
    # The second delivery has too few on its own; so the first, shown alone, would leave too
    # few out (3 answers elsewhere is fine at threshold 3, 2 would not be).
    only_second = selectors.questionnaire_results(
        questionnaire=questionnaire, delivery_ids=[second.pk], by_site=True
    )
    assert only_second.responses == 2
    assert only_second.suppressed is True
    assert only_second.questions == []
    assert only_second.as_dict()["suppressed"] is True
    questionnaire.small_group_threshold = 4
    questionnaire.save()
    hidden = selectors.questionnaire_results(questionnaire=questionnaire, delivery_ids=[first.pk])
    assert hidden.suppressed is True, "3 answers in it: fewer than 4"
    both = selectors.questionnaire_results(
        questionnaire=questionnaire, delivery_ids=[first.pk, second.pk]
    )
    # Both deliveries leave out one imported answer: too few to leave out.
    assert (both.responses, both.suppressed) == (5, True)
    assert (
        selectors.questionnaire_results(questionnaire=questionnaire, delivery_ids=[]).responses == 0
    )


# Response rates ------------------------------------------------------------------------------


def _session_with_link(questionnaire, delivery, attended: int, absent: int = 0):
    session = DeliverySession.objects.create(
        delivery=delivery,
        number=1,
        date=TODAY,
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        mode=SessionMode.IN_PERSON,
        venue="Room",
    )
    AnswerLink.objects.create(
        questionnaire=questionnaire,
        delivery=delivery,
        session=session,
        opens_on=TODAY,
        closes_on=TODAY,
    )
    Attendance.objects.bulk_create(
        [Attendance(session=session, attended=True) for _ in range(attended)]
        + [Attendance(session=session, attended=False) for _ in range(absent)]
    )
    return session


def test_response_rate_is_responses_over_the_people_there(personas, samples):
    a, b = _sites(personas)
    questionnaire = make_questionnaire(personas.council_a, kind=QuestionnaireKind.PRE)
    at_a = _delivery(samples, personas, a, "At A")
    at_b = _delivery(samples, personas, b, "At B")
    _session_with_link(questionnaire, at_a, attended=16, absent=3)
    _session_with_link(questionnaire, at_b, attended=4)
    for _ in range(10):
        respond(questionnaire, site=a, delivery=at_a)
    for _ in range(3):
        respond(questionnaire, site=b, delivery=at_b)
    respond(questionnaire, site_label="Somewhere")  # imported: counted overall only
    rate = selectors.response_rate(questionnaire=questionnaire)
    assert (rate.responses, rate.attended, rate.rate_pct) == (14, 20, 70)
    by_site = {r.site: r for r in rate.by_site}
    assert (by_site[a.name].responses, by_site[a.name].attended) == (10, 16)
    assert by_site[a.name].rate_pct == 63  # 62.5
    assert by_site[b.name].suppressed is True
    assert by_site[b.name].rate_pct is None
    # With a threshold of 3, council B's three responses of four people show: 75%.
    rate = selectors.response_rate(questionnaire=questionnaire, threshold=3)
    assert {r.site: r.rate_pct for r in rate.by_site} == {a.name: 63, b.name: 75}


def test_a_cancelled_deliverys_register_is_not_counted(personas, samples):
    from django.utils import timezone

    questionnaire = make_questionnaire(personas.council_a)
    held = _delivery(samples, personas, personas.council_a, "Held")
    cancelled = _delivery(samples, personas, personas.council_a, "Cancelled")
    _session_with_link(questionnaire, held, attended=8)
    _session_with_link(questionnaire, cancelled, attended=5)
    Delivery.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    for _ in range(6):
        respond(questionnaire, site=personas.council_a, delivery=held)
    rate = selectors.response_rate(questionnaire=questionnaire)
    assert (rate.responses, rate.attended, rate.rate_pct) == (6, 8, 75)


def test_no_register_gives_no_rate(personas):
    questionnaire = make_questionnaire(personas.council_a)
    respond(questionnaire)
    rate = selectors.response_rate(questionnaire=questionnaire)
    assert (rate.responses, rate.attended, rate.rate_pct) == (1, 0, None)


# Paired change -------------------------------------------------------------------------------


def test_paired_change_counts_matched_pairs_only(personas, samples):
    outcome = samples["version"].outcomes.first()
    pre = make_questionnaire(
        personas.council_a, code="pre", kind=QuestionnaireKind.PRE, threshold=3
    )
    post = make_questionnaire(
        personas.council_a, code="post", kind=QuestionnaireKind.POST, paired_with=pre
    )
    pre_q = make_question(
        pre, "ilo-1", QuestionType.LIKERT, purpose=QuestionPurpose.OUTCOME, outcome=outcome
    )
    post_q = make_question(
        post, "ilo-1", QuestionType.LIKERT, purpose=QuestionPurpose.OUTCOME, outcome=outcome
    )
    # Three pairs: k1 agrees before and after, k2 only after, k3 neither.
    for key, before, after in (("k1", AGREE, AGREE), ("k2", DISAGREE, STRONGLY_AGREE)):
        respond(pre, {pre_q: before}, pair_key=key)
        respond(post, {post_q: after}, pair_key=key)
    respond(pre, {pre_q: NEUTRAL}, pair_key="k3")
    respond(post, {post_q: 1}, pair_key="k3")
    # Not pairs: a before with no after, an after with no before, and no codes at all.
    respond(pre, {pre_q: AGREE}, pair_key="only-before")
    respond(post, {post_q: AGREE}, pair_key="only-after")
    respond(pre, {pre_q: AGREE})
    respond(post, {post_q: AGREE})
    respond(post, {post_q: AGREE})
    change = selectors.paired_change(post=post)
    assert change.matched == 3
    assert change.outcomes == {"ilo-1": (1, 2)}
    assert selectors.paired_change(post=pre) is None  # a questionnaire paired with nothing
    # With fewer pairs than the threshold, only how many matched is said.
    pre.small_group_threshold = 4
    pre.save()
    assert selectors.paired_change(post=post).outcomes == {}


def test_paired_change_with_no_pairs(personas):
    pre = make_questionnaire(personas.council_a, code="pre")
    post = make_questionnaire(personas.council_a, code="post", paired_with=pre)
    respond(pre, pair_key="a")
    respond(post, pair_key="b")
    change = selectors.paired_change(post=post)
    assert (change.matched, change.outcomes) == (0, {})
