"""The JSON API for learning: /api/learning/products (with attendance totals),
/api/learning/deliveries (with bookings, read and made), and /api/me/training.

alice (participation lead, council A) reads everything of council A's and books learners;
bob (facilitator) reads, takes registers so sees bookings, but can't book; a leader reads
products, deliveries and totals but never who is booked; charlie (council B), nina (national)
and erin (on the register, no staff role) get empty lists and 404s; erin reads the course she
co-delivers under /api/me/training.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.accounts.services import api_token_create
from powershare.audit.models import AccessEvent
from powershare.learning import selectors, services
from powershare.learning.models import (
    Attendance,
    Booking,
    BookingSource,
    BookingStatus,
    Delivery,
    DeliverySession,
    Learner,
    LearningOutcome,
    LearningProduct,
    ProductStatus,
    ProductVersion,
    SessionMode,
    SupportStage,
)
from powershare.payments.models import Payment, PaymentKind, PaymentStatus
from tests.personas import MARKER, sign_in

ERROR_KEYS = {"code", "detail", "errors"}
OUTSIDERS = ["charlie", "nina", "erin"]


def _url(name, **kwargs):
    return reverse(f"api-1.0:{name}", kwargs=kwargs)


@pytest.fixture
def leader(personas):
    """A leader in council A: sees learning, never learners' names."""
    user = User.objects.create_user(
        email="lena.leader@a.example", password="x" * 20, full_name="Lena Lewis"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


def _client(personas, name, leader=None) -> Client:
    """Staff by personal token; erin (who has no staff role) by her browser session."""
    if name == "erin":
        client = Client()
        sign_in(client, personas.erin)
        return client
    user = leader if name == "leader" else personas.by_name(name)
    _, plain = api_token_create(user=user, name="Tests")
    return Client(headers={"Authorization": f"Bearer {plain}"})


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    return body


def _product(personas, title, n=0, **fields):
    product = LearningProduct.objects.create(
        organisation=personas.council_a,
        slug=f"extra-{n}-{title.lower().replace(' ', '-')}"[:80],
        title=title,
        aims="Aims",
        audience=fields.pop("audience", "Social workers"),
        status=fields.pop("status", ProductStatus.DRAFT),
        created_by=personas.alice,
        **fields,
    )
    version = ProductVersion.objects.create(product=product, number=1)
    LearningOutcome.objects.create(version=version, position=1, text="Learn")
    return product


def _delivery(personas, product, *, capacity=10, site=None, days=10):
    return services.delivery_create(
        actor=personas.alice,
        product=product,
        site=site or personas.council_a,
        cohort="Extra cohort",
        capacity=capacity,
        sessions=[
            {
                "date": datetime.date.today() + datetime.timedelta(days=days),
                "starts_at": datetime.time(9, 30),
                "ends_at": datetime.time(12, 30),
                "mode": SessionMode.IN_PERSON,
                "venue": "Room 1",
            }
        ],
    )


def _learners(delivery, count, status=BookingStatus.BOOKED):
    for n in range(count):
        learner = Learner.objects.create(
            organisation_id=delivery.organisation_id,
            name=f"Learner {n:03d}",
            email=f"learner{n}.{delivery.pk}@example.org",
            job_role="Social worker",
            team="Team",
        )
        Booking.objects.create(
            delivery=delivery, learner=learner, status=status, source=BookingSource.STAFF
        )


# Products ------------------------------------------------------------------------------------


def test_alice_lists_her_councils_products(personas, samples):
    response = _client(personas, "alice").get(_url("learning_product_list"))
    assert response.status_code == 200
    body = response.json()
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id) == {samples["product"].pk, samples["erin_product"].pk}
    assert body["count"] == 2
    item = by_id[samples["product"].pk]
    assert item["title"] == f"Course {MARKER}"
    assert item["organisation_id"] == personas.council_a.pk
    assert item["status"] == "published"
    assert item["status_label"] == "Published"
    assert item["session_plan"] == "Two 3-hour sessions, two to four weeks apart"
    assert item["current_version"] == 1
    assert item["delivery_count"] == 1


