"""Every write about responses, feedback letters, updates, reminders and the public page.

Rules enforced here (not in views):
* only roles that can MANAGE_ENGAGEMENT in the activity's organisation write responses, compose
  and send letters, and change the public page; a response's owner may add progress to it;
* a response answers contributions of its own activity that still count; "will not do" needs
  the reason; the owner must be a current member of the organisation's staff;
* a letter is sent only when every contribution that still counts has a response, so nobody
  who contributed is left without an answer; it goes to the portal, by email to people who
  agreed to email contact, or as a printed letter; the date is recorded per person;
* after a letter was sent, a change to a response's decision or progress is recorded, and the
  people it concerns hear about all pending changes in one batched update;
* reminders are a daily digest per person: recorded before sending, so a second run the same
  day sends nothing.
"""

import datetime
import secrets
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from powershare.accounts.models import Organisation, User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.engagement.models import Activity, Contribution, ContributionKind, UseLevel
from powershare.engagement.services import contribution_create
from powershare.lib.uploads import upload_check
from powershare.people.models import ConsentPurpose, ContactChannel, Person
from powershare.people.selectors import may_we, people_who_may

from . import selectors
from .models import (
    ChangeNotice,
    Decision,
    Delivery,
    EvidenceFile,
    FeedbackLetter,
    FeedbackRecipient,
    GroupReply,
    LetterStatus,
    PublicPage,
    ReminderDigest,
    Response,
    ResponseChange,
    ResponseContribution,
    ResponseProgress,
    ResponseStatus,
)

#: Evidence files: what may be uploaded, and how large.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".odt", ".txt", ".csv")
MAX_TEXT = 10_000
MAX_GROUP_REPLIES = 100


