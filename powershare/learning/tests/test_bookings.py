"""Bookings and the waiting list: the rules (a full course puts people on the waiting list; a
freed place goes to the first person waiting), the learner emails, and the staff pages (the
list, booking someone, cancelling, deleting a learner's details)."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.learning import selectors, services
from powershare.learning.models import (
    Attendance,
    Booking,
    BookingSource,
    BookingStatus,
    Delivery,
    Learner,
    SessionMode,
)
from tests.personas import PASSWORD, sign_in

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _product(personas, title="Listening to families"):
    return services.product_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        outcomes=["Explain what families told us"],
        title=title,
        aims="Help practitioners listen well.",
        audience="Social workers",
    )


def _course(personas, *, capacity=1, sessions=None, product=None):
    today = timezone.localdate()
    sessions = sessions or [
        {
            "date": today + datetime.timedelta(days=14),
            "starts_at": datetime.time(9, 30),
            "ends_at": datetime.time(12, 30),
            "mode": SessionMode.IN_PERSON,
            "venue": "Marischal College, Room 4",
        }
    ]
    return services.delivery_create(
        actor=personas.alice,
        product=product or _product(personas),
        site=personas.council_a,
        cohort="Autumn cohort",
        capacity=capacity,
        sessions=sessions,
    )


def _email(name):
    return name.lower().replace(" ", ".") + "@example.org"


def _book(delivery, name, **extra):
    return services.booking_create(delivery=delivery, name=name, email=_email(name), **extra)


def _to(name):
    return [m for m in mail.outbox if m.to == [_email(name)]]


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def now_emails(django_capture_on_commit_callbacks):
    """Run the work queued after each commit (the emails) straight away."""

    def run(act):
        with django_capture_on_commit_callbacks(execute=True):
            return act()

    return run


@pytest.fixture
def lena(personas):
    """A leader of council A: sees learning totals, never learners' names."""
    user = User.objects.create_user(
        email="lena@a.example", password=PASSWORD, full_name="Lena Lindsay"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


# ---------------------------------------------------------------------------------------------
# The rules


def test_the_last_place_is_booked_and_the_next_person_waits(personas, now_emails):
    delivery = _course(personas, capacity=2)
    first = now_emails(lambda: _book(delivery, "Fiona Mackay"))
    last = now_emails(lambda: _book(delivery, "Gregor Reid"))
    next_one = now_emails(lambda: _book(delivery, "Hamish Ross"))
    then = now_emails(lambda: _book(delivery, "Isla Grant"))
    assert [first.status, last.status] == [BookingStatus.BOOKED, BookingStatus.BOOKED]
    assert [next_one.status, then.status] == [BookingStatus.WAITING, BookingStatus.WAITING]
    assert selectors.waiting_position(booking=next_one) == 1
    assert selectors.waiting_position(booking=then) == 2
    places = selectors.places(delivery=delivery)
    assert (places.booked, places.waiting, places.free) == (2, 2, 0)

    (confirmed,) = _to("Gregor Reid")
    assert confirmed.subject.startswith("You're booked: Listening to families")
    assert [a.filename for a in confirmed.attachments] == ["sessions.ics"]
    (waiting,) = _to("Isla Grant")
    assert waiting.subject == "You're on the waiting list: Listening to families"
    assert "number 2" in waiting.body
    assert then.token in waiting.body
    assert "number 2" in waiting.alternatives[0][0]
    assert not waiting.attachments


def test_the_confirmation_carries_the_sessions_as_a_calendar_file(personas, now_emails):
    """One event per session, at the right time in Europe/London (summer and winter)."""
    from icalendar import Calendar

    year = timezone.localdate().year + 1
    sessions = [
        {
            "date": datetime.date(year, 7, 1),
            "starts_at": datetime.time(9, 30),
            "ends_at": datetime.time(12, 30),
            "mode": SessionMode.IN_PERSON,
            "venue": "Marischal College, Room 4",
        },
        {
            "date": datetime.date(year, 12, 2),
            "starts_at": datetime.time(13, 0),
            "ends_at": datetime.time(16, 0),
            "mode": SessionMode.ONLINE,
            "online_link": "https://meet.example.org/listening",
        },
    ]
    delivery = _course(personas, capacity=5, sessions=sessions)
    booking = now_emails(lambda: _book(delivery, "Fiona Mackay"))
    (message,) = _to("Fiona Mackay")
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == ("sessions.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    events = calendar.walk("VEVENT")
    assert len(events) == len(sessions)
    for event, session, number in zip(events, sessions, (1, 2), strict=True):
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
        expected_start = datetime.datetime.combine(
            session["date"], session["starts_at"], tzinfo=LONDON
        )
        assert start == expected_start
        assert end == datetime.datetime.combine(session["date"], session["ends_at"], tzinfo=LONDON)
        assert start.utcoffset() == expected_start.utcoffset()
        assert str(event["SUMMARY"]) == f"Listening to families: session {number}"
        assert str(event["UID"]).startswith(f"booking-{booking.pk}-session-")
    # Summer is an hour ahead of UTC; winter is not.
    assert events[0].decoded("DTSTART").utcoffset() == datetime.timedelta(hours=1)
    assert events[1].decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert str(events[0]["LOCATION"]) == "Marischal College, Room 4"
    assert str(events[1]["LOCATION"]) == "https://meet.example.org/listening"
    # The email says the same, in words.
    assert sessions[0]["date"].strftime("%A %-d July %Y") in message.body
    assert "09:30 to 12:30" in message.body
    assert "https://meet.example.org/listening" in message.body
    assert booking.token in message.body


def test_cancelling_a_place_offers_it_to_the_first_person_waiting(personas, now_emails):
    delivery = _course(personas, capacity=1)
    fiona = now_emails(lambda: _book(delivery, "Fiona Mackay"))
    gregor = now_emails(lambda: _book(delivery, "Gregor Reid"))
    hamish = now_emails(lambda: _book(delivery, "Hamish Ross"))
    mail.outbox.clear()

    now_emails(
        lambda: services.booking_cancel(booking=fiona, actor=personas.alice, domain="ps.example")
    )
    fiona.refresh_from_db()
    gregor.refresh_from_db()
    hamish.refresh_from_db()
    assert fiona.status == BookingStatus.CANCELLED
    assert gregor.status == BookingStatus.OFFERED  # the earliest waiting
    assert hamish.status == BookingStatus.WAITING
    assert selectors.waiting_position(booking=hamish) == 1

    (offer,) = mail.outbox
    assert offer.to == [_email("Gregor Reid")]
    assert offer.subject.startswith("A place is free for you: Listening to families")
    hours = selectors.learning_settings_for(organisation_id=delivery.organisation_id).offer_hours
    assert f"for {hours} hours" in offer.body
    expires = timezone.localtime(gregor.offer_expires_at)
    assert f"{expires:%-d %B %Y} at {expires:%H:%M}" in offer.body
    assert f"http://ps.example/learning/my-booking/{gregor.token}/" in offer.body


def test_the_first_person_waiting_is_the_one_who_joined_first(personas, now_emails):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    later = _book(delivery, "Gregor Reid")
    earlier = _book(delivery, "Hamish Ross")
    # Hamish joined the list earlier than Gregor, though his booking was saved later.
    Booking.objects.filter(pk=earlier.pk).update(
        booked_at=later.booked_at - datetime.timedelta(minutes=5)
    )
    now_emails(lambda: services.booking_cancel(booking=fiona, actor=personas.alice))
    assert Booking.objects.get(pk=earlier.pk).status == BookingStatus.OFFERED
    assert Booking.objects.get(pk=later.pk).status == BookingStatus.WAITING
    assert [m.to for m in mail.outbox if "free for you" in m.subject] == [[_email("Hamish Ross")]]


def test_taking_an_offered_place_books_it_with_a_confirmation(personas, now_emails):
    delivery = _course(personas, capacity=1)
    fiona = now_emails(lambda: _book(delivery, "Fiona Mackay"))
    gregor = now_emails(lambda: _book(delivery, "Gregor Reid"))
    now_emails(lambda: services.booking_cancel(booking=fiona))
    mail.outbox.clear()
    now_emails(lambda: services.booking_offer_answer(booking=gregor, accept=True))
    gregor.refresh_from_db()
    assert gregor.status == BookingStatus.BOOKED
    (confirmed,) = mail.outbox
    assert confirmed.to == [_email("Gregor Reid")]
    assert confirmed.subject.startswith("You're booked")
    assert confirmed.attachments[0][0] == "sessions.ics"


def test_turning_an_offer_down_offers_the_place_to_the_next_person(personas, now_emails):
    delivery = _course(personas, capacity=1)
    fiona = now_emails(lambda: _book(delivery, "Fiona Mackay"))
    gregor = now_emails(lambda: _book(delivery, "Gregor Reid"))
    hamish = now_emails(lambda: _book(delivery, "Hamish Ross"))
    now_emails(lambda: services.booking_cancel(booking=fiona))
    mail.outbox.clear()
    now_emails(lambda: services.booking_offer_answer(booking=gregor, accept=False))
    gregor.refresh_from_db()
    hamish.refresh_from_db()
    assert gregor.status == BookingStatus.CANCELLED
    assert hamish.status == BookingStatus.OFFERED
    assert [m.to for m in mail.outbox] == [[_email("Hamish Ross")]]


def test_an_offer_cannot_be_taken_after_its_time(personas, now_emails):
    from django.core.exceptions import ValidationError

    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    gregor = _book(delivery, "Gregor Reid")
    services.booking_cancel(booking=fiona)
    Booking.objects.filter(pk=gregor.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="passed"):
        services.booking_offer_answer(booking=gregor, accept=True)
    assert Booking.objects.get(pk=gregor.pk).status == BookingStatus.OFFERED


def test_more_places_are_offered_to_people_waiting_in_order(personas, now_emails):
    delivery = _course(personas, capacity=1)
    _book(delivery, "Fiona Mackay")
    waiting = [_book(delivery, name) for name in ("Gregor Reid", "Hamish Ross", "Isla Grant")]
    mail.outbox.clear()
    now_emails(
        lambda: services.delivery_update(
            actor=personas.alice,
            delivery=delivery,
            cohort=delivery.cohort,
            capacity=3,
            booking_open=True,
        )
    )
    statuses = [Booking.objects.get(pk=b.pk).status for b in waiting]
    assert statuses == [BookingStatus.OFFERED, BookingStatus.OFFERED, BookingStatus.WAITING]
    assert sorted(m.to[0] for m in mail.outbox) == [_email("Gregor Reid"), _email("Hamish Ross")]


def test_a_cancelled_delivery_tells_everyone_booked_or_waiting(personas, now_emails):
    delivery = _course(personas, capacity=1)
    now_emails(lambda: _book(delivery, "Fiona Mackay"))
    now_emails(lambda: _book(delivery, "Gregor Reid"))
    mail.outbox.clear()
    now_emails(lambda: services.delivery_cancel(actor=personas.alice, delivery=delivery))
    assert sorted(m.to[0] for m in mail.outbox) == [_email("Fiona Mackay"), _email("Gregor Reid")]
    message = _to("Fiona Mackay")[0]
    assert message.subject == "Cancelled: Listening to families at Aberdeen City Council"
    assert "has been cancelled" in message.body
    assert "Alice Anderson" in message.body  # the product's owner, to contact


def test_the_same_email_cannot_book_twice_but_can_after_cancelling(personas):
    from django.core.exceptions import ValidationError

    delivery = _course(personas, capacity=3)
    fiona = _book(delivery, "Fiona Mackay")
    with pytest.raises(ValidationError) as refused:
        services.booking_create(
            delivery=delivery, name="F Mackay", email="FIONA.MACKAY@example.org"
        )
    assert "email" in refused.value.message_dict
    services.booking_cancel(booking=fiona)
    again = _book(delivery, "Fiona Mackay")
    assert again.status == BookingStatus.BOOKED


def test_erasing_a_booked_learner_frees_their_place_for_the_next_person(personas, now_emails):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    gregor = _book(delivery, "Gregor Reid")
    Attendance.objects.create(
        session=delivery.sessions.get(), booking=fiona, attended=True, recorded_by=personas.bob
    )
    now_emails(lambda: services.learner_erase(actor=personas.alice, learner=fiona.learner))
    fiona.refresh_from_db()
    assert fiona.learner is None
    assert fiona.status == BookingStatus.CANCELLED
    assert Booking.objects.get(pk=gregor.pk).status == BookingStatus.OFFERED
    assert Attendance.objects.filter(booking=fiona, attended=True).count() == 1
    assert not Learner.objects.filter(email=_email("Fiona Mackay")).exists()


# ---------------------------------------------------------------------------------------------
# The staff list


def _list_url(delivery, **query):
    url = reverse("learning:bookings", args=[delivery.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_alice_sees_each_tab_with_names_and_waiting_positions(client_for, personas):
    delivery = _course(personas, capacity=2)
    fiona = _book(delivery, "Fiona Mackay", job_role="Social worker", team="Children east")
    _book(delivery, "Gregor Reid", actor=personas.alice, source=BookingSource.STAFF)
    _book(delivery, "Hamish Ross")
    _book(delivery, "Isla Grant")
    services.booking_cancel(booking=fiona)  # Hamish is offered the place; Isla waits
    client = client_for("alice")

    page = _text(client.get(_list_url(delivery)))
    assert "Booked (1)" in page
    assert "Offered a place (1)" in page
    assert "Waiting list (1)" in page
    assert "Cancelled (1)" in page
    assert "Gregor Reid" in page
    assert "Booked by staff" in page
    assert "Hamish Ross" not in page

    offered = _text(client.get(_list_url(delivery, status="offered")))
    assert "Hamish Ross" in offered
    assert "Held until" in offered

    waiting = client.get(_list_url(delivery, status="waiting"))
    assert re.search(r'data-label="Position" class="ps-numeric">1</td>', waiting.content.decode())
    assert "Isla Grant" in _text(waiting)

    cancelled = _text(client.get(_list_url(delivery, status="cancelled")))
    assert "Fiona Mackay" in cancelled
    assert "Social worker" in cancelled
    assert "Children east" in cancelled
    assert "Booked through the booking link" in cancelled
    assert reverse("learning:learner_erase", args=[fiona.pk]) in cancelled
    assert reverse("learning:booking_cancel", args=[fiona.pk]) not in cancelled


def test_the_waiting_tab_keeps_each_persons_place_when_searching(client_for, personas):
    delivery = _course(personas, capacity=1)
    _book(delivery, "Fiona Mackay")
    _book(delivery, "Gregor Reid")
    _book(delivery, "Hamish Ross", team="Justice west")
    response = client_for("alice").get(_list_url(delivery, status="waiting", q="justice"))
    body = response.content.decode()
    assert "Hamish Ross" in body
    assert "Gregor Reid" not in body
    assert re.search(r'data-label="Position" class="ps-numeric">2</td>', body)


def test_opening_the_bookings_is_recorded(client_for, personas):
    delivery = _course(personas, capacity=2)
    _book(delivery, "Fiona Mackay")
    client_for("alice").get(_list_url(delivery, status="waiting"))
    event = AccessEvent.objects.get(user=personas.alice, subject_id=str(delivery.pk))
    assert event.organisation_id == delivery.organisation_id
    assert "waiting" in event.description
    assert "Fiona" not in event.description


def test_bob_sees_the_bookings_but_cannot_change_them(client_for, personas, now_emails):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    _book(delivery, "Gregor Reid")
    client = client_for("bob")
    response = client.get(_list_url(delivery))
    assert response.status_code == 200
    page = _text(response)
    assert "Fiona Mackay" in page
    assert reverse("learning:booking_create", args=[delivery.pk]) not in page
    assert reverse("learning:booking_cancel", args=[fiona.pk]) not in page
    assert reverse("learning:learner_erase", args=[fiona.pk]) not in page

    create = reverse("learning:booking_create", args=[delivery.pk])
    cancel = reverse("learning:booking_cancel", args=[fiona.pk])
    erase = reverse("learning:learner_erase", args=[fiona.pk])
    for url in (create, cancel, erase):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(create, {"name": "Jamie Bell", "email": "jamie@example.org"}).status_code == 404
    )
    assert client.post(cancel).status_code == 404
    assert client.post(erase).status_code == 404
    fiona.refresh_from_db()
    assert fiona.status == BookingStatus.BOOKED
    assert fiona.learner is not None
    assert delivery.bookings.count() == 2


@pytest.mark.parametrize("persona", ["charlie", "erin", "nina", "dora"])
def test_outsiders_get_404_on_every_booking_page(client_for, personas, persona):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    client = client_for(persona)
    urls = [
        _list_url(delivery),
        reverse("learning:booking_create", args=[delivery.pk]),
        reverse("learning:booking_cancel", args=[fiona.pk]),
        reverse("learning:learner_erase", args=[fiona.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Fiona" not in response.content.decode()
    for url in urls[1:]:
        assert client.post(url, {"name": "X Y", "email": "x@example.org"}).status_code == 404
    fiona.refresh_from_db()
    assert fiona.status == BookingStatus.BOOKED
    assert fiona.learner is not None
    assert delivery.bookings.count() == 1


def test_a_leader_sees_no_learners_names(personas, lena, client):
    delivery = _course(personas, capacity=1)
    _book(delivery, "Fiona Mackay")
    sign_in(client, lena)
    response = client.get(_list_url(delivery))
    assert response.status_code == 404
    assert "Fiona" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, personas):
    delivery = _course(personas, capacity=1)
    response = client.get(_list_url(delivery))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _many_bookings(delivery, count, status=BookingStatus.BOOKED):
    learners = Learner.objects.bulk_create(
        Learner(
            organisation_id=delivery.organisation_id,
            name=f"Learner {n:03d}",
            email=f"learner{n}@example.org",
            job_role="Social worker",
            team="Team",
        )
        for n in range(count)
    )
    Booking.objects.bulk_create(
        Booking(delivery=delivery, learner=learner, status=status, source=BookingSource.LINK)
        for learner in learners
    )


@pytest.mark.parametrize("status", ["booked", "waiting"])
def test_the_list_runs_a_fixed_number_of_queries(client_for, personas, status):
    small = _course(personas, capacity=500)
    big = _course(personas, capacity=500, product=_product(personas, "Another course"))
    _many_bookings(small, 3, status)
    _many_bookings(big, 30, status)
    client = client_for("alice")
    client.get(_list_url(small, status=status))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(_list_url(small, status=status)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(_list_url(big, status=status))
    assert "Learner 029" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_shows_fifty_a_page(client_for, personas):
    delivery = _course(personas, capacity=500)
    _many_bookings(delivery, 120)
    client = client_for("alice")
    first = client.get(_list_url(delivery)).content.decode()
    assert len(re.findall(r'data-label="Name and email">Learner', first)) == 50
    third = client.get(_list_url(delivery, page=3)).content.decode()
    assert len(re.findall(r'data-label="Name and email">Learner', third)) == 20
    assert "Learner 119" in third
    assert "Booked: 120 people" in _text(client.get(_list_url(delivery)))


def test_an_odd_status_or_page_shows_the_booked_tab(client_for, personas):
    delivery = _course(personas, capacity=2)
    _book(delivery, "Fiona Mackay")
    response = client_for("alice").get(_list_url(delivery, status="nonsense", page="x%00"))
    assert response.status_code == 200
    assert "Fiona Mackay" in response.content.decode()


def test_an_erased_learner_shows_without_details(client_for, personas):
    delivery = _course(personas, capacity=2)
    fiona = _book(delivery, "Fiona Mackay")
    Learner.objects.filter(pk=fiona.learner_id).delete()
    page = _text(client_for("alice").get(_list_url(delivery, status="booked")))
    assert "Details deleted" in page


# ---------------------------------------------------------------------------------------------
# Booking someone


def test_alice_books_someone_who_gets_a_place(client_for, personas, now_emails):
    delivery = _course(personas, capacity=1)
    client = client_for("alice")
    url = reverse("learning:booking_create", args=[delivery.pk])
    page = _text(client.get(url))
    assert "1 of 1 place is free" in page
    data = {
        "name": " Fiona  Mackay ",
        "email": "Fiona.Mackay@example.org",
        "job_role": "Social worker",
        "team": "Children east",
    }
    response = now_emails(lambda: client.post(url, data, follow=True))
    booking = delivery.bookings.get()
    assert booking.status == BookingStatus.BOOKED
    assert booking.source == BookingSource.STAFF
    assert booking.learner.name == "Fiona Mackay"
    assert booking.learner.email == "fiona.mackay@example.org"
    assert (booking.learner.job_role, booking.learner.team) == ("Social worker", "Children east")
    assert booking.learner.created_by == personas.alice
    assert response.redirect_chain[-1][0] == reverse("learning:bookings", args=[delivery.pk])
    assert "Fiona Mackay has a place" in _text(response)
    assert _to("Fiona Mackay")[0].attachments


def test_alice_books_someone_onto_the_waiting_list_when_full(client_for, personas, now_emails):
    delivery = _course(personas, capacity=1)
    _book(delivery, "Fiona Mackay")
    client = client_for("alice")
    url = reverse("learning:booking_create", args=[delivery.pk])
    assert "The course is full, so they will join the waiting list" in _text(client.get(url))
    response = now_emails(
        lambda: client.post(
            url, {"name": "Gregor Reid", "email": "gregor.reid@example.org"}, follow=True
        )
    )
    assert delivery.bookings.get(learner__name="Gregor Reid").status == BookingStatus.WAITING
    page = _text(response)
    assert "Gregor Reid is on the waiting list, number 1" in page
    assert response.redirect_chain[-1][0].endswith("?status=waiting")
    assert "You're on the waiting list" in _to("Gregor Reid")[0].subject


def test_mistakes_keep_what_was_typed_and_name_the_field(client_for, personas):
    delivery = _course(personas, capacity=1)
    client = client_for("alice")
    url = reverse("learning:booking_create", args=[delivery.pk])
    response = client.post(url, {"name": "", "email": "not-an-email", "team": "Children east"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="#id_name"' in body
    assert "Enter the learner&#x27;s full name" in body
    assert 'href="#id_email"' in body
    assert "Enter an email address like name@example.org" in body
    assert 'value="not-an-email"' in body
    assert 'value="Children east"' in body
    assert not delivery.bookings.exists()


def test_booking_the_same_email_twice_is_refused_on_the_field(client_for, personas):
    delivery = _course(personas, capacity=3)
    _book(delivery, "Fiona Mackay")
    response = client_for("alice").post(
        reverse("learning:booking_create", args=[delivery.pk]),
        {"name": "Fiona Mackay", "email": "fiona.mackay@example.org"},
    )
    assert response.status_code == 200
    assert "already booked or waiting" in response.content.decode()
    assert delivery.bookings.count() == 1


def test_a_double_submit_books_once(client_for, personas):
    delivery = _course(personas, capacity=3)
    client = client_for("alice")
    url = reverse("learning:booking_create", args=[delivery.pk])
    data = {"name": "Fiona Mackay", "email": "fiona.mackay@example.org", "form_token": "abc123"}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert delivery.bookings.count() == 1
    assert "nothing new was saved" in _text(second)


def test_nobody_can_be_booked_on_a_cancelled_delivery(client_for, personas):
    delivery = _course(personas, capacity=3)
    services.delivery_cancel(actor=personas.alice, delivery=delivery)
    client = client_for("alice")
    url = reverse("learning:booking_create", args=[delivery.pk])
    assert "was cancelled" in _text(client.get(url))
    response = client.post(url, {"name": "Fiona Mackay", "email": "fiona.mackay@example.org"})
    assert response.status_code == 200
    assert not delivery.bookings.exists()


def test_staff_can_book_when_the_booking_link_is_closed(client_for, personas):
    delivery = _course(personas, capacity=3)
    Delivery.objects.filter(pk=delivery.pk).update(booking_open=False)
    client = client_for("alice")
    url = reverse("learning:booking_create", args=[delivery.pk])
    client.post(url, {"name": "Fiona Mackay", "email": "fiona.mackay@example.org"})
    assert delivery.bookings.get().status == BookingStatus.BOOKED


# ---------------------------------------------------------------------------------------------
# Cancelling a booking, deleting a learner's details


def test_alice_cancels_a_booking_and_the_first_person_waiting_is_offered_it(
    client_for, personas, now_emails
):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    gregor = _book(delivery, "Gregor Reid")
    _book(delivery, "Hamish Ross")
    client = client_for("alice")
    url = reverse("learning:booking_cancel", args=[fiona.pk])
    page = _text(client.get(url))
    assert "Cancel Fiona Mackay's booking?" in page
    assert "offered to the first person on the waiting list" in page
    mail.outbox.clear()
    response = now_emails(lambda: client.post(url, follow=True))
    fiona.refresh_from_db()
    gregor.refresh_from_db()
    assert fiona.status == BookingStatus.CANCELLED
    assert gregor.status == BookingStatus.OFFERED
    assert "The place has been offered to the first person on the waiting list" in _text(response)
    (offer,) = mail.outbox
    assert offer.to == [_email("Gregor Reid")]
    assert "A place is free for you" in offer.subject
    # Cancelling again changes nothing.
    again = client.get(url, follow=True)
    assert "already cancelled" in _text(again)


def test_cancelling_with_nobody_waiting_frees_the_place(client_for, personas):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    client = client_for("alice")
    url = reverse("learning:booking_cancel", args=[fiona.pk])
    assert "Nobody is waiting" in _text(client.get(url))
    client.post(url)
    assert selectors.places(delivery=delivery).free == 1


def test_alice_deletes_a_learners_details_on_request(client_for, personas, now_emails):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    Attendance.objects.create(
        session=delivery.sessions.get(), booking=fiona, attended=True, recorded_by=personas.alice
    )
    totals = selectors.attendance_totals(deliveries=Delivery.objects.filter(pk=delivery.pk))
    client = client_for("alice")
    url = reverse("learning:learner_erase", args=[fiona.pk])
    page = _text(client.get(url))
    assert "Delete Fiona Mackay's details?" in page
    assert "attendance stays as counts" in page
    response = client.post(url, follow=True)
    assert "Their details are deleted" in _text(response)
    fiona.refresh_from_db()
    assert fiona.learner is None
    assert not Learner.objects.filter(name="Fiona Mackay").exists()
    after = selectors.attendance_totals(deliveries=Delivery.objects.filter(pk=delivery.pk))
    assert after.totals == totals.totals == {1: 1}
    # The page for an already erased learner says so.
    assert "already been deleted" in _text(client.get(url, follow=True))
