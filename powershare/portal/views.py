"""The portal: a person with lived experience sees and changes their own details and choices,
downloads their data and finds support.

Every page (except the invitation link) is for a signed-in user with their own person record
(people.selectors.person_for_user); anyone else gets 404. The person is never taken from the
address bar, so nobody can open someone else's page.
"""

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlsafe_base64_decode
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from powershare.accountability import selectors as accountability_selectors
from powershare.accounts import services as account_services
from powershare.audit.models import AccessEvent
from powershare.engagement import selectors as engagement_selectors
from powershare.lib.forms import form_errors_to_fields, posted
from powershare.people.models import ConsentDecision, ConsentGivenBy, ConsentPurpose, Person
from powershare.people.selectors import (
    consent_state,
    person_for_user,
    portal_login_for_invitation,
)
from powershare.people.services import (
    consent_change_by_self,
    person_read_record,
    person_update_by_self,
    portal_invitation_tokens,
)
from powershare.privacy.models import SubjectAccessRequest
from powershare.privacy.selectors import (
    consent_statements_current,
    subject_access_latest_for_person,
    subject_access_request_for_person,
)
from powershare.privacy.services import subject_access_request_by_self
from powershare.system.submissions import submit_once

from . import selectors
from .forms import SECTIONS, ChoiceChangeForm, WelcomePasswordForm

#: The cards on the portal's home page, in order. Each is a template given the page's context;
#: later capabilities (invitations, contributions, payments) add theirs here.
HOME_SECTIONS = [
    "portal/sections/opportunities.html",
    "portal/sections/contributions.html",
    # Training they help deliver and their words in learning materials: shown only to those
    # it concerns. An object with render() (imported late: learning_views imports this module).
    SimpleLazyObject(lambda: import_string("powershare.portal.learning_views.home_section")),
    "portal/sections/payments.html",
    "portal/sections/details.html",
    "portal/sections/choices.html",
    "portal/sections/data.html",
    "portal/sections/support.html",
]

#: Where the invitation's token waits between the link and the password form, so the token
#: does not stay in the address bar (or in a Referer header) once the link has been opened.
INVITATION_SESSION_KEY = "_powershare_portal_invitation_token"
INVITATION_URL_TOKEN = "set-password"  # noqa: S105 - a placeholder in the address, not a secret

#: A request still "being prepared" after this long has probably stalled: offer to try again.
EXPORT_STALLED_AFTER = datetime.timedelta(minutes=30)


def portal_page(view):
    """Signed in, with their own (not erased) person record: the view gets it as `person`."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        person = person_for_user(user=request.user)
        if person is None:
            raise Http404("No such page")
        return view(request, person, *args, **kwargs)

    return wrapped


def _crumbs(*items):
    return [{"label": "Your page", "url": reverse("portal:home")}, *items]


def _contact_name(person: Person) -> str:
    """Who hears about changes: the staff contact, or the organisation's team."""
    if person.staff_contact is not None:
        return person.staff_contact.full_name or person.staff_contact.email
    return "your contact"


# ---------------------------------------------------------------------------------------------
# Home


@portal_page
def portal_home(request, person):
    agreed, asked = selectors.consent_agreed_count(person=person)
    return render(
        request,
        "portal/home.html",
        {
            "page_title": f"Hello {person.first_name}",
            "person": person,
            "sections": HOME_SECTIONS,
            "agreed_count": agreed,
            "asked_count": asked,
            "latest_export": subject_access_latest_for_person(person=person),
            **engagement_selectors.portal_home_summary(person=person),
            "unread_letters": accountability_selectors.letters_for_person(person=person)
            .filter(read_at__isnull=True)
            .count(),
        },
    )


# ---------------------------------------------------------------------------------------------
# The invitation link


