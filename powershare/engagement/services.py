"""Every write about activities, invitations and contributions.

Rules enforced here (not in views):
* only roles that can MANAGE_ENGAGEMENT in the activity's organisation plan activities, invite
  people, record taking part and capture contributions; wellbeing notes need
  VIEW_WELLBEING_NOTES;
* every activity promises a feedback date; without one it is the end date plus the
  organisation's number of days (28 unless changed);
* nobody is invited without having agreed to be contacted; people who have left are never
  invited;
* a person answers their own invitation, and may decline without a reason or leave at any time;
* a contribution's use level never exceeds what its person has agreed to when it is recorded
  (and is checked again, live, whenever it is shown: selectors.contributions_usable_for);
* redaction replaces the words and keeps no copy of them; withdrawal hides a contribution
  everywhere at once, and its words are erased after the grace period.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.people.models import ConsentPurpose, Person
from powershare.people.selectors import may_we

from . import selectors
from .models import (
    REDACTED,
    USE_PURPOSE,
    Activity,
    ActivityQuestion,
    Contribution,
    ContributionKind,
    ContributionSource,
    EngagementSettings,
    Invitation,
    InvitationStatus,
    Ladder,
    LadderRung,
    Redaction,
    UseLevel,
)

MAX_QUESTIONS = 20

ACTIVITY_FIELDS = (
    "title",
    "purpose",
    "kind",
    "starts_on",
    "ends_on",
    "times",
    "venue",
    "setting",
    "content_notes",
    "support_before",
    "support_during",
    "support_after",
    "payment_offered",
    "feedback_due_on",
    "ladder",
    "rung",
    "lundy_space",
    "lundy_space_note",
    "lundy_voice",
    "lundy_voice_note",
    "lundy_audience",
    "lundy_audience_note",
    "lundy_influence",
    "lundy_influence_note",
)


def _check_may_manage(actor: User, organisation_id: int) -> None:
    if not user_can(
        user=actor, capability=Capability.MANAGE_ENGAGEMENT, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't run this organisation's activities.")


# ---------------------------------------------------------------------------------------------
# Settings


@transaction.atomic
def engagement_settings_update(
    *, actor: User, organisation_id: int, feedback_due_days: int, default_ladder: Ladder | None
) -> EngagementSettings:
    """Change an organisation's defaults for new activities (existing ones keep their dates)."""
    _check_may_manage(actor, organisation_id)
    if not 1 <= feedback_due_days <= 365:
        raise ValidationError({"feedback_due_days": "Enter a number of days from 1 to 365."})
    if default_ladder is not None and default_ladder.organisation_id not in (
        None,
        organisation_id,
    ):
        raise ValidationError({"default_ladder": "Choose a ladder from the list."})
    found, _ = EngagementSettings.objects.select_for_update().get_or_create(
        organisation_id=organisation_id
    )
    found.feedback_due_days = feedback_due_days
    found.default_ladder = default_ladder
    found.save()
    return found


# ---------------------------------------------------------------------------------------------
# Activities


#: Dates an activity may have: far enough either way for any real plan, and never so far that
#: adding the feedback days runs past the calendar.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2200


def _check_dates(activity: Activity) -> None:
    errors = {}
    for name in ("starts_on", "ends_on", "feedback_due_on"):
        day = getattr(activity, name)
        if day and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            errors[name] = f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}."
    if errors:
        raise ValidationError(errors)


def _clean_activity(activity: Activity) -> None:
    errors = {}
    if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date."
    if (
        activity.ends_on
        and activity.feedback_due_on
        and activity.feedback_due_on < activity.ends_on
    ):
        errors["feedback_due_on"] = (
            "The feedback date must be on or after the day the activity ends: people hear "
            "what came of it afterwards."
        )
    if activity.rung_id and activity.ladder_id and activity.rung.ladder_id != activity.ladder_id:
        errors["rung"] = "Choose a rung of the ladder you chose."
    if activity.ladder_id and activity.ladder.organisation_id not in (
        None,
        activity.organisation_id,
    ):
        errors["ladder"] = "Choose a ladder from the list."
    if errors:
        raise ValidationError(errors)


def _questions_set(activity: Activity, questions: list[str]) -> None:
    """Replace the activity's questions, keeping the ones whose wording is unchanged (so the
    contributions that answer them stay linked)."""
    texts = [q.strip() for q in questions if q and q.strip()]
    if len(texts) > MAX_QUESTIONS:
        raise ValidationError({"questions": f"Ask at most {MAX_QUESTIONS} questions."})
    if any(len(t) > 500 for t in texts):
        raise ValidationError({"questions": "Keep each question under 500 characters."})
    existing = {q.text: q for q in activity.questions.all()}
    keep = set()
    for position, text in enumerate(texts, start=1):
        question = existing.get(text)
        if question is None:
            question = ActivityQuestion(activity=activity, text=text)
        question.position = position
        question.save()
        keep.add(question.pk)
    activity.questions.exclude(pk__in=keep).delete()


