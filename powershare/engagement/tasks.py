"""Background work for engagement: invitation emails and the purge of withdrawn words.

Tasks carry record ids only: no names, addresses or words sit in the task table.
"""

import datetime

from django.tasks import task

from powershare.accounts.tasks import _send
from powershare.people.models import ConsentPurpose, ContactChannel
from powershare.people.selectors import may_we
from powershare.system.schedule import every

from .models import Invitation, InvitationStatus


@task
def invitation_emails_send(*, invitation_ids: list[int], domain: str, use_https: bool) -> int:
    """Tell each newly invited person by email, if email is how they like to be contacted and
    they (still) agree to be contacted and are not resting. Everyone also sees the invitation in
    their portal.
    People whose support contact must be asked first are not emailed: staff get in touch."""
    sent = 0
    invitations = Invitation.objects.filter(
        pk__in=invitation_ids, status=InvitationStatus.INVITED, person__erased_at__isnull=True
    ).select_related("activity", "activity__organisation", "person", "person__staff_contact")
    for invitation in invitations:
        person = invitation.person
        if (
            not person.email
            or person.contact_channel != ContactChannel.EMAIL
            or person.check_with_support_contact
            # Resting: no email (no surprise contact); it waits in their portal.
            or not may_we(person=person, purpose=ConsentPurpose.CONTACT)
        ):
            continue
        sent += _send(
            template="engagement/email/invitation",
            context={
                "person": person,
                "activity": invitation.activity,
                "has_portal": person.user_id is not None,
                "contact": person.staff_contact,
                "domain": domain,
                "protocol": "https" if use_https else "http",
            },
            to=person.email,
        )
    return sent


@every(datetime.timedelta(days=1), name="engagement.contributions_purge_withdrawn")
@task
def contributions_purge_withdrawn_task() -> int:
    """Daily: erase the words of contributions withdrawn longer ago than the grace period."""
    from .services import contributions_purge_withdrawn

    return contributions_purge_withdrawn()
