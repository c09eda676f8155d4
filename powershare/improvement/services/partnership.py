"""Partnership groups: their member organisations, meetings, attendance, agenda, partner
updates, decisions and actions, and the minutes that are agreed and then locked.

The organisation that owns a group runs it: only its MANAGE_IMPROVEMENT staff change anything.
Member organisations' staff read it (see selectors.scope.groups_visible). Once a meeting's
minutes are agreed, nothing recorded at that meeting changes any more: the minutes are the
record partners signed off.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from powershare.accounts.models import Organisation, User

from ..models import (
    Action,
    ActionSource,
    ActionUpdate,
    AgendaItem,
    AttendanceStatus,
    Decision,
    GroupMember,
    Meeting,
    MeetingAttendance,
    MeetingFormat,
    MinutesStatus,
    PartnershipGroup,
    PartnerUpdate,
)
from ._common import check_manages
from ._common import text as tidy
from .actions import action_create, action_progress_record

__all__ = [
    "agenda_item_add",
    "agenda_item_remove",
    "agenda_item_update",
    "arising_progress_record",
    "attendance_record",
    "decision_add",
    "decision_remove",
    "group_create",
    "group_update",
    "meeting_action_add",
    "meeting_create",
    "meeting_update",
    "member_add",
    "member_leave",
    "member_update",
    "minutes_agree",
    "partner_update_record",
]

MAX_AGENDA_ITEMS = 40
MAX_DECISIONS = 60


# ---------------------------------------------------------------------------------------------
# Checks


def _check_group(actor: User, group: PartnershipGroup) -> None:
    check_manages(actor, group.organisation_id)


def check_minutes_open(meeting: Meeting) -> None:
    """Agreed minutes are the record partners signed off: nothing of that meeting changes."""
    if meeting.minutes_status == MinutesStatus.AGREED:
        agreed = f" on {meeting.minutes_agreed_on:%-d %B %Y}" if meeting.minutes_agreed_on else ""
        raise ValidationError(
            {
                "minutes": f"The minutes of this meeting were agreed{agreed}, so what was "
                "recorded at it can't be changed. Record anything new at the next meeting."
            }
        )


def _check_meeting(actor: User, meeting: Meeting) -> None:
    check_manages(actor, meeting.group.organisation_id)
    check_minutes_open(meeting)


def _check_member_of(meeting: Meeting, member: GroupMember) -> None:
    if member.group_id != meeting.group_id:
        raise ValidationError({"member": "Choose one of this group's members."})


# ---------------------------------------------------------------------------------------------
# Groups and their members


def _clean_group(name: str, organisation_id: int, exclude_pk: int | None = None) -> str:
    name = tidy(name, 200)
    if not name:
        raise ValidationError({"name": "Enter the group's name."})
    clash = PartnershipGroup.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": "Your organisation already has a group with this name."})
    return name


@transaction.atomic
def group_create(
    *, actor: User, organisation: Organisation, name: str, purpose: str = ""
) -> PartnershipGroup:
    """A new group run by the organisation, which is its first member."""
    check_manages(actor, organisation.pk)
    group = PartnershipGroup.objects.create(
        organisation=organisation,
        created_by=actor,
        name=_clean_group(name, organisation.pk),
        purpose=tidy(purpose, 5000),
    )
    GroupMember.objects.create(group=group, organisation=organisation)
    return group


@transaction.atomic
def group_update(
    *, actor: User, group: PartnershipGroup, name: str, purpose: str = ""
) -> PartnershipGroup:
    _check_group(actor, group)
    group.name = _clean_group(name, group.organisation_id, exclude_pk=group.pk)
    group.purpose = tidy(purpose, 5000)
    group.save(update_fields=["name", "purpose", "updated_at"])
    return group


def _check_dates(joined_on, left_on) -> None:
    today = timezone.localdate()
    if joined_on and joined_on > today + datetime.timedelta(days=366):
        raise ValidationError({"joined_on": "Enter a day within the next year."})
    if left_on and left_on > today:
        raise ValidationError({"left_on": "The day it left can't be in the future."})
    if joined_on and left_on and left_on < joined_on:
        raise ValidationError({"left_on": "The day it left must be on or after the day it joined."})


@transaction.atomic
def member_add(
    *,
    actor: User,
    group: PartnershipGroup,
    organisation: Organisation,
    representatives: str = "",
    joined_on: datetime.date | None = None,
) -> GroupMember:
    """Add a member organisation. An organisation is listed once: one that left is brought
    back by changing its membership."""
    _check_group(actor, group)
    existing = GroupMember.objects.filter(group=group, organisation=organisation).first()
    if existing is not None:
        if existing.left_on:
            raise ValidationError(
                {
                    "organisation": f"{organisation.name} left the group on "
                    f"{existing.left_on:%-d %B %Y}. To bring it back, change its membership "
                    "and clear the day it left."
                }
            )
        raise ValidationError({"organisation": f"{organisation.name} is already a member."})
    _check_dates(joined_on, None)
    return GroupMember.objects.create(
        group=group,
        organisation=organisation,
        representatives=tidy(representatives, 300),
        joined_on=joined_on,
    )


@transaction.atomic
def member_update(
    *,
    actor: User,
    member: GroupMember,
    representatives: str = "",
    joined_on: datetime.date | None = None,
    left_on: datetime.date | None = None,
) -> GroupMember:
    """Who represents the organisation, and when it joined or left (clearing the day it left
    brings it back)."""
    _check_group(actor, member.group)
    _check_dates(joined_on, left_on)
    member.representatives = tidy(representatives, 300)
    member.joined_on = joined_on
    member.left_on = left_on
    member.save(update_fields=["representatives", "joined_on", "left_on"])
    return member


@transaction.atomic
def member_leave(
    *, actor: User, member: GroupMember, left_on: datetime.date | None = None
) -> GroupMember:
    """The organisation leaves the group: its past attendance and updates stay in the minutes."""
    _check_group(actor, member.group)
    left_on = left_on or timezone.localdate()
    _check_dates(member.joined_on, left_on)
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    return member


# ---------------------------------------------------------------------------------------------
# Meetings


def _clean_meeting(meeting: Meeting) -> None:
    errors = {}
    if meeting.format not in MeetingFormat.values:
        errors["format"] = "Choose online, in person, or in person and online."
    elif meeting.format != MeetingFormat.ONLINE and not meeting.place:
        errors["place"] = "Say where the meeting is, for a meeting in person."
    if meeting.met_on is None:
        errors["met_on"] = "Enter the day of the meeting."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    group: PartnershipGroup,
    met_on: datetime.date,
    format: str,  # noqa: A002 - the model's own field name
    place: str = "",
    chair: str = "",
    purpose: str = "",
) -> Meeting:
    """A meeting of the group, past or planned. Attendance is recorded on its own page, for
    every member at once, so nobody is shown as absent before anyone has said so."""
    _check_group(actor, group)
    meeting = Meeting(
        group=group,
        met_on=met_on,
        format=format,
        place=tidy(place, 200),
        chair=tidy(chair, 200),
        purpose=tidy(purpose, 5000),
        created_by=actor,
    )
    _clean_meeting(meeting)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    met_on: datetime.date,
    format: str,  # noqa: A002 - the model's own field name
    place: str = "",
    chair: str = "",
    purpose: str = "",
    minutes: str = "",
) -> Meeting:
    _check_meeting(actor, meeting)
    meeting.met_on = met_on
    meeting.format = format
    meeting.place = tidy(place, 200)
    meeting.chair = tidy(chair, 200)
    meeting.purpose = tidy(purpose, 5000)
    meeting.minutes = tidy(minutes, 50000)
    _clean_meeting(meeting)
    meeting.save()
    return meeting


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, rows: list[dict]) -> int:
    """Everyone's attendance at once: `rows` is [{"member", "status", "attended_by"}], one per
    member organisation. Returns how many attended."""
    _check_meeting(actor, meeting)
    if not rows:
        raise ValidationError({"attendance": "The group has no members to record yet."})
    seen = set()
    for row in rows:
        member = row["member"]
        _check_member_of(meeting, member)
        if member.pk in seen:
            raise ValidationError({"attendance": f"{member.organisation} is listed twice."})
        seen.add(member.pk)
        if row.get("status") not in AttendanceStatus.values:
            raise ValidationError(
                {"attendance": f"Say whether {member.organisation} attended or sent apologies."}
            )
    existing = {a.member_id: a for a in MeetingAttendance.objects.filter(meeting=meeting)}
    for row in rows:
        member = row["member"]
        attended_by = tidy(row.get("attended_by"), 300)
        found = existing.get(member.pk)
        if found is None:
            MeetingAttendance.objects.create(
                meeting=meeting, member=member, status=row["status"], attended_by=attended_by
            )
        elif (found.status, found.attended_by) != (row["status"], attended_by):
            found.status = row["status"]
            found.attended_by = attended_by
            found.save(update_fields=["status", "attended_by"])
    return sum(1 for row in rows if row["status"] == AttendanceStatus.PRESENT)


# ---------------------------------------------------------------------------------------------
# Agenda, partner updates and decisions


def _renumber(items) -> None:
    for order, item in enumerate(items, start=1):
        if item.order != order:
            item.order = order
            item.save(update_fields=["order"])


@transaction.atomic
def agenda_item_add(*, actor: User, meeting: Meeting, title: str, notes: str = "") -> AgendaItem:
    """An item at the end of the agenda."""
    _check_meeting(actor, meeting)
    title = tidy(title, 200)
    if not title:
        raise ValidationError({"title": "Enter the item's title, like “Updates from partners”."})
    count = AgendaItem.objects.filter(meeting=meeting).count()
    if count >= MAX_AGENDA_ITEMS:
        raise ValidationError({"title": f"An agenda can have up to {MAX_AGENDA_ITEMS} items."})
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(n=Max("order"))["n"] or 0
    return AgendaItem.objects.create(
        meeting=meeting, order=last + 1, title=title, notes=tidy(notes, 20000)
    )


@transaction.atomic
def agenda_item_update(
    *,
    actor: User,
    item: AgendaItem,
    title: str,
    notes: str = "",
    position: int | None = None,
) -> AgendaItem:
    """Change an item's words, and move it to `position` (1 is first) when given."""
    _check_meeting(actor, item.meeting)
    title = tidy(title, 200)
    if not title:
        raise ValidationError({"title": "Enter the item's title."})
    item.title = title
    item.notes = tidy(notes, 20000)
    item.save(update_fields=["title", "notes"])
    if position is not None:
        items = [i for i in AgendaItem.objects.filter(meeting_id=item.meeting_id) if i != item]
        if not 1 <= position <= len(items) + 1:
            raise ValidationError({"position": f"Choose a place from 1 to {len(items) + 1}."})
        items.insert(position - 1, item)
        _renumber(items)
    return item


