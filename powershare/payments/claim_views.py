"""Staff pages for expense claims: the list, starting a claim with a person, adding costs with
receipts, sending, approving (by someone other than who filled it in), sending back with a
reason, marking paid, and opening a receipt.

Seeing claims needs VIEW_PAYMENTS; filling one in, sending it and marking it paid need
MANAGE_PAYMENTS; approving and sending back need APPROVE_PAYMENTS, in the claim's
organisation. Anything else answers 404, never 403. A claim a person started in their portal
is theirs alone until they send it (payments.selectors). Opening a claim or a receipt is
recorded: both say who had which costs, and a receipt may show where someone lives.
"""

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import (
    organisation_ids_where,
    organisation_list_where,
    user_can,
)
from powershare.audit.models import AccessEvent
from powershare.audit.selectors import history_for_record
from powershare.audit.services import access_event_record
from powershare.engagement import selectors as engagement_selectors
from powershare.engagement.models import InvitationStatus
from powershare.lib.forms import act_then_go, posted, search_term
from powershare.lib.templatetags.design_system import pounds
from powershare.lib.uploads import protected_file_response
from powershare.people import selectors as people_selectors
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .claim_forms import (
    ClaimPaidForm,
    ClaimReturnForm,
    ClaimStartForm,
    ExpenseLineForm,
    ReceiptForm,
)
from .models import ClaimStatus

PAGE_SIZE = 50
#: How many people a name search on "Start an expense claim" lists.
PEOPLE_SHOWN = 20


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Payments", "url": reverse("payments:home")},
        {"label": "Expense claims", "url": reverse("payments:claim_list")},
        *items,
    ]


def _claim_crumbs(claim, *items):
    return _crumbs(
        {"label": claim.reference, "url": reverse("payments:claim_detail", args=[claim.pk])},
        *items,
    )


def _require(user, capability=Capability.VIEW_PAYMENTS):
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _int(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 18 else None


def _record_read(request, claim, what: str, action=AccessEvent.Action.VIEWED):
    access_event_record(
        user=request.user,
        organisation_id=claim.organisation_id,
        subject=claim,
        description=f"Expense claim {claim.reference} of {claim.person.reference}: {what}",
        path=request.get_full_path(),
        action=action,
    )


def mileage_rate_for(organisation_id: int):
    """Today's mileage rate (the rate card's; the usual 45p if there is no rate card yet)."""
    card = selectors.rate_card_in_force(organisation_id=organisation_id, on=timezone.localdate())
    return card.mileage_rate if card is not None else None


def activities_claimed_for(person) -> list:
    """Activities a person might claim costs for: ones they said yes to or took part in."""
    seen = {}
    for invitation in engagement_selectors.invitation_list_for_person(person=person):
        if invitation.status == InvitationStatus.ACCEPTED or invitation.attended:
            seen.setdefault(invitation.activity_id, invitation.activity)
    return list(seen.values())


# ---------------------------------------------------------------------------------------------
# The list


def _claim_filters(request, user) -> dict:
    status = request.GET.get("status", "")
    filters = {"status": status if status in ClaimStatus.values else "", "person": None}
    person_id = _int(request.GET.get("person"))
    if person_id is not None:
        with contextlib.suppress(Http404):
            filters["person"] = people_selectors.person_get_for(
                user=user, pk=person_id, may=Capability.VIEW_PAYMENTS
            )
    filters["activity"] = None
    activity_id = _int(request.GET.get("activity"))
    if activity_id is not None:
        with contextlib.suppress(Http404):
            filters["activity"] = engagement_selectors.activity_get_for(
                user=user, pk=activity_id, may=Capability.VIEW_PAYMENTS
            )
    return filters


@login_required
@require_GET
def claim_list(request, **kwargs):
    _require(request.user)
    filters = _claim_filters(request, request.user)
    everything = selectors.claim_list_for(user=request.user, person=filters["person"])
    if filters["activity"] is not None:
        everything = everything.filter(activity=filters["activity"])
    # How many in each status (for the filter), in one query.
    counts = selectors.claim_status_counts(everything)
    rows = everything.filter(status=filters["status"]) if filters["status"] else everything
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/claim_list.html",
        {
            "page_title": "Expense claims",
            "breadcrumbs": _crumbs()[:-1] + [{"label": "Expense claims"}],
            "page_obj": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "statuses": [
                (value, label, counts[value])
                for value, label in ClaimStatus.choices
                if value != ClaimStatus.DRAFT or counts[value]
            ],
            "count_all": counts["total"],
            "can_manage": user_can(user=request.user, capability=Capability.MANAGE_PAYMENTS),
            "several_organisations": len(
                organisation_ids_where(user=request.user, capability=Capability.VIEW_PAYMENTS)
            )
            > 1,
        },
    )


