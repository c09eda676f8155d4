"""Reads of payments, expense claims, receipts, rate cards and a person's totals.

Staff see their own organisation's records, by role (VIEW_PAYMENTS); anything else is a 404,
never a 403. A person sees only their own, through the `*_for_person` functions. Totals and
reports are aggregated in SQL.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.people.models import Person, PersonStatus

from .models import (
    COUNTED_STATUSES,
    FEE_METHODS,
    ClaimStatus,
    ExpenseClaim,
    ExpenseLine,
    Payment,
    PaymentChoice,
    PaymentKind,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
    RateCard,
    Receipt,
    tax_year_start,
)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)


def _org_ids(user: User, capability: Capability = Capability.VIEW_PAYMENTS) -> list[int]:
    return organisation_ids_where(user=user, capability=capability)


# ---------------------------------------------------------------------------------------------
# Rate cards and settings


def rate_card_list_for(*, user: User, organisation_id: int | None = None) -> QuerySet[RateCard]:
    ids = set(_org_ids(user)) | set(_org_ids(user, Capability.MANAGE_PAYMENT_RATES))
    if organisation_id is not None:
        ids &= {organisation_id}
    return RateCard.objects.filter(organisation_id__in=ids).select_related("organisation")


def rate_card_get_for(*, user: User, pk, may: Capability = Capability.VIEW_PAYMENTS) -> RateCard:
    ids = set(_org_ids(user, may))
    if may == Capability.VIEW_PAYMENTS:
        ids |= set(_org_ids(user, Capability.MANAGE_PAYMENT_RATES))
    card = RateCard.objects.filter(pk=pk, organisation_id__in=ids).first()
    if card is None:
        raise Http404("No such rate card")
    return card


def rate_card_in_force(*, organisation_id: int, on: datetime.date) -> RateCard | None:
    """The version of the organisation's rates in force on a day."""
    return (
        RateCard.objects.filter(organisation_id=organisation_id, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def rate_card_in_use(*, card: RateCard) -> bool:
    return card.payments.exists()


def payment_settings_for(*, organisation_id: int) -> PaymentSettings:
    """The organisation's payment defaults (unsaved, with the built-in values, if never set)."""
    found = PaymentSettings.objects.filter(organisation_id=organisation_id).first()
    return found or PaymentSettings(organisation_id=organisation_id)


# ---------------------------------------------------------------------------------------------
# A person's choices, limits and totals


def payment_choice_for(*, person: Person) -> PaymentChoice:
    """How the person wants to be paid (unsaved, bank transfer, if they have not said)."""
    found = PaymentChoice.objects.filter(person=person).first()
    return found or PaymentChoice(person=person)


@dataclass(frozen=True)
class Period:
    key: str  # "week", "month", "tax_year"
    label: str  # "This week"
    start: datetime.date
    end: datetime.date

    @property
    def described(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def periods_containing(day: datetime.date) -> list[Period]:
    """The week (Monday to Sunday), calendar month and tax year (6 April to 5 April) that
    contain `day`."""
    monday = day - datetime.timedelta(days=day.weekday())
    month_start = day.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    year_start = tax_year_start(day)
    return [
        Period("week", "Week", monday, monday + datetime.timedelta(days=6)),
        Period("month", "Month", month_start, next_month - datetime.timedelta(days=1)),
        Period(
            "tax_year",
            "Tax year",
            year_start,
            datetime.date(year_start.year + 1, 4, 5),
        ),
    ]


@dataclass
class PeriodTotal:
    period: Period
    fees: Decimal
    vouchers: Decimal
    #: The limit on fees for this period (None: no limit).
    limit: Decimal | None
    #: For a check before approval: the payment being looked at, and fees with it.
    this_payment: Decimal = ZERO
    fees_after: Decimal | None = None

    @property
    def over(self) -> bool:
        total = self.fees if self.fees_after is None else self.fees_after
        return self.limit is not None and total > self.limit

    @property
    def crosses(self) -> bool:
        """True when the payment being looked at adds to fees and takes them over the limit
        (a voucher, a declined payment or a correction downwards never does)."""
        return (
            self.fees_after is not None
            and self.limit is not None
            and self.this_payment > 0
            and self.fees_after > self.limit
        )

    @property
    def left(self) -> Decimal | None:
        """How much more can be paid in fees before the limit (never below 0)."""
        if self.limit is None:
            return None
        total = self.fees if self.fees_after is None else self.fees_after
        return max(ZERO, self.limit - total)

    def as_dict(self) -> dict:
        return {
            "period": self.period.key,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "fees": str(self.fees),
            "vouchers": str(self.vouchers),
            "limit": None if self.limit is None else str(self.limit),
            "this_payment": str(self.this_payment),
            "fees_after": None if self.fees_after is None else str(self.fees_after),
        }


def limits_for(*, person: Person) -> dict[str, Decimal | None]:
    """The limits on fees the person chose, or their organisation's defaults where they did not."""
    choice = payment_choice_for(person=person)
    defaults = payment_settings_for(organisation_id=person.organisation_id)
    return {
        "week": choice.weekly_limit if choice.weekly_limit is not None else defaults.weekly_limit,
        "month": (
            choice.monthly_limit if choice.monthly_limit is not None else defaults.monthly_limit
        ),
        "tax_year": (
            choice.yearly_limit if choice.yearly_limit is not None else defaults.yearly_limit
        ),
    }


def counted_payments(*, person_id: int) -> QuerySet[Payment]:
    """The person's payments that count in their totals: owed, approved or paid, including
    adjustments (which may be negative). Never expenses, which are not earnings."""
    return Payment.objects.filter(person_id=person_id, status__in=COUNTED_STATUSES)


def earnings_totals(
    *, person: Person, on: datetime.date, leave_out: Payment | None = None
) -> list[PeriodTotal]:
    """Fees and vouchers in the week, month and tax year containing `on`, in one SQL query.

    `leave_out` leaves one payment out of the sums (the one about to be approved, so it can be
    shown on its own)."""
    periods = periods_containing(on)
    sums = {}
    for period in periods:
        in_period = Q(worked_on__gte=period.start, worked_on__lte=period.end)
        sums[f"{period.key}_fees"] = Coalesce(
            Sum("amount", filter=in_period & Q(method__in=FEE_METHODS)),
            Value(ZERO),
            output_field=MONEY_FIELD,
        )
        sums[f"{period.key}_vouchers"] = Coalesce(
            Sum("amount", filter=in_period & Q(method=PaymentMethod.VOUCHER)),
            Value(ZERO),
            output_field=MONEY_FIELD,
        )
    rows = counted_payments(person_id=person.pk).filter(
        worked_on__gte=min(p.start for p in periods), worked_on__lte=max(p.end for p in periods)
    )
    if leave_out is not None and leave_out.pk:
        rows = rows.exclude(pk=leave_out.pk)
    totals = rows.aggregate(**sums)
    limits = limits_for(person=person)
    return [
        PeriodTotal(
            period=period,
            fees=Decimal(totals[f"{period.key}_fees"]).quantize(Decimal("0.01")),
            vouchers=Decimal(totals[f"{period.key}_vouchers"]).quantize(Decimal("0.01")),
            limit=limits[period.key],
        )
        for period in periods
    ]


def threshold_check(*, payment: Payment) -> list[PeriodTotal]:
    """For a person who has said involvement might affect their benefits: the totals for the
    payment's week, month and tax year with and without it. Empty for anyone else. Use
    `crossing` on the result to see whether a warning is needed."""
    person = payment.person
    if not person.receives_benefits:
        return []
    totals = earnings_totals(person=person, on=payment.worked_on, leave_out=payment)
    counts = payment.method in FEE_METHODS and payment.status not in (
        PaymentStatus.CANCELLED,
        PaymentStatus.DECLINED,
    )
    for total in totals:
        total.this_payment = payment.amount if counts else ZERO
        total.fees_after = total.fees + total.this_payment
    return totals


def crossing(totals: list[PeriodTotal]) -> list[PeriodTotal]:
    return [t for t in totals if t.crosses]


def tax_year_totals_for_person(*, person: Person, today: datetime.date | None = None) -> dict:
    """The person's fees, vouchers and expenses (kept apart) for this tax year."""
    today = today or timezone.localdate()
    start = tax_year_start(today)
    end = datetime.date(start.year + 1, 4, 5)
    payments = Payment.objects.filter(
        person=person, worked_on__gte=start, worked_on__lte=end
    ).aggregate(
        fees=Coalesce(
            Sum(
                "amount",
                filter=Q(status__in=COUNTED_STATUSES, method__in=FEE_METHODS),
            ),
            Value(ZERO),
            output_field=MONEY_FIELD,
        ),
        vouchers=Coalesce(
            Sum("amount", filter=Q(status__in=COUNTED_STATUSES, method=PaymentMethod.VOUCHER)),
            Value(ZERO),
            output_field=MONEY_FIELD,
        ),
        paid=Coalesce(
            Sum("amount", filter=Q(status=PaymentStatus.PAID)),
            Value(ZERO),
            output_field=MONEY_FIELD,
        ),
    )
    expenses = ExpenseLine.objects.filter(
        claim__person=person,
        incurred_on__gte=start,
        incurred_on__lte=end,
        claim__status__in=(ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID),
    ).aggregate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY_FIELD))
    return {
        "start": start,
        "end": end,
        "fees": payments["fees"],
        "vouchers": payments["vouchers"],
        "paid": payments["paid"],
        "expenses": expenses["total"],
    }


# ---------------------------------------------------------------------------------------------
# Payments


def _payment_rows() -> QuerySet[Payment]:
    return Payment.objects.select_related("person", "activity", "organisation")


def payment_list_for(
    *,
    user: User,
    status: str = "",
    method: str = "",
    person: Person | None = None,
    activity_id: int | None = None,
    worked_from: datetime.date | None = None,
    worked_to: datetime.date | None = None,
    search: str = "",
) -> QuerySet[Payment]:
    rows = _payment_rows().filter(organisation_id__in=_org_ids(user))
    search = " ".join(search.split())[:100]
    if search:
        rows = rows.filter(
            Q(person__full_name__icontains=search) | Q(person__preferred_name__icontains=search)
        )
    if status:
        rows = rows.filter(status=status)
    if method:
        rows = rows.filter(method=method)
    if person is not None:
        rows = rows.filter(person=person)
    if activity_id is not None:
        rows = rows.filter(activity_id=activity_id)
    if worked_from:
        rows = rows.filter(worked_on__gte=worked_from)
    if worked_to:
        rows = rows.filter(worked_on__lte=worked_to)
    return rows.order_by("-worked_on", "-pk")


def payment_get_for(*, user: User, pk, may: Capability = Capability.VIEW_PAYMENTS) -> Payment:
    payment = (
        _payment_rows()
        .select_related("rate_card", "approved_by", "created_by", "adjustment_of", "invitation")
        .filter(pk=pk, organisation_id__in=_org_ids(user, may))
        .first()
    )
    if payment is None:
        raise Http404("No such payment")
    return payment


def payment_counts_for(*, user: User) -> dict[str, int]:
    """How many payments are in each status, and how many this user may approve."""
    ids = _org_ids(user)
    counts = Payment.objects.filter(organisation_id__in=ids).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in PaymentStatus.values}
    )
    approvable = _org_ids(user, Capability.APPROVE_PAYMENTS)
    counts["to_approve_by_you"] = _not_prepared_by(
        Payment.objects.filter(organisation_id__in=approvable, status=PaymentStatus.OWED), user
    ).count()
    counts["waiting_too_long"] = 0
    for organisation_id in ids:  # one or two: each organisation has its own target
        target = payment_settings_for(organisation_id=organisation_id).pay_within_days
        counts["waiting_too_long"] += waiting_longer_than(
            organisation_id=organisation_id, days=target
        ).count()
    counts["claims_to_approve_by_you"] = _not_prepared_by(
        ExpenseClaim.objects.filter(organisation_id__in=approvable, status=ClaimStatus.SUBMITTED),
        user,
    ).count()
    return counts


