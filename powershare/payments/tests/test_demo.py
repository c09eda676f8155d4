"""The payments demo: loads on top of the earlier demo modules, changes nothing when run again,
and has payments in every status, receipts that are real pictures, and one person whose next
payment would take them over their weekly limit."""

import io
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from powershare.accounts.management.commands import demo_data
from powershare.accounts.models import User
from powershare.payments import demo as payments_demo
from powershare.payments import selectors
from powershare.payments.models import (
    ClaimStatus,
    ExpenseClaim,
    ExpenseKind,
    ExpenseLine,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
    RateCard,
    Receipt,
)
from powershare.people.models import Person

MODULE = "powershare.payments.demo"
PNG = b"\x89PNG\r\n\x1a\n"


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


def _fife_payments():
    return Payment.objects.filter(organisation__name=payments_demo.FIFE)


def _row_counts():
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("payments").get_models()
    }
    counts["auditlog.LogEntry"] = LogEntry.objects.count()
    return counts


def test_running_it_again_changes_nothing(demo):
    first = _row_counts()
    payments = list(_fife_payments().values_list("pk", "status", "amount", "method", "paid_on"))
    files = sorted(Receipt.objects.values_list("file", flat=True))
    out = StringIO()
    _load_demo(out)
    assert _row_counts() == first
    assert list(_fife_payments().values_list("pk", "status", "amount", "method", "paid_on")) == (
        payments
    )
    assert sorted(Receipt.objects.values_list("file", flat=True)) == files
    assert "nothing to change" in out.getvalue()


def test_it_says_what_it_loaded_and_nothing_personal(demo):
    assert "Payments:" in demo
    for name in Person.objects.values_list("full_name", flat=True):
        assert name not in demo
    for email in User.objects.values_list("email", flat=True):
        assert email not in demo


def test_there_are_two_rate_card_versions_and_an_older_one_is_still_used(demo):
    cards = list(RateCard.objects.filter(organisation__name=payments_demo.FIFE))
    assert len(cards) == 2
    newer, older = cards  # newest first
    assert newer.effective_from > older.effective_from
    assert newer.hourly_rate == Decimal("25.00")
    assert older.hourly_rate == Decimal("22.00")
    old_rates = _fife_payments().filter(rate_card=older)
    assert old_rates.exists()
    for payment in old_rates:
        assert payment.worked_on < newer.effective_from
        assert payment.rate == older.hourly_rate
    for payment in _fife_payments().filter(rate_card=newer):
        assert payment.worked_on >= newer.effective_from
    settings = PaymentSettings.objects.get(organisation__name=payments_demo.FIFE)
    assert settings.weekly_limit == Decimal("100.00")
    assert settings.default_cost_code
    assert "Citizens Advice" in settings.advice


def test_there_are_payments_in_every_status_and_a_correction(demo):
    payments = _fife_payments()
    assert set(payments.values_list("status", flat=True)) == set(PaymentStatus.values)
    assert set(payments.values_list("method", flat=True)) == set(PaymentMethod.values)
    correction = payments.get(kind=PaymentKind.ADJUSTMENT)
    assert correction.adjustment_of.status == PaymentStatus.PAID
    assert correction.reason
    assert payments.filter(status=PaymentStatus.CANCELLED).exclude(reason="").exists()
    for payment in payments.filter(status=PaymentStatus.PAID):
        assert payment.finance_reference.startswith("FIFE-AP-")
        assert payment.worked_on <= payment.paid_on <= timezone.localdate()
    # A second person approved every payment that was approved.
    decided = payments.exclude(status__in=(PaymentStatus.OWED, PaymentStatus.CANCELLED))
    assert decided.count() >= 20
    for payment in decided:
        assert payment.approved_by_id is not None
        assert payment.approved_by_id != payment.created_by_id
    # The amounts were worked out by the services, from the rate in force.
    for payment in payments.exclude(kind=PaymentKind.ADJUSTMENT):
        assert payment.rate_card is not None
        assert payment.amount == (
            payment.rate * payment.quantity
            + payment.rate_card.hourly_rate
            * min(payment.preparation_hours, payment.rate_card.preparation_max_hours)
        )