@transaction.atomic
def agenda_item_remove(*, actor: User, item: AgendaItem) -> None:
    _check_meeting(actor, item.meeting)
    meeting_id = item.meeting_id
    item.delete()
    _renumber(list(AgendaItem.objects.filter(meeting_id=meeting_id)))


@transaction.atomic
def partner_update_record(
    *, actor: User, meeting: Meeting, member: GroupMember, text: str = ""
) -> PartnerUpdate | None:
    """A member's update at the meeting (one each). Blank words remove it."""
    words = tidy(text, 20000)
    _check_meeting(actor, meeting)
    _check_member_of(meeting, member)
    if not words:
        PartnerUpdate.objects.filter(meeting=meeting, member=member).delete()
        return None
    update, created = PartnerUpdate.objects.get_or_create(
        meeting=meeting, member=member, defaults={"text": words}
    )
    if not created and update.text != words:
        update.text = words
        update.save(update_fields=["text"])
    return update


@transaction.atomic
def decision_add(*, actor: User, meeting: Meeting, text: str) -> Decision:
    words = tidy(text, 5000)
    _check_meeting(actor, meeting)
    if not words:
        raise ValidationError({"text": "Say what the group decided."})
    if Decision.objects.filter(meeting=meeting).count() >= MAX_DECISIONS:
        raise ValidationError({"text": f"A meeting can record up to {MAX_DECISIONS} decisions."})
    last = Decision.objects.filter(meeting=meeting).aggregate(n=Max("order"))["n"] or 0
    return Decision.objects.create(meeting=meeting, order=last + 1, text=words)


