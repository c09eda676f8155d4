"""Action plans, actions and the leader's dashboard: scoped reads, in a fixed number of queries.

A plan or action out of the user's sight is a 404. Pages that change things look records up
among the organisations where the user may manage improvement work only, so another
organisation's source record (a response, a walkthrough observation) is a 404 too.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, Organisation, User
from powershare.accounts.roles import Capability, Role, role_can
from powershare.accounts.selectors import user_can

from ..models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionPlan,
    ActionReminder,
    ActionSource,
    ActionStatus,
    ActionUpdate,
    AssessmentStatus,
    DriverRating,
    Meeting,
    Observation,
    SelfAssessment,
)
from .actions import action_is_overdue, with_urgency
from .scope import (
    actions_visible,
    assessments_visible,
    can_manage,
    get_or_404,
    groups_visible,
    managing_ids,
    plans_visible,
    viewing_ids,
    walkthroughs_visible,
)

__all__ = [
    "ACTION_DUE_SOON_DAYS",
    "DASHBOARD_DUE_DAYS",
    "action_filter",
    "action_get_for",
    "action_list_for",
    "action_owner_choices",
    "action_plan_choices",
    "action_priority_choices",
    "action_reminders_due",
    "action_source_get_for",
    "action_source_link",
    "action_updates",
    "dashboard_for",
    "plan_assessment_choices",
    "plan_get_for",
    "plan_list_for",
    "plan_sections",
    "with_sight",
]

#: Reminders cover actions due within this many days (and overdue ones).
ACTION_DUE_SOON_DAYS = 7
#: The dashboard lists actions due within this many days (after the overdue ones).
DASHBOARD_DUE_DAYS = 30
#: How many actions the dashboard lists before pointing to the full list.
DASHBOARD_ACTIONS_SHOWN = 20


def _actions() -> QuerySet[Action]:
    """Actions with everything their rows show (owner, plan, priority, source): one query."""
    return Action.objects.select_related(
        "organisation",
        "plan",
        "owner",
        "owner_organisation",
        "priority__driver",
        "assessment",
        "walkthrough",
        "observation",
        "meeting__group",
        "group",
        "response",
        "question__questionnaire",
    )


# ---------------------------------------------------------------------------------------------
# Plans


def plan_list_for(*, user: User, state: str = "") -> QuerySet[ActionPlan]:
    """The user's organisations' plans and those shared with them, open plans first, each
    with its counts of actions (open, overdue, done)."""
    today = timezone.localdate()
    plans = plans_visible(user=user).select_related("organisation", "assessment")
    if state == "open":
        plans = plans.filter(closed_at__isnull=True)
    elif state == "closed":
        plans = plans.filter(closed_at__isnull=False)
    return plans.annotate(
        open_count=Count("actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES)),
        overdue_count=Count(
            "actions",
            filter=Q(actions__status__in=OPEN_ACTION_STATUSES, actions__due_on__lt=today),
        ),
        done_count=Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
    ).order_by(F("closed_at").asc(nulls_first=True), "-created_at", "-pk")


def plan_get_for(*, user: User, pk, may: Capability | None = None) -> ActionPlan:
    """One plan the user may see; with `may`, only their own organisation's where they hold
    that capability (a partner it is shared with reads it, never changes or re-shares it)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such plan") from None
    plan = get_or_404(
        plans_visible(user=user).select_related(
            "organisation", "assessment", "assessment__version"
        ),
        pk,
    )
    if may is not None and not user_can(
        user=user, capability=may, organisation_id=plan.organisation_id
    ):
        raise Http404("No such plan")
    return plan


@dataclass
class PlanSection:
    """A plan's actions under one of its assessment's priorities (or under none)."""

    priority: DriverRating | None
    actions: list[Action] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.priority.driver.name if self.priority else "Other actions"


def plan_sections(
    *, plan: ActionPlan, today: datetime.date, user: User | None = None
) -> list[PlanSection]:
    """The plan's actions, grouped under each priority of its assessment (in framework order),
    then "other actions"; within each, overdue first. Two queries. Given the reader, each
    action knows what of its context they may see (see with_sight)."""
    priorities = []
    if plan.assessment_id:
        priorities = list(
            DriverRating.objects.filter(assessment_id=plan.assessment_id)
            .filter(Q(is_priority=True) | Q(actions__plan=plan))
            .select_related("driver")
            .distinct()
            .order_by("driver__stage__order", "driver__order", "pk")
        )
    sections = {rating.pk: PlanSection(priority=rating) for rating in priorities}
    other = PlanSection(priority=None)
    actions = _actions().filter(plan=plan)
    if user is not None:
        actions = with_sight(actions, user=user)
    for action in with_urgency(actions, today=today):
        action.overdue = action_is_overdue(action, today=today)
        sections.get(action.priority_id, other).actions.append(action)
    return [*sections.values(), other]


