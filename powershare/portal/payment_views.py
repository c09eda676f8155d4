"""The portal's "Payments": what we owe you and have paid you, this tax year's totals (and, if
being paid might affect your benefits, your totals against your limits), how you'd like to be
paid, and claiming costs back with a photo of the receipt from your phone.

Everything is read through payments.selectors' *_for_person functions, for the person signed in
(never taken from the address bar), so someone else's claim or receipt is 404. Writes go
through payments.services, which check the person acts only on their own choices and claims.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.audit.models import AccessEvent
from powershare.lib.forms import act_then_go, posted
from powershare.lib.templatetags.design_system import pounds
from powershare.payments import selectors as payment_selectors
from powershare.payments import services as payment_services
from powershare.payments.claim_forms import ExpenseLineForm, ReceiptForm
from powershare.payments.claim_views import (
    activities_claimed_for,
    mileage_rate_for,
    receipt_response,
)
from powershare.payments.models import ClaimStatus, PaymentKind, PaymentMethod, PaymentStatus
from powershare.people.services import person_read_record
from powershare.system.submissions import submit_form_once

from .payment_forms import ExpenseForm, PaymentChoiceForm
from .views import _crumbs, portal_page

#: Payments shown on one page of "Your payments", and claims shown before "Show all".
PAYMENTS_PAGE_SIZE = 25
CLAIMS_SHOWN = 10
CLAIMS_PAGE_SIZE = 25

#: Councils using PowerShare may be anywhere in the UK, so no one national service is named.
GENERIC_ADVICE = (
    "For free, independent advice about benefits, you can contact Citizens Advice or a welfare "
    "rights service. Your contact can help you find one."
)


def _payments_crumbs(*items):
    return _crumbs({"label": "Payments", "url": reverse("portal:payments")}, *items)


def _claim_crumbs(claim, *items):
    return _payments_crumbs(
        {
            "label": f"Expense claim {claim.reference}",
            "url": reverse("portal:expense", args=[claim.pk]),
        },
        *items,
    )


def _day(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _is_correction(payment) -> bool:
    return payment.kind == PaymentKind.ADJUSTMENT


def payment_status_words(payment) -> str:
    """A payment's status in plain words, as the person would say it."""
    day = _day(payment.paid_on)
    if payment.status == PaymentStatus.CANCELLED:
        return "Not going ahead"
    if payment.status == PaymentStatus.DECLINED or payment.method == PaymentMethod.DECLINE:
        return "You chose not to be paid"
    if _is_correction(payment) and payment.amount < 0:
        # Less than we first worked out: nothing comes to the person.
        if payment.status == PaymentStatus.PAID:
            return f"Settled on {day}" if day else "Settled"
        if payment.status == PaymentStatus.APPROVED:
            return "Approved"
        return "We're checking this correction"
    if payment.method == PaymentMethod.DONATE:
        charity = payment.charity or "your charity"
        if payment.status == PaymentStatus.PAID:
            return f"Given to {charity}" + (f" on {day}" if day else "")
        if payment.status == PaymentStatus.APPROVED:
            return f"Approved – we'll give this to {charity}"
        return f"We'll give this to {charity}"
    if payment.status == PaymentStatus.PAID:
        return f"Paid on {day}" if day else "Paid"
    if payment.status == PaymentStatus.APPROVED:
        return "Approved – on its way"
    return "We owe you this"


def payment_method_words(payment) -> str:
    if payment.method == PaymentMethod.DONATE:
        return f"Given to a charity: {payment.charity}" if payment.charity else "Given to a charity"
    if payment.method == PaymentMethod.DECLINE:
        return "Not paid, as you asked"
    return PaymentMethod(payment.method).label


def correction_words(payment) -> str:
    """What a correction changed, without our references: "£20.00 less than we first worked
    out"."""
    more_or_less = "more" if payment.amount > 0 else "less"
    return (
        f"A correction to an earlier payment: {pounds(abs(payment.amount))} {more_or_less} "
        "than we first worked out"
    )


def payment_words(payment):
    """Everything the person's page says about one payment, in their words."""
    correction = _is_correction(payment)
    if payment.activity is not None:
        payment.title = payment.activity.title
    elif correction:
        payment.title = "A correction to an earlier payment"
    else:
        payment.title = payment.description or payment.get_kind_display()
    if correction:
        payment.what_for = correction_words(payment)
        more_or_less = "more" if payment.amount > 0 else "less"
        payment.amount_words = f"{pounds(abs(payment.amount))} {more_or_less}"
    else:
        payment.what_for = payment.description if payment.activity is not None else ""
        payment.amount_words = pounds(payment.amount)
    payment.status_words = payment_status_words(payment)
    payment.method_words = payment_method_words(payment)
    # Nothing is paid for a cancelled payment or a correction downwards.
    payment.shows_method = payment.status != PaymentStatus.CANCELLED and not (
        correction and payment.amount < 0
    )
    shows_reason = correction or payment.status == PaymentStatus.CANCELLED
    payment.why = payment.reason.strip() if shows_reason and payment.reason else ""
    return payment