@transaction.atomic
def activity_create(
    *,
    actor: User,
    organisation_id: int,
    questions: list[str] = (),
    partners=(),
    **fields,
) -> Activity:
    """Plan a new activity. The feedback date defaults to the end date plus the
    organisation's number of days."""
    _check_may_manage(actor, organisation_id)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    activity = Activity(organisation_id=organisation_id, created_by=actor, **fields)
    _check_dates(activity)
    if not activity.ends_on:
        activity.ends_on = activity.starts_on
    if not activity.feedback_due_on and activity.ends_on:
        activity.feedback_due_on = selectors.feedback_due_default(
            organisation_id=organisation_id, ends_on=activity.ends_on
        )
    _clean_activity(activity)
    activity.save()
    activity.partners.set([p for p in partners if p.pk != organisation_id])
    _questions_set(activity, list(questions))
    return activity


@transaction.atomic
def activity_update(
    *, actor: User, activity: Activity, questions: list[str] | None = None, partners=None, **fields
) -> Activity:
    _check_may_manage(actor, activity.organisation_id)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    ladder_before = activity.ladder_id
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_dates(activity)
    if not activity.ends_on:
        activity.ends_on = activity.starts_on
    if not activity.feedback_due_on:
        activity.feedback_due_on = selectors.feedback_due_default(
            organisation_id=activity.organisation_id, ends_on=activity.ends_on
        )
    _clean_activity(activity)
    activity.save()
    if activity.ladder_id != ladder_before:
        # People answered "how much say" on the old ladder's rungs, which mean nothing on the
        # new one: their answers are cleared (and they can answer again).
        Invitation.objects.filter(activity=activity, felt_rung__isnull=False).update(
            felt_rung=None, felt_recorded_at=None
        )
    if partners is not None:
        activity.partners.set([p for p in partners if p.pk != activity.organisation_id])
    if questions is not None:
        _questions_set(activity, list(questions))
    return activity


@transaction.atomic
def activity_cancel(*, actor: User, activity: Activity) -> Activity:
    """Cancel an activity. Nothing is deleted: what people already said stays theirs."""
    _check_may_manage(actor, activity.organisation_id)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.cancelled_at is None:
        activity.cancelled_at = timezone.now()
        activity.save(update_fields=["cancelled_at", "updated_at"])
    return activity


# ---------------------------------------------------------------------------------------------
# Invitations


@transaction.atomic
def invitations_send(
    *,
    actor: User,
    activity: Activity,
    people: list[Person],
    domain: str = "localhost",
    use_https: bool = False,
) -> list[Invitation]:
    """Invite people to an activity. Everyone must have agreed to be contacted (resting,
    topics to avoid and being asked before are warnings on the page, not refusals). People
    already invited are left as they are. Returns the new invitations."""
    _check_may_manage(actor, activity.organisation_id)
    # One invitation round at a time per activity: two forms sent at once with the same
    # person in both would otherwise both find them not yet invited (a unique-key error).
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.is_cancelled:
        raise ValidationError("This activity was cancelled, so nobody can be invited to it.")
    people = [p for p in people if p.organisation_id == activity.organisation_id]
    candidates = selectors.candidates_checked(activity=activity, people=people)
    errors = [
        f"{c.person.name}: {c.blocked}"
        for c in candidates
        if c.blocked and c.blocked != "Already invited to this activity."
    ]
    if errors:
        raise ValidationError({"people": errors})
    created = []
    for candidate in candidates:
        if candidate.blocked:
            continue
        created.append(
            Invitation.objects.create(
                activity=activity,
                person=candidate.person,
                invited_by=actor,
                warnings_at_invitation=candidate.warnings,
            )
        )
    if created:
        from .tasks import invitation_emails_send

        ids = [i.pk for i in created]
        transaction.on_commit(
            lambda: invitation_emails_send.enqueue(
                invitation_ids=ids, domain=domain, use_https=use_https
            )
        )
    return created


