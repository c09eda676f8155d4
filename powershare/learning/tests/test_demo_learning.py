"""The learning demo: the power-sharing product's attendance, counted from the registers by the
selector the pages use, is 38 and 33 (11/9 at Scottish Borders, 11/10 at Stirling, 16/14 at
West Lothian); Fife's course for newly qualified social workers has commissioned trainers with
payments owed, and a waiting list; loading it again changes nothing."""

import json
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.management.commands import demo_data
from powershare.accounts.models import User
from powershare.learning import demo as learning_demo
from powershare.learning import selectors
from powershare.learning.models import (
    BookingSource,
    BookingStatus,
    Delivery,
    LearningProduct,
    ProductStatus,
    SupportStage,
)
from powershare.payments.models import PaymentKind, PaymentStatus
from powershare.people.models import Person
from tests.html_tables import Tables

MODULE = "powershare.learning.demo"
HEATHER = "heather.lindsay@sg.example"
#: The source document's attendance table: site -> (session 1, session 2).
EXPECTED = {
    "Scottish Borders Council": (11, 9),
    "Stirling Council": (11, 10),
    "West Lothian Council": (16, 14),
}


def _load_demo(stdout):
    """The demo_data command, with this module in DEMO_MODULES (whether or not it is listed
    there yet)."""
    modules = demo_data.DEMO_MODULES
    if MODULE not in modules:
        modules = [*modules, MODULE]
    with mock.patch.object(demo_data, "DEMO_MODULES", modules):
        call_command("demo_data", "--force", stdout=stdout)


@pytest.fixture
def demo(demo_database, db):
    """The whole demo, loaded once for the run (see conftest.py)."""
    return demo_database


def _power_sharing():
    return LearningProduct.objects.get(
        organisation__name=learning_demo.SG, slug="power-sharing-with-experts-by-experience"
    )


def _fife_delivery():
    return Delivery.objects.get(
        product__organisation__name=learning_demo.FIFE, product__slug=learning_demo.FIFE_SLUG
    )


# The power-sharing product -------------------------------------------------------------------


def test_the_power_sharing_attendance_is_counted_from_the_registers(demo):
    product = _power_sharing()
    heather = User.objects.get(email=HEATHER)
    table = selectors.product_attendance_totals(user=heather, product=product)
    assert table.session_numbers == [1, 2]
    assert table.totals == {1: 38, 2: 33}
    assert {row.site: (row.attended[1], row.attended[2]) for row in table.rows} == EXPECTED
    # Some people booked did not come: bookings are more than attendance.
    for row in table.rows:
        assert row.booked > row.attended[1] >= row.attended[2]


def test_the_product_page_shows_those_figures_to_the_learning_lead(demo):
    product = _power_sharing()
    client = Client()
    client.force_login(User.objects.get(email=HEATHER))
    response = client.get(reverse("learning:product_detail", args=[product.pk]))
    assert response.status_code == 200
    parser = Tables()
    parser.feed(response.content.decode())
    (table,) = [t for t in parser.tables if "counted from the registers" in t["caption"]]
    shown = {}
    for row in table["rows"][1:]:
        site = next((name for name in [*EXPECTED, "Total"] if row[0].startswith(name)), None)
        shown[site] = tuple(int(cell) for cell in row[1:])
    assert shown == {**EXPECTED, "Total": (38, 33)}


def test_the_power_sharing_product_is_as_the_source_describes(demo):
    product = _power_sharing()
    assert product.status == ProductStatus.PUBLISHED
    assert product.owner.email == HEATHER
    assert product.session_plan == "Two 3-hour sessions, two to four weeks apart"
    assert product.prerequisite_learning
    version = selectors.version_current(product=product)
    assert version.number == 1
    assert version.published_at is not None
    assert version.outcomes.count() == 5
    record = selectors.co_design_record(product=product)
    assert len(record.activities) == 2
    assert record.hidden == 0
    ages = {c.person.age_band for c in record.contributions}
    assert {"16_17", "26_64"} <= ages  # adults and young people
    (slides,) = version.materials.all()
    assert slides.kind == "slides"
    (quote,) = selectors.material_quotes(material=slides)
    assert quote["usable"]
    for delivery in product.deliveries.all():
        check = selectors.team_check(delivery=delivery)
        assert check.has_lived_experience
        kinds = {f.user_id is not None for f in delivery.facilitators.all()}
        assert kinds == {True, False}  # staff and experts by experience from the register
        assert all(s.date.year == 2025 for s in delivery.sessions.all())
        assert all(s.date < timezone.localdate() for s in delivery.sessions.all())


