"""Staff pages about payments: the list, recording payments (one at a time or for everyone who
attended an activity), one payment with its actions (approve, change, method, cancel, mark paid,
correct) and one person's payments and payment choices.

Seeing payments needs VIEW_PAYMENTS in the payment's organisation; recording and changing them
MANAGE_PAYMENTS; approving APPROVE_PAYMENTS, and never one you recorded or changed, nor one to
you. Staff who are also on the register never record or change their own payments or choices
here: a colleague does, and their choices are theirs to change in the portal. A correction is
never changed: it is cancelled and added again. Anything else answers 404, never 403.

Before approving a payment that would take a person who gets benefits over one of their limits,
the approver sees their totals and the options, and must say so.

A person's payments are personal data: opening one, or a person's payments page, is recorded.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.audit.selectors import history_for_record
from powershare.audit.services import access_event_record
from powershare.engagement import selectors as engagement_selectors
from powershare.lib.forms import act_then_go, form_errors_to_fields, posted
from powershare.people import selectors as people_selectors
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .forms import (
    AdjustForm,
    ApproveForm,
    AttendeesForm,
    CancelForm,
    MethodForm,
    PaidForm,
    PaymentEditForm,
    PaymentFilterForm,
    PaymentForm,
    PersonChoiceForm,
    status_filter,
)
from .models import PaymentKind, PaymentMethod, PaymentStatus, TimeUnit

PAGE_SIZE = 50
#: How many recently ended activities the list offers, to pay the people who attended.
RECENT_ACTIVITIES = 8
#: How many of a person's expense claims their payments page lists.
CLAIMS_SHOWN = 50
GENERIC_ADVICE = (
    "You can get free, independent advice about benefits from a welfare rights service or "
    "Citizens Advice."
)
CORRECTION_NOT_CHANGED = (
    "A correction can't be changed. If it is wrong, cancel it and add a new correction to "
    "the paid payment."
)
#: The tabs of the list, in the order a payment moves through them.
STATUS_TABS = [
    (PaymentStatus.OWED, "Owed"),
    (PaymentStatus.APPROVED, "Approved"),
    (PaymentStatus.PAID, "Paid"),
    (PaymentStatus.DECLINED, "Not wanted"),
    (PaymentStatus.CANCELLED, "Cancelled"),
]


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Payments", "url": reverse("payments:home")},
        *items,
    ]


def _payment_crumbs(payment, *items):
    return _crumbs(
        {
            "label": payment.reference,
            "url": reverse("payments:payment_detail", args=[payment.pk]),
        },
        *items,
    )


def _require(user, capability=Capability.VIEW_PAYMENTS):
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _several_organisations(user) -> bool:
    return len(organisation_ids_where(user=user, capability=Capability.VIEW_PAYMENTS)) > 1


def number_words(value: Decimal) -> str:
    """2.00 → "2", 1.50 → "1.5"."""
    return f"{Decimal(value).normalize():f}"


_UNITS = {
    TimeUnit.HOURS: ("hour", "hours"),
    TimeUnit.HALF_DAY: ("half day", "half days"),
    TimeUnit.FULL_DAY: ("full day", "full days"),
}


def time_words(time_unit: str, quantity: Decimal) -> str:
    """ "2 hours", "1 half day", "1.5 hours"; empty for a correction (no time)."""
    if not quantity:
        return ""
    one, many = _UNITS.get(time_unit, ("", ""))
    return f"{number_words(quantity)} {one if quantity == 1 else many}"


def _with_words(payment):
    payment.time_words = time_words(payment.time_unit, payment.quantity)
    payment.what_for = (
        payment.activity.title if payment.activity_id else ""
    ) or payment.description
    return payment


def _payment_read_record(request, payment, what: str = "payment opened"):
    access_event_record(
        user=request.user,
        organisation_id=payment.organisation_id,
        subject=payment,
        description=f"{payment.reference} of person {payment.person.reference}: {what}",
        path=request.path,
    )


def _advice(organisation_id: int) -> str:
    return selectors.payment_settings_for(organisation_id=organisation_id).advice or ""


def _payment_to_change(request, pk):
    return _with_words(
        selectors.payment_get_for(user=request.user, pk=pk, may=Capability.MANAGE_PAYMENTS)
    )


def _not_now(request, payment, text: str):
    """A change that does not apply to a payment in its present status: say why, on its page."""
    messages.info(request, text)
    return redirect("payments:payment_detail", pk=payment.pk)


def _act_then_back(request, form, payment, act):
    """For a valid POST: run `act` (a service call returning the message to show) and go back
    to the payment; a refusal's reasons go on the form's fields. None: show the form again."""
    if request.method != "POST" or not form.is_valid():
        return None
    response, _ = act_then_go(
        request,
        lambda: act(form.cleaned_data),
        to=reverse("payments:payment_detail", args=[payment.pk]),
        form=form,
        not_found="No such payment",
    )
    return response


def _payment_form_page(request, template, payment, form, *, title, crumb, **extra):
    return render(
        request,
        template,
        {
            "page_title": title,
            "page_caption": payment.person.name,
            "breadcrumbs": _payment_crumbs(payment, {"label": crumb}),
            "payment": payment,
            "form": form,
            **extra,
        },
    )


def _people_to_pay(user):
    """Active people on the registers of organisations where the user records payments; never
    the user's own record (a colleague records a payment to them)."""
    return selectors.people_to_pay_for(user=user).exclude(user_id=user.pk)


