"""Every change to rate cards, payments, expense claims and a person's payment choices.

Money is Decimal, rounded half up to the penny once, when an amount is worked out. Permission
is checked here as well as in the views: staff act within their own organisation by role; a
person acts only on their own choices and claims.
"""

import datetime
import re
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.engagement.models import Activity, Invitation
from powershare.lib.uploads import upload_check
from powershare.people.models import Person
from powershare.people.selectors import person_for_user

from . import selectors
from .models import (
    ClaimStatus,
    ExpenseClaim,
    ExpenseKind,
    ExpenseLine,
    LimitsSetBy,
    Payment,
    PaymentChoice,
    PaymentKind,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
    RateCard,
    Receipt,
    TimeUnit,
    TravelTimePolicy,
)

PENNY = Decimal("0.01")
REFERENCE = re.compile(r"(?P<kind>PAY|EXP)-?(?P<pk>\d{1,12})")
#: No single rate, payment or expense line is larger than this; a typo, not a fee.
MAX_AMOUNT = Decimal("10000.00")
MAX_HOURS = Decimal("100")
#: Limits on a person's totals may be larger than any one payment (a yearly limit, say).
MAX_LIMIT = Decimal("100000.00")
RECEIPT_MAX_BYTES = 10 * 1024 * 1024
RECEIPT_EXTENSIONS = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".pdf")
RECEIPT_DESCRIBED = "a photo (JPEG, PNG, HEIC or WebP) or a PDF"


