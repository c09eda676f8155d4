"""API operations about payments, expense claims and a person's totals.

Staff whose role can see payments (VIEW_PAYMENTS) read their organisations' payments and
expense claims, and a person's running totals. As on the web pages, reading one payment, one
claim, a person's totals, or a list narrowed to one person (`person_id`) is written to the
access log. Someone on a register with their own portal login reads their own under
/api/me/...; a login without a person record gets 404 there.

Scoping comes from payments.selectors, as on the web pages: a record the user may not see
answers 404, never 403, and a list is empty. An expense claim a person started in their portal
is theirs alone until they send it. Receipts are described, never linked to their stored file:
each has the path of the web page that hands it out to people allowed to see it.

Money is a string in pounds with two decimal places, like "40.00" (negative for a correction
that takes money off), so no client turns pence into a binary fraction.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import BeforeValidator, StringConstraints

from powershare.accounts.roles import Capability
from powershare.api.schemas import ID, READ_ERRORS
from powershare.audit.services import access_event_record
from powershare.people.models import Person
from powershare.people.selectors import person_for_user, person_get_for

from . import selectors
from .models import (
    ClaimStatus,
    ExpenseKind,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    TimeUnit,
)

router = Router(tags=["Payments"])

PAYMENT_TAGS = ["Payments"]
CLAIM_TAGS = ["Expense claims"]
MY_TAGS = ["Your payments and expenses"]

PENNY = Decimal("0.01")
#: Dates the totals can be asked for: tax years and months around them must exist.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def _two_places(value):
    if value is None or isinstance(value, str):
        return value
    return f"{Decimal(value).quantize(PENNY):.2f}"


#: Pounds with two decimal places, as text: "40.00", "-12.50".
Money = Annotated[
    str,
    BeforeValidator(_two_places),
    StringConstraints(pattern=r"^-?\d+\.\d{2}$"),
]
#: Hours or days with two decimal places, as text: "1.50".
Quantity = Money


def _one_place(value):
    if value is None or isinstance(value, str):
        return value
    return f"{Decimal(value).quantize(Decimal('0.1')):.1f}"


Miles = Annotated[str, BeforeValidator(_one_place), StringConstraints(pattern=r"^\d+\.\d$")]


# Schemas -------------------------------------------------------------------------------------


class PersonRefOut(Schema):
    id: int
    reference: str = Field(description="The person's reference, like P00042.")
    name: str = Field(description="Their full name.")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.full_name


class PaymentOut(Schema):
    id: int
    reference: str = Field(description="The payment's reference, like PAY-000123.")
    organisation_id: int
    person: PersonRefOut
    kind: PaymentKind
    kind_label: str
    activity_id: int | None
    activity_title: str | None
    description: str
    worked_on: datetime.date = Field(
        description="The day of the involvement: it sets the rate card used and the week, "
        "month and tax year the payment counts in."
    )
    time_unit: TimeUnit
    quantity: Quantity = Field(description="Hours, or a number of half or full days.")
    preparation_hours: Quantity
    travel_hours: Quantity
    rate: Money = Field(description="The rate per unit used, from the rate card.")
    amount: Money
    method: PaymentMethod
    method_label: str
    charity: str = Field(description="The charity, for a payment given to one.")
    status: PaymentStatus
    status_label: str
    cost_code: str
    approved_at: datetime.datetime | None
    paid_on: datetime.date | None
    finance_reference: str = Field(description="The finance system's reference, once paid.")
    adjustment_of_id: int | None = Field(
        description="For a correction: the paid payment it corrects."
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_activity_title(obj) -> str | None:
        return obj.activity.title if obj.activity_id else None

    @staticmethod
    def resolve_method_label(obj) -> str:
        return obj.get_method_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class MyPaymentOut(Schema):
    id: int
    reference: str = Field(description="The payment's reference, like PAY-000123.")
    kind: PaymentKind
    kind_label: str
    activity_id: int | None
    what_for: str = Field(description="The activity's title, or what the task was.")
    worked_on: datetime.date
    time_unit: TimeUnit
    quantity: Quantity
    amount: Money
    method: PaymentMethod
    method_label: str
    charity: str
    status: PaymentStatus
    status_label: str
    paid_on: datetime.date | None
    finance_reference: str = Field(description="The reference on your bank statement, if any.")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_what_for(obj) -> str:
        if obj.activity_id:
            return obj.activity.title
        return obj.description or obj.get_kind_display()

    @staticmethod
    def resolve_method_label(obj) -> str:
        return obj.get_method_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ReceiptOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int = Field(description="In bytes.")
    uploaded_at: datetime.datetime
    download_path: str = Field(
        description="The web page that hands out the file, to people allowed to see it "
        "(signed in in the browser)."
    )

    @staticmethod
    def resolve_download_path(obj) -> str:
        return reverse("payments:receipt_download", args=[obj.pk])


class MyReceiptOut(ReceiptOut):
    @staticmethod
    def resolve_download_path(obj) -> str:
        return reverse("portal:receipt", args=[obj.pk])


class ExpenseLineOut(Schema):
    id: int
    kind: ExpenseKind
    kind_label: str
    incurred_on: datetime.date
    description: str
    miles: Miles | None
    mileage_rate: Money | None = Field(description="Pounds per mile, for mileage.")
    amount: Money
    receipts: list[ReceiptOut]

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_receipts(obj) -> list:
        return list(obj.receipts.all())


class MyExpenseLineOut(ExpenseLineOut):
    receipts: list[MyReceiptOut]


class ClaimOut(Schema):
    id: int
    reference: str = Field(description="The claim's reference, like EXP-000045.")
    organisation_id: int
    person: PersonRefOut
    activity_id: int | None
    activity_title: str | None
    status: ClaimStatus
    status_label: str
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    paid_on: datetime.date | None
    finance_reference: str
    cost_code: str
    returned_reason: str = Field(description="Why it was sent back, if it was.")
    note: str
    total: Money = Field(description="The sum of its lines. Expenses are never earnings.")
    lines: list[ExpenseLineOut]

    @staticmethod
    def resolve_activity_title(obj) -> str | None:
        return obj.activity.title if obj.activity_id else None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class MyClaimOut(Schema):
    id: int
    reference: str
    activity_id: int | None
    activity_title: str | None
    status: ClaimStatus
    status_label: str
    submitted_at: datetime.datetime | None
    paid_on: datetime.date | None
    returned_reason: str = Field(description="What to put right, if we sent it back.")
    note: str
    total: Money
    lines: list[MyExpenseLineOut]

    @staticmethod
    def resolve_activity_title(obj) -> str | None:
        return obj.activity.title if obj.activity_id else None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class PeriodTotalOut(Schema):
    period: Literal["week", "month", "tax_year"]
    label: str
    start: datetime.date
    end: datetime.date
    fees: Money = Field(description="Fees owed, approved or paid for work in the period.")
    vouchers: Money = Field(description="Vouchers, counted apart from fees.")
    limit: Money | None = Field(
        description="The limit on fees the person chose, or the organisation's default; "
        "null when there is none."
    )
    left: Money | None = Field(
        description="How much more can be paid in fees before the limit (never below 0); "
        "null without a limit."
    )
    over: bool = Field(description="Fees are over the limit.")


class TaxYearTotalsOut(Schema):
    start: datetime.date
    end: datetime.date
    fees: Money
    vouchers: Money
    paid: Money = Field(description="Of the payments, what has been paid so far.")
    expenses: Money = Field(
        description="Expenses claimed (sent, approved or paid): repaid costs, never earnings."
    )


class PaymentTotalsOut(Schema):
    person: PersonRefOut
    on: datetime.date = Field(description="The day the week, month and tax year contain.")
    receives_benefits: bool = Field(
        description="The person said involvement might affect their benefits."
    )
    periods: list[PeriodTotalOut]
    tax_year: TaxYearTotalsOut


class PaymentsPagination(PageNumberPagination):
    """Pages of up to 100 records (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


# Helpers -------------------------------------------------------------------------------------


ANY_ID = Query(None, ge=1, le=2**63 - 1)
ON_QUERY = Query(
    None,
    description="The day whose week, month and tax year to total, between 2000 and 2100. "
    "Default: today.",
)


def _own_person(request) -> Person:
    person = person_for_user(user=request.auth)
    if person is None:
        raise Http404("No person record")
    return person


def _person_list_read_record(request, person_id: int, what: str) -> None:
    """A list narrowed to one person is a read of that person's data: one access event naming
    them (by reference). Nothing is recorded for a person the user may not see, whose list is
    empty anyway."""
    try:
        person = person_get_for(user=request.auth, pk=person_id, may=Capability.VIEW_PAYMENTS)
    except Http404:
        return
    access_event_record(
        user=request.auth,
        organisation_id=person.organisation_id,
        subject=person,
        description=f"{person.reference}: {what} (API)",
        path=request.get_full_path(),
    )


def _with_lines(claims):
    return claims.prefetch_related("lines__receipts")


def _totals(person: Person, on: datetime.date | None) -> dict:
    on = on or timezone.localdate()
    if not EARLIEST <= on <= LATEST:
        raise ValidationError({"on": "Choose a day between 2000-01-01 and 2100-12-31."})
    periods = selectors.earnings_totals(person=person, on=on)
    year = selectors.tax_year_totals_for_person(person=person, today=on)
    return {
        "person": person,
        "on": on,
        "receives_benefits": person.receives_benefits,
        "periods": [
            {
                "period": total.period.key,
                "label": total.period.label,
                "start": total.period.start,
                "end": total.period.end,
                "fees": total.fees,
                "vouchers": total.vouchers,
                "limit": total.limit,
                "left": total.left,
                "over": total.over,
            }
            for total in periods
        ],
        "tax_year": year,
    }


# Payments ------------------------------------------------------------------------------------


@router.get(
    "/payments",
    url_name="payment_list",
    tags=PAYMENT_TAGS,
    response={200: list[PaymentOut], **READ_ERRORS},
    summary="Payments of your organisations",
    description=(
        "Payments for involvement of the organisations where your role lets you see "
        "payments, latest involvement first. Filter by `status`, `person_id` and "
        "`activity_id`. An empty list if your role can't see any. A list narrowed to one "
        "person is written to the access log."
    ),
)
@paginate(PaymentsPagination)
def payment_list(
    request,
    status: PaymentStatus | None = None,
    person_id: int | None = ANY_ID,
    activity_id: int | None = ANY_ID,
):
    payments = selectors.payment_list_for(
        user=request.auth, status=status or "", activity_id=activity_id
    )
    if person_id is not None:
        payments = payments.filter(person_id=person_id)
        _person_list_read_record(request, person_id, "payments listed")
    return payments


@router.get(
    "/payments/{payment_id}",
    url_name="payment_detail",
    tags=PAYMENT_TAGS,
    response={200: PaymentOut, **READ_ERRORS},
    summary="One payment",
    description=(
        "404 for a payment outside the organisations where your role lets you see payments. "
        "Reading it is written to the access log."
    ),
)
def payment_detail(request, payment_id: int = ID):
    payment = selectors.payment_get_for(user=request.auth, pk=payment_id)
    # As on the payment's web page: who read whose payment is written to the access log.
    access_event_record(
        user=request.auth,
        organisation_id=payment.organisation_id,
        subject=payment,
        description=f"{payment.reference} of person {payment.person.reference}: payment read (API)",
        path=request.get_full_path(),
    )
    return payment


@router.get(
    "/people/{person_id}/payment-totals",
    url_name="person_payment_totals",
    tags=PAYMENT_TAGS,
    response={200: PaymentTotalsOut, **READ_ERRORS},
    summary="A person's running totals, and their limits",
    description=(
        "Fees and (apart) vouchers in the week (Monday to Sunday), calendar month and tax "
        "year (6 April to 5 April) containing `on`, with the limits the person chose (or "
        "their organisation's defaults) and how much is left; and the tax year's totals, with "
        "expenses apart (they are never earnings). This is information, not benefits advice. "
        "404 for a person outside the organisations where your role lets you see payments. "
        "Reading it is written to the access log."
    ),
)
def person_payment_totals(request, person_id: int = ID, on: datetime.date | None = ON_QUERY):
    person = person_get_for(user=request.auth, pk=person_id, may=Capability.VIEW_PAYMENTS)
    totals = _totals(person, on)
    access_event_record(
        user=request.auth,
        organisation_id=person.organisation_id,
        subject=person,
        description=f"Payment totals of {person.reference} read (API)",
        path=request.get_full_path(),
    )
    return totals


# Expense claims ------------------------------------------------------------------------------


@router.get(
    "/expense-claims",
    url_name="claim_list",
    tags=CLAIM_TAGS,
    response={200: list[ClaimOut], **READ_ERRORS},
    summary="Expense claims of your organisations",
    description=(
        "Expense claims of the organisations where your role lets you see payments, newest "
        "first, with their lines and total. A claim a person started in their portal is "
        "listed once they send it. Receipts are described, with the path of the web page "
        "that hands them out. Filter by `status` and `person_id`. An empty list if your role "
        "can't see any. A list narrowed to one person is written to the access log."
    ),
)
@paginate(PaymentsPagination)
def claim_list(
    request,
    status: ClaimStatus | None = None,
    person_id: int | None = ANY_ID,
):
    claims = selectors.claim_list_for(user=request.auth, status=status or "")
    if person_id is not None:
        claims = claims.filter(person_id=person_id)
        _person_list_read_record(request, person_id, "expense claims listed")
    return _with_lines(claims)


@router.get(
    "/expense-claims/{claim_id}",
    url_name="claim_detail",
    tags=CLAIM_TAGS,
    response={200: ClaimOut, **READ_ERRORS},
    summary="One expense claim",
    description=(
        "404 for a claim outside the organisations where your role lets you see payments, "
        "or one a person started in their portal and has not sent yet. Reading it is written "
        "to the access log."
    ),
)
def claim_detail(request, claim_id: int = ID):
    claim = selectors.claim_get_for(user=request.auth, pk=claim_id)
    # As on the claim's web page: who read whose claim is written to the access log.
    access_event_record(
        user=request.auth,
        organisation_id=claim.organisation_id,
        subject=claim,
        description=f"Expense claim {claim.reference} of {claim.person.reference}: read (API)",
        path=request.get_full_path(),
    )
    return claim


# Your own ------------------------------------------------------------------------------------


@router.get(
    "/me/payments",
    url_name="my_payments",
    tags=MY_TAGS,
    response={200: list[MyPaymentOut], **READ_ERRORS},
    summary="Your payments",
    description=(
        "For someone on a register with their own portal login: what you are paid for your "
        "time, latest first, with where each payment is up to. 404 if your login has no "
        "person record."
    ),
)
@paginate(PaymentsPagination)
def my_payments(request):
    return selectors.payment_list_for_person(person=_own_person(request))


@router.get(
    "/me/expense-claims",
    url_name="my_claims",
    tags=MY_TAGS,
    response={200: list[MyClaimOut], **READ_ERRORS},
    summary="Your expense claims",
    description=(
        "Your expense claims, newest first, including any you have not sent yet, with "
        "their costs and receipts. 404 if your login has no person record."
    ),
)
@paginate(PaymentsPagination)
def my_claims(request):
    return _with_lines(selectors.claim_list_for_person(person=_own_person(request)))


@router.get(
    "/me/payment-totals",
    url_name="my_payment_totals",
    tags=MY_TAGS,
    response={200: PaymentTotalsOut, **READ_ERRORS},
    summary="Your running totals, and your limits",
    description=(
        "What you have been paid, or will be, in the week, month and tax year containing "
        "`on` (today unless you say), with the limits you chose and how much is left before "
        "each; and this tax year's totals, with expenses apart (they are never earnings). "
        "This is information, not benefits advice. 404 if your login has no person record."
    ),
)
def my_payment_totals(request, on: datetime.date | None = ON_QUERY):
    return _totals(_own_person(request), on)
