"""A council's return: drafting, saving, sending, locking, and who may change it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from powershare.accounts.roles import Role
from powershare.evaluation.models import TextAnswer
from powershare.national import selectors, services
from powershare.national.models import ReturnStatus
from tests.personas import _user

TODAY = timezone.localdate()


def _round(personas, year=2026, opens=-5, closes=20):
    return services.round_create(
        actor=personas.nina,
        year=year,
        opens_on=TODAY + datetime.timedelta(days=opens),
        closes_on=TODAY + datetime.timedelta(days=closes),
        council_ids=[personas.council_a.pk, personas.council_b.pk],
    )


def _questions(survey_round):
    return {q.code: q for q in survey_round.questionnaire.questions.all()}


def _everything(questions):
    """Answers to every required question, and two example texts (one quotable)."""
    answers = {q.pk: 1 for q in questions.values() if q.type == "yes_no"}
    answers[questions["driver-activity"].pk] = [1, 3]
    texts = {
        questions["driver-activity-examples"].pk: "A panel of parents rewrote our letters.",
        questions["barriers-examples"].pk: "Two trainers left in the spring.",
    }
    return answers, texts, {questions["driver-activity-examples"].pk}


@pytest.fixture
def fresh(personas):
    survey_round = _round(personas)
    return survey_round, survey_round.returns.get(council=personas.council_a)


def test_rhona_saves_a_draft_and_its_answers_persist(personas, fresh):
    survey_round, council_return = fresh
    questions = _questions(survey_round)
    answers, texts, shareable = _everything(questions)
    saved = services.return_save(
        actor=personas.rhona,
        council_return=council_return,
        answers=answers,
        texts=texts,
        shareable=shareable,
    )
    assert saved.status == ReturnStatus.DRAFT
    assert saved.saved_at
    assert saved.started_at
    assert saved.submitted_at is None
    got_answers, got_texts, got_shareable = selectors.return_answers(council_return=saved)
    assert got_answers[questions["driver-activity"].pk] == [1, 3]
    assert got_answers[questions["steering-group"].pk] == 1
    assert got_texts == texts
    assert got_shareable == shareable

    # Saving again replaces the answers: nothing is left over from the first draft.
    services.return_save(
        actor=personas.rhona,
        council_return=saved,
        answers={questions["steering-group"].pk: 0},
        texts={},
    )
    got_answers, got_texts, _ = selectors.return_answers(council_return=saved)
    assert got_answers == {questions["steering-group"].pk: 0}
    assert got_texts == {}


def test_the_shareable_flag_is_stored_for_each_text(personas, fresh):
    survey_round, council_return = fresh
    questions = _questions(survey_round)
    answers, texts, shareable = _everything(questions)
    services.return_save(
        actor=personas.rhona,
        council_return=council_return,
        answers=answers,
        texts=texts,
        shareable=shareable,
    )
    flags = dict(
        TextAnswer.objects.filter(response__council_return=council_return).values_list(
            "question__code", "shareable"
        )
    )
    assert flags == {"driver-activity-examples": True, "barriers-examples": False}


def test_sending_with_a_required_question_unanswered_keeps_the_draft(personas, fresh):
    survey_round, council_return = fresh
    questions = _questions(survey_round)
    answers, texts, shareable = _everything(questions)
    del answers[questions["steering-group"].pk]
    del answers[questions["early-signs-wellbeing"].pk]
    with pytest.raises(ValidationError) as error:
        services.return_save(
            actor=personas.rhona,
            council_return=council_return,
            answers=answers,
            texts=texts,
            shareable=shareable,
            submit=True,
        )
    assert set(error.value.message_dict) == {"steering-group", "early-signs-wellbeing"}
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.DRAFT
    assert council_return.submitted_at is None
    got_answers, got_texts, _ = selectors.return_answers(council_return=council_return)
    assert got_answers[questions["early-signs-knowledge"].pk] == 1
    assert got_texts == texts


def test_rhona_sends_the_return_and_it_is_locked(personas, fresh):
    survey_round, council_return = fresh
    answers, texts, shareable = _everything(_questions(survey_round))
    sent = services.return_save(
        actor=personas.rhona,
        council_return=council_return,
        answers=answers,
        texts=texts,
        shareable=shareable,
        submit=True,
    )
    assert sent.status == ReturnStatus.SUBMITTED
    assert sent.submitted_at is not None
    assert sent.submitted_by == personas.rhona
    assert sent.is_locked
    with pytest.raises(ValidationError, match="locked"):
        services.return_save(actor=personas.rhona, council_return=sent, answers={}, texts={})
    sent.refresh_from_db()
    assert sent.status == ReturnStatus.SUBMITTED
    assert selectors.return_answers(council_return=sent)[1] == texts

    # Reopened by the coordinator, the council can change it again.
    services.return_reopen(actor=personas.nina, council_return=sent, reason="Check the dates")
    again = services.return_save(actor=personas.rhona, council_return=sent, answers={})
    assert again.status == ReturnStatus.DRAFT


@pytest.mark.parametrize("name", ["alice", "bob", "charlie", "nina"])
def test_only_the_council_s_respondent_may_change_its_return(personas, fresh, name):
    _, council_return = fresh
    with pytest.raises(PermissionDenied):
        services.return_save(
            actor=getattr(personas, name), council_return=council_return, answers={}
        )
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.NOT_STARTED


def test_another_council_s_respondent_cannot_change_council_a_s_return(personas, fresh):
    _, council_return = fresh
    ruth = _user("ruth@b.example", "Ruth Ross", personas.council_b, Role.SURVEY_RESPONDENT)
    with pytest.raises(PermissionDenied):
        services.return_save(actor=ruth, council_return=council_return, answers={})
    own = council_return.round.returns.get(council=personas.council_b)
    assert services.return_save(actor=ruth, council_return=own, answers={}).status == "draft"


def test_a_return_links_only_its_own_council_s_self_assessment(personas, samples, fresh):
    _, council_return = fresh
    assessment = samples["assessment"]
    assert assessment.organisation_id == personas.council_a.pk
    saved = services.return_save(
        actor=personas.rhona, council_return=council_return, answers={}, self_assessment=assessment
    )
    assert saved.self_assessment == assessment
    own = council_return.round.returns.get(council=personas.council_b)
    ruth = _user("ruth@b.example", "Ruth Ross", personas.council_b, Role.SURVEY_RESPONDENT)
    with pytest.raises(ValidationError) as error:
        services.return_save(actor=ruth, council_return=own, answers={}, self_assessment=assessment)
    assert "self_assessment" in error.value.message_dict