def pence(value: Decimal) -> Decimal:
    """Rounded half up to the penny."""
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def _decimal(value, field: str, errors: dict, *, label: str, maximum=MAX_AMOUNT, places=2):
    """A non-negative Decimal, or an error on `field` in plain words."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "").lstrip("£"))
    except (InvalidOperation, ValueError):
        errors[field] = f"Enter {label} as a number, like 12.50."
        return None
    if not number.is_finite() or number < 0:
        errors[field] = f"Enter {label} as a number of 0 or more."
        return None
    if number > maximum:
        errors[field] = f"{label.capitalize()} can't be more than {maximum:,}."
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors[field] = f"Enter {label} with no more than {places} decimal places."
        return None
    return number


def _check(actor: User, capability: Capability, organisation_id: int) -> None:
    if not user_can(user=actor, capability=capability, organisation_id=organisation_id):
        raise PermissionDenied("You can't do this in this organisation.")


def _is_the_person(actor: User, person: Person) -> bool:
    own = person_for_user(user=actor)
    return own is not None and own.pk == person.pk


def _not_their_own(actor: User, person: Person) -> None:
    """Staff never act on their own pay through the staff pages: a colleague does."""
    if person.user_id is not None and person.user_id == actor.pk:
        raise ValidationError(
            "This is a payment to you, so a colleague needs to do this. You can change how "
            "you are paid on your own page."
        )


def _prepared_by(record, actor: User) -> None:
    """Note that the actor recorded or changed the record: they may not approve it."""
    if actor.pk not in record.prepared_by_ids:
        record.prepared_by_ids = [*record.prepared_by_ids, actor.pk]


# ---------------------------------------------------------------------------------------------
# Rate cards and organisation defaults


RATE_FIELDS = ("hourly_rate", "half_day_rate", "full_day_rate")


def _rate_card_values(values: dict) -> dict:
    errors = {}
    cleaned = {}
    labels = {
        "hourly_rate": "the hourly rate",
        "half_day_rate": "the half-day rate",
        "full_day_rate": "the full-day rate",
        "preparation_max_hours": "the preparation hours",
        "travel_max_hours": "the travel hours",
        "mileage_rate": "the mileage rate",
    }
    for name, label in labels.items():
        maximum = MAX_HOURS if name.endswith("hours") else MAX_AMOUNT
        number = _decimal(values.get(name), name, errors, label=label, maximum=maximum)
        if number is None and name not in errors:
            if name in RATE_FIELDS:
                errors[name] = f"Enter {label}."
            else:
                number = Decimal("0")
        cleaned[name] = number
    policy = values.get("travel_time_policy") or TravelTimePolicy.NOT_PAID
    if policy not in TravelTimePolicy.values:
        errors["travel_time_policy"] = "Choose whether travel time is paid."
    cleaned["travel_time_policy"] = policy
    if not isinstance(values.get("effective_from"), datetime.date):
        errors["effective_from"] = "Enter the date these rates start."
    cleaned["effective_from"] = values.get("effective_from")
    cleaned["notes"] = (values.get("notes") or "").strip()[:2000]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def rate_card_create(*, actor: User, organisation_id: int, **values) -> RateCard:
    """A new version of the organisation's rates, from its effective date. Payments already
    worked out keep the rates they used."""
    _check(actor, Capability.MANAGE_PAYMENT_RATES, organisation_id)
    cleaned = _rate_card_values(values)
    if RateCard.objects.filter(
        organisation_id=organisation_id, effective_from=cleaned["effective_from"]
    ).exists():
        raise ValidationError(
            {"effective_from": "There is already a rate card starting that day. Change that one."}
        )
    return RateCard.objects.create(organisation_id=organisation_id, created_by=actor, **cleaned)


@transaction.atomic
def rate_card_update(*, actor: User, card: RateCard, **values) -> RateCard:
    """Change a rate card that no payment has used yet; once used, publish a new version."""
    _check(actor, Capability.MANAGE_PAYMENT_RATES, card.organisation_id)
    card = RateCard.objects.select_for_update().get(pk=card.pk)
    if selectors.rate_card_in_use(card=card):
        raise ValidationError(
            "Payments have been worked out with these rates, so they can't be changed. "
            "Add a new rate card from the date the new rates start."
        )
    cleaned = _rate_card_values(values)
    clash = RateCard.objects.filter(
        organisation_id=card.organisation_id, effective_from=cleaned["effective_from"]
    ).exclude(pk=card.pk)
    if clash.exists():
        raise ValidationError({"effective_from": "There is already a rate card starting that day."})
    for name, value in cleaned.items():
        setattr(card, name, value)
    card.save()
    return card


@transaction.atomic
def payment_settings_update(*, actor: User, organisation_id: int, **values) -> PaymentSettings:
    _check(actor, Capability.MANAGE_PAYMENT_RATES, organisation_id)
    errors = {}
    cleaned = {
        name: _decimal(values.get(name), name, errors, label=label, maximum=MAX_LIMIT)
        for name, label in (
            ("weekly_limit", "the weekly limit"),
            ("monthly_limit", "the monthly limit"),
            ("yearly_limit", "the yearly limit"),
        )
    }
    days = values.get("pay_within_days", 14)
    if not isinstance(days, int) or not 1 <= days <= 90:
        errors["pay_within_days"] = "Enter a number of days from 1 to 90."
    if errors:
        raise ValidationError(errors)
    settings_row, _ = PaymentSettings.objects.select_for_update().get_or_create(
        organisation_id=organisation_id
    )
    for name, value in cleaned.items():
        setattr(settings_row, name, value)
    settings_row.pay_within_days = days
    settings_row.default_cost_code = (values.get("default_cost_code") or "").strip()[:40]
    settings_row.advice = (values.get("advice") or "").strip()[:2000]
    settings_row.updated_by = actor
    settings_row.save()
    return settings_row


# ---------------------------------------------------------------------------------------------
# A person's choices


@transaction.atomic
def payment_choice_update(
    *,
    actor: User,
    person: Person,
    method: str,
    charity: str = "",
    weekly_limit=None,
    monthly_limit=None,
    yearly_limit=None,
    receives_benefits: bool | None = None,
) -> PaymentChoice:
    """The person (in their portal) or staff with them: how they want to be paid, and the
    limits to watch their totals against. A new method applies to payments still owed;
    payments already approved go as approved."""
    by_person = _is_the_person(actor, person)
    if not by_person:
        _check(actor, Capability.MANAGE_PAYMENTS, person.organisation_id)
    errors = {}
    if method not in PaymentMethod.values:
        errors["method"] = "Choose how you would like to be paid."
    charity = (charity or "").strip()[:200]
    if method == PaymentMethod.DONATE and not charity:
        errors["charity"] = "Say which charity should get the money."
    limits = {
        name: _decimal(value, name, errors, label=label, maximum=MAX_LIMIT)
        for name, value, label in (
            ("weekly_limit", weekly_limit, "the weekly limit"),
            ("monthly_limit", monthly_limit, "the monthly limit"),
            ("yearly_limit", yearly_limit, "the yearly limit"),
        )
    }
    if errors:
        raise ValidationError(errors)
    choice, _ = PaymentChoice.objects.select_for_update().get_or_create(person=person)
    choice.method = method
    choice.charity = charity if method == PaymentMethod.DONATE else ""
    for name, value in limits.items():
        setattr(choice, name, value)
    if any(value is not None for value in limits.values()):
        choice.limits_set_by = LimitsSetBy.PERSON if by_person else LimitsSetBy.WITH_PERSON
    choice.changed_by = actor
    choice.save()
    if receives_benefits is not None and receives_benefits != person.receives_benefits:
        person.receives_benefits = receives_benefits
        person.save(update_fields=["receives_benefits", "updated_at"])  # logged in the audit
    # One by one, so each change reaches the change log.
    # Corrections follow the payment they correct, so they keep their method.
    for owed in (
        Payment.objects.select_for_update(of=("self",))
        .filter(person=person, status=PaymentStatus.OWED)
        .exclude(kind=PaymentKind.ADJUSTMENT)
    ):
        if (owed.method, owed.charity) != (choice.method, choice.charity):
            owed.method, owed.charity = choice.method, choice.charity
            owed.save(update_fields=["method", "charity", "updated_at"])
    return choice


# ---------------------------------------------------------------------------------------------
# Payments


def payment_amount(
    *,
    card: RateCard,
    time_unit: str,
    quantity: Decimal,
    preparation_hours: Decimal = Decimal("0"),
    travel_hours: Decimal = Decimal("0"),
) -> tuple[Decimal, Decimal]:
    """(rate per unit, amount) for this much time on this rate card, to the penny.

    Preparation and travel time are paid at the hourly rate, up to the card's limits (travel
    only if the card pays it)."""
    rate = {
        TimeUnit.HOURS: card.hourly_rate,
        TimeUnit.HALF_DAY: card.half_day_rate,
        TimeUnit.FULL_DAY: card.full_day_rate,
    }[time_unit]
    extra_hours = min(preparation_hours, card.preparation_max_hours)
    if card.travel_time_policy == TravelTimePolicy.HOURLY:
        extra_hours += min(travel_hours, card.travel_max_hours)
    return rate, pence(rate * quantity + card.hourly_rate * extra_hours)


def _time_values(values: dict, errors: dict) -> dict:
    time_unit = values.get("time_unit") or TimeUnit.HOURS
    if time_unit not in TimeUnit.values:
        errors["time_unit"] = "Choose hours, half days or full days."
    quantity = _decimal(
        values.get("quantity"), "quantity", errors, label="the time", maximum=MAX_HOURS
    )
    if quantity is None and "quantity" not in errors:
        errors["quantity"] = "Enter how much time to pay for."
    elif quantity is not None and quantity == 0:
        errors["quantity"] = "Enter more than 0."
    prep = _decimal(
        values.get("preparation_hours"),
        "preparation_hours",
        errors,
        label="the preparation hours",
        maximum=MAX_HOURS,
    )
    travel = _decimal(
        values.get("travel_hours"),
        "travel_hours",
        errors,
        label="the travel hours",
        maximum=MAX_HOURS,
    )
    return {
        "time_unit": time_unit,
        "quantity": quantity,
        "preparation_hours": prep or Decimal("0"),
        "travel_hours": travel or Decimal("0"),
    }


def _priced(organisation_id: int, worked_on, time: dict, errors: dict) -> dict:
    if not isinstance(worked_on, datetime.date):
        errors["worked_on"] = "Enter the date of the involvement."
        return {}
    card = selectors.rate_card_in_force(organisation_id=organisation_id, on=worked_on)
    if card is None:
        errors["worked_on"] = (
            f"No rate card is in force on {worked_on:%-d %B %Y}. An administrator needs to "
            "add one that starts on or before that day."
        )
        return {}
    if errors:
        return {}
    rate, amount = payment_amount(card=card, **time)
    return {"rate_card": card, "rate": rate, "amount": amount}


@transaction.atomic
def payment_create(
    *,
    actor: User,
    person: Person,
    kind: str,
    worked_on: datetime.date,
    time_unit: str = TimeUnit.HOURS,
    quantity=None,
    preparation_hours=None,
    travel_hours=None,
    activity: Activity | None = None,
    invitation: Invitation | None = None,
    description: str = "",
    cost_code: str | None = None,
    note: str = "",
) -> Payment:
    """A payment owed to a person, priced from the rate card in force on the day. The method
    is the one the person chose."""
    _check(actor, Capability.MANAGE_PAYMENTS, person.organisation_id)
    _not_their_own(actor, person)
    errors = {}
    if kind not in PaymentKind.values or kind == PaymentKind.ADJUSTMENT:
        errors["kind"] = "Choose what the payment is for."
    description = (description or "").strip()[:300]
    if kind == PaymentKind.TASK and not description:
        errors["description"] = "Say what the task was."
    if activity is not None and activity.organisation_id != person.organisation_id:
        errors["activity"] = "Choose one of your organisation's activities."
    if invitation is not None:
        if invitation.person_id != person.pk or (
            activity is not None and invitation.activity_id != activity.pk
        ):
            errors["invitation"] = "This invitation is not this person's for this activity."
        activity = activity or invitation.activity
    if kind == PaymentKind.INVOLVEMENT and activity is None:
        errors["activity"] = "Choose the activity the person took part in."
    if kind == PaymentKind.INVOLVEMENT and invitation is None and activity is not None:
        # Paying for taking part is paying for their attendance: link it, so it can't be
        # paid twice (once here and once for everyone who attended).
        invitation = Invitation.objects.filter(activity=activity, person=person).first()
    time = _time_values(
        {
            "time_unit": time_unit,
            "quantity": quantity,
            "preparation_hours": preparation_hours,
            "travel_hours": travel_hours,
        },
        errors,
    )
    priced = _priced(person.organisation_id, worked_on, time, errors)
    if errors:
        raise ValidationError(errors)
    choice = selectors.payment_choice_for(person=person)
    if cost_code is None:
        cost_code = selectors.payment_settings_for(
            organisation_id=person.organisation_id
        ).default_cost_code
    try:
        with transaction.atomic():
            return Payment.objects.create(
                organisation_id=person.organisation_id,
                created_by=actor,
                prepared_by_ids=[actor.pk],
                person=person,
                kind=kind,
                activity=activity,
                invitation=invitation,
                description=description,
                worked_on=worked_on,
                method=choice.method,
                charity=choice.charity,
                cost_code=(cost_code or "").strip()[:40],
                note=(note or "").strip()[:2000],
                **time,
                **priced,
            )
    except IntegrityError:
        raise ValidationError(
            {"invitation": "This person already has a payment for taking part in this activity."}
        ) from None


@transaction.atomic
def payments_create_for_attendees(
    *,
    actor: User,
    activity: Activity,
    invitation_ids: list[int],
    time_unit: str,
    quantity,
    preparation_hours=None,
    travel_hours=None,
) -> list[Payment]:
    """Payments owed to the chosen people who attended an activity, all at once (or none)."""
    _check(actor, Capability.MANAGE_PAYMENTS, activity.organisation_id)
    waiting = {
        invitation.pk: invitation
        for invitation in selectors.attendees_without_payment(activity=activity)
    }
    chosen = [waiting[pk] for pk in invitation_ids if pk in waiting]
    if not chosen:
        raise ValidationError({"invitations": "Choose at least one person who attended."})
    return [
        payment_create(
            actor=actor,
            person=invitation.person,
            kind=PaymentKind.INVOLVEMENT,
            worked_on=activity.ends_on,
            time_unit=time_unit,
            quantity=quantity,
            preparation_hours=preparation_hours,
            travel_hours=travel_hours,
            activity=activity,
            invitation=invitation,
        )
        for invitation in chosen
    ]


def _locked(payment: Payment) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",)).select_related("person").get(pk=payment.pk)
    )


@transaction.atomic
def payment_update(
    *,
    actor: User,
    payment: Payment,
    worked_on: datetime.date,
    time_unit: str,
    quantity,
    preparation_hours=None,
    travel_hours=None,
    description: str = "",
    cost_code: str | None = None,
    note: str = "",
) -> Payment:
    """Change a payment that is still owed; its amount is worked out again. A cost code of
    None keeps the one it has."""
    _check(actor, Capability.MANAGE_PAYMENTS, payment.organisation_id)
    payment = _locked(payment)
    _not_their_own(actor, payment.person)
    if not payment.is_editable:
        raise ValidationError(
            "Only a payment that is still owed can be changed. Once paid, add a correction."
        )
    if payment.kind == PaymentKind.ADJUSTMENT:
        raise ValidationError(
            "A correction can't be changed. Cancel it and add a new one if it is wrong."
        )
    errors = {}
    description = (description or "").strip()[:300]
    if payment.kind == PaymentKind.TASK and not description:
        errors["description"] = "Say what the task was."
    time = _time_values(
        {
            "time_unit": time_unit,
            "quantity": quantity,
            "preparation_hours": preparation_hours,
            "travel_hours": travel_hours,
        },
        errors,
    )
    priced = _priced(payment.organisation_id, worked_on, time, errors)
    if errors:
        raise ValidationError(errors)
    _prepared_by(payment, actor)
    payment.worked_on = worked_on
    payment.description = description
    if cost_code is not None:
        payment.cost_code = cost_code.strip()[:40]
    payment.note = (note or "").strip()[:2000]
    for name, value in {**time, **priced}.items():
        setattr(payment, name, value)
    payment.save()
    return payment


@transaction.atomic
def payment_approve(*, actor: User, payment: Payment, acknowledged: bool = False) -> Payment:
    """Approve a payment someone else recorded. If it takes a person who gets benefits over one
    of their limits, the approver must first say they have seen the warning (and, ideally,
    talked the options through with the person). A payment the person does not want is closed
    as "not wanted" instead."""
    _check(actor, Capability.APPROVE_PAYMENTS, payment.organisation_id)
    payment = _locked(payment)
    if payment.status != PaymentStatus.OWED:
        raise ValidationError(f"This payment is {payment.get_status_display().lower()} already.")
    if payment.created_by_id == actor.pk or actor.pk in payment.prepared_by_ids:
        raise ValidationError(
            "You recorded or changed this payment, so someone else must approve it."
        )
    if payment.person.user_id == actor.pk:
        raise ValidationError("Nobody can approve a payment to themselves.")
    crossed = selectors.crossing(selectors.threshold_check(payment=payment))
    if crossed and not acknowledged:
        raise ValidationError(
            {
                "acknowledged": "This payment takes the person over a limit they chose. "
                "Confirm you have seen the totals and talked through the options."
            }
        )
    payment.status = (
        PaymentStatus.DECLINED
        if payment.method == PaymentMethod.DECLINE
        else PaymentStatus.APPROVED
    )
    payment.approved_by = actor
    payment.approved_at = timezone.now()
    payment.warning_at_approval = [total.as_dict() for total in crossed]
    payment.save()
    return payment


@transaction.atomic
def payment_method_change(
    *, actor: User, payment: Payment, method: str, charity: str = ""
) -> Payment:
    """Staff change how one payment is made, at the person's request, while it is still owed."""
    _check(actor, Capability.MANAGE_PAYMENTS, payment.organisation_id)
    payment = _locked(payment)
    _not_their_own(actor, payment.person)
    if not payment.is_editable:
        raise ValidationError("Only a payment that is still owed can be changed.")
    if payment.kind == PaymentKind.ADJUSTMENT:
        raise ValidationError("A correction is made the same way as the payment it corrects.")
    errors = {}
    if method not in PaymentMethod.values:
        errors["method"] = "Choose how the person wants to be paid."
    charity = (charity or "").strip()[:200]
    if method == PaymentMethod.DONATE and not charity:
        errors["charity"] = "Say which charity should get the money."
    if errors:
        raise ValidationError(errors)
    payment.method = method
    payment.charity = charity if method == PaymentMethod.DONATE else ""
    _prepared_by(payment, actor)
    payment.save(update_fields=["method", "charity", "prepared_by_ids", "updated_at"])
    return payment


