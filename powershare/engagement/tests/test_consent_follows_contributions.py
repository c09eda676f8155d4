"""The one rule (selectors.contributions_usable_for) and the services that feed it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from powershare.engagement import selectors, services
from powershare.engagement.models import REDACTED, Contribution, Redaction, UseLevel
from powershare.people.models import ConsentGivenBy

from . import factories as make

QUOTES = ("quote_internal", "quote_anonymous", "quote_named", "publish_public")


def _shown(use, activity=None):
    contributions = Contribution.objects.all()
    if activity is not None:
        contributions = contributions.filter(activity=activity)
    return set(selectors.contributions_usable_for(contributions, use=use))


@pytest.fixture
def world(personas):
    a = personas.council_a
    activity = make.activity(a)
    person = make.person(a)
    make.consent(person, *QUOTES)
    return a, activity, person


def test_a_contribution_shows_for_each_use_up_to_its_own_level(world):
    _, activity, person = world
    anonymised = make.contribution(activity, person=person, use_level=UseLevel.ANONYMISED)
    assert anonymised in _shown(UseLevel.INTERNAL)
    assert anonymised in _shown(UseLevel.ANONYMISED)
    assert anonymised not in _shown(UseLevel.ATTRIBUTED)
    assert anonymised not in _shown(UseLevel.PUBLIC)


def test_withdrawing_consent_for_a_use_withdraws_it_from_every_contribution_at_once(world):
    _, activity, person = world
    first = make.contribution(activity, person=person, use_level=UseLevel.PUBLIC)
    second = make.contribution(activity, person=person, use_level=UseLevel.ATTRIBUTED)
    make.consent(person, "quote_named", given=False)
    assert {first, second}.isdisjoint(_shown(UseLevel.ATTRIBUTED))
    # Other uses they still agree to are untouched.
    assert {first, second} <= _shown(UseLevel.ANONYMISED)
    assert first in _shown(UseLevel.PUBLIC)
    make.consent(person, "quote_named")  # and changing their mind back restores it
    assert {first, second} <= _shown(UseLevel.ATTRIBUTED)


def test_a_withdrawn_contribution_shows_nowhere(world):
    _, activity, person = world
    contribution = make.contribution(activity, person=person, use_level=UseLevel.PUBLIC)
    services.contribution_withdraw(
        user=person.user or _login_for(person), contribution=contribution, by_person=True
    )
    for use in UseLevel:
        assert contribution not in _shown(use)


def _login_for(person):
    from powershare.accounts.models import User

    user = User.objects.create_user(email=person.email, password="x-long-password-1")
    person.user = user
    person.save(update_fields=["user"])
    return user


def test_under_16s_need_their_guardian_to_agree_as_well(personas):
    a = personas.council_a
    activity = make.activity(a)
    young = make.person(a, date_of_birth=timezone.localdate() - datetime.timedelta(days=365 * 14))
    make.consent(young, "quote_internal")
    contribution = make.contribution(activity, person=young)
    assert contribution not in _shown(UseLevel.INTERNAL)
    make.consent(young, "quote_internal", given_by=ConsentGivenBy.GUARDIAN)
    assert contribution in _shown(UseLevel.INTERNAL)


def test_an_erased_persons_contributions_show_nowhere(world):
    _, activity, person = world
    contribution = make.contribution(activity, person=person)
    person.erased_at = timezone.now()
    person.save(update_fields=["erased_at"])
    assert contribution not in _shown(UseLevel.INTERNAL)


def test_a_groups_contribution_follows_its_agreed_level(world):
    _, activity, _ = world
    group = make.contribution(activity, use_level=UseLevel.ANONYMISED, group_label="Young people")
    assert group in _shown(UseLevel.ANONYMISED)
    assert group not in _shown(UseLevel.ATTRIBUTED)


def test_staff_cannot_record_a_use_above_what_the_person_agreed(personas):
    a = personas.council_a
    activity = make.activity(a)
    person = make.person(a, "Morag Reid")
    make.consent(person, "quote_internal", "quote_anonymous")
    with pytest.raises(ValidationError) as error:
        services.contribution_create(
            actor=personas.alice,
            activity=activity,
            person=person,
            use_level=UseLevel.ATTRIBUTED,
            text="Words",
            kind="view",
        )
    assert "Morag Reid has not agreed to this use" in str(error.value)
    # Left empty, it defaults to the widest they agreed to.
    created = services.contribution_create(
        actor=personas.alice,
        activity=activity,
        person=person,
        use_level=None,
        text="Words",
        kind="view",
    )
    assert created.use_level == UseLevel.ANONYMISED


def test_nothing_is_recorded_for_use_from_someone_who_agreed_to_no_quotes(personas):
    a = personas.council_a
    activity = make.activity(a)
    person = make.person(a)
    with pytest.raises(ValidationError, match="has not agreed to be quoted in any way"):
        services.contribution_create(
            actor=personas.alice,
            activity=activity,
            person=person,
            use_level=None,
            text="Words",
            kind="view",
        )


def test_bob_and_charlie_cannot_capture_contributions(personas):
    activity = make.activity(personas.council_a)
    for actor in (personas.bob, personas.charlie):
        with pytest.raises(PermissionDenied):
            services.contribution_create(
                actor=actor,
                activity=activity,
                group_label="G",
                group_consent_held_by="P",
                use_level=1,
                text="x",
                kind="view",
            )


def test_redaction_replaces_the_words_and_keeps_no_copy(world, personas):
    _, activity, person = world
    contribution = make.contribution(
        activity, person=person, text="The waiting room at Kirkton Street felt cold."
    )
    services.contribution_redact(
        user=personas.alice,
        contribution=contribution,
        words="Kirkton Street",
        reason="Names a place",
        by_person=False,
    )
    contribution.refresh_from_db()
    assert contribution.text == f"The waiting room at {REDACTED} felt cold."
    redaction = Redaction.objects.get(contribution=contribution)
    assert redaction.characters_removed == len("Kirkton Street")
    assert redaction.asked_by == Redaction.AskedBy.STAFF_ON_BEHALF
    # The change log records that the text changed, never the words.
    from auditlog.models import LogEntry

    for entry in LogEntry.objects.all():
        assert "Kirkton" not in str(entry.changes)


def test_redacting_words_that_are_not_there_says_so(world, personas):
    _, activity, person = world
    contribution = make.contribution(activity, person=person, text="Short text")
    with pytest.raises(ValidationError, match="don't appear"):
        services.contribution_redact(
            user=personas.alice, contribution=contribution, words="Long", by_person=False
        )


def test_someone_else_cannot_act_as_the_contributor(world, personas):
    _, activity, person = world
    contribution = make.contribution(activity, person=person)
    with pytest.raises(PermissionDenied):
        services.contribution_withdraw(
            user=personas.erin, contribution=contribution, by_person=True
        )


def test_withdrawn_words_are_purged_after_the_grace_period(world, personas, settings):
    settings.CONTRIBUTION_PURGE_DAYS = 30
    _, activity, person = world
    old = make.contribution(activity, person=person, text="Old words")
    recent = make.contribution(activity, person=person, text="Recent words")
    kept = make.contribution(activity, person=person, text="Kept words")
    now = timezone.now()
    Contribution.objects.filter(pk=old.pk).update(withdrawn_at=now - datetime.timedelta(days=31))
    Contribution.objects.filter(pk=recent.pk).update(withdrawn_at=now - datetime.timedelta(days=2))
    assert services.contributions_purge_withdrawn(now=now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    kept.refresh_from_db()
    assert old.text == ""
    assert old.person_id is None
    assert old.purged_at is not None
    assert recent.text == "Recent words"
    assert kept.text == "Kept words"
    assert services.contributions_purge_withdrawn(now=now) == 0  # idempotent


def test_the_purge_is_scheduled_daily_and_queued_once_per_day(
    db, django_capture_on_commit_callbacks
):
    from powershare.system.schedule import scheduled, scheduled_tasks_enqueue_due

    names = {item.name for item in scheduled()}
    assert "engagement.contributions_purge_withdrawn" in names
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert "engagement.contributions_purge_withdrawn" in scheduled_tasks_enqueue_due(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        # Other apps' tasks may run more often; the purge waits a day.
        queued = scheduled_tasks_enqueue_due(now=now + datetime.timedelta(hours=23))
        assert "engagement.contributions_purge_withdrawn" not in queued
    with django_capture_on_commit_callbacks(execute=True):
        assert "engagement.contributions_purge_withdrawn" in scheduled_tasks_enqueue_due(
            now=now + datetime.timedelta(hours=24)
        )


def test_erasure_removes_a_persons_words_and_keeps_the_count(world, personas):
    from powershare.privacy.services import person_erase

    _, activity, person = world
    contribution = make.contribution(activity, person=person, text="Personal words")
    person_erase(person=person)
    contribution.refresh_from_db()
    assert contribution.text == ""
    assert contribution.person_id is None
    assert Contribution.objects.filter(activity=activity).count() == 1
    assert contribution not in _shown(UseLevel.INTERNAL)


def _export_text(request) -> str:
    import io
    import zipfile

    from django.core.files.storage import default_storage

    request.refresh_from_db()
    with default_storage.open(request.export_file) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return "".join(archive.read(name).decode() for name in archive.namelist())


def test_a_prepared_data_export_never_keeps_removed_or_withdrawn_words(
    personas, django_capture_on_commit_callbacks
):
    from powershare.privacy.services import (
        subject_access_export_build,
        subject_access_request_by_self,
    )

    erin = personas.erin_person
    make.consent(erin, *QUOTES)
    activity = make.activity(personas.council_a)
    kept = make.contribution(activity, person=erin, text="Meet at the Ferryhill library please")
    gone = make.contribution(activity, person=erin, text="My neighbour Wilma told me")
    with django_capture_on_commit_callbacks(execute=True):
        request = subject_access_request_by_self(user=personas.erin, person=erin)
    subject_access_export_build(request_id=request.pk)
    assert "Ferryhill" in _export_text(request)
    assert "Wilma" in _export_text(request)

    with django_capture_on_commit_callbacks(execute=True):
        services.contribution_redact(
            user=personas.erin, contribution=kept, words="Ferryhill", by_person=True
        )
        services.contribution_withdraw(user=personas.erin, contribution=gone, by_person=True)
    text = _export_text(request)
    assert "Ferryhill" not in text
    assert "Wilma" not in text
    assert "Meet at the" in text


def test_common_words_can_be_removed_and_a_note_is_never_garbled(world, personas):
    _, activity, person = world
    contribution = make.contribution(activity, person=person, text="At the door, at the desk")
    services.contribution_redact(
        user=personas.alice, contribution=contribution, words="the door", by_person=False
    )
    contribution.refresh_from_db()
    assert contribution.text == f"At {REDACTED}, at the desk"
    # "request" appears only inside the note: refused, the note stays whole.
    with pytest.raises(ValidationError, match="part of a note"):
        services.contribution_redact(
            user=personas.alice, contribution=contribution, words="request]", by_person=False
        )
    # "the" appears inside the note and outside it: only the one outside goes.
    services.contribution_redact(
        user=personas.alice, contribution=contribution, words="the desk", by_person=False
    )
    contribution.refresh_from_db()
    assert contribution.text == f"At {REDACTED}, at {REDACTED}"


def test_moving_an_activity_to_another_ladder_clears_answers_on_the_old_one(personas):
    from powershare.engagement.models import Ladder

    activity = make.activity(personas.council_a)
    person = make.person(personas.council_a)
    invitation = make.invitation(activity, person, felt_rung=activity.rung)
    hart = Ladder.objects.get(organisation=None, slug="hart")
    services.activity_update(
        actor=personas.alice, activity=activity, ladder=hart, rung=hart.rungs.get(position=5)
    )
    invitation.refresh_from_db()
    assert invitation.felt_rung is None


def test_attendance_cannot_be_recorded_for_someone_who_said_no(personas):
    from powershare.engagement.models import InvitationStatus

    activity = make.activity(personas.council_a)
    invitation = make.invitation(
        activity, make.person(personas.council_a), status=InvitationStatus.DECLINED
    )
    with pytest.raises(ValidationError, match="said no"):
        services.invitation_update(actor=personas.alice, invitation=invitation, attended=True)
