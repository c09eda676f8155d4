"""The register of a session: everyone booked in name order with a "There" box each, a count
out of everyone booked, "Save the register" without JavaScript, and one mark at a time with
htmx (register_mark), which stores the same as the form.

alice (participation lead) and bob (facilitator, council A) take registers; staff of the
delivery's site do too; a leader sees the delivery but not the register; charlie and erin get
404 and change nothing. Opening a register is a recorded read of personal data."""

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.learning import services
from powershare.learning.models import (
    Attendance,
    Booking,
    BookingSource,
    BookingStatus,
    Learner,
    SessionMode,
)
from tests.personas import PASSWORD

HTMX = {"HTTP_HX_REQUEST": "true"}
SOON = timezone.localdate() + datetime.timedelta(days=5)


def _text(response) -> str:
    html = re.sub(r"</?(strong|span|a|em|b)\b[^>]*>", "", response.content.decode())
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _register(session) -> str:
    return reverse("learning:register", args=[session.pk])


def _mark(session, booking) -> str:
    return reverse("learning:register_mark", args=[session.pk, booking.pk])


def _delivery(personas, product, *, site=None, cohort="Register cohort", sessions=2):
    return services.delivery_create(
        actor=personas.alice,
        product=product,
        site=site or personas.council_a,
        cohort=cohort,
        capacity=100,
        sessions=[
            {
                "date": SOON + datetime.timedelta(days=14 * n),
                "starts_at": datetime.time(9, 30),
                "ends_at": datetime.time(12, 30),
                "mode": SessionMode.IN_PERSON,
                "venue": "Training room",
            }
            for n in range(sessions)
        ],
    )


def _learners(delivery, names):
    bookings = []
    for name in names:
        learner = Learner.objects.create(
            organisation_id=delivery.organisation_id,
            name=name,
            email=f"{name.lower().replace(' ', '.')}@learners.example",
            job_role=f"Role of {name}",
            team=f"Team of {name}",
        )
        bookings.append(
            Booking.objects.create(
                delivery=delivery,
                learner=learner,
                status=BookingStatus.BOOKED,
                source=BookingSource.STAFF,
            )
        )
    return bookings


@pytest.fixture
def course(personas, samples):
    """A delivery with two sessions and three learners booked (and one waiting, who is not
    on the register)."""
    delivery = _delivery(personas, samples["product"])
    bookings = _learners(delivery, ["Cara Collins", "Abe Adams", "Ben Brown"])
    waiting = _learners(delivery, ["Wendy Waiting"])[0]
    waiting.status = BookingStatus.WAITING
    waiting.save()
    first, second = delivery.sessions.order_by("number")
    return {"delivery": delivery, "first": first, "second": second, "bookings": bookings}