@transaction.atomic
def invitation_reopen(
    *, actor: User, invitation: Invitation, domain: str = "localhost", use_https: bool = False
) -> Invitation:
    """Ask again someone whose invitation was withdrawn, said no to or left (a trainer
    commissioned again for the same course, say). The same checks as a first invitation:
    they must still agree to be contacted. One already waiting or taking part is left as it is."""
    _check_may_manage(actor, invitation.activity.organisation_id)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status in (InvitationStatus.INVITED, InvitationStatus.ACCEPTED):
        return invitation
    if invitation.activity.is_cancelled:
        raise ValidationError("This activity was cancelled, so nobody can be invited to it.")
    person = invitation.person
    candidate = selectors.candidates_checked(activity=invitation.activity, people=[person])[0]
    if candidate.blocked and candidate.blocked != "Already invited to this activity.":
        raise ValidationError({"people": [f"{person.name}: {candidate.blocked}"]})
    invitation.status = InvitationStatus.INVITED
    invitation.invited_by = actor
    invitation.invited_at = timezone.now()
    invitation.answered_at = None
    invitation.decline_reason = ""
    invitation.left_at = None
    invitation.warnings_at_invitation = candidate.warnings
    invitation.save()
    from .tasks import invitation_emails_send

    ids = [invitation.pk]
    transaction.on_commit(
        lambda: invitation_emails_send.enqueue(
            invitation_ids=ids, domain=domain, use_https=use_https
        )
    )
    return invitation


def _check_own_invitation(user: User, invitation: Invitation) -> None:
    if invitation.person.user_id is None or invitation.person.user_id != user.pk:
        raise PermissionDenied("This is not your invitation.")


@transaction.atomic
def invitation_answer(
    *, user: User, invitation: Invitation, accept: bool, reason: str = ""
) -> Invitation:
    """The person answers their own invitation: yes, or no with no reason needed. They can
    change their mind while the activity has not ended."""
    _check_own_invitation(user, invitation)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("activity")
        .get(pk=invitation.pk)
    )
    if invitation.status == InvitationStatus.WITHDRAWN:
        raise ValidationError("This invitation was withdrawn.")
    if invitation.activity.is_cancelled:
        raise ValidationError("This activity was cancelled.")
    if invitation.activity.has_ended:
        raise ValidationError("This activity has finished.")
    if accept and not may_we(
        person=invitation.person, purpose=ConsentPurpose.TAKE_PART, respect_rest=False
    ):
        raise ValidationError(
            {
                "answer": "To say yes, first tell us you are happy to take part in activities "
                "(in Your choices)."
            }
        )
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.decline_reason = "" if accept else reason.strip()[:2000]
    invitation.answered_at = timezone.now()
    invitation.left_at = None
    invitation.save()
    return invitation