@transaction.atomic
def decision_remove(*, actor: User, decision: Decision) -> None:
    _check_meeting(actor, decision.meeting)
    decision.delete()


# ---------------------------------------------------------------------------------------------
# Actions raised at a meeting, and matters arising


@transaction.atomic
def meeting_action_add(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    owner_organisation: Organisation | None = None,
    owner_name: str = "",
    due_on: datetime.date | None = None,
    description: str = "",
) -> Action:
    """An action agreed at the meeting, owned by one of the group's members (and, by name,
    the person there who will do it). It is carried to each following meeting's matters
    arising until it is done."""
    group = meeting.group
    _check_meeting(actor, meeting)
    if (
        owner_organisation is not None
        and not GroupMember.objects.filter(group=group, organisation=owner_organisation).exists()
    ):
        raise ValidationError({"owner_organisation": "Choose one of the group's members."})
    if due_on is not None and due_on < meeting.met_on:
        raise ValidationError({"due_on": "The due date can't be before the meeting."})
    later_agreed = (
        Meeting.objects.filter(
            group=group, minutes_status=MinutesStatus.AGREED, met_on__gt=meeting.met_on
        )
        .order_by("-met_on")
        .values_list("met_on", flat=True)
        .first()
    )
    if later_agreed is not None:
        # It would be carried to that meeting, whose agreed minutes can't say so any more.
        raise ValidationError(
            {
                "meeting": f"The minutes of the later meeting on {later_agreed:%-d %B %Y} are "
                "already agreed, so an action can't be added at this earlier meeting. "
                "Add it at the next meeting instead."
            }
        )
    return action_create(
        actor=actor,
        organisation=group.organisation,
        title=title,
        description=description,
        source=ActionSource.PARTNERSHIP_MEETING,
        group=group,
        meeting=meeting,
        owner_organisation=owner_organisation,
        owner_name=owner_name,
        due_on=due_on,
    )