def test_the_product_list_filters_by_status_and_search(personas, samples):
    _product(personas, "Draft about listening")
    client = _client(personas, "alice")
    drafts = client.get(_url("learning_product_list"), {"status": "draft"}).json()["items"]
    assert [p["title"] for p in drafts] == ["Draft about listening"]
    found = client.get(_url("learning_product_list"), {"search": "listening"}).json()["items"]
    assert sorted(p["title"] for p in found) == ["Draft about listening", "Listening well"]
    _assert_error(client.get(_url("learning_product_list"), {"status": "sideways"}), 422, "invalid")


def test_a_product_in_detail(personas, samples):
    product = samples["product"]
    version = samples["version"]
    LearningOutcome.objects.create(version=version, position=2, text="Second outcome")
    product.shaped_by_activities.add(samples["activity"])
    services.materials_flag_for_contributions(
        contribution_ids=[samples["contribution"].pk], reason="withdrawn"
    )
    response = _client(personas, "alice").get(
        _url("learning_product_detail", product_id=product.pk)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["current_version"] == 1
    assert body["aims"] == f"Aims of Course {MARKER}"
    assert body["sessions_planned"] == 2
    assert body["session_minutes"] == 180
    assert (body["interval_min_weeks"], body["interval_max_weeks"]) == (2, 4)
    assert body["version"]["number"] == 1
    assert [o["position"] for o in body["version"]["outcomes"]] == [1, 2]
    assert body["version"]["outcomes"][1]["text"] == "Second outcome"
    (material,) = body["version"]["materials"]
    assert material["id"] == samples["material"].pk
    assert material["kind"] == "handout"
    assert material["needs_updating"] is True
    assert material["needs_updating_reason"]
    assert material["download_path"] == reverse(
        "learning:material_download", args=[samples["material"].pk]
    )
    assert body["co_design_activity_ids"] == [samples["activity"].pk]


def test_attendance_totals_come_from_the_registers(personas, samples):
    delivery = samples["delivery"]
    _learners(delivery, 3)
    session = samples["session"]
    services.attendance_record_many(
        actor=personas.bob,
        session=session,
        attended_booking_ids=list(
            delivery.bookings.filter(learner__name__startswith="Learner 00").values_list(
                "pk", flat=True
            )[:2]
        )
        + [samples["booking"].pk],
    )
    table = selectors.product_attendance_totals(user=personas.alice, product=samples["product"])
    response = _client(personas, "alice").get(
        _url("learning_attendance_totals", product_id=samples["product"].pk)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["session_numbers"] == [1]
    (site,) = body["sites"]
    assert site["delivery_id"] == delivery.pk
    assert site["site"] == personas.council_a.name
    assert site["booked"] == 4
    assert site["sessions"] == [{"session": 1, "attended": table.rows[0].attended[1]}]
    assert body["totals"] == [{"session": 1, "attended": table.total_for(1)}]
    assert table.total_for(1) == 3


# Deliveries ----------------------------------------------------------------------------------


def test_deliveries_with_their_places(personas, samples):
    delivery = samples["delivery"]
    delivery.capacity = 3
    delivery.save()
    _learners(delivery, 1, BookingStatus.OFFERED)
    _learners(delivery, 2, BookingStatus.WAITING)
    client = _client(personas, "alice")
    body = client.get(_url("learning_delivery_list")).json()
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id) == {delivery.pk, samples["erin_delivery"].pk}
    item = by_id[delivery.pk]
    assert item["places"] == {"capacity": 3, "booked": 1, "offered": 1, "waiting": 2, "free": 1}
    assert item["product_id"] == samples["product"].pk
    assert item["version_number"] == 1
    assert item["site"] == personas.council_a.name
    assert item["first_date"] == samples["session"].date.isoformat()
    assert item["has_lived_experience"] is True
    only = client.get(_url("learning_delivery_list"), {"product_id": samples["product"].pk})
    assert [d["id"] for d in only.json()["items"]] == [delivery.pk]


def test_a_delivery_names_staff_and_describes_people_from_the_register_by_experience(
    personas, samples
):
    delivery = samples["delivery"]
    response = _client(personas, "bob").get(
        _url("learning_delivery_detail", delivery_id=delivery.pk)
    )
    assert response.status_code == 200
    body = response.json()
    (session,) = body["sessions"]
    assert session["date"] == samples["session"].date.isoformat()
    assert (session["starts_at"], session["ends_at"]) == ("09:30", "12:30")
    assert session["mode"] == "in_person"
    assert session["venue"] == "Council A offices"
    assert body["places"]["booked"] == 1
    members = body["team"]["members"]
    assert {
        "kind": "staff",
        "name": "Bob Brown",
        "experiences": ["professional"],
        "is_lead": True,
    } in members
    assert {
        "kind": "expert_by_experience",
        "name": None,
        "experiences": ["lived"],
        "is_lead": False,
    } in members
    assert body["team"]["has_lived_experience"] is True
    # The person from the register is never named, nor is anyone booked.
    assert samples["person"].full_name not in response.content.decode()
    assert samples["booking"].learner.name not in response.content.decode()


def test_staff_at_the_site_see_a_delivery_there(personas, samples):
    hosted = _delivery(personas, samples["erin_product"], site=personas.council_b)
    client = _client(personas, "charlie")
    listed = client.get(_url("learning_delivery_list")).json()["items"]
    assert [d["id"] for d in listed] == [hosted.pk]
    assert client.get(_url("learning_delivery_detail", delivery_id=hosted.pk)).status_code == 200
    # but not the product's own page, which belongs to council A
    _assert_error(
        client.get(_url("learning_product_detail", product_id=samples["erin_product"].pk)),
        404,
        "not_found",
    )


# Bookings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_register_takers_read_who_is_booked_and_it_is_logged(personas, samples, persona):
    delivery = samples["delivery"]
    response = _client(personas, persona).get(
        _url("learning_booking_list", delivery_id=delivery.pk)
    )
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["id"] == samples["booking"].pk
    assert item["status"] == "booked"
    assert item["source"] == "staff"
    assert item["learner"] == {
        "name": f"Learner {MARKER}",
        "email": "learner@a.example",
        "job_role": "Social worker",
        "team": "Team A",
    }
    (event,) = AccessEvent.objects.filter(subject_type=Delivery._meta.verbose_name)
    assert event.user == personas.by_name(persona)
    assert event.organisation_id == delivery.organisation_id
    assert event.subject_id == str(delivery.pk)
    assert "(API)" in event.description


def test_a_learner_erased_on_request_shows_as_null(personas, samples):
    services.learner_erase(actor=personas.alice, learner=samples["booking"].learner)
    response = _client(personas, "alice").get(
        _url("learning_booking_list", delivery_id=samples["delivery"].pk)
    )
    (item,) = response.json()["items"]
    assert item["learner"] is None
    assert item["status"] == "cancelled"  # nobody nameless keeps a place


def test_leaders_and_outsiders_never_see_who_is_booked(personas, samples, leader):
    delivery = samples["delivery"]
    url = _url("learning_booking_list", delivery_id=delivery.pk)
    leaders = _client(personas, "leader", leader)
    # A leader reads the delivery itself...
    assert leaders.get(_url("learning_delivery_detail", delivery_id=delivery.pk)).status_code == 200
    # ...but not its bookings.
    _assert_error(leaders.get(url), 404, "not_found")
    for persona in OUTSIDERS:
        _assert_error(_client(personas, persona).get(url), 404, "not_found")
    assert not AccessEvent.objects.filter(subject_type=Delivery._meta.verbose_name).exists()


def _book(client, delivery, **body):
    return client.post(
        _url("learning_booking_create", delivery_id=delivery.pk),
        {"name": "Dana Petrie", "email": "dana@example.org", **body},
        content_type="application/json",
    )


def test_alice_books_learners_and_a_full_delivery_puts_them_on_the_waiting_list(
    personas, samples, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = _delivery(personas, samples["erin_product"], capacity=1)
    client = _client(personas, "alice")
    with django_capture_on_commit_callbacks(execute=True):
        first = _book(client, delivery, job_role="Social worker", team="Duty")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "booked"
    assert body["source"] == "api"
    assert body["waiting_position"] is None
    assert body["learner"] == {
        "name": "Dana Petrie",
        "email": "dana@example.org",
        "job_role": "Social worker",
        "team": "Duty",
    }
    assert [m.to for m in mailoutbox] == [["dana@example.org"]]
    second = _book(client, delivery, name="Ellis Greig", email="ellis@example.org")
    assert second.status_code == 201
    assert second.json()["status"] == "waiting"
    assert second.json()["waiting_position"] == 1
    assert selectors.places(delivery=delivery).waiting == 1


def test_booking_refusals_are_422_field_by_field(personas, samples):
    delivery = _delivery(personas, samples["erin_product"])
    client = _client(personas, "alice")
    assert _book(client, delivery).status_code == 201
    body = _assert_error(_book(client, delivery), 422, "invalid")
    assert [e["field"] for e in body["errors"]] == ["email"]
    body = _assert_error(_book(client, delivery, name=" ", email="not-an-email"), 422, "invalid")
    assert {e["field"] for e in body["errors"]} == {"name", "email"}
    body = _assert_error(
        client.post(
            _url("learning_booking_create", delivery_id=delivery.pk),
            {"email": "x@example.org"},
            content_type="application/json",
        ),
        422,
        "invalid",
    )
    assert body["errors"][0]["field"] == "name"
    services.delivery_cancel(actor=personas.alice, delivery=delivery)
    body = _assert_error(_book(client, delivery, email="late@example.org"), 422, "invalid")
    assert "cancelled" in body["errors"][0]["message"]
    assert delivery.bookings.exclude(status=BookingStatus.CANCELLED).count() == 0


@pytest.mark.parametrize("persona", ["bob", "leader", *OUTSIDERS])
def test_only_staff_who_run_learning_may_book(personas, samples, leader, persona):
    delivery = samples["delivery"]
    before = Booking.objects.count()
    response = _book(_client(personas, persona, leader), delivery)
    _assert_error(response, 404, "not_found")
    assert Booking.objects.count() == before
    assert not Learner.objects.filter(email="dana@example.org").exists()


# Your own training ---------------------------------------------------------------------------


def test_erin_reads_the_course_she_co_delivers(personas, samples):
    response = _client(personas, "erin").get(_url("my_training"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == samples["erin_facilitator"].pk
    assert item["delivery_id"] == samples["erin_delivery"].pk
    assert item["product_title"] == "Listening well"
    assert item["experiences"] == ["lived"]
    assert [s["number"] for s in item["sessions"]] == [1]
    assert [m["title"] for m in item["materials"]] == ["Listening well handout"]
    assert item["materials"][0]["download_path"] == reverse(
        "portal:training_material", args=[samples["erin_material"].pk]
    )
    assert item["support"] == []
    assert item["payment"] is None
    assert MARKER not in response.content.decode()


def test_a_commissioned_trainer_sees_their_support_and_payment(personas, samples):
    from powershare.payments.tests import factories as pay

    pay.rate_card(personas.council_a, "2024-04-01")
    trainer = services.trainer_add(actor=personas.alice, person=personas.erin_person)
    commission = services.commission_create(
        actor=personas.alice,
        delivery=samples["delivery"],
        trainer=trainer,
        hours=Decimal("3"),
        support={
            SupportStage.BEFORE: {"plan": "Meet the week before", "support_person": personas.alice}
        },
    )
    body = _client(personas, "erin").get(_url("my_training")).json()
    mine = next(i for i in body["items"] if i["delivery_id"] == samples["delivery"].pk)
    assert [s["stage"] for s in mine["support"]] == ["after", "before", "during"]
    before = next(s for s in mine["support"] if s["stage"] == "before")
    assert before["plan"] == "Meet the week before"
    assert before["support_person"] == personas.alice.full_name
    payment = Payment.objects.get(pk=commission.payment_id)
    assert payment.kind == PaymentKind.FACILITATION
    assert mine["payment"] == {
        "reference": payment.reference,
        "amount": "60.00",
        "status": PaymentStatus.OWED,
        "status_label": "Owed",
        "paid_on": None,
    }


@pytest.mark.parametrize("persona", ["alice", "nina"])
def test_my_training_is_404_without_a_person_record(personas, persona):
    _assert_error(_client(personas, persona).get(_url("my_training")), 404, "not_found")


# Outsiders -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_learning_of_council_a(personas, samples, persona):
    client = _client(personas, persona)
    for name in ("learning_product_list", "learning_delivery_list"):
        response = client.get(_url(name))
        assert response.status_code == 200
        assert response.json() == {"items": [], "count": 0}
    product, delivery = samples["product"], samples["delivery"]
    for url in (
        _url("learning_product_detail", product_id=product.pk),
        _url("learning_attendance_totals", product_id=product.pk),
        _url("learning_delivery_detail", delivery_id=delivery.pk),
        _url("learning_booking_list", delivery_id=delivery.pk),
        _url("learning_product_detail", product_id=2**63 - 1),
    ):
        _assert_error(client.get(url), 404, "not_found")


def test_bob_reads_products_deliveries_and_totals(personas, samples):
    client = _client(personas, "bob")
    assert client.get(_url("learning_product_list")).json()["count"] == 2
    assert client.get(_url("learning_delivery_list")).json()["count"] == 2
    url = _url("learning_attendance_totals", product_id=samples["product"].pk)
    assert client.get(url).status_code == 200


def test_nobody_signed_in_gets_401(samples):
    for url in (_url("learning_product_list"), _url("my_training")):
        _assert_error(Client().get(url), 401, "not_authenticated")


# Fixed query counts --------------------------------------------------------------------------


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


def test_the_product_list_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "alice")
    url = _url("learning_product_list")
    client.get(url)  # the token's first use is recorded once
    for n in range(3):
        _product(personas, f"Few {n}", n)
    few, shown = _count(client, url)
    assert shown == 5
    for n in range(3, 30):
        _product(personas, f"Many {n}", n)
    many, shown = _count(client, url)
    assert shown == 32
    assert many == few


def test_the_delivery_list_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "alice")
    url = _url("learning_delivery_list")
    client.get(url)
    product = samples["erin_product"]
    for _ in range(3):
        _learners(_delivery(personas, product), 2)
    few, shown = _count(client, url)
    assert shown == 5
    for _ in range(27):
        _learners(_delivery(personas, product), 2)
    many, shown = _count(client, url)
    assert shown == 32
    assert many == few


def test_the_booking_list_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "alice")
    delivery = _delivery(personas, samples["erin_product"], capacity=100)
    url = _url("learning_booking_list", delivery_id=delivery.pk)
    client.get(url)
    _learners(delivery, 3)
    few, shown = _count(client, url)
    assert shown == 3
    _learners(delivery, 27)
    many, shown = _count(client, url)
    assert shown == 30
    assert many == few


def test_my_training_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "erin")
    url = _url("my_training")
    product = samples["erin_product"]
    few, shown = _count(client, url)
    assert shown == 1
    for _ in range(5):
        delivery = _delivery(personas, product)
        DeliverySession.objects.create(
            delivery=delivery,
            number=2,
            date=datetime.date.today() + datetime.timedelta(days=30),
            starts_at=datetime.time(9),
            ends_at=datetime.time(12),
            mode=SessionMode.ONLINE,
            online_link="https://meet.example.org/x",
        )
        services.facilitator_add(
            actor=personas.alice, delivery=delivery, person=personas.erin_person, lived=True
        )
    many, shown = _count(client, url)
    assert shown == 6
    assert many == few


# The schema ----------------------------------------------------------------------------------


def test_the_schema_still_builds_and_describes_learning(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/learning/products",
        "/api/learning/products/{product_id}",
        "/api/learning/products/{product_id}/attendance",
        "/api/learning/deliveries",
        "/api/learning/deliveries/{delivery_id}",
        "/api/learning/deliveries/{delivery_id}/bookings",
        "/api/me/training",
    ):
        assert path in paths, path
    bookings = paths["/api/learning/deliveries/{delivery_id}/bookings"]
    assert set(bookings) == {"get", "post"}
    assert "201" in bookings["post"]["responses"]
    assert "422" in bookings["post"]["responses"]


def test_counts_never_change_when_learners_are_deleted(personas, samples):
    """Attendance stays as counts after the learner's details go."""
    url = _url("learning_attendance_totals", product_id=samples["product"].pk)
    client = _client(personas, "alice")
    before = client.get(url).json()["totals"]
    services.learner_erase(actor=personas.alice, learner=samples["booking"].learner)
    assert Attendance.objects.filter(pk=samples["attendance"].pk).exists()
    assert client.get(url).json()["totals"] == before == [{"session": 1, "attended": 1}]