@transaction.atomic
def invitation_leave(*, user: User, invitation: Invitation, on_behalf: bool = False) -> Invitation:
    """Leave an activity at any time. The person does it themselves, or staff record it for
    them (on_behalf). What they said so far stays theirs to keep or withdraw."""
    if on_behalf:
        _check_may_manage(user, invitation.activity.organisation_id)
    else:
        _check_own_invitation(user, invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.ACCEPTED:
        raise ValidationError("Only someone taking part can leave.")
    invitation.status = InvitationStatus.LEFT
    invitation.left_at = timezone.now()
    invitation.save()
    return invitation


@transaction.atomic
def invitation_withdraw(
    *, actor: User, invitation: Invitation, stand_down: bool = False
) -> Invitation:
    """Staff take back an invitation that has not been answered yet (sent by mistake). With
    `stand_down`, one already accepted is taken back too: the piece of work it was for no
    longer needs them (a trainer's commission cancelled, say)."""
    _check_may_manage(actor, invitation.activity.organisation_id)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    allowed = {InvitationStatus.INVITED} | ({InvitationStatus.ACCEPTED} if stand_down else set())
    if invitation.status not in allowed:
        raise ValidationError("Only an invitation still waiting for an answer can be withdrawn.")
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.save()
    return invitation


INVITATION_STAFF_FIELDS = (
    "access_arrangements",
    "attended",
    "debrief_offered",
    "debrief_done",
    "wellbeing_note",
)


@transaction.atomic
def invitation_update(*, actor: User, invitation: Invitation, **fields) -> Invitation:
    """Record access arrangements, attendance, the debrief and (participation leads only) a
    wellbeing check-in note."""
    organisation_id = invitation.activity.organisation_id
    _check_may_manage(actor, organisation_id)
    unknown = set(fields) - set(INVITATION_STAFF_FIELDS)
    if unknown:
        raise TypeError(f"Unknown invitation fields: {sorted(unknown)}")
    if "wellbeing_note" in fields and not user_can(
        user=actor, capability=Capability.VIEW_WELLBEING_NOTES, organisation_id=organisation_id
    ):
        raise PermissionDenied("Only participation leads write wellbeing notes.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    for name, value in fields.items():
        setattr(invitation, name, value)
    if invitation.debrief_done:
        invitation.debrief_offered = True
    if invitation.attended and invitation.status == InvitationStatus.INVITED:
        raise ValidationError(
            {"attended": "They have not said yes yet. Record their answer before attendance."}
        )
    if invitation.attended and invitation.status in (
        InvitationStatus.DECLINED,
        InvitationStatus.WITHDRAWN,
    ):
        raise ValidationError(
            {"attended": "They said no, or the invitation was withdrawn, so they can't have come."}
        )
    invitation.save()
    return invitation


@transaction.atomic
def invitation_felt_say_record(
    *, user: User, invitation: Invitation, rung: LadderRung | None
) -> Invitation:
    """The person says how much say they felt they had, on the activity's own ladder (or
    takes their answer back with None)."""
    _check_own_invitation(user, invitation)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("activity")
        .get(pk=invitation.pk)
    )
    if invitation.status not in (InvitationStatus.ACCEPTED, InvitationStatus.LEFT):
        raise ValidationError("Only people who took part can answer this.")
    if rung is not None and rung.ladder_id != invitation.activity.ladder_id:
        raise ValidationError({"rung": "Choose one of the answers on the list."})
    invitation.felt_rung = rung
    invitation.felt_recorded_at = timezone.now() if rung else None
    invitation.save()
    return invitation


# ---------------------------------------------------------------------------------------------
# Contributions


def contribution_check(
    *,
    activity: Activity,
    person: Person | None = None,
    group_label: str = "",
    group_consent_held_by: str = "",
    use_level: int | None,
    text: str,
    kind: str,
    question: ActivityQuestion | None = None,
    consented: dict[int, list[int]] | None = None,
    explain_consent: bool = True,
) -> dict:
    """Check one contribution before it is recorded; return the cleaned values (with the use
    level defaulted from consent) or raise ValidationError field by field. Bulk capture calls
    it row by row so each row gets its own messages; with `explain_consent=False` (staff who
    can't see the register) a refusal says what to choose, not why the person said no."""
    errors = {}
    text = (text or "").replace("\x00", "").strip()
    group_label = (group_label or "").strip()
    if not text:
        errors["text"] = "Enter what was said or made."
    elif len(text) > 10_000:
        errors["text"] = "Keep it under 10,000 characters, or split it into several."
    if kind not in ContributionKind.values:
        errors["kind"] = "Choose what kind of contribution this is."
    if question is not None and question.activity_id != activity.pk:
        errors["question"] = "Choose one of this activity's questions."
    if person is not None and group_label:
        errors["group_label"] = "Choose a person or name a group, not both."
    elif person is None and not group_label:
        errors["person"] = "Choose who said it, or name the group (like “young people, session 2”)."
    if person is not None:
        if person.organisation_id != activity.organisation_id or person.is_erased:
            errors["person"] = "Choose a person on this activity's register."
        else:
            if consented is not None and person.pk in consented:
                allowed = consented[person.pk]  # worked out for many rows at once
            else:
                allowed = selectors.use_levels_consented(person=person)
            if use_level is None:
                use_level = max(allowed) if allowed else None
                if use_level is None:
                    errors["use_level"] = (
                        f"{person.name} has not agreed to be quoted in any way, so what they "
                        "said can't be recorded for use. Ask them, and record their answer "
                        "on their consent page first."
                    )
            elif use_level not in UseLevel.values:
                errors["use_level"] = "Choose how widely it may be used."
            elif use_level not in allowed:
                label = UseLevel(use_level).label.lower()
                purpose = USE_PURPOSE[UseLevel(use_level)]
                # Why not (withdrawn, never asked, a guardian's agreement missing) is for
                # staff who may see the register; others are told only what to choose.
                why = f"{may_we(person=person, purpose=purpose).reason} " if explain_consent else ""
                errors["use_level"] = (
                    f"{person.name} has not agreed to this use ({label}). "
                    + why
                    + (
                        "Choose a narrower use: "
                        + ", ".join(UseLevel(level).label.lower() for level in allowed)
                        + "."
                        if allowed
                        else "They have not agreed to be quoted at all."
                    )
                )
    else:
        group_consent_held_by = (group_consent_held_by or "").strip()
        if use_level is None or use_level not in UseLevel.values:
            errors["use_level"] = "Choose the use the group agreed to."
        if group_label and not group_consent_held_by:
            errors["group_consent_held_by"] = (
                "Say who holds each member's consent (for example the partner organisation "
                "working with the group)."
            )
    if len(group_label) > 200:
        errors["group_label"] = "Keep the group's name under 200 characters."
    if errors:
        raise ValidationError(errors)
    return {
        "activity": activity,
        "person": person,
        "group_label": group_label if person is None else "",
        "group_consent_held_by": group_consent_held_by if person is None else "",
        "use_level": int(use_level),
        "text": text,
        "kind": kind,
        "question": question,
    }


@transaction.atomic
def contribution_create(*, actor: User, activity: Activity, **values) -> Contribution:
    """Record one contribution, captured by staff."""
    _check_may_manage(actor, activity.organisation_id)
    cleaned = contribution_check(activity=activity, **values)
    return Contribution.objects.create(
        organisation_id=activity.organisation_id, created_by=actor, **cleaned
    )


@transaction.atomic
def contributions_capture(*, actor: User, activity: Activity, rows: list[dict]) -> list:
    """Record many contributions at once (typed up after a session), all or nothing: any row
    with an error and none is recorded. Errors name the row: {row number: {field: message}}."""
    _check_may_manage(actor, activity.organisation_id)
    consented = selectors.use_levels_consented_for_many(
        people=list({row["person"].pk: row["person"] for row in rows if row.get("person")}.values())
    )
    cleaned, errors = [], {}
    for number, row in enumerate(rows, start=1):
        try:
            cleaned.append(contribution_check(activity=activity, consented=consented, **row))
        except ValidationError as error:
            errors[number] = error.message_dict
    if errors:
        raise ValidationError(
            [
                ValidationError(f"Row {number}, {field}: {' '.join(messages)}")
                for number, fields in errors.items()
                for field, messages in fields.items()
            ]
        )
    return Contribution.objects.bulk_create(
        [
            Contribution(organisation_id=activity.organisation_id, created_by=actor, **values)
            for values in cleaned
        ]
    )


@transaction.atomic
def contribution_add_by_self(
    *, user: User, invitation: Invitation, text: str, kind: str, question=None, use_level=None
) -> Contribution:
    """A person adds something they want to say about an activity they were part of."""
    _check_own_invitation(user, invitation)
    if invitation.status not in (InvitationStatus.ACCEPTED, InvitationStatus.LEFT):
        raise ValidationError("You can add your views to activities you took part in.")
    cleaned = contribution_check(
        activity=invitation.activity,
        person=invitation.person,
        use_level=use_level,
        text=text,
        kind=kind,
        question=question,
    )
    return Contribution.objects.create(
        organisation_id=invitation.activity.organisation_id,
        source=ContributionSource.PORTAL,
        **cleaned,
    )


def _check_may_act_for_contributor(user: User, contribution: Contribution, by_person: bool):
    if by_person:
        if contribution.person is None or contribution.person.user_id != user.pk:
            raise PermissionDenied("This is not your contribution.")
    else:
        _check_may_manage(user, contribution.organisation_id)


@transaction.atomic
def contribution_use_change(
    *, user: User, contribution: Contribution, use_level: int, by_person: bool
) -> Contribution:
    """Change how widely a contribution may be used: narrower at any time, wider only as far
    as the person has agreed."""
    _check_may_act_for_contributor(user, contribution, by_person)
    contribution = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=contribution.pk)
    )
    if contribution.is_withdrawn:
        raise ValidationError("This contribution was withdrawn.")
    if contribution.person is not None:
        allowed = selectors.use_levels_consented(person=contribution.person)
        if use_level not in allowed:
            raise ValidationError(
                {"use_level": "That use needs an agreement that has not been given."}
            )
    elif use_level not in UseLevel.values:
        raise ValidationError({"use_level": "Choose how widely it may be used."})
    narrowed = use_level < contribution.use_level
    contribution.use_level = use_level
    contribution.save(update_fields=["use_level", "updated_at"])
    if narrowed:
        from .signals import contribution_words_changed

        contribution_words_changed.send(
            sender=Contribution, contribution_ids=[contribution.pk], reason="use_narrowed"
        )
    return contribution