def test_site_staff_see_their_delivery_and_its_register(demo):
    product = _power_sharing()
    gregor = User.objects.get(email="gregor.elliot@borders.example")
    (delivery,) = selectors.delivery_list_for(user=gregor)
    assert delivery.product == product
    assert delivery.site.name == "Scottish Borders Council"
    register = selectors.delivery_register(delivery=delivery)
    assert len(register.rows) == 13
    marks = [marks[s.pk] for _, marks in register.rows for s in register.sessions]
    assert marks.count(True) == 11 + 9
    assert None not in marks


# Fife: lived-experience trainers ---------------------------------------------------------------


def test_fifes_course_has_commissioned_trainers_with_payments_owed(demo):
    delivery = _fife_delivery()
    today = timezone.localdate()
    assert all(s.date > today for s in delivery.sessions.all())
    assert delivery.product.owner.email == "callum.reid@fife.example"
    pool = selectors.trainer_list_for(user=delivery.product.owner)
    assert pool.count() == 4
    commissions = list(selectors.commission_list(delivery=delivery))
    assert len(commissions) == 2
    for commission in commissions:
        assert commission.payment.kind == PaymentKind.FACILITATION
        assert commission.payment.status == PaymentStatus.OWED
        assert commission.payment.amount > 0
        assert commission.invitation.person == commission.trainer.person
        assert {s.stage for s in commission.support.all()} == set(SupportStage.values)
    done = [
        s
        for c in commissions
        for s in c.support.all()
        if s.stage == SupportStage.BEFORE and s.done_on is not None
    ]
    assert len(done) == 1
    team = list(selectors.facilitator_list(delivery=delivery))
    assert any(f.user_id and f.professional for f in team)
    assert sum(f.lived for f in team) == 2


def test_fifes_course_is_full_with_two_waiting(demo):
    delivery = _fife_delivery()
    places = selectors.places(delivery=delivery)
    assert places.booked == delivery.capacity
    assert places.free == 0
    assert places.waiting == 2
    sources = set(delivery.bookings.values_list("source", flat=True))
    assert sources == {BookingSource.STAFF, BookingSource.LINK}
    waiting = delivery.bookings.filter(status=BookingStatus.WAITING)
    assert all(b.source == BookingSource.LINK for b in waiting)


def test_jamie_sees_the_course_they_co_deliver(demo):
    jamie = Person.objects.get(organisation__name=learning_demo.FIFE, full_name="Jamie Wilson")
    client = Client()
    client.force_login(jamie.user)
    body = client.get(reverse("api-1.0:my_training")).json()
    (item,) = body["items"]
    assert item["product_title"] == "Lived experience in practice"
    assert item["payment"]["status"] == "owed"
    before = next(s for s in item["support"] if s["stage"] == "before")
    assert before["done_on"] is not None


def test_sam_docherty_still_signs_in_as_staff_and_as_himself(demo):
    sam = User.objects.get(email="sam.docherty@rlp.example")
    assert sam.memberships.filter(organisation__name="Resilience Learning Partnership").exists()
    client = Client()
    client.force_login(sam)
    response = client.get(reverse("api-1.0:my_training"))
    assert response.status_code == 200
    assert response.json()["count"] == 0


# Loading -------------------------------------------------------------------------------------


def _row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("learning").get_models()
    }


def test_running_it_again_changes_nothing(demo):
    first = _row_counts()
    assert first["learning.Attendance"] > 0
    out = StringIO()
    _load_demo(out)
    assert _row_counts() == first
    assert "nothing to change" in out.getvalue()
    assert learning_demo.load() == 0


def test_it_says_what_it_loaded_and_lists_its_logins(demo):
    assert "Learning:" in demo
    for email in User.objects.values_list("email", flat=True):
        assert email not in demo
    out = StringIO()
    call_command("demo_data", "--list-logins", "--format", "json", stdout=out)
    emails = {login["email"] for login in json.loads(out.getvalue())}
    assert HEATHER in emails
    assert {login["email"] for login in learning_demo.LOGINS} <= emails
    for login in learning_demo.LOGINS:
        assert User.objects.get(email=login["email"]).check_password(login["password"])
