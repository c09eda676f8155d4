"""Background work for accountability: feedback emails, batched updates, daily reminders.

Tasks carry record ids only: no names, addresses or words sit in the task table.
"""

import datetime

from django.tasks import task
from django.utils import timezone

from powershare.accounts.models import User
from powershare.accounts.security import email_link_base
from powershare.accounts.tasks import _send
from powershare.system.schedule import every

from . import selectors
from .models import ChangeNotice, Delivery, FeedbackRecipient


@task
def feedback_emails_send(*, letter_id: int, domain: str, use_https: bool) -> int:
    """Email a sent letter to each person it was to reach by email, once (the time it went is
    recorded, so running this again sends nothing twice). The words are assembled at sending,
    through the consent rule, and each person's own words are shown to them as theirs."""
    sent = 0
    recipients = FeedbackRecipient.objects.filter(
        letter_id=letter_id,
        delivery=Delivery.EMAIL,
        emailed_at__isnull=True,
        person__erased_at__isnull=True,
    ).select_related("letter", "letter__activity", "letter__organisation", "person")
    from .services import deliveries_for

    recipients = list(recipients)
    # Asked again now, not when the letter was sent: the queue may run later, and someone may
    # have withdrawn contact, started a rest or asked us to go through their support contact.
    still_email = deliveries_for([r.person for r in recipients])
    for recipient in recipients:
        person, letter = recipient.person, recipient.letter
        if not person.email or still_email[person.pk] != Delivery.EMAIL:
            continue
        claimed = FeedbackRecipient.objects.filter(pk=recipient.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        sent += _send(
            template="accountability/email/letter",
            context={
                "person": person,
                "letter": letter,
                "activity": letter.activity,
                "sections": selectors.letter_sections(
                    activity=letter.activity, letter=letter, person=person
                ),
                "has_portal": person.user_id is not None,
                "contact": person.staff_contact,
                "domain": domain,
                "protocol": "https" if use_https else "http",
            },
            to=person.email,
        )
    return sent


@task
def change_notice_emails_send(*, notice_ids: list[int]) -> int:
    """Email each batched update: one message per person, listing every change."""
    domain, use_https = email_link_base(None)
    sent = 0
    notices = ChangeNotice.objects.filter(
        pk__in=notice_ids, emailed=True, person__erased_at__isnull=True
    ).select_related("person", "person__staff_contact")
    from .services import deliveries_for

    notices = list(notices.prefetch_related("changes__response__activity"))
    still_email = deliveries_for([n.person for n in notices])
    for notice in notices:
        person = notice.person
        if not person.email or still_email[person.pk] != Delivery.EMAIL:
            continue  # they see it in their portal
        sent += _send(
            template="accountability/email/change_notice",
            context={
                "person": person,
                "changes": list(notice.changes.all()),
                "has_portal": person.user_id is not None,
                "contact": person.staff_contact,
                "domain": domain,
                "protocol": "https" if use_https else "http",
            },
            to=person.email,
        )
    return sent


def reminder_email_send(
    *, user_id: int, today: datetime.date, items: dict, sections: list | tuple = ()
) -> int:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    domain, use_https = email_link_base(None)
    return _send(
        template="accountability/email/reminder",
        context={
            "user": user,
            "today": today,
            "responses": items["responses"],
            "activities": items["activities"],
            # Other apps' sections (reminders.ReminderSection), after feedback.
            "sections": list(sections),
            "domain": domain,
            "protocol": "https" if use_https else "http",
        },
        to=user.email,
    )


@every(datetime.timedelta(days=1), name="accountability.reminders_send")
@task
def reminders_send_task() -> int:
    """Daily: each member of staff gets one digest of responses and feedback due soon."""
    from .services import reminders_send

    return reminders_send()


@every(datetime.timedelta(days=1), name="accountability.changes_announce")
@task
def changes_announce_task() -> int:
    """Daily: people hear, in one update, about changes to responses they were sent."""
    from .services import changes_announce

    return len(changes_announce())