@transaction.atomic
def arising_progress_record(
    *, actor: User, meeting: Meeting, action: Action, note: str = "", status: str = ""
) -> ActionUpdate:
    """Progress reported at the meeting on an action carried forward to it. The update is
    dated the day of the meeting (or today, for a meeting still to come)."""
    from ..selectors.partnership import meeting_arising

    _check_meeting(actor, meeting)
    if not meeting_arising(meeting=meeting).filter(pk=action.pk).exists():
        raise ValidationError({"action": "That action is not one of this meeting's matters."})
    return action_progress_record(
        actor=actor,
        action=action,
        note=note,
        status=status,
        meeting=meeting,
        written_on=min(meeting.met_on, timezone.localdate()),
    )


@transaction.atomic
def minutes_agree(
    *, actor: User, meeting: Meeting, agreed_on: datetime.date | None = None
) -> Meeting:
    """The group agrees the minutes (usually at its next meeting). From then on they and
    everything recorded at the meeting are locked, and the minutes show its matters arising
    and the actions raised at it as they were when agreed (Meeting.agreed_record), whatever
    happens to those actions later."""
    from ..selectors.partnership import meeting_record, record_snapshot

    _check_meeting(actor, meeting)
    today = timezone.localdate()
    if meeting.met_on > today:
        raise ValidationError({"minutes": "Minutes can be agreed once the meeting has met."})
    agreed_on = agreed_on or today
    if agreed_on < meeting.met_on or agreed_on > today:
        raise ValidationError(
            {"minutes": "The day they were agreed must be between the meeting and today."}
        )
    meeting.agreed_record = record_snapshot(meeting_record(meeting=meeting, today=today))
    meeting.minutes_status = MinutesStatus.AGREED
    meeting.minutes_agreed_on = agreed_on
    meeting.save(
        update_fields=["minutes_status", "minutes_agreed_on", "agreed_record", "updated_at"]
    )
    return meeting