def _invited_user(uidb64: str):
    """The login an invitation was for, if it is still a live portal login."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError, ValidationError):
        return None
    return portal_login_for_invitation(user_id=pk)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def portal_welcome(request, uidb64, token):
    """The link in a portal invitation: choose a password, then you are signed in. The link
    works once, for a week (people.services.PortalInvitationTokenGenerator)."""
    user = _invited_user(uidb64)
    if user is not None and token != INVITATION_URL_TOKEN:
        if portal_invitation_tokens.check_token(user, token):
            request.session[INVITATION_SESSION_KEY] = token
            return redirect(
                reverse("portal:welcome", kwargs={"uidb64": uidb64, "token": INVITATION_URL_TOKEN})
            )
        user = None
    if user is not None and not portal_invitation_tokens.check_token(
        user, request.session.get(INVITATION_SESSION_KEY, "")
    ):
        user = None
    if user is None:
        return render(
            request,
            "portal/welcome_invalid.html",
            {
                "page_title": "This link no longer works",
                "valid_days": portal_invitation_tokens.valid_days,
            },
        )
    form = WelcomePasswordForm(user, posted(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        account_services.sign_in_pause_lift(user=user)
        request.session.pop(INVITATION_SESSION_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome. Your password is saved and you are signed in.")
        return redirect("portal:home")
    return render(
        request,
        "portal/welcome.html",
        {
            "page_title": "Welcome to your PowerShare page",
            "form": form,
            "person": getattr(user, "person_record", None),
        },
    )


# ---------------------------------------------------------------------------------------------
# Details


@portal_page
def my_details(request, person):
    person_read_record(
        user=request.user,
        person=person,
        what="own details viewed in their portal",
        path=request.get_full_path(),
    )
    return render(
        request,
        "portal/details.html",
        {
            "page_title": "Your details",
            "breadcrumbs": _crumbs({"label": "Your details"}),
            "person": person,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def my_details_change(request, person, section):
    part = SECTIONS.get(section)
    if part is None:
        raise Http404("No such part of your details")
    form = part.form(posted(request), person=person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = person_update_by_self(user=request.user, person=person, **form.changes())
        except ValidationError as error:
            person.refresh_from_db()
            form_errors_to_fields(form, error)
        else:
            if changed:
                messages.success(request, f"Saved. We have told {_contact_name(person)}.")
            else:
                messages.info(request, "Nothing had changed, so there was nothing to save.")
            return redirect("portal:details")
    return render(
        request,
        "portal/details_change.html",
        {
            "page_title": part.title,
            "breadcrumbs": _crumbs(
                {"label": "Your details", "url": reverse("portal:details")},
                {"label": part.title},
            ),
            "person": person,
            "section": part,
            "section_slug": section,
            "form": form,
            "contact_name": _contact_name(person),
        },
    )


# ---------------------------------------------------------------------------------------------
# Choices (consent)


def _choice_rows(person: Person) -> list[dict]:
    statements = consent_statements_current(organisation_id=person.organisation_id)
    state = consent_state(person=person)
    rows = []
    for purpose, label in ConsentPurpose.choices:
        own = state[purpose][ConsentGivenBy.PERSON]
        current = statements.get(purpose)
        if current is None:
            continue  # nothing to agree to yet
        agreed = own is not None and own.is_given
        rows.append(
            {
                "purpose": purpose,
                "label": label,
                # The words they agreed to, while that agreement stands; otherwise today's.
                "statement": own.statement if agreed else current,
                "newer_wording": agreed and own.statement_id != current.pk,
                "own": own,
                "agreed": agreed,
                "guardian": state[purpose][ConsentGivenBy.GUARDIAN],
            }
        )
    return rows


@portal_page
def my_choices(request, person):
    person_read_record(
        user=request.user,
        person=person,
        what="own choices viewed in their portal",
        path=request.get_full_path(),
    )
    return render(
        request,
        "portal/choices.html",
        {
            "page_title": "Your choices",
            "breadcrumbs": _crumbs({"label": "Your choices"}),
            "person": person,
            "rows": _choice_rows(person),
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def my_choice_change(request, person, purpose):
    if purpose not in ConsentPurpose.values or purpose not in consent_statements_current(
        organisation_id=person.organisation_id
    ):
        raise Http404("No such choice")
    if request.method != "POST":
        return redirect("portal:choices")
    form = ChoiceChangeForm(request.POST)
    if not form.is_valid():
        messages.info(request, "Choose yes or no, then try again.")
        return redirect("portal:choices")
    decision = form.cleaned_data["decision"]

    def create():
        consent_change_by_self(user=request.user, person=person, purpose=purpose, decision=decision)
        return reverse("portal:choices") + f"#choice-{purpose}"

    url, created = submit_once(request, create)
    if created:
        label = ConsentPurpose(purpose).label
        if decision == ConsentDecision.WITHDRAWN:
            messages.success(
                request, f"Done. You have withdrawn: {label}. This counts straight away."
            )
        elif person.needs_guardian_consent:
            messages.success(
                request,
                f"Done. You have agreed: {label}. "
                "It counts once your parent or guardian has agreed too.",
            )
        else:
            messages.success(request, f"Done. You have agreed: {label}. This counts straight away.")
    return redirect(url)


# ---------------------------------------------------------------------------------------------
# Your data


@portal_page
@require_http_methods(["GET", "POST"])
def my_data(request, person):
    if request.method == "POST":

        def create():
            subject_access_request_by_self(user=request.user, person=person)
            return reverse("portal:data")

        _, created = submit_once(request, create)
        if created:
            messages.success(
                request,
                "We are preparing your data. It usually takes a minute or two. "
                "Refresh this page to check.",
            )
        return redirect("portal:data")
    latest = subject_access_latest_for_person(person=person)
    stalled = (
        latest is not None
        and latest.export_status == SubjectAccessRequest.ExportStatus.PREPARING
        and latest.export_started_at is not None
        and timezone.now() - latest.export_started_at > EXPORT_STALLED_AFTER
    )
    return render(
        request,
        "portal/data.html",
        {
            "page_title": "Download your data",
            "breadcrumbs": _crumbs({"label": "Your data"}),
            "person": person,
            "latest": latest,
            "stalled": stalled,
            "can_prepare": latest is None
            or latest.export_status != SubjectAccessRequest.ExportStatus.PREPARING
            or stalled,
        },
    )


@portal_page
def my_data_download(request, person, pk):
    export = subject_access_request_for_person(person=person, pk=pk)
    if export.export_status != SubjectAccessRequest.ExportStatus.READY or not export.export_file:
        raise Http404("No such download")
    try:
        file = default_storage.open(export.export_file, "rb")
    except OSError:
        raise Http404("No such download") from None
    person_read_record(
        user=request.user,
        person=person,
        what="own data downloaded from their portal",
        path=request.get_full_path(),
        action=AccessEvent.Action.DOWNLOADED,
    )
    day = timezone.localdate(export.exported_at) if export.exported_at else timezone.localdate()
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"powershare-your-data-{day:%Y-%m-%d}.zip",
        content_type="application/zip",
    )


# ---------------------------------------------------------------------------------------------
# Support


@portal_page
def get_support(request, person):
    services = list(selectors.support_service_list_for_person(person=person))
    return render(
        request,
        "portal/support.html",
        {
            "page_title": "Get support",
            "breadcrumbs": _crumbs({"label": "Get support"}),
            "person": person,
            "crisis_services": [s for s in services if s.is_crisis_support],
            "other_services": [s for s in services if not s.is_crisis_support],
        },
    )
