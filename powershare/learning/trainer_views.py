"""Staff pages about the trainer pool and commissioning lived-experience trainers.

* The **trainer pool**: people on the register who agreed to train, with their topics, the
  date they agreed and how many times they have been commissioned; adding someone, changing
  their topics, and noting that they left the pool (or came back).
* **Commissioning** a trainer for a delivery (services.commission_create) invites them to
  co-deliver it (engagement), records the payment owed for facilitating (payments), puts them
  on the team with lived experience, and plans their support: before (a preparation session),
  on the day (a named member of staff) and after (a debrief), each with a done date.
* **Cancelling** a commission withdraws the invitation, cancels a payment not yet paid, and
  takes them off the team.

Trainers' names are personal data: every page needs MANAGE_LEARNING in the organisation
(facilitators and leaders see learning, but not who is in the pool). Anyone else gets 404,
never 403. Opening a commission, which shows a person's payment, is recorded.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.security import email_link_base
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.audit.selectors import history_for_record
from powershare.audit.services import access_event_record
from powershare.lib.forms import act_then_go, posted, search_term
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .models import SupportStage
from .trainer_forms import (
    CommissionCancelForm,
    CommissionForm,
    SupportForm,
    TrainerAddForm,
    TrainerEditForm,
    TrainerFilterForm,
)

PAGE_SIZE = 50
HISTORY_SHOWN = 20
#: Where the services' field names differ from the commission form's.
COMMISSION_FIELDS = {
    "people": "trainer",
    "person": "trainer",
    "quantity": "hours",
    "during_support_person": "during_person",
}
#: What each support stage is called on the pages, in the order it happens.
STAGE_TITLES = {
    SupportStage.BEFORE: "Before: preparation session",
    SupportStage.DURING: "On the day: support person",
    SupportStage.AFTER: "After: debrief",
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        *items,
    ]


def _pool_crumbs(*items):
    return _crumbs({"label": "Trainer pool", "url": reverse("learning:trainer_list")}, *items)


def _delivery_crumbs(delivery, *items):
    return _crumbs(
        {"label": "Deliveries", "url": reverse("learning:delivery_list")},
        {
            "label": f"{delivery.product.title} at {delivery.site.name}",
            "url": reverse("learning:delivery_detail", args=[delivery.pk]),
        },
        {"label": "Team", "url": reverse("learning:team", args=[delivery.pk])},
        *items,
    )


def _commission_crumbs(commission, *items):
    return _delivery_crumbs(
        commission.delivery,
        {
            "label": _trainer_name(commission),
            "url": reverse("learning:commission_detail", args=[commission.pk]),
        },
        *items,
    )


def _trainer_name(commission) -> str:
    return commission.trainer.person.name if commission.trainer_id else "An erased trainer"


def _require_manage(user) -> None:
    if not user_can(user=user, capability=Capability.MANAGE_LEARNING):
        raise Http404("No such page")


def _several_organisations(user) -> bool:
    return len(organisation_ids_where(user=user, capability=Capability.MANAGE_LEARNING)) > 1


def _renamed(error: ValidationError, names: dict) -> ValidationError:
    """A service's ValidationError with its field names changed to the form's."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict = {}
    for field, errors in error.error_dict.items():
        renamed.setdefault(names.get(field, field), []).extend(errors)
    return ValidationError(renamed)


