"""Partnership groups: what a member of staff may see of them, their meetings with everything
recorded at each (for the page and for the minutes), and the action log across meetings.

Every function here runs a fixed number of queries whatever the number of members, agenda
items or actions.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from powershare.accounts.models import Organisation, User

from ..models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    AttendanceStatus,
    Decision,
    GroupMember,
    Meeting,
    MeetingAttendance,
    MinutesStatus,
    PartnershipGroup,
    PartnerUpdate,
)
from .actions import raised_before, status_on, with_urgency
from .scope import can_manage, get_or_404, groups_visible, meetings_visible

__all__ = [
    "ACTION_LOG_STATUSES",
    "ArisingRow",
    "MeetingRecord",
    "MemberRow",
    "RaisedRow",
    "action_log",
    "action_raised_on",
    "agenda_item_get_for",
    "decision_get_for",
    "group_get_for",
    "group_list_for",
    "group_meeting_dates",
    "group_meetings",
    "group_members",
    "meeting_get_for",
    "meeting_arising",
    "meeting_members",
    "meeting_record",
    "member_get_for",
    "owner_organisation_choices",
    "owner_text",
    "record_snapshot",
    "times_carried",
]


def _count(queryset: QuerySet, outer: str = "pk", field_name: str = "group") -> Subquery:
    return Coalesce(
        Subquery(
            queryset.filter(**{field_name: OuterRef(outer)})
            .order_by()
            .values(field_name)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def group_list_for(*, user: User, today: datetime.date) -> QuerySet[PartnershipGroup]:
    """The groups the user's organisations run or belong to, each with its current members,
    its meetings, its open and overdue actions and when it last met and meets next."""
    current = GroupMember.objects.filter(left_on__isnull=True)
    open_actions = Action.objects.filter(status__in=OPEN_ACTION_STATUSES)
    return (
        groups_visible(user=user)
        .select_related("organisation")
        .annotate(
            member_count=_count(current),
            meeting_count=_count(Meeting.objects.all()),
            open_action_count=_count(open_actions),
            overdue_action_count=_count(open_actions.filter(due_on__lt=today)),
            last_met_on=Subquery(
                Meeting.objects.filter(group=OuterRef("pk"), met_on__lte=today)
                .order_by("-met_on")
                .values("met_on")[:1]
            ),
            next_meets_on=Subquery(
                Meeting.objects.filter(group=OuterRef("pk"), met_on__gt=today)
                .order_by("met_on")
                .values("met_on")[:1]
            ),
        )
        .order_by("name", "pk")
    )


#: The largest id a database column can hold (64-bit signed).
_MAX_ID = 2**63 - 1


def _number(pk) -> int:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such page") from None
    if not 0 < number <= _MAX_ID:
        raise Http404("No such page")
    return number


def group_get_for(*, user: User, pk: int, manage: bool = False) -> PartnershipGroup:
    """A group the user may see (or, with `manage`, change); any other is a 404."""
    group = get_or_404(groups_visible(user=user).select_related("organisation"), _number(pk))
    if manage and not can_manage(user, group.organisation_id):
        raise Http404("No such page")
    return group


def member_get_for(*, user: User, pk: int, manage: bool = False) -> GroupMember:
    member = get_or_404(
        GroupMember.objects.filter(group__in=groups_visible(user=user)).select_related(
            "group", "group__organisation", "organisation"
        ),
        _number(pk),
    )
    if manage and not can_manage(user, member.group.organisation_id):
        raise Http404("No such page")
    return member


def meeting_get_for(*, user: User, pk: int, manage: bool = False) -> Meeting:
    meeting = get_or_404(
        meetings_visible(user=user).select_related("group", "group__organisation"), _number(pk)
    )
    if manage and not can_manage(user, meeting.group.organisation_id):
        raise Http404("No such page")
    return meeting


def agenda_item_get_for(*, user: User, pk: int, manage: bool = False) -> AgendaItem:
    item = get_or_404(
        AgendaItem.objects.filter(meeting__in=meetings_visible(user=user)).select_related(
            "meeting", "meeting__group", "meeting__group__organisation"
        ),
        _number(pk),
    )
    if manage and not can_manage(user, item.meeting.group.organisation_id):
        raise Http404("No such page")
    return item


def decision_get_for(*, user: User, pk: int, manage: bool = False) -> Decision:
    decision = get_or_404(
        Decision.objects.filter(meeting__in=meetings_visible(user=user)).select_related(
            "meeting", "meeting__group", "meeting__group__organisation"
        ),
        _number(pk),
    )
    if manage and not can_manage(user, decision.meeting.group.organisation_id):
        raise Http404("No such page")
    return decision


def group_members(*, group: PartnershipGroup) -> list[GroupMember]:
    """Current members by name, then those who have left."""
    members = list(
        GroupMember.objects.filter(group=group)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    return [m for m in members if m.left_on is None] + [m for m in members if m.left_on]


def owner_organisation_choices(*, group: PartnershipGroup) -> QuerySet[Organisation]:
    """The organisations that may own an action raised at the group: its current members."""
    return Organisation.objects.filter(
        partnership_memberships__group=group, partnership_memberships__left_on__isnull=True
    ).order_by("name")


def group_meetings(*, group: PartnershipGroup) -> QuerySet[Meeting]:
    """The group's meetings, newest first, with attendance counts and actions raised."""
    return (
        Meeting.objects.filter(group=group)
        .annotate(
            present_count=Count(
                "attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)
            ),
            apologies_count=Count(
                "attendance", filter=Q(attendance__status=AttendanceStatus.APOLOGIES)
            ),
            recorded_count=Count("attendance"),
            actions_raised_count=_count(Action.objects.all(), outer="pk", field_name="meeting"),
        )
        .order_by("-met_on", "-pk")
    )


