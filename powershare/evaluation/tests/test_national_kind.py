"""National survey questionnaires (kind "national", made with a survey round by
powershare.national) are named council returns, never anonymous: the learning team's pages
and services never open, list, link or make one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Capability, Role
from powershare.evaluation import selectors, services
from powershare.evaluation.forms import QuestionnaireForm
from powershare.evaluation.models import AnswerLink, Questionnaire, QuestionnaireKind
from powershare.evaluation.selectors import pairing_choices
from powershare.learning.models import LearningProduct
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 1)


@pytest.fixture
def learning_lead(personas):
    """A participation lead in the national body that runs the survey: they manage that
    body's learning questionnaires, so without the guard they would reach its survey's too."""
    user = User.objects.create_user(
        email="lena@national.example", password=PASSWORD, full_name="Lena Lead"
    )
    Membership.objects.create(
        user=user, organisation=personas.national, role=Role.PARTICIPATION_LEAD
    )
    return user


@pytest.fixture
def national(samples):
    questionnaire = samples["survey_round"].questionnaire
    assert questionnaire.kind == QuestionnaireKind.NATIONAL
    return questionnaire


@pytest.fixture
def own_questionnaire(learning_lead, personas):
    """An ordinary questionnaire of the national body's learning team."""
    return services.questionnaire_create(
        actor=learning_lead,
        organisation_id=personas.national.pk,
        code="national-body-feedback",
        title="Feedback on our sessions",
        kind=QuestionnaireKind.REACTION,
    )


# ---------------------------------------------------------------------------------------------
# (a) No answer links or QR codes


def test_a_national_questionnaire_gets_no_answer_link(learning_lead, national, own_questionnaire):
    with pytest.raises(ValidationError) as refused:
        services.link_create(
            actor=learning_lead,
            questionnaire=national,
            opens_on=TODAY,
            closes_on=TODAY + datetime.timedelta(days=7),
        )
    assert "no answer links or QR codes" in " ".join(refused.value.messages)
    assert not AnswerLink.objects.filter(questionnaire=national).exists()
    # The same person's own questionnaire still gets one.
    link = services.link_create(
        actor=learning_lead,
        questionnaire=own_questionnaire,
        opens_on=TODAY,
        closes_on=TODAY + datetime.timedelta(days=7),
    )
    assert link.questionnaire == own_questionnaire


def test_the_national_coordinator_cannot_make_a_link_either(personas, national):
    with pytest.raises((ValidationError, PermissionDenied)):
        services.link_create(
            actor=personas.nina,
            questionnaire=national,
            opens_on=TODAY,
            closes_on=TODAY + datetime.timedelta(days=7),
        )
    assert not AnswerLink.objects.filter(questionnaire=national).exists()


# ---------------------------------------------------------------------------------------------
# (b) Not in the learning team's questionnaire pages


def test_the_learning_selectors_leave_national_questionnaires_out(
    learning_lead, national, own_questionnaire
):
    listed = set(selectors.questionnaire_list_for(user=learning_lead))
    assert own_questionnaire in listed
    assert national not in listed
    assert selectors.questionnaire_get_for(user=learning_lead, pk=own_questionnaire.pk)
    for lookup in ({"pk": national.pk}, {"code": national.code}):
        for may in (Capability.VIEW_LEARNING, Capability.MANAGE_LEARNING):
            with pytest.raises(Http404):
                selectors.questionnaire_get_for(user=learning_lead, may=may, **lookup)
    question = national.questions.first()
    section = national.sections.first()
    with pytest.raises(Http404):
        selectors.question_get_for(user=learning_lead, pk=question.pk)
    with pytest.raises(Http404):
        selectors.section_get_for(user=learning_lead, pk=section.pk)
    assert national not in set(pairing_choices(organisation_ids=[national.organisation_id]))
    assert own_questionnaire in set(pairing_choices(organisation_ids=[national.organisation_id]))


