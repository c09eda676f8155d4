"""Small builders for payments tests: rate cards, payments, expense claims with lines and
receipts, written straight to the database (no permission checks, no pricing), so a test can
set up exactly the rows it needs. Use the services when the test is about the services."""

import datetime
import itertools
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from powershare.engagement.tests import factories as _engagement
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
    TimeUnit,
    TravelTimePolicy,
)

# The engagement builders, so tests need one import.
activity = _engagement.activity
invitation = _engagement.invitation
person = _engagement.person

#: The smallest valid PNG's first bytes: enough for the upload checks, which read the start.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

_numbers = itertools.count(1)


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def rate_card(organisation, effective_from="2024-04-01", **fields) -> RateCard:
    values = {
        "hourly_rate": Decimal("20.00"),
        "half_day_rate": Decimal("75.00"),
        "full_day_rate": Decimal("140.00"),
        "preparation_max_hours": Decimal("2"),
        "travel_time_policy": TravelTimePolicy.NOT_PAID,
        "travel_max_hours": Decimal("0"),
        "mileage_rate": Decimal("0.45"),
        **fields,
    }
    if isinstance(effective_from, str):
        effective_from = day(effective_from)
    return RateCard.objects.create(
        organisation=organisation, effective_from=effective_from, **values
    )


def payment_settings(organisation, **fields) -> PaymentSettings:
    found, _ = PaymentSettings.objects.update_or_create(organisation=organisation, defaults=fields)
    return found


def payment(
    person,
    amount="40.00",
    *,
    worked_on="2026-03-02",
    method=PaymentMethod.BANK_TRANSFER,
    status=PaymentStatus.OWED,
    save=True,
    **fields,
) -> Payment:
    """A payment written as given (amount not worked out). Unsaved with save=False, for
    bulk_create."""
    amount = money(amount)
    if isinstance(worked_on, str):
        worked_on = day(worked_on)
    fields.setdefault("kind", PaymentKind.ADJUSTMENT if amount < 0 else PaymentKind.TASK)
    fields.setdefault("description", f"Task {next(_numbers)}")
    fields.setdefault("time_unit", TimeUnit.HOURS)
    made = Payment(
        organisation_id=person.organisation_id,
        person=person,
        worked_on=worked_on,
        amount=amount,
        method=method,
        status=status,
        **fields,
    )
    if save:
        made.save()
    return made


def claim(person, *, status=ClaimStatus.SUBMITTED, save=True, **fields) -> ExpenseClaim:
    made = ExpenseClaim(
        organisation_id=person.organisation_id, person=person, status=status, **fields
    )
    if save:
        made.save()
    return made


def line(claim, amount="12.40", *, incurred_on="2026-03-02", save=True, **fields) -> ExpenseLine:
    if isinstance(incurred_on, str):
        incurred_on = day(incurred_on)
    fields.setdefault("kind", ExpenseKind.TAXI)
    made = ExpenseLine(claim=claim, amount=money(amount), incurred_on=incurred_on, **fields)
    if save:
        made.save()
    return made


def receipt(line, data: bytes = PNG, *, name="receipt.png", uploaded_by=None) -> Receipt:
    made = Receipt(
        line=line,
        key=f"test-receipt-{next(_numbers)}-{line.pk}",
        original_name=name,
        content_type="image/png",
        size=len(data),
        uploaded_by=uploaded_by,
    )
    made.file.save(made.key, ContentFile(data), save=False)
    made.save()
    return made


def upload(name="receipt.png", data: bytes = PNG, content_type="image/png"):
    """A file as a browser would send it."""
    return SimpleUploadedFile(name, data, content_type=content_type)