# ---------------------------------------------------------------------------------------------
# Starting a claim, adding and removing costs, sending


@login_required
@require_http_methods(["GET", "POST"])
def claim_create(request, **kwargs):
    _require(request.user, Capability.MANAGE_PAYMENTS)
    person_id = _int(request.GET.get("person"))
    if person_id is None:
        return _choose_person(request)
    person = people_selectors.person_get_for(
        user=request.user, pk=person_id, may=Capability.MANAGE_PAYMENTS
    )
    form = ClaimStartForm(posted(request), activities=activities_claimed_for(person))
    yours = people_selectors.person_is_own_record(user=request.user, person=person)
    if yours and request.method == "POST":
        form.add_error(
            None,
            "You can't start a claim for yourself here. Claim your expenses on your own page, "
            "and a colleague will check them.",
        )
    elif request.method == "POST" and form.is_valid():

        def create():
            claim = services.claim_create(
                actor=request.user,
                person=person,
                activity=form.chosen_activity(),
                note=form.cleaned_data["note"],
            )
            return reverse("payments:claim_detail", args=[claim.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success="The claim is started. Add each cost, then send the claim for approval.",
        )
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_create.html",
        {
            "page_title": "Start an expense claim",
            "page_caption": person.full_name,
            "breadcrumbs": _crumbs({"label": "Start a claim"}),
            "person": person,
            "form": form,
            "yours": yours,
        },
    )


def _choose_person(request):
    """Without a person: find them by name among the people the user may pay (names only:
    learning leads pay the trainers they commission without seeing the register), then start."""
    search = " ".join(search_term(request).split())[:100]
    people = []
    if search:
        for organisation in organisation_list_where(
            user=request.user, capability=Capability.MANAGE_PAYMENTS
        ):
            # Not the names listed, nor the search typed, which may itself be personal.
            access_event_record(
                user=request.user,
                organisation_id=organisation.pk,
                subject=organisation,
                description="Names searched to start an expense claim",
                path=request.path,
            )
        people = list(
            selectors.people_to_pay_for(user=request.user).filter(
                Q(full_name__icontains=search) | Q(preferred_name__icontains=search)
            )[: PEOPLE_SHOWN + 1]
        )
    return render(
        request,
        "payments/claim_create.html",
        {
            "page_title": "Start an expense claim",
            "breadcrumbs": _crumbs({"label": "Start a claim"}),
            "search": search,
            "people": people[:PEOPLE_SHOWN],
            "more_people": len(people) > PEOPLE_SHOWN,
            "people_shown": PEOPLE_SHOWN,
        },
    )


def _editable_claim(request, pk):
    """A claim the user may fill in: 404 unless they manage payments in its organisation."""
    return selectors.claim_get_for(user=request.user, pk=pk, may=Capability.MANAGE_PAYMENTS)


def _yours_elsewhere(request, claim):
    """Staff never change, send or settle a claim that pays them through their staff role (a
    colleague does; they change their own claims on their own page): back to the claim, which
    says so. None for anyone else's claim."""
    if _own_claim_words(request.user, claim):
        messages.info(request, "You can't do this here, because this claim is for you.")
        return redirect("payments:claim_detail", pk=claim.pk)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def claim_line_add(request, pk):
    claim = _editable_claim(request, pk)
    if (elsewhere := _yours_elsewhere(request, claim)) is not None:
        return elsewhere
    if not claim.is_editable:
        messages.info(request, "This claim has been sent, so costs can't be added to it.")
        return redirect("payments:claim_detail", pk=claim.pk)
    rate = mileage_rate_for(claim.organisation_id)
    form = ExpenseLineForm(
        posted(request), request.FILES if request.method == "POST" else None, mileage_rate=rate
    )
    if request.method == "POST" and form.is_valid():

        def create():
            with transaction.atomic():
                services.claim_line_add(actor=request.user, claim=claim, **form.line_values())
            return reverse("payments:claim_detail", args=[claim.pk])

        done = submit_form_once(
            request, form, create, success="The cost is added. Add another, or send the claim."
        )
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_line_add.html",
        {
            "page_title": "Add a cost",
            "page_caption": f"{claim.reference} · {claim.person.full_name}",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Add a cost"}),
            "claim": claim,
            "form": form,
            "choose_file_again": form.is_bound and form.errors and form.had_file(request.FILES),
            "mileage_rate": rate,
        },
    )


def _line_of(request, pk, *, may):
    """The cost and its claim, for a user who may see (or, with `may`, change) the claim."""
    line_id = _int(str(pk))
    if line_id is None:
        raise Http404("No such cost")
    return selectors.claim_line_get_for(user=request.user, pk=line_id, may=may)


