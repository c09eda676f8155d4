"""Small builders for engagement tests (people, consent, activities, contributions)."""

import datetime
import itertools

from powershare.engagement.models import (
    Activity,
    ActivityKind,
    ActivitySetting,
    Contribution,
    ContributionKind,
    Invitation,
    InvitationStatus,
    Ladder,
)
from powershare.people.models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentMethod,
    ConsentRecord,
    Person,
)
from powershare.privacy.selectors import consent_statement_current

_numbers = itertools.count(1)


def person(organisation, name=None, **fields) -> Person:
    number = next(_numbers)
    return Person.objects.create(
        organisation=organisation,
        full_name=name or f"Test Person {number}",
        email=fields.pop("email", f"test.person.{number}@people.example"),
        age_band=fields.pop("age_band", "26_64"),
        **fields,
    )


def consent(person, *purposes, given=True, given_by=ConsentGivenBy.PERSON, at=None):
    """Record the person's decision for each purpose (newest wins)."""
    from django.utils import timezone

    for purpose in purposes:
        ConsentRecord.objects.create(
            person=person,
            purpose=purpose,
            statement=consent_statement_current(
                organisation_id=person.organisation_id, purpose=purpose
            ),
            decision=ConsentDecision.GIVEN if given else ConsentDecision.WITHDRAWN,
            given_by=given_by,
            guardian_name="A guardian" if given_by == ConsentGivenBy.GUARDIAN else "",
            method=ConsentMethod.WRITTEN,
            recorded_at=at or timezone.now(),
        )


def activity(organisation, title=None, *, days_ago=7, **fields) -> Activity:
    ladder = fields.pop("ladder", None) or Ladder.objects.get(organisation=None, slug="arnstein")
    rung = fields.pop("rung", None) or ladder.rungs.get(position=4)
    day = datetime.date.today() - datetime.timedelta(days=days_ago)
    return Activity.objects.create(
        organisation=organisation,
        title=title or f"Activity {next(_numbers)}",
        purpose=fields.pop("purpose", "To find out what would make things better."),
        kind=fields.pop("kind", ActivityKind.FOCUS_GROUP),
        starts_on=fields.pop("starts_on", day),
        ends_on=fields.pop("ends_on", day),
        setting=fields.pop("setting", ActivitySetting.COMMUNITY),
        feedback_due_on=fields.pop("feedback_due_on", day + datetime.timedelta(days=28)),
        ladder=ladder,
        rung=rung,
        **fields,
    )


def invitation(activity, person, status=InvitationStatus.ACCEPTED, **fields) -> Invitation:
    return Invitation.objects.create(activity=activity, person=person, status=status, **fields)


def contribution(activity, *, person=None, text="Something said", use_level=1, **fields):
    if person is None and not fields.get("group_label"):
        fields["group_label"] = "A group"
        fields.setdefault("group_consent_held_by", "A partner")
    return Contribution.objects.create(
        organisation_id=activity.organisation_id,
        activity=activity,
        person=person,
        text=text,
        kind=fields.pop("kind", ContributionKind.VIEW),
        use_level=use_level,
        **fields,
    )
