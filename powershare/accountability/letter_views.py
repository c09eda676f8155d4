"""Staff pages: composing, previewing and sending 'you said, we did' letters, the printed letters
to post, and the plain-English version a partner passes on to an anonymous group.

THE RULE: what people said reaches these pages only through selectors.letter_sections, which
applies the consent rule at the letter's use (anonymised: people's words without their names).
A sent letter is always rendered live, so words withdrawn or removed since then drop out.

Seeing a letter needs VIEW_ENGAGEMENT; composing, sending, printing and recording replies need
MANAGE_ENGAGEMENT in the activity's organisation. Who a letter went to is shown by name only to
staff who may see the people register (and that read is recorded); others see a reference.
Anything else answers 404.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.security import email_link_base
from powershare.accounts.selectors import user_can
from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record
from powershare.engagement import selectors as engagement_selectors
from powershare.lib.forms import form_errors_to_fields, posted
from powershare.lib.pdf import pdf_response, render_pdf
from powershare.people.services import person_read_record
from powershare.system.submissions import submit_once

from . import selectors, services
from .letter_forms import GroupRepliesForm, LetterForm
from .models import Delivery, FeedbackLetter

RECIPIENTS_PAGE_SIZE = 50


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(activity, *items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Feedback", "url": reverse("accountability:dashboard")},
        {
            "label": activity.title,
            "url": reverse("accountability:activity_loop", args=[activity.pk]),
        },
        *items,
    ]


def _letter_crumbs(letter, *items):
    label = f"Letter sent {letter.sent_on:%-d %B %Y}" if letter.is_sent else "Draft letter"
    return _crumbs(
        letter.activity,
        {"label": label, "url": reverse("accountability:letter_detail", args=[letter.pk])},
        *items,
    )


def _can(user, capability, organisation_id) -> bool:
    return user_can(user=user, capability=capability, organisation_id=organisation_id)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _joined(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass
class DeliverySummary:
    """How a letter reaches (or reached) people: people per delivery, and groups per partner."""

    counts: Counter = field(default_factory=Counter)
    #: (who holds the group's consents, how many groups)
    partners: list[tuple[str, int]] = field(default_factory=list)

    @property
    def people_reached(self) -> int:
        return sum(self.counts[d] for d in (Delivery.EMAIL, Delivery.PORTAL, Delivery.POST))

    @property
    def groups(self) -> int:
        return sum(n for _, n in self.partners)

    @property
    def not_contacted(self) -> int:
        return self.counts[Delivery.NOT_CONTACTED]

    @property
    def to_post(self) -> int:
        return self.counts[Delivery.POST]

    @property
    def is_empty(self) -> bool:
        return not self.people_reached and not self.groups and not self.not_contacted

    @property
    def phrases(self) -> list[str]:
        """ "4 by email", "3 printed letters to post", "1 group through Partner youth
        project", "1 not contacted (has not agreed to be contacted)"."""
        parts = []
        if self.counts[Delivery.EMAIL]:
            parts.append(f"{self.counts[Delivery.EMAIL]} by email")
        if self.counts[Delivery.PORTAL]:
            parts.append(f"{self.counts[Delivery.PORTAL]} in their portal")
        if self.to_post:
            parts.append(f"{_plural(self.to_post, 'printed letter')} to post")
        for partner, count in self.partners:
            parts.append(f"{_plural(count, 'group')} through {partner or 'a partner organisation'}")
        if self.not_contacted:
            verb = "has" if self.not_contacted == 1 else "have"
            parts.append(f"{self.not_contacted} not contacted ({verb} not agreed to be contacted)")
        return parts

    @property
    def text(self) -> str:
        return _joined(self.phrases)

    @property
    def audience(self) -> str:
        """ "6 people and 1 group": who the letter reaches."""
        parts = []
        if self.people_reached or not self.groups:
            parts.append(_plural(self.people_reached, "person", "people"))
        if self.groups:
            parts.append(_plural(self.groups, "group"))
        return _joined(parts)