@login_required
@require_http_methods(["GET", "POST"])
def claim_line_remove(request, pk):
    claim, line = _line_of(request, pk, may=Capability.MANAGE_PAYMENTS)
    if (elsewhere := _yours_elsewhere(request, claim)) is not None:
        return elsewhere
    if not claim.is_editable:
        messages.info(request, "This claim has been sent, so its costs can't be removed.")
        return redirect("payments:claim_detail", pk=claim.pk)
    problem = ""
    if request.method == "POST":

        def remove():
            services.claim_line_remove(actor=request.user, line=line)
            return "The cost has been removed, with its receipt."

        done, problem = act_then_go(request, remove, to=_claim_url(claim), not_found="No such cost")
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_line_remove.html",
        {
            "page_title": "Remove this cost?",
            "page_caption": f"{claim.reference} · {claim.person.full_name}",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Remove a cost"}),
            "claim": claim,
            "line": line,
            "problem": problem,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_submit(request, pk):
    claim = _editable_claim(request, pk)
    if (elsewhere := _yours_elsewhere(request, claim)) is not None:
        return elsewhere
    if not claim.is_editable:
        messages.info(request, "This claim has already been sent.")
        return redirect("payments:claim_detail", pk=claim.pk)
    problem = ""
    if request.method == "POST":

        def send():
            services.claim_submit(actor=request.user, claim=claim)
            return (
                f"Claim {claim.reference} is sent. Someone other than the person who filled it "
                "in must approve it."
            )

        done, problem = act_then_go(request, send, to=_claim_url(claim), not_found=NO_CLAIM)
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_submit.html",
        {
            "page_title": "Send this claim for approval?",
            "page_caption": f"{claim.reference} · {claim.person.full_name}",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Send"}),
            "claim": claim,
            "lines": list(claim.lines.all()),
            "problem": problem,
        },
    )


# ---------------------------------------------------------------------------------------------
# One claim


NO_CLAIM = "No such expense claim"


def _claim_url(claim) -> str:
    return reverse("payments:claim_detail", args=[claim.pk])


def why_not_approve(user, claim) -> str:
    """Why this user can't approve this claim, kindly, for a claim waiting for approval."""
    if claim.person.user_id is not None and claim.person.user_id == user.pk:
        return (
            "This claim is for you, so someone else must approve it. Nobody approves their "
            "own expenses."
        )
    prepared = {claim.created_by_id, *(claim.prepared_by_ids or [])}
    if user.pk in prepared:
        return (
            "You filled in or changed this claim, so someone else must approve it. A second "
            "person checking keeps everyone safe: ask a colleague who approves payments."
        )
    if not user_can(
        user=user, capability=Capability.APPROVE_PAYMENTS, organisation_id=claim.organisation_id
    ):
        return "Someone who approves payments will check this claim."
    return "You can't approve this claim."


def _own_claim_words(user, claim) -> str:
    """For staff whose own claim this is: they change it in their own portal, not here."""
    if claim.person.user_id is not None and claim.person.user_id == user.pk:
        return (
            "This claim is for you. You can change your own claims on your own page, not "
            "through your staff role."
        )
    return ""


