"""Small builders for accountability tests: responses, sent letters and a frozen clock, on top
of the engagement builders (people, consent, activities, contributions)."""

import contextlib
import datetime
from unittest import mock

from django.utils import timezone

from powershare.accountability.models import (
    Decision,
    FeedbackLetter,
    LetterStatus,
    Response,
    ResponseContribution,
)
from powershare.engagement.models import Contribution
from powershare.engagement.tests import factories as _engagement

# The engagement builders, so tests need one import.
activity = _engagement.activity
consent = _engagement.consent
contribution = _engagement.contribution
invitation = _engagement.invitation
person = _engagement.person


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


@contextlib.contextmanager
def frozen(on: datetime.date, hour: int = 12):
    """Freeze timezone.now() (and so timezone.localdate()) at midday on a local date."""
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def response(
    activity,
    *contributions,
    decision=Decision.WILL_DO,
    what_will_change="We will change how we do this.",
    **fields,
) -> Response:
    """A response recorded directly (no permission checks), answering `contributions`."""
    if decision == Decision.WILL_NOT_DO:
        fields.setdefault("reason", "It is not ours to change.")
    made = Response.objects.create(
        organisation_id=activity.organisation_id,
        activity=activity,
        decision=decision,
        what_will_change=what_will_change,
        **fields,
    )
    ResponseContribution.objects.bulk_create(
        [ResponseContribution(response=made, contribution=c) for c in contributions]
    )
    return made


def answer_the_rest(activity, **fields) -> Response | None:
    """One response answering every contribution of the activity that still counts and has
    none yet (None when there is nothing left to answer)."""
    waiting = list(
        Contribution.objects.filter(
            activity=activity,
            withdrawn_at__isnull=True,
            purged_at__isnull=True,
            response_links__isnull=True,
        )
    )
    return response(activity, *waiting, **fields) if waiting else None


def sent_letter(activity, *, sent_on: datetime.date, by=None) -> FeedbackLetter:
    """A letter recorded as sent on `sent_on` (no recipients), carrying what letter_send would
    carry: every answered contribution that still counts, and every response."""
    letter = FeedbackLetter.objects.create(
        organisation_id=activity.organisation_id,
        activity=activity,
        subject="What happened next",
        opening="Thank you for taking part.",
        status=LetterStatus.SENT,
        sent_on=sent_on,
        sent_at=timezone.make_aware(datetime.datetime.combine(sent_on, datetime.time(10))),
        sent_by=by,
    )
    letter.contributions.set(
        Contribution.objects.filter(
            activity=activity,
            withdrawn_at__isnull=True,
            purged_at__isnull=True,
            response_links__isnull=False,
        ).distinct()
    )
    letter.responses.set(Response.objects.filter(activity=activity))
    return letter
