"""The staff pages about ladders of participation: the list (the shipped ladders and the
organisation's own), adding and changing an organisation's own ladder, and retiring it or
bringing it back.

Seeing the ladders needs VIEW_ENGAGEMENT; adding, changing and retiring them need
MANAGE_ENGAGEMENT in the ladder's organisation. The ladders that come with PowerShare can't be
changed by anyone, and anything else answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts import selectors as account_selectors
from powershare.accounts.roles import Capability
from powershare.lib.forms import form_errors_to_fields, posted
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .ladder_forms import LadderForm, rungs_as_text


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Activities", "url": reverse("engagement:activity_list")},
        *items,
    ]


def _ladder_crumbs(*items):
    return _crumbs({"label": "Ladders", "url": reverse("engagement:ladder_list")}, *items)


def _ladder_url(ladder) -> str:
    return f"{reverse('engagement:ladder_list')}#ladder-{ladder.pk}"


@login_required
@require_GET
def ladder_list(request):
    user = request.user
    if not account_selectors.user_can(user=user, capability=Capability.VIEW_ENGAGEMENT):
        raise Http404("No such page")
    ladders = list(selectors.ladder_list_with_use_for(user=user))
    manage_ids = account_selectors.organisation_ids_where(
        user=user, capability=Capability.MANAGE_ENGAGEMENT
    )
    own = [ladder for ladder in ladders if ladder.organisation_id is not None]
    sections = [
        {
            "heading": "Ladders that come with PowerShare",
            "intro": "Every organisation can use these. They can't be changed.",
            "ladders": [ladder for ladder in ladders if ladder.organisation_id is None],
            "empty": "None are offered at the moment.",
        },
        {
            "heading": "Your organisation's own ladders",
            "intro": "Their rungs are offered beside the ones above when you plan an activity.",
            "ladders": [ladder for ladder in own if ladder.is_active],
            "empty": "Your organisation has no ladders of its own yet.",
        },
    ]
    retired = [ladder for ladder in own if not ladder.is_active]
    if retired:
        sections.append(
            {
                "heading": "Retired ladders",
                "intro": "Not offered for new activities. Activities already on them keep "
                "their rung.",
                "ladders": retired,
            }
        )
    return render(
        request,
        "engagement/ladder_list.html",
        {
            "page_title": "Ladders of participation",
            "breadcrumbs": _crumbs({"label": "Ladders"}),
            "sections": sections,
            "manage_ids": manage_ids,
            "can_manage": bool(manage_ids),
            "several_organisations": len(
                account_selectors.organisation_ids_where(
                    user=user, capability=Capability.VIEW_ENGAGEMENT
                )
            )
            > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ladder_create(request):
    # A queryset (read once, then from its cache): the organisation question chooses from it.
    organisations = account_selectors.organisation_list_where(
        user=request.user, capability=Capability.MANAGE_ENGAGEMENT
    ).order_by("name")
    if not organisations:
        raise Http404("No such page")
    form = LadderForm(posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or organisations[0]
        fields = form.ladder_fields()

        def create():
            ladder = services.ladder_create(
                actor=request.user, organisation_id=organisation.pk, **fields
            )
            return _ladder_url(ladder)

        response = submit_form_once(
            request,
            form,
            create,
            success=f"“{fields['name']}” has been added. Its rungs are offered when you plan an "
            "activity.",
        )
        if response:
            return response
    return render(
        request,
        "engagement/ladder_form.html",
        {
            "page_title": "Add a ladder",
            "breadcrumbs": _ladder_crumbs({"label": "Add a ladder"}),
            "form": form,
            "submit_label": "Add ladder",
            "creating": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ladder_edit(request, pk):
    ladder = selectors.ladder_get_for(user=request.user, pk=pk)
    uses = selectors.ladder_rung_use(ladder=ladder)
    form = LadderForm(
        posted(request),
        initial={
            "name": ladder.name,
            "description": ladder.description,
            "for_children_and_young_people": ladder.for_children_and_young_people,
            "rungs": rungs_as_text(ladder.rungs.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ladder_update(actor=request.user, ladder=ladder, **form.ladder_fields())
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied:
            raise Http404("No such ladder") from None
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect(_ladder_url(ladder))
    return render(
        request,
        "engagement/ladder_form.html",
        {
            "page_title": f"Change “{ladder.name}”",
            "breadcrumbs": _ladder_crumbs({"label": "Change"}),
            "form": form,
            "submit_label": "Save changes",
            "ladder": ladder,
            "in_use": [use for use in uses if use.in_use],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ladder_retire(request, pk):
    ladder = selectors.ladder_get_for(user=request.user, pk=pk)
    action = request.POST.get("action")
    if request.method == "POST" and action in ("retire", "bring_back"):
        try:
            services.ladder_retire(
                actor=request.user, ladder=ladder, bring_back=action == "bring_back"
            )
        except PermissionDenied:
            raise Http404("No such ladder") from None
        messages.success(
            request,
            f"“{ladder.name}” has been brought back. Its rungs are offered for new activities "
            "again."
            if action == "bring_back"
            else f"“{ladder.name}” has been retired. Activities already on it keep their rung.",
        )
        return redirect(_ladder_url(ladder))
    settings_now = selectors.engagement_settings_for(organisation_id=ladder.organisation_id)
    activity_count = sum(use.activity_count for use in selectors.ladder_rung_use(ladder=ladder))
    return render(
        request,
        "engagement/ladder_retire.html",
        {
            "page_title": (
                f"Retire “{ladder.name}”?" if ladder.is_active else f"Bring back “{ladder.name}”?"
            ),
            "breadcrumbs": _ladder_crumbs(
                {"label": "Retire" if ladder.is_active else "Bring back"}
            ),
            "ladder": ladder,
            "activity_count": activity_count,
            "is_default": settings_now.pk is not None
            and settings_now.default_ladder_id == ladder.pk,
        },
    )