@transaction.atomic
def contribution_redact(
    *, user: User, contribution: Contribution, words: str, reason: str = "", by_person: bool
) -> Contribution:
    """Remove some words from a contribution: each place they appear is replaced by
    "[removed at the contributor's request]". The removed words are not kept anywhere (the
    change log records that the text changed, never the text)."""
    _check_may_act_for_contributor(user, contribution, by_person)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.is_withdrawn:
        raise ValidationError("This contribution was withdrawn, so there is nothing to remove.")
    words = (words or "").strip()
    if not words:
        raise ValidationError({"words": "Enter the words to remove, exactly as they appear."})
    if len(words) < 2:
        raise ValidationError({"words": "Enter at least two characters: a word or more."})
    if words not in contribution.text:
        raise ValidationError(
            {"words": "Those words don't appear in it. Copy them exactly as they appear."}
        )
    text, count = _replace_outside_notes(contribution.text, words)
    if not count:
        raise ValidationError(
            {"words": "Those words are part of a note saying what was already removed."}
        )
    contribution.text = text
    contribution.save(update_fields=["text", "updated_at"])
    Redaction.objects.create(
        contribution=contribution,
        asked_by=Redaction.AskedBy.PERSON if by_person else Redaction.AskedBy.STAFF_ON_BEHALF,
        recorded_by=user,
        reason=(reason or "").strip()[:300],
        characters_removed=len(words) * count,
    )
    _exports_refresh(contribution, reason="redacted")
    return contribution


