"""Frameworks (the Roadmap, by default) and their versions.

Everyone with VIEW_IMPROVEMENT (or MANAGE_FRAMEWORKS) reads the frameworks and PowerShare's
default versions; an organisation's own versions are seen by its members only. Changing a
framework means publishing a new version (administrators, MANAGE_FRAMEWORKS), so past
assessments keep the version they used. Anything out of sight answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.models import Organisation
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.lib.forms import form_errors_to_fields, posted
from powershare.system.submissions import submit_once

from . import selectors, services
from .framework_forms import VersionPublishForm
from .models import FrameworkVersion


def _reader_ids(user) -> list[int]:
    """The organisations in which the user may read frameworks."""
    return sorted(
        set(organisation_ids_where(user=user, capability=Capability.VIEW_IMPROVEMENT))
        | set(organisation_ids_where(user=user, capability=Capability.MANAGE_FRAMEWORKS))
    )


def _require_reader(user) -> list[int]:
    ids = _reader_ids(user)
    if not ids:
        raise Http404("No such page")
    return ids


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Improvement", "url": reverse("improvement:home")},
        {"label": "Frameworks", "url": reverse("improvement:framework_list")},
        *items,
    ]


def _framework_crumb(framework):
    return {
        "label": framework.name,
        "url": reverse("improvement:framework_detail", args=[framework.pk]),
    }


@login_required
@require_GET
def framework_list(request):
    ids = _require_reader(request.user)
    frameworks = list(selectors.frameworks_for(organisation_ids=ids).order_by("name"))
    rows = []
    for framework in frameworks:
        rows.append(
            {
                "framework": framework,
                "current": selectors.version_current(framework=framework, organisation_id=ids[0]),
            }
        )
    return render(
        request,
        "improvement/framework_list.html",
        {
            "page_title": "Frameworks",
            "breadcrumbs": _crumbs()[:-1] + [{"label": "Frameworks"}],
            "rows": rows,
        },
    )


@login_required
@require_GET
def framework_detail(request, pk):
    user = request.user
    ids = _require_reader(user)
    framework = get_object_or_404(selectors.frameworks_for(organisation_ids=ids), pk=pk)
    organisation = Organisation.objects.get(pk=ids[0])
    current = selectors.version_current(framework=framework, organisation_id=organisation.pk)
    version = selectors.version_with_content(current.pk) if current else None
    publisher_ids = organisation_ids_where(user=user, capability=Capability.MANAGE_FRAMEWORKS)
    return render(
        request,
        "improvement/framework_detail.html",
        {
            "page_title": framework.name,
            "page_caption": "Framework",
            "breadcrumbs": _crumbs({"label": framework.name}),
            "framework": framework,
            "organisation": organisation,
            "version": version,
            "history": list(selectors.versions_for(framework=framework, organisation_ids=ids)),
            "can_publish": bool(publisher_ids),
        },
    )


def _version_for(user, pk) -> FrameworkVersion:
    ids = _require_reader(user)
    found = (
        FrameworkVersion.objects.filter(pk=pk)
        .filter(Q(organisation__isnull=True) | Q(organisation_id__in=ids))
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise Http404("No such page")
    return selectors.version_with_content(found)


@login_required
@require_GET
def version_detail(request, pk):
    user = request.user
    version = _version_for(user, pk)
    framework = version.framework
    ids = _reader_ids(user)
    current = selectors.version_current(framework=framework, organisation_id=ids[0])
    return render(
        request,
        "improvement/framework_version.html",
        {
            "page_title": f"{framework.name}, version {version.number}",
            "page_caption": "Framework version",
            "breadcrumbs": _crumbs(
                _framework_crumb(framework), {"label": f"Version {version.number}"}
            ),
            "framework": framework,
            "version": version,
            "is_current": current is not None and current.pk == version.pk,
            "assessment_count": version.assessments.filter(organisation_id__in=ids).count(),
        },
    )


def _based_on(request, framework, organisation) -> FrameworkVersion | None:
    """On a POST, the version the form was made from (the default's or the organisation's
    own), so that what was typed is read against the rows it was typed into."""
    wanted = request.POST.get("based_on", "") if request.method == "POST" else ""
    if not wanted.isdigit() or len(wanted) > 18:
        return None
    return (
        FrameworkVersion.objects.filter(pk=int(wanted), framework=framework)
        .filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request, pk):
    user = request.user
    publisher_ids = organisation_ids_where(user=user, capability=Capability.MANAGE_FRAMEWORKS)
    if not publisher_ids:
        raise Http404("No such page")
    framework = get_object_or_404(selectors.frameworks_for(organisation_ids=publisher_ids), pk=pk)
    organisation = Organisation.objects.get(pk=publisher_ids[0])
    current = selectors.version_current(framework=framework, organisation_id=organisation.pk)
    if current is None:
        raise Http404("No such page")
    # The form is matched row by row to the version it was made from.
    based_on = _based_on(request, framework, organisation) or current
    form = VersionPublishForm(posted(request), version=selectors.version_with_content(based_on.pk))
    if request.method == "POST" and form.is_valid():
        arguments = form.publish_arguments()

        def publish():
            latest = selectors.version_current(framework=framework, organisation_id=organisation.pk)
            if latest.pk != based_on.pk:
                raise ValidationError(
                    f"Version {latest.number} was published while you were making changes, "
                    "so these changes were not published. Open this page again to start from "
                    "it."
                )
            version = services.framework_version_publish(
                actor=user, framework=framework, organisation=organisation, **arguments
            )
            return reverse("improvement:version_detail", args=[version.pk])

        try:
            url, created = submit_once(request, publish)
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied:
            raise Http404("No such page") from None
        else:
            if created:
                messages.success(
                    request,
                    "The new version is published. New self-assessments will use it; past "
                    "ones keep the version they used.",
                )
            return redirect(url)
    return render(
        request,
        "improvement/framework_publish.html",
        {
            "page_title": "Publish a new version",
            "page_caption": framework.name,
            "breadcrumbs": _crumbs(_framework_crumb(framework), {"label": "Publish a new version"}),
            "framework": framework,
            "organisation": organisation,
            "current": form.version,
            "form": form,
        },
    )