def _check_may_manage(actor: User, organisation_id: int) -> None:
    if not user_can(
        user=actor, capability=Capability.MANAGE_ENGAGEMENT, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't respond to contributions for this organisation.")


def _text(value) -> str:
    return (value or "").replace("\x00", "").strip()


# ---------------------------------------------------------------------------------------------
# Responses


def _check_response(
    *,
    activity: Activity,
    contributions: list[Contribution] | None,
    decision: str,
    reason: str,
    what_will_change: str,
    owner: User | None,
    due_on: datetime.date | None,
    status: str,
    evidence: str,
) -> None:
    errors = {}
    if contributions is not None:
        if not contributions:
            errors["contributions"] = "Choose at least one contribution this response answers."
        elif any(
            c.activity_id != activity.pk or c.withdrawn_at is not None or c.purged_at is not None
            for c in contributions
        ):
            errors["contributions"] = (
                "Choose contributions of this activity that have not been withdrawn."
            )
    if decision not in Decision.values:
        errors["decision"] = "Choose what we will do: will do, done, will not do or considering."
    if decision == Decision.WILL_NOT_DO and not reason:
        errors["reason"] = (
            "Say why we will not do this. People who took part deserve to know the reason."
        )
    if not what_will_change:
        errors["what_will_change"] = (
            "Say what will change, or what we did, in words the people who took part will "
            "understand."
        )
    for name, value in (
        ("reason", reason),
        ("what_will_change", what_will_change),
        ("evidence", evidence),
    ):
        if len(value) > MAX_TEXT:
            errors[name] = "Keep this under 10,000 characters."
    if status not in ResponseStatus.values:
        errors["status"] = "Choose where this has got to."
    if owner is not None and not user_can(
        user=owner, capability=Capability.VIEW_ENGAGEMENT, organisation_id=activity.organisation_id
    ):
        errors["owner"] = (
            "Choose a current member of staff of this organisation whose role can see "
            "activities (a participation or learning lead, a leader or a facilitator)."
        )
    if due_on is not None and not (
        datetime.date(2000, 1, 1) <= due_on <= datetime.date(2100, 1, 1)
    ):
        errors["due_on"] = "Enter a date between 2000 and 2100."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def response_create(
    *,
    actor: User,
    activity: Activity,
    contributions: list[Contribution],
    decision: str,
    what_will_change: str,
    reason: str = "",
    owner: User | None = None,
    due_on: datetime.date | None = None,
    status: str = ResponseStatus.NOT_STARTED,
    evidence: str = "",
) -> Response:
    """Answer one or more contributions of an activity at once ("select, then respond")."""
    _check_may_manage(actor, activity.organisation_id)
    values = {
        "decision": decision,
        "reason": _text(reason),
        "what_will_change": _text(what_will_change),
        "owner": owner,
        "due_on": due_on,
        "status": status,
        "evidence": _text(evidence),
    }
    contributions = list(contributions)
    _check_response(activity=activity, contributions=contributions, **values)
    response = Response.objects.create(
        organisation_id=activity.organisation_id, activity=activity, created_by=actor, **values
    )
    ResponseContribution.objects.bulk_create(
        [ResponseContribution(response=response, contribution=c) for c in contributions],
        ignore_conflicts=True,
    )
    return response


def _was_reported(response: Response) -> bool:
    return response.letters.filter(status=LetterStatus.SENT).exists()


def _record_changes(response: Response, before: dict, actor: User) -> list[ResponseChange]:
    """After a letter carried this response, note each change of decision or progress, for
    the batched update to the people it concerns."""
    if not _was_reported(response):
        return []
    changes = [
        ResponseChange(
            response=response,
            field=name,
            before=before[name],
            after=getattr(response, name),
            changed_by=actor,
        )
        for name in ("decision", "status")
        if before[name] != getattr(response, name)
    ]
    return ResponseChange.objects.bulk_create(changes)


@transaction.atomic
def response_update(
    *,
    actor: User,
    response: Response,
    contributions: list[Contribution] | None = None,
    **fields,
) -> Response:
    """Change a response. Changes to the decision or progress after feedback was sent are
    recorded for the batched update to contributors."""
    _check_may_manage(actor, response.organisation_id)
    response = Response.objects.select_for_update(of=("self",)).get(pk=response.pk)
    allowed = {
        "decision",
        "reason",
        "what_will_change",
        "owner",
        "due_on",
        "status",
        "evidence",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown response fields: {sorted(unknown)}")
    before = {"decision": response.decision, "status": response.status}
    for name, value in fields.items():
        setattr(
            response,
            name,
            _text(value) if name in ("reason", "what_will_change", "evidence") else value,
        )
    if contributions is not None:
        contributions = list(contributions)
    _check_response(
        activity=response.activity,
        contributions=contributions,
        decision=response.decision,
        reason=response.reason,
        what_will_change=response.what_will_change,
        owner=response.owner,
        due_on=response.due_on,
        status=response.status,
        evidence=response.evidence,
    )
    response.save()
    if contributions is not None:
        keep = {c.pk for c in contributions}
        response.links.exclude(contribution_id__in=keep).delete()
        ResponseContribution.objects.bulk_create(
            [ResponseContribution(response=response, contribution_id=pk) for pk in keep],
            ignore_conflicts=True,
        )
    _record_changes(response, before, actor)
    return response


@transaction.atomic
def response_delete(*, actor: User, response: Response) -> None:
    """Remove a response made in error. One that was already reported back to people stays:
    change its decision instead, so they hear about it."""
    _check_may_manage(actor, response.organisation_id)
    if _was_reported(response):
        raise ValidationError(
            "This response was already sent to the people who took part, so it can't be "
            "removed. Change its decision or progress instead: they will be told."
        )
    stored = [evidence.file for evidence in response.files.all()]
    response.delete()
    # The files go with it (they may hold personal details); only once the removal is saved.
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in stored])


@transaction.atomic
def response_progress_add(
    *,
    actor: User,
    response: Response,
    text: str,
    happened_on: datetime.date | None = None,
    status: str = "",
) -> ResponseProgress:
    """A dated progress note on a response (its owner or a participation or learning lead),
    optionally moving its status on."""
    if not selectors.response_may_add_progress(user=actor, response=response):
        raise PermissionDenied("Only the response's owner or a lead can add progress.")
    text = _text(text)
    happened_on = happened_on or timezone.localdate()
    errors = {}
    if not text:
        errors["text"] = "Say what has happened."
    elif len(text) > MAX_TEXT:
        errors["text"] = "Keep this under 10,000 characters."
    if happened_on > timezone.localdate():
        errors["happened_on"] = "Progress can't be recorded for a date in the future."
    if status and status not in ResponseStatus.values:
        errors["status"] = "Choose where this has got to."
    if errors:
        raise ValidationError(errors)
    response = Response.objects.select_for_update(of=("self",)).get(pk=response.pk)
    progress = ResponseProgress.objects.create(
        response=response, happened_on=happened_on, text=text, written_by=actor
    )
    if status and status != response.status:
        before = {"decision": response.decision, "status": response.status}
        response.status = status
        response.save(update_fields=["status", "updated_at"])
        _record_changes(response, before, actor)
    return progress