def _planned_summary(activity) -> DeliverySummary:
    """How a letter would reach people if it were sent now (the rules of services.delivery_for)."""
    people = list(selectors.letter_audience(activity=activity))
    partners = Counter(
        group["group_consent_held_by"] for group in selectors.group_labels_for(activity=activity)
    )
    return DeliverySummary(
        counts=Counter(services.deliveries_for(people).values()),
        partners=sorted(partners.items()),
    )


def _sent_summary(recipients) -> DeliverySummary:
    summary = DeliverySummary()
    partners = Counter()
    rows = recipients.order_by().values("delivery", "group_consent_held_by").annotate(n=Count("pk"))
    for row in rows:
        if row["delivery"] == Delivery.PARTNER:
            partners[row["group_consent_held_by"]] += row["n"]
        else:
            summary.counts[row["delivery"]] += row["n"]
    summary.partners = sorted(partners.items())
    return summary


def _sections(letter: FeedbackLetter, **kwargs):
    """The letter's middle, assembled live through the consent rule. A sent letter shows the
    responses it carried (not ones added for a later round), as they stand now."""
    return selectors.letter_sections(activity=letter.activity, letter=letter, **kwargs)


def _who(recipient, *, show_names: bool) -> str:
    if recipient.person is None:
        return recipient.group_label
    if recipient.person.is_erased:
        return "A person whose record was erased"
    return recipient.person.name if show_names else f"Person {recipient.person.reference}"


def _letter_for(request, pk, may=Capability.VIEW_ENGAGEMENT) -> FeedbackLetter:
    return selectors.letter_get_for(user=request.user, pk=pk, may=may)


def _recipient_of(letter, pk, **filters):
    recipient = (
        selectors.recipients_for_letter(letter=letter)
        .select_related("person__staff_contact")
        .filter(pk=pk, **filters)
        .first()
    )
    if recipient is None:
        raise Http404("No such recipient")
    return recipient


# ---------------------------------------------------------------------------------------------
# Composing


@login_required
@require_http_methods(["GET", "POST"])
def letter_compose(request, pk):
    """Write the organisation's words around the letter (title, opening, closing) and preview
    the letter as people will read it. Looking never writes: a draft is started by a button."""
    activity = engagement_selectors.activity_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
    )
    here = reverse("accountability:letter_compose", args=[activity.pk])
    data = posted(request)
    problem = ""
    if data is not None and "start" in data:
        try:
            services.letter_draft_start(actor=request.user, activity=activity)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such activity") from None
        else:
            messages.success(request, "Letter started. Check the words, then preview and send it.")
            return redirect(here)
        data = None

    draft = selectors.letter_draft_for(activity=activity)
    form = None
    typed = []
    preview_letter = draft
    previewing = False
    if draft is not None:
        form = LetterForm(
            data,
            initial={"subject": draft.subject, "opening": draft.opening, "closing": draft.closing},
        )
        if data is not None and form.is_valid():
            values = form.cleaned_data
            if "preview" in data:
                previewing = True
                preview_letter = FeedbackLetter(
                    pk=draft.pk,
                    activity=activity,
                    organisation_id=draft.organisation_id,
                    subject=values["subject"],
                    opening=values["opening"],
                    closing=values["closing"],
                )
            else:
                try:
                    services.letter_update(actor=request.user, letter=draft, **values)
                except ValidationError as error:
                    form_errors_to_fields(form, error)
                except PermissionDenied:
                    raise Http404("No such activity") from None
                else:
                    if "send" in data:
                        return redirect("accountability:letter_send", pk=draft.pk)
                    messages.success(request, "Saved. The preview below shows the letter now.")
                    return redirect(here + "#preview")
    elif data is not None and not problem:
        problem = (
            "There is no draft letter for this activity any more (it may just have been sent), "
            "so what you typed was not saved. It is shown below: copy it into a new letter if "
            "you need one."
        )
        typed = [
            (label, data.get(name, "").strip())
            for name, label in (
                ("subject", "Title"),
                ("opening", "Opening"),
                ("closing", "Closing"),
            )
            if data.get(name, "").strip()
        ]

    loop = selectors.activity_loop_get(activity=activity)
    sent_letters = [
        letter for letter in selectors.letters_for_activity(activity=activity) if letter.is_sent
    ]
    return render(
        request,
        "accountability/letter_compose.html",
        {
            "page_title": "Feedback letter" if draft else "Start the feedback letter",
            "page_caption": activity.title,
            "breadcrumbs": _crumbs(activity, {"label": "Feedback letter"}),
            "activity": activity,
            "loop": loop,
            "draft": draft,
            "form": form if form is not None else {"errors": bool(problem)},
            "letter_form": form,
            "problem": problem,
            "preview_letter": preview_letter,
            "previewing": previewing,
            "sections": selectors.letter_sections(activity=activity),
            "summary": _planned_summary(activity),
            "sent_letters": sent_letters,
            "typed": typed,
        },
    )