def meeting_members(*, meeting: Meeting) -> list[GroupMember]:
    """The members on the day of the meeting (joined by then, not yet left), and any other
    whose attendance was recorded at it, by name."""
    on_the_day = (Q(joined_on__isnull=True) | Q(joined_on__lte=meeting.met_on)) & (
        Q(left_on__isnull=True) | Q(left_on__gt=meeting.met_on)
    )
    return list(
        GroupMember.objects.filter(group_id=meeting.group_id)
        .filter(on_the_day | Q(attendance__meeting=meeting))
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "pk")
    )


def group_meeting_dates(*, group_id: int) -> list[datetime.date]:
    return sorted(Meeting.objects.filter(group_id=group_id).values_list("met_on", flat=True))


def action_raised_on(action: Action) -> datetime.date:
    """The meeting it was raised at, or the day it was added to the log between meetings."""
    if action.meeting_id is not None and action.meeting is not None:
        return action.meeting.met_on
    return action.created_at.date()


def times_carried(
    action: Action,
    dates: list[datetime.date],
    *,
    until: datetime.date,
    stop_when_finished: bool = True,
) -> int:
    """How many of the group's meetings after it was raised, up to `until` (and, unless told
    otherwise, up to the day it was finished), it has been carried to."""
    raised = action_raised_on(action)
    last = until
    if stop_when_finished and action.closed_on and action.closed_on < until:
        last = action.closed_on
    if last <= raised:
        return 0
    return bisect.bisect_right(dates, last) - bisect.bisect_right(dates, raised)


# ---------------------------------------------------------------------------------------------
# The action log


ACTION_LOG_STATUSES = [
    ("overdue", "Overdue"),
    ("open", "Open (not started or in progress)"),
    *ActionStatus.choices,
]


def action_log(
    *,
    group: PartnershipGroup,
    today: datetime.date,
    status: str = "",
    owner_organisation_id: int | None = None,
) -> QuerySet[Action]:
    """Every action of the group across its meetings: overdue first, then open ones by due
    date, then finished ones."""
    actions = Action.objects.filter(group=group).select_related(
        "meeting", "owner", "owner_organisation"
    )
    if status == "overdue":
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)
    elif status == "open":
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
    elif status in ActionStatus.values:
        actions = actions.filter(status=status)
    if owner_organisation_id:
        actions = actions.filter(owner_organisation_id=owner_organisation_id)
    return with_urgency(actions, today=today)


# ---------------------------------------------------------------------------------------------
# One meeting, everything recorded at it


