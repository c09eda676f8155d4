"""Staff pages about a delivery's facilitator team: who is on it and the experience each brings
(lived, professional, leadership), adding a member of staff or a person from the register,
changing or removing them, and recording why a team has nobody with lived experience.

Nothing about us without us: when nobody on the team has lived experience, the team page says
so and asks for a recorded reason (kept with who recorded it and when); a team made up entirely
of experts by experience is welcomed. A commissioned trainer leaves the team only by cancelling
their commission, so their invitation and payment are dealt with too.

Every page needs MANAGE_LEARNING in the delivery's organisation: the team names people from the
register. Anyone else gets 404, never 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.accounts.roles import Capability
from powershare.lib.forms import act_then_go, posted
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .team_forms import (
    AcknowledgeForm,
    FacilitatorEditForm,
    RegisterPersonForm,
    StaffMemberForm,
    staff_label,
)

ADD_STAFF = "staff"
ADD_PERSON = "person"


def _crumbs(delivery, *items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        {"label": "Deliveries", "url": reverse("learning:delivery_list")},
        {
            "label": f"{delivery.product.title} at {delivery.site.name}",
            "url": reverse("learning:delivery_detail", args=[delivery.pk]),
        },
        *items,
    ]


def _team_crumbs(delivery, *items):
    return _crumbs(
        delivery, {"label": "Team", "url": reverse("learning:team", args=[delivery.pk])}, *items
    )


def _caption(delivery) -> str:
    return f"{delivery.product.title}, {delivery.cohort}"


def _team_url(delivery) -> str:
    return reverse("learning:team", args=[delivery.pk])


def _delivery(request, pk):
    return selectors.delivery_get_for(user=request.user, pk=pk, may=Capability.MANAGE_LEARNING)


def _commissioned(facilitator) -> bool:
    commission = getattr(facilitator, "commission", None)
    return commission is not None and commission.cancelled_at is None


# ---------------------------------------------------------------------------------------------
# The team


@login_required
@require_http_methods(["GET", "POST"])
def team(request, pk):
    delivery = _delivery(request, pk)
    adding = request.POST.get("add", "") if request.method == "POST" else ""
    # A form sent twice must still find its choice (who is on the team by then), so that
    # submit_form_once can answer it with the first result.
    staff_form = StaffMemberForm(
        request.POST if adding == ADD_STAFF else None,
        staff=selectors.team_staff_choices(delivery=delivery, include_team=adding == ADD_STAFF),
    )
    person_form = RegisterPersonForm(
        request.POST if adding == ADD_PERSON else None,
        people=selectors.team_person_choices(delivery=delivery, include_team=adding == ADD_PERSON),
    )
    form = {ADD_STAFF: staff_form, ADD_PERSON: person_form}.get(adding)
    if request.method == "POST" and form is None:
        messages.info(
            request, "Choose who to add: a member of staff or a person from the register."
        )
        return redirect(_team_url(delivery))
    if form is not None and delivery.is_cancelled:
        form.add_error(None, "This delivery was cancelled, so its team can't change.")
    elif form is not None and form.is_valid():
        chosen = form.cleaned_data.get("user") or form.cleaned_data.get("person")

        def add():
            services.facilitator_add(
                actor=request.user,
                delivery=delivery,
                user=form.cleaned_data.get("user"),
                person=form.cleaned_data.get("person"),
                is_lead=form.cleaned_data["is_lead"],
                **form.experience_values(),
            )
            return _team_url(delivery)

        name = staff_label(chosen) if adding == ADD_STAFF else chosen.name
        done = submit_form_once(request, form, add, success=f"{name} is on the team.")
        if done is not None:
            return done
    check = selectors.team_check(delivery=delivery)
    members = list(selectors.facilitator_list(delivery=delivery))
    return render(
        request,
        "learning/team.html",
        {
            "page_title": "Facilitator team",
            "page_caption": _caption(delivery),
            "breadcrumbs": _crumbs(delivery, {"label": "Team"}),
            "delivery": delivery,
            "members": members,
            "check": check,
            "staff_form": staff_form,
            "person_form": person_form,
            "form": form,
            "adding": adding,
            "commissions": list(selectors.commission_list(delivery=delivery)),
            "can_commission": not delivery.is_cancelled,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_acknowledge(request, pk):
    delivery = _delivery(request, pk)
    check = selectors.team_check(delivery=delivery)
    if check.has_lived_experience:
        messages.info(
            request, "Someone on this team has lived experience, so there is no reason to record."
        )
        return redirect(_team_url(delivery))
    form = AcknowledgeForm(posted(request), initial={"reason": check.reason})
    if request.method == "POST" and form.is_valid():

        def acknowledge():
            services.team_without_lived_experience_acknowledge(
                actor=request.user, delivery=delivery, reason=form.cleaned_data["reason"]
            )
            return "The reason is recorded with the delivery."

        response, _ = act_then_go(
            request,
            acknowledge,
            to=_team_url(delivery),
            form=form,
            not_found="No such delivery",
        )
        if response is not None:
            return response
    return render(
        request,
        "learning/team_acknowledge.html",
        {
            "page_title": "Record why nobody has lived experience",
            "page_caption": _caption(delivery),
            "breadcrumbs": _team_crumbs(delivery, {"label": "No lived experience"}),
            "delivery": delivery,
            "check": check,
            "form": form,
        },
    )


# ---------------------------------------------------------------------------------------------
# One member of the team


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_edit(request, pk):
    facilitator = selectors.facilitator_get_for(user=request.user, pk=pk)
    delivery = selectors.delivery_get_for(
        user=request.user, pk=facilitator.delivery_id, may=Capability.MANAGE_LEARNING
    )
    form = FacilitatorEditForm(posted(request), facilitator=facilitator)
    if request.method == "POST" and form.is_valid():

        def update():
            services.facilitator_update(
                actor=request.user,
                facilitator=facilitator,
                is_lead=form.cleaned_data["is_lead"],
                **form.experience_values(),
            )
            return f"Saved the changes for {facilitator.name}."

        response, _ = act_then_go(
            request,
            update,
            to=_team_url(delivery),
            form=form,
            not_found="No such facilitator",
        )
        if response is not None:
            return response
    return render(
        request,
        "learning/facilitator_form.html",
        {
            "page_title": f"Change {facilitator.name}'s place on the team",
            "page_caption": _caption(delivery),
            "breadcrumbs": _team_crumbs(delivery, {"label": facilitator.name}),
            "delivery": delivery,
            "facilitator": facilitator,
            "commissioned": _commissioned(facilitator),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_remove(request, pk):
    facilitator = selectors.facilitator_get_for(user=request.user, pk=pk)
    delivery = selectors.delivery_get_for(
        user=request.user, pk=facilitator.delivery_id, may=Capability.MANAGE_LEARNING
    )
    commissioned = _commissioned(facilitator)
    problem = ""
    if request.method == "POST" and not commissioned:
        name = facilitator.name
        try:
            services.facilitator_remove(actor=request.user, facilitator=facilitator)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such facilitator") from None
        else:
            messages.success(request, f"{name} is no longer on the team.")
            return redirect(_team_url(delivery))
    others_lived = any(
        member.lived
        for member in selectors.facilitator_list(delivery=delivery)
        if member.pk != facilitator.pk
    )
    return render(
        request,
        "learning/facilitator_remove.html",
        {
            "page_title": f"Remove {facilitator.name} from the team?",
            "page_caption": _caption(delivery),
            "breadcrumbs": _team_crumbs(delivery, {"label": "Remove"}),
            "delivery": delivery,
            "facilitator": facilitator,
            "commissioned": commissioned,
            "commission": facilitator.commission if commissioned else None,
            "loses_lived_experience": facilitator.lived and not others_lived,
            "problem": problem,
        },
    )
