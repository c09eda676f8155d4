"""Account emails, sent by the background worker.

The links in them carry one-time tokens, so a task stores only who to write to and which email;
the token is made when the email is sent and never sits in the task table.
"""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Organisation, User

LINK_EMAILS = {
    "password_reset": "accounts/email/password_reset",
    "welcome": "accounts/email/welcome",
}


def _send(*, template: str, context: dict, to: str) -> int:
    subject = "".join(render_to_string(f"{template}_subject.txt", context).splitlines())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message.send()


@task
def account_link_email_send(*, user_id: int, kind: str, domain: str, use_https: bool) -> int:
    """A password reset or welcome email with a set-password link. Safe to run again: a
    repeat sends a fresh, equally valid link."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "domain": domain,
        "protocol": "https" if use_https else "http",
    }
    return _send(template=LINK_EMAILS[kind], context=context, to=user.email)


@task
def membership_added_email_send(
    *, user_id: int, organisation_id: int, domain: str, use_https: bool
) -> int:
    """Tell someone who already has an account that they now have a role in an organisation."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or organisation is None:
        return 0
    context = {
        "user": user,
        "organisation": organisation,
        "domain": domain,
        "protocol": "https" if use_https else "http",
    }
    return _send(template="accounts/email/membership_added", context=context, to=user.email)
