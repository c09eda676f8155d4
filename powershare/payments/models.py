"""Payments: fair pay for involvement, expenses that leave no one out of pocket, benefits-aware.

* A **rate card** is a version of an organisation's rates, in force from its effective date until
  the next version's. A payment uses the version in force on the day of the involvement, and
  copies the rate it used, so a later version never changes what someone was promised.
* A **payment** pays one person for one piece of involvement (taking part in an activity,
  facilitating a learning session, a walkthrough place or a free-standing task). Its amount is
  computed, in pence, from the time and the rate card. It moves owed → approved → paid; approval
  needs a different person from the one who recorded it. A paid payment is never changed: a
  correction is a new **adjustment** payment pointing at it.
* An **expense claim** repays costs, line by line, with receipts. Expenses are never earnings:
  they are kept apart from payments and never counted in anyone's totals.
* For a person who has said involvement might affect their benefits (Person.receives_benefits),
  running **totals** of fees, and separately of vouchers, per week (Monday to Sunday), calendar
  month and tax year (from 6 April) are computed in SQL by `selectors.earnings_totals` and
  compared with the limits the person chose (or their organisation's defaults). PowerShare gives
  information, never advice.

Bank details are not kept here: the finance system pays people and holds them.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from powershare.lib.models import OrganisationOwnedModel, TimestampedModel

MONEY = {"max_digits": 10, "decimal_places": 2}
HOURS = {"max_digits": 6, "decimal_places": 2}


class TravelTimePolicy(models.TextChoices):
    NOT_PAID = "not_paid", "Travel time is not paid"
    HOURLY = "hourly", "Travel time is paid at the hourly rate"


class RateCard(OrganisationOwnedModel):
    """One version of an organisation's rates, in force from `effective_from`."""

    effective_from = models.DateField()
    hourly_rate = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    half_day_rate = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    full_day_rate = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    #: Preparation is paid at the hourly rate, up to this many hours for one piece of involvement
    #: (0: preparation is not paid separately).
    preparation_max_hours = models.DecimalField(**HOURS, default=Decimal("0"))
    travel_time_policy = models.CharField(
        max_length=12, choices=TravelTimePolicy.choices, default=TravelTimePolicy.NOT_PAID
    )
    #: Travel time paid at most this many hours for one piece of involvement (when it is paid).
    travel_max_hours = models.DecimalField(**HOURS, default=Decimal("0"))
    #: The default mileage rate for expense claims, in pounds per mile.
    mileage_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.45"))
    notes = models.TextField(blank=True, help_text="Anything people should know about the rates.")

    class Meta:
        ordering = ["organisation", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "effective_from"], name="one_rate_card_a_day"
            )
        ]

    def __str__(self):
        return f"Rate card from {self.effective_from:%-d %B %Y}"


