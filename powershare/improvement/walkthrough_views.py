"""Staff pages for walkthroughs: the list, one walkthrough (its sites, team, payments for the
experts by experience and observations under each principle, with the actions made from
them), and the pages that change it.

Everyone with VIEW_IMPROVEMENT in the organisation reads a walkthrough. Experts by experience
on the team are named only to people who may see the register (VIEW_PEOPLE), and each time
they are named the access log records it; everyone else reads "An expert by experience".
Payments show only to VIEW_PAYMENTS holders. Every page that changes something needs
MANAGE_IMPROVEMENT in the walkthrough's organisation: anyone else gets 404, never 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.accounts.models import Organisation
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.audit.services import access_event_record
from powershare.lib.forms import act_then_go, add_organisation_choice, posted
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .models import ObservationKind, TeamRole
from .privacy_registration import ERASED_PERSON_NAME
from .walkthrough_forms import (
    ObservationForm,
    SiteForm,
    TeamMemberForm,
    WalkthroughForm,
    staff_label,
)

PAGE_SIZE = 25
NOT_FOUND = "No such walkthrough"


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Improvement", "url": reverse("improvement:home")},
        {"label": "Walkthroughs", "url": reverse("improvement:walkthrough_list")},
        *items,
    ]


def _walkthrough_crumbs(walkthrough, *items):
    return _crumbs(
        {
            "label": walkthrough.title,
            "url": reverse("improvement:walkthrough_detail", args=[walkthrough.pk]),
        },
        *items,
    )


def _detail_url(walkthrough, anchor: str = "") -> str:
    url = reverse("improvement:walkthrough_detail", args=[walkthrough.pk])
    return f"{url}#{anchor}" if anchor else url


def _require_manages(user, walkthrough) -> None:
    if not selectors.can_manage(user, walkthrough.organisation_id):
        raise Http404(NOT_FOUND)


def _managed(request, pk):
    """A walkthrough the user can see and change, else 404."""
    walkthrough = selectors.walkthrough_get_for(user=request.user, pk=pk)
    _require_manages(request.user, walkthrough)
    return walkthrough


def _shows_names(user, walkthrough) -> bool:
    return user_can(
        user=user, capability=Capability.VIEW_PEOPLE, organisation_id=walkthrough.organisation_id
    )


def member_label(member, *, show_names: bool) -> str:
    """Who a team member is, as this reader may see them."""
    if member.role == TeamRole.EXPERT_BY_EXPERIENCE:
        if show_names and member.person_id is not None:
            return member.person.name
        return ERASED_PERSON_NAME
    if member.user_id is not None:
        return staff_label(member.user)
    return member.name or "Someone from the service"


def _record_names_shown(request, walkthrough, members) -> None:
    """One access event per expert by experience named, against their place on the team, so
    it appears in their own subject access export."""
    for member in members:
        if member.person_id is not None:
            access_event_record(
                user=request.user,
                organisation_id=walkthrough.organisation_id,
                subject=member,
                description=(
                    f"{member.person.reference}: named on the team of walkthrough {walkthrough.pk}"
                ),
                path=request.path,
            )


# ---------------------------------------------------------------------------------------------
# The list


@login_required
@require_http_methods(["GET"])
def walkthrough_list(request):
    user = request.user
    selectors.require_view(user)
    rows = selectors.walkthrough_list_for(user=user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "improvement/walkthrough_list.html",
        {
            "page_title": "Walkthroughs",
            "breadcrumbs": _crumbs()[:-1] + [{"label": "Walkthroughs"}],
            "page_obj": page,
            "can_create": bool(selectors.managing_ids(user)),
            "several_organisations": len(selectors.viewing_ids(user)) > 1,
        },
    )


# ---------------------------------------------------------------------------------------------
# Making and changing a walkthrough


@login_required
@require_http_methods(["GET", "POST"])
def walkthrough_create(request):
    user = request.user
    organisation_ids = selectors.managing_ids(user)
    if not organisation_ids:
        raise Http404("No such page")
    organisations = Organisation.objects.filter(pk__in=organisation_ids).order_by("name")
    form = WalkthroughForm(
        posted(request),
        activities=selectors.walkthrough_activity_choices(organisation_ids=organisation_ids),
    )
    add_organisation_choice(form, organisations, label="Which organisation's walkthrough is it?")
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or organisations.first()

        def create():
            walkthrough = services.walkthrough_create(
                actor=user, organisation=organisation, **form.values()
            )
            return _detail_url(walkthrough)

        done = submit_form_once(
            request,
            form,
            create,
            success="Walkthrough saved. Now add the sites, the team and what you found.",
        )
        if done is not None:
            return done
    return render(
        request,
        "improvement/walkthrough_form.html",
        {
            "page_title": "New walkthrough",
            "breadcrumbs": _crumbs({"label": "New walkthrough"}),
            "form": form,
            "creating": True,
            "button": "Save the walkthrough",
            "cancel_url": reverse("improvement:walkthrough_list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def walkthrough_edit(request, pk):
    walkthrough = _managed(request, pk)
    form = WalkthroughForm(
        posted(request),
        activities=selectors.walkthrough_activity_choices(
            organisation_ids=[walkthrough.organisation_id], walkthrough=walkthrough
        ),
        initial={
            "title": walkthrough.title,
            "service": walkthrough.service,
            "walked_on": walkthrough.walked_on,
            "purpose": walkthrough.purpose,
            "summary": walkthrough.summary,
            "activity": walkthrough.activity_id,
        },
    )
    if request.method == "POST" and form.is_valid():

        def update():
            services.walkthrough_update(
                actor=request.user, walkthrough=walkthrough, **form.values()
            )
            return "Saved the changes."

        response, _ = act_then_go(
            request, update, to=_detail_url(walkthrough), form=form, not_found=NOT_FOUND
        )
        if response is not None:
            return response
    return render(
        request,
        "improvement/walkthrough_form.html",
        {
            "page_title": "Change the walkthrough",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Change"}),
            "form": form,
            "creating": False,
            "walkthrough": walkthrough,
            "button": "Save the changes",
            "cancel_url": _detail_url(walkthrough),
        },
    )


# ---------------------------------------------------------------------------------------------
# One walkthrough


def _principle_groups(walkthrough, observations):
    """Each principle of the walkthrough's version, in order, with its strengths and things to
    improve (principles with nothing recorded are listed too, so gaps show)."""
    groups = {
        principle.pk: {"principle": principle, "strengths": [], "improvements": []}
        for principle in walkthrough.version.principles.order_by("order", "pk")
    }
    for observation in observations:
        group = groups.setdefault(
            observation.principle_id,
            {"principle": observation.principle, "strengths": [], "improvements": []},
        )
        key = "strengths" if observation.kind == ObservationKind.STRENGTH else "improvements"
        group[key].append(observation)
    return list(groups.values())


def _payments(user, walkthrough, team, *, show_names: bool):
    """The payments recorded through the walkthrough's activity for people on its team, for
    VIEW_PAYMENTS holders (None for everyone else)."""
    activity = walkthrough.activity
    if activity is None or not user_can(
        user=user,
        capability=Capability.VIEW_PAYMENTS,
        organisation_id=walkthrough.organisation_id,
    ):
        return None
    from powershare.payments.selectors import payment_list_for

    person_ids = [m.person_id for m in team if m.person_id is not None]
    rows = list(
        payment_list_for(user=user, activity_id=activity.pk).filter(person_id__in=person_ids)
    )
    for payment in rows:
        payment.payee = payment.person.name if show_names else ERASED_PERSON_NAME
    return rows


@login_required
@require_http_methods(["GET"])
def walkthrough_detail(request, pk):
    user = request.user
    walkthrough = selectors.walkthrough_get_for(user=user, pk=pk)
    manages = selectors.can_manage(user, walkthrough.organisation_id)
    show_names = _shows_names(user, walkthrough)
    sites = selectors.walkthrough_sites(walkthrough=walkthrough)
    team = selectors.walkthrough_team(walkthrough=walkthrough)
    experts = [m for m in team if m.role == TeamRole.EXPERT_BY_EXPERIENCE]
    if show_names:
        _record_names_shown(request, walkthrough, experts)
    for member in team:
        member.label = member_label(member, show_names=show_names)
    payments = _payments(user, walkthrough, team, show_names=show_names)
    records_payments = (
        walkthrough.activity_id is not None
        and show_names
        and user_can(
            user=user,
            capability=Capability.MANAGE_PAYMENTS,
            organisation_id=walkthrough.organisation_id,
        )
    )
    if records_payments:
        base = reverse("payments:payment_create")
        for member in experts:
            if member.person_id is not None:
                member.pay_url = (
                    f"{base}?person={member.person_id}&activity={walkthrough.activity_id}"
                )
    observations = selectors.walkthrough_observations(walkthrough=walkthrough, user=user)
    action_create = reverse("improvement:action_create")
    for observation in observations:
        observation.make_action_url = f"{action_create}?observation={observation.pk}"
    return render(
        request,
        "improvement/walkthrough_detail.html",
        {
            "page_title": walkthrough.title,
            "page_caption": "Walkthrough",
            "breadcrumbs": _crumbs({"label": walkthrough.title}),
            "walkthrough": walkthrough,
            "can_manage": manages,
            "show_names": show_names,
            "sites": sites,
            "team": team,
            "experts": experts,
            "payments": payments,
            "records_payments": records_payments,
            "groups": _principle_groups(walkthrough, observations),
            "observation_count": len(observations),
        },
    )


# ---------------------------------------------------------------------------------------------
# Sites


@login_required
@require_http_methods(["GET", "POST"])
def site_add(request, pk):
    walkthrough = _managed(request, pk)
    form = SiteForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def add():
            services.site_add(actor=request.user, walkthrough=walkthrough, **form.cleaned_data)
            return _detail_url(walkthrough, "sites")

        done = submit_form_once(
            request, form, add, success=f"{form.cleaned_data['name']} is on the walkthrough."
        )
        if done is not None:
            return done
    return render(
        request,
        "improvement/walkthrough_site_form.html",
        {
            "page_title": "Add a site",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Add a site"}),
            "walkthrough": walkthrough,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_remove(request, pk):
    site = selectors.walkthrough_site_get_for(user=request.user, pk=pk)
    walkthrough = _managed(request, site.walkthrough_id)
    if request.method == "POST":
        name = site.name

        def remove():
            services.site_remove(actor=request.user, site=site)
            return f"{name} is no longer on the walkthrough."

        response, _ = act_then_go(
            request, remove, to=_detail_url(walkthrough, "sites"), not_found=NOT_FOUND
        )
        if response is not None:
            return response
    return render(
        request,
        "improvement/walkthrough_site_remove.html",
        {
            "page_title": f"Take {site.name} off the walkthrough?",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Remove a site"}),
            "walkthrough": walkthrough,
            "site": site,
            "observation_count": walkthrough.observations.filter(site=site).count(),
        },
    )


# ---------------------------------------------------------------------------------------------
# The team


@login_required
@require_http_methods(["GET", "POST"])
def team_add(request, pk):
    user = request.user
    walkthrough = _managed(request, pk)
    show_names = _shows_names(user, walkthrough)
    form = TeamMemberForm(
        posted(request),
        staff=selectors.walkthrough_staff_choices(organisation_id=walkthrough.organisation_id),
        people=(
            selectors.walkthrough_person_choices(organisation_id=walkthrough.organisation_id)
            if show_names
            else None
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def add():
            services.team_member_add(
                actor=user,
                walkthrough=walkthrough,
                role=data["role"],
                user=data.get("user"),
                person=data.get("person"),
                name=data.get("name", ""),
            )
            return _detail_url(walkthrough, "team")

        done = submit_form_once(request, form, add, success="They are on the team.")
        if done is not None:
            return done
    return render(
        request,
        "improvement/walkthrough_team_form.html",
        {
            "page_title": "Add someone to the team",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Add to the team"}),
            "walkthrough": walkthrough,
            "form": form,
            "show_names": show_names,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_remove(request, pk):
    member = selectors.walkthrough_team_member_get_for(user=request.user, pk=pk)
    walkthrough = _managed(request, member.walkthrough_id)
    label = member_label(member, show_names=_shows_names(request.user, walkthrough))
    if request.method == "POST":

        def remove():
            services.team_member_remove(actor=request.user, member=member)
            return f"{label} is no longer on the team."

        response, _ = act_then_go(
            request, remove, to=_detail_url(walkthrough, "team"), not_found=NOT_FOUND
        )
        if response is not None:
            return response
    return render(
        request,
        "improvement/walkthrough_team_remove.html",
        {
            "page_title": "Take them off the team?",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Remove from the team"}),
            "walkthrough": walkthrough,
            "member": member,
            "label": label,
        },
    )


# ---------------------------------------------------------------------------------------------
# Observations


def _observation_form(request, walkthrough, **kwargs):
    return ObservationForm(
        posted(request),
        principles=walkthrough.version.principles.order_by("order", "pk"),
        sites=walkthrough.sites.order_by("order", "pk"),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_add(request, pk):
    walkthrough = _managed(request, pk)
    initial = {}
    kind = request.GET.get("kind", "")
    if kind in ObservationKind.values:
        initial["kind"] = kind
    form = _observation_form(request, walkthrough, initial=initial)
    if request.method == "POST" and form.is_valid():

        def add():
            observation = services.observation_add(
                actor=request.user, walkthrough=walkthrough, **form.values()
            )
            return _detail_url(walkthrough, f"observation-{observation.pk}")

        done = submit_form_once(request, form, add, success="Observation saved.")
        if done is not None:
            return done
    return render(
        request,
        "improvement/walkthrough_observation_form.html",
        {
            "page_title": "Record an observation",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Record an observation"}),
            "walkthrough": walkthrough,
            "form": form,
            "creating": True,
            "button": "Save the observation",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_edit(request, pk):
    observation = selectors.observation_get_for(user=request.user, pk=pk)
    walkthrough = _managed(request, observation.walkthrough_id)
    form = _observation_form(
        request,
        walkthrough,
        initial={
            "principle": observation.principle_id,
            "kind": observation.kind,
            "site": observation.site_id,
            "text": observation.text,
        },
    )
    if request.method == "POST" and form.is_valid():

        def update():
            services.observation_update(
                actor=request.user, observation=observation, **form.values()
            )
            return "Saved the observation."

        response, _ = act_then_go(
            request,
            update,
            to=_detail_url(walkthrough, f"observation-{observation.pk}"),
            form=form,
            not_found=NOT_FOUND,
        )
        if response is not None:
            return response
    return render(
        request,
        "improvement/walkthrough_observation_form.html",
        {
            "page_title": "Change the observation",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Change an observation"}),
            "walkthrough": walkthrough,
            "observation": observation,
            "form": form,
            "creating": False,
            "button": "Save the changes",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_remove(request, pk):
    observation = selectors.observation_get_for(user=request.user, pk=pk)
    walkthrough = _managed(request, observation.walkthrough_id)
    error = ""
    if request.method == "POST":
        try:
            services.observation_remove(actor=request.user, observation=observation)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        except PermissionDenied:
            raise Http404(NOT_FOUND) from None
        else:
            messages.success(request, "The observation was taken out.")
            return redirect(_detail_url(walkthrough, "observations"))
    return render(
        request,
        "improvement/walkthrough_observation_remove.html",
        {
            "page_title": "Take out this observation?",
            "page_caption": walkthrough.title,
            "breadcrumbs": _walkthrough_crumbs(walkthrough, {"label": "Take out an observation"}),
            "walkthrough": walkthrough,
            "observation": observation,
            "became_action": observation.actions.exists(),
            "error": error,
        },
    )
