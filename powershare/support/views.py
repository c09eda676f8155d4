from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.accounts import selectors as account_selectors
from powershare.accounts import services as account_services
from powershare.accounts.roles import Capability
from powershare.accounts.sharing import share_list_for_record
from powershare.audit.selectors import history_for_record
from powershare.lib.forms import posted, search_term
from powershare.system.submissions import submit_form_once, submit_once

from . import selectors, services
from .forms import ShareForm, SupportServiceForm

PAGE_SIZE = 25


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Support directory", "url": reverse("support:list")},
        *items,
    ]


def _manageable_organisations(user):
    return account_selectors.organisation_list_where(
        user=user, capability=Capability.MANAGE_SUPPORT_DIRECTORY
    )


@login_required
def support_service_list(request):
    if not account_selectors.user_can(
        user=request.user, capability=Capability.VIEW_SUPPORT_DIRECTORY
    ):
        raise Http404("No such page")
    search = search_term(request)
    source = request.GET.get("source", "")
    if source not in {"", "ours", "shared", "hidden"}:
        source = ""
    services_qs = selectors.support_service_list_for(
        user=request.user, search=search, source=source
    )
    page = Paginator(services_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    own = account_selectors.organisation_ids_where(
        user=request.user, capability=Capability.VIEW_SUPPORT_DIRECTORY
    )
    return render(
        request,
        "support/list.html",
        {
            "page_title": "Support directory",
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Support directory"},
            ],
            "page_obj": page,
            "search": search,
            "source": source,
            "own_ids": own,
            "can_add": account_selectors.user_can(
                user=request.user, capability=Capability.MANAGE_SUPPORT_DIRECTORY
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_service_create(request):
    organisations = _manageable_organisations(request.user)
    if not organisations:
        raise Http404("No such page")
    form = SupportServiceForm(posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        organisation = fields.pop("organisation", None) or organisations[0]

        def create():
            service = services.support_service_create(
                actor=request.user, organisation_id=organisation.pk, **fields
            )
            return reverse("support:detail", args=[service.pk])

        url, created = submit_once(request, create)
        if created:
            messages.success(request, f"“{fields['name']}” has been added to the directory.")
        return redirect(url)
    return render(
        request,
        "support/form.html",
        {
            "page_title": "Add a support service",
            "breadcrumbs": _crumbs({"label": "Add a support service"}),
            "form": form,
            "submit_label": "Add service",
        },
    )


@login_required
def support_service_detail(request, pk):
    service = selectors.support_service_get_for(user=request.user, pk=pk)
    ours = selectors.support_service_is_ours(
        user=request.user, service=service, capability=Capability.VIEW_SUPPORT_DIRECTORY
    )
    return render(
        request,
        "support/detail.html",
        {
            "page_title": service.name,
            "breadcrumbs": _crumbs({"label": service.name}),
            "service": service,
            "ours": ours,
            "can_edit": selectors.support_service_is_ours(
                user=request.user, service=service, capability=Capability.MANAGE_SUPPORT_DIRECTORY
            ),
            "can_share": selectors.support_service_is_ours(
                user=request.user, service=service, capability=Capability.SHARE_RECORDS
            ),
            "shares": share_list_for_record(record=service) if ours else [],
            "history": history_for_record(record=service)[:20] if ours else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_service_edit(request, pk):
    service = selectors.support_service_get_for(
        user=request.user, pk=pk, owner_may=Capability.MANAGE_SUPPORT_DIRECTORY
    )
    form = SupportServiceForm(posted(request), instance=service)
    if request.method == "POST" and form.is_valid():
        services.support_service_update(actor=request.user, service=service, **form.cleaned_data)
        messages.success(request, "Your changes have been saved.")
        return redirect("support:detail", pk=service.pk)
    return render(
        request,
        "support/form.html",
        {
            "page_title": f"Change {service.name}",
            "breadcrumbs": _crumbs(
                {"label": service.name, "url": reverse("support:detail", args=[service.pk])},
                {"label": "Change"},
            ),
            "form": form,
            "submit_label": "Save changes",
            "service": service,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_service_sharing(request, pk):
    service = selectors.support_service_get_for(
        user=request.user, pk=pk, owner_may=Capability.SHARE_RECORDS
    )
    shares = share_list_for_record(record=service)
    partners = account_selectors.organisation_partner_choices(
        exclude_ids=[service.organisation_id, *(s.partner_id for s in shares)]
    )
    form = ShareForm(posted(request), partners=partners)
    if request.method == "POST" and form.is_valid():
        partner = form.cleaned_data["partner"]

        def create():
            account_services.share_create(actor=request.user, record=service, partner=partner)
            return reverse("support:sharing", args=[service.pk])

        response = submit_form_once(
            request, form, create, success=f"“{service.name}” is now shared with {partner.name}."
        )
        if response:
            return response
    return render(
        request,
        "support/sharing.html",
        {
            "page_title": f"Share {service.name}",
            "breadcrumbs": _crumbs(
                {"label": service.name, "url": reverse("support:detail", args=[service.pk])},
                {"label": "Sharing"},
            ),
            "service": service,
            "shares": shares,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_service_share_end(request, pk, share_pk):
    service = selectors.support_service_get_for(
        user=request.user, pk=pk, owner_may=Capability.SHARE_RECORDS
    )
    share = next((s for s in share_list_for_record(record=service) if s.pk == share_pk), None)
    if share is None:
        raise Http404("No such share")
    if request.method == "POST":
        account_services.share_end(actor=request.user, share=share)
        messages.success(request, f"{share.partner.name} can no longer see “{service.name}”.")
        return redirect("support:sharing", pk=service.pk)
    return render(
        request,
        "support/share_end.html",
        {
            "page_title": f"Stop sharing with {share.partner.name}?",
            "breadcrumbs": _crumbs(
                {"label": service.name, "url": reverse("support:detail", args=[service.pk])},
                {"label": "Stop sharing"},
            ),
            "service": service,
            "share": share,
        },
    )
