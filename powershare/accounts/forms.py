from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.template.loader import render_to_string

from powershare.lib.forms import DesignSystemFormMixin, Form
from powershare.lib.tasks import email_send

from .roles import Role


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
            "After 5 tries in a row, sign-in is paused for 30 minutes."
        ),
        "inactive": "This account has been closed. Ask your organisation's administrator for help.",
    }


class QueuedEmailPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, but the email goes to the background worker once the request's
    transaction commits, so a slow mail server never holds up the page."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html_body = (
            render_to_string(html_email_template_name, context) if html_email_template_name else ""
        )
        transaction.on_commit(
            lambda: email_send.enqueue(
                subject=subject, body=body, to=[to_email], html_body=html_body
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


class MemberAddForm(Form):
    full_name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter their full name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will email them a link to set their password.",
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


class MembershipRoleForm(Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
