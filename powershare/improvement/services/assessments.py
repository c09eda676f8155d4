"""Self-assessments: an organisation rates every driver of the framework version it uses, for
one period, with evidence, the people who took part and the drivers it chooses as priorities.

The version is fixed when the assessment starts, so publishing a new version later never
changes it. Everything (details, ratings, who took part) changes only while it is a draft;
agreeing it needs every driver rated and locks it (reopening unlocks it again).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from powershare.accounts.models import Membership, Organisation, User
from powershare.people.models import Person

from ..models import (
    AssessmentParticipant,
    AssessmentStatus,
    DriverRating,
    Framework,
    ParticipantKind,
    Rating,
    SelfAssessment,
)
from ..selectors.frameworks import version_current
from ._common import check_manages, text

#: How far ahead an assessment's date may be (a workshop already booked).
MAX_DAYS_AHEAD = 366
#: The fields of one driver's row that ratings_record reads.
RATING_FIELDS = ("rating", "evidence", "is_priority", "priority_note")


def _clean_details(period: str, assessed_on) -> dict:
    errors = {}
    if not period:
        errors["period"] = "Say which period it covers, like 2026/27 or Autumn 2026."
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment, like 14 March 2026."
    elif assessed_on > timezone.localdate() + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["assessed_on"] = "The date can be at most a year from today."
    return errors


@transaction.atomic
def assessment_start(
    *,
    actor: User,
    organisation: Organisation,
    period: str,
    assessed_on: datetime.date | None,
    summary: str = "",
    others_taking_part: str = "",
    framework: Framework | None = None,
) -> SelfAssessment:
    """A new draft assessment with the framework version the organisation uses today (its own
    latest, else PowerShare's default), and an empty rating for each of its drivers."""
    check_manages(actor, organisation.pk)
    period = text(period, 60)
    errors = _clean_details(period, assessed_on)
    if errors:
        raise ValidationError(errors)
    framework = framework or Framework.objects.get(key="roadmap")
    version = version_current(framework=framework, organisation_id=organisation.pk)
    if version is None:
        raise ValidationError({"framework": "This framework has no published version yet."})
    assessment = SelfAssessment.objects.create(
        organisation=organisation,
        created_by=actor,
        version=version,
        period=period,
        assessed_on=assessed_on,
        summary=text(summary, 5000),
        others_taking_part=text(others_taking_part, 300),
    )
    DriverRating.objects.bulk_create(
        DriverRating(assessment=assessment, driver=driver)
        for driver in version.drivers.order_by("stage__order", "order")
    )
    return assessment


@transaction.atomic
def assessment_update(
    *,
    actor: User,
    assessment: SelfAssessment,
    period: str,
    assessed_on: datetime.date | None,
    summary: str = "",
    others_taking_part: str = "",
) -> SelfAssessment:
    """Change what the assessment covers and says (never its framework version)."""
    check_manages(actor, assessment.organisation_id)
    _check_draft(assessment, LOCKED_DETAILS)
    period = text(period, 60)
    errors = _clean_details(period, assessed_on)
    if errors:
        raise ValidationError(errors)
    assessment.period = period
    assessment.assessed_on = assessed_on
    assessment.summary = text(summary, 5000)
    assessment.others_taking_part = text(others_taking_part, 300)
    assessment.save(
        update_fields=["period", "assessed_on", "summary", "others_taking_part", "updated_at"]
    )
    return assessment


#: Why an agreed assessment refuses each kind of change.
LOCKED_RATINGS = (
    "The ratings were agreed, so they can't change. Reopen the assessment to change them."
)
LOCKED_DETAILS = (
    "The self-assessment was agreed, so its details can't change. Reopen it to change them."
)
LOCKED_PARTICIPANTS = (
    "The self-assessment was agreed, so who took part can't change. Reopen it to change that."
)


def _check_draft(assessment: SelfAssessment, message: str = LOCKED_RATINGS) -> None:
    """Only a draft changes: an agreed assessment is locked until someone reopens it."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(message)


@transaction.atomic
def ratings_record(
    *, actor: User, assessment: SelfAssessment, ratings: dict[int, dict]
) -> list[DriverRating]:
    """Record every driver's rating at once, while the assessment is a draft.

    `ratings` maps each DriverRating's id to {"rating": 0-4 or None, "evidence", "is_priority",
    "priority_note"}; ids not given are left as they are. A priority needs a reason. Nothing is
    saved if any row is wrong; each error names its row and field as "r<id>-<field>".
    """
    check_manages(actor, assessment.organisation_id)
    _check_draft(assessment)
    rows = {r.pk: r for r in assessment.ratings.select_related("driver")}
    errors: dict[str, str] = {}
    changed = []
    for pk, values in ratings.items():
        row = rows.get(pk)
        if row is None:
            raise ValidationError("That driver is not part of this assessment.")
        rating = values.get("rating")
        if rating in ("", None):
            rating = None
        else:
            try:
                rating = int(rating)
            except (TypeError, ValueError):
                rating = -1
            if rating not in Rating.values:
                errors[f"r{pk}-rating"] = f"{row.driver.name}: choose a rating from the list."
                continue
        is_priority = bool(values.get("is_priority"))
        note = text(values.get("priority_note"), 3000)
        if is_priority and not note:
            errors[f"r{pk}-priority_note"] = (
                f"{row.driver.name}: say why it is a priority and what good would look like."
            )
        new = {
            "rating": rating,
            "evidence": text(values.get("evidence"), 5000),
            "is_priority": is_priority,
            "priority_note": note if is_priority else "",
        }
        if any(getattr(row, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(row, name, value)
            changed.append(row)
    if errors:
        raise ValidationError(errors)
    for row in changed:
        # One save each, so the change log keeps every driver's change.
        row.save(update_fields=list(RATING_FIELDS))
    if changed:
        assessment.save(update_fields=["updated_at"])
    return changed


@transaction.atomic
def participant_add(
    *,
    actor: User,
    assessment: SelfAssessment,
    kind: str,
    user: User | None = None,
    person: Person | None = None,
    name: str = "",
) -> AssessmentParticipant:
    """Someone who took part: a member of the organisation's staff, a person on its register
    (not erased), or, for anyone else, a name. One of the three, and each one only once."""
    check_manages(actor, assessment.organisation_id)
    _check_draft(assessment, LOCKED_PARTICIPANTS)
    name = text(name, 200)
    errors = {}
    if kind not in ParticipantKind.values:
        errors["kind"] = "Choose how they took part."
    given = [x for x in (user, person, name) if x]
    if not given:
        errors["user"] = "Choose a member of staff or a person on the register, or enter a name."
    elif len(given) > 1:
        errors["user"] = "Choose one: a member of staff, a person on the register, or a name."
    if errors:
        raise ValidationError(errors)
    existing = AssessmentParticipant.objects.filter(assessment=assessment)
    if user is not None:
        if (
            not Membership.objects.current()
            .filter(user=user, organisation_id=assessment.organisation_id)
            .exists()
        ):
            raise ValidationError({"user": "Choose someone who works in the organisation."})
        if existing.filter(user=user).exists():
            raise ValidationError({"user": f"{user.full_name} is already listed."})
    if person is not None:
        if person.organisation_id != assessment.organisation_id or person.is_erased:
            raise ValidationError({"person": "Choose someone on the organisation's register."})
        if existing.filter(person=person).exists():
            raise ValidationError({"person": "That person is already listed."})
    return AssessmentParticipant.objects.create(
        assessment=assessment, kind=kind, user=user, person=person, name=name
    )


@transaction.atomic
def participant_remove(*, actor: User, participant: AssessmentParticipant) -> None:
    check_manages(actor, participant.assessment.organisation_id)
    _check_draft(participant.assessment, LOCKED_PARTICIPANTS)
    participant.delete()


@transaction.atomic
def assessment_agree(*, actor: User, assessment: SelfAssessment) -> SelfAssessment:
    """Agree the ratings: every driver must be rated first. The ratings are then locked."""
    check_manages(actor, assessment.organisation_id)
    if assessment.status == AssessmentStatus.AGREED:
        return assessment
    unrated = list(
        assessment.ratings.filter(rating__isnull=True)
        .order_by("driver__stage__order", "driver__order")
        .values_list("driver__name", flat=True)
    )
    if unrated:
        raise ValidationError(
            {"ratings": f"Rate every driver before agreeing. Not rated yet: {', '.join(unrated)}."}
        )
    assessment.status = AssessmentStatus.AGREED
    assessment.agreed_at = timezone.now()
    assessment.save(update_fields=["status", "agreed_at", "updated_at"])
    return assessment


@transaction.atomic
def assessment_reopen(*, actor: User, assessment: SelfAssessment) -> SelfAssessment:
    """Back to a draft, so the ratings can change again."""
    check_manages(actor, assessment.organisation_id)
    if assessment.status == AssessmentStatus.DRAFT:
        return assessment
    assessment.status = AssessmentStatus.DRAFT
    assessment.agreed_at = None
    assessment.save(update_fields=["status", "agreed_at", "updated_at"])
    return assessment


__all__ = [
    "assessment_agree",
    "assessment_reopen",
    "assessment_start",
    "assessment_update",
    "participant_add",
    "participant_remove",
    "ratings_record",
]