CLAIM_STATUS_WORDS = {
    ClaimStatus.DRAFT: "Not sent yet",
    ClaimStatus.SUBMITTED: "Sent – we're checking it",
    ClaimStatus.APPROVED: "Approved – on its way",
    ClaimStatus.PAID: "Paid",
    ClaimStatus.RETURNED: "Sent back to you to check",
}


def claim_status_words(claim) -> str:
    if claim.status == ClaimStatus.PAID and claim.paid_on:
        return f"Paid on {claim.paid_on:%-d %B %Y}"
    return CLAIM_STATUS_WORDS[ClaimStatus(claim.status)]


# ---------------------------------------------------------------------------------------------
# Your payments


@portal_page
@require_GET
def payments(request, person):
    person_read_record(
        user=request.user,
        person=person,
        what="own payments viewed in their portal",
        path=request.get_full_path(),
    )
    today = timezone.localdate()
    page = Paginator(
        payment_selectors.payment_list_for_person(person=person), PAYMENTS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for payment in rows:
        payment_words(payment)
    page.object_list = rows

    all_claims = request.GET.get("claims") == "all"
    claims_page = Paginator(
        payment_selectors.claim_list_for_person(person=person),
        CLAIMS_PAGE_SIZE if all_claims else CLAIMS_SHOWN,
    ).get_page(request.GET.get("claims_page") if all_claims else 1)
    claims = list(claims_page.object_list)
    for claim in claims:
        claim.status_words = claim_status_words(claim)

    totals = None
    advice = ""
    if person.receives_benefits:
        totals = payment_selectors.earnings_totals(person=person, on=today)
        advice = (
            payment_selectors.payment_settings_for(organisation_id=person.organisation_id).advice
            or GENERIC_ADVICE
        )
    choice = payment_selectors.payment_choice_for(person=person)
    return render(
        request,
        "portal/payments.html",
        {
            "page_title": "Your payments",
            "breadcrumbs": _crumbs({"label": "Payments"}),
            "person": person,
            "page_obj": page,
            "payments": rows,
            "claims": claims,
            "claims_page": claims_page,
            "all_claims": all_claims,
            "year": payment_selectors.tax_year_totals_for_person(person=person, today=today),
            "totals": totals,
            "advice": advice,
            "choice": choice,
            "choice_made": choice.pk is not None,
            "choice_words": (
                f"Given to a charity: {choice.charity}"
                if choice.method == PaymentMethod.DONATE and choice.charity
                else PaymentMethod(choice.method).label
            ),
            "today": today,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def payment_choice(request, person):
    choice = payment_selectors.payment_choice_for(person=person)
    defaults = payment_selectors.payment_settings_for(organisation_id=person.organisation_id)
    form = PaymentChoiceForm(
        posted(request),
        defaults=defaults,
        initial={
            "method": choice.method,
            "charity": choice.charity,
            "receives_benefits": "yes" if person.receives_benefits else None,
            "weekly_limit": choice.weekly_limit,
            "monthly_limit": choice.monthly_limit,
            "yearly_limit": choice.yearly_limit,
        },
    )
    if request.method == "POST" and form.is_valid():

        def save():
            payment_services.payment_choice_update(
                actor=request.user, person=person, **form.choice_values()
            )
            return (
                "Thank you, we've saved your choice. It applies to payments we haven't approved "
                "yet."
            )

        done, _ = act_then_go(request, save, to=reverse("portal:payments"), form=form)
        if done is not None:
            return done
    return render(
        request,
        "portal/payments_choice.html",
        {
            "page_title": "How you'd like to be paid",
            "breadcrumbs": _payments_crumbs({"label": "How you're paid"}),
            "person": person,
            "form": form,
            "donate": PaymentMethod.DONATE,
        },
    )


# ---------------------------------------------------------------------------------------------
# Claiming costs back


@portal_page
@require_http_methods(["GET", "POST"])
def expense_new(request, person):
    rate = mileage_rate_for(person.organisation_id)
    form = ExpenseForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        activities=activities_claimed_for(person),
        mileage_rate=rate,
    )
    if request.method == "POST" and form.is_valid():

        def create():
            # The claim and its first cost together: if the cost can't be saved, no empty
            # claim is left behind.
            with transaction.atomic():
                claim = payment_services.claim_create(
                    actor=request.user, person=person, activity=form.chosen_activity()
                )
                payment_services.claim_line_add(
                    actor=request.user, claim=claim, **form.line_values()
                )
            return reverse("portal:expense", args=[claim.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success="Your cost is saved. Add another cost or send your claim.",
        )
        if done is not None:
            return done
    return render(
        request,
        "portal/expense_new.html",
        {
            "page_title": "Claim expenses",
            "breadcrumbs": _payments_crumbs({"label": "Claim expenses"}),
            "person": person,
            "form": form,
            "choose_file_again": bool(form.errors) and form.had_file(request.FILES),
            "mileage_rate": rate,
        },
    )


def _own_claim(person, pk):
    return payment_selectors.claim_get_for_person(person=person, pk=pk)


@portal_page
@require_GET
def expense_detail(request, person, pk):
    claim = _own_claim(person, pk)
    person_read_record(
        user=request.user,
        person=person,
        what=f"own expense claim {claim.reference} viewed in their portal",
        path=request.get_full_path(),
    )
    return render(
        request,
        "portal/expense.html",
        {
            "page_title": f"Expense claim {claim.reference}",
            "breadcrumbs": _payments_crumbs({"label": f"Expense claim {claim.reference}"}),
            "person": person,
            "claim": claim,
            "lines": list(claim.lines.all()),
            "status_words": claim_status_words(claim),
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def expense_add_cost(request, person, pk):
    claim = _own_claim(person, pk)
    if not claim.is_editable:
        messages.info(request, "You've sent this claim, so it can't be changed.")
        return redirect("portal:expense", pk=claim.pk)
    rate = mileage_rate_for(person.organisation_id)
    form = ExpenseLineForm(
        posted(request), request.FILES if request.method == "POST" else None, mileage_rate=rate
    )
    if request.method == "POST" and form.is_valid():

        def create():
            payment_services.claim_line_add(actor=request.user, claim=claim, **form.line_values())
            return reverse("portal:expense", args=[claim.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success="Your cost is saved. Add another cost or send your claim.",
        )
        if done is not None:
            return done
    return render(
        request,
        "portal/expense_add_cost.html",
        {
            "page_title": "Add a cost",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Add a cost"}),
            "person": person,
            "claim": claim,
            "form": form,
            "choose_file_again": bool(form.errors) and form.had_file(request.FILES),
            "mileage_rate": rate,
        },
    )


def _own_line(person, pk):
    """One cost on one of the person's own claims (404 for anyone else's)."""
    return payment_selectors.claim_line_get_for_person(person=person, pk=pk)


@portal_page
@require_http_methods(["GET", "POST"])
def expense_remove_cost(request, person, pk):
    claim, line = _own_line(person, pk)
    if not claim.is_editable:
        messages.info(request, "You've sent this claim, so it can't be changed.")
        return redirect("portal:expense", pk=claim.pk)
    problem = ""
    if request.method == "POST":

        def remove():
            payment_services.claim_line_remove(actor=request.user, line=line)
            return "Done. We've removed that cost and its receipt."

        done, problem = act_then_go(
            request, remove, to=reverse("portal:expense", args=[claim.pk]), not_found="No such cost"
        )
        if done is not None:
            return done
    return render(
        request,
        "portal/expense_remove_cost.html",
        {
            "page_title": "Remove this cost?",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Remove a cost"}),
            "person": person,
            "claim": claim,
            "line": line,
            "problem": problem,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def expense_send(request, person, pk):
    claim = _own_claim(person, pk)
    if not claim.is_editable:
        messages.info(request, "You've already sent this claim.")
        return redirect("portal:expense", pk=claim.pk)
    problem = ""
    if request.method == "POST":

        def send():
            payment_services.claim_submit(actor=request.user, claim=claim)
            return (
                "Thank you. Your claim has been sent. We'll check it and tell you if anything "
                "needs changing."
            )

        done, problem = act_then_go(
            request,
            send,
            to=reverse("portal:expense", args=[claim.pk]),
            not_found="No such expense claim",
        )
        if done is not None:
            return done
    return render(
        request,
        "portal/expense_send.html",
        {
            "page_title": "Send your claim?",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Send"}),
            "person": person,
            "claim": claim,
            "lines": list(claim.lines.all()),
            "problem": problem,
        },
    )


@portal_page
@require_GET
def receipt(request, person, pk):
    found = payment_selectors.receipt_get_for_person(person=person, pk=pk)
    person_read_record(
        user=request.user,
        person=person,
        what=f"own receipt on expense claim {found.line.claim.reference} opened in their portal",
        path=request.path,
        action=AccessEvent.Action.DOWNLOADED,
    )
    return receipt_response(found)


@portal_page
@require_http_methods(["GET", "POST"])
def expense_receipt_add(request, person, pk):
    """A receipt for a cost already saved on the person's own claim, while they can still
    change it (for example after we sent it back asking for one)."""
    claim, line = _own_line(person, pk)
    if not claim.is_editable:
        messages.info(request, "You've sent this claim, so it can't be changed.")
        return redirect("portal:expense", pk=claim.pk)
    form = ReceiptForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():

        def create():
            payment_services.receipt_add(
                actor=request.user, line=line, upload=form.cleaned_data["receipt"]
            )
            return reverse("portal:expense", args=[claim.pk]) + "#costs"

        done = submit_form_once(
            request,
            form,
            create,
            success="Thank you, your receipt is saved. Send your claim when it's ready.",
        )
        if done is not None:
            return done
    return render(
        request,
        "portal/expense_receipt_add.html",
        {
            "page_title": "Add a receipt",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Add a receipt"}),
            "person": person,
            "claim": claim,
            "line": line,
            "receipts": list(line.receipts.all()),
            "form": form,
        },
    )