@dataclass
class MemberRow:
    member: GroupMember
    attendance: MeetingAttendance | None = None
    update: PartnerUpdate | None = None

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else ""

    @property
    def status_label(self) -> str:
        return self.attendance.get_status_display() if self.attendance else "Not recorded"


def owner_text(action: Action) -> str:
    """Who will do it, as the minutes say it: "Programme lead (Improvement Service)"."""
    person = action.owner.full_name if action.owner_id and action.owner else action.owner_name
    organisation = action.owner_organisation.name if action.owner_organisation_id else ""
    if person and organisation:
        return f"{person} ({organisation})"
    return person or organisation or "Not given"


def _status_label(status: str) -> str:
    return ActionStatus(status).label if status in ActionStatus.values else status


@dataclass
class ArisingRow:
    """A matter arising as the meeting's record shows it: the action's words, owner and due
    date, and its status on the day of the meeting (for agreed minutes, as they were agreed)."""

    action_id: int
    title: str
    owner_text: str
    due_on: datetime.date | None
    status: str
    raised_on: datetime.date
    #: False for an action added to the log between meetings.
    raised_at_meeting: bool
    times_carried: int
    overdue: bool
    #: What was reported on it at this meeting, newest first.
    updates: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return _status_label(self.status)


@dataclass
class RaisedRow:
    """An action agreed at the meeting, as the meeting's record shows it."""

    action_id: int
    title: str
    owner_text: str
    due_on: datetime.date | None
    status: str
    overdue: bool

    @property
    def status_label(self) -> str:
        return _status_label(self.status)


@dataclass
class MeetingRecord:
    meeting: Meeting
    members: list[MemberRow]
    agenda: list[AgendaItem]
    arising: list[ArisingRow]
    decisions: list[Decision]
    actions: list[RaisedRow]
    #: Whether anyone's attendance has been recorded yet.
    attendance_recorded: bool

    def _with(self, status: str) -> list[MemberRow]:
        return [row for row in self.members if row.status == status]

    @property
    def present(self) -> list[MemberRow]:
        return self._with(AttendanceStatus.PRESENT)

    @property
    def apologies(self) -> list[MemberRow]:
        return self._with(AttendanceStatus.APOLOGIES)

    @property
    def absent(self) -> list[MemberRow]:
        return self._with(AttendanceStatus.ABSENT)

    @property
    def not_recorded(self) -> list[MemberRow]:
        return [row for row in self.members if not row.attendance]

    @property
    def partner_updates(self) -> list[MemberRow]:
        return [row for row in self.members if row.update]


def _overdue_at(action: Action, day: datetime.date) -> bool:
    """Whether the action was overdue on `day`: due before it and not finished by then."""
    if action.due_on is None or action.due_on >= day:
        return False
    return action.closed_on is None or action.closed_on > day


def meeting_arising(*, meeting: Meeting) -> QuerySet[Action]:
    """The meeting's matters arising (selectors.matters_arising), and any action raised before
    it whose progress was reported at this one: an action marked done at a meeting still to
    come (so dated today) stays on that meeting's record. Both come from the actions' dated
    history, so later changes don't alter an earlier meeting's list."""
    reported = ActionUpdate.objects.filter(meeting=meeting).values("action_id")
    return (
        Action.objects.filter(group_id=meeting.group_id)
        .filter(raised_before(meeting.met_on))
        .annotate(status_then=status_on(meeting.met_on))
        .filter(Q(status_then__in=OPEN_ACTION_STATUSES) | Q(pk__in=reported))
        .select_related("meeting", "owner", "owner_organisation")
        .order_by("meeting__met_on", "pk")
    )


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def record_snapshot(record: "MeetingRecord") -> dict:
    """What the record shows of the actions, to keep with agreed minutes (JSON)."""
    return {
        "version": 1,
        "arising": [
            {
                "action_id": row.action_id,
                "title": row.title,
                "owner": row.owner_text,
                "due_on": _iso(row.due_on),
                "status": row.status,
                "raised_on": _iso(row.raised_on),
                "raised_at_meeting": row.raised_at_meeting,
                "times_carried": row.times_carried,
                "overdue": row.overdue,
                "updates": list(row.updates),
            }
            for row in record.arising
        ],
        "actions": [
            {
                "action_id": row.action_id,
                "title": row.title,
                "owner": row.owner_text,
                "due_on": _iso(row.due_on),
                "status": row.status,
                "overdue": row.overdue,
            }
            for row in record.actions
        ],
    }


