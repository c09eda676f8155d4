"""Background work for learning: booking emails with a calendar file, reminders two days
before each session, offers that lapse, owners told when materials need updating, and the
deletion of learners after the retention period.

Tasks carry record ids only: no names or email addresses sit in the task table.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from powershare.accounts.security import email_link_base
from powershare.accounts.tasks import _send
from powershare.system.schedule import every

from .models import Booking, BookingStatus, DeliverySession, Material


def calendar_file(*, booking: Booking, sessions, domain: str = "localhost") -> bytes:
    """An iCalendar (.ics) file with one event per session, for the learner's calendar."""
    from icalendar import Calendar, Event

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    delivery = booking.delivery
    calendar = Calendar()
    calendar.add("prodid", "-//PowerShare//Learning//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for session in sessions:
        event = Event()
        event.add("uid", f"booking-{booking.pk}-session-{session.pk}@{domain}")
        event.add("dtstamp", datetime.datetime.now(tz=datetime.UTC))
        event.add(
            "dtstart", datetime.datetime.combine(session.date, session.starts_at, tzinfo=zone)
        )
        event.add("dtend", datetime.datetime.combine(session.date, session.ends_at, tzinfo=zone))
        event.add("summary", f"{delivery.product.title}: session {session.number}")
        where = session.venue if session.mode == "in_person" else session.online_link
        if where:
            event.add("location", where)
        description = f"{delivery.product.title} ({delivery.cohort}), session {session.number}."
        if session.online_link:
            description += f"\nJoin online: {session.online_link}"
        event.add("description", description)
        calendar.add_component(event)
    dates = [session.date for session in sessions]
    if dates:
        # Every TZID needs its VTIMEZONE (RFC 5545), or some calendars guess the time wrong.
        calendar.add_missing_timezones(
            first_date=datetime.date(min(dates).year, 1, 1),
            last_date=datetime.date(max(dates).year + 1, 1, 1),
        )
    return calendar.to_ical()


def _context(booking: Booking, domain: str, use_https: bool) -> dict:
    from .selectors import learning_settings_for, waiting_position

    protocol = "https" if use_https else "http"
    settings_row = learning_settings_for(organisation_id=booking.delivery.organisation_id)
    return {
        "position": waiting_position(booking=booking),
        "offer_hours": settings_row.offer_hours,
        "retention_days": settings_row.learner_retention_days,
        "contact": booking.delivery.product.owner,
        "organisation": booking.delivery.organisation,
        "booking": booking,
        "learner": booking.learner,
        "delivery": booking.delivery,
        "product": booking.delivery.product,
        "sessions": list(booking.delivery.sessions.order_by("number")),
        "own_link": f"{protocol}://{domain}"
        + reverse("learning:booking_own", kwargs={"token": booking.token}),
    }


BOOKING_TEMPLATES = {
    "confirmed": "learning/email/booking_confirmed",
    "waiting": "learning/email/booking_waiting",
    "offered": "learning/email/booking_offered",
    "cancelled": "learning/email/delivery_cancelled",
}


@task
def booking_email_send(*, booking_id: int, kind: str, domain: str, use_https: bool) -> int:
    """Tell a learner about their booking. A confirmation carries the sessions as a calendar
    file (.ics)."""
    booking = (
        Booking.objects.select_related("delivery", "delivery__product", "delivery__site", "learner")
        .filter(pk=booking_id, learner__isnull=False)
        .first()
    )
    if booking is None:
        return 0
    expected = {
        "confirmed": BookingStatus.BOOKED,
        "waiting": BookingStatus.WAITING,
        "offered": BookingStatus.OFFERED,
        "cancelled": BookingStatus.CANCELLED,
    }[kind]
    if booking.status != expected:
        return 0  # things moved on before the email went: say nothing out of date
    context = _context(booking, domain, use_https)
    template = BOOKING_TEMPLATES[kind]
    subject = "".join(render_to_string(f"{template}_subject.txt", context).splitlines())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[booking.learner.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    if kind == "confirmed":
        message.attach(
            "sessions.ics",
            calendar_file(booking=booking, sessions=context["sessions"], domain=domain),
            "text/calendar",
        )
    return message.send()


@task
def delivery_cancelled_email_send(*, booking_ids: list[int]) -> int:
    domain, use_https = email_link_base(None)
    sent = 0
    for booking_id in booking_ids:
        sent += booking_email_send.call(
            booking_id=booking_id, kind="cancelled", domain=domain, use_https=use_https
        )
    return sent


@task
def session_reminder_email_send(*, session_id: int, booking_id: int) -> int:
    booking = (
        Booking.objects.select_related("delivery", "delivery__product", "learner")
        .filter(pk=booking_id, status=BookingStatus.BOOKED, learner__isnull=False)
        .first()
    )
    session = DeliverySession.objects.filter(pk=session_id).first()
    if booking is None or session is None:
        return 0
    domain, use_https = email_link_base(None)
    context = _context(booking, domain, use_https)
    context["session"] = session
    return _send(
        template="learning/email/session_reminder", context=context, to=booking.learner.email
    )


@task
def materials_needing_update_email_send(*, material_ids: list[int]) -> int:
    """Tell each product's owner which of its materials need updating. A product without an
    owner who can still act on it goes to everyone who manages learning in its organisation,
    so the flag is never missed."""
    from powershare.accounts.roles import Capability
    from powershare.accounts.selectors import user_can

    from .selectors import learning_managers

    materials = (
        Material.objects.filter(pk__in=material_ids)
        .select_related("version", "version__product", "version__product__owner")
        .order_by("version__product", "title")
    )
    by_owner: dict = {}
    for material in materials:
        product = material.version.product
        owner = product.owner
        if (
            owner is not None
            and owner.is_active
            and user_can(
                user=owner,
                capability=Capability.MANAGE_LEARNING,
                organisation_id=product.organisation_id,
            )
        ):
            people = [owner]
        else:
            people = list(learning_managers(organisation_id=product.organisation_id))
        for person in people:
            by_owner.setdefault(person, []).append(material)
    domain, use_https = email_link_base(None)
    sent = 0
    for owner, items in by_owner.items():
        sent += _send(
            template="learning/email/materials_need_updating",
            context={
                "owner": owner,
                "materials": items,
                "domain": domain,
                "protocol": "https" if use_https else "http",
            },
            to=owner.email,
        )
    return sent


@every(datetime.timedelta(hours=1), name="learning.offers_expire")
@task
def offers_expire_task() -> int:
    """Hourly: offers not taken in time go to the next person waiting."""
    from .services import offers_expire

    return offers_expire()


@every(datetime.timedelta(hours=6), name="learning.reminders_send")
@task
def reminders_send_task() -> int:
    """Four times a day: remind learners of sessions two days away (once each)."""
    from .services import reminders_send

    return reminders_send()


@every(datetime.timedelta(days=1), name="learning.learners_purge")
@task
def learners_purge_task() -> int:
    """Daily: delete learners whose course ended longer ago than the retention period."""
    from .services import learners_purge

    return learners_purge()


@task
def commission_answer_email_send(*, commission_id: int, stood_down: bool) -> int:
    """Tell the people who manage a course that a commissioned trainer said no or left."""
    from .models import Commission
    from .selectors import learning_managers

    commission = (
        Commission.objects.select_related(
            "delivery", "delivery__product", "delivery__site", "invitation", "created_by"
        )
        .filter(pk=commission_id)
        .first()
    )
    if commission is None:
        return 0
    delivery = commission.delivery
    people = {u.pk: u for u in learning_managers(organisation_id=delivery.organisation_id)}
    if commission.created_by is not None and commission.created_by.is_active:
        people = {commission.created_by.pk: commission.created_by}
    domain, use_https = email_link_base(None)
    context = {
        "commission": commission,
        "delivery": delivery,
        "said_no": commission.invitation is not None and commission.invitation.status == "declined",
        "stood_down": stood_down,
        "domain": domain,
        "protocol": "https" if use_https else "http",
    }
    sent = 0
    for user in people.values():
        sent += _send(
            template="learning/email/commission_answer",
            context={**context, "recipient": user},
            to=user.email,
        )
    return sent
