"""Retention: people who left longer ago than the retention period come up for review."""

import datetime

from django.utils import timezone

from powershare.lib.dates import months_after
from powershare.people.models import Person, PersonStatus
from powershare.people.selectors import people_for_retention_review


def _left(personas, name, months_ago, organisation=None):
    return Person.objects.create(
        organisation=organisation or personas.council_a,
        full_name=name,
        status=PersonStatus.LEFT,
        left_on=months_after(timezone.localdate(), -months_ago),
    )


def test_someone_who_left_25_months_ago_comes_up_for_review(personas, samples):
    long_gone = _left(personas, "Left long ago", 25)
    recent = _left(personas, "Left recently", 23)
    review = list(people_for_retention_review(user=personas.alice))
    assert long_gone in review
    assert recent not in review
    assert samples["person"] not in review  # still active
    assert personas.erin_person not in review


def test_the_retention_period_is_a_setting(personas, settings):
    long_gone = _left(personas, "Left long ago", 25)
    settings.PEOPLE_RETENTION_MONTHS = 36
    assert long_gone not in people_for_retention_review(user=personas.alice)
    settings.PEOPLE_RETENTION_MONTHS = 12
    recent = _left(personas, "Left a while ago", 13)
    review = list(people_for_retention_review(user=personas.alice))
    assert long_gone in review
    assert recent in review


def test_the_review_is_oldest_first_and_skips_erased_records(personas):
    older = _left(personas, "Left first", 40)
    newer = _left(personas, "Left later", 30)
    erased = _left(personas, "Erased already", 50)
    erased.erased_at = timezone.now()
    erased.save()
    assert list(people_for_retention_review(user=personas.alice)) == [older, newer]


def test_each_council_reviews_only_its_own_people(personas):
    a_person = _left(personas, "Council A leaver", 30)
    b_person = _left(personas, "Council B leaver", 30, organisation=personas.council_b)
    assert list(people_for_retention_review(user=personas.charlie)) == [b_person]
    assert a_person in people_for_retention_review(user=personas.admin)
    assert not people_for_retention_review(user=personas.bob).exists()
    assert not people_for_retention_review(user=personas.erin).exists()


def test_months_are_counted_as_calendar_months():
    assert months_after(datetime.date(2026, 3, 31), -1) == datetime.date(2026, 2, 28)
    assert months_after(datetime.date(2026, 1, 15), -25) == datetime.date(2023, 12, 15)
