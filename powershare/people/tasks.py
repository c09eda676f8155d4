"""Emails about people's records, sent by the background worker.

Tasks carry record ids only: no names, addresses or links sit in the task table.
"""

from django.tasks import task
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from powershare.accounts.models import Membership
from powershare.accounts.roles import Role
from powershare.accounts.tasks import _send

from .models import Person


@task
def portal_invitation_email_send(*, person_id: int, domain: str, use_https: bool) -> int:
    """The invitation to a person's own portal, with a single-use link that lasts a week.
    Safe to run again: a repeat sends a fresh, equally valid link."""
    from .services import portal_invitation_tokens

    person = (
        Person.objects.select_related("user", "organisation", "staff_contact")
        .filter(pk=person_id, erased_at__isnull=True, user__is_active=True)
        .first()
    )
    if person is None:
        return 0
    user = person.user
    context = {
        "person": person,
        "has_password": user.has_usable_password(),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": portal_invitation_tokens.make_token(user),
        "valid_days": portal_invitation_tokens.valid_days,
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "contact": person.staff_contact,
    }
    return _send(template="people/email/portal_invitation", context=context, to=user.email)


@task
def person_changed_by_self_email_send(*, person_id: int, fields: list[str]) -> int:
    """Tell staff that a person changed their own details: which details, never the values
    (those are on the person's page, where reading them is recorded)."""
    person = (
        Person.objects.select_related("organisation", "staff_contact")
        .filter(pk=person_id, erased_at__isnull=True)
        .first()
    )
    if person is None:
        return 0
    recipients = []
    if person.staff_contact and person.staff_contact.is_active:
        recipients = [person.staff_contact]
    else:
        recipients = [
            m.user
            for m in Membership.objects.current()
            .filter(organisation_id=person.organisation_id, role=Role.PARTICIPATION_LEAD)
            .select_related("user")
            if m.user.is_active
        ]
    sent = 0
    for recipient in recipients:
        sent += _send(
            template="people/email/person_changed_by_self",
            context={"person": person, "fields": fields, "recipient": recipient},
            to=recipient.email,
        )
    return sent