@login_required
@require_GET
def claim_detail(request, pk):
    claim = selectors.claim_get_for(user=request.user, pk=pk)
    _record_read(request, claim, "viewed")
    org = claim.organisation_id
    can_manage = user_can(
        user=request.user, capability=Capability.MANAGE_PAYMENTS, organisation_id=org
    )
    can_approve_here = user_can(
        user=request.user, capability=Capability.APPROVE_PAYMENTS, organisation_id=org
    )
    yours = _own_claim_words(request.user, claim)
    may_approve = selectors.claim_may_approve(user=request.user, claim=claim)
    return render(
        request,
        "payments/claim_detail.html",
        {
            "page_title": f"Expense claim {claim.reference}",
            "page_caption": claim.person.full_name,
            "breadcrumbs": _crumbs({"label": claim.reference}),
            "claim": claim,
            "lines": list(claim.lines.all()),
            "statuses": ClaimStatus,
            "can_edit": can_manage and claim.is_editable and not yours,
            "can_mark_paid": can_manage and claim.status == ClaimStatus.APPROVED and not yours,
            "can_approve": may_approve,
            "can_return": can_approve_here and claim.status == ClaimStatus.SUBMITTED and not yours,
            "why_not_approve": (
                why_not_approve(request.user, claim)
                if claim.status == ClaimStatus.SUBMITTED and not may_approve
                else ""
            ),
            "yours": yours,
            "history": history_for_record(record=claim)[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_approve(request, pk):
    claim = selectors.claim_get_for(user=request.user, pk=pk, may=Capability.APPROVE_PAYMENTS)
    if claim.status != ClaimStatus.SUBMITTED:
        messages.info(request, "Only a claim waiting for approval can be approved.")
        return redirect("payments:claim_detail", pk=claim.pk)
    may = selectors.claim_may_approve(user=request.user, claim=claim)
    problem = ""
    if request.method == "POST" and may:

        def approve():
            services.claim_approve(actor=request.user, claim=claim)
            return (
                f"Claim {claim.reference} is approved: {pounds(claim.total)} to "
                f"{claim.person.full_name}. It goes to finance with the next export."
            )

        done, problem = act_then_go(request, approve, to=_claim_url(claim), not_found=NO_CLAIM)
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_approve.html",
        {
            "page_title": "Approve this claim?",
            "page_caption": f"{claim.reference} · {claim.person.full_name}",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Approve"}),
            "claim": claim,
            "lines": list(claim.lines.all()),
            "may_approve": may,
            "why_not": "" if may else why_not_approve(request.user, claim),
            "problem": problem,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_return(request, pk):
    claim = selectors.claim_get_for(user=request.user, pk=pk, may=Capability.APPROVE_PAYMENTS)
    if (elsewhere := _yours_elsewhere(request, claim)) is not None:
        return elsewhere
    if claim.status != ClaimStatus.SUBMITTED:
        messages.info(request, "Only a claim waiting for approval can be sent back.")
        return redirect("payments:claim_detail", pk=claim.pk)
    form = ClaimReturnForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def send_back():
            services.claim_return(
                actor=request.user, claim=claim, reason=form.cleaned_data["reason"]
            )
            return (
                f"Claim {claim.reference} is sent back. {claim.person.full_name} can see your "
                "reason, put it right and send it again."
            )

        done, _ = act_then_go(
            request, send_back, to=_claim_url(claim), form=form, not_found=NO_CLAIM
        )
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_return.html",
        {
            "page_title": "Send this claim back",
            "page_caption": f"{claim.reference} · {claim.person.full_name}",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Send back"}),
            "claim": claim,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_paid(request, pk):
    claim = _editable_claim(request, pk)
    if (elsewhere := _yours_elsewhere(request, claim)) is not None:
        return elsewhere
    if claim.status != ClaimStatus.APPROVED:
        messages.info(request, "Only an approved claim can be marked as paid.")
        return redirect("payments:claim_detail", pk=claim.pk)
    form = ClaimPaidForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def mark_paid():
            services.claim_mark_paid(
                actor=request.user,
                claim=claim,
                paid_on=form.cleaned_data["paid_on"],
                finance_reference=form.cleaned_data["finance_reference"],
            )
            return f"Claim {claim.reference} is marked as paid."

        done, _ = act_then_go(
            request, mark_paid, to=_claim_url(claim), form=form, not_found=NO_CLAIM
        )
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_paid.html",
        {
            "page_title": "Mark this claim as paid",
            "page_caption": f"{claim.reference} · {claim.person.full_name}",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Mark paid"}),
            "claim": claim,
            "form": form,
        },
    )


# ---------------------------------------------------------------------------------------------
# Receipts


@login_required
@require_GET
def receipt_download(request, pk):
    receipt = selectors.receipt_get_for(user=request.user, pk=pk)
    claim = receipt.line.claim
    access_event_record(
        user=request.user,
        organisation_id=claim.organisation_id,
        subject=receipt,
        description=f"Receipt of expense claim {claim.reference} opened",
        path=request.path,
        action=AccessEvent.Action.DOWNLOADED,
    )
    return receipt_response(receipt)


def receipt_response(receipt):
    """The receipt, privately: a photo shown in the browser, a PDF downloaded."""
    response = protected_file_response(
        receipt.file,
        original_name=receipt.original_name,
        content_type=receipt.content_type,
        inline=True,
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def claim_receipt_add(request, pk):
    """A receipt for a cost already saved, while the claim can still be changed (for example
    after it was sent back asking for one)."""
    claim, line = _line_of(request, pk, may=Capability.MANAGE_PAYMENTS)
    if (elsewhere := _yours_elsewhere(request, claim)) is not None:
        return elsewhere
    if not claim.is_editable:
        messages.info(request, "This claim has been sent, so receipts can't be added to it.")
        return redirect("payments:claim_detail", pk=claim.pk)
    form = ReceiptForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():

        def create():
            services.receipt_add(actor=request.user, line=line, upload=form.cleaned_data["receipt"])
            return reverse("payments:claim_detail", args=[claim.pk]) + "#costs"

        done = submit_form_once(
            request,
            form,
            create,
            success="The receipt is added. You can send the claim when it's ready.",
        )
        if done is not None:
            return done
    return render(
        request,
        "payments/claim_receipt_add.html",
        {
            "page_title": "Add a receipt",
            "page_caption": f"{claim.reference} · {claim.person.full_name}",
            "breadcrumbs": _claim_crumbs(claim, {"label": "Add a receipt"}),
            "claim": claim,
            "line": line,
            "receipts": list(line.receipts.all()),
            "form": form,
        },
    )
