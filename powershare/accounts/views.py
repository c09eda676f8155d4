import base64

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from powershare.audit.services import access_event_record
from powershare.lib.forms import form_errors_to_fields, posted, search_term
from powershare.system.submissions import submit_once

from . import selectors, services
from .forms import (
    ApiTokenForm,
    ChangePasswordForm,
    MemberAddForm,
    MembershipRoleForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SignInForm,
    TwoFactorCodeForm,
)
from .middleware import two_factor_required
from .roles import Capability, Role, capabilities_for

NEW_TOKEN_SESSION_KEY = "powershare_new_api_token"  # noqa: S105 - a session key name
TOTP_SETUP_SESSION_KEY = "powershare_totp_setup_key"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"page_title": "Sign in to PowerShare"}


@login_required
@require_http_methods(["GET", "POST"])
def stay_signed_in(request):
    """Extend the session by another SESSION_COOKIE_AGE, so nobody loses what they are typing.
    Pages call this from the warning they show before sign-out; it also works without scripts."""
    if request.method == "POST":
        expires_at = services.session_extend(session=request.session)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"expires_at": expires_at.isoformat()})
        messages.success(request, "You are still signed in.")
        return redirect(_safe_next(request, reverse("home")))
    return render(
        request,
        "accounts/stay_signed_in.html",
        {
            "page_title": "Stay signed in",
            "breadcrumbs": _account_crumbs("Stay signed in"),
            "next": _safe_next(request, ""),
        },
    )


@require_http_methods(["GET", "POST"])
def sign_out(request):
    if request.method == "POST":
        logout(request)
        messages.success(request, "You have signed out.")
        return redirect("accounts:login")
    return render(request, "accounts/logout.html", {"page_title": "Sign out"})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"page_title": "Reset your password"}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"page_title": "Check your email"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.sign_in_pause_lift(user=form.user)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = (
            "Choose a new password" if context.get("validlink") else "This link has expired"
        )
        return context


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"page_title": "Your password has been changed"}


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:settings")
    extra_context = {
        "page_title": "Change your password",
        "breadcrumbs": [
            {"label": "Home", "url": reverse_lazy("home")},
            {"label": "Your account", "url": reverse_lazy("accounts:settings")},
            {"label": "Change your password"},
        ],
    }

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


