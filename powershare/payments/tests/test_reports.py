"""Payment reports: spending per activity, organisation and tax year, and how long people
waited to be paid, checked against payments built for the purpose with known figures.

alice (participation lead, council A) sees them; bob (facilitator), nina and erin get 404;
charlie (council B) sees his own council's figures and nothing of council A's.
"""

import csv
import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.engagement.tests import factories as make
from powershare.payments import selectors, services
from powershare.payments.models import PaymentKind, TimeUnit
from tests.personas import MARKER, PASSWORD

YEAR = datetime.date(2024, 4, 6)
REPORTS = "payments:reports"


@pytest.fixture
def approver(personas):
    user = User.objects.create_user(
        email="lee.lead@a.example", password=PASSWORD, full_name="Lee Lead"
    )
    Membership.objects.create(
        user=user, organisation=personas.council_a, role=Role.PARTICIPATION_LEAD
    )
    return user


def _payment(
    personas,
    approver,
    person,
    worked_on,
    *,
    activity=None,
    unit="hours",
    quantity="1",
    paid_on=None,
    approve=True,
    description="Work",
):
    payment = services.payment_create(
        actor=personas.alice,
        person=person,
        kind=PaymentKind.TASK,
        activity=activity,
        description=description,
        worked_on=worked_on,
        time_unit=unit,
        quantity=quantity,
    )
    if approve:
        payment = services.payment_approve(actor=approver, payment=payment)
    if paid_on:
        payment = services.payment_mark_paid(
            actor=personas.alice, payment=payment, paid_on=paid_on, finance_reference="F"
        )
    return payment


def _claim(personas, approver, person, activity, incurred_on, amount):
    claim = services.claim_create(actor=personas.alice, person=person, activity=activity)
    services.claim_line_add(
        actor=personas.alice, claim=claim, kind="taxi", incurred_on=incurred_on, amount=amount
    )
    services.claim_submit(actor=personas.alice, claim=claim)
    return services.claim_approve(actor=approver, claim=claim)


@pytest.fixture
def year_of_payments(personas, samples, approver):
    """Council A's tax year 2024 to 2025, with known figures (hourly £20, half day £75, full
    day £140 on the sample rate card)."""
    person = samples["person"]
    panel = make.activity(personas.council_a, "Panel on housing")
    workshop = make.activity(personas.council_a, "Workshop on leaflets")
    walk = make.activity(personas.council_a, "Walk round the centre")
    d = datetime.date
    made = {
        # Panel: paid after 9 days, paid after 19 days (late), approved and never paid (late).
        "p1": _payment(
            personas,
            approver,
            person,
            d(2024, 5, 1),
            activity=panel,
            quantity="2",
            paid_on=d(2024, 5, 10),
        ),
        "p2": _payment(
            personas,
            approver,
            person,
            d(2024, 5, 1),
            activity=panel,
            unit=TimeUnit.FULL_DAY,
            paid_on=d(2024, 5, 20),
        ),
        "p3": _payment(
            personas,
            approver,
            personas.erin_person,
            d(2024, 6, 3),
            activity=panel,
            unit=TimeUnit.HALF_DAY,
        ),
        # Workshop: paid after exactly 14 days (on time), and one still owed (late, not spent).
        "q1": _payment(
            personas,
            approver,
            person,
            d(2024, 7, 1),
            activity=workshop,
            paid_on=d(2024, 7, 15),
        ),
        "q2": _payment(
            personas,
            approver,
            person,
            d(2024, 7, 1),
            activity=workshop,
            quantity="2",
            approve=False,
        ),
        # No activity: the last day of the tax year, paid 2 days later.
        "t1": _payment(
            personas,
            approver,
            person,
            d(2025, 4, 5),
            quantity="3",
            paid_on=d(2025, 4, 7),
        ),
        # Other tax years.
        "before": _payment(personas, approver, person, d(2023, 12, 1), paid_on=d(2023, 12, 5)),
        "after": _payment(personas, approver, person, d(2025, 4, 6)),
    }
    cancelled = _payment(personas, approver, person, d(2024, 8, 1), quantity="5")
    services.payment_cancel(actor=personas.alice, payment=cancelled, reason="Recorded twice")
    made["cancelled"] = cancelled
    made["panel_claim"] = _claim(personas, approver, person, panel, d(2024, 5, 1), "12.40")
    made["walk_claim"] = _claim(personas, approver, person, walk, d(2024, 9, 1), "8.00")
    made["activities"] = {"panel": panel, "workshop": workshop, "walk": walk}
    return made


