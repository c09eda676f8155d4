"""The register's staff pages: the list of people, a person's record, their consent decisions,
portal invitations, areas of lived experience and the retention review.

Seeing the register needs VIEW_PEOPLE; changing it needs MANAGE_PEOPLE in the person's
organisation. Anything else answers 404. Every page that shows a person's details records an
access event, described by the person's reference, never their name.
"""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from powershare.accounts import selectors as account_selectors
from powershare.accounts.roles import Capability
from powershare.audit.selectors import history_for_record
from powershare.lib.forms import form_errors_to_fields, posted, search_term
from powershare.privacy import selectors as privacy_selectors
from powershare.system.submissions import submit_form_once, submit_once

from . import selectors, services
from .forms import AreaForm, ConsentRecordForm, PersonForm, areas_for_person_form, staff_label
from .models import ConsentGivenBy, ConsentPurpose, PersonStatus

PAGE_SIZE = 25


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "People", "url": reverse("people:list")},
        *items,
    ]


def _person_crumbs(person, *items):
    return _crumbs(
        {"label": person.name, "url": reverse("people:detail", args=[person.pk])}, *items
    )


def _require(user, capability):
    if not account_selectors.user_can(user=user, capability=capability):
        raise Http404("No such page")


def _managed_organisations(user):
    return account_selectors.organisation_list_where(user=user, capability=Capability.MANAGE_PEOPLE)


def _own_record_refusal(request, person):
    """Staff who are also on the register change their own record in the portal."""
    return render(
        request,
        "people/own_record.html",
        {
            "page_title": "This is your own record",
            "breadcrumbs": _person_crumbs(person, {"label": "Your own record"}),
            "person": person,
        },
        status=403,
    )


# ---------------------------------------------------------------------------------------------
# The register


@login_required
def person_list(request):
    _require(request.user, Capability.VIEW_PEOPLE)
    search = search_term(request)
    status = request.GET.get("status", "")
    if status not in PersonStatus.values:
        status = ""
    needs = request.GET.get("needs", "")
    if needs not in selectors.PERSON_FILTERS["needs"]:
        needs = ""
    resting = request.GET.get("resting") == "1"
    areas = list(
        selectors.lived_experience_area_list_for(user=request.user).select_related("organisation")
    )
    area_id = request.GET.get("area", "")
    area = next((a for a in areas if str(a.pk) == area_id), None)
    people = selectors.person_list_for(
        user=request.user,
        search=search,
        status=status,
        area_id=area.pk if area else None,
        needs=needs,
        resting=resting,
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = services.register_read_record(
        user=request.user,
        description=f"People register listed, page {page.number}",
        path=request.path,
    )
    return render(
        request,
        "people/list.html",
        {
            "page_title": "People",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "People"}],
            "page_obj": page,
            "search": search,
            "status": status,
            "needs": needs,
            "resting": resting,
            "area": area,
            "areas": areas,
            "statuses": PersonStatus.choices,
            "needs_choices": selectors.PERSON_FILTERS["needs"].items(),
            "filtered": bool(search or status or needs or resting or area),
            "several_organisations": len(organisations) > 1,
            "today": timezone.localdate(),
            "can_manage": account_selectors.user_can(
                user=request.user, capability=Capability.MANAGE_PEOPLE
            ),
            "can_request_erasure": account_selectors.user_can(
                user=request.user, capability=Capability.REQUEST_ERASURE
            ),
            # Privacy requests live in the People section (no top-level navigation item).
            "can_subject_access": account_selectors.user_can(
                user=request.user, capability=Capability.HANDLE_SUBJECT_ACCESS
            ),
            "can_erasure": account_selectors.user_can(
                user=request.user, capability=Capability.REQUEST_ERASURE
            )
            or account_selectors.user_can(user=request.user, capability=Capability.APPROVE_ERASURE),
            "can_statements": account_selectors.user_can(
                user=request.user, capability=Capability.MANAGE_CONSENT_STATEMENTS
            ),
        },
    )