def _evidence_kind(upload) -> tuple[str, str]:
    """(extension, content type) of an allowed upload, checked by name, size and first bytes;
    else ValidationError."""
    return upload_check(
        upload,
        extensions=EVIDENCE_EXTENSIONS,
        described="a PDF, Word, OpenDocument, Excel, CSV, text, PNG or JPEG file",
        max_bytes=EVIDENCE_MAX_BYTES,
    )


@transaction.atomic
def evidence_file_add(*, actor: User, response: Response, upload) -> EvidenceFile:
    if not selectors.response_may_add_progress(user=actor, response=response):
        raise PermissionDenied("Only the response's owner or a lead can add evidence.")
    _extension, content_type = _evidence_kind(upload)
    evidence = EvidenceFile(
        response=response,
        key=secrets.token_hex(16),
        original_name=PurePath(upload.name).name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    evidence.file.save(evidence.key, upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_file_remove(*, actor: User, evidence: EvidenceFile) -> None:
    if not selectors.response_may_add_progress(user=actor, response=evidence.response):
        raise PermissionDenied("Only the response's owner or a lead can remove evidence.")
    stored = evidence.file
    evidence.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


# ---------------------------------------------------------------------------------------------
# Feedback letters


def _default_letter(activity: Activity) -> dict:
    ended = activity.ends_on.strftime("%-d %B %Y")
    return {
        "subject": f"What happened after “{activity.title}”",
        "opening": (
            f"Thank you for taking part in {activity.title}, which finished on {ended}. "
            "You gave us your time and your experience. This letter tells you what we have "
            "done with what you said, what we are going to do, and what we decided not to do "
            "and why."
        ),
        "closing": (
            "If anything here is not what you expected, or you want to talk about it, please "
            "get in touch. You can also change your mind about how we use what you said at any "
            "time."
        ),
    }


@transaction.atomic
def letter_draft_start(*, actor: User, activity: Activity) -> FeedbackLetter:
    """The activity's draft letter, started with plain-English words if there is none."""
    _check_may_manage(actor, activity.organisation_id)
    activity = Activity.objects.get(pk=activity.pk)
    if activity.is_cancelled:
        raise ValidationError("This activity was cancelled, so there is nothing to feed back.")
    draft = selectors.letter_draft_for(activity=activity)
    if draft is not None:
        return draft
    try:
        with transaction.atomic():
            return FeedbackLetter.objects.create(
                organisation_id=activity.organisation_id,
                activity=activity,
                created_by=actor,
                **_default_letter(activity),
            )
    except IntegrityError:  # someone else started one at the same moment
        return selectors.letter_draft_for(activity=activity)


@transaction.atomic
def letter_update(
    *, actor: User, letter: FeedbackLetter, subject: str, opening: str, closing: str
) -> FeedbackLetter:
    _check_may_manage(actor, letter.organisation_id)
    letter = FeedbackLetter.objects.select_for_update(of=("self",)).get(pk=letter.pk)
    if letter.is_sent:
        raise ValidationError("This letter has been sent, so it can't be changed.")
    subject, opening, closing = _text(subject), _text(opening), _text(closing)
    errors = {}
    if not subject:
        errors["subject"] = "Give the letter a title."
    elif len(subject) > 200:
        errors["subject"] = "Keep the title under 200 characters."
    if not opening:
        errors["opening"] = "Write a few words to open the letter."
    for name, value in (("opening", opening), ("closing", closing)):
        if len(value) > MAX_TEXT:
            errors[name] = "Keep this under 10,000 characters."
    if errors:
        raise ValidationError(errors)
    letter.subject, letter.opening, letter.closing = subject, opening, closing
    letter.save(update_fields=["subject", "opening", "closing", "updated_at"])
    return letter


def _delivery(person: Person, may_contact: bool) -> str:
    if not may_contact:
        return Delivery.PORTAL if person.user_id else Delivery.NOT_CONTACTED
    if (
        person.email
        and person.contact_channel == ContactChannel.EMAIL
        and not person.check_with_support_contact
    ):
        return Delivery.EMAIL
    if person.user_id and person.contact_channel == ContactChannel.EMAIL:
        return Delivery.PORTAL
    return Delivery.POST


def delivery_for(person: Person) -> str:
    """How a letter reaches a person: email when that is how they like to be contacted and
    they agree to be contacted now (not resting, not "ask my support contact first"); in their
    portal only, when they may not be contacted but have a portal (or like email but gave no
    address); a printed letter to post otherwise; not at all when they may not be contacted and
    have no portal."""
    return _delivery(person, may_we(person=person, purpose=ConsentPurpose.CONTACT).allowed)


def deliveries_for(people: list[Person]) -> dict[int, str]:
    """`delivery_for` for many people at once, in one query (the same consent rule in SQL)."""
    ids = [p.pk for p in people]
    contactable = set(
        people_who_may(
            Person.objects.filter(pk__in=ids), purpose=ConsentPurpose.CONTACT
        ).values_list("pk", flat=True)
    )
    return {p.pk: _delivery(p, p.pk in contactable) for p in people}


@transaction.atomic
def letter_send(
    *, actor: User, letter: FeedbackLetter, domain: str = "localhost", use_https: bool = False
) -> list[FeedbackRecipient]:
    """Send a letter: record who it went to and how, mark the contributions it reported back
    on, and queue the emails. Refused while any contribution still has no response."""
    _check_may_manage(actor, letter.organisation_id)
    letter = FeedbackLetter.objects.select_for_update(of=("self",)).get(pk=letter.pk)
    if letter.is_sent:
        raise ValidationError("This letter has already been sent.")
    activity = selectors.activity_loop_get(activity=letter.activity)
    if activity.is_cancelled:
        raise ValidationError("This activity was cancelled, so there is nothing to feed back.")
    if activity.without_response:
        raise ValidationError(
            f"{activity.without_response} contribution"
            f"{' still has' if activity.without_response == 1 else 's still have'} no "
            "response. Answer every contribution first, so nobody is left without an answer."
        )
    now = timezone.now()
    today = timezone.localdate()
    audience = list(selectors.letter_audience(activity=activity))
    deliveries = deliveries_for(audience)
    recipients = [
        FeedbackRecipient(
            letter=letter, person=person, delivery=deliveries[person.pk], sent_on=today
        )
        for person in audience
    ]
    recipients += [
        FeedbackRecipient(
            letter=letter,
            group_label=group["group_label"],
            group_consent_held_by=group["group_consent_held_by"],
            delivery=Delivery.PARTNER,
            sent_on=today,
        )
        for group in selectors.group_labels_for(activity=activity)
    ]
    FeedbackRecipient.objects.bulk_create(recipients)
    live = Contribution.objects.filter(
        activity=activity, withdrawn_at__isnull=True, purged_at__isnull=True
    )
    letter.contributions.set(live.filter(response_links__isnull=False).distinct())
    letter.responses.set(Response.objects.filter(activity=activity))
    letter.status = LetterStatus.SENT
    letter.sent_at = now
    letter.sent_on = today
    letter.sent_by = actor
    letter.save()
    from .tasks import feedback_emails_send

    transaction.on_commit(
        lambda: feedback_emails_send.enqueue(
            letter_id=letter.pk, domain=domain, use_https=use_https
        )
    )
    return list(letter.recipients.select_related("person"))


@transaction.atomic
def letter_posted_mark(*, actor: User, recipient: FeedbackRecipient, posted: bool = True) -> None:
    """Staff record that a printed letter went in the post (or take that back)."""
    _check_may_manage(actor, recipient.letter.organisation_id)
    if recipient.delivery != Delivery.POST:
        raise ValidationError("Only printed letters are posted.")
    recipient.posted_on = timezone.localdate() if posted else None
    recipient.save(update_fields=["posted_on"])


def letter_read_mark(*, person: Person, recipient: FeedbackRecipient) -> None:
    """The person opened the letter in their portal (first time only)."""
    if recipient.person_id != person.pk or recipient.read_at is not None:
        return
    FeedbackRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def group_replies_record(
    *,
    actor: User,
    letter: FeedbackLetter,
    group_label: str,
    replies: list[str],
    group_held_by: str | None = None,
    kind: str = ContributionKind.VIEW,
    use_level: int | None = None,
) -> list[Contribution]:
    """Record what an anonymous group said back after its partner shared the letter, as new
    contributions of the activity (which opens the loop again, so they get responses too).
    All or nothing; errors name the reply's line."""
    _check_may_manage(actor, letter.organisation_id)
    if not letter.is_sent:
        raise ValidationError("Send the letter before recording replies to it.")
    groups = letter.recipients.filter(delivery=Delivery.PARTNER, group_label=group_label)
    if group_held_by is not None:
        groups = groups.filter(group_consent_held_by=group_held_by)
    group = groups.first()
    if group is None:
        raise ValidationError({"group_label": "Choose a group this letter was shared with."})
    replies = [_text(r) for r in replies if _text(r)]
    if not replies:
        raise ValidationError({"replies": "Enter at least one reply, one per line."})
    if len(replies) > MAX_GROUP_REPLIES:
        raise ValidationError({"replies": f"Enter up to {MAX_GROUP_REPLIES} replies at a time."})
    if use_level is None:
        use_level = (
            Contribution.objects.filter(
                activity=letter.activity,
                group_label=group_label,
                group_consent_held_by=group.group_consent_held_by,
                person=None,
            )
            .order_by("-pk")
            .values_list("use_level", flat=True)
            .first()
            or UseLevel.INTERNAL
        )
    created, errors = [], {}
    for number, text in enumerate(replies, start=1):
        try:
            contribution = contribution_create(
                actor=actor,
                activity=letter.activity,
                group_label=group_label,
                group_consent_held_by=group.group_consent_held_by,
                use_level=use_level,
                text=text,
                kind=kind,
            )
        except ValidationError as error:
            errors[f"Reply {number}"] = "; ".join(error.messages)
            continue
        created.append(contribution)
    if errors:
        raise ValidationError({"replies": [f"{k}: {v}" for k, v in errors.items()]})
    GroupReply.objects.bulk_create([GroupReply(letter=letter, contribution=c) for c in created])
    return created


# ---------------------------------------------------------------------------------------------
# Batched updates after feedback


@transaction.atomic
def changes_announce(*, now: datetime.datetime | None = None) -> list[ChangeNotice]:
    """Tell each person, in one update, about every change to the responses they were sent
    since their last update. Changes that concern nobody who may hear (everyone withdrew, say)
    are marked announced too. Returns the notices created; emails are queued per notice for
    people who may be emailed."""
    now = now or timezone.now()
    pending = list(
        selectors.changes_pending().select_for_update(of=("self",)).values_list("pk", flat=True)
    )
    if not pending:
        return []
    people = selectors.people_to_tell_about(change_ids=pending)
    by_pk = Person.objects.in_bulk(list(people))
    deliveries = deliveries_for(list(by_pk.values()))
    notices = []
    for person_id, change_ids in people.items():
        person = by_pk[person_id]
        emailed = deliveries[person_id] == Delivery.EMAIL
        notice = ChangeNotice.objects.create(person=person, sent_at=now, emailed=emailed)
        notice.changes.set(change_ids)
        notices.append(notice)
    ResponseChange.objects.filter(pk__in=pending).update(announced_at=now)
    email_ids = [n.pk for n in notices if n.emailed]
    if email_ids:
        from .tasks import change_notice_emails_send

        transaction.on_commit(lambda: change_notice_emails_send.enqueue(notice_ids=email_ids))
    return notices


# ---------------------------------------------------------------------------------------------
# Reminders


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Send each member of staff one digest of what they must answer soon: their responses due
    within 7 days or overdue, activities whose feedback is due within 7 days or overdue, and
    whatever other apps registered (see reminders.py: improvement actions, say). The digest is
    recorded before the email goes, in its own transaction, so running this twice in a day
    (cron and the worker, say) sends each email once. Returns emails sent."""
    from . import reminders
    from .tasks import reminder_email_send

    today = today or timezone.localdate()
    sent = 0
    digests = selectors.staff_to_remind(today=today)
    sections = reminders.sections_due(today=today)
    for user_id in [*digests, *(u for u in sections if u not in digests)]:
        items = digests.get(user_id) or {"responses": [], "activities": []}
        theirs = sections.get(user_id, [])
        try:
            with transaction.atomic():
                ReminderDigest.objects.create(
                    user_id=user_id,
                    sent_on=today,
                    responses=len(items["responses"]),
                    activities=len(items["activities"]),
                    others={section.key: section.count for section in theirs},
                )
                for section in theirs:
                    if section.source.record is not None:
                        section.source.record(user_id=user_id, items=section.items, today=today)
        except IntegrityError:
            continue  # already reminded today
        sent += reminder_email_send(user_id=user_id, today=today, items=items, sections=theirs)
    return sent


# ---------------------------------------------------------------------------------------------
# The public page


@transaction.atomic
def public_page_update(
    *, actor: User, organisation: Organisation, is_published: bool, introduction: str
) -> PublicPage:
    _check_may_manage(actor, organisation.pk)
    introduction = _text(introduction)
    if len(introduction) > 3000:
        raise ValidationError({"introduction": "Keep the introduction under 3,000 characters."})
    page, _ = PublicPage.objects.get_or_create(organisation=organisation)
    if is_published and not page.is_published:
        page.published_at = timezone.now()
    page.is_published = is_published
    page.introduction = introduction
    page.save()
    return page