def _page(response) -> str:
    return html.unescape(response.content.decode())


# The selectors' figures ----------------------------------------------------------------------


def test_spend_per_activity_counts_approved_and_paid_fees_and_expenses(personas, year_of_payments):
    report = selectors.spend_report(user=personas.alice, year_start=YEAR)
    panel = year_of_payments["activities"]["panel"]
    workshop = year_of_payments["activities"]["workshop"]
    rows = [
        (row["activity_id"], row["payments"], row["fees"], row["expenses"])
        for row in report.by_activity
    ]
    assert rows[:3] == [
        (panel.pk, 3, Decimal("255.00"), Decimal("12.40")),
        (None, 1, Decimal("60.00"), Decimal("0.00")),
        (workshop.pk, 1, Decimal("20.00"), Decimal("0.00")),
    ]


def test_spend_per_activity_includes_activities_with_only_expenses(personas, year_of_payments):
    report = selectors.spend_report(user=personas.alice, year_start=YEAR)
    walk = year_of_payments["activities"]["walk"]
    assert walk.pk in {row["activity_id"] for row in report.by_activity}
    assert sum(row["expenses"] for row in report.by_activity) == Decimal("20.40")


def test_spend_per_organisation_and_per_tax_year(personas, year_of_payments):
    report = selectors.spend_report(user=personas.alice, year_start=YEAR)
    assert report.year_end == datetime.date(2025, 4, 5)
    assert [
        (row["organisation_id"], row["payments"], row["fees"], row["expenses"])
        for row in report.by_organisation
    ] == [(personas.council_a.pk, 5, Decimal("335.00"), Decimal("20.40"))]
    assert [(row["start"], row["fees"], row["expenses"]) for row in report.by_year] == [
        (datetime.date(2023, 4, 6), Decimal("20.00"), Decimal("0.00")),
        (datetime.date(2024, 4, 6), Decimal("335.00"), Decimal("20.40")),
        (datetime.date(2025, 4, 6), Decimal("20.00"), Decimal("0.00")),
    ]


def test_timeliness_counts_on_time_payments_the_median_and_the_late_ones(
    personas, year_of_payments
):
    figures = selectors.timeliness(user=personas.alice, year_start=YEAR, target_days=14)
    assert figures["counts"] == {"paid": 4, "on_time": 3}
    # Days waited: 2, 9, 14 and 19.
    assert figures["median_days"] == 11.5
    made = year_of_payments
    assert list(figures["late"]) == [made["p2"], made["p3"], made["q2"]]


def test_a_shorter_target_makes_more_payments_late(personas, year_of_payments):
    figures = selectors.timeliness(user=personas.alice, year_start=YEAR, target_days=10)
    assert figures["counts"] == {"paid": 4, "on_time": 2}
    made = year_of_payments
    assert list(figures["late"]) == [made["p2"], made["p3"], made["q1"], made["q2"]]


def test_nobody_outside_council_a_counts_its_payments(personas, year_of_payments):
    for user in (personas.charlie, personas.bob, personas.nina, personas.erin):
        report = selectors.spend_report(user=user, year_start=YEAR)
        assert report.by_activity == []
        assert report.by_organisation == []
        figures = selectors.timeliness(user=user, year_start=YEAR)
        assert figures["counts"] == {"paid": 0, "on_time": 0}
        assert figures["median_days"] is None
        assert list(figures["late"]) == []