def _from_snapshot(snapshot: dict) -> tuple[list[ArisingRow], list[RaisedRow]]:
    arising = [
        ArisingRow(
            action_id=row["action_id"],
            title=row["title"],
            owner_text=row["owner"],
            due_on=_day(row["due_on"]),
            status=row["status"],
            raised_on=_day(row["raised_on"]),
            raised_at_meeting=row["raised_at_meeting"],
            times_carried=row["times_carried"],
            overdue=row["overdue"],
            updates=list(row["updates"]),
        )
        for row in snapshot.get("arising", [])
    ]
    actions = [
        RaisedRow(
            action_id=row["action_id"],
            title=row["title"],
            owner_text=row["owner"],
            due_on=_day(row["due_on"]),
            status=row["status"],
            overdue=row["overdue"],
        )
        for row in snapshot.get("actions", [])
    ]
    return arising, actions


def _live_actions(
    meeting: Meeting, today: datetime.date
) -> tuple[list[ArisingRow], list[RaisedRow]]:
    """Matters arising with each action's status on the day of the meeting (or today, for
    one still to come), and the actions raised at it as they stand: 4 queries."""
    as_of = min(meeting.met_on, today)
    carried = list(
        meeting_arising(meeting=meeting).annotate(status_at=status_on(as_of, inclusive=True))
    )
    reported: dict[int, list[str]] = {}
    for action_id, words in (
        ActionUpdate.objects.filter(meeting=meeting, action_id__in=[a.pk for a in carried])
        .order_by("-written_on", "-pk")
        .values_list("action_id", "text")
    ):
        reported.setdefault(action_id, []).append(words)
    dates = group_meeting_dates(group_id=meeting.group_id)
    arising = [
        ArisingRow(
            action_id=action.pk,
            title=action.title,
            owner_text=owner_text(action),
            due_on=action.due_on,
            status=action.status_at,
            raised_on=action_raised_on(action),
            raised_at_meeting=action.meeting_id is not None,
            times_carried=times_carried(
                action, dates, until=meeting.met_on, stop_when_finished=False
            ),
            overdue=(
                action.due_on is not None
                and action.due_on < as_of
                and action.status_at in OPEN_ACTION_STATUSES
            ),
            updates=reported.get(action.pk, []),
        )
        for action in carried
    ]
    actions = [
        RaisedRow(
            action_id=action.pk,
            title=action.title,
            owner_text=owner_text(action),
            due_on=action.due_on,
            status=action.status,
            overdue=_overdue_at(action, today),
        )
        for action in Action.objects.filter(meeting=meeting)
        .select_related("owner", "owner_organisation")
        .order_by("due_on", "pk")
    ]
    return arising, actions


def meeting_record(*, meeting: Meeting, today: datetime.date) -> MeetingRecord:
    """Everything recorded at a meeting, for its page and its minutes: at most 9 queries,
    whatever the number of members, items and actions. Agreed minutes show the actions as
    they were when the minutes were agreed (Meeting.agreed_record), whatever changed since."""
    members = meeting_members(meeting=meeting)
    attendance = {
        a.member_id: a for a in MeetingAttendance.objects.filter(meeting=meeting).order_by()
    }
    updates = {u.member_id: u for u in PartnerUpdate.objects.filter(meeting=meeting).order_by()}
    rows = [
        MemberRow(member=m, attendance=attendance.get(m.pk), update=updates.get(m.pk))
        for m in members
    ]
    agenda = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk"))
    if meeting.minutes_status == MinutesStatus.AGREED and meeting.agreed_record:
        arising, actions = _from_snapshot(meeting.agreed_record)
    else:
        arising, actions = _live_actions(meeting, today)
    decisions = list(Decision.objects.filter(meeting=meeting).order_by("order", "pk"))
    return MeetingRecord(
        meeting=meeting,
        members=rows,
        agenda=agenda,
        arising=arising,
        decisions=decisions,
        actions=actions,
        attendance_recorded=bool(attendance),
    )