def _account_crumbs(label):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Your account", "url": reverse("accounts:settings")},
        {"label": label},
    ]


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    """Your account: roles, two-factor sign-in, personal API tokens."""
    form = ApiTokenForm(posted(request))
    can_use_api = selectors.user_can(user=request.user, capability=Capability.USE_API)
    if request.method == "POST":
        if not can_use_api:
            raise PermissionDenied
        if form.is_valid():
            made = {}

            def create():
                _, made["plain"] = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"]
                )
                return reverse("accounts:settings")

            url, created = submit_once(request, create)
            if created:
                # Only a token that was really saved is shown (a losing double click's is not).
                request.session[NEW_TOKEN_SESSION_KEY] = made["plain"]
            return redirect(url)
    memberships = selectors.current_memberships(user=request.user)
    return render(
        request,
        "accounts/settings.html",
        {
            "page_title": "Your account",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Your account"}],
            "memberships": [(m, capabilities_for(m.role)) for m in memberships],
            "tokens": selectors.api_token_list_for(user=request.user),
            "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
            "token_form": form,
            "can_use_api": can_use_api,
            "has_two_factor": selectors.two_factor_device_list_for(user=request.user).exists(),
            "two_factor_required": two_factor_required(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request, pk):
    token = selectors.api_token_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        services.api_token_revoke(token=token)
        messages.success(request, f"The token “{token.name}” no longer works.")
        return redirect("accounts:settings")
    return render(
        request,
        "accounts/api_token_revoke.html",
        {
            "page_title": "Revoke this token?",
            "token": token,
            "breadcrumbs": _account_crumbs("Revoke token"),
        },
    )


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _two_factor_login(request, device) -> None:
    """Mark the session as past the code step, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()


def _code_error(devices) -> str:
    """Why a code was refused: a wrong code, or too many wrong codes in a row (throttled)."""
    if any(not device.verify_is_allowed()[0] for device in devices):
        return (
            "That code did not match, and there have been several wrong codes in a row. "
            "Wait a minute, then try the newest code from your app."
        )
    return "That code did not match. Check the time on your phone and try the newest code."


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Add an authenticator app: scan the code (or type the key), then confirm with a code."""
    if selectors.two_factor_device_list_for(user=request.user).exists():
        if not request.user.is_verified():
            # Only someone who has passed the code step may change their authenticator app:
            # a password alone must never be enough to replace it.
            return redirect("accounts:two_factor_verify")
        messages.info(request, "Two-factor sign-in is already on for your account.")
        return redirect("accounts:settings")
    # The key waits in the session until a code proves the app has it: nothing is stored by
    # merely opening this page.
    key = request.session.get(TOTP_SETUP_SESSION_KEY) or random_hex(20)
    request.session[TOTP_SETUP_SESSION_KEY] = key
    device = TOTPDevice(user=request.user, key=key, name="Authenticator app")
    form = TwoFactorCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        used_step = services.two_factor_code_matches(key=key, code=form.cleaned_data["code"])
        if used_step is not None:
            device = services.two_factor_device_add(user=request.user, key=key, used_step=used_step)
            _two_factor_login(request, device)
            request.session.pop(TOTP_SETUP_SESSION_KEY, None)
            messages.success(
                request, "Two-factor sign-in is on. You'll need your app each time you sign in."
            )
            return redirect("home")
        form.add_error(
            "code", "That code did not match. Check the time on your phone and try the newest code."
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "page_title": "Set up two-factor sign-in",
            "breadcrumbs": None
            if two_factor_required(request.user)
            else _account_crumbs("Two-factor sign-in"),
            "form": form,
            "qr_data_uri": "data:image/svg+xml;base64,"
            + base64.b64encode(qr_svg.encode()).decode(),
            "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
            "required": two_factor_required(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of sign-in for anyone with an authenticator app."""
    if request.user.is_verified():
        return redirect(_safe_next(request, reverse("home")))
    devices = selectors.two_factor_device_list_for(user=request.user)
    if not devices.exists():
        return redirect("accounts:two_factor_setup")
    form = TwoFactorCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["code"]):
                _two_factor_login(request, device)
                return redirect(_safe_next(request, reverse("home")))
        form.add_error("code", _code_error(devices))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"page_title": "Enter your sign-in code", "form": form, "next": _safe_next(request, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request):
    if two_factor_required(request.user):
        messages.info(request, "Administrators must keep two-factor sign-in on.")
        return redirect("accounts:settings")
    if not selectors.two_factor_device_list_for(user=request.user).exists():
        return redirect("accounts:settings")
    if request.method == "POST":
        services.two_factor_device_remove_all(user=request.user)
        messages.success(
            request, "Two-factor sign-in is off. You can turn it on again at any time."
        )
        return redirect("accounts:settings")
    return render(
        request,
        "accounts/two_factor_disable.html",
        {
            "page_title": "Turn off two-factor sign-in?",
            "breadcrumbs": _account_crumbs("Two-factor sign-in"),
        },
    )


@login_required
def organisation_list(request):
    organisations = selectors.organisation_list_for(user=request.user)
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "page_title": "Your organisations",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Organisation"}],
            "organisations": organisations,
        },
    )


@login_required
def organisation_detail(request, pk):
    organisation = selectors.organisation_get_for(user=request.user, pk=pk)
    search, role = search_term(request), request.GET.get("role", "")
    members = selectors.member_list_for(
        user=request.user, organisation=organisation, search=search, role=role
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    access_event_record(
        user=request.user,
        organisation_id=organisation.pk,
        subject=organisation,
        description=f"Member list of {organisation.name}, page {page.number}",
        path=request.get_full_path(),
    )
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "page_title": organisation.name,
            "page_caption": organisation.get_kind_display(),
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Organisation", "url": reverse("accounts:organisation_list")},
                {"label": organisation.display_name},
            ],
            "organisation": organisation,
            "page_obj": page,
            "search": search,
            "role": role,
            "roles": Role.choices,
            "can_manage": selectors.user_can(
                user=request.user,
                capability=Capability.MANAGE_MEMBERS,
                organisation_id=organisation.pk,
            ),
        },
    )


def _record_membership_read(request, membership) -> None:
    if request.method == "GET":
        access_event_record(
            user=request.user,
            organisation_id=membership.organisation_id,
            subject=membership,
            description=f"Membership of {membership.user.full_name} ({membership.user.email})",
            path=request.get_full_path(),
        )


def _organisation_crumbs(organisation, label):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Organisation", "url": reverse("accounts:organisation_list")},
        {
            "label": organisation.display_name,
            "url": reverse("accounts:organisation_detail", args=[organisation.pk]),
        },
        {"label": label},
    ]


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    organisation = selectors.organisation_get_for(user=request.user, pk=pk)
    if not selectors.user_can(
        user=request.user, capability=Capability.MANAGE_MEMBERS, organisation_id=organisation.pk
    ):
        raise Http404("No such page")
    form = MemberAddForm(posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():

        def create():
            services.membership_create(
                actor=request.user, organisation=organisation, request=request, **form.cleaned_data
            )
            return reverse("accounts:organisation_detail", args=[organisation.pk])

        try:
            url, created = submit_once(request, create)
        except ValidationError as error:
            form_errors_to_fields(form, error)
        else:
            if created:
                # Name the person by the address typed: an existing account's stored name
                # belongs to them, not to this organisation, until they are a member.
                messages.success(
                    request,
                    f"{form.cleaned_data['email']} is now a member. "
                    "We have emailed them to let them know.",
                )
            return redirect(url)
    return render(
        request,
        "accounts/member_add.html",
        {
            "page_title": "Add a member",
            "page_caption": organisation.name,
            "breadcrumbs": _organisation_crumbs(organisation, "Add a member"),
            "form": form,
            "organisation": organisation,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request, pk):
    membership = selectors.membership_get_for_manager(user=request.user, pk=pk)
    _record_membership_read(request, membership)
    form = MembershipRoleForm(
        posted(request),
        organisation=membership.organisation,
        initial={"role": membership.role},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            form_errors_to_fields(form, error)
        else:
            messages.success(request, f"{membership.user.full_name}'s role has been changed.")
            return redirect("accounts:organisation_detail", pk=membership.organisation_id)
    return render(
        request,
        "accounts/membership_edit.html",
        {
            "page_title": f"Change {membership.user.full_name}'s role",
            "breadcrumbs": _organisation_crumbs(membership.organisation, membership.user.full_name),
            "form": form,
            "membership": membership,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, pk):
    membership = selectors.membership_get_for_manager(user=request.user, pk=pk)
    _record_membership_read(request, membership)
    error = None
    if request.method == "POST":
        try:
            services.membership_end(actor=request.user, membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{membership.user.full_name} is no longer a member.")
            return redirect("accounts:organisation_detail", pk=membership.organisation_id)
    return render(
        request,
        "accounts/membership_end.html",
        {
            "page_title": f"Remove {membership.user.full_name} from {membership.organisation.display_name}?",
            "breadcrumbs": _organisation_crumbs(membership.organisation, membership.user.full_name),
            "membership": membership,
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_two_factor_reset(request, pk):
    """For someone who has lost their phone: remove their authenticator app so they can set up
    a new one at their next sign-in."""
    membership = selectors.membership_get_for_manager(user=request.user, pk=pk)
    _record_membership_read(request, membership)
    error = None
    if request.method == "POST":
        try:
            services.two_factor_reset_for_member(actor=request.user, membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"{membership.user.full_name} will set up two-factor sign-in again "
                "the next time they sign in.",
            )
            return redirect("accounts:organisation_detail", pk=membership.organisation_id)
    return render(
        request,
        "accounts/membership_two_factor_reset.html",
        {
            "page_title": f"Reset {membership.user.full_name}'s two-factor sign-in?",
            "breadcrumbs": _organisation_crumbs(membership.organisation, membership.user.full_name),
            "membership": membership,
            "has_device": selectors.two_factor_device_list_for(user=membership.user).exists(),
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_invitation_resend(request, pk):
    """Send a fresh set-password link to someone who was added but has not signed in yet."""
    membership = selectors.membership_get_for_manager(user=request.user, pk=pk)
    _record_membership_read(request, membership)
    if membership.user.last_login is not None or not membership.user.is_active:
        messages.info(
            request,
            f"{membership.user.full_name} has already signed in, or their account is closed: "
            "there is no link to send.",
        )
        return redirect("accounts:membership_edit", pk=membership.pk)
    if request.method == "POST":
        services.membership_invitation_resend(
            actor=request.user, membership=membership, request=request
        )
        messages.success(request, f"We have sent a new link to {membership.user.email}.")
        return redirect("accounts:organisation_detail", pk=membership.organisation_id)
    return render(
        request,
        "accounts/membership_invitation_resend.html",
        {
            "page_title": f"Send {membership.user.full_name} a new link?",
            "breadcrumbs": _organisation_crumbs(membership.organisation, membership.user.full_name),
            "membership": membership,
        },
    )