class _ProbableDuplicates(Exception):
    def __init__(self, people):
        super().__init__("Probable duplicates")
        self.people = people


def _duplicates(organisation_id, data, exclude_pk=None):
    return list(
        selectors.person_probable_duplicates(
            organisation_id=organisation_id,
            email=data.get("email") or "",
            full_name=data.get("full_name") or "",
            date_of_birth=data.get("date_of_birth"),
            exclude_pk=exclude_pk,
        )[:10]
    )


def _duplicate_warning(form, people):
    form.duplicates = people
    form.add_error(
        "different_person",
        "Check whether they are already on the register. If this is a different person, "
        "tick the box.",
    )


def _person_form(request, *, organisations, person=None):
    """The person form, with choices from the right register: the person's own organisation
    when changing a record; every organisation the user manages when adding one."""
    organisation_ids = [person.organisation_id] if person else [o.pk for o in organisations]
    areas = selectors.lived_experience_area_list_for(
        user=request.user, include_inactive=True
    ).filter(organisation_id__in=organisation_ids)
    form = PersonForm(
        posted(request),
        instance=person,
        organisations=None if person else organisations,
        areas=areas_for_person_form(areas, person).select_related("organisation"),
        staff_contacts=selectors.staff_contact_choices(organisation_ids=organisation_ids),
    )
    if person:
        form.fields["different_person"].label = "This is a different person, save anyway"
    return form


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    organisations = _managed_organisations(request.user)
    if not organisations:
        raise Http404("No such page")
    form = _person_form(request, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or organisations[0]
        confirmed = form.cleaned_data.get("different_person")
        fields = form.person_fields()
        areas = list(form.cleaned_data["areas"])

        def create():
            if not confirmed:
                found = _duplicates(organisation.pk, fields)
                if found:
                    raise _ProbableDuplicates(found)
            person = services.person_create(
                actor=request.user, organisation_id=organisation.pk, areas=areas, **fields
            )
            return reverse("people:detail", args=[person.pk])

        try:
            url, created = submit_once(request, create)
        except _ProbableDuplicates as found:
            _duplicate_warning(form, found.people)
        except ValidationError as error:
            form_errors_to_fields(form, error)
        else:
            if created:
                messages.success(request, f"{fields['full_name']} has been added to the register.")
            return redirect(url)
    return render(
        request,
        "people/form.html",
        {
            "page_title": "Add a person",
            "breadcrumbs": _crumbs({"label": "Add a person"}),
            "form": form,
            "submit_label": "Add person",
            "creating": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = selectors.person_get_for(user=request.user, pk=pk, may=Capability.MANAGE_PEOPLE)
    if selectors.person_is_own_record(user=request.user, person=person):
        return _own_record_refusal(request, person)
    if request.method == "GET":
        services.person_read_record(
            user=request.user, person=person, what="record opened to change", path=request.path
        )
    before = {
        "email": person.email,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
    }
    # The form works on a copy: the service compares the record before and after.
    form = _person_form(request, organisations=None, person=copy.copy(person))
    duplicates = []
    if request.method == "POST" and form.is_valid():
        fields = form.person_fields()
        identity_changed = any(
            (fields.get(key) or None) != (value or None) for key, value in before.items()
        )
        if identity_changed and not form.cleaned_data.get("different_person"):
            duplicates = _duplicates(person.organisation_id, fields, exclude_pk=person.pk)
        if duplicates:
            _duplicate_warning(form, duplicates)
        else:
            try:
                changed = services.person_update(
                    actor=request.user,
                    person=person,
                    areas=list(form.cleaned_data["areas"]),
                    **fields,
                )
            except ValidationError as error:
                form_errors_to_fields(form, error)
            else:
                messages.success(
                    request,
                    "Your changes have been saved." if changed else "Nothing was changed.",
                )
                return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/form.html",
        {
            "page_title": f"Change {person.name}'s details",
            "breadcrumbs": _person_crumbs(person, {"label": "Change details"}),
            "form": form,
            "submit_label": "Save changes",
            "person": person,
        },
    )


def _portal_status(person):
    if person.user_id and person.user.last_login:
        return "signed_in"
    if person.portal_invited_at:
        return "invited"
    if person.user_id:
        return "has_login"
    return "none"


@login_required
def person_detail(request, pk):
    person = selectors.person_get_for(user=request.user, pk=pk)
    services.person_read_record(
        user=request.user, person=person, what="record viewed", path=request.path
    )
    state = selectors.consent_state(person=person)
    statements = privacy_selectors.consent_statements_current(
        organisation_id=person.organisation_id
    )
    consent_rows = [
        {
            "purpose": purpose,
            "own": state[purpose.value][ConsentGivenBy.PERSON],
            "guardian": state[purpose.value][ConsentGivenBy.GUARDIAN],
            "statement": statements.get(purpose.value),
            "answer": selectors.may_we(person=person, purpose=purpose.value),
        }
        for purpose in ConsentPurpose
    ]
    own_record = selectors.person_is_own_record(user=request.user, person=person)

    def can(capability):
        return account_selectors.user_can(
            user=request.user, capability=capability, organisation_id=person.organisation_id
        )

    can_manage = can(Capability.MANAGE_PEOPLE) and not own_record
    can_request_erasure = can(Capability.REQUEST_ERASURE) and not own_record
    return render(
        request,
        "people/detail.html",
        {
            "page_title": person.name,
            "page_caption": f"{person.reference} · {person.organisation.display_name}",
            "breadcrumbs": _crumbs({"label": person.name}),
            "person": person,
            "age": person.age_on(timezone.localdate()),
            "labels": {
                name: staff_label(
                    name, getattr(person, name), getattr(person, f"get_{name}_display")()
                )
                for name in ("credit_as", "contact_channel", "wellbeing_check_in")
            },
            "own_record": own_record,
            "consent_rows": consent_rows,
            "consent_records": selectors.consent_record_list_for(person=person)[:50],
            "portal_status": _portal_status(person),
            "can_manage": can_manage,
            "can_log_subject_access": can(Capability.HANDLE_SUBJECT_ACCESS),
            "can_see_payments": can(Capability.VIEW_PAYMENTS),
            "can_request_erasure": can_request_erasure,
            "pending_erasure": privacy_selectors.erasure_request_pending_for_person(person=person)
            if can_request_erasure or can(Capability.APPROVE_ERASURE)
            else None,
            "history": history_for_record(record=person)[:20],
        },
    )


# ---------------------------------------------------------------------------------------------
# Consent and the portal


@login_required
@require_http_methods(["GET", "POST"])
def consent_record_add(request, pk):
    person = selectors.person_get_for(user=request.user, pk=pk, may=Capability.MANAGE_PEOPLE)
    if selectors.person_is_own_record(user=request.user, person=person):
        return _own_record_refusal(request, person)
    statements = privacy_selectors.consent_statements_current(
        organisation_id=person.organisation_id
    )
    initial = {}
    if request.GET.get("purpose") in ConsentPurpose.values:
        initial["purpose"] = request.GET["purpose"]
    if request.GET.get("given_by") in ConsentGivenBy.values:
        initial["given_by"] = request.GET["given_by"]
    form = ConsentRecordForm(posted(request), person=person, statements=statements, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            services.consent_record_create(
                actor=request.user,
                person=person,
                purpose=data["purpose"],
                decision=data["decision"],
                method=data["method"],
                given_by=data["given_by"],
                guardian_name=data["guardian_name"],
                note=data["note"],
                recorded_at=data["recorded_at"],
            )
            return reverse("people:detail", args=[person.pk]) + "#consent"

        response = submit_form_once(
            request,
            form,
            create,
            success=f"Their decision has been recorded: "
            f"{ConsentPurpose(data['purpose']).label.lower()}. It counts from now on.",
        )
        if response:
            return response
    services.person_read_record(
        user=request.user, person=person, what="consent form opened", path=request.path
    )
    return render(
        request,
        "people/consent_form.html",
        {
            "page_title": "Record a consent decision",
            "breadcrumbs": _person_crumbs(person, {"label": "Record a consent decision"}),
            "form": form,
            "person": person,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_invite(request, pk):
    person = selectors.person_get_for(user=request.user, pk=pk, may=Capability.MANAGE_PEOPLE)
    if selectors.person_is_own_record(user=request.user, person=person):
        return _own_record_refusal(request, person)
    error = None
    if request.method == "POST":

        def send():
            services.portal_invitation_send(actor=request.user, person=person, request=request)
            return reverse("people:detail", args=[person.pk])

        try:
            url, created = submit_once(request, send)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            if created:
                person.refresh_from_db()
                messages.success(
                    request,
                    f"We have emailed {person.name} a link to their portal at "
                    f"{person.user.email if person.user else person.email}.",
                )
            return redirect(url)
    services.person_read_record(
        user=request.user, person=person, what="portal invitation page opened", path=request.path
    )
    return render(
        request,
        "people/portal_invite.html",
        {
            "page_title": f"Invite {person.name} to their portal",
            "breadcrumbs": _person_crumbs(person, {"label": "Invite to their portal"}),
            "person": person,
            "error": error,
            "portal_status": _portal_status(person),
            "valid_days": services.portal_invitation_tokens.valid_days,
            "may_have_login": person.may_have_login,
        },
    )


# ---------------------------------------------------------------------------------------------
# Areas of lived experience


@login_required
@require_http_methods(["GET", "POST"])
def area_list(request):
    _require(request.user, Capability.VIEW_PEOPLE)
    organisations = _managed_organisations(request.user)
    can_manage = bool(organisations)
    if request.method == "POST" and not can_manage:
        raise Http404("No such page")
    form = AreaForm(posted(request), organisations=organisations) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation", None) or organisations[0]

        def create():
            services.lived_experience_area_create(
                actor=request.user, organisation_id=organisation.pk, **data
            )
            return reverse("people:area_list")

        response = submit_form_once(
            request, form, create, success=f"“{data['name']}” has been added."
        )
        if response:
            return response
    areas = selectors.lived_experience_area_list_for(
        user=request.user, include_inactive=can_manage
    ).select_related("organisation")
    return render(
        request,
        "people/area_list.html",
        {
            "page_title": "Areas of lived experience",
            "breadcrumbs": _crumbs({"label": "Areas of lived experience"}),
            "areas": areas,
            "form": form,
            "can_manage": can_manage,
            "several_organisations": len(
                account_selectors.organisation_ids_where(
                    user=request.user, capability=Capability.VIEW_PEOPLE
                )
            )
            > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request, pk):
    area = selectors.lived_experience_area_get_for(user=request.user, pk=pk)
    form = AreaForm(
        posted(request),
        with_visibility=True,
        initial={"name": area.name, "description": area.description, "is_active": area.is_active},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lived_experience_area_update(
                actor=request.user, area=area, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_to_fields(form, error)
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect("people:area_list")
    return render(
        request,
        "people/area_form.html",
        {
            "page_title": f"Change “{area.name}”",
            "breadcrumbs": _crumbs(
                {"label": "Areas of lived experience", "url": reverse("people:area_list")},
                {"label": "Change"},
            ),
            "form": form,
            "area": area,
        },
    )


# ---------------------------------------------------------------------------------------------
# Retention


@login_required
def retention_review(request):
    _require(request.user, Capability.VIEW_PEOPLE)
    people = selectors.people_for_retention_review(user=request.user)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    services.register_read_record(
        user=request.user,
        description=f"People due for a retention review listed, page {page.number}",
        path=request.path,
    )
    return render(
        request,
        "people/retention_review.html",
        {
            "page_title": "People to review",
            "breadcrumbs": _crumbs({"label": "People to review"}),
            "page_obj": page,
            "months": settings.PEOPLE_RETENTION_MONTHS,
            "today": timezone.localdate(),
            "can_request_erasure": account_selectors.user_can(
                user=request.user, capability=Capability.REQUEST_ERASURE
            ),
        },
    )