@pytest.fixture
def lena(personas):
    user = User.objects.create_user(
        email="lena@a.example", password=PASSWORD, full_name="Lena Lindsay"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


def _marks(session) -> dict:
    return dict(Attendance.objects.filter(session=session).values_list("booking_id", "attended"))


# ---------------------------------------------------------------------------------------------
# Taking the register


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_alice_and_bob_take_the_register_without_javascript(client_for, course, persona):
    client = client_for(persona)
    session = course["first"]
    response = client.get(_register(session))
    assert response.status_code == 200
    page = _text(response)
    # Everyone booked, in name order, with role and team; nobody waiting; none marked yet.
    assert page.index("Abe Adams") < page.index("Ben Brown") < page.index("Cara Collins")
    assert "Wendy Waiting" not in page
    assert "Role of Abe Adams" in page
    assert "Team of Abe Adams" in page
    assert "0 of 3 there. 3 not marked yet." in page
    assert page.count("Not marked yet") == 3
    assert "Save the register" in page

    cara, abe, ben = course["bookings"]
    response = client.post(_register(session), {"there": [str(abe.pk), str(cara.pk)]})
    assert response.status_code == 302
    assert response["Location"] == _register(session)
    assert _marks(session) == {abe.pk: True, cara.pk: True, ben.pk: False}
    page = _text(client.get(_register(session)))
    assert "Register saved: 2 of 3 there at session 1." in page
    assert "2 of 3 there." in page
    assert "not marked yet" not in page.lower()
    assert _marks(course["second"]) == {}


def test_opening_the_register_is_recorded_as_a_read_of_personal_data(client_for, course, personas):
    session = course["first"]
    client_for("bob").get(_register(session))
    event = AccessEvent.objects.get(subject_id=str(session.pk), user=personas.bob)
    assert event.organisation_id == personas.council_a.pk
    assert "names of 3 learners" in event.description
    assert event.path == _register(session)


def test_the_register_page_has_large_boxes_wired_for_htmx(client_for, course):
    session = course["first"]
    body = client_for("alice").get(_register(session)).content.decode()
    cara = course["bookings"][0]
    box = re.search(rf'<input[^>]*id="there-{cara.pk}"[^>]*>', body).group(0)
    assert f'hx-post="{_mark(session, cara)}"' in box
    assert f'hx-target="#mark-{cara.pk}"' in box
    assert 'name="there"' in box
    assert "ds_checkbox--small" not in body[body.index('id="register-form"') :]
    assert 'id="register-count" role="status"' in body
    assert "<script" not in body.split("</head>")[1]  # no inline scripts (CSP)
    assert ' style="' not in body


def test_one_mark_with_htmx_swaps_the_row_and_the_count(client_for, course):
    session = course["first"]
    cara, abe, ben = course["bookings"]
    client = client_for("bob")
    response = client.post(_mark(session, abe), {"there": [str(abe.pk)]}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'<tr id="register-row-{abe.pk}">' in body
    assert re.search(rf'id="mark-{abe.pk}">Marked there<', body)
    assert re.search(r'id="register-count" hx-swap-oob="innerHTML">', body)
    assert "1 of 3 there" in _text(response)
    assert "2 not marked yet" in _text(response)
    assert _marks(session) == {abe.pk: True}
    # Unticking sends the form without this box: marked not there.
    response = client.post(_mark(session, abe), {"there": [str(cara.pk)]}, **HTMX)
    assert re.search(rf'id="mark-{abe.pk}">Marked not there<', response.content.decode())
    assert _marks(session) == {abe.pk: False}
    assert "0 of 3 there" in _text(response)


def test_htmx_marks_and_the_form_store_the_same(client_for, course):
    """Ticking boxes one at a time (htmx) and saving the whole form store the same marks."""
    first, second = course["first"], course["second"]
    cara, abe, ben = course["bookings"]
    there = [abe, cara]
    client = client_for("alice")
    for booking in course["bookings"]:
        ticked = [str(b.pk) for b in there]
        posted = ticked if booking in there else [t for t in ticked if t != str(booking.pk)]
        assert client.post(_mark(first, booking), {"there": posted}, **HTMX).status_code == 200
    client.post(_register(second), {"there": [str(b.pk) for b in there]})
    by_htmx = _marks(first)
    by_form = _marks(second)
    assert by_htmx == by_form == {abe.pk: True, cara.pk: True, ben.pk: False}


def test_a_mark_without_htmx_goes_back_to_the_register(client_for, course):
    session = course["first"]
    abe = course["bookings"][1]
    client = client_for("alice")
    response = client.post(_mark(session, abe), {"there": [str(abe.pk)]})
    assert response.status_code == 302
    assert response["Location"] == _register(session)
    assert "Abe Adams marked there." in _text(client.get(_register(session)))


def test_register_mark_marks_only_on_post(client_for, course):
    """Following the address (a GET) marks nobody: it goes to the register."""
    session, abe = course["first"], course["bookings"][1]
    response = client_for("alice").get(_mark(session, abe))
    assert response.status_code == 302
    assert response["Location"] == _register(session)
    assert _marks(session) == {}


def test_a_booking_not_on_the_register_cannot_be_marked(client_for, course, samples):
    session = course["first"]
    client = client_for("alice")
    waiting = course["delivery"].bookings.get(status=BookingStatus.WAITING)
    other = samples["booking"]  # booked on another delivery
    for booking in (waiting, other):
        response = client.post(_mark(session, booking), {"there": [str(booking.pk)]}, **HTMX)
        assert response.status_code == 404
    response = client.post(_register(session), {"there": [str(other.pk)]})
    assert response.status_code == 200
    assert "Only people booked on this course can be marked" in _text(response)
    assert _marks(session) == {}


def test_odd_values_are_a_kind_message_and_the_ticks_stay(client_for, course):
    session = course["first"]
    abe = course["bookings"][1]
    response = client_for("alice").post(
        _register(session), {"there": [str(abe.pk), "abc", "99999999999999999999999"]}
    )
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert "Only people booked on this course can be marked" in page
    assert "1 of 3 there (ticked, not saved yet)" in page
    assert re.search(rf'id="there-{abe.pk}" checked', response.content.decode())
    assert _marks(session) == {}


def test_a_cancelled_deliverys_register_cannot_be_taken(client_for, personas, course):
    services.delivery_cancel(actor=personas.alice, delivery=course["delivery"])
    session = course["first"]
    client = client_for("alice")
    assert "This delivery was cancelled" in _text(client.get(_register(session)))
    client.post(_register(session), {"there": []})
    assert _marks(session) == {}


def test_site_staff_take_the_register_of_a_delivery_run_by_another_council(
    client_for, personas, samples
):
    """Council B runs a course at council A's site: bob, a facilitator at the site, takes
    its register; a leader there does not."""
    from powershare.learning.models import LearningProduct, ProductVersion

    product = LearningProduct.objects.create(
        organisation=personas.council_b,
        slug="b-course",
        title="Council B's course",
        aims="Aims",
        audience="Social workers",
        created_by=personas.charlie,
        owner=personas.charlie,
    )
    ProductVersion.objects.create(product=product, number=1, created_by=personas.charlie)
    delivery = services.delivery_create(
        actor=personas.charlie,
        product=product,
        site=personas.council_a,
        cohort="At council A",
        capacity=10,
        sessions=[
            {
                "date": SOON,
                "starts_at": datetime.time(10),
                "ends_at": datetime.time(12),
                "mode": SessionMode.ONLINE,
                "online_link": "https://meet.example.org/b",
            }
        ],
    )
    (booking,) = _learners(delivery, ["Site Learner"])
    session = delivery.sessions.get()
    client = client_for("bob")
    assert "Site Learner" in _text(client.get(_register(session)))
    assert (
        client.post(_mark(session, booking), {"there": [str(booking.pk)]}, **HTMX).status_code
        == 200
    )
    assert _marks(session) == {booking.pk: True}


# ---------------------------------------------------------------------------------------------
# Everyone else


def test_a_leader_sees_the_delivery_but_not_the_register_or_names(client, course, lena):
    client.force_login(lena)
    session, abe = course["first"], course["bookings"][1]
    detail = client.get(reverse("learning:delivery_detail", args=[course["delivery"].pk]))
    assert detail.status_code == 200
    assert "Abe Adams" not in detail.content.decode()
    assert client.get(_register(session)).status_code == 404
    assert client.post(_register(session), {"there": [str(abe.pk)]}).status_code == 404
    assert client.post(_mark(session, abe), {"there": [str(abe.pk)]}, **HTMX).status_code == 404
    assert client.get(_mark(session, abe)).status_code == 404
    assert _marks(session) == {}
    assert not AccessEvent.objects.filter(user=lena).exists()


@pytest.mark.parametrize("persona", ["charlie", "erin"])
def test_other_councils_and_experts_by_experience_get_404_and_change_nothing(
    client_for, course, samples, persona
):
    client = client_for(persona)
    session, abe = course["first"], course["bookings"][1]
    assert client.get(_register(session)).status_code == 404
    assert client.get(_mark(session, abe)).status_code == 404  # 404, not 405: looked up first
    assert client.post(_register(session), {"there": [str(abe.pk)]}).status_code == 404
    assert client.post(_mark(session, abe), {"there": [str(abe.pk)]}, **HTMX).status_code == 404
    assert _marks(session) == {}
    sample = samples["session"]
    before = _marks(sample)
    assert client.post(_register(sample), {"there": []}).status_code == 404
    assert _marks(sample) == before


# ---------------------------------------------------------------------------------------------
# Queries


def test_the_register_runs_the_same_queries_for_3_and_30_learners(client_for, personas, samples):
    delivery = _delivery(personas, samples["product"], cohort="Big cohort", sessions=1)
    session = delivery.sessions.get()
    client = client_for("bob")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_register(session))
        assert response.status_code == 200
        return len(queries), _text(response)

    bookings = _learners(delivery, [f"Learner {n:02d}" for n in range(3)])
    Attendance.objects.create(session=session, booking=bookings[0], attended=True)
    client.get(_register(session))
    few, page = count()
    assert "1 of 3 there" in page
    _learners(delivery, [f"Learner {n:02d}" for n in range(3, 30)])
    many, page = count()
    assert "1 of 30 there" in page
    assert many == few
