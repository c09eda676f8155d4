"""CSV and Excel downloads of learning: the product and delivery lists, a product's
attendance totals and a delivery's register.

Lists and totals hold no personal data, so anyone whose role can see learning downloads them
(scoped like the pages). A register names learners: for staff who take registers in the
delivery's organisation or at its site, written to the access log; leaders and other
organisations get 404. Every download runs a fixed number of queries.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.learning import selectors, services
from powershare.learning.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Delivery,
    DeliverySession,
    Learner,
    SessionMode,
)
from powershare.lib.exports import XLSX_TYPE
from tests.personas import MARKER


@pytest.fixture
def leader(personas):
    user = User.objects.create_user(
        email="lena.leader@a.example", password="x" * 20, full_name="Lena Lewis"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _delivery(personas, product, *, site=None, sessions=2):
    today = datetime.date.today()
    return services.delivery_create(
        actor=personas.alice,
        product=product,
        site=site or personas.council_a,
        cohort="Export cohort",
        capacity=100,
        sessions=[
            {
                "date": today + datetime.timedelta(days=10 + 14 * n),
                "starts_at": datetime.time(9, 30),
                "ends_at": datetime.time(12, 30),
                "mode": SessionMode.IN_PERSON,
                "venue": "Room 1",
            }
            for n in range(sessions)
        ],
    )


def _book(delivery, count, *, prefix="Learner"):
    bookings = []
    for n in range(count):
        learner = Learner.objects.create(
            organisation_id=delivery.organisation_id,
            name=f"{prefix} {n:03d}",
            email=f"{prefix.lower()}{n}.{delivery.pk}@example.org",
            job_role="Social worker",
            team="Duty team",
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


# Products and deliveries ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_the_product_list_downloads_as_csv(client_for, samples, persona):
    rows = _rows(client_for(persona).get(reverse("learning:product_export")))
    assert rows[0][:3] == ["Title", "Owned by", "Status"]
    titles = {row[0] for row in rows[1:]}
    assert titles == {f"Course {MARKER}", "Listening well"}
    course = next(row for row in rows[1:] if row[0] == f"Course {MARKER}")
    assert course[2] == "Published"
    assert course[5] == "Two 3-hour sessions, two to four weeks apart"
    assert course[6:] == ["1", "1"]


def test_the_product_list_keeps_its_filters_and_downloads_as_excel(client_for, samples):
    client = client_for("alice")
    rows = _rows(client.get(reverse("learning:product_export"), {"q": "listening"}))
    assert [row[0] for row in rows[1:]] == ["Listening well"]
    assert _rows(client.get(reverse("learning:product_export"), {"status": "draft"}))[1:] == []
    response = client.get(reverse("learning:product_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Title"
    assert {row[0] for row in values[1:]} == {f"Course {MARKER}", "Listening well"}


def test_the_delivery_list_downloads_with_places(client_for, samples):
    rows = _rows(client_for("alice").get(reverse("learning:delivery_export")))
    header, *body = rows
    assert header[:5] == ["Product", "Version", "Owned by", "Site", "Cohort"]
    assert len(body) == 2
    row = next(r for r in body if r[0] == f"Course {MARKER}")
    assert row[4] == f"Cohort {MARKER}"
    assert row[5] == samples["session"].date.isoformat()
    assert row[7:11] == ["12", "1", "0", "0"]
    assert row[11] == "Yes"  # lived experience on the team
    only = _rows(
        client_for("alice").get(
            reverse("learning:delivery_export"), {"product": samples["erin_product"].pk}
        )
    )
    assert [r[0] for r in only[1:]] == ["Listening well"]


@pytest.mark.parametrize("name", ["learning:product_export", "learning:delivery_export"])
def test_other_councils_download_none_of_council_as_and_others_get_404(client_for, samples, name):
    rows = _rows(client_for("charlie").get(reverse(name)))
    assert rows[1:] == []
    for persona in ("nina", "erin"):
        assert client_for(persona).get(reverse(name)).status_code == 404
    assert client_for(None).get(reverse(name)).status_code == 302


def test_list_downloads_run_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    product = samples["erin_product"]

    def count(name):
        with CaptureQueriesContext(connection) as queries:
            rows = _rows(client.get(reverse(name)))
        return len(queries), len(rows)

    for _ in range(3):
        _book(_delivery(personas, product), 2)
    few = count("learning:delivery_export")
    few_products = count("learning:product_export")
    for _ in range(27):
        _book(_delivery(personas, product), 2)
    many = count("learning:delivery_export")
    assert many[1] == few[1] + 27
    assert many[0] == few[0]
    assert count("learning:product_export")[0] == few_products[0]


# Attendance totals ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "leader"])
def test_attendance_totals_download_as_the_table(client_for, personas, samples, leader, persona):
    delivery = samples["delivery"]
    bookings = _book(delivery, 4)
    services.attendance_record_many(
        actor=personas.bob,
        session=samples["session"],
        attended_booking_ids=[b.pk for b in bookings[:2]] + [samples["booking"].pk],
    )
    client = client_for(persona) if persona != "leader" else _signed_in(client_for, leader)
    rows = _rows(
        client.get(reverse("learning:product_attendance_export", args=[samples["product"].pk]))
    )
    table = selectors.product_attendance_totals(user=personas.alice, product=samples["product"])
    assert rows[0] == ["Site", "Cohort", "Booked", "Session 1 attended"]
    assert rows[1] == [personas.council_a.name, f"Cohort {MARKER}", "5", "3"]
    assert rows[-1] == ["Total", "", "5", str(table.total_for(1))]
    # Counts only, never who.
    assert "Learner" not in str(rows)


def _signed_in(client_for, user):
    client = client_for(None)
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["charlie", "nina", "erin"])
def test_attendance_totals_of_another_council_are_404(client_for, samples, persona):
    url = reverse("learning:product_attendance_export", args=[samples["product"].pk])
    assert client_for(persona).get(url).status_code == 404


# The register --------------------------------------------------------------------------------


def test_the_register_has_one_row_per_learner_and_a_mark_per_session(client_for, personas, samples):
    delivery = _delivery(personas, samples["erin_product"])
    ann, ben, cat = _book(delivery, 3, prefix="Person")
    first, second = delivery.sessions.order_by("number")
    services.attendance_record_many(
        actor=personas.bob, session=first, attended_booking_ids=[ann.pk, cat.pk]
    )
    services.attendance_record(actor=personas.bob, session=second, booking=ann, attended=True)
    rows = _rows(client_for("bob").get(reverse("learning:register_export", args=[delivery.pk])))
    assert rows[0] == [
        "Name",
        "Email",
        "Job role",
        "Team",
        f"Session 1 ({first.date:%-d %b %Y})",
        f"Session 2 ({second.date:%-d %b %Y})",
    ]
    assert rows[1:] == [
        ["Person 000", ann.learner.email, "Social worker", "Duty team", "Attended", "Attended"],
        ["Person 001", ben.learner.email, "Social worker", "Duty team", "Not there", "Not marked"],
        ["Person 002", cat.learner.email, "Social worker", "Duty team", "Attended", "Not marked"],
    ]
    (event,) = AccessEvent.objects.filter(subject_type=Delivery._meta.verbose_name)
    assert event.user == personas.bob
    assert event.action == AccessEvent.Action.EXPORTED
    assert event.subject_id == str(delivery.pk)


def test_the_register_leaves_out_people_waiting_and_cancelled_and_defuses_formulas(
    client_for, personas, samples
):
    delivery = _delivery(personas, samples["erin_product"], sessions=1)
    _book(delivery, 1, prefix="=HYPERLINK")
    for status in (BookingStatus.WAITING, BookingStatus.CANCELLED):
        (booking,) = _book(delivery, 1, prefix=f"Not {status}")
        Booking.objects.filter(pk=booking.pk).update(status=status)
    rows = _rows(
        client_for("alice").get(
            reverse("learning:register_export", args=[delivery.pk]), {"format": "csv"}
        )
    )
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK 000"]


def test_the_register_downloads_as_excel(client_for, samples):
    url = reverse("learning:register_export", args=[samples["delivery"].pk])
    response = client_for("alice").get(url, {"format": "xlsx"})
    assert response["Content-Type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:2] == [f"Learner {MARKER}", "learner@a.example"]
    assert values[1][4] == "Attended"


@pytest.mark.parametrize("persona", ["leader", "charlie", "nina", "erin", "dora"])
def test_leaders_and_other_organisations_get_404_for_a_register(
    client_for, personas, samples, leader, persona
):
    url = reverse("learning:register_export", args=[samples["delivery"].pk])
    client = _signed_in(client_for, leader) if persona == "leader" else client_for(persona)
    assert client.get(url).status_code == 404
    assert not AccessEvent.objects.filter(subject_type=Delivery._meta.verbose_name).exists()


def test_staff_at_the_site_download_its_register(client_for, personas, samples):
    hosted = _delivery(personas, samples["erin_product"], site=personas.council_b)
    _book(hosted, 2)
    rows = _rows(client_for("charlie").get(reverse("learning:register_export", args=[hosted.pk])))
    assert len(rows) == 3
    url = reverse("learning:register_export", args=[samples["delivery"].pk])
    assert client_for("charlie").get(url).status_code == 404


def test_the_register_runs_a_fixed_number_of_queries(client_for, personas, samples):
    delivery = _delivery(personas, samples["erin_product"])
    client = client_for("alice")
    url = reverse("learning:register_export", args=[delivery.pk])
    sessions = list(delivery.sessions.order_by("number"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = _rows(client.get(url))
        return len(queries), len(rows) - 1

    def mark_all():
        for session in sessions:
            services.attendance_record_many(
                actor=personas.alice,
                session=session,
                attended_booking_ids=list(
                    delivery.bookings.filter(status=BookingStatus.BOOKED).values_list(
                        "pk", flat=True
                    )
                ),
            )

    _book(delivery, 3)
    mark_all()
    few, shown = count()
    assert shown == 3
    _book(delivery, 27, prefix="More")
    DeliverySession.objects.create(
        delivery=delivery,
        number=3,
        date=sessions[-1].date + datetime.timedelta(days=14),
        starts_at=datetime.time(9),
        ends_at=datetime.time(12),
        mode=SessionMode.ONLINE,
        online_link="https://meet.example.org/x",
    )
    mark_all()
    many, shown = count()
    assert shown == 30
    assert many == few