@transaction.atomic
def payment_cancel(*, actor: User, payment: Payment, reason: str) -> Payment:
    """Cancel a payment recorded in error, before it is paid. The reason is kept."""
    _check(actor, Capability.MANAGE_PAYMENTS, payment.organisation_id)
    payment = _locked(payment)
    _not_their_own(actor, payment.person)
    if payment.status not in (PaymentStatus.OWED, PaymentStatus.APPROVED):
        raise ValidationError("Only a payment that is owed or approved can be cancelled.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the payment is cancelled."})
    payment.status = PaymentStatus.CANCELLED
    payment.reason = reason[:2000]
    payment.save(update_fields=["status", "reason", "updated_at"])
    return payment


def _paid_values(paid_on, finance_reference: str) -> tuple[datetime.date, str]:
    errors = {}
    if not isinstance(paid_on, datetime.date):
        errors["paid_on"] = "Enter the date it was paid."
    elif paid_on > timezone.localdate():
        errors["paid_on"] = "The date it was paid can't be in the future."
    finance_reference = (finance_reference or "").strip()[:60]
    if not finance_reference:
        errors["finance_reference"] = "Enter the finance system's reference for the payment."
    if errors:
        raise ValidationError(errors)
    return paid_on, finance_reference


@transaction.atomic
def payment_mark_paid(
    *, actor: User, payment: Payment, paid_on: datetime.date, finance_reference: str
) -> Payment:
    _check(actor, Capability.MANAGE_PAYMENTS, payment.organisation_id)
    paid_on, finance_reference = _paid_values(paid_on, finance_reference)
    payment = _locked(payment)
    _not_their_own(actor, payment.person)
    if payment.status != PaymentStatus.APPROVED:
        raise ValidationError("Only an approved payment can be marked as paid.")
    payment.status = PaymentStatus.PAID
    payment.paid_on = paid_on
    payment.finance_reference = finance_reference
    payment.marked_paid_by = actor
    payment.save()
    return payment


