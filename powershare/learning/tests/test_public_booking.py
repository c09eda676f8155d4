"""The public booking link (no sign-in) and a learner's own booking page: booking a place or
joining the waiting list, seeing only your own booking, cancelling it, and taking or turning
down a place offered to you."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from powershare.learning import public_views, selectors, services
from powershare.learning.models import Booking, BookingSource, BookingStatus, Delivery, Learner
from powershare.learning.tests.test_bookings import _book, _course, _email, _product


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _book_url(delivery) -> str:
    return reverse("learning:book", args=[delivery.booking_token])


def _own_url(booking) -> str:
    return reverse("learning:booking_own", args=[booking.token])


def _form(name="Fiona Mackay", **extra):
    return {"name": name, "email": _email(name), "job_role": "Social worker", "team": "East"}


@pytest.fixture
def course(personas):
    return _course(personas, capacity=2)


@pytest.fixture
def now_emails(django_capture_on_commit_callbacks):
    def run(act):
        with django_capture_on_commit_callbacks(execute=True):
            return act()

    return run


# ---------------------------------------------------------------------------------------------
# The booking page


def test_anyone_sees_the_course_places_left_and_what_we_keep(client, personas, course):
    _book(course, "Someone Else")
    response = client.get(_book_url(course))
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    page = _text(response)
    assert "Book a place: Listening to families" in page
    assert "Help practitioners listen well." in page  # the aims
    assert "Who it is for" in page
    assert "Social workers" in page
    session = course.sessions.get()
    assert session.date.strftime("%A %-d %B %Y") in page
    assert "09:30 to 12:30" in page
    assert "Marischal College, Room 4" in page
    assert "1 place left" in page
    retention = selectors.learning_settings_for(
        organisation_id=course.organisation_id
    ).learner_retention_days
    assert f"We delete them {retention} days after the course ends" in page
    # Nobody else's booking shows.
    assert "Someone Else" not in page
    assert _email("Someone Else") not in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_an_online_session_says_online_without_the_link(client, personas):
    today = timezone.localdate()
    delivery = _course(
        personas,
        capacity=2,
        sessions=[
            {
                "date": today + datetime.timedelta(days=9),
                "starts_at": datetime.time(14, 0),
                "ends_at": datetime.time(16, 0),
                "mode": "online",
                "online_link": "https://meet.example.org/secret-room",
            }
        ],
    )
    page = _text(client.get(_book_url(delivery)))
    assert "Online." in page
    assert "secret-room" not in page


def test_booking_a_place_leads_to_your_own_page(client, personas, course, now_emails):
    response = now_emails(lambda: client.post(_book_url(course), _form()))
    booking = course.bookings.get()
    assert response.status_code == 302
    assert response["Location"] == _own_url(booking)
    assert booking.status == BookingStatus.BOOKED
    assert booking.source == BookingSource.LINK
    assert booking.learner.created_by is None
    assert (booking.learner.job_role, booking.learner.team) == ("Social worker", "East")
    own = client.get(response["Location"])
    page = _text(own)
    assert "You have a place" in page
    assert "Fiona Mackay" in page
    assert _email("Fiona Mackay") in page
    assert own["X-Robots-Tag"].startswith("noindex")
    assert "no-cache" in own["Cache-Control"] or "max-age=0" in own["Cache-Control"]
    (confirmed,) = mail.outbox
    assert confirmed.to == [_email("Fiona Mackay")]
    assert confirmed.attachments[0][0] == "sessions.ics"
    assert f"/learning/my-booking/{booking.token}/" in confirmed.body


def test_a_full_course_offers_the_waiting_list(client, personas, now_emails):
    delivery = _course(personas, capacity=1)
    _book(delivery, "Fiona Mackay")
    _book(delivery, "Gregor Reid")
    page = _text(client.get(_book_url(delivery)))
    assert "This course is full: you can join the waiting list." in page
    assert "Join the waiting list" in page
    response = now_emails(lambda: client.post(_book_url(delivery), _form("Hamish Ross")))
    booking = delivery.bookings.get(learner__name="Hamish Ross")
    assert booking.status == BookingStatus.WAITING
    own = _text(client.get(response["Location"]))
    assert "You are on the waiting list: number 2." in own
    assert "Gregor" not in own
    assert "Fiona" not in own
    assert "number 2" in mail.outbox[-1].body


def test_mistakes_are_named_and_what_was_typed_is_kept(client, personas, course):
    response = client.post(
        _book_url(course), {"name": "   ", "email": "fiona@", "job_role": "Team leader"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_name"' in body
    assert "Enter your full name" in body
    assert 'href="#id_email"' in body
    assert "Enter an email address like name@example.org" in body
    assert 'value="fiona@"' in body
    assert 'value="Team leader"' in body
    assert _text(response).startswith("<!DOCTYPE html>")
    assert "<title>Error: " in body
    assert not course.bookings.exists()


def test_someone_already_booked_is_told_kindly(client, personas, course):
    _book(course, "Fiona Mackay")
    response = client.post(_book_url(course), _form())
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    # Kind, and it doesn't confirm to a stranger that this person has booked.
    assert "can't be booked on this course again" in page
    assert "already booked" not in page
    assert course.bookings.count() == 1


def test_a_double_submit_books_once_and_leads_to_the_same_booking(client, personas, course):
    data = {**_form(), "form_token": "tok-123"}
    first = client.post(_book_url(course), data)
    second = client.post(_book_url(course), data)
    assert course.bookings.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert "nothing new was booked" in _text(client.get(second["Location"]))


def test_too_many_bookings_from_one_address_are_refused(client, personas, course, monkeypatch):
    monkeypatch.setattr(public_views, "BOOKINGS_PER_HOUR", 2)
    course.capacity = 10
    course.save()
    for name in ("Fiona Mackay", "Gregor Reid"):
        assert client.post(_book_url(course), _form(name)).status_code == 302
    response = client.post(_book_url(course), _form("Hamish Ross"))
    assert response.status_code == 200
    assert "too many bookings" in response.content.decode()
    # A header the visitor writes themselves does not get round it.
    spoofed = client.post(
        _book_url(course), _form("Isla Grant"), HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert "too many bookings" in spoofed.content.decode()
    assert course.bookings.count() == 2


def test_the_form_needs_its_csrf_token(personas, course):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(_book_url(course), _form()).status_code == 403
    assert not course.bookings.exists()


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("closed", "Booking for this course has closed."),
        ("finished", "This course has finished."),
        ("cancelled", "Sorry: this course has been cancelled."),
    ],
)
def test_a_course_that_cannot_be_booked_says_why_without_a_form(
    client, personas, course, state, words
):
    if state == "closed":
        Delivery.objects.filter(pk=course.pk).update(booking_open=False)
    elif state == "finished":
        course.sessions.update(date=timezone.localdate() - datetime.timedelta(days=1))
    else:
        services.delivery_cancel(actor=personas.alice, delivery=course)
    response = client.get(_book_url(course))
    assert response.status_code == 200
    page = _text(response)
    assert words in page
    assert '<form method="post"' not in page
    posted = client.post(_book_url(course), _form())
    assert posted.status_code == 200
    assert words in _text(posted)
    assert not course.bookings.exclude(status=BookingStatus.CANCELLED).exists()


def test_a_wrong_link_is_not_found(client, personas, course):
    for name in ("book", "booking_own", "booking_own_cancel", "booking_own_answer"):
        url = reverse(f"learning:{name}", args=["not-a-real-token"])
        assert client.get(url).status_code == 404, name
        if name != "booking_own":  # a page to read only
            assert client.post(url, {"answer": "take"}).status_code == 404, name


def test_a_learners_link_stops_working_once_their_details_are_deleted(client, personas, course):
    booking = _book(course, "Fiona Mackay")
    assert client.get(_own_url(booking)).status_code == 200
    services.learner_erase(actor=personas.alice, learner=booking.learner)
    assert client.get(_own_url(booking)).status_code == 404
    assert (
        client.post(reverse("learning:booking_own_cancel", args=[booking.token])).status_code == 404
    )


def test_signed_in_staff_see_the_same_public_page(client_for, personas, course):
    _book(course, "Fiona Mackay")
    response = client_for("charlie").get(_book_url(course))
    assert response.status_code == 200
    assert "Fiona" not in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Your own booking


def test_your_page_shows_only_your_booking(client, personas, course):
    mine = _book(course, "Fiona Mackay", job_role="Social worker", team="Children east")
    _book(course, "Gregor Reid")
    other = _book(_course(personas, capacity=3, product=_product(personas, "Other")), "Isla Grant")
    page = _text(client.get(_own_url(mine)))
    assert "Fiona Mackay" in page
    assert "Children east" in page
    assert "Gregor" not in page
    assert "Isla" not in page
    assert "Listening to families" in page
    assert "Marischal College, Room 4" in page
    assert other.token not in page


def test_you_cancel_your_place_and_the_first_person_waiting_is_offered_it(
    client, personas, now_emails
):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    gregor = _book(delivery, "Gregor Reid")
    _book(delivery, "Hamish Ross")
    url = reverse("learning:booking_own_cancel", args=[fiona.token])
    page = _text(client.get(url))
    assert "Cancel your place on" in page
    assert "We'll offer your place to the next person waiting" in page
    mail.outbox.clear()
    response = now_emails(lambda: client.post(url))
    assert response["Location"] == _own_url(fiona)
    fiona.refresh_from_db()
    gregor.refresh_from_db()
    assert fiona.status == BookingStatus.CANCELLED
    assert gregor.status == BookingStatus.OFFERED
    assert [m.to for m in mail.outbox] == [[_email("Gregor Reid")]]
    after = _text(client.get(_own_url(fiona)))
    assert "Your booking is cancelled" in after
    assert "This booking is cancelled." in after
    assert "Book again" in after
    assert "Cancel my booking" not in after
    # Cancelling again changes nothing.
    assert client.post(url)["Location"] == _own_url(fiona)
    assert Booking.objects.get(pk=gregor.pk).status == BookingStatus.OFFERED


def test_you_leave_the_waiting_list(client, personas):
    delivery = _course(personas, capacity=1)
    _book(delivery, "Fiona Mackay")
    gregor = _book(delivery, "Gregor Reid")
    url = reverse("learning:booking_own_cancel", args=[gregor.token])
    assert "place on the waiting list" in _text(client.get(url))
    client.post(url)
    gregor.refresh_from_db()
    assert gregor.status == BookingStatus.CANCELLED


@pytest.fixture
def offered(personas):
    delivery = _course(personas, capacity=1)
    fiona = _book(delivery, "Fiona Mackay")
    gregor = _book(delivery, "Gregor Reid")
    hamish = _book(delivery, "Hamish Ross")
    services.booking_cancel(booking=fiona)
    gregor.refresh_from_db()
    return delivery, gregor, hamish


def test_an_offered_place_shows_both_answers_and_the_time_it_is_held(client, offered):
    delivery, gregor, hamish = offered
    page = _text(client.get(_own_url(gregor)))
    assert "A place is free for you" in page
    held = timezone.localtime(gregor.offer_expires_at)
    assert f"{held:%A %-d %B %Y} at {held:%H:%M}" in page
    answer = reverse("learning:booking_own_answer", args=[gregor.token])
    assert page.count(f'action="{answer}"') == 2
    assert "Take the place" in page
    assert "Turn it down" in page


def test_you_take_the_place_offered(client, offered, now_emails):
    delivery, gregor, hamish = offered
    mail.outbox.clear()
    answer = reverse("learning:booking_own_answer", args=[gregor.token])
    response = now_emails(lambda: client.post(answer, {"answer": "take"}))
    assert response["Location"] == _own_url(gregor)
    gregor.refresh_from_db()
    assert gregor.status == BookingStatus.BOOKED
    (confirmed,) = mail.outbox
    assert confirmed.to == [_email("Gregor Reid")]
    assert confirmed.attachments[0][0] == "sessions.ics"
    page = _text(client.get(_own_url(gregor)))
    assert "The place is yours" in page
    assert "You have a place" in page


def test_you_turn_the_place_down_and_the_next_person_is_offered_it(client, offered, now_emails):
    delivery, gregor, hamish = offered
    mail.outbox.clear()
    answer = reverse("learning:booking_own_answer", args=[gregor.token])
    now_emails(lambda: client.post(answer, {"answer": "decline"}))
    gregor.refresh_from_db()
    hamish.refresh_from_db()
    assert gregor.status == BookingStatus.CANCELLED
    assert hamish.status == BookingStatus.OFFERED
    assert [m.to for m in mail.outbox] == [[_email("Hamish Ross")]]
    # Answering again is explained, not an error.
    again = client.post(answer, {"answer": "take"}, follow=True)
    assert "There is no place waiting for you" in _text(again)
    assert Booking.objects.get(pk=gregor.pk).status == BookingStatus.CANCELLED


def test_opening_the_answer_address_goes_to_your_page(client, offered):
    delivery, gregor, hamish = offered
    answer = reverse("learning:booking_own_answer", args=[gregor.token])
    response = client.get(answer)
    assert response.status_code == 302
    assert response["Location"] == _own_url(gregor)
    assert Booking.objects.get(pk=gregor.pk).status == BookingStatus.OFFERED


def test_an_unknown_answer_changes_nothing(client, offered):
    delivery, gregor, hamish = offered
    answer = reverse("learning:booking_own_answer", args=[gregor.token])
    response = client.post(answer, {"answer": "maybe"}, follow=True)
    assert "Choose whether to take the place" in _text(response)
    assert Booking.objects.get(pk=gregor.pk).status == BookingStatus.OFFERED


def test_a_lapsed_offer_is_explained(client, offered):
    delivery, gregor, hamish = offered
    Booking.objects.filter(pk=gregor.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = _text(client.get(_own_url(gregor)))
    assert "The time to take this place has passed." in page
    assert "Take the place" not in page
    answer = reverse("learning:booking_own_answer", args=[gregor.token])
    response = client.post(answer, {"answer": "take"}, follow=True)
    assert "the time to take this place has passed" in _text(response)
    assert Booking.objects.get(pk=gregor.pk).status == BookingStatus.OFFERED


def test_a_cancelled_course_shows_on_your_page(client, personas, course):
    booking = _book(course, "Fiona Mackay")
    services.delivery_cancel(actor=personas.alice, delivery=course)
    page = _text(client.get(_own_url(booking)))
    assert "This booking is cancelled." in page
    assert "the course itself was cancelled" in page
    assert "Book again" not in page


def test_someone_else_cannot_cancel_with_a_booking_link(client, personas, course):
    """The course's booking link is not a learner's own link."""
    booking = _book(course, "Fiona Mackay")
    url = reverse("learning:booking_own_cancel", args=[course.booking_token])
    assert client.post(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert Learner.objects.filter(pk=booking.learner_id).exists()
