from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can

from . import selectors
from .forms import AuditFilterForm, ChangeLogFilterForm

PAGE_SIZE = 50


def _require_audit(user):
    if not (user.is_superuser or user_can(user=user, capability=Capability.VIEW_AUDIT)):
        raise Http404("No such page")


def _crumbs(label):
    return [{"label": "Home", "url": reverse("home")}, {"label": label}]


@login_required
def change_log(request):
    _require_audit(request.user)
    form = ChangeLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.change_log_for(
        user=request.user,
        search=filters.get("q", ""),
        action=filters.get("action"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/change_log.html",
        {
            "page_title": "Change log",
            "breadcrumbs": _crumbs("Change log"),
            "form": form,
            "page_obj": page,
        },
    )


@login_required
def access_log(request):
    _require_audit(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = selectors.access_log_for(
        user=request.user,
        search=filters.get("q", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/access_log.html",
        {
            "page_title": "Access log",
            "breadcrumbs": _crumbs("Access log"),
            "form": form,
            "page_obj": page,
        },
    )