def _not_prepared_by(rows: QuerySet, user: User) -> QuerySet:
    """Leave out what the user recorded, changed or is paid: they may not approve those."""
    return (
        rows.exclude(created_by=user)
        .exclude(person__user=user)
        .annotate(prepared_text=Cast("prepared_by_ids", TextField()))
        .exclude(prepared_text__regex=rf"[\[ ]{int(user.pk)}[,\]]")
    )


def waiting_longer_than(*, organisation_id: int, days: int) -> QuerySet[Payment]:
    """Payments for time that are still owed or approved, more than `days` after the work."""
    return Payment.objects.filter(
        organisation_id=organisation_id,
        status__in=(PaymentStatus.OWED, PaymentStatus.APPROVED),
        kind__in=(
            PaymentKind.INVOLVEMENT,
            PaymentKind.FACILITATION,
            PaymentKind.WALKTHROUGH,
            PaymentKind.TASK,
        ),
        worked_on__lt=timezone.localdate() - datetime.timedelta(days=days),
    )


def payment_may_approve(*, user: User, payment: Payment) -> bool:
    return (
        payment.status == PaymentStatus.OWED
        and payment.organisation_id in _org_ids(user, Capability.APPROVE_PAYMENTS)
        and payment.created_by_id != user.pk
        and user.pk not in payment.prepared_by_ids
        and payment.person.user_id != user.pk
    )