@transaction.atomic
def payment_adjust(*, actor: User, payment: Payment, amount, reason: str) -> Payment:
    """A correction to a paid payment: a new payment (more, or less if negative) that goes
    through approval like any other. The paid payment itself never changes."""
    _check(actor, Capability.MANAGE_PAYMENTS, payment.organisation_id)
    payment = _locked(payment)
    _not_their_own(actor, payment.person)
    if payment.status != PaymentStatus.PAID:
        raise ValidationError("Only a paid payment is corrected this way; change it instead.")
    errors = {}
    text = str(amount if amount is not None else "").strip()
    negative = text.startswith("-")
    value = _decimal(text.lstrip("-"), "amount", errors, label="the amount")
    if value is None and "amount" not in errors:
        errors["amount"] = "Enter the amount of the correction."
    elif value == 0:
        errors["amount"] = "Enter an amount other than 0."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the correction is needed."
    if errors:
        raise ValidationError(errors)
    value = -value if negative else value
    if selectors.corrected_total(payment=payment) + value < 0:
        raise ValidationError({"amount": "A correction can't take the total below £0."})
    return Payment.objects.create(
        organisation_id=payment.organisation_id,
        created_by=actor,
        prepared_by_ids=[actor.pk],
        person=payment.person,
        kind=PaymentKind.ADJUSTMENT,
        activity=payment.activity,
        description=f"Correction to {payment.reference}",
        worked_on=payment.worked_on,
        time_unit=payment.time_unit,
        quantity=Decimal("0"),
        amount=value,
        method=payment.method,
        charity=payment.charity,
        cost_code=payment.cost_code,
        adjustment_of=payment,
        reason=reason[:2000],
    )


