"""Reminding councils' survey respondents of a return still to send.

* The coordinator's "Send reminders" (services.reminders_send) emails every current survey
  respondent of each invited council whose return is not sent: `reminder_email` writes it.
* The daily digest (powershare.accountability.reminders, one email a day at most per person)
  gains a section: each survey respondent hears of their council's unsent returns that are due
  within 7 days or overdue (selectors.respondent_reminders_due). Registered in apps.ready().

Emails name the round, the council and the due date, and link to the respondent's own returns
page: never anything of another council's.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from powershare.accountability import reminders

REMINDER_KEY = "national_returns"


def _date(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def returns_link() -> str:
    """The full address of a respondent's returns page, for emails."""
    from powershare.accounts.security import email_link_base

    domain, use_https = email_link_base(None)
    return f"{'https' if use_https else 'http'}://{domain}{reverse('national:my_returns')}"


def reminder_email(*, council_return, to: str, today: datetime.date, link: str) -> EmailMessage:
    """The coordinator's reminder to one survey respondent, in plain English."""
    survey_round = council_return.round
    council = council_return.council.name
    due = survey_round.closes_on
    if due < today:
        when = f"was due on {_date(due)}"
    elif due == today:
        when = "is due today"
    else:
        when = f"is due on {_date(due)}"
    started = (
        "A draft is saved: you can pick up where you left off."
        if council_return.status == "draft"
        else "It has not been started yet."
    )
    body = "\n\n".join(
        [
            "Hello,",
            f"{council}'s return to the {survey_round} (round {survey_round.year}, covering "
            f"{survey_round.period}) has not been sent yet. It {when}. {started}",
            "You are getting this email because you are your council's survey respondent. "
            "The return is your council's answer, not your own: send it once your council "
            "agrees it.",
            f"Open your council's returns: {link}",
            "If someone else at your council should answer the survey, tell the national "
            "coordinator.",
            f"{settings.SITE_NAME}",
        ]
    )
    return EmailMessage(
        subject=f"Reminder: {council}'s return to the {survey_round} {when}",
        body=body + "\n",
        to=[to],
    )


# ---------------------------------------------------------------------------------------------
# The daily digest


def collect(today: datetime.date) -> dict[int, list[reminders.ReminderItem]]:
    from . import selectors

    path = reverse("national:my_returns")
    return {
        user_id: [
            reminders.ReminderItem(
                title=f"{council_return.council.name}'s return to the {council_return.round}",
                path=path,
                due_on=council_return.round.closes_on,
                overdue=council_return.round.closes_on < today,
                note=(
                    "a draft is saved" if council_return.status == "draft" else "not started yet"
                ),
                pk=council_return.pk,
            )
            for council_return in sorted(
                returns, key=lambda r: (r.round.closes_on >= today, r.round.closes_on)
            )
        ]
        for user_id, returns in selectors.respondent_reminders_due(today=today).items()
    }


def register() -> None:
    reminders.register(
        REMINDER_KEY,
        "National survey returns to send",
        collect,
        noun=("return", "returns"),
    )
