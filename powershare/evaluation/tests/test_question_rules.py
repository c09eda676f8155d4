"""The rules kept by the services: once people have answered a question, nothing that would
change what their answers mean can change; small groups are never shown; and a product's
standard pre and post questionnaires are made from its outcomes and follow its sessions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from powershare.evaluation import services
from powershare.evaluation.models import (
    AnswerLink,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionPurpose,
    QuestionType,
)
from powershare.learning import services as learning_services
from powershare.learning.models import LearningOutcome

pytestmark = pytest.mark.django_db


def _answer(question, value=4):
    """One anonymous response answering `question` (through a link open today)."""
    today = datetime.date.today()
    link = AnswerLink.objects.create(
        questionnaire=question.questionnaire, opens_on=today, closes_on=today
    )
    answers = {} if question.type == QuestionType.TEXT else {question.pk: value}
    texts = {question.pk: "Words"} if question.type == QuestionType.TEXT else {}
    return services.response_submit(link=link, answers=answers, texts=texts)


@pytest.fixture
def questionnaire(personas, samples):
    return services.questionnaire_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        code="rules-test",
        title="Rules",
        product=samples["product"],
    )


@pytest.fixture
def choice_question(personas, questionnaire):
    return services.question_add(
        actor=personas.alice,
        questionnaire=questionnaire,
        code="role",
        text="What is your role?",
        type=QuestionType.SINGLE,
        choices=["Social worker", "Team leader"],
    )


@pytest.fixture
def likert(personas, samples, questionnaire):
    return services.question_add(
        actor=personas.alice,
        questionnaire=questionnaire,
        code="ilo-1",
        text="I can explain it.",
        type=QuestionType.LIKERT,
        outcome=samples["version"].outcomes.first(),
    )


# ---------------------------------------------------------------------------------------------
# Once answered


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "something-else"),
        ("type", QuestionType.YES_NO),
        ("text", "I can explain it well."),
        ("outcome", None),
        ("allow_prefer_not", True),
    ],
)
def test_an_answered_question_keeps_what_its_answers_mean(personas, likert, field, value):
    _answer(likert)
    with pytest.raises(ValidationError) as refused:
        services.question_update(actor=personas.alice, question=likert, **{field: value})
    assert field in refused.value.message_dict
    assert "answered" in refused.value.message_dict[field][0]
    fresh = Question.objects.get(pk=likert.pk)
    assert (fresh.code, fresh.type, fresh.text) == ("ilo-1", QuestionType.LIKERT, likert.text)
    assert fresh.outcome_id == likert.outcome_id


def test_an_answered_question_can_change_its_hint_section_and_purpose(
    personas, questionnaire, likert
):
    _answer(likert)
    section = services.section_add(actor=personas.alice, questionnaire=questionnaire, title="S")
    services.question_update(
        actor=personas.alice,
        question=likert,
        help_text="Think of last month.",
        section=section,
        purpose=QuestionPurpose.OUTCOME,
        required=True,
        # Unchanged values of the fixed fields are fine.
        code="ilo-1",
        text=likert.text,
    )
    likert.refresh_from_db()
    assert likert.help_text == "Think of last month."
    assert likert.section == section
    assert likert.required


def test_answered_options_stay_but_new_ones_can_be_added_at_the_end(personas, choice_question):
    _answer(choice_question, value=1)
    for wrong in (["Team leader", "Social worker"], ["Social worker (adults)", "Team leader"]):
        with pytest.raises(ValidationError) as refused:
            services.question_update(actor=personas.alice, question=choice_question, choices=wrong)
        assert "choices" in refused.value.message_dict
    services.question_update(
        actor=personas.alice,
        question=choice_question,
        choices=["Social worker", "Team leader", "Service manager"],
    )
    assert list(choice_question.choices.values_list("value", "label")) == [
        (1, "Social worker"),
        (2, "Team leader"),
        (3, "Service manager"),
    ]


def test_an_unanswered_question_can_change_anything(personas, choice_question):
    services.question_update(
        actor=personas.alice,
        question=choice_question,
        code="job",
        text="Your job?",
        choices=["Team leader", "Social worker"],
    )
    choice_question.refresh_from_db()
    assert choice_question.code == "job"
    assert list(choice_question.choices.values_list("label", flat=True)) == [
        "Team leader",
        "Social worker",
    ]


def test_an_answered_question_can_be_closed_and_opened_but_not_removed(personas, likert):
    _answer(likert)
    with pytest.raises(ValidationError):
        services.question_remove(actor=personas.alice, question=likert)
    services.question_close(actor=personas.alice, question=likert)
    likert.refresh_from_db()
    assert likert.is_closed
    assert Question.objects.filter(pk=likert.pk).exists()
    assert likert.answers.count() == 1  # its answers stay
    services.question_close(actor=personas.alice, question=likert, closed=False)
    likert.refresh_from_db()
    assert not likert.is_closed


def test_an_unanswered_question_can_be_removed(personas, likert):
    services.question_remove(actor=personas.alice, question=likert)
    assert not Question.objects.filter(pk=likert.pk).exists()


def test_only_the_organisations_managers_change_questions(personas, likert):
    for outsider in (personas.bob, personas.charlie):
        with pytest.raises(PermissionDenied):
            services.question_update(actor=outsider, question=likert, help_text="x")
        with pytest.raises(PermissionDenied):
            services.question_close(actor=outsider, question=likert)


def test_moving_stays_within_the_section(personas, questionnaire):
    first = services.section_add(actor=personas.alice, questionnaire=questionnaire, title="A")
    second = services.section_add(actor=personas.alice, questionnaire=questionnaire, title="B")

    def add(code, section):
        return services.question_add(
            actor=personas.alice,
            questionnaire=questionnaire,
            code=code,
            text=code,
            type=QuestionType.YES_NO,
            section=section,
        )

    add("a1", first)
    b1 = add("b1", second)
    a2 = add("a2", first)
    services.question_move(actor=personas.alice, question=a2, up=True)
    order = list(questionnaire.questions.order_by("position").values_list("code", flat=True))
    assert order.index("a2") < order.index("a1")
    assert [q.code for q in questionnaire.questions.filter(section=second)] == ["b1"]
    # The first of its section doesn't move up any further.
    services.question_move(actor=personas.alice, question=a2, up=True)
    assert list(questionnaire.questions.filter(section=first).values_list("code", flat=True)) == [
        "a2",
        "a1",
    ]
    assert b1.pk


# ---------------------------------------------------------------------------------------------
# Small groups


def test_a_small_group_threshold_below_3_is_refused(personas, questionnaire):
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_create(
            actor=personas.alice,
            organisation_id=personas.council_a.pk,
            code="tiny-groups",
            title="Tiny",
            small_group_threshold=2,
        )
    assert "small_group_threshold" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.questionnaire_update(
            actor=personas.alice, questionnaire=questionnaire, small_group_threshold=1
        )
    services.questionnaire_update(
        actor=personas.alice, questionnaire=questionnaire, small_group_threshold=3
    )
    questionnaire.refresh_from_db()
    assert questionnaire.small_group_threshold == 3


# ---------------------------------------------------------------------------------------------
# A product's standard pre and post questionnaires


def _second_session(personas, samples, days_later=21):
    first = samples["session"]
    return learning_services.session_add(
        actor=personas.alice,
        delivery=samples["delivery"],
        date=first.date + datetime.timedelta(days=days_later),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        venue="Council A offices",
    )


def test_standard_questionnaires_are_made_from_the_outcomes(personas, samples):
    product = samples["product"]
    LearningOutcome.objects.create(version=samples["version"], position=2, text="Second outcome")
    last = _second_session(personas, samples)
    pre, post = services.standard_questionnaires_make(
        actor=personas.alice,
        product=product,
        about_you=[("job-role", "Your job?", ["Social worker", "Team leader"])],
        pairing=True,
    )
    assert (pre.kind, post.kind) == (QuestionnaireKind.PRE, QuestionnaireKind.POST)
    assert pre.is_standard
    assert post.is_standard
    assert post.paired_with == pre
    assert post.ask_pairing_code
    outcomes = list(samples["version"].outcomes.order_by("position"))
    for questionnaire in (pre, post):
        measured = questionnaire.questions.filter(purpose=QuestionPurpose.OUTCOME).order_by(
            "position"
        )
        assert [q.outcome for q in measured] == outcomes
        assert all(q.type == QuestionType.LIKERT for q in measured)
        about = questionnaire.questions.get(code="job-role")
        assert about.type == QuestionType.SINGLE
        assert about.choices.count() == 2
    assert not pre.questions.filter(purpose=QuestionPurpose.REACTION).exists()
    reactions = post.questions.filter(purpose=QuestionPurpose.REACTION)
    assert reactions.count() == 4
    assert all(q.type == QuestionType.LIKERT for q in reactions)
    words = post.questions.filter(type=QuestionType.TEXT)
    assert words.count() == 3
    assert all(q.quotable for q in words)
    # Linked to the delivery's first and last sessions by themselves.
    assert (
        AnswerLink.objects.get(questionnaire=pre, delivery=samples["delivery"]).session
        == (samples["session"])
    )
    assert AnswerLink.objects.get(questionnaire=post, delivery=samples["delivery"]).session == last
    with pytest.raises(ValidationError):
        services.standard_questionnaires_make(actor=personas.alice, product=product)


def test_standard_links_follow_the_sessions(personas, samples):
    pre, post = services.standard_questionnaires_make(
        actor=personas.alice, product=samples["product"]
    )
    session = samples["session"]
    pre_link = AnswerLink.objects.get(questionnaire=pre, delivery=samples["delivery"])
    assert pre_link.closes_on == session.date
    # A session added after the last one takes the post questionnaire's link with it.
    last = _second_session(personas, samples)
    post_link = AnswerLink.objects.get(questionnaire=post, delivery=samples["delivery"])
    assert post_link.session == last
    assert post_link.opens_on == last.date
    # Moving the first session's date moves the untouched pre link's dates.
    moved = session.date + datetime.timedelta(days=3)
    learning_services.session_update(actor=personas.alice, session=session, date=moved)
    pre_link.refresh_from_db()
    assert pre_link.closes_on == moved
    assert pre_link.opens_on == moved - datetime.timedelta(days=services.PRE_OPENS_DAYS_BEFORE)
    # Dates set by hand stay where they were put.
    services.link_update(
        actor=personas.alice,
        link=pre_link,
        opens_on=moved - datetime.timedelta(days=2),
        closes_on=moved,
        needs_code=False,
    )
    learning_services.session_update(
        actor=personas.alice, session=session, date=moved + datetime.timedelta(days=1)
    )
    pre_link.refresh_from_db()
    assert pre_link.opens_on == moved - datetime.timedelta(days=2)


def test_standard_questionnaires_need_a_manager(personas, samples):
    with pytest.raises(PermissionDenied):
        services.standard_questionnaires_make(actor=personas.bob, product=samples["product"])
    assert not Questionnaire.objects.filter(product=samples["product"], is_standard=True).exists()