class PaymentSettings(models.Model):
    """An organisation's defaults: the limits used when a person has not chosen their own, the
    cost code, how soon people should be paid, and where to get benefits advice."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="payment_settings"
    )
    weekly_limit = models.DecimalField(**MONEY, null=True, blank=True)
    monthly_limit = models.DecimalField(**MONEY, null=True, blank=True)
    yearly_limit = models.DecimalField(**MONEY, null=True, blank=True)
    default_cost_code = models.CharField(max_length=40, blank=True)
    pay_within_days = models.PositiveSmallIntegerField(default=14)
    advice = models.TextField(
        blank=True,
        help_text="Where people can get free, independent advice about benefits.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self):
        return f"Payment settings of organisation {self.organisation_id}"

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    VOUCHER = "voucher", "Voucher"
    PAYROLL = "payroll", "Through payroll"
    DECLINE = "decline", "I don't want to be paid"
    DONATE = "donate", "Give it to a charity"


#: Methods whose amounts count as fees in a person's totals; vouchers are counted separately.
#: Declined payments are never paid; donations go to the charity, not the person.
FEE_METHODS = (PaymentMethod.BANK_TRANSFER, PaymentMethod.PAYROLL)


class LimitsSetBy(models.TextChoices):
    PERSON = "person", "The person chose them"
    WITH_PERSON = "with_person", "Agreed with the person"


class PaymentChoice(TimestampedModel):
    """How a person wants to be paid, and the limits they want their totals watched against."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="payment_choice"
    )
    method = models.CharField(
        max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    charity = models.CharField(max_length=200, blank=True)
    #: Empty: the organisation's default applies.
    weekly_limit = models.DecimalField(**MONEY, null=True, blank=True)
    monthly_limit = models.DecimalField(**MONEY, null=True, blank=True)
    yearly_limit = models.DecimalField(**MONEY, null=True, blank=True)
    limits_set_by = models.CharField(max_length=12, choices=LimitsSetBy.choices, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self):
        return f"Payment choice of person {self.person_id}"

    def get_additional_data(self):
        return {"organisation_id": self.person.organisation_id}


class PaymentKind(models.TextChoices):
    INVOLVEMENT = "involvement", "Taking part in an activity"
    FACILITATION = "facilitation", "Facilitating a learning session"
    WALKTHROUGH = "walkthrough", "A place on a walkthrough"
    TASK = "task", "A task (for example preparing training materials)"
    ADJUSTMENT = "adjustment", "Correction to an earlier payment"


class TimeUnit(models.TextChoices):
    HOURS = "hours", "Hours"
    HALF_DAY = "half_day", "Half days"
    FULL_DAY = "full_day", "Full days"


class PaymentStatus(models.TextChoices):
    OWED = "owed", "Owed"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    DECLINED = "declined", "Not wanted"
    CANCELLED = "cancelled", "Cancelled"


#: Payments counted in a person's totals: everything they have been or will be paid.
COUNTED_STATUSES = (PaymentStatus.OWED, PaymentStatus.APPROVED, PaymentStatus.PAID)


class Payment(OrganisationOwnedModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=14, choices=PaymentKind.choices)
    activity = models.ForeignKey(
        "engagement.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    #: The invitation whose attendance this pays for.
    invitation = models.ForeignKey(
        "engagement.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
    )
    description = models.CharField(max_length=300, blank=True)
    #: The day of the involvement: it chooses the rate card and the week, month and tax year
    #: the payment counts in.
    worked_on = models.DateField()
    time_unit = models.CharField(max_length=10, choices=TimeUnit.choices, default=TimeUnit.HOURS)
    #: Hours, or a number of half or full days.
    quantity = models.DecimalField(**HOURS, default=Decimal("0"))
    preparation_hours = models.DecimalField(**HOURS, default=Decimal("0"))
    travel_hours = models.DecimalField(**HOURS, default=Decimal("0"))
    rate_card = models.ForeignKey(
        RateCard, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    #: The rate per unit used (copied from the rate card when the amount was worked out).
    rate = models.DecimalField(**MONEY, default=Decimal("0"))
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    charity = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.OWED
    )
    cost_code = models.CharField(max_length=40, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    #: What the approver was shown: the totals and limits crossed, if any.
    warning_at_approval = models.JSONField(default=list, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    finance_reference = models.CharField(max_length=60, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adjustment_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments"
    )
    #: Why: required for an adjustment and for cancelling.
    reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    #: Everyone who recorded or changed it: none of them may approve it.
    prepared_by_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-worked_on", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "-worked_on"]),
            models.Index(fields=["person", "worked_on"]),
            models.Index(fields=["activity", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(kind="involvement") & ~Q(status="cancelled"),
                name="one_payment_per_attendance",
            ),
        ]

    def __str__(self):
        # No names: this is copied into the change log.
        return self.reference

    @property
    def reference(self) -> str:
        return f"PAY-{self.pk:06d}" if self.pk else "PAY-(new)"

    @property
    def is_editable(self) -> bool:
        return self.status == PaymentStatus.OWED

    @property
    def counts_as(self) -> str:
        """'fees', 'vouchers' or '' (not counted in the person's totals)."""
        if self.status not in COUNTED_STATUSES:
            return ""
        if self.method in FEE_METHODS:
            return "fees"
        if self.method == PaymentMethod.VOUCHER:
            return "vouchers"
        return ""


class ExpenseKind(models.TextChoices):
    MILEAGE = "mileage", "Mileage"
    PUBLIC_TRANSPORT = "public_transport", "Bus, train or ferry"
    TAXI = "taxi", "Taxi"
    CHILDCARE = "childcare", "Childcare"
    REPLACEMENT_CARE = "replacement_care", "Replacement care"
    MEALS = "meals", "Food and drink"
    OTHER = "other", "Something else"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Not sent yet"
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    RETURNED = "returned", "Sent back"


class ExpenseClaim(OrganisationOwnedModel):
    """Costs a person had because they took part, repaid in full. Never earnings."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="expense_claims"
    )
    activity = models.ForeignKey(
        "engagement.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expense_claims",
    )
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    finance_reference = models.CharField(max_length=60, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cost_code = models.CharField(max_length=40, blank=True)
    #: Why it was sent back, in words the person will read.
    returned_reason = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    #: Staff who filled it in, changed its costs or sent it: none of them may approve it.
    prepared_by_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"EXP-{self.pk:06d}" if self.pk else "EXP-(new)"

    @property
    def is_editable(self) -> bool:
        return self.status in (ClaimStatus.DRAFT, ClaimStatus.RETURNED)


class ExpenseLine(models.Model):
    claim = models.ForeignKey(ExpenseClaim, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=ExpenseKind.choices)
    incurred_on = models.DateField()
    description = models.CharField(max_length=300, blank=True)
    miles = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    mileage_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "incurred_on", "pk"]

    def __str__(self):
        return f"Line {self.pk} of {self.claim}"

    def get_additional_data(self):
        return {"organisation_id": self.claim.organisation_id}


def _receipt_path(instance, filename):
    # Never the uploaded name: a random key, under a folder no web server serves.
    return f"receipts/{instance.key}"


class Receipt(models.Model):
    """A photo or scan of a receipt, stored outside the web root (MEDIA_ROOT is never served)
    and handed out only by views that check who is asking."""

    line = models.ForeignKey(ExpenseLine, on_delete=models.CASCADE, related_name="receipts")
    key = models.CharField(max_length=40, unique=True, editable=False)
    file = models.FileField(upload_to=_receipt_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line", "uploaded_at", "pk"]

    def __str__(self):
        return f"Receipt {self.pk} of {self.line.claim}"

    def get_additional_data(self):
        return {"organisation_id": self.line.claim.organisation_id}


def tax_year_start(day: datetime.date) -> datetime.date:
    """The 6 April on or before `day`."""
    start = datetime.date(day.year, 4, 6)
    return start if day >= start else datetime.date(day.year - 1, 4, 6)