def _not_approver_because(user, payment) -> str:
    """Why this user may not approve a payment still owed (empty if they may): the payee, and
    everyone who recorded or changed it, leave it to someone else."""
    if payment.person.user_id is not None and payment.person.user_id == user.pk:
        return (
            "This payment is to you, so someone else must approve it. A second person checks "
            "every payment before it is made."
        )
    if payment.created_by_id == user.pk or user.pk in (payment.prepared_by_ids or []):
        return (
            "You recorded or changed this payment, so someone else must approve it. A second "
            "person checks every payment before it is made."
        )
    return ""


def _activities_to_pay_for(user):
    ids = organisation_ids_where(user=user, capability=Capability.MANAGE_PAYMENTS)
    return engagement_selectors.activity_list_for(user=user).filter(
        organisation_id__in=ids, cancelled_at__isnull=True
    )


# ---------------------------------------------------------------------------------------------
# The list


def _rates_only_home(request):
    """Administrators set rates and defaults but see no one's payments."""
    return render(
        request,
        "payments/home.html",
        {
            "page_title": "Payments",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Payments"}],
        },
    )


@login_required
@require_GET
def payment_list(request, **kwargs):
    user = request.user
    if not user_can(user=user, capability=Capability.VIEW_PAYMENTS):
        if user_can(user=user, capability=Capability.MANAGE_PAYMENT_RATES):
            return _rates_only_home(request)
        raise Http404("No such page")
    status = status_filter(request.GET.get("status", ""))
    asked = any(request.GET.get(name) for name in ("search", "method", "worked_from", "worked_to"))
    filter_form = PaymentFilterForm(request.GET if asked else None)
    filters = filter_form.filters()
    rows = selectors.payment_list_for(user=user, status=status, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_with_words(payment) for payment in page.object_list]
    counts = selectors.payment_counts_for(user=user)
    can_manage = user_can(user=user, capability=Capability.MANAGE_PAYMENTS)
    recent = (
        list(
            _activities_to_pay_for(user).filter(ends_on__lte=timezone.localdate())[
                :RECENT_ACTIVITIES
            ]
        )
        if can_manage
        else []
    )
    tabs = [
        {"value": "", "label": "All", "count": sum(counts[value] for value, _ in STATUS_TABS)},
        *({"value": value, "label": label, "count": counts[value]} for value, label in STATUS_TABS),
    ]
    return render(
        request,
        "payments/payment_list.html",
        {
            "page_title": "Payments",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Payments"}],
            "page_obj": page,
            "status": status,
            "tabs": tabs,
            "counts": counts,
            "filter_form": filter_form,
            "filtered": bool(status) or any(filters.values()),
            "several_organisations": _several_organisations(user),
            "can_manage": can_manage,
            "recent_activities": recent,
            "can_set_rates": user_can(user=user, capability=Capability.MANAGE_PAYMENT_RATES),
        },
    )


# ---------------------------------------------------------------------------------------------
# Recording payments