# ---------------------------------------------------------------------------------------------
# Sending


@login_required
@require_http_methods(["GET", "POST"])
def letter_send(request, pk):
    """Ask once, saying who will get it and how; then send. A letter already sent, or one whose
    activity still has contributions without a response, is explained, never an error page."""
    letter = _letter_for(request, pk, may=Capability.MANAGE_ENGAGEMENT)
    activity = letter.activity
    detail_url = reverse("accountability:letter_detail", args=[letter.pk])
    problem = ""
    if request.method == "POST" and not letter.is_sent:
        domain, use_https = email_link_base(request)
        sent = []

        def send():
            sent.extend(
                services.letter_send(
                    actor=request.user, letter=letter, domain=domain, use_https=use_https
                )
            )
            return detail_url

        try:
            url, created = submit_once(request, send)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such letter") from None
        else:
            if created:
                summary = DeliverySummary(
                    counts=Counter(r.delivery for r in sent if r.person_id),
                    partners=sorted(
                        Counter(
                            r.group_consent_held_by for r in sent if r.delivery == Delivery.PARTNER
                        ).items()
                    ),
                )
                messages.success(
                    request,
                    f"Letter sent to {summary.audience}: {summary.text}. "
                    "The date is recorded for each of them."
                    if not summary.is_empty
                    else "Letter sent. Nobody was recorded as taking part, so it went to nobody.",
                )
            return redirect(url)
        letter.refresh_from_db()

    loop = selectors.activity_loop_get(activity=activity)
    summary = None if letter.is_sent else _planned_summary(activity)
    if letter.is_sent:
        title = "This letter has been sent"
    elif loop.without_response:
        title = "This letter can't be sent yet"
    elif summary.people_reached or summary.groups:
        title = f"Send this letter to {summary.audience}?"
    else:
        title = "Send this letter?"
    return render(
        request,
        "accountability/letter_send.html",
        {
            "page_title": title,
            "page_caption": activity.title,
            "breadcrumbs": _letter_crumbs(letter, {"label": "Send"}),
            "letter": letter,
            "activity": activity,
            "loop": loop,
            "summary": summary,
            "problem": problem,
            "form": {"errors": bool(problem)},
        },
    )


# ---------------------------------------------------------------------------------------------
# One letter