# The page ------------------------------------------------------------------------------------


def test_the_reports_page_shows_the_figures(client_for, personas, year_of_payments):
    response = client_for("alice").get(reverse(REPORTS), {"year": 2024})
    assert response.status_code == 200
    page = _page(response)
    assert "Tax year 2024 to 2025" in page
    assert "3 of 4 (75%) payments" in page
    assert "11.5 days" in page
    made = year_of_payments
    today = timezone.localdate()
    assert "Paid after 19 days" in page
    assert f"Not paid yet, {(today - made['p3'].worked_on).days:,} days" in page
    assert reverse("payments:payment_detail", args=[made["p2"].pk]) in page
    assert "3 payments: 1 paid late and 2 not paid yet" in page
    assert "£255.00" in page
    assert "£12.40" in page
    assert "£267.40" in page
    assert "£335.00" in page
    assert "£20.40" in page
    assert "Not for an activity" in page


def test_the_organisations_target_is_used(client_for, personas, year_of_payments):
    services.payment_settings_update(
        actor=personas.admin, organisation_id=personas.council_a.pk, pay_within_days=10
    )
    page = _page(client_for("alice").get(reverse(REPORTS), {"year": 2024}))
    assert "within 10 days of taking part" in page
    assert "2 of 4 (50%) payments" in page


def test_the_late_list_is_where_the_home_page_links_and_names_the_target(
    client_for, personas, year_of_payments
):
    services.payment_settings_update(
        actor=personas.admin, organisation_id=personas.council_a.pk, pay_within_days=10
    )
    page = _page(client_for("alice").get(reverse(REPORTS), {"year": 2024}))
    # The home page's "waiting more than the target" links to reports#late.
    assert (
        '<h4 id="late">Late payments: more than 10 days from taking part to being paid</h4>' in page
    )
    assert "4 payments: 2 paid late and 2 not paid yet" in page


def test_payments_still_waiting_from_an_earlier_tax_year_are_pointed_to(
    client_for, personas, year_of_payments
):
    # Tax year 2025 to 2026: the 2024 payments still not paid (p3 approved, q2 owed) are
    # past the target; the one of 6 April 2025 ("after") is in the year itself.
    response = client_for("alice").get(reverse(REPORTS), {"year": 2025})
    page = _page(response)
    assert (
        "2 payments for time taken part before this tax year are also past the target and not "
        "paid yet." in page
    )
    assert 'href="?year=2024#late"' in page
    # The year they belong to lists them itself, and points to nothing earlier.
    page = _page(client_for("alice").get(reverse(REPORTS), {"year": 2024}))
    assert "before this tax year" not in page