def attendees_without_payment(*, activity) -> QuerySet:
    """Invitations of people who attended the activity and have no payment for it yet."""
    from powershare.engagement.models import Invitation

    paid = Payment.objects.filter(invitation=OuterRef("pk"), kind="involvement").exclude(
        status=PaymentStatus.CANCELLED
    )
    return (
        Invitation.objects.filter(activity=activity, attended=True)
        .exclude(Exists(paid))
        .select_related("person")
        .order_by("person__full_name", "pk")
    )


def payment_list_for_person(*, person: Person) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(person=person)
        .select_related("activity", "adjustment_of")
        .order_by("-worked_on", "-pk")
    )


def payment_get_for_person(*, person: Person, pk) -> Payment:
    payment = payment_list_for_person(person=person).filter(pk=pk).first()
    if payment is None:
        raise Http404("No such payment")
    return payment


# ---------------------------------------------------------------------------------------------
# Expense claims and receipts


def with_claim_total(claims: QuerySet[ExpenseClaim]) -> QuerySet[ExpenseClaim]:
    total = (
        ExpenseLine.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return claims.annotate(
        total=Coalesce(
            Subquery(total, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD
        )
    )


def _claims_sent_in(organisation_ids) -> QuerySet[ExpenseClaim]:
    """Claims staff may see: a claim a person started in their portal is theirs alone until
    they send it (one staff started with them is seen at once)."""
    return ExpenseClaim.objects.filter(organisation_id__in=organisation_ids).exclude(
        status=ClaimStatus.DRAFT, created_by=F("person__user")
    )


def claim_list_for(*, user: User, status: str = "", person: Person | None = None):
    rows = with_claim_total(_claims_sent_in(_org_ids(user)).select_related("person", "activity"))
    if status:
        rows = rows.filter(status=status)
    if person is not None:
        rows = rows.filter(person=person)
    return rows.order_by("-created_at", "-pk")


def _claim_detail(rows: QuerySet[ExpenseClaim]) -> QuerySet[ExpenseClaim]:
    return (
        with_claim_total(rows)
        .select_related("person", "activity", "approved_by", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=ExpenseLine.objects.prefetch_related("receipts"))
        )
    )


def claim_get_for(*, user: User, pk, may: Capability = Capability.VIEW_PAYMENTS) -> ExpenseClaim:
    claim = _claim_detail(_claims_sent_in(_org_ids(user, may)))
    claim = claim.filter(pk=pk).first()
    if claim is None:
        raise Http404("No such expense claim")
    return claim


def claim_may_approve(*, user: User, claim: ExpenseClaim) -> bool:
    return (
        claim.status == ClaimStatus.SUBMITTED
        and claim.organisation_id in _org_ids(user, Capability.APPROVE_PAYMENTS)
        and claim.created_by_id != user.pk
        and user.pk not in claim.prepared_by_ids
        and claim.person.user_id != user.pk
    )


def claim_list_for_person(*, person: Person) -> QuerySet[ExpenseClaim]:
    return (
        with_claim_total(ExpenseClaim.objects.filter(person=person))
        .select_related("activity")
        .order_by("-created_at", "-pk")
    )


def claim_get_for_person(*, person: Person, pk) -> ExpenseClaim:
    claim = _claim_detail(ExpenseClaim.objects.filter(person=person)).filter(pk=pk).first()
    if claim is None:
        raise Http404("No such expense claim")
    return claim


def receipt_get_for(*, user: User, pk) -> Receipt:
    """A receipt for staff who may see payments in the claim's organisation (else 404)."""
    receipt = (
        Receipt.objects.select_related("line__claim")
        .filter(pk=pk, line__claim__in=_claims_sent_in(_org_ids(user)))
        .first()
    )
    if receipt is None:
        raise Http404("No such receipt")
    return receipt


def receipt_get_for_person(*, person: Person, pk) -> Receipt:
    receipt = (
        Receipt.objects.select_related("line__claim")
        .filter(pk=pk, line__claim__person=person)
        .first()
    )
    if receipt is None:
        raise Http404("No such receipt")
    return receipt


# ---------------------------------------------------------------------------------------------
# Finance and reports


def approved_for_finance(
    *, user: User, organisation_id: int, approved_from: datetime.date, approved_to: datetime.date
) -> tuple[QuerySet[Payment], QuerySet[ExpenseClaim]]:
    """Approved, not yet paid payments (and expense claims) approved in the period: what finance
    needs to pay. Declined payments are never sent."""
    if organisation_id not in _org_ids(user, Capability.MANAGE_PAYMENTS):
        raise Http404("No such organisation")
    start = _day_start(approved_from)
    end = _day_start(approved_to + datetime.timedelta(days=1))
    payments = (
        Payment.objects.filter(
            organisation_id=organisation_id,
            status=PaymentStatus.APPROVED,
            approved_at__gte=start,
            approved_at__lt=end,
        )
        .select_related("person", "activity", "approved_by")
        .order_by("approved_at", "pk")
    )
    claims = (
        with_claim_total(
            ExpenseClaim.objects.filter(
                organisation_id=organisation_id,
                status=ClaimStatus.APPROVED,
                approved_at__gte=start,
                approved_at__lt=end,
            )
        )
        .select_related("person", "activity", "approved_by")
        .order_by("approved_at", "pk")
    )
    return payments, claims


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class SpendReport:
    year_start: datetime.date
    year_end: datetime.date
    by_activity: list[dict] = field(default_factory=list)
    by_organisation: list[dict] = field(default_factory=list)
    by_year: list[dict] = field(default_factory=list)


def _merged(fees_rows, expenses_rows, key: str, label_keys: tuple[str, ...]) -> list[dict]:
    """Rows of fees and rows of expenses, joined on `key`: a row for everything with either."""
    merged: dict = {}
    for row in fees_rows:
        merged[row[key]] = {
            **{name: row[name] for name in (key, *label_keys)},
            "fees": pence(row["fees"]),
            "payments": row["payments"],
            "expenses": ZERO,
        }
    for row in expenses_rows:
        entry = merged.setdefault(
            row[key],
            {
                **{name: row[name] for name in (key, *label_keys)},
                "fees": ZERO,
                "payments": 0,
                "expenses": ZERO,
            },
        )
        entry["expenses"] = pence(row["expenses"])
    return list(merged.values())


def pence(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def spend_report(*, user: User, year_start: datetime.date) -> SpendReport:
    """Fees and expenses per activity and per organisation in a tax year, and per tax year,
    for the organisations the user may see payments in. Amounts approved or paid count."""
    ids = _org_ids(user)
    year_end = datetime.date(year_start.year + 1, 4, 5)
    spent = (PaymentStatus.APPROVED, PaymentStatus.PAID)
    payments = Payment.objects.filter(organisation_id__in=ids, status__in=spent)
    in_year = payments.filter(worked_on__gte=year_start, worked_on__lte=year_end)
    lines = ExpenseLine.objects.filter(
        claim__organisation_id__in=ids, claim__status__in=(ClaimStatus.APPROVED, ClaimStatus.PAID)
    )
    lines_in_year = lines.filter(incurred_on__gte=year_start, incurred_on__lte=year_end)
    by_activity = _merged(
        in_year.values("activity_id", "activity__title", "organisation__name")
        .annotate(fees=Sum("amount"), payments=Count("pk"))
        .order_by(),
        lines_in_year.values(
            activity_id=F("claim__activity_id"),
            activity__title=F("claim__activity__title"),
            organisation__name=F("claim__organisation__name"),
        )
        .annotate(expenses=Sum("amount"))
        .order_by(),
        "activity_id",
        ("activity__title", "organisation__name"),
    )
    by_activity.sort(
        key=lambda row: (-(row["fees"] + row["expenses"]), row["activity__title"] or "")
    )
    by_organisation = _merged(
        in_year.values("organisation_id", "organisation__name")
        .annotate(fees=Sum("amount"), payments=Count("pk"))
        .order_by(),
        lines_in_year.values(
            organisation_id=F("claim__organisation_id"),
            organisation__name=F("claim__organisation__name"),
        )
        .annotate(expenses=Sum("amount"))
        .order_by(),
        "organisation_id",
        ("organisation__name",),
    )
    by_organisation.sort(key=lambda row: row["organisation__name"])
    # Per tax year, from the first fee or expense to the last: one small query a year.
    by_year = []
    fee_bounds = payments.aggregate(first=Min("worked_on"), last=Max("worked_on"))
    line_bounds = lines.aggregate(first=Min("incurred_on"), last=Max("incurred_on"))
    firsts = [d for d in (fee_bounds["first"], line_bounds["first"]) if d]
    lasts = [d for d in (fee_bounds["last"], line_bounds["last"]) if d]
    if firsts:
        start = tax_year_start(min(firsts))
        while start <= max(lasts):
            end = datetime.date(start.year + 1, 4, 5)
            fees = payments.filter(worked_on__gte=start, worked_on__lte=end).aggregate(
                total=Sum("amount")
            )["total"]
            expenses = lines.filter(incurred_on__gte=start, incurred_on__lte=end).aggregate(
                total=Sum("amount")
            )["total"]
            by_year.append(
                {"start": start, "end": end, "fees": pence(fees), "expenses": pence(expenses)}
            )
            start = datetime.date(start.year + 1, 4, 6)
    return SpendReport(
        year_start=year_start,
        year_end=year_end,
        by_activity=by_activity,
        by_organisation=by_organisation,
        by_year=by_year,
    )


def timeliness(*, user: User, year_start: datetime.date, target_days: int = 14) -> dict:
    """Days from the involvement to payment, in the tax year: how many were paid within the
    target, the median, and the late ones (paid late, or not yet paid and past the target)."""
    ids = _org_ids(user)
    year_end = datetime.date(year_start.year + 1, 4, 5)
    rows = Payment.objects.filter(
        organisation_id__in=ids,
        worked_on__gte=year_start,
        worked_on__lte=year_end,
        kind__in=("involvement", "facilitation", "walkthrough", "task"),
    ).exclude(status__in=(PaymentStatus.CANCELLED, PaymentStatus.DECLINED))
    paid = rows.filter(status=PaymentStatus.PAID).annotate(
        took=ExpressionWrapper(F("paid_on") - F("worked_on"), output_field=DurationField())
    )
    deadline = datetime.timedelta(days=target_days)
    counts = paid.aggregate(
        paid=Count("pk"),
        on_time=Count("pk", filter=Q(took__lte=deadline)),
    )
    # The median from a histogram of whole days, counted in SQL.
    histogram = paid.values("took").annotate(n=Count("pk")).order_by("took")
    median = _median_days([(row["took"], row["n"]) for row in histogram])
    today = timezone.localdate()
    late = (
        rows.filter(
            Q(status=PaymentStatus.PAID, paid_on__gt=F("worked_on") + deadline)
            | Q(
                status__in=(PaymentStatus.OWED, PaymentStatus.APPROVED),
                worked_on__lt=today - deadline,
            )
        )
        .select_related("person", "activity")
        .order_by("worked_on", "pk")
    )
    return {"counts": counts, "median_days": median, "late": late, "target_days": target_days}


def _median_days(histogram: list[tuple[datetime.timedelta, int]]) -> float | None:
    total = sum(n for _, n in histogram)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    values, seen = [], 0
    for took, n in histogram:
        for position in middle:
            if seen <= position < seen + n:
                values.append(took.days)
        seen += n
    return sum(values) / len(values)


def activity_payment_summary(*, activity) -> dict:
    """For an activity's page: payments recorded for it (not cancelled), their total, and how
    many people who attended have no payment yet."""
    summary = (
        Payment.objects.filter(activity=activity)
        .exclude(status=PaymentStatus.CANCELLED)
        .aggregate(
            payments=Count("pk"),
            total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY_FIELD),
        )
    )
    summary["attended_without_payment"] = attendees_without_payment(activity=activity).count()
    return summary


def claim_status_counts(claims: QuerySet[ExpenseClaim]) -> dict[str, int]:
    """How many of these claims are in each status, and in all, in one query."""
    return claims.order_by().aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in ClaimStatus.values},
    )


