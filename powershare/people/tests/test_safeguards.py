"""Safeguards found in review: logins of other organisations, staff who are also on a register,
children under 13, notes written at erasure, and reads of the register through the API."""

import datetime

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from powershare.audit.models import AccessEvent
from powershare.people import services
from powershare.people.models import Person
from powershare.people.selectors import person_for_user
from powershare.privacy.services import erasure_request_approve, erasure_request_create


def _person(personas, **fields):
    values = {"full_name": "Morgan Safeguard", "age_band": "26_64"} | fields
    return services.person_create(
        actor=personas.alice, organisation_id=personas.council_a.pk, **values
    )


def test_a_lead_cannot_link_another_organisations_staff_login_to_their_register(personas):
    person = services.person_create(
        actor=personas.charlie,
        organisation_id=personas.council_b.pk,
        full_name="Someone",
        age_band="26_64",
        email=personas.admin.email,  # council A's administrator
    )
    with pytest.raises(ValidationError) as error:
        services.portal_invitation_send(actor=personas.charlie, person=person)
    assert "another organisation" in " ".join(error.value.messages)
    person.refresh_from_db()
    assert person.user is None


def test_a_staff_login_of_the_same_organisation_can_hold_a_person_record(personas):
    person = _person(personas, email=personas.bob.email)
    user = services.portal_invitation_send(actor=personas.alice, person=person)
    assert user == personas.bob


def test_erasing_a_staff_members_own_record_keeps_their_staff_login_and_its_history(personas):
    person = _person(personas, email=personas.bob.email, full_name="Bob Brown")
    services.portal_invitation_send(actor=personas.alice, person=person)
    LogEntry.objects.create(
        content_type_id=LogEntry.objects.first().content_type_id,
        object_id=1,
        object_repr="Something Bob did as staff",
        action=LogEntry.Action.UPDATE,
        actor=personas.bob,
        actor_email=personas.bob.email,
        changes={},
    )
    AccessAttempt.objects.create(username=personas.bob.email, failures_since_start=1)
    request = erasure_request_create(actor=personas.alice, person=person, reason="They asked")
    erasure_request_approve(actor=personas.admin, request=request)

    personas.bob.refresh_from_db()
    assert personas.bob.is_active
    assert personas.bob.email.startswith("bob.")
    assert LogEntry.objects.filter(actor=personas.bob, actor_email=personas.bob.email).exists()
    assert AccessAttempt.objects.filter(username=personas.bob.email).exists()
    person.refresh_from_db()
    assert person.is_erased
    assert person.user is None


def test_the_note_written_when_approving_erasure_loses_the_persons_name(personas):
    person = _person(personas, full_name="Quentin Zephyrine", email="quentin@people.example")
    request = erasure_request_create(actor=personas.alice, person=person, reason="They wrote in")
    erasure_request_approve(
        actor=personas.admin, request=request, note="Quentin Zephyrine rang to confirm"
    )
    request.refresh_from_db()
    assert "Quentin" not in request.decision_note
    assert "rang to confirm" in request.decision_note


def test_failed_sign_ins_typed_in_capitals_are_swept_at_erasure(personas):
    person = _person(personas, email="casey.sweep@people.example")
    AccessAttempt.objects.create(username="Casey.Sweep@People.example", failures_since_start=2)
    request = erasure_request_create(actor=personas.alice, person=person, reason="Asked")
    erasure_request_approve(actor=personas.admin, request=request)
    assert not AccessAttempt.objects.filter(username__iexact="casey.sweep@people.example").exists()


def test_someone_with_a_login_cannot_be_made_under_13(personas):
    erin = personas.erin_person
    with pytest.raises(ValidationError) as error:
        services.person_update(
            actor=personas.alice,
            person=erin,
            date_of_birth=timezone.localdate() - datetime.timedelta(days=365 * 10),
        )
    assert "under 13" in " ".join(error.value.messages)


def test_a_login_stops_opening_the_portal_if_the_record_says_under_13(personas, client_for):
    Person.objects.filter(pk=personas.erin_person.pk).update(
        date_of_birth=timezone.localdate() - datetime.timedelta(days=365 * 10)
    )
    assert person_for_user(user=personas.erin) is None
    assert client_for("erin").get(reverse("portal:home")).status_code == 404


def test_consent_dates_before_1900_are_refused(personas):
    person = _person(personas)
    with pytest.raises(ValidationError) as error:
        services.consent_record_create(
            actor=personas.alice,
            person=person,
            purpose="contact",
            decision="given",
            method="written",
            recorded_at=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
        )
    assert "recorded_at" in error.value.message_dict


def test_someone_who_left_cannot_rejoin_from_their_portal(personas):
    erin = personas.erin_person
    services.person_update(actor=personas.alice, person=erin, status="left")
    with pytest.raises(ValidationError) as error:
        services.person_update_by_self(user=personas.erin, person=erin, status="active")
    assert "tell your contact" in " ".join(error.value.messages)


def test_listing_the_register_through_the_api_is_recorded_without_names(personas, client_for):
    client = client_for("alice")
    before = AccessEvent.objects.count()
    response = client.get("/api/people?q=Erin")
    assert response.status_code == 200
    events = AccessEvent.objects.order_by("-pk")[: AccessEvent.objects.count() - before]
    assert [e.organisation_id for e in events] == [personas.council_a.pk]
    assert "Erin" not in events[0].description
    assert "Erin" not in events[0].path


def test_consent_and_invitation_pages_record_who_opened_them(personas, client_for, samples):
    client = client_for("alice")
    person = samples["person"]
    for name in ("people:consent_add", "people:portal_invite"):
        before = AccessEvent.objects.filter(subject_id=str(person.pk)).count()
        assert client.get(reverse(name, args=[person.pk])).status_code == 200
        assert AccessEvent.objects.filter(subject_id=str(person.pk)).count() == before + 1, name