def _replace_outside_notes(text: str, words: str) -> tuple[str, int]:
    """Replace each place `words` appear with the removal note, except where they overlap a
    note already there (so a note is never garbled). Returns the new text and how many."""
    notes = []
    start = text.find(REDACTED)
    while start != -1:
        notes.append((start, start + len(REDACTED)))
        start = text.find(REDACTED, start + len(REDACTED))
    pieces, count, position = [], 0, 0
    found = text.find(words)
    while found != -1:
        end = found + len(words)
        if not any(found < note_end and end > note_start for note_start, note_end in notes):
            pieces.append(text[position:found])
            pieces.append(REDACTED)
            position = end
            count += 1
            found = text.find(words, end)
        else:
            found = text.find(words, found + 1)
    pieces.append(text[position:])
    return "".join(pieces), count


@transaction.atomic
def contribution_withdraw(
    *, user: User, contribution: Contribution, by_person: bool
) -> Contribution:
    """Withdraw a whole contribution: from this moment it is shown nowhere (every page,
    export, report and API list asks selectors.contributions_usable_for). Its words are
    erased when the grace period ends (settings.CONTRIBUTION_PURGE_DAYS)."""
    _check_may_act_for_contributor(user, contribution, by_person)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.withdrawn_at is None:
        contribution.withdrawn_at = timezone.now()
        contribution.withdrawn_by_person = by_person
        contribution.withdrawn_by = user
        contribution.save(
            update_fields=["withdrawn_at", "withdrawn_by_person", "withdrawn_by", "updated_at"]
        )
        _exports_refresh(contribution, reason="withdrawn")
    return contribution


def _exports_refresh(contribution: Contribution, reason: str = "") -> None:
    """No prepared data export may keep words the person asked us to remove, and anything
    that quotes them (learning materials) is told."""
    from powershare.privacy.services import subject_access_exports_refresh

    from .signals import contribution_words_changed

    if reason:
        contribution_words_changed.send(
            sender=Contribution, contribution_ids=[contribution.pk], reason=reason
        )

    if contribution.person_id is not None:
        subject_access_exports_refresh(person=contribution.person)


def contributions_purge_withdrawn(*, now: datetime.datetime | None = None) -> int:
    """Erase the words of contributions withdrawn longer ago than the grace period. The row
    stays (without words or contributor) so counts of what was withdrawn stay right.
    Idempotent: run it as often as you like."""
    now = now or timezone.now()
    # A day early, so the daily run keeps the promise "deleted by <withdrawn + grace period>".
    cutoff = now - datetime.timedelta(days=settings.CONTRIBUTION_PURGE_DAYS - 1)
    with transaction.atomic():
        due = selectors.contributions_withdrawn_before(cutoff)
        ids = list(due.values_list("pk", flat=True)[:10_000])
        Redaction.objects.filter(contribution_id__in=ids).update(reason="")
        purged = Contribution.objects.filter(pk__in=ids).update(
            text="",
            person=None,
            group_label="[withdrawn]",
            group_consent_held_by="",
            purged_at=now,
        )
        _change_log_forget_contributors(ids)
        return purged


#: What the change log may have kept about who a contribution came from.
_CONTRIBUTOR_FIELDS = ("person", "group_label", "group_consent_held_by")


def _change_log_forget_contributors(contribution_ids: list[int]) -> None:
    """A purged contribution keeps no contributor, so neither does its change log: the
    entries still say what changed and when, with the contributor's values blanked."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if not contribution_ids:
        return
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contribution),
        object_id__in=contribution_ids,
    )
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if not any(name in changes for name in _CONTRIBUTOR_FIELDS):
            continue
        entry.changes = {
            name: (["[erased]", "[erased]"] if name in _CONTRIBUTOR_FIELDS else values)
            for name, values in changes.items()
        }
        entry.changes_text = ""
        entry.save(update_fields=["changes", "changes_text"])


def contributions_erase_for_person(person: Person, rows) -> None:
    """Erasure (privacy registry): the person's words go; the rows stay as anonymous counts."""
    now = timezone.now()
    ids = list(rows.values_list("pk", flat=True))
    Redaction.objects.filter(contribution_id__in=ids).update(reason="")
    Contribution.objects.filter(pk__in=ids).update(
        text="",
        person=None,
        group_label="[erased]",
        withdrawn_at=now,
        purged_at=now,
    )
    from .signals import contribution_words_changed

    contribution_words_changed.send(sender=Contribution, contribution_ids=ids, reason="erased")


# ---------------------------------------------------------------------------------------------
# An organisation's own ladders of participation
#
# Rules: only MANAGE_ENGAGEMENT in the ladder's organisation adds or changes it; the shipped
# ladders (no organisation) are never changed here; a ladder has 2 to 12 rungs; rungs are kept
# by position, so the activities and answers on a rung keep it when its words change, and a
# rung in use can't be removed or moved (new rungs go above the top one).

