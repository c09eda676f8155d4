from functools import partial

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction

from powershare.lib.forms import DesignSystemFormMixin, Form

from .models import User
from .roles import Role, roles_for_organisation
from .security import email_link_base, lockout_limits, reset_email_allowed
from .tasks import account_link_email_send


class SignInForm(DesignSystemFormMixin, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your email address, like name@example.org"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": (
            "The email address or password is not right. Check them and try again. "
            "After {tries} wrong tries in a row, sign-in is paused for {minutes} minutes."
        ),
        "inactive": "This account has been closed. Ask your organisation's administrator for help.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "invalid_login": self.error_messages["invalid_login"].format(**lockout_limits()),
        }

    def clean_username(self):
        return User.normalise_email(self.cleaned_data["username"])


class QueuedEmailPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, but the email is made and sent by the background worker once the
    request's transaction commits, so the one-time link never waits in the task table and a
    slow mail server never holds up the page.

    Unlike Django's form it also writes to people who have never set a password: someone
    added by an administrator whose welcome link expired can ask for a new one here."""

    def get_users(self, email):
        return User.objects.filter(email=User.normalise_email(email), is_active=True)

    def save(self, *, request=None, kind="password_reset", **kwargs):
        domain, use_https = email_link_base(request)
        for user in self.get_users(self.cleaned_data["email"]):
            # The public form is limited; an administrator's invitation is not.
            if kind == "password_reset" and not reset_email_allowed(user):
                continue
            transaction.on_commit(
                partial(
                    account_link_email_send.enqueue,
                    user_id=user.pk,
                    kind=kind,
                    domain=domain,
                    use_https=use_https,
                )
            )


class PasswordResetRequestForm(DesignSystemFormMixin, QueuedEmailPasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address, like name@example.org",
            "invalid": "Enter an email address like name@example.org",
        },
    )


class NewPasswordForm(DesignSystemFormMixin, auth_forms.SetPasswordForm):
    pass


class ChangePasswordForm(DesignSystemFormMixin, auth_forms.PasswordChangeForm):
    pass


class ApiTokenForm(Form):
    name = forms.CharField(
        label="What is this token for?",
        max_length=80,
        help_text="A name you will recognise later, like 'Monthly report script'.",
        error_messages={"required": "Enter a name for the token"},
    )


class TwoFactorCodeForm(Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        help_text="The 6-digit code shown in the app right now.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "ds_input--fixed-10",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("Enter the 6 digits shown in your app, like 123456")
        return code


class RoleChoicesMixin:
    """Offer only the roles this organisation's members can hold."""

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = set(roles_for_organisation(organisation))
        self.fields["role"].choices = [c for c in Role.choices if c[0] in allowed]


class MemberAddForm(RoleChoicesMixin, Form):
    # Someone else's details: browsers must not offer the administrator's own.
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter their full name"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will email them a link to set their password.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter their email address, like name@example.org",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )


class MembershipRoleForm(RoleChoicesMixin, Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