def test_one_person_is_close_to_their_weekly_limit_and_the_next_payment_crosses_it(demo):
    owed = _fife_payments().get(
        person__full_name=payments_demo.CLOSE_TO_LIMIT,
        status=PaymentStatus.OWED,
        description="Helping plan the carers' event",
    )
    assert owed.person.receives_benefits
    crossed = selectors.crossing(selectors.threshold_check(payment=owed))
    assert [total.period.key for total in crossed] == ["week"]
    week = crossed[0]
    assert week.limit == Decimal("100.00")
    assert week.fees == Decimal("87.50")
    assert week.fees_after == Decimal("112.50")
    # Someone other than its recorder can approve it, after seeing the warning.
    approvers = [
        user
        for user in User.objects.filter(email__in=payments_demo.STAFF.values())
        if selectors.payment_may_approve(user=user, payment=owed)
    ]
    assert approvers
    assert owed.created_by not in approvers
    # Nobody else's owed payment crosses a limit: the warning is the one to find.
    others = _fife_payments().filter(status=PaymentStatus.OWED).exclude(pk=owed.pk)
    for payment in others:
        assert not selectors.crossing(selectors.threshold_check(payment=payment))


def test_the_portal_person_has_payments_claims_and_their_own_limit(demo):
    person = Person.objects.get(full_name=payments_demo.PORTAL_PERSON, user__isnull=False)
    statuses = set(
        selectors.payment_list_for_person(person=person).values_list("status", flat=True)
    )
    assert {PaymentStatus.OWED, PaymentStatus.APPROVED, PaymentStatus.PAID} <= statuses
    claims = selectors.claim_list_for_person(person=person)
    assert {ClaimStatus.DRAFT, ClaimStatus.PAID} <= set(claims.values_list("status", flat=True))
    # Their draft is theirs alone until they send it.
    draft = claims.get(status=ClaimStatus.DRAFT)
    assert draft.created_by == person.user
    aileen = User.objects.get(email=payments_demo.STAFF["aileen"])
    assert not selectors.claim_list_for(user=aileen).filter(pk=draft.pk).exists()
    # They chose a yearly limit themselves; the weekly one is the organisation's.
    limits = selectors.limits_for(person=person)
    assert limits["tax_year"] == Decimal("1000.00")
    assert limits["week"] == Decimal("100.00")
    totals = selectors.tax_year_totals_for_person(person=person)
    assert totals["fees"] > 0


def test_expense_claims_in_every_state_with_receipts_and_mileage(demo):
    claims = ExpenseClaim.objects.filter(organisation__name=payments_demo.FIFE)
    assert set(claims.values_list("status", flat=True)) == set(ClaimStatus.values)
    returned = claims.get(status=ClaimStatus.RETURNED)
    assert returned.returned_reason
    paid = claims.get(status=ClaimStatus.PAID)
    assert paid.finance_reference
    assert paid.paid_on
    for claim in claims.filter(status__in=(ClaimStatus.APPROVED, ClaimStatus.PAID)):
        assert claim.approved_by_id != claim.created_by_id
    mileage = ExpenseLine.objects.get(
        claim__organisation__name=payments_demo.FIFE, kind=ExpenseKind.MILEAGE
    )
    assert mileage.amount == (mileage.miles * mileage.mileage_rate).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert mileage.amount == Decimal("8.33")  # 18.5 miles at 45p, rounded half up
    # Expenses never count as earnings: the totals are the same with or without them.
    person = mileage.claim.person
    before = selectors.earnings_totals(person=person, on=mileage.incurred_on)
    ExpenseLine.objects.filter(claim__person=person).delete()
    after = selectors.earnings_totals(person=person, on=mileage.incurred_on)
    assert [(t.fees, t.vouchers) for t in before] == [(t.fees, t.vouchers) for t in after]


def test_receipts_are_real_pictures_stored_under_random_keys(demo):
    receipts = Receipt.objects.filter(line__claim__organisation__name=payments_demo.FIFE)
    assert receipts.count() >= 5
    for receipt in receipts:
        with default_storage.open(receipt.file.name, "rb") as stored:
            data = stored.read()
        assert data.startswith(PNG)
        assert len(data) == receipt.size
        assert receipt.content_type == "image/png"
        assert receipt.key in receipt.file.name
        assert receipt.original_name not in receipt.file.name
        image = pytest.importorskip("PIL.Image")
        with image.open(io.BytesIO(data)) as picture:
            picture.verify()
            assert picture.format == "PNG"
            assert picture.size[0] >= 100