# ---------------------------------------------------------------------------------------------
# Expense claims


def _may_act_on_claim(actor: User, claim: ExpenseClaim) -> bool:
    """The person (only on their own claim) or staff who manage payments."""
    return _is_the_person(actor, claim.person) or user_can(
        user=actor, capability=Capability.MANAGE_PAYMENTS, organisation_id=claim.organisation_id
    )


def _locked_claim(claim: ExpenseClaim) -> ExpenseClaim:
    return (
        ExpenseClaim.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_create(
    *, actor: User, person: Person, activity: Activity | None = None, note: str = ""
) -> ExpenseClaim:
    """A new claim, not yet sent, by the person or by staff for them."""
    if not _is_the_person(actor, person):
        _check(actor, Capability.MANAGE_PAYMENTS, person.organisation_id)
    if activity is not None and activity.organisation_id != person.organisation_id:
        raise ValidationError({"activity": "Choose one of the activities you took part in."})
    return ExpenseClaim.objects.create(
        organisation_id=person.organisation_id,
        created_by=actor,
        prepared_by_ids=[] if _is_the_person(actor, person) else [actor.pk],
        person=person,
        activity=activity,
        note=(note or "").strip()[:2000],
        cost_code=selectors.payment_settings_for(
            organisation_id=person.organisation_id
        ).default_cost_code,
    )


@transaction.atomic
def claim_line_add(
    *,
    actor: User,
    claim: ExpenseClaim,
    kind: str,
    incurred_on,
    amount=None,
    miles=None,
    description: str = "",
    receipt=None,
) -> ExpenseLine:
    """One cost on a claim. Mileage is worked out from the miles at the rate card's mileage
    rate; anything else is the amount paid, with a photo of the receipt where there is one."""
    if not _may_act_on_claim(actor, claim):
        raise PermissionDenied("You can't change this claim.")
    claim = _locked_claim(claim)
    if not claim.is_editable:
        raise ValidationError("This claim has been sent, so nothing can be added to it.")
    errors = {}
    if kind not in ExpenseKind.values:
        errors["kind"] = "Choose what the cost was for."
    if not isinstance(incurred_on, datetime.date):
        errors["incurred_on"] = "Enter the date of the cost."
    elif incurred_on > timezone.localdate():
        errors["incurred_on"] = "The date can't be in the future."
    description = (description or "").strip()[:300]
    if kind == ExpenseKind.OTHER and not description:
        errors["description"] = "Say what the cost was for."
    rate = None
    if kind == ExpenseKind.MILEAGE:
        miles = _decimal(
            miles, "miles", errors, label="the miles", maximum=Decimal("2000"), places=1
        )
        if miles is None and "miles" not in errors:
            errors["miles"] = "Enter how many miles you travelled."
        elif miles == 0:
            errors["miles"] = "Enter more than 0 miles."
        on = incurred_on if isinstance(incurred_on, datetime.date) else timezone.localdate()
        card = selectors.rate_card_in_force(organisation_id=claim.organisation_id, on=on)
        rate = card.mileage_rate if card else Decimal("0.45")
        value = pence(miles * rate) if miles else None
    else:
        miles = None
        value = _decimal(amount, "amount", errors, label="the amount")
        if value is None and "amount" not in errors:
            errors["amount"] = "Enter how much it cost."
        elif value == 0:
            errors["amount"] = "Enter more than £0."
    if receipt is not None:
        try:
            upload_check(
                receipt,
                extensions=RECEIPT_EXTENSIONS,
                described=RECEIPT_DESCRIBED,
                max_bytes=RECEIPT_MAX_BYTES,
                field="receipt",
            )
        except ValidationError as problem:
            errors.update(problem.message_dict)
    if errors:
        raise ValidationError(errors)
    _staff_prepared(claim, actor)
    line = ExpenseLine.objects.create(
        claim=claim,
        kind=kind,
        incurred_on=incurred_on,
        description=description,
        miles=miles,
        mileage_rate=rate,
        amount=value,
    )
    if receipt is not None:
        _receipt_store(actor, line, receipt)
    return line


def _staff_prepared(claim: ExpenseClaim, actor: User) -> None:
    """Staff who change a claim's costs or send it may not approve it (the person may not
    either: it is theirs)."""
    if not _is_the_person(actor, claim.person) and actor.pk not in claim.prepared_by_ids:
        _prepared_by(claim, actor)
        claim.save(update_fields=["prepared_by_ids", "updated_at"])


def _receipt_store(actor: User, line: ExpenseLine, upload) -> Receipt:
    _extension, content_type = upload_check(
        upload,
        extensions=RECEIPT_EXTENSIONS,
        described=RECEIPT_DESCRIBED,
        max_bytes=RECEIPT_MAX_BYTES,
        field="receipt",
    )
    receipt = Receipt(
        line=line,
        key=secrets.token_hex(16),
        original_name=PurePath(upload.name).name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    receipt.file.save(receipt.key, upload, save=False)
    receipt.save()
    return receipt


@transaction.atomic
def receipt_add(*, actor: User, line: ExpenseLine, upload) -> Receipt:
    if not _may_act_on_claim(actor, line.claim):
        raise PermissionDenied("You can't change this claim.")
    claim = _locked_claim(line.claim)
    if not claim.is_editable:
        raise ValidationError("This claim has been sent, so nothing can be added to it.")
    _staff_prepared(claim, actor)
    return _receipt_store(actor, line, upload)


@transaction.atomic
def claim_line_remove(*, actor: User, line: ExpenseLine) -> None:
    if not _may_act_on_claim(actor, line.claim):
        raise PermissionDenied("You can't change this claim.")
    claim = _locked_claim(line.claim)
    if not claim.is_editable:
        raise ValidationError("This claim has been sent, so it can't be changed.")
    _staff_prepared(claim, actor)
    stored = [receipt.file for receipt in line.receipts.all()]
    line.delete()
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in stored])