LADDER_MIN_RUNGS = 2
LADDER_MAX_RUNGS = 12
LADDER_NAME_MAX = 120
LADDER_DESCRIPTION_MAX = 2000
RUNG_NAME_MAX = 120
RUNG_DESCRIPTION_MAX = 300
RUNG_PLAIN_WORDS_MAX = 200


def _check_may_change_ladder(actor: User, ladder: Ladder) -> None:
    if ladder.organisation_id is None:
        raise PermissionDenied("The ladders that come with PowerShare can't be changed.")
    if not user_can(
        user=actor, capability=Capability.MANAGE_ENGAGEMENT, organisation_id=ladder.organisation_id
    ):
        raise PermissionDenied("You can't change this organisation's ladders.")


def _text(value) -> str:
    return " ".join(str(value or "").replace("\x00", "").split())


def _rung_values(rungs) -> list[dict]:
    """Rungs as {name, description, plain_words}, bottom first: from dicts with those keys,
    (name, what it means, plain words) sequences, or names alone. Plain words default to the
    name."""
    values = []
    for rung in rungs:
        if isinstance(rung, dict):
            parts = [rung.get("name"), rung.get("description"), rung.get("plain_words")]
        elif isinstance(rung, str):
            parts = [rung, "", ""]
        else:
            parts = [*list(rung), "", ""][:3]
        name, description, plain_words = (_text(part) for part in parts)
        values.append(
            {"name": name, "description": description, "plain_words": plain_words or name}
        )
    return values


