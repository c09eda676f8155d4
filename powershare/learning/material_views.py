"""Staff pages about learning materials: adding one to a version (with the contributions it
quotes), changing it (and saying it has been brought up to date), removing it, downloading its
file, and the list of materials that need updating.

Reading and downloading needs VIEW_LEARNING in the product's organisation; anything that
changes a material, MANAGE_LEARNING. A material may quote only words whose person agrees to its
use level today, and the page shows quoted words only through the consent rule
(selectors.quote_choices, selectors.material_quotes).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.engagement.models import UseLevel
from powershare.engagement.selectors import with_widest_use
from powershare.lib.forms import posted, search_term
from powershare.lib.uploads import protected_file_response
from powershare.system.submissions import submit_once

from . import selectors, services
from .product_forms import MATERIAL_USES, MaterialForm
from .views import PAGE_SIZE, _product_crumbs, errors_to_form, save_or_show

#: How many contributions the page offers to quote at once (search for more).
CHOICES_SHOWN = 200
MATERIAL_USE_VALUES = {value for value, _label in MATERIAL_USES}


def _use_level(request, default: int) -> int:
    """The use level the quote choices are for: as posted, or ?use=, or the default."""
    for source in (request.POST, request.GET):
        value = source.get("use_level") or source.get("use") or ""
        if value.isdigit() and int(value) in MATERIAL_USE_VALUES:
            return int(value)
    return default


def _ticked(request, current: set[int]) -> set[int]:
    if request.method != "POST":
        return current
    return {int(v) for v in request.POST.getlist("quotes") if v.isdigit() and len(v) < 19}


def _search(request) -> str:
    if request.method == "POST":
        return request.POST.get("q", "").replace("\x00", "").strip()[:200]
    return search_term(request)


def _quote_rows(*, version, use_level: int, ticked: set[int], search: str) -> dict:
    """The contributions to tick, chosen ones first. Words and credit come only from
    contributions usable at `use_level`; ticked ones that are not (withdrawn, or not agreed for
    this use) are listed by reference alone, so they can be unticked."""
    usable = with_widest_use(
        selectors.quote_choices(version=version, use_level=use_level)
    ).select_related("person", "activity")
    chosen = list(usable.filter(pk__in=ticked))
    matching = usable.exclude(pk__in=ticked)
    if search:
        matching = matching.filter(Q(text__icontains=search) | Q(activity__title__icontains=search))
    others = list(matching[:CHOICES_SHOWN])
    refused_ids = ticked - {c.pk for c in chosen}
    refused = (
        list(
            selectors.contributions_by_id(
                organisation_id=version.product.organisation_id, ids=refused_ids
            )
            .select_related("activity")
            .order_by("pk")
        )
        if refused_ids
        else []
    )
    rows = [
        {"contribution": c, "ticked": True, "usable": True, "credit": c.credit_for(use_level)}
        for c in chosen
    ]
    rows += [{"contribution": c, "ticked": True, "usable": False, "credit": ""} for c in refused]
    rows += [
        {"contribution": c, "ticked": False, "usable": True, "credit": c.credit_for(use_level)}
        for c in others
    ]
    return {
        "quote_rows": rows,
        "quote_more": matching.count() - len(others) if len(others) == CHOICES_SHOWN else 0,
        "quote_use": UseLevel(use_level),
        "quote_search": search,
        "shown_limit": CHOICES_SHOWN,
    }


def _refreshing(request) -> bool:
    """The person asked to see the choices again (a search, or another use level): show the
    form with everything they typed, and save nothing."""
    return request.method == "POST" and "refresh" in request.POST


def _typed(request) -> dict:
    return {
        name: request.POST.get(name, "")
        for name in ("title", "kind", "use_level")
        if request.POST.get(name)
    }


# ---------------------------------------------------------------------------------------------
# Adding and changing


@login_required
@require_http_methods(["GET", "POST"])
def material_add(request, pk, **kwargs):
    user = request.user
    version = selectors.version_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    product = version.product
    use_level = _use_level(request, UseLevel.ANONYMISED)
    if _refreshing(request):
        form = MaterialForm(initial=_typed(request))
    else:
        form = MaterialForm(
            posted(request),
            request.FILES if request.method == "POST" else None,
            initial={"use_level": use_level},
        )
    if request.method == "POST" and not _refreshing(request) and form.is_valid():
        data = form.cleaned_data

        def create():
            services.material_add(
                actor=user,
                version=version,
                title=data["title"],
                kind=data["kind"],
                upload=data["file"],
                use_level=data["use_level"],
                quotes=data["quotes"],
            )
            return reverse("learning:version_detail", args=[version.pk]) + "#materials"

        try:
            url, created = submit_once(request, create)
        except ValidationError as error:
            errors_to_form(form, error)
        except PermissionDenied:
            raise Http404("No such version") from None
        else:
            if created:
                messages.success(
                    request, f"“{data['title']}” is added to version {version.number}."
                )
            return redirect(url)
    return render(
        request,
        "learning/material_add.html",
        {
            "page_title": "Add a material",
            "page_caption": f"{product.title}, version {version.number}",
            "breadcrumbs": _product_crumbs(
                product,
                {
                    "label": f"Version {version.number}",
                    "url": reverse("learning:version_detail", args=[version.pk]),
                },
                {"label": "Add a material"},
            ),
            "product": product,
            "version": version,
            "form": form,
            "refreshed": _refreshing(request),
            **_quote_rows(
                version=version,
                use_level=use_level,
                ticked=_ticked(request, set()),
                search=_search(request),
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_edit(request, pk, **kwargs):
    """Change a material, its file or what it quotes; "I've updated it" clears the flag once
    nothing it quotes is withdrawn or beyond what people agreed."""
    user = request.user
    material = selectors.material_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    version = material.version
    product = version.product
    quotes = selectors.material_quotes(material=material)
    current = {q["contribution"].pk for q in quotes}
    use_level = _use_level(request, material.use_level)
    initial = {
        "title": material.title,
        "kind": material.kind,
        "use_level": material.use_level,
    }
    if _refreshing(request):
        form = MaterialForm(initial={**initial, **_typed(request)}, editing=True)
    else:
        form = MaterialForm(
            posted(request),
            request.FILES if request.method == "POST" else None,
            initial=initial,
            editing=True,
        )
    if request.method == "POST" and not _refreshing(request) and form.is_valid():
        data = form.cleaned_data

        def act():
            services.material_update(
                actor=user,
                material=material,
                title=data["title"],
                kind=data["kind"],
                use_level=data["use_level"],
                quotes=data["quotes"],
                upload=data["file"] or None,
                updated=data.get("updated", False),
            )

        if save_or_show(form, act):
            messages.success(
                request,
                f"“{material.title}” is up to date."
                if data.get("updated")
                else f"“{material.title}” has been changed.",
            )
            return redirect(reverse("learning:version_detail", args=[version.pk]) + "#materials")
    return render(
        request,
        "learning/material_edit.html",
        {
            "page_title": f"Change “{material.title}”",
            "page_caption": f"{product.title}, version {version.number}",
            "breadcrumbs": _product_crumbs(
                product,
                {
                    "label": f"Version {version.number}",
                    "url": reverse("learning:version_detail", args=[version.pk]),
                },
                {"label": "Change a material"},
            ),
            "product": product,
            "version": version,
            "material": material,
            "quotes": quotes,
            "form": form,
            "refreshed": _refreshing(request),
            **_quote_rows(
                version=version,
                use_level=use_level,
                ticked=_ticked(request, current),
                search=_search(request),
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_remove(request, pk, **kwargs):
    user = request.user
    material = selectors.material_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    version = material.version
    if request.method == "POST":
        title = material.title

        def act():
            services.material_remove(actor=user, material=material)

        if save_or_show(MaterialForm(), act):
            messages.success(request, f"“{title}” has been removed from version {version.number}.")
            return redirect(reverse("learning:version_detail", args=[version.pk]) + "#materials")
    return render(
        request,
        "learning/material_remove.html",
        {
            "page_title": f"Remove “{material.title}”?",
            "page_caption": f"{version.product.title}, version {version.number}",
            "breadcrumbs": _product_crumbs(
                version.product,
                {
                    "label": f"Version {version.number}",
                    "url": reverse("learning:version_detail", args=[version.pk]),
                },
                {"label": "Remove a material"},
            ),
            "material": material,
            "version": version,
            "quote_count": len(selectors.material_quotes(material=material)),
        },
    )


@login_required
@require_GET
def material_download(request, pk, **kwargs):
    material = selectors.material_get_for(user=request.user, pk=pk)
    if not material.file:
        raise Http404("No file")
    return protected_file_response(
        material.file,
        original_name=material.original_name or material.title,
        content_type=material.content_type or "application/octet-stream",
    )


# ---------------------------------------------------------------------------------------------
# Materials that need updating


@login_required
@require_GET
def materials_needing_update(request, **kwargs):
    """Every material quoting words that can no longer be used as it uses them, the longest
    flagged first."""
    user = request.user
    if not user_can(user=user, capability=Capability.VIEW_LEARNING):
        raise Http404("No such page")
    page = Paginator(selectors.materials_needing_update_for(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "learning/materials_needing_update.html",
        {
            "page_title": "Materials that need updating",
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Learning", "url": reverse("learning:home")},
                {"label": "Materials that need updating"},
            ],
            "page_obj": page,
            "manage_ids": organisation_ids_where(user=user, capability=Capability.MANAGE_LEARNING),
        },
    )