@transaction.atomic
def claim_submit(*, actor: User, claim: ExpenseClaim) -> ExpenseClaim:
    """Send a claim for approval (the person, or staff who filled it in with them)."""
    if not _may_act_on_claim(actor, claim):
        raise PermissionDenied("You can't send this claim.")
    claim = _locked_claim(claim)
    if not claim.is_editable:
        raise ValidationError("This claim has been sent already.")
    if not claim.lines.exists():
        raise ValidationError("Add at least one cost before sending the claim.")
    if not _is_the_person(actor, claim.person):
        _prepared_by(claim, actor)
    claim.status = ClaimStatus.SUBMITTED
    claim.submitted_at = timezone.now()
    claim.returned_reason = ""
    claim.save()
    return claim


@transaction.atomic
def claim_approve(*, actor: User, claim: ExpenseClaim) -> ExpenseClaim:
    _check(actor, Capability.APPROVE_PAYMENTS, claim.organisation_id)
    claim = _locked_claim(claim)
    if claim.status != ClaimStatus.SUBMITTED:
        raise ValidationError("Only a claim waiting for approval can be approved.")
    if claim.created_by_id == actor.pk or actor.pk in claim.prepared_by_ids:
        raise ValidationError(
            "You filled in or changed this claim, so someone else must approve it."
        )
    if claim.person.user_id == actor.pk:
        raise ValidationError("Nobody can approve their own expense claim.")
    claim.status = ClaimStatus.APPROVED
    claim.approved_by = actor
    claim.approved_at = timezone.now()
    claim.save()
    return claim