def _ladder_errors(
    *, organisation_id: int, name: str, description: str, rungs: list[dict], exclude_pk=None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name for the ladder."]
    elif len(name) > LADDER_NAME_MAX:
        errors["name"] = [f"Keep the name to {LADDER_NAME_MAX} characters or fewer."]
    elif (
        Ladder.objects.filter(organisation_id=organisation_id, name__iexact=name)
        .exclude(pk=exclude_pk)
        .exists()
        or Ladder.objects.filter(organisation__isnull=True, name__iexact=name).exists()
    ):
        errors["name"] = [f"There is already a ladder called “{name}”. Give this one its own name."]
    if len(description) > LADDER_DESCRIPTION_MAX:
        errors["description"] = [
            f"Keep the description to {LADDER_DESCRIPTION_MAX:,} characters or fewer."
        ]
    problems = []
    if len(rungs) < LADDER_MIN_RUNGS:
        problems.append(f"Give at least {LADDER_MIN_RUNGS} rungs, from the least say to the most.")
    elif len(rungs) > LADDER_MAX_RUNGS:
        problems.append(f"Give at most {LADDER_MAX_RUNGS} rungs. There are {len(rungs)}.")
    first_with = {}
    for position, rung in enumerate(rungs, start=1):
        key = rung["name"].casefold()
        if not rung["name"]:
            problems.append(f"Rung {position}: give the rung a name.")
        elif len(rung["name"]) > RUNG_NAME_MAX:
            problems.append(
                f"Rung {position}: keep the name to {RUNG_NAME_MAX} characters or fewer."
            )
        elif key in first_with:
            problems.append(
                f"Rung {position}: “{rung['name']}” is already the name of rung "
                f"{first_with[key]}. Give each rung its own name."
            )
        else:
            first_with[key] = position
        if len(rung["description"]) > RUNG_DESCRIPTION_MAX:
            problems.append(
                f"Rung {position}: keep what it means to {RUNG_DESCRIPTION_MAX} characters or "
                "fewer."
            )
        if len(rung["plain_words"]) > RUNG_PLAIN_WORDS_MAX:
            problems.append(
                f"Rung {position}: keep the plain words to {RUNG_PLAIN_WORDS_MAX} characters or "
                "fewer."
            )
    if problems:
        errors["rungs"] = problems
    return errors


def _how_much_use(use: "selectors.RungUse") -> str:
    parts = []
    if use.activity_count:
        parts.append(f"{use.activity_count} activit{'y' if use.activity_count == 1 else 'ies'}")
    if use.answer_count:
        parts.append(
            "1 answer from someone who took part"
            if use.answer_count == 1
            else f"{use.answer_count} answers from people who took part"
        )
    return " and ".join(parts)


def _rungs_in_use_errors(uses: list, rungs: list[dict]) -> list[str]:
    """A rung that activities or answers use keeps its position: it may be renamed and
    re-worded, but not removed, moved, or replaced by another of the ladder's rungs."""
    new_names = [rung["name"].casefold() for rung in rungs]
    old_positions = {use.rung.name.casefold(): use.rung.position for use in uses}
    problems = []
    for use in uses:
        if not use.in_use:
            continue
        rung = use.rung
        position = rung.position
        name = rung.name.casefold()
        moved_to = next(
            (p for p, new in enumerate(new_names, start=1) if new == name and p != position), None
        )
        now_here = new_names[position - 1] if position <= len(new_names) else None
        if moved_to:
            what = f"it can't move to rung {moved_to}"
        elif now_here is None:
            what = "it can't be removed"
        elif now_here != name and old_positions.get(now_here, position) != position:
            what = (
                f"“{rungs[position - 1]['name']}” (now rung {old_positions[now_here]}) can't "
                "take its place"
            )
        else:
            continue
        problems.append(
            f"“{rung.name}” (rung {position}) is used by {_how_much_use(use)}, so {what}. Keep "
            f"it as rung {position}: you can change its words, and add new rungs above the top."
        )
    return problems


def _ladder_slug(organisation_id: int, name: str) -> str:
    """From the name, unique within the organisation (another ladder may have a similar name,
    or the same one once retired)."""
    from django.utils.text import slugify

    base = slugify(name)[:36].strip("-") or "ladder"
    taken = set(
        Ladder.objects.filter(organisation_id=organisation_id, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def ladder_create(
    *,
    actor: User,
    organisation_id: int,
    name: str,
    rungs,
    description: str = "",
    for_children_and_young_people: bool = False,
) -> Ladder:
    """Add an organisation's own ladder: its rungs are offered for new activities at once."""
    _check_may_manage(actor, organisation_id)
    name, description = _text(name), str(description or "").replace("\x00", "").strip()
    rungs = _rung_values(rungs)
    errors = _ladder_errors(
        organisation_id=organisation_id, name=name, description=description, rungs=rungs
    )
    if errors:
        raise ValidationError(errors)
    ladder = Ladder.objects.create(
        organisation_id=organisation_id,
        slug=_ladder_slug(organisation_id, name),
        name=name,
        description=description,
        for_children_and_young_people=bool(for_children_and_young_people),
    )
    for position, values in enumerate(rungs, start=1):
        LadderRung.objects.create(ladder=ladder, position=position, **values)
    return ladder


@transaction.atomic
def ladder_update(
    *,
    actor: User,
    ladder: Ladder,
    name: str,
    rungs,
    description: str = "",
    for_children_and_young_people: bool = False,
) -> Ladder:
    """Change an organisation's own ladder. Each rung is updated in place by its position, so
    activities and answers keep their rung; a rung in use can't be removed or moved."""
    _check_may_change_ladder(actor, ladder)
    ladder = Ladder.objects.select_for_update().get(pk=ladder.pk)
    _check_may_change_ladder(actor, ladder)
    name, description = _text(name), str(description or "").replace("\x00", "").strip()
    rungs = _rung_values(rungs)
    errors = _ladder_errors(
        organisation_id=ladder.organisation_id,
        name=name,
        description=description,
        rungs=rungs,
        exclude_pk=ladder.pk,
    )
    uses = selectors.ladder_rung_use(ladder=ladder)
    in_use = _rungs_in_use_errors(uses, rungs)
    if in_use:
        errors["rungs"] = [*errors.get("rungs", []), *in_use]
    if errors:
        raise ValidationError(errors)
    changed = False
    for use in uses:
        rung = use.rung
        rung.ladder = ladder  # for the change log's organisation, without another query
        if rung.position > len(rungs):
            rung.delete()
            changed = True
            continue
        values = rungs[rung.position - 1]
        if any(getattr(rung, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(rung, key, value)
            rung.save()
            changed = True
    for position in range(len(uses) + 1, len(rungs) + 1):
        LadderRung.objects.create(ladder=ladder, position=position, **rungs[position - 1])
        changed = True
    new_fields = {
        "name": name,
        "description": description,
        "for_children_and_young_people": bool(for_children_and_young_people),
    }
    if changed or any(getattr(ladder, key) != value for key, value in new_fields.items()):
        for key, value in new_fields.items():
            setattr(ladder, key, value)
        ladder.save()
    return ladder


@transaction.atomic
def ladder_retire(*, actor: User, ladder: Ladder, bring_back: bool = False) -> Ladder:
    """Retire an organisation's own ladder (or bring it back). A retired ladder is no longer
    offered for new activities; activities already on it keep their rung. If it was the
    organisation's first ladder for new activities, that setting is cleared."""
    _check_may_change_ladder(actor, ladder)
    ladder = Ladder.objects.select_for_update().get(pk=ladder.pk)
    _check_may_change_ladder(actor, ladder)
    if ladder.is_active != bring_back:
        ladder.is_active = bring_back
        ladder.save(update_fields=["is_active", "updated_at"])
    if not ladder.is_active:
        for found in EngagementSettings.objects.select_for_update().filter(default_ladder=ladder):
            found.default_ladder = None
            found.save()
    return ladder