def _card_in_force(organisation_ids, on: datetime.date):
    return [
        card
        for card in (
            selectors.rate_card_in_force(organisation_id=pk, on=on) for pk in organisation_ids
        )
        if card is not None
    ]


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request, **kwargs):
    user = request.user
    _require(user, Capability.MANAGE_PAYMENTS)
    manage_ids = organisation_ids_where(user=user, capability=Capability.MANAGE_PAYMENTS)
    people = _people_to_pay(user)
    initial = {"worked_on": timezone.localdate(), "time_unit": TimeUnit.HOURS}
    for name in ("person", "activity"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = value
    if "activity" in initial:
        initial["kind"] = PaymentKind.INVOLVEMENT
    form = PaymentForm(
        posted(request),
        people=people,
        activities=_activities_to_pay_for(user),
        initial=initial,
    )
    chosen = people.filter(pk=initial["person"]).first() if "person" in initial else None
    _cost_code_default(form, manage_ids, chosen)
    preview = None
    if request.method == "POST" and form.is_valid():
        fields = form.payment_fields()
        if "preview" in request.POST:
            preview = _preview(form, fields)
        else:

            def create():
                payment = services.payment_create(actor=user, **fields)
                return reverse("payments:payment_detail", args=[payment.pk])

            done = submit_form_once(
                request,
                form,
                create,
                success="Payment recorded. Someone other than you needs to approve it.",
            )
            if done is not None:
                return done
    today = timezone.localdate()
    return render(
        request,
        "payments/payment_form.html",
        {
            "page_title": "Record a payment",
            "breadcrumbs": _crumbs({"label": "Record a payment"}),
            "form": form,
            "preview": preview,
            "cards": _card_in_force(manage_ids, today),
            "today": today,
        },
    )


def _cost_code_default(form, manage_ids: list[int], person) -> None:
    """The cost code starts as the default of the organisation the payment is for: the
    person's, once chosen, or the only one the user records payments in. Otherwise it starts
    empty, and an empty one is given the person's organisation's default when saved."""
    organisation_id = (
        person.organisation_id
        if person is not None
        else (manage_ids[0] if len(manage_ids) == 1 else None)
    )
    field = form.fields["cost_code"]
    if organisation_id is None:
        field.help_text = "Leave empty to use the default cost code of the person's organisation."
        return
    default = selectors.payment_settings_for(organisation_id=organisation_id).default_cost_code
    form.initial["cost_code"] = default
    field.help_text = (
        f"The organisation's default is {default}. Leave empty to use it."
        if default
        else "Leave empty if there is none."
    )


def _preview(form, fields) -> dict | None:
    """The amount the payment would be, from the rate card in force on the day, unsaved. The
    form has already checked what the service checks before pricing (the time within
    services.MAX_HOURS, more than 0; a description for a task; the activity for taking part)."""
    person = fields["person"]
    card = selectors.rate_card_in_force(
        organisation_id=person.organisation_id, on=fields["worked_on"]
    )
    if card is None:
        form.add_error(
            "worked_on",
            f"No rate card is in force on {fields['worked_on']:%-d %B %Y}. An administrator "
            "needs to add one that starts on or before that day.",
        )
        return None
    rate, amount = services.payment_amount(
        card=card,
        time_unit=fields["time_unit"],
        quantity=fields["quantity"],
        preparation_hours=fields["preparation_hours"],
        travel_hours=fields["travel_hours"],
    )
    return {
        "card": card,
        "rate": rate,
        "amount": amount,
        "time_words": time_words(fields["time_unit"], fields["quantity"]),
    }


@login_required
@require_http_methods(["GET", "POST"])
def activity_payments(request, pk):
    """Everyone who attended an activity and has no payment for it yet: record what they are
    owed in one go (all ticked to start with)."""
    user = request.user
    activity = engagement_selectors.activity_get_for(user=user, pk=pk, may=Capability.VIEW_PAYMENTS)
    can_manage = user_can(
        user=user, capability=Capability.MANAGE_PAYMENTS, organisation_id=activity.organisation_id
    )
    if request.method == "POST" and not can_manage:
        raise Http404("No such page")
    attendees = []
    you_attended = False
    for invitation in selectors.attendees_without_payment(activity=activity):
        # A colleague records a payment to you; the service refuses it anyway.
        if invitation.person.user_id is not None and invitation.person.user_id == user.pk:
            you_attended = True
        else:
            attendees.append(invitation)
    form = AttendeesForm(
        posted(request), attendees=attendees, initial={"time_unit": TimeUnit.HOURS}
    )
    if request.method == "POST" and form.is_valid():
        count = len(form.invitation_ids())

        def create():
            services.payments_create_for_attendees(
                actor=user,
                activity=activity,
                invitation_ids=form.invitation_ids(),
                **form.time_values(),
            )
            return reverse("payments:activity_payments", args=[activity.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success=f"{count} payment{'' if count == 1 else 's'} recorded as owed. Someone "
            "other than you needs to approve them.",
        )
        if done is not None:
            return done
    payments = [
        _with_words(payment)
        for payment in selectors.payment_list_for(user=user, activity_id=activity.pk)
    ]
    return render(
        request,
        "payments/activity_payments.html",
        {
            "page_title": f"Payments for {activity.title}",
            "breadcrumbs": _crumbs({"label": activity.title}),
            "activity": activity,
            "attendees": attendees,
            "you_attended": you_attended,
            "form": form,
            "chosen": set(form.chosen),
            "payments": payments,
            "can_manage": can_manage,
            "card": selectors.rate_card_in_force(
                organisation_id=activity.organisation_id, on=activity.ends_on
            ),
        },
    )


# ---------------------------------------------------------------------------------------------
# One payment


def _actions(user, payment) -> dict:
    can_manage = user_can(
        user=user, capability=Capability.MANAGE_PAYMENTS, organisation_id=payment.organisation_id
    )
    approver = user_can(
        user=user, capability=Capability.APPROVE_PAYMENTS, organisation_id=payment.organisation_id
    )
    owed = payment.status == PaymentStatus.OWED
    # Staff never act on a payment to themselves here: a colleague does.
    own = people_selectors.person_is_own_record(user=user, person=payment.person)
    can_manage = can_manage and not own
    correction = payment.kind == PaymentKind.ADJUSTMENT
    may_approve = selectors.payment_may_approve(user=user, payment=payment)
    return {
        "can_approve": may_approve,
        "not_approver_because": _not_approver_because(user, payment)
        if owed and approver and not may_approve
        else "",
        # A correction is never changed: it is cancelled and added again.
        "can_change": can_manage and owed and not correction,
        "can_cancel": can_manage and payment.status in (PaymentStatus.OWED, PaymentStatus.APPROVED),
        "can_mark_paid": can_manage and payment.status == PaymentStatus.APPROVED,
        "can_correct": can_manage and payment.status == PaymentStatus.PAID and not correction,
        "is_own": own,
    }


@login_required
@require_GET
def payment_detail(request, pk):
    payment = selectors.payment_get_for(user=request.user, pk=pk)
    _with_words(payment)
    _payment_read_record(request, payment)
    totals = selectors.threshold_check(payment=payment)
    adjustments = [
        _with_words(adjustment) for adjustment in payment.adjustments.order_by("created_at", "pk")
    ]
    return render(
        request,
        "payments/payment_detail.html",
        {
            "page_title": f"Payment {payment.reference}",
            "page_caption": payment.person.name,
            "breadcrumbs": _crumbs({"label": payment.reference}),
            "payment": payment,
            "person": payment.person,
            "totals": totals,
            "crossed": selectors.crossing(totals),
            "adjustments": adjustments,
            "extra_hours": _extra_hours(payment),
            "warning_shown": _warning_shown(payment),
            "history": history_for_record(record=payment)[:20],
            **_actions(request.user, payment),
        },
    )


_PERIOD_LABELS = {"week": "Week", "month": "Month", "tax_year": "Tax year"}


def _warning_shown(payment) -> list[dict]:
    """The totals the approver was shown, as stored with the payment (see PeriodTotal.as_dict)."""
    shown = []
    for row in payment.warning_at_approval or []:
        try:
            shown.append(
                {
                    "label": _PERIOD_LABELS.get(row.get("period"), "Period"),
                    "start": datetime.date.fromisoformat(row["start"]),
                    "end": datetime.date.fromisoformat(row["end"]),
                    "fees": row.get("fees"),
                    "this_payment": row.get("this_payment"),
                    "fees_after": row.get("fees_after"),
                    "limit": row.get("limit"),
                }
            )
        except (KeyError, TypeError, ValueError):
            continue
    return shown


def _extra_hours(payment) -> dict:
    """How the amount was worked out: the time at its rate, then preparation and travel hours
    (as the rate card allowed) at the hourly rate. Each part is rounded to the penny and the
    last one shown is what is left of the amount as stored, so the parts always add up to it."""
    card = payment.rate_card
    if card is None:
        return {}
    preparation = min(payment.preparation_hours, card.preparation_max_hours)
    travel = (
        min(payment.travel_hours, card.travel_max_hours)
        if card.travel_time_policy == "hourly"
        else Decimal("0")
    )
    parts = {
        "time_amount": services.pence(payment.rate * payment.quantity),
        "preparation_amount": services.pence(preparation * card.hourly_rate),
        "travel_amount": services.pence(travel * card.hourly_rate),
    }
    last = "travel_amount" if travel else "preparation_amount" if preparation else "time_amount"
    parts[last] = payment.amount - sum(
        (value for name, value in parts.items() if name != last), Decimal("0")
    )
    return {"hourly_rate": card.hourly_rate, "preparation": preparation, "travel": travel, **parts}


_LIMIT_WORDS = {"week": "weekly", "month": "monthly", "tax_year": "yearly"}


def _limits_words(crossed) -> str:
    """ "weekly limit", "weekly and monthly limits"."""
    words = [_LIMIT_WORDS.get(total.period.key, total.period.label.lower()) for total in crossed]
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0]} limit"
    return f"{', '.join(words[:-1])} and {words[-1]} limits"


