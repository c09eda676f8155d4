"""A person's totals, counted by the day of the involvement: fees and vouchers per week (Monday
to Sunday), calendar month and tax year (6 April to 5 April), compared with a naive sum in
Python for random payments around the boundaries. Expenses are never earnings; the warning
before approval is only for people who said payments might affect their benefits."""

import calendar
import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powershare.payments import selectors
from powershare.payments.models import (
    ClaimStatus,
    ExpenseClaim,
    ExpenseKind,
    ExpenseLine,
    Payment,
    PaymentChoice,
    PaymentMethod,
    PaymentStatus,
)

from . import factories as make

FIRST_YEAR, LAST_YEAR = 2023, 2028
COUNTED = {PaymentStatus.OWED, PaymentStatus.APPROVED, PaymentStatus.PAID}
FEES = {PaymentMethod.BANK_TRANSFER, PaymentMethod.PAYROLL}


# ---------------------------------------------------------------------------------------------
# The naive answer, written without the code under test


def _tax_year(day: datetime.date) -> int:
    """The calendar year in which the day's tax year began."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


def _same_period(key: str, day: datetime.date, on: datetime.date) -> bool:
    if key == "week":
        return day.isocalendar()[:2] == on.isocalendar()[:2]
    if key == "month":
        return (day.year, day.month) == (on.year, on.month)
    return _tax_year(day) == _tax_year(on)


def _naive(rows: list[tuple], on: datetime.date) -> dict[str, tuple[Decimal, Decimal]]:
    """{period: (fees, vouchers)} from (worked_on, amount, method, status) rows."""
    totals = {}
    for key in ("week", "month", "tax_year"):
        fees = vouchers = Decimal("0.00")
        for worked_on, amount, method, status in rows:
            if status not in COUNTED or not _same_period(key, worked_on, on):
                continue
            if method in FEES:
                fees += amount
            elif method == PaymentMethod.VOUCHER:
                vouchers += amount
        totals[key] = (fees, vouchers)
    return totals


# ---------------------------------------------------------------------------------------------
# Dates that bunch around the edges: 5, 6 and 7 April, the ends of months and weeks


YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
#: The last and first days of tax years, and the days either side.
TAX_YEAR_EDGES = [datetime.date(year, 4, d) for year in YEARS for d in (4, 5, 6, 7)]
#: The last and first days of months.
MONTH_EDGES = [
    datetime.date(year, month, d)
    for year in YEARS
    for month in range(1, 13)
    for d in (1, calendar.monthrange(year, month)[1])
]
#: Sundays and Mondays.
WEEK_EDGES = [
    monday + datetime.timedelta(days=d)
    for monday in (
        datetime.date(FIRST_YEAR, 1, 2) + datetime.timedelta(weeks=w) for w in range(52 * 6)
    )
    for d in (-1, 0)
]
EDGES = TAX_YEAR_EDGES + MONTH_EDGES


def _shifted(edges, most: int):
    return st.builds(
        lambda edge, shift: edge + datetime.timedelta(days=shift),
        st.sampled_from(edges),
        st.integers(min_value=-most, max_value=most),
    )


any_days = st.dates(
    min_value=datetime.date(FIRST_YEAR, 1, 1), max_value=datetime.date(LAST_YEAR, 12, 31)
)
days = st.one_of(
    _shifted(TAX_YEAR_EDGES, 1),
    _shifted(MONTH_EDGES, 2),
    _shifted(WEEK_EDGES, 1),
    any_days,
)
# Pence, including corrections that take money off.
amounts = st.integers(min_value=-20_000, max_value=60_000).map(lambda p: Decimal(p) / 100)
expense_rows = st.lists(
    st.tuples(
        days,
        st.integers(min_value=1, max_value=50_000).map(lambda p: Decimal(p) / 100),
        st.sampled_from(ClaimStatus.values),
        st.sampled_from(ExpenseKind.values),
    ),
    max_size=8,
)

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _store(person, rows) -> None:
    Payment.objects.bulk_create(
        [
            make.payment(person, amount, worked_on=day, method=method, status=status, save=False)
            for day, amount, method, status in rows
        ]
    )


def _store_expenses(person, rows) -> None:
    for day, amount, status, kind in rows:
        claim = make.claim(person, status=status)
        make.line(claim, amount, incurred_on=day, kind=kind)


def _as_dict(totals) -> dict[str, tuple[Decimal, Decimal]]:
    return {t.period.key: (t.fees, t.vouchers) for t in totals}


def _near(centre: datetime.date, days_either_side: int = 10):
    return st.integers(min_value=-days_either_side, max_value=days_either_side).map(
        lambda shift: centre + datetime.timedelta(days=shift)
    )


def _payment_rows(on_days, max_size=25):
    return st.lists(
        st.tuples(
            on_days,
            amounts,
            st.sampled_from(PaymentMethod.values),
            st.sampled_from(PaymentStatus.values),
        ),
        max_size=max_size,
    )


@HYPOTHESIS
@given(data=st.data(), centre=days, expenses=expense_rows)
def test_totals_equal_a_naive_sum_for_every_week_month_and_tax_year(
    personas, data, centre, expenses
):
    # Most payments bunch within ten days of one edge (a week, a month, a tax year, or all
    # three); the rest are anywhere in six years.
    near = _near(centre)
    rows = data.draw(_payment_rows(st.one_of(near, near, days)), label="rows")
    person = make.person(personas.council_a)
    _store(person, rows)
    # Someone else's payments, on the same days, never count in this person's totals.
    others = data.draw(_payment_rows(near, max_size=6), label="others")
    _store(make.person(personas.council_a), others)
    on = data.draw(st.one_of(near, st.sampled_from([r[0] for r in rows] or EDGES)), label="on")

    totals = selectors.earnings_totals(person=person, on=on)
    assert [t.period.key for t in totals] == ["week", "month", "tax_year"]
    assert _as_dict(totals) == _naive(rows, on)
    for total in totals:
        assert total.period.start <= on <= total.period.end
        assert total.fees == total.fees.quantize(Decimal("0.01"))

    # Expense claims of every kind and status change nothing: expenses are never earnings.
    _store_expenses(person, expenses)
    assert _as_dict(selectors.earnings_totals(person=person, on=on)) == _naive(rows, on)

    # The portal's yearly figures agree, with expenses kept apart.
    year = selectors.tax_year_totals_for_person(person=person, today=on)
    fees, vouchers = _naive(rows, on)["tax_year"]
    assert (year["fees"], year["vouchers"]) == (fees, vouchers)
    assert year["start"] == datetime.date(_tax_year(on), 4, 6)
    assert year["end"] == datetime.date(_tax_year(on) + 1, 4, 5)
    sent = (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)
    assert year["expenses"] == sum(
        (a for d, a, s, _ in expenses if s in sent and _tax_year(d) == _tax_year(on)),
        Decimal("0.00"),
    )


@HYPOTHESIS
@given(
    data=st.data(),
    worked_on=days,
    amount=st.integers(min_value=1, max_value=40_000).map(lambda p: Decimal(p) / 100),
    method=st.sampled_from(PaymentMethod.values),
    benefits=st.sampled_from([True, True, True, False]),
    weekly=st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
    chosen=st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
)
def test_the_check_before_approval_adds_the_payment_to_the_fees_before_it(
    personas, data, worked_on, amount, method, benefits, weekly, chosen
):
    # Earlier payments within a few days of this one: some in its week, some either side.
    rows = data.draw(_payment_rows(_near(worked_on, 9), max_size=12), label="rows")
    make.payment_settings(
        personas.council_a, weekly_limit=None if weekly is None else Decimal(weekly)
    )
    person = make.person(personas.council_a, receives_benefits=benefits)
    if chosen is not None:
        PaymentChoice.objects.create(person=person, weekly_limit=Decimal(chosen))
    _store(person, rows)
    owed = make.payment(person, amount, worked_on=worked_on, method=method)

    totals = selectors.threshold_check(payment=owed)
    if not benefits:
        assert totals == []
        assert selectors.crossing(totals) == []
        return
    naive = _naive(rows, worked_on)  # without the payment being approved
    limit = chosen if chosen is not None else weekly
    this_payment = amount if method in FEES else Decimal("0.00")
    for total in totals:
        assert (total.fees, total.vouchers) == naive[total.period.key]
        assert total.this_payment == this_payment
        assert total.fees_after == total.fees + this_payment
    week = totals[0]
    assert week.limit == (None if limit is None else Decimal(limit))
    crossed = selectors.crossing(totals)
    # Only a payment that adds to fees can take them over a limit.
    assert (week in crossed) == (limit is not None and this_payment > 0 and week.fees_after > limit)
    # Only the week has a limit here.
    assert all(total.period.key == "week" for total in crossed)


# ---------------------------------------------------------------------------------------------
# The periods


def test_the_tax_year_ends_on_5_april_and_the_next_starts_on_6_april():
    week, month, year = selectors.periods_containing(make.day("2026-04-05"))
    assert (year.start, year.end) == (make.day("2025-04-06"), make.day("2026-04-05"))
    assert year.described == "6 April 2025 to 5 April 2026"
    assert (week.start, week.end) == (make.day("2026-03-30"), make.day("2026-04-05"))
    assert (month.start, month.end) == (make.day("2026-04-01"), make.day("2026-04-30"))

    week, month, year = selectors.periods_containing(make.day("2026-04-06"))
    assert (year.start, year.end) == (make.day("2026-04-06"), make.day("2027-04-05"))
    assert (week.start, week.end) == (make.day("2026-04-06"), make.day("2026-04-12"))
    assert [p.key for p in selectors.periods_containing(make.day("2026-04-06"))] == [
        "week",
        "month",
        "tax_year",
    ]


def test_a_week_runs_monday_to_sunday_across_the_end_of_a_month_and_a_year():
    week, month, year = selectors.periods_containing(make.day("2026-03-31"))  # a Tuesday
    assert (week.start, week.end) == (make.day("2026-03-30"), make.day("2026-04-05"))
    assert (month.start, month.end) == (make.day("2026-03-01"), make.day("2026-03-31"))
    assert (year.start, year.end) == (make.day("2025-04-06"), make.day("2026-04-05"))

    week, month, year = selectors.periods_containing(make.day("2026-12-31"))
    assert (week.start, week.end) == (make.day("2026-12-28"), make.day("2027-01-03"))
    assert (month.start, month.end) == (make.day("2026-12-01"), make.day("2026-12-31"))

    _, month, _ = selectors.periods_containing(make.day("2028-02-29"))
    assert month.end == make.day("2028-02-29")


def test_a_payment_counts_in_the_week_of_the_involvement_not_the_week_it_was_paid(
    personas,
):
    person = make.person(personas.council_a)
    make.payment(
        person,
        "60.00",
        worked_on="2026-04-05",
        status=PaymentStatus.PAID,
        paid_on=make.day("2026-04-14"),
    )
    before, after = (
        selectors.earnings_totals(person=person, on=make.day("2026-04-05")),
        selectors.earnings_totals(person=person, on=make.day("2026-04-06")),
    )
    assert [t.fees for t in before] == [Decimal("60.00")] * 3
    # The next day is a new week and a new tax year, but still April.
    assert [t.fees for t in after] == [Decimal("0.00"), Decimal("60.00"), Decimal("0.00")]


# ---------------------------------------------------------------------------------------------
# The warning before approval


def _over_the_week(personas, *, benefits=True, method=PaymentMethod.BANK_TRANSFER):
    make.payment_settings(personas.council_a, weekly_limit=Decimal("100.00"))
    person = make.person(personas.council_a, receives_benefits=benefits)
    make.payment(person, "85.00", worked_on="2026-03-02", status=PaymentStatus.APPROVED)
    owed = make.payment(person, "20.00", worked_on="2026-03-04", method=method)
    return person, owed


def test_a_payment_that_takes_fees_over_the_weekly_limit_crosses_it(personas):
    _, owed = _over_the_week(personas)
    crossed = selectors.crossing(selectors.threshold_check(payment=owed))
    assert len(crossed) == 1
    week = crossed[0]
    assert week.period.key == "week"
    assert (week.fees, week.this_payment, week.fees_after) == (
        Decimal("85.00"),
        Decimal("20.00"),
        Decimal("105.00"),
    )
    assert week.left == Decimal("0.00")
    assert week.as_dict()["fees_after"] == "105.00"


def test_there_is_no_warning_for_someone_who_has_not_said_they_get_benefits(personas):
    _, owed = _over_the_week(personas, benefits=False)
    assert selectors.threshold_check(payment=owed) == []


def test_a_voucher_does_not_count_towards_the_limit_on_fees(personas):
    person, owed = _over_the_week(personas, method=PaymentMethod.VOUCHER)
    assert selectors.crossing(selectors.threshold_check(payment=owed)) == []
    # Vouchers already given are shown, apart from fees.
    make.payment(person, "300.00", worked_on="2026-03-03", method=PaymentMethod.VOUCHER)
    week = selectors.threshold_check(payment=owed)[0]
    assert week.fees == Decimal("85.00")
    assert week.vouchers == Decimal("300.00")  # the owed voucher itself is left out
    assert selectors.crossing([week]) == []


def test_declined_donated_cancelled_and_expenses_never_count(personas):
    person, owed = _over_the_week(personas)
    Payment.objects.filter(person=person).exclude(pk=owed.pk).delete()
    for method, status in (
        (PaymentMethod.DECLINE, PaymentStatus.DECLINED),
        (PaymentMethod.DONATE, PaymentStatus.APPROVED),
        (PaymentMethod.BANK_TRANSFER, PaymentStatus.CANCELLED),
        (PaymentMethod.BANK_TRANSFER, PaymentStatus.DECLINED),
    ):
        make.payment(person, "500.00", worked_on="2026-03-03", method=method, status=status)
    claim = make.claim(person, status=ClaimStatus.PAID)
    make.line(claim, "900.00", incurred_on="2026-03-03")
    assert ExpenseLine.objects.filter(claim__person=person).count() == 1
    week = selectors.threshold_check(payment=owed)[0]
    assert week.fees == Decimal("0.00")
    assert week.fees_after == Decimal("20.00")
    assert selectors.crossing([week]) == []


def test_exactly_at_the_limit_is_not_over_it(personas):
    person, owed = _over_the_week(personas)
    Payment.objects.filter(pk=owed.pk).update(amount=Decimal("15.00"))
    owed.refresh_from_db()
    week = selectors.threshold_check(payment=owed)[0]
    assert week.fees_after == Decimal("100.00")
    assert not week.crosses
    assert selectors.crossing(selectors.threshold_check(payment=owed)) == []


def test_the_limit_is_the_person_s_own_choice_else_the_organisation_s_default(personas):
    make.payment_settings(
        personas.council_a,
        weekly_limit=Decimal("100.00"),
        monthly_limit=Decimal("400.00"),
        yearly_limit=None,
    )
    person = make.person(personas.council_a, receives_benefits=True)
    assert selectors.limits_for(person=person) == {
        "week": Decimal("100.00"),
        "month": Decimal("400.00"),
        "tax_year": None,
    }
    PaymentChoice.objects.create(
        person=person, weekly_limit=Decimal("50.00"), yearly_limit=Decimal("2000.00")
    )
    assert selectors.limits_for(person=person) == {
        "week": Decimal("50.00"),
        "month": Decimal("400.00"),
        "tax_year": Decimal("2000.00"),
    }
    # A lower limit of their own makes a smaller payment cross it.
    make.payment(person, "30.00", worked_on="2026-03-02", status=PaymentStatus.APPROVED)
    owed = make.payment(person, "25.00", worked_on="2026-03-03")
    crossed = selectors.crossing(selectors.threshold_check(payment=owed))
    assert [(t.period.key, t.limit) for t in crossed] == [("week", Decimal("50.00"))]
    # A limit of 0 they chose is theirs too, not "no limit".
    PaymentChoice.objects.filter(person=person).update(weekly_limit=Decimal("0.00"))
    assert selectors.limits_for(person=person)["week"] == Decimal("0.00")


def test_an_organisation_without_settings_has_no_limits(personas):
    person = make.person(personas.council_b, receives_benefits=True)
    make.payment(person, "5000.00", worked_on="2026-03-02", status=PaymentStatus.APPROVED)
    owed = make.payment(person, "25.00", worked_on="2026-03-03")
    totals = selectors.threshold_check(payment=owed)
    assert [t.limit for t in totals] == [None, None, None]
    assert selectors.crossing(totals) == []


def test_the_totals_query_is_one_aggregate_however_many_payments(
    personas, django_assert_max_num_queries
):
    person = make.person(personas.council_a)
    Payment.objects.bulk_create(
        [
            make.payment(person, "10.00", worked_on=f"2026-03-{1 + n % 28:02d}", save=False)
            for n in range(300)
        ]
    )
    # The person's choice, the organisation's defaults, and the one aggregate.
    with django_assert_max_num_queries(3):
        totals = selectors.earnings_totals(person=person, on=make.day("2026-03-10"))
    assert totals[1].fees == Decimal("3000.00")
    assert ExpenseClaim.objects.filter(person=person).count() == 0
