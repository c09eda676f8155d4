"""Scheduled learning work: offers that lapse go to the next person, reminders two days before
each session (once only), and learners deleted after the retention period with their
attendance kept as counts."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from powershare.learning import selectors, services
from powershare.learning.models import (
    Booking,
    BookingStatus,
    Delivery,
    Learner,
    SessionMode,
    SessionReminder,
)


def _product(personas, title="Listening to families"):
    return services.product_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        outcomes=["Explain what families told us"],
        title=title,
        aims="Help practitioners listen well.",
        audience="Social workers",
    )


def _course(personas, *, capacity=1, days=(14, 35), product=None):
    today = timezone.localdate()
    return services.delivery_create(
        actor=personas.alice,
        product=product or _product(personas),
        site=personas.council_a,
        cohort="Autumn cohort",
        capacity=capacity,
        sessions=[
            {
                "date": today + datetime.timedelta(days=d),
                "starts_at": datetime.time(9, 30),
                "ends_at": datetime.time(12, 30),
                "mode": SessionMode.IN_PERSON,
                "venue": "Marischal College, Room 4",
            }
            for d in days
        ],
    )


def _book(delivery, name, **extra):
    email = name.lower().replace(" ", ".") + "@example.org"
    return services.booking_create(delivery=delivery, name=name, email=email, **extra)


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def full_course(personas, django_capture_on_commit_callbacks):
    """One place: Fiona has it, then Gregor and Hamish wait, in that order."""
    delivery = _course(personas, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        fiona = _book(delivery, "Fiona Mackay")
        gregor = _book(delivery, "Gregor Reid")
        hamish = _book(delivery, "Hamish Ross")
    return delivery, fiona, gregor, hamish


# ---------------------------------------------------------------------------------------------
# Offers that lapse


def test_an_offer_not_taken_in_time_goes_to_the_next_person(
    full_course, django_capture_on_commit_callbacks
):
    delivery, fiona, gregor, hamish = full_course
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=fiona)
    gregor.refresh_from_db()
    assert gregor.status == BookingStatus.OFFERED
    hours = selectors.learning_settings_for(organisation_id=delivery.organisation_id).offer_hours
    assert gregor.offer_expires_at == gregor.offered_at + datetime.timedelta(hours=hours)

    # Still within the time: nothing lapses.
    assert services.offers_expire(now=gregor.offer_expires_at - datetime.timedelta(minutes=1)) == 0
    gregor.refresh_from_db()
    assert gregor.status == BookingStatus.OFFERED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lapsed = services.offers_expire(now=gregor.offer_expires_at + datetime.timedelta(minutes=1))
    assert lapsed == 1
    gregor.refresh_from_db()
    hamish.refresh_from_db()
    assert gregor.status == BookingStatus.CANCELLED
    assert hamish.status == BookingStatus.OFFERED
    offers = _to("hamish.ross@example.org")
    assert len(offers) == 1
    assert "A place is free for you" in offers[0].subject
    assert hamish.token in offers[0].body
    assert not _to("gregor.reid@example.org")


def test_offers_lapse_through_the_scheduled_task(full_course, django_capture_on_commit_callbacks):
    """The hourly task calls the same service (ImmediateBackend runs it now)."""
    from powershare.learning.tasks import offers_expire_task

    delivery, fiona, gregor, hamish = full_course
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=fiona)
    Booking.objects.filter(pk=gregor.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = offers_expire_task.enqueue()
    assert result.return_value == 1
    hamish.refresh_from_db()
    assert hamish.status == BookingStatus.OFFERED


def test_a_lapsed_offer_with_nobody_waiting_frees_the_place(
    personas, django_capture_on_commit_callbacks
):
    delivery = _course(personas, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        fiona = _book(delivery, "Fiona Mackay")
        gregor = _book(delivery, "Gregor Reid")
        services.booking_cancel(booking=fiona)
    gregor.refresh_from_db()
    services.offers_expire(now=gregor.offer_expires_at + datetime.timedelta(seconds=1))
    places = selectors.places(delivery=delivery)
    assert (places.booked, places.offered, places.waiting, places.free) == (0, 0, 0, 1)


def test_offer_emails_from_scheduled_work_link_to_the_sites_address(
    full_course, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://powershare.example.scot"
    delivery, fiona, gregor, hamish = full_course
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=fiona)
    gregor.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.offers_expire(now=gregor.offer_expires_at + datetime.timedelta(seconds=1))
    hamish.refresh_from_db()
    (offer,) = _to("hamish.ross@example.org")
    assert f"https://powershare.example.scot/learning/my-booking/{hamish.token}/" in offer.body


# ---------------------------------------------------------------------------------------------
# Reminders two days before


def test_reminders_go_two_days_before_each_session_once_only(
    personas, django_capture_on_commit_callbacks
):
    delivery = _course(personas, capacity=2, days=(10, 24))
    with django_capture_on_commit_callbacks(execute=True):
        fiona = _book(delivery, "Fiona Mackay")
        _book(delivery, "Gregor Reid")
        _book(delivery, "Hamish Ross")  # waiting: no reminder
    first, second = delivery.sessions.order_by("number")
    mail.outbox.clear()

    # Three days before: too early.
    assert services.reminders_send(today=first.date - datetime.timedelta(days=3)) == 0
    assert mail.outbox == []

    two_days_before = first.date - datetime.timedelta(days=2)
    assert services.reminders_send(today=two_days_before) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "fiona.mackay@example.org",
        "gregor.reid@example.org",
    ]
    reminder = _to("fiona.mackay@example.org")[0]
    assert "Reminder" in reminder.subject
    assert "session 1" in reminder.subject
    assert first.date.strftime("%A") in reminder.subject
    assert "Marischal College, Room 4" in reminder.body
    assert fiona.token in reminder.body
    assert reminder.alternatives  # an HTML version too

    # The same day again (the task runs four times a day): nobody is reminded twice.
    assert services.reminders_send(today=two_days_before) == 0
    assert len(mail.outbox) == 2
    assert SessionReminder.objects.filter(session=first).count() == 2

    # The second session has its own reminder.
    assert services.reminders_send(today=second.date - datetime.timedelta(days=2)) == 2
    assert len(mail.outbox) == 4


def test_no_reminder_for_cancelled_bookings_or_deliveries(
    personas, django_capture_on_commit_callbacks
):
    delivery = _course(personas, capacity=3, days=(10,))
    other = _course(personas, capacity=3, days=(10,), product=_product(personas, "Other"))
    with django_capture_on_commit_callbacks(execute=True):
        fiona = _book(delivery, "Fiona Mackay")
        _book(delivery, "Gregor Reid")
        _book(other, "Hamish Ross")
        services.booking_cancel(booking=fiona)
        services.delivery_cancel(actor=personas.alice, delivery=other)
    mail.outbox.clear()
    session = delivery.sessions.get()
    assert services.reminders_send(today=session.date - datetime.timedelta(days=2)) == 1
    assert [m.to for m in mail.outbox] == [["gregor.reid@example.org"]]


def test_reminders_through_the_scheduled_task(personas, django_capture_on_commit_callbacks):
    from powershare.learning.tasks import reminders_send_task

    delivery = _course(personas, capacity=2, days=(2,))
    with django_capture_on_commit_callbacks(execute=True):
        _book(delivery, "Fiona Mackay")
    mail.outbox.clear()
    assert reminders_send_task.enqueue().return_value == 1
    assert reminders_send_task.enqueue().return_value == 0
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------------------------------------
# Deleting learners after the retention period


def _attended(personas, delivery, bookings_there):
    for session in delivery.sessions.all():
        for booking in delivery.bookings.filter(status=BookingStatus.BOOKED):
            services.attendance_record(
                actor=personas.alice,
                session=session,
                booking=booking,
                attended=booking.pk in bookings_there.get(session.number, ()),
            )


def test_learners_are_deleted_after_the_retention_period_and_totals_stay(
    personas, django_capture_on_commit_callbacks
):
    services.learning_settings_update(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        learner_retention_days=90,
        offer_hours=48,
    )
    delivery = _course(personas, capacity=3, days=(1, 15))
    with django_capture_on_commit_callbacks(execute=True):
        fiona = _book(delivery, "Fiona Mackay")
        gregor = _book(delivery, "Gregor Reid")
        hamish = _book(delivery, "Hamish Ross")
    _attended(personas, delivery, {1: {fiona.pk, gregor.pk, hamish.pk}, 2: {fiona.pk, hamish.pk}})
    deliveries = Delivery.objects.filter(pk=delivery.pk)
    before = selectors.attendance_totals(deliveries=deliveries)
    assert before.totals == {1: 3, 2: 2}

    # A course still running elsewhere keeps its learners.
    running = _course(personas, capacity=3, days=(200,), product=_product(personas, "Other"))
    with django_capture_on_commit_callbacks(execute=True):
        _book(running, "Isla Grant")

    last = delivery.sessions.order_by("-date").first().date
    # On the last day of the retention period, they are still kept.
    assert services.learners_purge(today=last + datetime.timedelta(days=90)) == 0
    assert Learner.objects.filter(bookings__delivery=delivery).count() == 3

    assert services.learners_purge(today=last + datetime.timedelta(days=91)) == 3
    assert not Learner.objects.filter(bookings__delivery=delivery).exists()
    assert not Learner.objects.filter(email="fiona.mackay@example.org").exists()
    assert Learner.objects.filter(email="isla.grant@example.org").exists()
    delivery.refresh_from_db()
    assert delivery.learners_purged_at is not None
    # The bookings and attendance stay, without names: the totals are the same.
    assert delivery.bookings.filter(learner__isnull=True).count() == 3
    after = selectors.attendance_totals(deliveries=deliveries)
    assert after.totals == before.totals
    assert [r.attended for r in after.rows] == [r.attended for r in before.rows]
    # Running again deletes nothing more.
    assert services.learners_purge(today=last + datetime.timedelta(days=92)) == 0


def test_the_purge_follows_each_organisations_own_retention(
    personas, django_capture_on_commit_callbacks
):
    delivery = _course(personas, capacity=2, days=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        _book(delivery, "Fiona Mackay")
    last = delivery.sessions.get().date
    default_days = selectors.learning_settings_for(
        organisation_id=personas.council_a.pk
    ).learner_retention_days
    assert services.learners_purge(today=last + datetime.timedelta(days=default_days)) == 0
    services.learning_settings_update(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        learner_retention_days=30,
        offer_hours=48,
    )
    assert services.learners_purge(today=last + datetime.timedelta(days=31)) == 1


def test_a_cancelled_delivery_without_sessions_does_not_keep_learners_for_ever(personas):
    delivery = _course(personas, capacity=2, days=(5,))
    _book(delivery, "Fiona Mackay")
    services.delivery_cancel(actor=personas.alice, delivery=delivery)
    delivery.sessions.all().delete()
    cancelled_on = timezone.localdate()
    days = selectors.learning_settings_for(
        organisation_id=personas.council_a.pk
    ).learner_retention_days
    assert services.learners_purge(today=cancelled_on + datetime.timedelta(days=days)) == 0
    assert services.learners_purge(today=cancelled_on + datetime.timedelta(days=days + 1)) == 1


def test_learners_purge_through_the_scheduled_task(personas):
    from powershare.learning.tasks import learners_purge_task

    delivery = _course(personas, capacity=2, days=(1,))
    _book(delivery, "Fiona Mackay")
    # Move the course into the past, beyond the default retention period.
    days = selectors.learning_settings_for(
        organisation_id=personas.council_a.pk
    ).learner_retention_days
    delivery.sessions.update(date=timezone.localdate() - datetime.timedelta(days=days + 1))
    assert learners_purge_task.enqueue().return_value == 1
    assert not Learner.objects.filter(email="fiona.mackay@example.org").exists()
