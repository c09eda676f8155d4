"""Staff privacy pages: consent wording, subject access requests and erasure.

Every write goes through privacy.services; every read through the selectors, which answer 404
for anything the user may not see. Pages that show a person's details record an access event
that names the person by reference only, never by name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import (
    organisation_list_where,
    user_can,
)
from powershare.audit.models import AccessEvent
from powershare.audit.selectors import history_for_record
from powershare.audit.services import access_event_record
from powershare.lib.forms import form_errors_to_fields, posted
from powershare.people.models import ConsentPurpose
from powershare.people.selectors import person_get_for, person_is_own_record
from powershare.people.services import person_read_record
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .forms import (
    ConsentStatementForm,
    ErasureApproveForm,
    ErasureRejectForm,
    ErasureRequestForm,
    SubjectAccessCompleteForm,
    SubjectAccessRequestForm,
)
from .models import ErasureRequest, SubjectAccessRequest

PAGE_SIZE = 25


# ---------------------------------------------------------------------------------------------
# Shared pieces


def _section(user) -> dict:
    """Which parts of the privacy section the user can use, for the links at the top."""
    return {
        "can_subject_access": user_can(user=user, capability=Capability.HANDLE_SUBJECT_ACCESS),
        "can_erasure": user_can(user=user, capability=Capability.REQUEST_ERASURE)
        or user_can(user=user, capability=Capability.APPROVE_ERASURE),
        "can_statements": user_can(user=user, capability=Capability.VIEW_PEOPLE)
        or user_can(user=user, capability=Capability.MANAGE_CONSENT_STATEMENTS),
    }


def _crumbs(*items):
    return [{"label": "Home", "url": reverse("home")}, *items]


def _record_list_view(request, rows, subject: str, what: str) -> None:
    """A list shows people's names: one access record per organisation on the page."""
    for organisation_id in dict.fromkeys(row.organisation_id for row in rows):
        access_event_record(
            user=request.user,
            organisation_id=organisation_id,
            subject=subject,
            description=what,
            path=request.get_full_path(),
        )


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You can't do that."


def _chosen_organisation(request, organisations):
    """The organisation a page is about: ?organisation= when the user has more than one."""
    organisations = list(organisations)
    if not organisations:
        raise Http404("No such page")
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    for organisation in organisations:
        if str(organisation.pk) == wanted:
            return organisation, organisations
    return organisations[0], organisations


# ---------------------------------------------------------------------------------------------
# Consent statements