def plan_assessment_choices(*, organisation_ids: list[int]) -> QuerySet[SelfAssessment]:
    return (
        SelfAssessment.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation")
        .order_by("-assessed_on", "-pk")
    )


# ---------------------------------------------------------------------------------------------
# Actions


ACTION_STATUS_FILTERS = {
    "open": Q(status__in=OPEN_ACTION_STATUSES),
    **{value: Q(status=value) for value in ActionStatus.values},
}


def action_filter(actions: QuerySet[Action], *, user: User, filters: dict, today) -> QuerySet:
    """Apply the list's filters (already checked by the view): status, owner ("me" or a user
    id), source, overdue."""
    if filters.get("status") in ACTION_STATUS_FILTERS:
        actions = actions.filter(ACTION_STATUS_FILTERS[filters["status"]])
    owner = filters.get("owner")
    if owner == "me":
        actions = actions.filter(owner=user)
    elif owner:
        actions = actions.filter(owner_id=owner)
    if filters.get("source") in ActionSource.values:
        actions = actions.filter(source=filters["source"])
    if filters.get("overdue"):
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)
    if filters.get("plan"):
        actions = actions.filter(plan_id=filters["plan"])
    return actions


def _boolean(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def with_sight(actions: QuerySet[Action], *, user: User) -> QuerySet[Action]:
    """What of each action's context the user may see, in the same query: `plan_shown` (its
    plan, when the user may see that plan), `priority_shown` (its priority, with the plan or
    when the user may see the priority's self-assessment) and `source_shown` (the record it
    came from). A partner reading a group's action, or a shared plan, sees the action but not
    the owner's private records (a NULL answer is no)."""
    plans = plans_visible(user=user).values("pk")
    assessments = assessments_visible(user=user).values("pk")
    walkthroughs = walkthroughs_visible(user=user).values("pk")
    groups = groups_visible(user=user).values("pk")
    return actions.annotate(
        plan_shown=_boolean(Q(plan__in=plans)),
        priority_shown=_boolean(Q(plan__in=plans) | Q(priority__assessment_id__in=assessments)),
        source_shown=_boolean(
            Q(source=ActionSource.SELF_ASSESSMENT, assessment__in=assessments)
            | Q(source=ActionSource.WALKTHROUGH, walkthrough__in=walkthroughs)
            | Q(source=ActionSource.PARTNERSHIP_MEETING, meeting__group__in=groups)
            | Q(source=ActionSource.PARTNERSHIP_MEETING, group__in=groups)
            | Q(
                source__in=[ActionSource.RESPONSE, ActionSource.LEARNING_INTENTIONS],
                organisation_id__in=viewing_ids(user),
            )
        ),
    )


def action_list_for(*, user: User, today: datetime.date, filters: dict | None = None):
    """Every action the user may see (their organisations', their shared plans' and their
    partnership groups'), overdue first, then due soonest; with what of each one's context
    they may see (see with_sight)."""
    actions = action_filter(
        with_sight(_actions(), user=user).filter(pk__in=actions_visible(user=user).values("pk")),
        user=user,
        filters=filters or {},
        today=today,
    )
    return with_urgency(actions, today=today)


def action_get_for(*, user: User, pk, manage: bool = False) -> Action:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such action") from None
    action = get_or_404(
        with_sight(_actions(), user=user).filter(pk__in=actions_visible(user=user).values("pk")),
        pk,
    )
    if manage and not can_manage(user, action.organisation_id):
        raise Http404("No such action")
    return action


def action_updates(*, action: Action) -> list[ActionUpdate]:
    return list(
        action.updates.select_related("written_by", "meeting").order_by("-written_on", "-pk")
    )


def action_owner_choices(*, organisation_ids: list[int]) -> QuerySet[Membership]:
    """Current members of the organisations (active accounts), by name: who may own an
    action."""
    return (
        Membership.objects.filter(
            organisation_id__in=organisation_ids, ended_at__isnull=True, user__is_active=True
        )
        .select_related("user", "organisation")
        .order_by("user__full_name", "user__email", "pk")
    )


def action_plan_choices(*, organisation_ids: list[int], assessment_id=None) -> QuerySet:
    plans = ActionPlan.objects.filter(organisation_id__in=organisation_ids, closed_at__isnull=True)
    if assessment_id is not None:
        plans = plans.filter(Q(assessment_id=assessment_id) | Q(assessment__isnull=True))
    return plans.order_by("-created_at", "-pk")


def action_priority_choices(*, organisation_ids: list[int], plan: ActionPlan | None = None):
    """Priorities an action may serve: the plan's assessment's, or any of the organisations'
    assessments' when there is no plan (newest assessment first)."""
    ratings = DriverRating.objects.filter(
        is_priority=True, assessment__organisation_id__in=organisation_ids
    ).select_related("driver", "assessment")
    if plan is not None:
        ratings = ratings.filter(assessment_id=plan.assessment_id)
    return ratings.order_by("-assessment__assessed_on", "driver__stage__order", "driver__order")


#: The GET parameters action_create accepts, and the source each one fixes.
SOURCE_PARAMETERS = {
    "plan": None,
    "priority": ActionSource.SELF_ASSESSMENT,
    "response": ActionSource.RESPONSE,
    "question": ActionSource.LEARNING_INTENTIONS,
    "observation": ActionSource.WALKTHROUGH,
    "meeting": ActionSource.PARTNERSHIP_MEETING,
}


def action_source_get_for(*, user: User, kind: str, pk):
    """The record a new action comes from, among the organisations where the user manages
    improvement work: anything else (another organisation's, or not a number) is a 404."""
    try:
        pk = int(pk)
        if not 0 < pk < 2**63:
            raise ValueError
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    ids = managing_ids(user)
    if not ids:
        raise Http404("No such record")
    if kind == "plan":
        queryset = ActionPlan.objects.filter(organisation_id__in=ids, closed_at__isnull=True)
        queryset = queryset.select_related("organisation", "assessment")
    elif kind == "priority":
        queryset = DriverRating.objects.filter(assessment__organisation_id__in=ids).select_related(
            "driver", "assessment", "assessment__organisation"
        )
    elif kind == "response":
        from powershare.accountability.models import Response

        queryset = Response.objects.filter(organisation_id__in=ids).select_related(
            "activity", "organisation"
        )
    elif kind == "question":
        from powershare.evaluation.models import Question

        queryset = Question.objects.filter(questionnaire__organisation_id__in=ids).select_related(
            "questionnaire", "questionnaire__organisation"
        )
    elif kind == "observation":
        queryset = Observation.objects.filter(walkthrough__organisation_id__in=ids).select_related(
            "walkthrough", "walkthrough__organisation", "principle"
        )
    elif kind == "meeting":
        # Only the group's own organisation keeps its actions.
        queryset = Meeting.objects.filter(group__organisation_id__in=ids).select_related(
            "group", "group__organisation"
        )
    else:
        raise Http404("No such record")
    return get_or_404(queryset, pk)


#: What an action's source is called for a reader who may not see the record itself.
NEUTRAL_SOURCES = {
    ActionSource.SELF_ASSESSMENT: "A self-assessment",
    ActionSource.WALKTHROUGH: "A walkthrough",
    ActionSource.PARTNERSHIP_MEETING: "A partnership meeting",
    ActionSource.RESPONSE: "A 'you said, we did' response",
    ActionSource.LEARNING_INTENTIONS: "Learners' stated intentions",
}


def action_source_link(action: Action, *, own_ids: list[int]) -> dict:
    """Where the action came from, as {"label", "text", "url"}. The link is given only to
    people of the action's own organisation: a partner reading a shared plan can't open the
    council's other records. A reader who may not see the record itself (with_sight's
    `source_shown`; without it, anyone outside the action's organisation) gets a neutral
    label and no text: never a private walkthrough's title or a response's reference."""
    source = action.source
    text, url = "", ""
    if source == ActionSource.SELF_ASSESSMENT and action.assessment_id:
        text = str(action.assessment)
        if action.priority_id:
            text = f"{action.priority.driver.name}, {text.lower()}"
        url = reverse("improvement:assessment_detail", args=[action.assessment_id])
    elif source == ActionSource.WALKTHROUGH and action.walkthrough_id:
        text = action.walkthrough.title
        url = reverse("improvement:walkthrough_detail", args=[action.walkthrough_id])
    elif source == ActionSource.PARTNERSHIP_MEETING and action.meeting_id:
        text = str(action.meeting)
        url = reverse("improvement:meeting_detail", args=[action.meeting_id])
    elif source == ActionSource.PARTNERSHIP_MEETING and action.group_id:
        text = action.group.name
        url = reverse("improvement:group_detail", args=[action.group_id])
    elif source == ActionSource.RESPONSE and action.response_id:
        text = f"Response {action.response.reference}"
        url = reverse("accountability:response_detail", args=[action.response_id])
    elif source == ActionSource.LEARNING_INTENTIONS and action.question_id:
        text = action.question.questionnaire.title
        url = reverse("evaluation:results", args=[action.question.questionnaire_id])
    shown = (
        action.source_shown
        if hasattr(action, "source_shown")
        else action.organisation_id in own_ids
    )
    if text and not shown:
        return {
            "label": NEUTRAL_SOURCES.get(source, action.get_source_display()),
            "text": "",
            "url": "",
        }
    if action.organisation_id not in own_ids:
        url = ""
    return {"label": action.get_source_display(), "text": text, "url": url}


# ---------------------------------------------------------------------------------------------
# Reminders (joined to accountability's daily digest: see improvement/tasks.py)


def action_reminders_due(*, today: datetime.date) -> dict[int, list[Action]]:
    """Whose actions need a reminder today: open actions due within 7 days, or overdue, whose
    owner is an active member of the action's organisation with a role that sees improvement
    work. Each is sent once while due soon, then once when overdue and once a week after that
    (ActionReminder remembers). Three queries. Returns {user_id: [actions, overdue first]}."""

    roles = [role for role in Role.values if role_can(role, Capability.VIEW_IMPROVEMENT)]
    horizon = today + datetime.timedelta(days=ACTION_DUE_SOON_DAYS)
    actions = list(
        with_urgency(
            Action.objects.filter(
                status__in=OPEN_ACTION_STATUSES,
                due_on__isnull=False,
                due_on__lte=horizon,
                owner__isnull=False,
                owner__is_active=True,
            )
            .filter(
                owner__memberships__organisation=F("organisation"),
                owner__memberships__ended_at__isnull=True,
                owner__memberships__role__in=roles,
            )
            .select_related("plan", "group")
            .distinct(),
            today=today,
        )
    )
    if not actions:
        return {}
    sent: dict[tuple[int, int], list[datetime.date]] = {}
    for action_id, user_id, sent_on in ActionReminder.objects.filter(
        action_id__in=[a.pk for a in actions],
        sent_on__gte=today - datetime.timedelta(days=ACTION_DUE_SOON_DAYS),
    ).values_list("action_id", "user_id", "sent_on"):
        sent.setdefault((action_id, user_id), []).append(sent_on)
    due: dict[int, list[Action]] = {}
    for action in actions:
        days = sent.get((action.pk, action.owner_id), [])
        if action.due_on < today:
            # Overdue: on the first day it is overdue (a "due soon" reminder doesn't count),
            # then once a week.
            since = max(
                action.due_on + datetime.timedelta(days=1),
                today - datetime.timedelta(days=ACTION_DUE_SOON_DAYS - 1),
            )
        else:
            # Due soon: once in the week before it is due (up to and including the due day;
            # the lookup above reaches back far enough to see a reminder sent 7 days before).
            since = action.due_on - datetime.timedelta(days=ACTION_DUE_SOON_DAYS)
        if any(day >= since for day in days):
            continue
        action.overdue = action.due_on < today
        due.setdefault(action.owner_id, []).append(action)
    return due


# ---------------------------------------------------------------------------------------------
# The leader's dashboard


@dataclass
class DriverProgress:
    key: str
    name: str
    stage: str
    rating: int | None = None
    rating_label: str = ""
    previous: int | None = None
    previous_label: str = ""
    is_priority: bool = False
    open_actions: int = 0
    done_actions: int = 0

    @property
    def change(self) -> str:
        if self.rating is None or self.previous is None:
            return ""
        if self.rating > self.previous:
            return "up"
        if self.rating < self.previous:
            return "down"
        return "same"


@dataclass
class OrganisationProgress:
    organisation: Organisation
    latest: SelfAssessment | None = None
    previous: SelfAssessment | None = None
    drivers: list[DriverProgress] = field(default_factory=list)
    loop: object | None = None


@dataclass
class Dashboard:
    organisations: list[OrganisationProgress]
    actions: list[Action]
    overdue_count: int
    due_soon_count: int
    open_count: int
    shared_plans: list[ActionPlan]
    has_records: bool
    counts: dict
    loop_period: tuple


def _agreed_pairs(org_ids: list[int]) -> dict[int, list[SelfAssessment]]:
    """Each organisation's two latest agreed assessments (newest first): one query."""
    pairs: dict[int, list[SelfAssessment]] = {}
    for assessment in (
        SelfAssessment.objects.filter(organisation_id__in=org_ids, status=AssessmentStatus.AGREED)
        .only("pk", "organisation_id", "period", "assessed_on", "version_id", "status")
        .order_by("organisation_id", "-assessed_on", "-pk")
    ):
        found = pairs.setdefault(assessment.organisation_id, [])
        if len(found) < 2:
            found.append(assessment)
    return pairs


def dashboard_for(*, user: User, today: datetime.date) -> Dashboard:
    """What a leader needs first, for each of their organisations: progress per driver (the
    latest agreed self-assessment against the one before, with the actions under each driver),
    actions overdue and due in the next 30 days, and the closed-loop rate. A fixed number of
    queries for one organisation, whatever the number of actions."""
    from powershare.accountability import selectors as accountability_selectors

    org_ids = viewing_ids(user)
    organisations = list(Organisation.objects.filter(pk__in=org_ids).order_by("name"))
    pairs = _agreed_pairs(org_ids)
    wanted = [a.pk for pair in pairs.values() for a in pair]
    ratings: dict[int, dict[str, DriverRating]] = {}
    for rating in DriverRating.objects.filter(assessment_id__in=wanted).select_related(
        "driver", "driver__stage"
    ):
        ratings.setdefault(rating.assessment_id, {})[rating.driver.key] = rating
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for row in (
        Action.objects.filter(organisation_id__in=org_ids, priority__isnull=False)
        .values("organisation_id", "priority__driver__key")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
            done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        )
    ):
        counts[(row["organisation_id"], row["priority__driver__key"])] = row
    loop_start, loop_end = accountability_selectors.default_period(today)
    progress = []
    for organisation in organisations:
        pair = pairs.get(organisation.pk, [])
        entry = OrganisationProgress(
            organisation=organisation,
            latest=pair[0] if pair else None,
            previous=pair[1] if len(pair) > 1 else None,
        )
        if entry.latest:
            before = ratings.get(entry.previous.pk, {}) if entry.previous else {}
            for key, rating in ratings.get(entry.latest.pk, {}).items():
                earlier = before.get(key)
                tally = counts.get((organisation.pk, key), {})
                entry.drivers.append(
                    DriverProgress(
                        key=key,
                        name=rating.driver.name,
                        stage=rating.driver.stage.name,
                        rating=rating.rating,
                        rating_label=rating.get_rating_display()
                        if rating.rating is not None
                        else "",
                        previous=earlier.rating if earlier else None,
                        previous_label=(
                            earlier.get_rating_display()
                            if earlier and earlier.rating is not None
                            else ""
                        ),
                        is_priority=rating.is_priority,
                        open_actions=tally.get("open", 0),
                        done_actions=tally.get("done", 0),
                    )
                )
            latest = ratings.get(entry.latest.pk, {})
            entry.drivers.sort(
                key=lambda d: (latest[d.key].driver.stage.order, latest[d.key].driver.order)
            )
        if user_can(
            user=user, capability=Capability.VIEW_ENGAGEMENT, organisation_id=organisation.pk
        ):
            entry.loop = accountability_selectors.loop_metrics(
                organisation=organisation, start=loop_start, end=loop_end, today=today
            )
        progress.append(entry)

    soon = today + datetime.timedelta(days=DASHBOARD_DUE_DAYS)
    own_actions = Action.objects.filter(organisation_id__in=org_ids)
    tallies = own_actions.aggregate(
        overdue=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(status__in=OPEN_ACTION_STATUSES, due_on__gte=today, due_on__lte=soon),
        ),
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
    )
    actions = list(
        with_urgency(
            _actions().filter(
                organisation_id__in=org_ids, status__in=OPEN_ACTION_STATUSES, due_on__lte=soon
            ),
            today=today,
        )[:DASHBOARD_ACTIONS_SHOWN]
    )
    for action in actions:
        action.overdue = action_is_overdue(action, today=today)
    shared = list(
        plans_visible(user=user)
        .exclude(organisation_id__in=org_ids)
        .select_related("organisation")
        .order_by("organisation__name", "-created_at")[:DASHBOARD_ACTIONS_SHOWN]
    )
    record_counts = {
        "plans": ActionPlan.objects.filter(organisation_id__in=org_ids).count(),
        "assessments": assessments_visible(user=user).filter(organisation_id__in=org_ids).count(),
        "walkthroughs": walkthroughs_visible(user=user).filter(organisation_id__in=org_ids).count(),
        "groups": groups_visible(user=user).count(),
    }
    return Dashboard(
        organisations=progress,
        actions=actions,
        overdue_count=tallies["overdue"],
        due_soon_count=tallies["due_soon"],
        open_count=tallies["open"],
        shared_plans=shared,
        has_records=bool(tallies["open"] or any(record_counts.values()) or wanted),
        counts=record_counts,
        loop_period=(loop_start, loop_end),
    )