def test_the_spending_tables_say_what_paid_for_time_includes(client_for, personas, samples):
    """Vouchers and gifts to charity are spending too: the column counts every method, and
    says so, unlike the fees in a person's benefits-aware totals."""
    from powershare.payments.models import PaymentMethod, PaymentStatus
    from powershare.payments.tests import factories

    person = samples["person"]
    for method, amount in (
        (PaymentMethod.BANK_TRANSFER, "10.00"),
        (PaymentMethod.PAYROLL, "20.00"),
        (PaymentMethod.VOUCHER, "40.00"),
        (PaymentMethod.DONATE, "80.00"),
    ):
        factories.payment(
            person,
            amount,
            worked_on=datetime.date(2024, 5, 1),
            method=method,
            status=PaymentStatus.APPROVED,
            charity="Shelter" if method == PaymentMethod.DONATE else "",
        )
    factories.payment(
        person, "160.00", worked_on=datetime.date(2024, 5, 1), status=PaymentStatus.DECLINED
    )
    client = client_for("alice")
    page = _page(client.get(reverse(REPORTS), {"year": 2024}))
    assert 'Paid for time <span class="ps-meta">(all methods)</span>' in page
    assert ">Fees<" not in page
    assert "however it was paid: bank transfer, payroll, voucher or a gift to a charity" in page
    assert "which count bank transfers and payroll only, with vouchers counted apart" in page
    assert "£150.00" in page  # 10 + 20 + 40 + 80; the declined payment is not spent
    response = client.get(reverse(REPORTS), {"year": 2024, "download": "organisations"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Organisation",
        "Number of payments",
        "Paid for time (all methods)",
        "Expenses",
        "Total",
    ]
    assert rows[1][1:3] == ["4", "150.00"]


def test_the_current_tax_year_is_shown_unless_another_is_chosen(client_for, samples):
    start = datetime.date(timezone.localdate().year, 4, 6)
    if timezone.localdate() < start:
        start = start.replace(year=start.year - 1)
    page = _page(client_for("alice").get(reverse(REPORTS)))
    assert f"Tax year {start.year} to {start.year + 1}" in page
    wrong = client_for("alice").get(reverse(REPORTS), {"year": "1066"})
    assert wrong.status_code == 200
    assert "Choose a tax year from the list" in _page(wrong)
    assert f"Tax year {start.year} to {start.year + 1}" in _page(wrong)


def test_each_table_downloads_as_csv(client_for, personas, year_of_payments):
    client = client_for("alice")

    def rows(kind):
        response = client.get(reverse(REPORTS), {"year": 2024, "download": kind})
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="payments-{kind}-2024-2025.csv"'
        )
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    assert rows("activities")[1] == ["Panel on housing", "3", "255.00", "12.40", "267.40"]
    assert rows("organisations")[1] == [personas.council_a.name, "5", "335.00", "20.40", "355.40"]
    assert rows("years")[2] == ["2024 to 2025", "335.00", "20.40", "355.40"]
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EXPORTED).exists()
    late = rows("late")
    assert [row[0] for row in late[1:]] == [
        year_of_payments["p2"].reference,
        year_of_payments["p3"].reference,
        year_of_payments["q2"].reference,
    ]
    assert late[1][-1] == "Paid after 19 days"
    assert AccessEvent.objects.filter(action=AccessEvent.Action.EXPORTED).count() == 1


def test_the_late_list_runs_a_fixed_number_of_queries(client_for, personas, samples, approver):
    client = client_for("alice")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from powershare.payments.models import Payment, PaymentMethod, PaymentStatus

    def add(count):
        Payment.objects.bulk_create(
            Payment(
                organisation=personas.council_a,
                person=samples["person"],
                kind=PaymentKind.TASK,
                description="Bulk",
                worked_on=datetime.date(2024, 5, 1),
                amount=Decimal("10.00"),
                method=PaymentMethod.BANK_TRANSFER,
                status=PaymentStatus.APPROVED,
                created_by=personas.alice,
            )
            for _ in range(count)
        )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(REPORTS), {"year": 2024}).status_code == 200
        return len(queries)

    add(10)
    few = count_queries()
    add(990)
    assert count_queries() == few


@pytest.mark.parametrize("persona", ["bob", "nina", "erin"])
def test_people_who_cant_see_payments_get_404(client_for, samples, persona):
    assert client_for(persona).get(reverse(REPORTS)).status_code == 404


def test_charlie_sees_nothing_of_council_a(client_for, personas, year_of_payments):
    response = client_for("charlie").get(reverse(REPORTS), {"year": 2024})
    assert response.status_code == 200
    page = _page(response)
    assert MARKER not in page
    assert "Panel on housing" not in page
    assert "No payments were approved for this tax year." in page
    late = client_for("charlie").get(reverse(REPORTS), {"year": 2024, "download": "late"})
    text = b"".join(late.streaming_content).decode("utf-8-sig")
    assert year_of_payments["p2"].reference not in text
