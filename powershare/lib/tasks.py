"""Background tasks shared by every app (Django's Tasks framework, database backend)."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task
def email_send(*, subject: str, body: str, to: list[str], html_body: str = "") -> int:
    """Send one email (plain text, with an HTML version when given). Safe to run again."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