@transaction.atomic
def claim_return(*, actor: User, claim: ExpenseClaim, reason: str) -> ExpenseClaim:
    """Send a claim back to the person to put something right, saying what, kindly."""
    _check(actor, Capability.APPROVE_PAYMENTS, claim.organisation_id)
    claim = _locked_claim(claim)
    if claim.status != ClaimStatus.SUBMITTED:
        raise ValidationError("Only a claim waiting for approval can be sent back.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say what needs to change, so the person can put it right."}
        )
    claim.status = ClaimStatus.RETURNED
    claim.returned_reason = reason[:2000]
    claim.returned_at = timezone.now()
    claim.save()
    return claim


@transaction.atomic
def claim_mark_paid(
    *, actor: User, claim: ExpenseClaim, paid_on: datetime.date, finance_reference: str
) -> ExpenseClaim:
    _check(actor, Capability.MANAGE_PAYMENTS, claim.organisation_id)
    paid_on, finance_reference = _paid_values(paid_on, finance_reference)
    claim = _locked_claim(claim)
    _not_their_own(actor, claim.person)
    if claim.status != ClaimStatus.APPROVED:
        raise ValidationError("Only an approved claim can be marked as paid.")
    claim.status = ClaimStatus.PAID
    claim.paid_on = paid_on
    claim.finance_reference = finance_reference
    claim.marked_paid_by = actor
    claim.save()
    return claim


