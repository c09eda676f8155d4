"""The staff delivery pages: the list (filters, the no-lived-experience tag, a fixed number of
queries), planning a delivery from a product with one row per session (errors name the
session, nothing typed is lost), one delivery (sessions, places, booking link, team check,
commissioned trainers), changing it (never fewer places than are taken), cancelling it
(everyone booked or waiting is told), and adding, changing and removing its sessions.

alice (participation lead) may do everything; bob (facilitator) sees deliveries and takes
registers but changes nothing; a leader sees deliveries and totals but never learners' names;
charlie (another council) and erin (an expert by experience) get 404 and change nothing."""

import datetime
import html as html_lib
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.learning import services
from powershare.learning.models import (
    Attendance,
    Booking,
    BookingSource,
    BookingStatus,
    Delivery,
    DeliverySession,
    Facilitator,
    Learner,
    SessionMode,
)
from tests.personas import PASSWORD

LIST = reverse("learning:delivery_list")
SOON = timezone.localdate() + datetime.timedelta(days=20)
LATER = SOON + datetime.timedelta(days=21)


def _text(response) -> str:
    """The page's words as a reader sees them: no tags, entities unescaped, spaces collapsed."""
    html = re.sub(r"</?(strong|span|a|em|b)\b[^>]*>", "", response.content.decode())
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _url(name, pk):
    return reverse(f"learning:{name}", args=[pk])


def _session(day, **extra) -> dict:
    return {
        "date": day,
        "starts_at": datetime.time(9, 30),
        "ends_at": datetime.time(12, 30),
        "mode": SessionMode.IN_PERSON,
        "venue": "Community hall, room 2",
        "online_link": "",
        **extra,
    }


def _delivery(personas, product, *, cohort="Autumn cohort", days=(SOON, LATER), capacity=12):
    return services.delivery_create(
        actor=personas.alice,
        product=product,
        site=personas.council_a,
        cohort=cohort,
        capacity=capacity,
        sessions=[_session(day) for day in days],
    )


def _book(delivery, name, status=BookingStatus.BOOKED):
    learner = Learner.objects.create(
        organisation_id=delivery.organisation_id,
        name=name,
        email=f"{name.lower().replace(' ', '.')}@learners.example",
        job_role="Social worker",
        team="Children and families",
    )
    return Booking.objects.create(
        delivery=delivery, learner=learner, status=status, source=BookingSource.STAFF
    )