def test_the_coordinator_reaches_the_survey_questions_only_as_coordinator(personas, national):
    """The national pages fetch the survey's questions with RUN_NATIONAL_SURVEY; with it, no
    learning questionnaire of the body is reached."""
    nina = personas.nina
    question = national.questions.first()
    found = selectors.question_get_for(
        user=nina, pk=question.pk, may=Capability.RUN_NATIONAL_SURVEY
    )
    assert found == question
    section = national.sections.first()
    assert (
        selectors.section_get_for(user=nina, pk=section.pk, may=Capability.RUN_NATIONAL_SURVEY)
        == section
    )
    with pytest.raises(Http404):
        selectors.question_get_for(user=nina, pk=question.pk)
    assert national not in set(selectors.questionnaire_list_for(user=nina))


def test_the_learning_pages_never_show_the_survey(
    client, learning_lead, national, own_questionnaire
):
    client.force_login(learning_lead)
    listing = client.get(reverse("evaluation:questionnaire_list"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert own_questionnaire.title in body
    assert national.title not in body
    question = national.questions.first()
    for url in (
        reverse("evaluation:questionnaire_detail", args=[national.pk]),
        reverse("evaluation:questionnaire_edit", args=[national.pk]),
        reverse("evaluation:question_add", args=[national.pk]),
        reverse("evaluation:question_edit", args=[question.pk]),
        reverse("evaluation:link_create", args=[national.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("evaluation:link_create", args=[national.pk]),
        {"form_token": "link", "opens_on": "2025-05-01", "closes_on": "2025-05-08"},
    )
    assert response.status_code == 404
    assert not AnswerLink.objects.filter(questionnaire=national).exists()


# ---------------------------------------------------------------------------------------------
# (c) The learning pages neither offer nor accept the kind


def test_the_questionnaire_form_does_not_offer_the_national_kind(personas):
    form = QuestionnaireForm(
        products=LearningProduct.objects.none(), questionnaires=Questionnaire.objects.none()
    )
    values = [value for value, _ in form.fields["kind"].choices]
    assert QuestionnaireKind.NATIONAL not in values
    assert QuestionnaireKind.CUSTOM in values


def test_posting_the_national_kind_is_refused(client_for, samples):
    client = client_for("alice")
    response = client.post(
        reverse("evaluation:questionnaire_create"),
        {
            "form_token": "national-kind",
            "code": "sneaky-national",
            "title": "Sneaky",
            "kind": QuestionnaireKind.NATIONAL,
            "small_group_threshold": "5",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Questionnaire.objects.filter(code="sneaky-national").exists()


def test_the_services_refuse_the_national_kind_from_a_person(personas, samples):
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_create(
            actor=personas.alice,
            organisation_id=personas.council_a.pk,
            code="alice-national",
            title="Not allowed",
            kind=QuestionnaireKind.NATIONAL,
        )
    assert "kind" in refused.value.message_dict
    assert not Questionnaire.objects.filter(code="alice-national").exists()

    questionnaire = samples["questionnaire"]
    kind_before = questionnaire.kind
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_update(
            actor=personas.alice, questionnaire=questionnaire, kind=QuestionnaireKind.NATIONAL
        )
    assert "kind" in refused.value.message_dict
    questionnaire.refresh_from_db()
    assert questionnaire.kind == kind_before


def test_a_national_questionnaire_is_not_changed_through_the_learning_services(
    learning_lead, national
):
    title = national.title
    with pytest.raises(ValidationError):
        services.questionnaire_update(
            actor=learning_lead, questionnaire=national, title="Taken over"
        )
    with pytest.raises(ValidationError):
        services.questionnaire_update(
            actor=learning_lead, questionnaire=national, kind=QuestionnaireKind.CUSTOM
        )
    national.refresh_from_db()
    assert national.title == title
    assert national.kind == QuestionnaireKind.NATIONAL


def test_the_command_line_and_the_national_services_still_make_one(personas):
    """actor None is the national services (and the command line): they make the kind."""
    made = services.questionnaire_create(
        actor=None,
        organisation_id=personas.national.pk,
        code="national-survey-test",
        title="National survey test",
        kind=QuestionnaireKind.NATIONAL,
    )
    assert made.kind == QuestionnaireKind.NATIONAL