@login_required
def statement_list(request):
    organisation, organisations = _chosen_organisation(
        request, selectors.consent_statement_organisations_for(user=request.user)
    )
    current = selectors.consent_statements_current(organisation_id=organisation.pk)
    history = selectors.consent_statement_history(organisation_id=organisation.pk)
    purposes = []
    for value, label in ConsentPurpose.choices:
        statement = current.get(value)
        versions = history.get(value, [])
        in_force = next((v for v in versions if statement and v.pk == statement.pk), None)
        purposes.append(
            {
                "value": value,
                "label": label,
                "current": in_force or statement,
                "earlier": [v for v in versions if statement is None or v.pk != statement.pk],
            }
        )
    return render(
        request,
        "privacy/statement_list.html",
        {
            "page_title": "Consent statements",
            "breadcrumbs": _crumbs({"label": "Consent statements"}),
            "organisation": organisation,
            "organisations": organisations,
            "purposes": purposes,
            "can_publish": user_can(
                user=request.user,
                capability=Capability.MANAGE_CONSENT_STATEMENTS,
                organisation_id=organisation.pk,
            ),
            **_section(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def statement_publish(request, purpose):
    if purpose not in ConsentPurpose.values:
        raise Http404("No such consent purpose")
    organisation, organisations = _chosen_organisation(
        request,
        organisation_list_where(
            user=request.user, capability=Capability.MANAGE_CONSENT_STATEMENTS
        ).order_by("name"),
    )
    current = selectors.consent_statements_current(organisation_id=organisation.pk).get(purpose)
    initial = {"title": current.title, "text": current.text} if current else {}
    form = ConsentStatementForm(posted(request), initial=initial, current=current)
    if request.method == "POST" and form.is_valid():

        def publish():
            statement = services.consent_statement_publish(
                actor=request.user,
                organisation_id=organisation.pk,
                purpose=purpose,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
            messages.success(
                request,
                f"Version {statement.version} of “{statement.title}” is now in use for "
                f"{organisation.name}.",
            )
            return reverse("privacy:statement_list") + f"?organisation={organisation.pk}"

        response = submit_form_once(request, form, publish)
        if response:
            return response
    label = ConsentPurpose(purpose).label
    return render(
        request,
        "privacy/statement_publish.html",
        {
            "page_title": "Publish new wording",
            "page_caption": label,
            "breadcrumbs": _crumbs(
                {
                    "label": "Consent statements",
                    "url": reverse("privacy:statement_list") + f"?organisation={organisation.pk}",
                },
                {"label": "Publish new wording"},
            ),
            "form": form,
            "purpose_label": label,
            "current": current,
            "organisation": organisation,
            "organisations": organisations,
            **_section(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# Subject access


def _require(user, capability) -> None:
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _with_clock(request_obj, today):
    """Add what the lists and pages say about the one-month clock."""
    request_obj.days_overdue = (
        (today - request_obj.due_on).days if request_obj.is_overdue_on(today) else 0
    )
    request_obj.days_left = (request_obj.due_on - today).days
    return request_obj


@login_required
def subject_access_list(request):
    _require(request.user, Capability.HANDLE_SUBJECT_ACCESS)
    status = request.GET.get("status", "open")
    if status not in selectors.SUBJECT_ACCESS_FILTERS:
        status = "open"
    requests = selectors.subject_access_request_list_for(
        user=request.user, status="" if status == "all" else status
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for row in page:
        _with_clock(row, today)
    _record_list_view(
        request,
        page,
        "subject access requests",
        f"Subject access requests ({status}), page {page.number}",
    )
    return render(
        request,
        "privacy/subject_access_list.html",
        {
            "page_title": "Subject access requests",
            "breadcrumbs": _crumbs({"label": "Subject access requests"}),
            "page_obj": page,
            "status": status,
            "filters": selectors.SUBJECT_ACCESS_FILTERS,
            "overdue_count": selectors.subject_access_overdue_count(user=request.user),
            **_section(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_create(request, person_pk):
    person = person_get_for(user=request.user, pk=person_pk, may=Capability.HANDLE_SUBJECT_ACCESS)
    form = SubjectAccessRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def create():
            subject_access = services.subject_access_request_create(
                actor=request.user, person=person, **form.cleaned_data
            )
            return reverse("privacy:subject_access_detail", args=[subject_access.pk])

        response = submit_form_once(
            request,
            form,
            create,
            success="The request has been logged. We are preparing the export now: it is "
            "usually ready in a minute or two.",
        )
        if response:
            return response
    if request.method == "GET":
        person_read_record(
            user=request.user,
            person=person,
            what="subject access request form opened",
            path=request.get_full_path(),
        )
    return render(
        request,
        "privacy/subject_access_create.html",
        {
            "page_title": "Log a subject access request",
            "page_caption": f"{person.full_name} ({person.reference})",
            "breadcrumbs": _crumbs(
                {"label": "Subject access requests", "url": reverse("privacy:subject_access_list")},
                {"label": "Log a request"},
            ),
            "person": person,
            "form": form,
            "open_requests": list(selectors.subject_access_open_for_person(person=person)),
            **_section(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_detail(request, pk):
    subject_access = selectors.subject_access_request_get_for(user=request.user, pk=pk)
    person = subject_access.person
    action = request.POST.get("action") if request.method == "POST" else None
    complete_form = SubjectAccessCompleteForm(request.POST if action == "complete" else None)
    if action == "regenerate":
        try:
            services.subject_access_export_regenerate(actor=request.user, request=subject_access)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                "We are preparing the export again. Refresh this page in a minute or two.",
            )
        return redirect("privacy:subject_access_detail", pk=subject_access.pk)
    if action == "complete" and complete_form.is_valid():
        try:
            services.subject_access_request_complete(
                actor=request.user,
                request=subject_access,
                completed_on=complete_form.cleaned_data["completed_on"],
            )
        except ValidationError as error:
            form_errors_to_fields(complete_form, error)
        except PermissionDenied as error:
            complete_form.add_error(None, _error_text(error))
        else:
            messages.success(request, "The request is marked as answered.")
            return redirect("privacy:subject_access_detail", pk=subject_access.pk)
    if request.method == "GET":
        person_read_record(
            user=request.user,
            person=person,
            what="subject access request viewed",
            path=request.get_full_path(),
        )
    _with_clock(subject_access, timezone.localdate())
    return render(
        request,
        "privacy/subject_access_detail.html",
        {
            "page_title": f"Subject access request for {person.reference}",
            "breadcrumbs": _crumbs(
                {"label": "Subject access requests", "url": reverse("privacy:subject_access_list")},
                {"label": person.reference},
            ),
            "subject_access": subject_access,
            "person": person,
            "ready": subject_access.export_status == SubjectAccessRequest.ExportStatus.READY,
            "form": complete_form,
            "history": history_for_record(record=subject_access)[:20],
            **_section(request.user),
        },
    )


@login_required
def subject_access_download(request, pk):
    subject_access = selectors.subject_access_request_get_for(user=request.user, pk=pk)
    if (
        subject_access.export_status != SubjectAccessRequest.ExportStatus.READY
        or not subject_access.export_file
        or not default_storage.exists(subject_access.export_file)
    ):
        raise Http404("The export is not ready")
    person = subject_access.person
    person_read_record(
        user=request.user,
        person=person,
        what="subject access export downloaded",
        path=request.get_full_path(),
        action=AccessEvent.Action.DOWNLOADED,
    )
    return FileResponse(
        default_storage.open(subject_access.export_file, "rb"),
        as_attachment=True,
        filename=f"data-{person.reference}-{subject_access.pk}.zip",
        content_type="application/zip",
    )


# ---------------------------------------------------------------------------------------------
# Erasure


def _require_erasure_role(user) -> None:
    if not (
        user_can(user=user, capability=Capability.REQUEST_ERASURE)
        or user_can(user=user, capability=Capability.APPROVE_ERASURE)
    ):
        raise Http404("No such page")


@login_required
def erasure_list(request):
    _require_erasure_role(request.user)
    status = request.GET.get("status", "")
    if status not in ErasureRequest.Status.values:
        status = ""
    requests = selectors.erasure_request_list_for(user=request.user, status=status)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    _record_list_view(request, page, "erasure requests", f"Erasure requests, page {page.number}")
    return render(
        request,
        "privacy/erasure_list.html",
        {
            "page_title": "Erasure requests",
            "breadcrumbs": _crumbs({"label": "Erasure requests"}),
            "page_obj": page,
            "status": status,
            "statuses": ErasureRequest.Status.choices,
            **_section(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasure_request_create(request, person_pk):
    person = person_get_for(user=request.user, pk=person_pk, may=Capability.REQUEST_ERASURE)
    pending = selectors.erasure_request_pending_for_person(person=person)
    own_record = person_is_own_record(user=request.user, person=person)
    form = ErasureRequestForm(posted(request))
    if request.method == "POST" and pending is None and not own_record and form.is_valid():

        def create():
            erasure = services.erasure_request_create(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
            return reverse("privacy:erasure_detail", args=[erasure.pk])

        response = submit_form_once(
            request,
            form,
            create,
            success="Erasure has been asked for. An administrator will approve it or turn it down.",
        )
        if response:
            return response
    if request.method == "GET":
        person_read_record(
            user=request.user,
            person=person,
            what="erasure request form opened",
            path=request.get_full_path(),
        )
    return render(
        request,
        "privacy/erasure_create.html",
        {
            "page_title": "Ask for this record to be erased",
            "page_caption": f"{person.full_name} ({person.reference})",
            "breadcrumbs": _crumbs(
                {"label": "Erasure requests", "url": reverse("privacy:erasure_list")},
                {"label": "Ask for erasure"},
            ),
            "person": person,
            "pending": pending,
            "own_record": own_record,
            "form": form,
            **_section(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasure_detail(request, pk):
    erasure = selectors.erasure_request_get_for(user=request.user, pk=pk)
    person = erasure.person
    is_pending = erasure.status == ErasureRequest.Status.PENDING
    may_approve = user_can(
        user=request.user,
        capability=Capability.APPROVE_ERASURE,
        organisation_id=erasure.organisation_id,
    )
    asked_by_me = erasure.requested_by_id == request.user.pk
    can_decide = is_pending and may_approve and not asked_by_me
    action = request.POST.get("action") if request.method == "POST" else None
    decide = action or request.GET.get("decide", "")
    if decide not in {"approve", "reject"} or not can_decide:
        decide = ""
    approve_form = ErasureApproveForm(request.POST if action == "approve" else None)
    reject_form = ErasureRejectForm(request.POST if action == "reject" else None)
    if action in {"approve", "reject"}:
        form = approve_form if action == "approve" else reject_form
        if form.is_valid():
            try:
                if action == "approve":
                    services.erasure_request_approve(
                        actor=request.user, request=erasure, note=form.cleaned_data["note"]
                    )
                else:
                    services.erasure_request_reject(
                        actor=request.user,
                        request=erasure,
                        note=form.cleaned_data["decision_note"],
                    )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form_errors_to_fields(form, error)
                else:
                    messages.error(request, _error_text(error))
                    return redirect("privacy:erasure_detail", pk=erasure.pk)
            except PermissionDenied as error:
                messages.error(request, _error_text(error))
                return redirect("privacy:erasure_detail", pk=erasure.pk)
            else:
                if action == "approve":
                    messages.success(
                        request,
                        f"The record has been erased. It is now “Erased person "
                        f"{person.reference}”, and the anonymous counts stay as they were.",
                    )
                else:
                    messages.success(
                        request, "The request has been turned down. The record stays as it is."
                    )
                return redirect("privacy:erasure_detail", pk=erasure.pk)
    if request.method == "GET" and not person.is_erased:
        person_read_record(
            user=request.user,
            person=person,
            what="erasure request viewed",
            path=request.get_full_path(),
        )
    page_title = f"Erasure request for {person.reference}"
    return render(
        request,
        "privacy/erasure_detail.html",
        {
            "page_title": page_title,
            "breadcrumbs": _crumbs(
                {"label": "Erasure requests", "url": reverse("privacy:erasure_list")},
                {"label": person.reference},
            ),
            "erasure": erasure,
            "person": person,
            "is_pending": is_pending,
            "may_approve": may_approve,
            "asked_by_me": asked_by_me,
            "can_decide": can_decide,
            "decide": decide,
            "approve_form": approve_form,
            "reject_form": reject_form,
            "form": approve_form if decide == "approve" else reject_form,
            "history": history_for_record(record=erasure)[:20],
            **_section(request.user),
        },
    )
