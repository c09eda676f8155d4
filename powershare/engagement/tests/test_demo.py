"""The engagement demo: loads on top of the people demo, changes nothing when run again, and
never uses anyone's words beyond what they agreed to."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from powershare.accounts.models import User
from powershare.engagement import selectors
from powershare.engagement.models import (
    REDACTED,
    Activity,
    Contribution,
    Invitation,
    InvitationStatus,
    Redaction,
    UseLevel,
)
from powershare.people.models import ConsentRecord, Person


@pytest.fixture
def demo(demo_database, db):
    return None


def _row_counts():
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("engagement").get_models()
    }
    counts["people.ConsentRecord"] = ConsentRecord.objects.count()
    return counts


def test_it_loads_activities_for_four_organisations(demo):
    organisations = set(Activity.objects.values_list("organisation__name", flat=True))
    assert organisations == {
        "Fife Council",
        "Dundee City Council",
        "Resilience Learning Partnership",
        # The learning demo's co-design of the power-sharing course (powershare/learning/demo.py).
        "Scottish Government",
    }
    today = timezone.localdate()
    activities = Activity.objects.filter(cancelled_at__isnull=True)
    assert activities.filter(ends_on__lt=today).count() >= 8
    assert activities.filter(starts_on__gt=today).count() >= 4
    assert Activity.objects.filter(cancelled_at__isnull=False).exists()
    # Feedback already overdue on some finished activities, still to come on others.
    finished = activities.filter(ends_on__lt=today)
    assert finished.filter(feedback_due_on__lt=today).exists()
    assert finished.filter(feedback_due_on__gte=today).exists()
    assert {a.ladder.slug for a in activities} == {"arnstein", "hart"}
    assert activities.filter(lundy_space=True).exists()
    assert activities.exclude(content_notes="").count() >= 10
    assert all(a.questions.exists() for a in activities)


def test_running_it_again_creates_nothing(demo):
    first = _row_counts()
    log_entries = LogEntry.objects.count()
    out = StringIO()
    call_command("demo_data", "--force", stdout=out)
    assert _row_counts() == first
    assert LogEntry.objects.count() == log_entries
    assert "nothing to change" in out.getvalue()


def test_it_captures_about_300_contributions_at_mixed_use_levels(demo):
    contributions = Contribution.objects.all()
    assert 270 <= contributions.count() <= 340
    assert set(contributions.values_list("use_level", flat=True)) == set(UseLevel.values)
    assert len(set(contributions.values_list("text", flat=True))) >= 200  # not all alike


def test_no_contribution_is_used_beyond_what_its_person_agreed_to(demo):
    allowed = {}
    for contribution in Contribution.objects.filter(person__isnull=False).select_related("person"):
        person = contribution.person
        if person.pk not in allowed:
            allowed[person.pk] = selectors.use_levels_consented(person=person)
        assert contribution.use_level in allowed[person.pk], contribution.reference


def test_people_who_agreed_to_no_quotes_have_no_contributions(demo):
    for person in Person.objects.filter(contributions__isnull=False).distinct():
        assert selectors.use_levels_consented(person=person)
    assert Person.objects.filter(full_name="Nadia Rahman", contributions__isnull=True).exists()


def test_anonymous_groups_say_who_holds_their_consent(demo):
    groups = Contribution.objects.filter(person__isnull=True)
    assert groups.filter(group_label="young people, school session 2").exists()
    assert groups.count() >= 30
    assert not groups.filter(group_consent_held_by="").exists()


def test_redactions_keep_no_words_and_withdrawals_hide_the_contribution(demo):
    redacted = Contribution.objects.filter(redactions__isnull=False).distinct()
    assert redacted.count() == 2
    for contribution in redacted:
        assert REDACTED in contribution.text
    assert not Contribution.objects.filter(text__contains="Rosebank Road").exists()
    assert not Contribution.objects.filter(text__contains="Gallacher").exists()
    assert set(Redaction.objects.values_list("asked_by", flat=True)) == {"person", "staff"}
    withdrawn = Contribution.objects.filter(withdrawn_at__isnull=False)
    assert withdrawn.count() == 2
    assert set(withdrawn.values_list("withdrawn_by_person", flat=True)) == {True, False}
    usable = selectors.contributions_usable_for(Contribution.objects.all(), use=UseLevel.INTERNAL)
    assert not usable.filter(pk__in=withdrawn).exists()


def test_invitations_have_answers_attendance_debriefs_and_a_few_wellbeing_notes(demo):
    invitations = Invitation.objects.all()
    statuses = set(invitations.values_list("status", flat=True))
    assert {
        InvitationStatus.ACCEPTED,
        InvitationStatus.DECLINED,
        InvitationStatus.INVITED,
        InvitationStatus.LEFT,
    } <= statuses
    declined = invitations.filter(status=InvitationStatus.DECLINED)
    # A reason is never needed: most give none.
    assert 0 < declined.exclude(decline_reason="").count() < declined.count()
    assert invitations.filter(attended=True).count() >= 40
    assert invitations.filter(attended=False).exists()
    assert invitations.filter(debrief_done=True).exists()
    assert 3 <= invitations.exclude(wellbeing_note="").count() <= 15
    assert invitations.exclude(warnings_at_invitation=[]).exists()


def _portal_for(name):
    person = Person.objects.get(full_name=name)
    return person, selectors.portal_home_summary(person=person)


@pytest.mark.parametrize("name", ["Jamie Wilson", "Ayesha Khan"])
def test_the_portal_people_have_something_waiting_coming_up_and_to_answer(demo, name):
    person, summary = _portal_for(name)
    assert person.user is not None
    assert summary["opportunities_waiting"], "an invitation waiting for their answer"
    assert summary["opportunities_coming_up"], "an activity coming up"
    assert summary["felt_say_due"], "a finished activity to say how much say they had"
    assert summary["my_contribution_count"] >= 5
    assert (
        selectors.contribution_list_for_person(person=person)
        .filter(withdrawn_at__isnull=True)
        .exists()
    )


def test_jamie_has_an_invitation_waiting(demo):
    jamie = Person.objects.get(full_name="Jamie Wilson")
    waiting = selectors.invitation_list_for_person(person=jamie).filter(
        status=InvitationStatus.INVITED, activity__starts_on__gt=timezone.localdate()
    )
    assert waiting.exists()


def test_the_ladder_report_has_data_for_this_year_and_last_year(demo):
    lead = User.objects.get(email="aileen.murray@fife.example")
    fife = lead.memberships.get().organisation
    year = timezone.localdate().year
    felt_below_staff = False
    for report_year in (year, year - 1):
        reports = selectors.ladder_report(user=lead, organisation_id=fife.pk, year=report_year)
        assert reports, report_year
        assert sum(report.activity_count for report in reports) >= 2
        for report in reports:
            staff_lowest = min(
                (row.rung.position for row in report.rows if row.staff_count), default=9
            )
            felt_below_staff |= any(
                row.felt_count and row.rung.position < staff_lowest for row in report.rows
            )
    # Some people felt they had less say than staff thought: the report makes it visible.
    assert felt_below_staff