@login_required
@require_http_methods(["GET", "POST"])
def payment_approve(request, pk):
    """Approve a payment someone else recorded. If it takes the person over one of their
    limits, the totals and the options come first, and the approver must tick to say they have
    seen them and talked them through with the person."""
    user = request.user
    payment = selectors.payment_get_for(user=user, pk=pk, may=Capability.APPROVE_PAYMENTS)
    _with_words(payment)
    person = payment.person
    totals = selectors.threshold_check(payment=payment)
    crossed = selectors.crossing(totals)
    form = ApproveForm(posted(request), crossing=bool(crossed), name=person.first_name)
    may_approve = selectors.payment_may_approve(user=user, payment=payment)
    if request.method == "GET":
        _payment_read_record(request, payment, "opened to approve")

    def approve(cleaned):
        approved = services.payment_approve(
            actor=user, payment=payment, acknowledged=form.acknowledged()
        )
        if approved.status == PaymentStatus.DECLINED:
            return (
                f"Payment {approved.reference} is closed: {person.first_name} doesn't want "
                "to be paid."
            )
        return f"Payment {approved.reference} approved."

    done = _act_then_back(request, form, payment, approve)
    if done is not None:
        return done
    return render(
        request,
        "payments/payment_approve.html",
        {
            "page_title": f"Approve payment {payment.reference}?",
            "page_caption": person.name,
            "breadcrumbs": _payment_crumbs(payment, {"label": "Approve"}),
            "payment": payment,
            "person": person,
            "form": form,
            "totals": totals,
            "crossed": crossed,
            "crossed_words": _limits_words(crossed),
            # The most that could be paid in fees without crossing any of the limits.
            "room": min((max(Decimal("0"), t.limit - t.fees) for t in crossed), default=None),
            "advice": _advice(payment.organisation_id) or GENERIC_ADVICE,
            "may_approve": may_approve,
            "not_approver_because": "" if may_approve else _not_approver_because(user, payment),
            "is_owed": payment.status == PaymentStatus.OWED,
            "declines": payment.method == PaymentMethod.DECLINE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_edit(request, pk):
    payment = _payment_to_change(request, pk)
    if not payment.is_editable:
        return _not_now(
            request,
            payment,
            "Only a payment that is still owed can be changed."
            + (
                " To put a paid payment right, add a correction."
                if payment.status == "paid"
                else ""
            ),
        )
    if payment.kind == PaymentKind.ADJUSTMENT:
        return _not_now(request, payment, CORRECTION_NOT_CHANGED)
    form = PaymentEditForm(
        posted(request),
        initial={
            "description": payment.description,
            "worked_on": payment.worked_on,
            "time_unit": payment.time_unit,
            "quantity": number_words(payment.quantity),
            "preparation_hours": number_words(payment.preparation_hours)
            if payment.preparation_hours
            else "",
            "travel_hours": number_words(payment.travel_hours) if payment.travel_hours else "",
            "cost_code": payment.cost_code,
            "note": payment.note,
        },
    )

    def change(cleaned):
        changed = services.payment_update(
            actor=request.user, payment=payment, **form.payment_fields()
        )
        return f"Your changes have been saved. The amount is now £{changed.amount:,.2f}."

    return _act_then_back(request, form, payment, change) or _payment_form_page(
        request,
        "payments/payment_edit.html",
        payment,
        form,
        title=f"Change payment {payment.reference}",
        crumb="Change",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_method(request, pk):
    payment = _payment_to_change(request, pk)
    if not payment.is_editable:
        return _not_now(
            request, payment, "How a payment is made can only be changed while it is owed."
        )
    if payment.kind == PaymentKind.ADJUSTMENT:
        return _not_now(request, payment, CORRECTION_NOT_CHANGED)
    form = MethodForm(
        posted(request), initial={"method": payment.method, "charity": payment.charity}
    )

    def change(cleaned):
        services.payment_method_change(
            actor=request.user,
            payment=payment,
            method=cleaned["method"],
            charity=cleaned.get("charity", ""),
        )
        return "How this payment is made has been changed."

    return _act_then_back(request, form, payment, change) or _payment_form_page(
        request,
        "payments/payment_method.html",
        payment,
        form,
        title=f"How payment {payment.reference} is made",
        crumb="How it is paid",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_cancel(request, pk):
    payment = _payment_to_change(request, pk)
    if payment.status not in (PaymentStatus.OWED, PaymentStatus.APPROVED):
        return _not_now(
            request, payment, "Only a payment that is owed or approved can be cancelled."
        )
    form = CancelForm(posted(request))

    def cancel(cleaned):
        services.payment_cancel(actor=request.user, payment=payment, reason=cleaned["reason"])
        return f"Payment {payment.reference} is cancelled."

    return _act_then_back(request, form, payment, cancel) or _payment_form_page(
        request,
        "payments/payment_cancel.html",
        payment,
        form,
        title=f"Cancel payment {payment.reference}?",
        crumb="Cancel",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_paid(request, pk):
    payment = _payment_to_change(request, pk)
    if payment.status != PaymentStatus.APPROVED:
        return _not_now(request, payment, "Only an approved payment can be marked as paid.")
    form = PaidForm(posted(request), initial={"paid_on": timezone.localdate()})

    def mark_paid(cleaned):
        services.payment_mark_paid(
            actor=request.user,
            payment=payment,
            paid_on=cleaned["paid_on"],
            finance_reference=cleaned["finance_reference"],
        )
        return f"Payment {payment.reference} is marked as paid."

    return _act_then_back(request, form, payment, mark_paid) or _payment_form_page(
        request,
        "payments/payment_paid.html",
        payment,
        form,
        title=f"Mark payment {payment.reference} as paid",
        crumb="Mark as paid",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_adjust(request, pk):
    """A correction to a paid payment: a new payment, more or less, approved like any other."""
    payment = _payment_to_change(request, pk)
    if payment.status != PaymentStatus.PAID or payment.kind == PaymentKind.ADJUSTMENT:
        return _not_now(
            request,
            payment,
            "Only a paid payment is corrected this way. A payment still owed can be changed.",
        )
    form = AdjustForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def create():
            correction = services.payment_adjust(
                actor=request.user,
                payment=payment,
                amount=str(form.cleaned_data["amount"]),
                reason=form.cleaned_data["reason"],
            )
            return reverse("payments:payment_detail", args=[correction.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success=f"Correction to {payment.reference} recorded. Someone other than you needs "
            "to approve it.",
        )
        if done is not None:
            return done
    return render(
        request,
        "payments/payment_adjust.html",
        {
            "page_title": f"Correct payment {payment.reference}",
            "page_caption": payment.person.name,
            "breadcrumbs": _payment_crumbs(payment, {"label": "Correct"}),
            "payment": payment,
            "form": form,
            "corrected_total": selectors.corrected_total(payment=payment),
        },
    )


# ---------------------------------------------------------------------------------------------
# One person's payments and choices


def _limits_described(person) -> list[dict]:
    """Each limit, with where it comes from: the person's own choice or the organisation's."""
    choice = selectors.payment_choice_for(person=person)
    defaults = selectors.payment_settings_for(organisation_id=person.organisation_id)
    rows = []
    for name, label in (
        ("weekly_limit", "Week"),
        ("monthly_limit", "Month"),
        ("yearly_limit", "Tax year"),
    ):
        own = getattr(choice, name)
        default = getattr(defaults, name)
        if own is not None:
            source = choice.get_limits_set_by_display() or "Chosen for the person"
        elif default is not None:
            source = "The organisation's default"
        else:
            source = ""
        rows.append(
            {
                "label": label,
                "value": own if own is not None else default,
                "source": source,
            }
        )
    return rows


@login_required
@require_GET
def person_payments(request, pk):
    user = request.user
    person = people_selectors.person_get_for(user=user, pk=pk, may=Capability.VIEW_PAYMENTS)
    access_event_record(
        user=user,
        organisation_id=person.organisation_id,
        subject=person,
        description=f"{person.reference}: payments and expense claims opened",
        path=request.path,
    )
    today = timezone.localdate()
    rows = selectors.payment_list_for(user=user, person=person)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_with_words(payment) for payment in page.object_list]
    claims = selectors.claim_list_for(user=user, person=person)
    choice = selectors.payment_choice_for(person=person)
    return render(
        request,
        "payments/person_payments.html",
        {
            "page_title": f"{person.name}: payments",
            "breadcrumbs": _crumbs({"label": person.name}),
            "person": person,
            "page_obj": page,
            "claims": list(claims[:CLAIMS_SHOWN]),
            "claim_count": claims.count(),
            "choice": choice,
            "limits": _limits_described(person),
            "totals": selectors.earnings_totals(person=person, on=today),
            "year": selectors.tax_year_totals_for_person(person=person, today=today),
            "today": today,
            "can_manage": user_can(
                user=user,
                capability=Capability.MANAGE_PAYMENTS,
                organisation_id=person.organisation_id,
            ),
            "is_own": people_selectors.person_is_own_record(user=user, person=person),
            "can_see_record": user_can(
                user=user, capability=Capability.VIEW_PEOPLE, organisation_id=person.organisation_id
            ),
        },
    )


def _limit_text(value) -> str:
    """A limit as it is typed: "50", or "52.50" with pence."""
    if value is None:
        return ""
    return number_words(value) if value == value.to_integral() else f"{value:.2f}"


@login_required
@require_http_methods(["GET", "POST"])
def person_choice(request, pk):
    """How a person wants to be paid and the limits their totals are watched against, set by
    staff with the person."""
    person = people_selectors.person_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_PAYMENTS
    )
    if people_selectors.person_is_own_record(user=request.user, person=person):
        messages.info(
            request,
            "This is your own record. You choose how you are paid, and your limits, on your "
            "own page.",
        )
        return redirect("portal:payment_choice")
    choice = selectors.payment_choice_for(person=person)
    defaults = selectors.payment_settings_for(organisation_id=person.organisation_id)
    form = PersonChoiceForm(
        posted(request),
        defaults=defaults,
        initial={
            "method": choice.method,
            "charity": choice.charity,
            "receives_benefits": person.receives_benefits,
            "weekly_limit": _limit_text(choice.weekly_limit),
            "monthly_limit": _limit_text(choice.monthly_limit),
            "yearly_limit": _limit_text(choice.yearly_limit),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_choice_update(
                actor=request.user, person=person, **form.choice_fields()
            )
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied:
            raise Http404("No such person") from None
        else:
            messages.success(request, f"{person.name}'s payment choices have been saved.")
            return redirect("payments:person_payments", pk=person.pk)
    return render(
        request,
        "payments/person_choice.html",
        {
            "page_title": f"{person.name}: payment choices",
            "breadcrumbs": _crumbs(
                {
                    "label": person.name,
                    "url": reverse("payments:person_payments", args=[person.pk]),
                },
                {"label": "Payment choices"},
            ),
            "person": person,
            "form": form,
            "defaults": defaults,
        },
    )