@pytest.fixture
def lena(personas):
    """A leader of council A: she sees deliveries and totals, never learners' names."""
    user = User.objects.create_user(
        email="lena@a.example", password=PASSWORD, full_name="Lena Lindsay"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


def _create_data(site, **changes) -> dict:
    data = {
        "session_count": "2",
        "site": str(site.pk),
        "cohort": "Winter cohort",
        "capacity": "16",
        "session-1-date": SOON.isoformat(),
        "session-1-starts_at": "09:30",
        "session-1-ends_at": "12:30",
        "session-1-mode": "in_person",
        "session-1-venue": "Council offices, room 4",
        "session-1-online_link": "",
        "session-2-date": LATER.isoformat(),
        "session-2-starts_at": "13:30",
        "session-2-ends_at": "16:30",
        "session-2-mode": "online",
        "session-2-venue": "",
        "session-2-online_link": "https://meet.example.org/winter",
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_shows_places_dates_and_teams_without_lived_experience(
    client_for, personas, samples
):
    product = samples["product"]
    quiet = _delivery(personas, product, cohort="Cohort with no lived experience")
    Facilitator.objects.create(delivery=quiet, user=personas.bob, professional=True)
    for n in range(3):
        _book(quiet, f"Booked Learner {n}")
    _book(quiet, "Waiting Learner", BookingStatus.WAITING)
    response = client_for("alice").get(LIST)
    assert response.status_code == 200
    page = _text(response)
    body = response.content.decode()
    assert "Cohort with no lived experience" in page
    # Three booked of twelve, one waiting, first to last date.
    row = body[body.index("Cohort with no lived experience") :].split("</tr>")[0]
    row_text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "No lived experience on the team" in row_text
    assert "3 of 12" in row_text
    assert f"{SOON:%-d %B %Y} to {LATER:%-d %B %Y}" in row_text
    assert re.search(r'data-label="Waiting"[^>]*>1<', row)
    # The sample delivery has a trainer with lived experience: no tag there.
    sample_row = body[body.index(samples["delivery"].cohort) :].split("</tr>")[0]
    assert "No lived experience on the team" not in sample_row
    assert "Booked Learner" not in page  # never learners' names on the list


def test_the_list_filters_by_product_and_by_when(client_for, personas, samples):
    product = samples["product"]
    past = _delivery(
        personas,
        product,
        cohort="Last year's cohort",
        days=(datetime.date(2024, 3, 1), datetime.date(2024, 3, 20)),
    )
    upcoming = _delivery(personas, product, cohort="Next month's cohort")
    cancelled = _delivery(personas, product, cohort="Called-off cohort")
    services.delivery_cancel(actor=personas.alice, delivery=cancelled)
    client = client_for("alice")

    page = _text(client.get(LIST, {"when": "past"}))
    assert past.cohort in page
    assert upcoming.cohort not in page
    page = _text(client.get(LIST, {"when": "upcoming"}))
    assert upcoming.cohort in page
    assert past.cohort not in page
    assert cancelled.cohort not in page
    page = _text(client.get(LIST, {"when": "cancelled"}))
    assert cancelled.cohort in page
    assert upcoming.cohort not in page
    page = _text(client.get(LIST, {"product": samples["erin_product"].pk}))
    assert samples["erin_delivery"].cohort in page
    assert upcoming.cohort not in page
    assert "1 delivery match" in page
    page = _text(client.get(LIST, {"search": "next MONTH"}))
    assert upcoming.cohort in page
    assert past.cohort not in page
    assert "1 delivery match" in page
    # A product the user can't see, or nonsense, is a kind message, never a 500.
    response = client.get(LIST, {"product": "99999999999999999999", "when": "soon"})
    assert response.status_code == 200
    assert "Choose a product from the list" in _text(response)
    assert "Choose a time from the list" in _text(response)


def test_the_list_runs_a_fixed_number_of_queries(client_for, personas, samples):
    product = samples["product"]

    def add(count):
        for n in range(count):
            delivery = _delivery(personas, product, cohort=f"Bulk cohort {n}")
            _book(delivery, f"Bulk Learner {n}")
            Facilitator.objects.create(delivery=delivery, user=personas.bob, lived=n % 2 == 0)

    client = client_for("alice")
    add(1)  # three with the two sample deliveries
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        response = client.get(LIST)
    assert "3 deliveries" in _text(response)
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert "30 deliveries" in _text(response)
    assert len(re.findall(r'href="/learning/deliveries/\d+/"', response.content.decode())) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_paginates_by_fifty(client_for, personas, samples):
    product = samples["product"]
    Delivery.objects.bulk_create(
        Delivery(
            organisation=personas.council_a,
            product=product,
            version=samples["version"],
            site=personas.council_a,
            cohort=f"Paged cohort {n}",
            capacity=10,
        )
        for n in range(53)
    )
    client = client_for("alice")
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert len(re.findall(r'href="/learning/deliveries/\d+/"', first)) == 50
    assert len(re.findall(r'href="/learning/deliveries/\d+/"', second)) == 5


def test_bob_and_a_leader_see_the_list_charlie_sees_none_of_council_a(
    client_for, personas, samples, lena
):
    cohort = samples["delivery"].cohort
    assert cohort in _text(client_for("bob").get(LIST))
    client = client_for(None)
    client.force_login(lena)
    assert cohort in _text(client.get(LIST))
    response = client_for("charlie").get(LIST)
    assert response.status_code == 200
    assert cohort not in _text(response)
    assert "0 deliveries" in _text(response)
    assert client_for("erin").get(LIST).status_code == 404


# ---------------------------------------------------------------------------------------------
# Planning a delivery


def test_alice_plans_a_delivery_with_a_row_per_planned_session(client_for, personas, samples):
    product = samples["product"]
    client = client_for("alice")
    url = _url("delivery_create", product.pk)
    form = client.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    # Two sessions planned: two rows; the site defaults to the product's organisation.
    assert 'name="session-1-date"' in body
    assert 'name="session-2-date"' in body
    assert 'name="session-3-date"' not in body
    assert re.search(rf'<option value="{personas.council_a.pk}" selected>', body)
    # The end time follows the product's session length (three hours from 09:30).
    assert 'name="session-1-ends_at" value="12:30"' in body

    data = _create_data(personas.council_b, form_token="plan-once")
    response = client.post(url, data)
    delivery = Delivery.objects.get(cohort="Winter cohort")
    assert response.status_code == 302
    assert response["Location"] == _url("delivery_detail", delivery.pk)
    assert delivery.site == personas.council_b
    assert delivery.organisation == personas.council_a
    assert delivery.capacity == 16
    sessions = list(delivery.sessions.order_by("number"))
    assert [(s.number, s.date, s.mode) for s in sessions] == [
        (1, SOON, "in_person"),
        (2, LATER, "online"),
    ]
    assert sessions[1].online_link == "https://meet.example.org/winter"
    # Sending the same form again plans nothing new.
    client.post(url, data)
    assert Delivery.objects.filter(cohort="Winter cohort").count() == 1


def test_planning_errors_name_the_session_and_keep_what_was_typed(client_for, samples):
    product = samples["product"]
    client = client_for("alice")
    url = _url("delivery_create", product.pk)
    data = _create_data(
        samples["organisation"],
        **{
            "cohort": "Typed cohort",
            "capacity": "0",
            "session-1-date": "",
            "session-2-mode": "in_person",
            "session-2-online_link": "",
            "session-2-venue": "",
            "session-2-starts_at": "16:30",
            "session-2-ends_at": "13:00",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert "Session 1: enter the date, like 14/03/2026" in page
    assert "Session 2: enter the venue" in page
    assert "Session 2: the end time must be after the start time" in page
    assert "Enter a number of places from 1 to 500" in page
    body = response.content.decode()
    assert 'href="#id_session-2-venue"' in body
    assert 'href="#id_session-1-date"' in body
    assert 'value="Typed cohort"' in body
    assert 'name="session-2-starts_at" value="16:30"' in body
    assert not Delivery.objects.filter(cohort="Typed cohort").exists()
    assert response.content.decode().count("<title>Error: ") == 1


def test_an_online_session_needs_a_real_link(client_for, samples):
    url = _url("delivery_create", samples["product"].pk)
    page = _text(
        client_for("alice").post(
            url, _create_data(samples["organisation"], **{"session-2-online_link": "not a link"})
        )
    )
    assert "Session 2: enter the link as a full web address" in page
    page = _text(
        client_for("alice").post(
            url, _create_data(samples["organisation"], **{"session-2-online_link": ""})
        )
    )
    assert "Session 2: enter the link to join online" in page


def test_sessions_out_of_date_order_are_refused_by_the_service(client_for, samples):
    url = _url("delivery_create", samples["product"].pk)
    data = _create_data(
        samples["organisation"],
        **{"session-1-date": LATER.isoformat(), "session-2-date": SOON.isoformat()},
    )
    response = client_for("alice").post(url, data)
    assert response.status_code == 200
    assert "Put the sessions in date order: session 1 first." in _text(response)
    assert not Delivery.objects.filter(cohort="Winter cohort").exists()


def test_adding_and_removing_session_rows_keeps_what_was_typed(client_for, samples):
    url = _url("delivery_create", samples["product"].pk)
    client = client_for("alice")
    response = client.post(
        url, _create_data(samples["organisation"], add_session="1", capacity="nonsense")
    )
    body = response.content.decode()
    assert 'name="session-3-date"' in body
    assert 'value="Winter cohort"' in body
    assert 'value="nonsense"' in body
    assert "There is a problem" not in body  # rearranging rows is not sending the form
    assert 'name="session_count" value="3"' in body
    response = client.post(
        url, _create_data(samples["organisation"], session_count="3", remove_session="1")
    )
    body = response.content.decode()
    assert 'name="session-3-date"' not in body
    assert f'name="session-2-date" value="{LATER.isoformat()}"' in body
    assert not Delivery.objects.filter(cohort="Winter cohort").exists()


def test_a_session_count_that_is_not_a_number_falls_back_to_the_plan(client_for, samples):
    url = _url("delivery_create", samples["product"].pk)
    response = client_for("alice").post(
        url, _create_data(samples["organisation"], session_count="lots", add_session="1")
    )
    assert response.status_code == 200
    assert 'name="session-3-date"' in response.content.decode()


# ---------------------------------------------------------------------------------------------
# One delivery


def test_alice_sees_sessions_places_booking_link_team_and_trainers(client_for, samples):
    delivery = samples["delivery"]
    response = client_for("alice").get(_url("delivery_detail", delivery.pk))
    assert response.status_code == 200
    page = _text(response)
    body = response.content.decode()
    session = samples["session"]
    assert f"Session 1 {session.date:%A %-d %B %Y} 09:30 to 12:30" in page
    assert "Council A offices" in page
    assert "1 of 1 (100%) marked there" in page
    assert _url("register", session.pk) in body
    assert "1 of 12 booked" in page
    assert "11 free" in page
    book = f"http://testserver{reverse('learning:book', args=[delivery.booking_token])}"
    assert f'value="{book}" readonly' in body
    assert "Booking through the link is open" in page
    assert "Bob Brown (lead)" in page
    assert samples["trainer"].person.name in page
    assert _url("commission_detail", samples["commission"].pk) in body
    for name in ("team", "bookings", "commission_create", "delivery_edit", "delivery_cancel"):
        assert _url(name, delivery.pk) in body, name
    assert f"{_url('register_export', delivery.pk)}?format=csv" in body
    assert f"{_url('register_export', delivery.pk)}?format=xlsx" in body
    assert _url("session_add", delivery.pk) in body
    assert "1 of the 2 people on the team bring lived experience" in page
    assert "Nobody on this team brings lived experience" not in page


def test_bob_sees_the_delivery_and_its_register_links_but_nothing_to_change(client_for, samples):
    delivery = samples["delivery"]
    response = client_for("bob").get(_url("delivery_detail", delivery.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert _url("register", samples["session"].pk) in body
    assert "Take the register" in body or "See or change the register" in body
    assert "readonly" not in body  # the booking link is for people who run learning
    for name in ("delivery_edit", "delivery_cancel", "session_add", "commission_create", "team"):
        assert _url(name, delivery.pk) not in body, name
    assert _url("commission_detail", samples["commission"].pk) not in body


def test_a_leader_sees_the_delivery_and_totals_but_no_names_or_register(client, samples, lena):
    client.force_login(lena)
    delivery = samples["delivery"]
    response = client.get(_url("delivery_detail", delivery.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 of 12 booked" in _text(response)
    assert samples["booking"].learner.name not in body
    assert _url("register", samples["session"].pk) not in body
    assert _url("register_export", delivery.pk) not in body
    assert _url("bookings", delivery.pk) not in body
    assert "readonly" not in body


def test_the_team_check_warns_then_shows_the_reason_and_welcomes_a_lived_experience_team(
    client_for, personas, samples
):
    delivery = _delivery(personas, samples["product"], cohort="Team check cohort")
    Facilitator.objects.create(delivery=delivery, user=personas.bob, professional=True)
    client = client_for("alice")
    url = _url("delivery_detail", delivery.pk)
    page = _text(client.get(url))
    assert "Nobody on this team brings lived experience." in page
    assert _url("team_acknowledge", delivery.pk) in client.get(url).content.decode()
    services.team_without_lived_experience_acknowledge(
        actor=personas.alice,
        delivery=delivery,
        reason="Our trainer with lived experience is unwell; they join the next cohort.",
    )
    page = _text(client.get(url))
    assert "Alice Anderson recorded why" in page
    assert "Our trainer with lived experience is unwell" in page
    assert 'id="team-warning"' not in client.get(url).content.decode()

    led = _delivery(personas, samples["product"], cohort="Led by lived experience")
    Facilitator.objects.create(delivery=led, person=personas.erin_person, lived=True)
    page = _text(client.get(_url("delivery_detail", led.pk)))
    assert "led entirely by experts by experience" in page


def test_staff_at_the_site_see_a_delivery_but_cannot_change_it(client_for, personas, samples):
    """A delivery of council A's product at council B: charlie (council B) sees it, because
    his council is the site; only council A changes it."""
    delivery = services.delivery_create(
        actor=personas.alice,
        product=samples["product"],
        site=personas.council_b,
        cohort="Shared cohort",
        capacity=10,
        sessions=[_session(SOON)],
    )
    client = client_for("charlie")
    assert "Shared cohort" in _text(client.get(LIST))
    response = client.get(_url("delivery_detail", delivery.pk))
    assert response.status_code == 200
    assert _url("delivery_edit", delivery.pk) not in response.content.decode()
    assert client.get(_url("delivery_edit", delivery.pk)).status_code == 404
    client.post(_url("delivery_edit", delivery.pk), {"cohort": "Taken", "capacity": "3"})
    delivery.refresh_from_db()
    assert delivery.cohort == "Shared cohort"


# ---------------------------------------------------------------------------------------------
# Changing and cancelling


def test_alice_changes_cohort_places_and_closes_booking(client_for, samples):
    delivery = samples["delivery"]
    client = client_for("alice")
    url = _url("delivery_edit", delivery.pk)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"cohort": "Renamed cohort", "capacity": "20", "booking_open": "no"}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.cohort, delivery.capacity, delivery.booking_open) == (
        "Renamed cohort",
        20,
        False,
    )
    assert "Booking through the link is closed" in _text(
        client.get(_url("delivery_detail", delivery.pk))
    )


def test_fewer_places_than_are_taken_are_refused_kindly(client_for, samples):
    delivery = samples["delivery"]
    _book(delivery, "Second Learner")
    _book(delivery, "Third Learner", BookingStatus.OFFERED)
    response = client_for("alice").post(
        _url("delivery_edit", delivery.pk),
        {"cohort": "Typed name", "capacity": "2", "booking_open": "yes"},
    )
    assert response.status_code == 200
    page = _text(response)
    assert "3 places are already taken, so there must be at least 3." in page
    assert 'href="#id_capacity"' in response.content.decode()
    assert 'value="Typed name"' in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.capacity == 12
    assert delivery.cohort != "Typed name"


def test_the_edit_form_explains_bad_numbers(client_for, samples):
    response = client_for("alice").post(
        _url("delivery_edit", samples["delivery"].pk),
        {"cohort": "", "capacity": "twelve", "booking_open": "maybe"},
    )
    page = _text(response)
    assert "Name the cohort" in page
    assert "Enter the number of places as a whole number, like 16" in page
    assert "Choose open or closed" in page


def test_cancelling_tells_everyone_booked_or_waiting(
    client_for, personas, samples, django_capture_on_commit_callbacks
):
    delivery = _delivery(personas, samples["product"], cohort="To be cancelled", capacity=1)
    booked = _book(delivery, "Booked Person")
    waiting = _book(delivery, "Waiting Person", BookingStatus.WAITING)
    client = client_for("alice")
    url = _url("delivery_cancel", delivery.pk)
    page = _text(client.get(url))
    assert "Everyone booked or waiting (2 people) will be told by email" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.is_cancelled
    assert not delivery.booking_open
    told = {address for message in mail.outbox for address in message.to}
    assert {booked.learner.email, waiting.learner.email} <= told
    page = _text(client.get(_url("delivery_detail", delivery.pk)))
    assert "This delivery was cancelled" in page
    assert (
        _url("delivery_edit", delivery.pk)
        not in client.get(_url("delivery_detail", delivery.pk)).content.decode()
    )
    # Changing a cancelled delivery goes back to it with a message.
    assert client.get(_url("delivery_edit", delivery.pk)).status_code == 302
    assert client.get(_url("session_add", delivery.pk)).status_code == 302


# ---------------------------------------------------------------------------------------------
# Sessions


def test_alice_adds_changes_and_removes_a_session(client_for, personas, samples):
    delivery = _delivery(personas, samples["product"], cohort="Session cohort")
    client = client_for("alice")
    add = _url("session_add", delivery.pk)
    form = client.get(add)
    assert "Add session 3" in _text(form)
    later = LATER + datetime.timedelta(days=14)
    response = client.post(
        add,
        {
            "session-3-date": later.isoformat(),
            "session-3-starts_at": "10:00",
            "session-3-ends_at": "13:00",
            "session-3-mode": "in_person",
            "session-3-venue": "Library, meeting room",
        },
    )
    assert response.status_code == 302
    third = delivery.sessions.get(number=3)
    assert third.venue == "Library, meeting room"

    edit = _url("session_edit", third.pk)
    response = client.post(
        edit,
        {
            "session-3-date": later.isoformat(),
            "session-3-starts_at": "10:00",
            "session-3-ends_at": "13:00",
            "session-3-mode": "online",
            "session-3-venue": "",
            "session-3-online_link": "https://meet.example.org/third",
        },
    )
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.mode == "online"
    assert third.online_link == "https://meet.example.org/third"

    first = delivery.sessions.get(number=1)
    response = client.post(_url("session_remove", first.pk))
    assert response.status_code == 302
    assert list(delivery.sessions.order_by("number").values_list("number", "date")) == [
        (1, LATER),
        (2, later),
    ]


def test_a_new_session_before_the_last_is_refused_with_the_reason(client_for, personas, samples):
    delivery = _delivery(personas, samples["product"], cohort="Order cohort")
    response = client_for("alice").post(
        _url("session_add", delivery.pk),
        {
            "session-3-date": SOON.isoformat(),
            "session-3-starts_at": "10:00",
            "session-3-ends_at": "13:00",
            "session-3-mode": "in_person",
            "session-3-venue": "Hall",
        },
    )
    assert response.status_code == 200
    assert "Put the sessions in date order" in _text(response)
    assert delivery.sessions.count() == 2


def test_a_session_whose_register_is_taken_stays(client_for, personas, samples):
    delivery = _delivery(personas, samples["product"], cohort="Taken cohort")
    first = delivery.sessions.get(number=1)
    booking = _book(delivery, "Marked Learner")
    Attendance.objects.create(session=first, booking=booking, attended=True)
    client = client_for("alice")
    url = _url("session_remove", first.pk)
    page = _text(client.get(url))
    assert "The register for this session has been taken, so the session stays" in page
    assert "Remove the session" not in page
    client.post(url)
    assert DeliverySession.objects.filter(pk=first.pk).exists()
    # The only session of a delivery stays too.
    only = samples["erin_delivery"].sessions.get()
    assert "a delivery needs at least one" in _text(client.get(_url("session_remove", only.pk)))


# ---------------------------------------------------------------------------------------------
# Everyone else


def _every_page(samples) -> list[str]:
    delivery, session, product = samples["delivery"], samples["session"], samples["product"]
    return [
        _url("delivery_create", product.pk),
        _url("delivery_detail", delivery.pk),
        _url("delivery_edit", delivery.pk),
        _url("delivery_cancel", delivery.pk),
        _url("session_add", delivery.pk),
        _url("session_edit", session.pk),
        _url("session_remove", session.pk),
    ]


def _state(samples):
    delivery = Delivery.objects.get(pk=samples["delivery"].pk)
    session = DeliverySession.objects.get(pk=samples["session"].pk)
    return (
        Delivery.objects.count(),
        delivery.cohort,
        delivery.capacity,
        delivery.cancelled_at,
        DeliverySession.objects.count(),
        session.date,
        session.venue,
    )


def _posts(samples) -> dict:
    number = samples["session"].number
    session = {
        f"session-{number}-date": LATER.isoformat(),
        f"session-{number}-starts_at": "10:00",
        f"session-{number}-ends_at": "11:00",
        f"session-{number}-mode": "in_person",
        f"session-{number}-venue": "Taken over",
    }
    return {
        "delivery_create": _create_data(samples["organisation"]),
        "delivery_edit": {"cohort": "Taken over", "capacity": "99", "booking_open": "no"},
        "delivery_cancel": {},
        "session_add": {k.replace(f"session-{number}", "session-2"): v for k, v in session.items()},
        "session_edit": session,
        "session_remove": {},
    }


@pytest.mark.parametrize("persona", ["charlie", "erin"])
def test_other_councils_and_experts_by_experience_get_404_and_change_nothing(
    client_for, samples, persona
):
    client = client_for(persona)
    for url in _every_page(samples):
        assert client.get(url).status_code == 404, url
    before = _state(samples)
    for name, data in _posts(samples).items():
        pk = {
            "delivery_create": samples["product"].pk,
            "session_edit": samples["session"].pk,
            "session_remove": samples["session"].pk,
        }.get(name, samples["delivery"].pk)
        assert client.post(_url(name, pk), data).status_code == 404, name
    assert _state(samples) == before


def test_bob_and_a_leader_cannot_plan_or_change_deliveries(client_for, samples, lena):
    for who in ("bob", "lena"):
        if who == "lena":
            client = client_for(None)
            client.force_login(lena)
        else:
            client = client_for(who)
        assert client.get(_url("delivery_detail", samples["delivery"].pk)).status_code == 200
        for url in _every_page(samples):
            if url != _url("delivery_detail", samples["delivery"].pk):
                assert client.get(url).status_code == 404, (who, url)
        before = _state(samples)
        for name, data in _posts(samples).items():
            pk = {
                "delivery_create": samples["product"].pk,
                "session_edit": samples["session"].pk,
                "session_remove": samples["session"].pk,
            }.get(name, samples["delivery"].pk)
            assert client.post(_url(name, pk), data).status_code == 404, (who, name)
        assert _state(samples) == before
