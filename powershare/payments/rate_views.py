"""Rate cards and an organisation's payment defaults.

Administrators (MANAGE_PAYMENT_RATES) publish rate cards and set the defaults; staff who see
payments (VIEW_PAYMENTS) may read the rate cards. A rate card some payment was worked out with
is never changed: a new version, from the day the new rates start, replaces it. Anything else
answers 404, never 403.
"""

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
from powershare.accounts.selectors import (
    organisation_ids_where,
    organisation_list_where,
    user_can,
)
from powershare.lib.forms import add_organisation_choice, form_errors_to_fields, posted
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .rate_forms import PaymentSettingsForm, RateCardForm

PAGE_SIZE = 50


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Payments", "url": reverse("payments:home")},
        *items,
    ]


def _rate_crumbs(*items):
    return _crumbs({"label": "Rate cards", "url": reverse("payments:rate_card_list")}, *items)


def _reader_ids(user) -> list[int]:
    return sorted(
        set(organisation_ids_where(user=user, capability=Capability.VIEW_PAYMENTS))
        | set(organisation_ids_where(user=user, capability=Capability.MANAGE_PAYMENT_RATES))
    )


def _money_text(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _hours_text(value) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"


@login_required
@require_GET
def rate_card_list(request, **kwargs):
    user = request.user
    ids = _reader_ids(user)
    if not ids:
        raise Http404("No such page")
    today = timezone.localdate()
    in_force = {
        card.pk
        for card in (selectors.rate_card_in_force(organisation_id=pk, on=today) for pk in ids)
        if card is not None
    }
    cards = selectors.rate_cards_with_use(selectors.rate_card_list_for(user=user))
    page = Paginator(
        cards.order_by("organisation__name", "-effective_from", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for card in items:
        card.in_force = card.pk in in_force
        card.is_future = card.effective_from > today
    page.object_list = items
    can_manage = user_can(user=user, capability=Capability.MANAGE_PAYMENT_RATES)
    return render(
        request,
        "payments/rate_card_list.html",
        {
            "page_title": "Rate cards",
            "breadcrumbs": _crumbs({"label": "Rate cards"}),
            "page_obj": page,
            "today": today,
            "can_manage": can_manage,
            "manageable": set(
                organisation_ids_where(user=user, capability=Capability.MANAGE_PAYMENT_RATES)
            ),
            "several_organisations": len(ids) > 1,
        },
    )


def _initial_from(card) -> dict:
    if card is None:
        return {"travel_time_policy": "not_paid", "mileage_rate": "0.45"}
    return {
        "hourly_rate": _money_text(card.hourly_rate),
        "half_day_rate": _money_text(card.half_day_rate),
        "full_day_rate": _money_text(card.full_day_rate),
        "preparation_max_hours": _hours_text(card.preparation_max_hours),
        "travel_time_policy": card.travel_time_policy,
        "travel_max_hours": _hours_text(card.travel_max_hours),
        "mileage_rate": _money_text(card.mileage_rate),
        "notes": card.notes,
    }


@login_required
@require_http_methods(["GET", "POST"])
def rate_card_create(request, **kwargs):
    """A new version of the rates, from the day it starts. It starts filled in with the rates
    in force today, so only what changes needs typing."""
    user = request.user
    ids = organisation_ids_where(user=user, capability=Capability.MANAGE_PAYMENT_RATES)
    if not ids:
        raise Http404("No such page")
    today = timezone.localdate()
    current = selectors.rate_card_in_force(organisation_id=ids[0], on=today)
    form = RateCardForm(posted(request), initial=_initial_from(current))
    add_organisation_choice(
        form,
        organisation_list_where(user=user, capability=Capability.MANAGE_PAYMENT_RATES),
        label="Which organisation are these rates for?",
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation")
        organisation_id = organisation.pk if organisation is not None else ids[0]

        def create():
            services.rate_card_create(
                actor=user, organisation_id=organisation_id, **form.card_fields()
            )
            return reverse("payments:rate_card_list")

        done = submit_form_once(
            request,
            form,
            create,
            success="Rate card added. Payments for work from the day it starts will use it.",
        )
        if done is not None:
            return done
    return render(
        request,
        "payments/rate_card_form.html",
        {
            "page_title": "Add a rate card",
            "breadcrumbs": _rate_crumbs({"label": "Add a rate card"}),
            "form": form,
            "current": current,
            "card": None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_card_edit(request, pk):
    """Change a rate card no payment has used yet. Once used, it stays as it is: the page says
    so, and offers to add a new version."""
    card = selectors.rate_card_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_PAYMENT_RATES
    )
    in_use = selectors.rate_card_in_use(card=card)
    form = RateCardForm(
        posted(request) if not in_use else None,
        initial={"effective_from": card.effective_from, **_initial_from(card)},
    )
    if request.method == "POST" and not in_use and form.is_valid():
        try:
            services.rate_card_update(actor=request.user, card=card, **form.card_fields())
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied:
            raise Http404("No such rate card") from None
        else:
            messages.success(request, "Your changes to the rate card have been saved.")
            return redirect("payments:rate_card_list")
    return render(
        request,
        "payments/rate_card_form.html",
        {
            "page_title": f"Change the {str(card)[0].lower()}{str(card)[1:]}",
            "breadcrumbs": _rate_crumbs({"label": "Change"}),
            "form": form,
            "card": card,
            "in_use": in_use,
            "refused": request.method == "POST" and in_use,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_settings(request, **kwargs):
    """An organisation's defaults: benefits limits, cost code, how soon to pay, and where to get
    advice. With several organisations, ?organisation= chooses which."""
    user = request.user
    organisations = list(
        organisation_list_where(user=user, capability=Capability.MANAGE_PAYMENT_RATES).order_by(
            "name"
        )
    )
    if not organisations:
        raise Http404("No such page")
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    current = selectors.payment_settings_for(organisation_id=organisation.pk)
    form = PaymentSettingsForm(
        posted(request),
        initial={
            "weekly_limit": _money_text(current.weekly_limit),
            "monthly_limit": _money_text(current.monthly_limit),
            "yearly_limit": _money_text(current.yearly_limit),
            "default_cost_code": current.default_cost_code,
            "pay_within_days": current.pay_within_days,
            "advice": current.advice,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_settings_update(
                actor=user, organisation_id=organisation.pk, **form.settings_fields()
            )
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied:
            raise Http404("No such page") from None
        else:
            messages.success(request, "The payment settings have been saved.")
            url = reverse("payments:settings")
            if len(organisations) > 1:
                url += f"?organisation={organisation.pk}"
            return redirect(url)
    return render(
        request,
        "payments/settings.html",
        {
            "page_title": "Payment settings",
            "page_caption": organisation.display_name,
            "breadcrumbs": _crumbs({"label": "Settings"}),
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
            "can_see_reports": user_can(
                user=user, capability=Capability.VIEW_PAYMENTS, organisation_id=organisation.pk
            ),
        },
    )