# ---------------------------------------------------------------------------------------------
# Finance: marking paid what the finance system paid


@dataclass(frozen=True)
class PaidItem:
    """One row of the finance system's file: our reference, when it was paid, and theirs."""

    row: int
    reference: str
    paid_on: datetime.date
    finance_reference: str


def finance_reference_parse(reference: str) -> tuple[str, int] | None:
    """("payment" or "claim", pk) for a reference like PAY-000123 or EXP-000045."""
    match = REFERENCE.fullmatch((reference or "").strip().upper())
    if not match:
        return None
    return ("payment" if match["kind"] == "PAY" else "claim"), int(match["pk"])


def finance_paid_problems(*, organisation_id: int, items: list[PaidItem]) -> list[tuple[int, str]]:
    """(row, problem) for every item that can't be marked paid: an unknown reference, one of
    another organisation, one not approved, a date in the future, or a reference twice."""
    problems = []
    wanted = {"payment": {}, "claim": {}}
    for item in items:
        parsed = finance_reference_parse(item.reference)
        if parsed is None:
            problems.append(
                (
                    item.row,
                    f"“{item.reference[:40]}” is not a PowerShare reference "
                    "(they look like PAY-000123 or EXP-000045).",
                )
            )
            continue
        kind, pk = parsed
        if pk in wanted[kind]:
            problems.append((item.row, f"{item.reference} is also on row {wanted[kind][pk]}."))
            continue
        wanted[kind][pk] = item.row
        if item.paid_on > timezone.localdate():
            problems.append((item.row, "The date paid is in the future."))
        if not item.finance_reference:
            problems.append((item.row, "The finance reference is empty."))
    found = {
        "payment": {
            pk: (status, approved_at)
            for pk, status, approved_at in Payment.objects.filter(
                organisation_id=organisation_id, pk__in=wanted["payment"]
            ).values_list("pk", "status", "approved_at")
        },
        "claim": {
            pk: (status, approved_at)
            for pk, status, approved_at in ExpenseClaim.objects.filter(
                organisation_id=organisation_id, pk__in=wanted["claim"]
            ).values_list("pk", "status", "approved_at")
        },
    }
    # (A date paid before the approval is checked where the file is read: finance.py.)
    for kind, rows in wanted.items():
        for pk, row in rows.items():
            status, approved_at = found[kind].get(pk, (None, None))
            reference = f"{'PAY' if kind == 'payment' else 'EXP'}-{pk:06d}"
            if status is None:
                problems.append((row, f"No payment or claim has the reference {reference} here."))
            elif status == PaymentStatus.CANCELLED and approved_at is None:
                problems.append(
                    (
                        row,
                        f"{reference} was cancelled before it was approved, so it was never sent "
                        "to finance: check with finance what they paid.",
                    )
                )
            elif status == PaymentStatus.CANCELLED:
                problems.append(
                    (
                        row,
                        f"{reference} was cancelled after it was sent to finance: check with "
                        "finance whether it was paid.",
                    )
                )
            elif status != PaymentStatus.APPROVED:
                label = (PaymentStatus if kind == "payment" else ClaimStatus)(status).label
                problems.append(
                    (
                        row,
                        f"{reference} is “{label.lower()}”, not approved, so it can't be "
                        "marked paid.",
                    )
                )
    return sorted(problems)


@transaction.atomic
def finance_mark_paid(
    *, actor: User, organisation_id: int, items: list[PaidItem]
) -> dict[str, int]:
    """Mark every item paid, or none: if any item has a problem, ValidationError lists them
    all by row and nothing changes."""
    _check(actor, Capability.MANAGE_PAYMENTS, organisation_id)
    if not items:
        raise ValidationError("The file has no rows to mark paid.")
    problems = finance_paid_problems(organisation_id=organisation_id, items=items)
    if problems:
        raise ValidationError([f"Row {row}: {problem}" for row, problem in problems])
    counts = {"payments": 0, "claims": 0}
    for item in items:
        kind, pk = finance_reference_parse(item.reference)
        model = Payment if kind == "payment" else ExpenseClaim
        record = (
            model.objects.select_for_update(of=("self",))
            .filter(pk=pk, organisation_id=organisation_id, status=PaymentStatus.APPROVED)
            .first()
        )
        if record is None:  # changed by someone else since the check: undo everything
            raise ValidationError([f"Row {item.row}: {item.reference} changed while importing."])
        record.status = PaymentStatus.PAID
        record.paid_on = item.paid_on
        record.finance_reference = item.finance_reference[:60]
        record.marked_paid_by = actor
        record.save()  # one by one, so each shows in the record's history
        counts["payments" if kind == "payment" else "claims"] += 1
    return counts