def _line_in(claims: QuerySet[ExpenseClaim], pk) -> tuple[ExpenseClaim, ExpenseLine]:
    claim = _claim_detail(claims.filter(lines__pk=pk)).first()
    line = next((line for line in claim.lines.all() if line.pk == pk), None) if claim else None
    if line is None:
        raise Http404("No such cost")
    return claim, line


def claim_line_get_for(
    *, user: User, pk: int, may: Capability = Capability.VIEW_PAYMENTS
) -> tuple[ExpenseClaim, ExpenseLine]:
    """One cost and its claim, for staff who may see (or, with `may`, change) the claim."""
    return _line_in(_claims_sent_in(_org_ids(user, may)), pk)


def claim_line_get_for_person(*, person: Person, pk: int) -> tuple[ExpenseClaim, ExpenseLine]:
    """One cost on one of the person's own claims (404 for anyone else's)."""
    return _line_in(ExpenseClaim.objects.filter(person=person), pk)


def people_to_pay_for(*, user: User) -> QuerySet[Person]:
    """Active people on the registers of the organisations where the user records payments
    (learning leads too, who pay the trainers they commission but do not manage the register):
    names only, for choosing whom to pay."""
    return (
        Person.objects.not_erased()
        .filter(
            organisation_id__in=_org_ids(user, Capability.MANAGE_PAYMENTS),
            status=PersonStatus.ACTIVE,
        )
        .only("pk", "full_name", "preferred_name", "organisation_id")
        .order_by("full_name", "pk")
    )


def rate_cards_with_use(cards: QuerySet[RateCard]) -> QuerySet[RateCard]:
    """Each rate card with `payment_count`: how many payments were worked out with it."""
    return cards.annotate(payment_count=Count("payments"))


def corrected_total(*, payment: Payment) -> Decimal:
    """A paid payment's amount with its corrections (those not cancelled) added."""
    corrections = payment.adjustments.exclude(status=PaymentStatus.CANCELLED).aggregate(
        total=Sum("amount")
    )["total"]
    return pence(payment.amount + (corrections or 0))
