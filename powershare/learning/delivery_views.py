"""Staff pages about deliveries: the list, planning one from a product (with a row per
session), one delivery with its sessions, places, booking link, team and commissioned
trainers, changing or cancelling it, and adding, changing or removing its sessions.

Seeing a delivery needs VIEW_LEARNING in its organisation or at its site; planning and
changing one needs MANAGE_LEARNING in its organisation. Leaders see deliveries and their
totals but never learners' names (nothing on these pages names a learner). Anything else
answers 404, never 403.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_partner_choices, user_can
from powershare.audit.selectors import history_for_record
from powershare.lib.forms import act_then_go, posted
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .delivery_forms import (
    SESSION_FIELDS,
    DeliveryEditForm,
    DeliveryFilterForm,
    DeliveryForm,
    SessionForm,
    session_count,
)
from .models import SessionMode

PAGE_SIZE = 50
HISTORY_SHOWN = 20
#: A session starts at half past nine unless someone says otherwise.
DEFAULT_START = datetime.time(9, 30)


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        {"label": "Deliveries", "url": reverse("learning:delivery_list")},
        *items,
    ]


def _delivery_crumbs(delivery, *items):
    return _crumbs(
        {
            "label": f"{delivery.product.title} at {delivery.site.name}",
            "url": reverse("learning:delivery_detail", args=[delivery.pk]),
        },
        *items,
    )


def _caption(delivery) -> str:
    return f"{delivery.product.title}, {delivery.cohort}"


def _detail_url(delivery) -> str:
    return reverse("learning:delivery_detail", args=[delivery.pk])


def _may(user, capability, delivery, *, at_site: bool = False) -> bool:
    if user_can(user=user, capability=capability, organisation_id=delivery.organisation_id):
        return True
    return at_site and user_can(user=user, capability=capability, organisation_id=delivery.site_id)


def _cancelled_so_back(request, delivery):
    messages.info(request, "This delivery was cancelled, so it can't be changed.")
    return redirect(_detail_url(delivery))


def _status(delivery, sessions, today) -> str:
    if delivery.is_cancelled:
        return f"Cancelled on {timezone.localtime(delivery.cancelled_at):%-d %B %Y}"
    dates = [session.date for session in sessions]
    if not dates:
        return "Planned: no sessions yet"
    if max(dates) < today:
        return "Finished"
    if min(dates) > today:
        return "Coming up"
    return "Running now"


def _end_time(start: datetime.time, minutes: int) -> datetime.time | None:
    end = datetime.datetime.combine(datetime.date(2000, 1, 1), start) + datetime.timedelta(
        minutes=minutes
    )
    return end.time() if end.date() == datetime.date(2000, 1, 1) else None


# ---------------------------------------------------------------------------------------------
# The list


@login_required
@require_GET
def delivery_list(request, **kwargs):
    user = request.user
    if not user_can(user=user, capability=Capability.VIEW_LEARNING):
        raise Http404("No such page")
    products = selectors.delivery_product_choices(user=user)
    asked = any(request.GET.get(name) for name in ("search", "product", "when"))
    filter_form = DeliveryFilterForm(request.GET if asked else None, products=products)
    filters = filter_form.filters()
    when = filters["when"]
    rows = selectors.delivery_list_for(user=user, include_cancelled=when == "cancelled")
    if filters["product"]:
        rows = rows.filter(product_id=filters["product"])
    if filters["search"]:
        words = filters["search"]
        rows = rows.filter(
            Q(cohort__icontains=words)
            | Q(site__name__icontains=words)
            | Q(product__title__icontains=words)
        )
    today = timezone.localdate()
    if when == "upcoming":
        rows = rows.filter(Q(last_date__gte=today) | Q(last_date__isnull=True)).order_by(
            "first_date", "pk"
        )
    elif when == "past":
        rows = rows.filter(last_date__lt=today).order_by("-last_date", "pk")
    elif when == "cancelled":
        rows = rows.filter(cancelled_at__isnull=False).order_by("-cancelled_at", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    chosen = dict(products).get(filters["product"])
    return render(
        request,
        "learning/delivery_list.html",
        {
            "page_title": "Deliveries",
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Learning", "url": reverse("learning:home")},
                {"label": "Deliveries"},
            ],
            "page_obj": page,
            "filter_form": filter_form,
            "filtered": any(filters.values()),
            "chosen_product_id": filters["product"],
            "chosen_product": chosen,
            "can_manage": user_can(user=user, capability=Capability.MANAGE_LEARNING),
            "today": today,
        },
    )


# ---------------------------------------------------------------------------------------------
# Planning a delivery


def _session_initial(product) -> dict:
    start = DEFAULT_START
    return {
        "starts_at": start,
        "ends_at": _end_time(start, product.session_minutes),
        "mode": SessionMode.IN_PERSON,
    }


def _fresh(form_class, bound, **kwargs):
    """A form showing what was typed in `bound`, without checking it (adding or removing a
    session row is not sending the form)."""
    return form_class(initial={name: bound[name].value() for name in bound.fields}, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def delivery_create(request, pk):
    user = request.user
    product = selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    data = posted(request)
    planned = product.sessions_planned
    count = session_count(data.get("session_count") if data is not None else None, planned)
    sites = organisation_partner_choices(exclude_ids=[])
    rearranging = data is not None and ("add_session" in data or "remove_session" in data)
    if data is not None and not rearranging:
        form = DeliveryForm(data, sites=sites)
        session_forms = [SessionForm(data, number=n) for n in range(1, count + 1)]
    else:
        form = DeliveryForm(initial={"site": product.organisation_id}, sites=sites)
        session_forms = [
            SessionForm(initial=_session_initial(product), number=n) for n in range(1, count + 1)
        ]
    if rearranging:
        form = _fresh(DeliveryForm, DeliveryForm(data, sites=sites), sites=sites)
        typed = [SessionForm(data, number=n).typed() for n in range(1, count + 1)]
        if "add_session" in data and count < services.MAX_SESSIONS:
            typed.append(_session_initial(product))
        elif "remove_session" in data and count > 1:
            typed.pop()
        session_forms = [SessionForm(initial=values, number=n) for n, values in enumerate(typed, 1)]
    if data is not None and not rearranging:
        checked = [form.is_valid(), *(f.is_valid() for f in session_forms)]
        if all(checked):

            def create():
                delivery = services.delivery_create(
                    actor=user,
                    product=product,
                    site=form.cleaned_data["site"],
                    cohort=form.cleaned_data["cohort"],
                    capacity=form.cleaned_data["capacity"],
                    sessions=[f.values() for f in session_forms],
                )
                return _detail_url(delivery)

            done = submit_form_once(
                request,
                form,
                create,
                success=(
                    "Delivery planned. Next, add the team and share the booking link with "
                    "the people who may come."
                ),
            )
            if done is not None:
                return done
    has_errors = bool(form.errors) or any(f.errors for f in session_forms)
    version = selectors.version_to_teach(product=product)
    return render(
        request,
        "learning/delivery_form.html",
        {
            "page_title": "Plan a delivery",
            "page_caption": product.title,
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Learning", "url": reverse("learning:home")},
                {"label": "Learning products", "url": reverse("learning:product_list")},
                {
                    "label": product.title,
                    "url": reverse("learning:product_detail", args=[product.pk]),
                },
                {"label": "Plan a delivery"},
            ],
            "product": product,
            "version": version,
            "form": form,
            "session_forms": session_forms,
            "has_errors": has_errors,
            "session_count": len(session_forms),
            "max_sessions": services.MAX_SESSIONS,
        },
    )


# ---------------------------------------------------------------------------------------------
# One delivery


@login_required
@require_GET
def delivery_detail(request, pk):
    user = request.user
    delivery = selectors.delivery_get_for(user=user, pk=pk)
    can_manage = _may(user, Capability.MANAGE_LEARNING, delivery)
    can_register = _may(user, Capability.RECORD_ATTENDANCE, delivery, at_site=True)
    sessions = list(selectors.session_list(delivery=delivery))
    team = list(selectors.facilitator_list(delivery=delivery))
    today = timezone.localdate()
    # Its answer links and QR codes (imported here: evaluation imports learning).
    from powershare.evaluation import selectors as evaluation_selectors

    answer_links = list(evaluation_selectors.links_for_delivery(delivery=delivery))
    return render(
        request,
        "learning/delivery_detail.html",
        {
            "page_title": f"{delivery.site.name}: {delivery.cohort}",
            "page_caption": delivery.product.title,
            "breadcrumbs": _crumbs({"label": f"{delivery.product.title} at {delivery.site.name}"}),
            "delivery": delivery,
            "status": _status(delivery, sessions, today),
            "sessions": sessions,
            "places": selectors.places(delivery=delivery),
            "team": team,
            "lived_count": sum(1 for member in team if member.lived),
            "check": selectors.team_check(delivery=delivery),
            # Who is commissioned, their invitation and pay are for the people who manage the
            # delivery; everyone else (site staff, facilitators, leaders) sees how many.
            "commissions": list(selectors.commission_list(delivery=delivery)) if can_manage else [],
            "commission_count": selectors.commission_list(delivery=delivery).count(),
            "can_manage": can_manage,
            "can_change": can_manage and not delivery.is_cancelled,
            "can_register": can_register,
            "can_view_product": _may(user, Capability.VIEW_LEARNING, delivery),
            "booking_url": (
                request.build_absolute_uri(reverse("learning:book", args=[delivery.booking_token]))
                if can_manage
                else ""
            ),
            "history": list(history_for_record(record=delivery)[:HISTORY_SHOWN]),
            "today": today,
            "answer_links": answer_links,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_edit(request, pk):
    user = request.user
    delivery = selectors.delivery_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    if delivery.is_cancelled:
        return _cancelled_so_back(request, delivery)
    form = DeliveryEditForm(
        posted(request),
        initial={
            "cohort": delivery.cohort,
            "capacity": delivery.capacity,
            "booking_open": "yes" if delivery.booking_open else "no",
        },
    )
    if request.method == "POST" and form.is_valid():

        def change():
            services.delivery_update(actor=user, delivery=delivery, **form.cleaned_data)
            return "Delivery changed."

        response, _ = act_then_go(
            request, change, to=_detail_url(delivery), form=form, not_found="No such delivery"
        )
        if response is not None:
            return response
    return render(
        request,
        "learning/delivery_edit.html",
        {
            "page_title": "Change the delivery",
            "page_caption": _caption(delivery),
            "breadcrumbs": _delivery_crumbs(delivery, {"label": "Change"}),
            "delivery": delivery,
            "places": selectors.places(delivery=delivery),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_cancel(request, pk):
    user = request.user
    delivery = selectors.delivery_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    if delivery.is_cancelled:
        messages.info(request, "This delivery was already cancelled.")
        return redirect(_detail_url(delivery))
    places = selectors.places(delivery=delivery)
    told = places.booked + places.offered + places.waiting
    if request.method == "POST":

        def cancel():
            services.delivery_cancel(actor=user, delivery=delivery)
            if not told:
                return "Delivery cancelled."
            return (
                f"Delivery cancelled. We are emailing the {told} "
                f"{'person' if told == 1 else 'people'} who were booked or waiting to tell them."
            )

        response, _ = act_then_go(
            request, cancel, to=_detail_url(delivery), not_found="No such delivery"
        )
        return response
    return render(
        request,
        "learning/delivery_cancel.html",
        {
            "page_title": "Cancel this delivery",
            "page_caption": _caption(delivery),
            "breadcrumbs": _delivery_crumbs(delivery, {"label": "Cancel"}),
            "delivery": delivery,
            "sessions": list(selectors.session_list(delivery=delivery)),
            "places": places,
            "told": told,
            "commission_count": selectors.commission_list(delivery=delivery).count(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Sessions


def _session_page(request, delivery, form, *, title, crumb, session=None):
    return render(
        request,
        "learning/session_form.html",
        {
            "page_title": title,
            "page_caption": _caption(delivery),
            "breadcrumbs": _delivery_crumbs(delivery, {"label": crumb}),
            "delivery": delivery,
            "session": session,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request, pk):
    user = request.user
    delivery = selectors.delivery_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    if delivery.is_cancelled:
        return _cancelled_so_back(request, delivery)
    sessions = list(selectors.session_list(delivery=delivery))
    number = len(sessions) + 1
    initial = _session_initial(delivery.product)
    if sessions:
        last = sessions[-1]
        initial = {name: getattr(last, name) for name in SESSION_FIELDS if name != "date"}
    form = SessionForm(posted(request), number=number, initial=initial)
    if request.method == "POST" and form.is_valid():

        def add():
            services.session_add(actor=user, delivery=delivery, **form.values())
            return f"Session {number} added."

        response, _ = act_then_go(
            request, add, to=_detail_url(delivery), form=form, not_found="No such delivery"
        )
        if response is not None:
            return response
    return _session_page(
        request, delivery, form, title=f"Add session {number}", crumb="Add a session"
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    user = request.user
    session = selectors.session_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    delivery = session.delivery
    if delivery.is_cancelled:
        return _cancelled_so_back(request, delivery)
    form = SessionForm(
        posted(request),
        number=session.number,
        initial={name: getattr(session, name) for name in SESSION_FIELDS},
    )
    if request.method == "POST" and form.is_valid():

        def change():
            services.session_update(actor=user, session=session, **form.values())
            return f"Session {session.number} changed."

        response, _ = act_then_go(
            request, change, to=_detail_url(delivery), form=form, not_found="No such session"
        )
        if response is not None:
            return response
    return _session_page(
        request,
        delivery,
        form,
        title=f"Change session {session.number}",
        crumb=f"Change session {session.number}",
        session=session,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_remove(request, pk):
    user = request.user
    session = selectors.session_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    delivery = session.delivery
    if delivery.is_cancelled:
        return _cancelled_so_back(request, delivery)
    sessions = list(selectors.session_list(delivery=delivery))
    this = next((s for s in sessions if s.pk == session.pk), session)
    register_taken = bool(getattr(this, "marked_count", 0))
    only_one = len(sessions) == 1
    problem = ""
    if request.method == "POST" and not (register_taken or only_one):

        def remove():
            services.session_remove(actor=user, session=session)
            return f"Session {session.number} removed. Later sessions have moved up a number."

        response, problem = act_then_go(
            request, remove, to=_detail_url(delivery), not_found="No such session"
        )
        if response is not None:
            return response
    return render(
        request,
        "learning/session_remove.html",
        {
            "page_title": f"Remove session {session.number}",
            "page_caption": _caption(delivery),
            "breadcrumbs": _delivery_crumbs(
                delivery, {"label": f"Remove session {session.number}"}
            ),
            "delivery": delivery,
            "session": this,
            "register_taken": register_taken,
            "only_one": only_one,
            "error": problem,
        },
    )