@login_required
def letter_detail(request, pk):
    letter = _letter_for(request, pk)
    activity = letter.activity
    organisation_id = letter.organisation_id
    can_manage = _can(request.user, Capability.MANAGE_ENGAGEMENT, organisation_id)
    show_names = _can(request.user, Capability.VIEW_PEOPLE, organisation_id)
    context = {
        "page_title": letter.subject,
        "page_caption": "Feedback letter" if letter.is_sent else "Draft feedback letter",
        "breadcrumbs": _crumbs(
            activity,
            {"label": f"Letter sent {letter.sent_on:%-d %B %Y}" if letter.is_sent else "Draft"},
        ),
        "letter": letter,
        "activity": activity,
        "sections": _sections(letter),
        "can_manage": can_manage,
        "show_names": show_names,
    }
    if not letter.is_sent:
        context["summary"] = _planned_summary(activity)
        return render(request, "accountability/letter_detail.html", context)

    recipients = selectors.recipients_for_letter(letter=letter)
    context["summary"] = summary = _sent_summary(recipients)
    context["groups"] = list(recipients.filter(delivery=Delivery.PARTNER))
    if not (can_manage and show_names):
        # Who was told, how, and who said no to contact is for the people who run the
        # register and the activity (as on the invitations page); others see the counts.
        return render(request, "accountability/letter_detail.html", context)
    page = Paginator(recipients, RECIPIENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for recipient in page.object_list:
        recipient.who = _who(recipient, show_names=show_names)
        rows.append(recipient)
    if show_names and any(r.person_id for r in rows):
        access_event_record(
            user=request.user,
            organisation_id=organisation_id,
            subject=letter,
            description=f"People sent feedback letter {letter.pk} listed, page {page.number}",
            path=request.path,
        )
    context.update(
        {
            "page_obj": page,
            "recipients": rows,
            "show_table": True,
            "may_print": summary.to_post > 0,
        }
    )
    return render(request, "accountability/letter_detail.html", context)


# ---------------------------------------------------------------------------------------------
# Printed letters


@login_required
def letter_pdf(request, pk):
    """For a sent letter: one printed letter per person it goes to by post, each addressed to
    them and with their own words marked as theirs. For a draft: one sample letter, to check
    the print before sending. Names and addresses are in it, so only staff who may manage the
    activity and see the people register may download it, and each download is recorded."""
    letter = _letter_for(request, pk, may=Capability.MANAGE_ENGAGEMENT)
    organisation_id = letter.organisation_id
    letters = []
    if letter.is_sent:
        if not _can(request.user, Capability.VIEW_PEOPLE, organisation_id):
            raise Http404("No such letter")
        recipients = (
            selectors.recipients_for_letter(letter=letter)
            .filter(delivery=Delivery.POST, person__isnull=False, person__erased_at__isnull=True)
            .select_related("person__staff_contact")
        )
        for recipient in recipients:
            person = recipient.person
            letters.append(
                {
                    "person": person,
                    "sections": _sections(letter, person=person),
                    "contact": person.staff_contact,
                }
            )
        if letters:
            access_event_record(
                user=request.user,
                organisation_id=organisation_id,
                subject=letter,
                description=f"Printed letters for feedback letter {letter.pk}: names and "
                f"addresses of {_plural(len(letters), 'person', 'people')}",
                path=request.path,
                action=AccessEvent.Action.DOWNLOADED,
            )
    else:
        letters.append({"person": None, "sections": _sections(letter), "contact": None})
    pdf = render_pdf(
        template="accountability/pdf_letter.html",
        context={
            "letter": letter,
            "activity": letter.activity,
            "organisation": letter.activity.organisation,
            "letters": letters,
            "dated": letter.sent_on or timezone.localdate(),
        },
        request=request,
    )
    name = f"feedback-letters-{letter.pk}" if letter.is_sent else f"sample-letter-{letter.pk}"
    return pdf_response(filename=name, pdf=pdf)


@login_required
@require_http_methods(["GET", "POST"])
def recipient_posted(request, pk, recipient):
    """Record that a printed letter went in the post (or take that back)."""
    letter = _letter_for(request, pk, may=Capability.MANAGE_ENGAGEMENT)
    recipient = _recipient_of(letter, recipient)
    show_names = _can(request.user, Capability.VIEW_PEOPLE, letter.organisation_id)
    recipient.who = _who(recipient, show_names=show_names)
    if show_names and recipient.person is not None and request.method == "GET":
        person_read_record(
            user=request.user,
            person=recipient.person,
            what=f"named as a recipient of feedback letter {letter.pk}",
            path=request.path,
        )
    problem = ""
    if request.method == "POST":
        posted_now = request.POST.get("posted", "yes") != "no"
        try:
            services.letter_posted_mark(actor=request.user, recipient=recipient, posted=posted_now)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such letter") from None
        else:
            messages.success(
                request,
                f"The letter to {recipient.who} is marked as posted today."
                if posted_now
                else f"The letter to {recipient.who} is no longer marked as posted.",
            )
            return redirect(reverse("accountability:letter_detail", args=[letter.pk]) + "#sent-to")
    return render(
        request,
        "accountability/letter_posted.html",
        {
            "page_title": "Mark the letter as posted"
            if not recipient.posted_on
            else "Letter marked as posted",
            "page_caption": letter.subject,
            "breadcrumbs": _letter_crumbs(letter, {"label": "Posted"}),
            "letter": letter,
            "recipient": recipient,
            "is_post": recipient.delivery == Delivery.POST,
            "problem": problem,
            "form": {"errors": bool(problem)},
        },
    )


# ---------------------------------------------------------------------------------------------
# A group's version, through its partner


def _group_of(request, pk, recipient, may=Capability.VIEW_ENGAGEMENT):
    letter = _letter_for(request, pk, may=may)
    return letter, _recipient_of(letter, recipient, delivery=Delivery.PARTNER)


def _group_context(letter, group) -> dict:
    return {
        "letter": letter,
        "activity": letter.activity,
        "organisation": letter.activity.organisation,
        "group": group,
        "partner": group.group_consent_held_by or "the organisation that works with you",
        "sections": _sections(
            letter, group_label=group.group_label, group_held_by=group.group_consent_held_by
        ),
    }


@login_required
def group_version(request, pk, recipient):
    """The plain-English version a partner passes on to an anonymous group: no names, only
    what this group said and what we did about it."""
    letter, group = _group_of(request, pk, recipient)
    return render(
        request,
        "accountability/group_version.html",
        {
            "page_title": f"For {group.group_label}",
            "page_caption": letter.subject,
            "breadcrumbs": _letter_crumbs(letter, {"label": group.group_label}),
            "can_manage": _can(request.user, Capability.MANAGE_ENGAGEMENT, letter.organisation_id),
            **_group_context(letter, group),
        },
    )


@login_required
def group_version_pdf(request, pk, recipient):
    letter, group = _group_of(request, pk, recipient)
    pdf = render_pdf(
        template="accountability/pdf_group_version.html",
        context={**_group_context(letter, group), "dated": letter.sent_on},
        request=request,
    )
    return pdf_response(filename=f"you-said-we-did-group-{group.pk}", pdf=pdf)


@login_required
@require_http_methods(["GET", "POST"])
def group_replies(request, pk, recipient):
    """Record what a group said back after reading the letter. Each reply becomes a new
    contribution of the activity, so the loop opens again and they get an answer too."""
    letter, group = _group_of(request, pk, recipient, may=Capability.MANAGE_ENGAGEMENT)
    activity = letter.activity
    form = GroupRepliesForm(posted(request))
    if request.method == "POST" and form.is_valid():
        recorded = {}

        def create():
            created = services.group_replies_record(
                actor=request.user,
                letter=letter,
                group_label=group.group_label,
                group_held_by=group.group_consent_held_by,
                replies=form.cleaned_data["replies"],
                kind=form.cleaned_data["kind"],
            )
            recorded["count"] = len(created)
            return reverse("accountability:respond", args=[activity.pk])

        try:
            url, created = submit_once(request, create)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    target = name if name in form.fields else None
                    for message in errors:
                        form.add_error(target, form.line_message(message))
            else:
                form.add_error(None, error)
        except PermissionDenied:
            raise Http404("No such letter") from None
        else:
            if created:
                count = recorded["count"]
                messages.success(
                    request,
                    f"{_plural(count, 'reply', 'replies')} from {group.group_label} recorded. "
                    f"{activity.title} is waiting for responses again: answer "
                    f"{'it' if count == 1 else 'them'} below so the group hears back.",
                )
            return redirect(url)
    return render(
        request,
        "accountability/group_replies.html",
        {
            "page_title": f"Record what {group.group_label} said back",
            "page_caption": letter.subject,
            "breadcrumbs": _letter_crumbs(
                letter,
                {
                    "label": group.group_label,
                    "url": reverse("accountability:group_version", args=[letter.pk, group.pk]),
                },
                {"label": "Replies"},
            ),
            "letter": letter,
            "activity": activity,
            "group": group,
            "form": form,
        },
    )