def _session_hours(sessions) -> Decimal | None:
    """The time in a delivery's sessions, as a starting value for the hours delivering."""
    minutes = 0
    for session in sessions:
        start = datetime.datetime.combine(session.date, session.starts_at)
        end = datetime.datetime.combine(session.date, session.ends_at)
        minutes += max(0, int((end - start).total_seconds() // 60))
    if not minutes:
        return None
    return (Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize()


# ---------------------------------------------------------------------------------------------
# The pool


@login_required
@require_GET
def trainer_list(request):
    user = request.user
    _require_manage(user)
    left = request.GET.get("status") == "left"
    filter_form = TrainerFilterForm(request.GET if "search" in request.GET else None)
    search = search_term(request, "search", 100)
    rows = selectors.trainer_pool_for(user=user, in_pool=not left, search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.trainer_pool_counts(user=user)
    tabs = [
        {"value": "", "label": "In the pool", "count": counts["in_pool"]},
        {"value": "left", "label": "Left the pool", "count": counts["left"]},
    ]
    return render(
        request,
        "learning/trainer_list.html",
        {
            "page_title": "Trainer pool",
            "breadcrumbs": _crumbs({"label": "Trainer pool"}),
            "page_obj": page,
            "status": "left" if left else "",
            "tabs": tabs,
            "filter_form": filter_form,
            "search": search,
            "several_organisations": _several_organisations(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def trainer_add(request):
    user = request.user
    _require_manage(user)
    people = selectors.trainer_person_choices(user=user)
    form = TrainerAddForm(posted(request), people=people)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]

        def add():
            services.trainer_add(
                actor=user,
                person=person,
                topics=form.cleaned_data["topics"],
                agreed_on=form.cleaned_data["agreed_on"],
            )
            return reverse("learning:trainer_list")

        done = submit_form_once(
            request, form, add, success=f"{person.name} is in the trainer pool."
        )
        if done is not None:
            return done
    return render(
        request,
        "learning/trainer_form.html",
        {
            "page_title": "Add someone to the trainer pool",
            "breadcrumbs": _pool_crumbs({"label": "Add someone"}),
            "form": form,
            "creating": True,
            "has_people": people.exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def trainer_edit(request, pk):
    trainer = selectors.trainer_get_for(user=request.user, pk=pk)
    form = TrainerEditForm(posted(request), trainer=trainer)
    if request.method == "POST" and form.is_valid():

        def update():
            services.trainer_update(
                actor=request.user,
                trainer=trainer,
                topics=form.cleaned_data["topics"],
                in_pool=form.cleaned_data["in_pool"] == "yes",
            )
            return f"Saved the changes for {trainer.person.name}."

        response, _ = act_then_go(
            request,
            update,
            to=reverse("learning:trainer_list"),
            form=form,
            not_found="No such trainer",
        )
        if response is not None:
            return response
    return render(
        request,
        "learning/trainer_form.html",
        {
            "page_title": f"Change {trainer.person.name}'s place in the pool",
            "breadcrumbs": _pool_crumbs({"label": trainer.person.name}),
            "trainer": trainer,
            "form": form,
            "creating": False,
            "commissions": list(selectors.trainer_commissions(trainer=trainer)[:HISTORY_SHOWN]),
        },
    )


# ---------------------------------------------------------------------------------------------
# Commissions


@login_required
@require_http_methods(["GET", "POST"])
def commission_create(request, pk):
    user = request.user
    delivery = selectors.delivery_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    team_url = reverse("learning:team", args=[delivery.pk])
    if delivery.is_cancelled:
        messages.info(request, "This delivery was cancelled, so nobody can be commissioned for it.")
        return redirect(team_url)
    sessions = list(selectors.session_list(delivery=delivery))
    # A form sent twice must still find its trainer (commissioned by then), so that
    # submit_form_once can answer it with the first result.
    trainers = selectors.commission_trainer_choices(
        delivery=delivery, include_commissioned=request.method == "POST"
    )
    staff = selectors.delivery_staff_choices(delivery=delivery)
    initial = {"hours": _session_hours(sessions)}
    if staff.filter(pk=user.pk).exists():
        initial["during_person"] = user.pk
    form = CommissionForm(
        posted(request),
        trainers=trainers,
        staff=staff,
        first_day=sessions[0].date if sessions else None,
        last_day=sessions[-1].date if sessions else None,
        initial=initial,
    )
    if request.method == "POST" and not sessions:
        form.add_error(None, "Add the delivery's sessions first, then commission a trainer.")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        domain, use_https = email_link_base(request)

        def commission():
            try:
                made = services.commission_create(
                    actor=user,
                    delivery=delivery,
                    trainer=data["trainer"],
                    hours=data["hours"],
                    preparation_hours=data["preparation_hours"] or Decimal("0"),
                    support=form.support(),
                    lead=data["lead"],
                    domain=domain,
                    use_https=use_https,
                )
            except ValidationError as error:
                raise _renamed(error, COMMISSION_FIELDS) from None
            return reverse("learning:commission_detail", args=[made.pk])

        done = submit_form_once(
            request,
            form,
            commission,
            success=f"{data['trainer'].person.name} is commissioned: their invitation is on its "
            "way, and the payment owed is recorded for approval.",
        )
        if done is not None:
            return done
    return render(
        request,
        "learning/commission_form.html",
        {
            "page_title": "Commission a trainer",
            "page_caption": f"{delivery.product.title}, {delivery.cohort}",
            "breadcrumbs": _delivery_crumbs(delivery, {"label": "Commission a trainer"}),
            "delivery": delivery,
            "sessions": sessions,
            "has_trainers": trainers.exists(),
            "form": form,
        },
    )


def _support_rows(commission) -> list:
    rows = selectors.commission_support_list(commission=commission)
    for row in rows:
        row.title = STAGE_TITLES.get(row.stage, row.get_stage_display())
    return rows


@login_required
@require_GET
def commission_detail(request, pk):
    user = request.user
    commission = selectors.commission_get_for(user=user, pk=pk)
    delivery = commission.delivery
    organisation_id = delivery.organisation_id
    access_event_record(
        user=user,
        organisation_id=organisation_id,
        subject=commission,
        description=f"Commission {commission.pk}"
        + (f" of person {commission.trainer.person.reference}" if commission.trainer_id else "")
        + " opened",
        path=request.path,
    )
    may_see_invitation = user_can(
        user=user, capability=Capability.MANAGE_ENGAGEMENT, organisation_id=organisation_id
    ) and user_can(user=user, capability=Capability.VIEW_PEOPLE, organisation_id=organisation_id)
    may_see_payment = user_can(
        user=user, capability=Capability.VIEW_PAYMENTS, organisation_id=organisation_id
    )
    return render(
        request,
        "learning/commission_detail.html",
        {
            "page_title": f"{_trainer_name(commission)}'s commission",
            "page_caption": f"{delivery.product.title}, {delivery.cohort}",
            "breadcrumbs": _delivery_crumbs(delivery, {"label": _trainer_name(commission)}),
            "commission": commission,
            "delivery": delivery,
            "support": _support_rows(commission),
            "may_see_invitation": may_see_invitation,
            "may_see_payment": may_see_payment,
            "is_open": commission.cancelled_at is None,
            "history": list(history_for_record(record=commission)[:HISTORY_SHOWN]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def commission_cancel(request, pk):
    commission = selectors.commission_get_for(user=request.user, pk=pk)
    detail_url = reverse("learning:commission_detail", args=[commission.pk])
    if commission.cancelled_at is not None:
        messages.info(request, "This commission is already cancelled.")
        return redirect(detail_url)
    form = CommissionCancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        name = _trainer_name(commission)

        def cancel():
            services.commission_cancel(
                actor=request.user, commission=commission, reason=form.cleaned_data["reason"]
            )
            return f"{name}'s commission is cancelled."

        response, _ = act_then_go(
            request, cancel, to=detail_url, form=form, not_found="No such commission"
        )
        if response is not None:
            return response
    return render(
        request,
        "learning/commission_cancel.html",
        {
            "page_title": f"Cancel {_trainer_name(commission)}'s commission?",
            "page_caption": f"{commission.delivery.product.title}, {commission.delivery.cohort}",
            "breadcrumbs": _commission_crumbs(commission, {"label": "Cancel"}),
            "commission": commission,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_edit(request, pk):
    support = selectors.support_get_for(user=request.user, pk=pk)
    commission = selectors.commission_get_for(user=request.user, pk=support.commission_id)
    detail_url = reverse("learning:commission_detail", args=[commission.pk])
    if commission.cancelled_at is not None:
        messages.info(request, "This commission was cancelled, so its support plan can't change.")
        return redirect(detail_url)
    title = STAGE_TITLES.get(support.stage, support.get_stage_display())
    form = SupportForm(
        posted(request),
        support=support,
        staff=selectors.delivery_staff_choices(delivery=commission.delivery),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def update():
            services.commission_support_update(
                actor=request.user,
                support=support,
                plan=data["plan"],
                support_person=data["support_person"],
                planned_on=data["planned_on"],
                done_on=data["done_on"],
            )
            return f"Saved the support plan: {title[0].lower() + title[1:]}."

        response, _ = act_then_go(
            request, update, to=detail_url, form=form, not_found="No such support plan"
        )
        if response is not None:
            return response
    return render(
        request,
        "learning/support_form.html",
        {
            "page_title": title,
            "page_caption": f"Support for {_trainer_name(commission)}",
            "breadcrumbs": _commission_crumbs(commission, {"label": title}),
            "commission": commission,
            "support": support,
            "form": form,
        },
    )
