"""API operations about improvement: frameworks, self-assessments, actions and partnership
meetings. All of them read; changes are made on the web pages.

Staff whose role can see improvement work (VIEW_IMPROVEMENT: leaders, participation and
learning leads, facilitators, national coordinators, administrators) read:

* the frameworks, each with the version their organisation uses (its own published version,
  else PowerShare's default), that version's stages, drivers and principles, and the version
  history they may see (never another organisation's own versions);
* their organisations' self-assessments, and those another organisation has shared with them;
* actions of their organisations, of the action plans shared with them, and of the
  partnership groups their organisation belongs to;
* the meetings of those partnership groups, with attendance by organisation, the agenda,
  decisions, partner updates, matters arising and the actions raised.

Scoping comes from improvement.selectors, as on the web pages: a record the user may not see
answers 404, never 403, and a list is empty. Nothing here names an expert by experience: who
took part in a self-assessment is given as counts by kind, never names.
"""

import datetime

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from powershare.accounts.models import Organisation
from powershare.api.schemas import ID, READ_ERRORS

from . import selectors
from .models import (
    Action,
    ActionSource,
    ActionStatus,
    AssessmentStatus,
    AttendanceStatus,
    DriverRating,
    Framework,
    FrameworkVersion,
    MeetingFormat,
    MinutesStatus,
    ParticipantKind,
    Rating,
)

router = Router(tags=["Improvement"])

FRAMEWORK_TAGS = ["Improvement frameworks"]
ASSESSMENT_TAGS = ["Self-assessments"]
ACTION_TAGS = ["Improvement actions"]
MEETING_TAGS = ["Partnership meetings"]

ANY_ID = Query(None, ge=1, le=2**63 - 1)


def _today() -> datetime.date:
    return timezone.localdate()


# Schemas: frameworks -------------------------------------------------------------------------


class FrameworkVersionRefOut(Schema):
    id: int
    number: int
    organisation_id: int | None = Field(
        description="The organisation that published it; null for PowerShare's default."
    )
    organisation: str | None
    change_note: str = Field(description="What changed from the version before.")
    published_at: datetime.datetime

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None


class FrameworkInUseOut(Schema):
    organisation_id: int = Field(description="One of the organisations you work in.")
    organisation: str
    version: FrameworkVersionRefOut = Field(
        description="The version it uses: its own latest, else PowerShare's latest default."
    )


class FrameworkOut(Schema):
    id: int
    key: str = Field(description="Stable, like `roadmap`.")
    name: str
    description: str
    in_use: list[FrameworkInUseOut] = Field(
        description="For each of your organisations, the version it uses."
    )


class FrameworkDriverOut(Schema):
    key: str = Field(
        description="Stays the same from version to version while the name may change, so "
        "assessments made with different versions can be compared driver by driver."
    )
    name: str
    description: str
    stage: str = Field(description="The key of the stage it sits under.")

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj.stage.key


class FrameworkStageOut(Schema):
    key: str
    order: int
    name: str
    description: str
    drivers: list[FrameworkDriverOut] = Field(description="In order.")

    @staticmethod
    def resolve_drivers(obj) -> list:
        return list(obj.drivers.all())


class FrameworkPrincipleOut(Schema):
    key: str
    name: str
    description: str


class FrameworkVersionDetailOut(FrameworkVersionRefOut):
    stages: list[FrameworkStageOut] = Field(description="In order, each with its drivers.")
    principles: list[FrameworkPrincipleOut] = Field(
        description="Walkthrough observations are recorded under these."
    )

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())

    @staticmethod
    def resolve_principles(obj) -> list:
        return list(obj.principles.all())


class FrameworkDetailOut(FrameworkOut):
    version: FrameworkVersionDetailOut = Field(
        description="The version asked for with `version_id`, else the one your (first) "
        "organisation uses, with its content."
    )
    versions: list[FrameworkVersionRefOut] = Field(
        description="The version history you may see, newest first: PowerShare's default "
        "versions and your organisations' own."
    )


# Schemas: self-assessments -------------------------------------------------------------------


class ImprovementAssessmentOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    period: str = Field(description="The period it covers, like “2026/27”.")
    assessed_on: datetime.date = Field(description="The day the ratings were agreed.")
    status: AssessmentStatus
    status_label: str
    framework_id: int
    framework: str
    version_id: int = Field(
        description="The framework version it was made with; publishing a new version never "
        "changes it."
    )
    version_number: int

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_framework_id(obj) -> int:
        return obj.version.framework_id

    @staticmethod
    def resolve_framework(obj) -> str:
        return obj.version.framework.name

    @staticmethod
    def resolve_version_number(obj) -> int:
        return obj.version.number


class ImprovementRatingOut(Schema):
    driver_key: str
    driver: str = Field(description="The driver's name in the assessment's version.")
    stage_key: str
    stage: str
    rating: Rating | None = Field(
        description="0 not started, 1 emerging, 2 developing, 3 established, 4 embedded; "
        "null when not rated."
    )
    rating_label: str | None
    evidence: str
    is_priority: bool
    priority_note: str = Field(description="Why it is a priority, and what good would look like.")

    @staticmethod
    def resolve_driver_key(obj) -> str:
        return obj.driver.key

    @staticmethod
    def resolve_driver(obj) -> str:
        return obj.driver.name

    @staticmethod
    def resolve_stage_key(obj) -> str:
        return obj.driver.stage.key

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj.driver.stage.name

    @staticmethod
    def resolve_rating_label(obj) -> str | None:
        return obj.get_rating_display() if obj.rating is not None else None


class ImprovementTakingPartOut(Schema):
    kind: ParticipantKind
    kind_label: str
    count: int


class ImprovementAssessmentDetailOut(ImprovementAssessmentOut):
    summary: str
    agreed_at: datetime.datetime | None
    others_taking_part: str = Field(
        description="Who else took part, in words: “8 frontline staff from two teams”."
    )
    taking_part: list[ImprovementTakingPartOut] = Field(
        description="How many people of each kind took part. Never names."
    )
    ratings: list[ImprovementRatingOut] = Field(
        description="One per driver, in stage and driver order."
    )

    @staticmethod
    def resolve_taking_part(obj) -> list:
        counts = dict(
            obj.participants.order_by()
            .values("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        return [
            {"kind": kind, "kind_label": label, "count": counts[kind]}
            for kind, label in ParticipantKind.choices
            if counts.get(kind)
        ]

    @staticmethod
    def resolve_ratings(obj) -> list:
        return list(obj.ratings.all())


# Schemas: actions ----------------------------------------------------------------------------


class ImprovementActionSourceOut(Schema):
    kind: ActionSource = Field(description="Where the action came from.")
    label: str
    assessment_id: int | None
    priority_id: int | None = Field(description="The rating chosen as a priority it serves.")
    walkthrough_id: int | None
    observation_id: int | None
    group_id: int | None = Field(description="The partnership group it belongs to.")
    meeting_id: int | None = Field(description="The partnership meeting that raised it.")
    response_id: int | None = Field(description="The “you said, we did” response.")
    question_id: int | None = Field(
        description="Learners' stated intentions: the questionnaire question they answered."
    )


class ImprovementActionOut(Schema):
    id: int
    organisation_id: int
    title: str
    plan_id: int | None
    source: ImprovementActionSourceOut
    owner: str = Field(description="The owner's name, or the organisation that owns it.")
    owner_organisation: str | None
    due_on: datetime.date | None
    status: ActionStatus
    status_label: str
    closed_on: datetime.date | None = Field(description="The day it was done or dropped.")
    is_overdue: bool = Field(description="Still open and its due date has passed.")

    @staticmethod
    def resolve_source(obj) -> dict:
        return {
            "kind": obj.source,
            "label": obj.get_source_display(),
            "assessment_id": obj.assessment_id,
            "priority_id": obj.priority_id,
            "walkthrough_id": obj.walkthrough_id,
            "observation_id": obj.observation_id,
            "group_id": obj.group_id,
            "meeting_id": obj.meeting_id,
            "response_id": obj.response_id,
            "question_id": obj.question_id,
        }

    @staticmethod
    def resolve_owner(obj) -> str:
        if obj.owner_id and obj.owner is not None:
            return obj.owner.full_name or obj.owner.email
        if obj.owner_name:
            return obj.owner_name
        return obj.owner_organisation.name if obj.owner_organisation_id else ""

    @staticmethod
    def resolve_owner_organisation(obj) -> str | None:
        return obj.owner_organisation.name if obj.owner_organisation_id else None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_is_overdue(obj) -> bool:
        return selectors.action_is_overdue(obj, today=_today())


class ImprovementActionUpdateOut(Schema):
    written_on: datetime.date
    text: str
    evidence: str = Field(description="What shows it: a link, a document, a figure.")
    status: ActionStatus | None = Field(
        description="The status the action moved to with this update; null when unchanged."
    )
    meeting_id: int | None = Field(description="The partnership meeting it was reported at.")

    @staticmethod
    def resolve_status(obj) -> str | None:
        return obj.status or None


class ImprovementActionDetailOut(ImprovementActionOut):
    description: str
    source_note: str = Field(description="What the source said, in a line.")
    updates: list[ImprovementActionUpdateOut] = Field(description="Dated updates, newest first.")

    @staticmethod
    def resolve_updates(obj) -> list:
        return list(obj.updates.all())


# Schemas: meetings ---------------------------------------------------------------------------


class ImprovementMeetingOut(Schema):
    id: int
    group_id: int
    group: str
    organisation_id: int = Field(description="The organisation that runs the group.")
    met_on: datetime.date
    format: MeetingFormat
    format_label: str
    place: str
    chair: str
    minutes_status: MinutesStatus
    minutes_agreed_on: datetime.date | None

    @staticmethod
    def resolve_group(obj) -> str:
        return obj.group.name

    @staticmethod
    def resolve_organisation_id(obj) -> int:
        return obj.group.organisation_id

    @staticmethod
    def resolve_format_label(obj) -> str:
        return obj.get_format_display()


class ImprovementAttendanceOut(Schema):
    organisation_id: int
    organisation: str
    status: AttendanceStatus
    status_label: str

    @staticmethod
    def resolve_organisation_id(obj) -> int:
        return obj.member.organisation_id

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.member.organisation.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ImprovementAgendaItemOut(Schema):
    order: int
    title: str
    notes: str


class ImprovementDecisionOut(Schema):
    order: int
    text: str


class ImprovementPartnerUpdateOut(Schema):
    organisation_id: int
    organisation: str
    text: str

    @staticmethod
    def resolve_organisation_id(obj) -> int:
        return obj.member.organisation_id

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.member.organisation.name


class ImprovementMeetingDetailOut(ImprovementMeetingOut):
    purpose: str
    minutes: str
    attendance: list[ImprovementAttendanceOut] = Field(
        description="Each member organisation: attended, sent apologies or did not attend."
    )
    agenda: list[ImprovementAgendaItemOut]
    decisions: list[ImprovementDecisionOut]
    partner_updates: list[ImprovementPartnerUpdateOut]
    matters_arising: list[ImprovementActionOut] = Field(
        description="Actions raised at earlier meetings that were still open when this one "
        "met (or finished on the day), and any whose progress was reported at it: the same "
        "list as the meeting's page and minutes (for agreed minutes, the list they agreed). "
        "Each action is shown as it is now."
    )
    actions_raised: list[ImprovementActionOut] = Field(description="Actions raised here.")

    @staticmethod
    def resolve_attendance(obj) -> list:
        return list(obj.attendance.select_related("member__organisation"))

    @staticmethod
    def resolve_agenda(obj) -> list:
        return list(obj.agenda.all())

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_partner_updates(obj) -> list:
        return list(obj.partner_updates.select_related("member__organisation"))

    @staticmethod
    def resolve_matters_arising(obj) -> list:
        if obj.minutes_status == MinutesStatus.AGREED and obj.agreed_record:
            # Agreed minutes: the actions they listed, whatever happened to them since.
            ids = [row["action_id"] for row in obj.agreed_record.get("arising", [])]
            found = Action.objects.select_related("owner", "owner_organisation").in_bulk(ids)
            return [found[pk] for pk in ids if pk in found]
        return list(selectors.meeting_arising(meeting=obj))

    @staticmethod
    def resolve_actions_raised(obj) -> list:
        return list(
            Action.objects.filter(meeting=obj)
            .select_related("owner", "owner_organisation")
            .order_by("due_on", "pk")
        )


class ImprovementPagination(PageNumberPagination):
    """Pages of up to 100 records (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


# Helpers -------------------------------------------------------------------------------------


def _frameworks_visible(user):
    org_ids = selectors.viewing_ids(user)
    if not org_ids:
        return Framework.objects.none(), []
    return selectors.frameworks_for(organisation_ids=org_ids).order_by("name", "pk"), org_ids


def _in_use(frameworks: list[Framework], org_ids: list[int]) -> dict[int, list[dict]]:
    """For each framework, the version each organisation uses: 2 queries, however many."""
    if not frameworks:
        return {}
    versions = (
        FrameworkVersion.objects.filter(framework__in=frameworks)
        .filter(Q(organisation__isnull=True) | Q(organisation_id__in=org_ids))
        .select_related("organisation")
        .order_by("-number", "-pk")
    )
    latest: dict[tuple[int, int | None], FrameworkVersion] = {}
    for version in versions:
        latest.setdefault((version.framework_id, version.organisation_id), version)
    names = dict(
        Organisation.objects.filter(pk__in=org_ids).order_by("pk").values_list("pk", "name")
    )
    found: dict[int, list[dict]] = {}
    for framework in frameworks:
        rows = found.setdefault(framework.pk, [])
        for org_id in sorted(org_ids):
            version = latest.get((framework.pk, org_id)) or latest.get((framework.pk, None))
            if version is not None and org_id in names:
                rows.append(
                    {"organisation_id": org_id, "organisation": names[org_id], "version": version}
                )
    return found


def _framework_out(framework: Framework, in_use: list[dict]) -> dict:
    return {
        "id": framework.pk,
        "key": framework.key,
        "name": framework.name,
        "description": framework.description,
        "in_use": in_use,
    }


def _actions_for_output(actions):
    return actions.select_related("owner", "owner_organisation")


# Frameworks ----------------------------------------------------------------------------------


@router.get(
    "/frameworks",
    url_name="improvement_framework_list",
    tags=FRAMEWORK_TAGS,
    response={200: list[FrameworkOut], **READ_ERRORS},
    summary="Improvement frameworks",
    description=(
        "The frameworks you can use (the Roadmap for trauma-informed and responsive change, "
        "and any others), by name, each with the version each of your organisations uses. "
        "An empty list if your role can't see improvement work."
    ),
)
def improvement_framework_list(request):
    frameworks, org_ids = _frameworks_visible(request.auth)
    frameworks = list(frameworks)
    in_use = _in_use(frameworks, org_ids)
    return [_framework_out(framework, in_use.get(framework.pk, [])) for framework in frameworks]


@router.get(
    "/frameworks/{framework_id}",
    url_name="improvement_framework_detail",
    tags=FRAMEWORK_TAGS,
    response={200: FrameworkDetailOut, **READ_ERRORS},
    summary="One framework, with its stages, drivers and principles",
    description=(
        "The version your organisation uses (or the one asked for with `version_id`), with "
        "its stages in order, the drivers under each, and its principles; and the version "
        "history you may see. Past self-assessments keep the version they were made with. "
        "404 for a framework, or a version, you can't see."
    ),
)
def improvement_framework_detail(
    request,
    framework_id: int = ID,
    version_id: int | None = Query(
        None, ge=1, le=2**63 - 1, description="A version from the history, by its id."
    ),
):
    frameworks, org_ids = _frameworks_visible(request.auth)
    framework = selectors.get_or_404(frameworks, framework_id)
    versions = list(selectors.versions_for(framework=framework, organisation_ids=org_ids))
    in_use = _in_use([framework], org_ids).get(framework.pk, [])
    if version_id is not None:
        chosen = next((v for v in versions if v.pk == version_id), None)
        if chosen is None:
            raise Http404("No such version")
    elif in_use:
        chosen = in_use[0]["version"]
    else:
        chosen = versions[0]
    return {
        **_framework_out(framework, in_use),
        "version": selectors.version_with_content(chosen.pk),
        "versions": versions,
    }


# Self-assessments ----------------------------------------------------------------------------


@router.get(
    "/assessments",
    url_name="improvement_assessment_list",
    tags=ASSESSMENT_TAGS,
    response={200: list[ImprovementAssessmentOut], **READ_ERRORS},
    summary="Self-assessments you can see",
    description=(
        "Your organisations' self-assessments, and those other organisations have shared with "
        "yours, latest first. Filter by `status`. An empty list if your role can't see "
        "improvement work."
    ),
)
@paginate(ImprovementPagination)
def improvement_assessment_list(request, status: AssessmentStatus | None = None):
    assessments = selectors.assessments_visible(user=request.auth).select_related(
        "organisation", "version__framework"
    )
    if status:
        assessments = assessments.filter(status=status)
    return assessments.order_by("-assessed_on", "-pk")


@router.get(
    "/assessments/{assessment_id}",
    url_name="improvement_assessment_detail",
    tags=ASSESSMENT_TAGS,
    response={200: ImprovementAssessmentDetailOut, **READ_ERRORS},
    summary="One self-assessment, with its ratings",
    description=(
        "A rating per driver (grouped by stage, in order) with its evidence and whether it "
        "was chosen as a priority, and how many people of each kind took part (never their "
        "names). 404 for a self-assessment you can't see."
    ),
)
def improvement_assessment_detail(request, assessment_id: int = ID):
    return selectors.get_or_404(
        selectors.assessments_visible(user=request.auth)
        .select_related("organisation", "version__framework")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=DriverRating.objects.select_related("driver__stage").order_by(
                    "driver__stage__order", "driver__order", "pk"
                ),
            )
        ),
        assessment_id,
    )


# Actions -------------------------------------------------------------------------------------


@router.get(
    "/actions",
    url_name="improvement_action_list",
    tags=ACTION_TAGS,
    response={200: list[ImprovementActionOut], **READ_ERRORS},
    summary="Improvement actions you can see",
    description=(
        "Actions of your organisations, of action plans shared with yours, and of the "
        "partnership groups your organisation belongs to: overdue first, then by due date, "
        "finished last. Each says where it came from (`source.kind` and the ids of the "
        "records it links back to). Filter by `status`, `overdue`, `source` and `plan`. An "
        "empty list if your role can't see improvement work."
    ),
)
@paginate(ImprovementPagination)
def improvement_action_list(
    request,
    status: ActionStatus | None = None,
    overdue: bool | None = Query(
        None, description="`true`: only overdue actions; `false`: none that are overdue."
    ),
    source: ActionSource | None = None,
    plan: int | None = Query(None, ge=1, le=2**63 - 1, description="An action plan's id."),
):
    today = _today()
    actions = selectors.actions_visible(user=request.auth)
    if status:
        actions = actions.filter(status=status)
    if overdue is True:
        actions = selectors.overdue(actions, today=today)
    elif overdue is False:
        actions = actions.exclude(pk__in=selectors.overdue(actions, today=today).values("pk"))
    if source:
        actions = actions.filter(source=source)
    if plan is not None:
        actions = actions.filter(plan_id=plan)
    return selectors.with_urgency(_actions_for_output(actions), today=today)


@router.get(
    "/actions/{action_id}",
    url_name="improvement_action_detail",
    tags=ACTION_TAGS,
    response={200: ImprovementActionDetailOut, **READ_ERRORS},
    summary="One improvement action, with its updates",
    description=(
        "Where it came from, its owner, due date and status, and its dated updates with their "
        "evidence, newest first. 404 for an action you can't see."
    ),
)
def improvement_action_detail(request, action_id: int = ID):
    return selectors.get_or_404(
        _actions_for_output(selectors.actions_visible(user=request.auth)), action_id
    )


# Partnership meetings ------------------------------------------------------------------------


@router.get(
    "/meetings",
    url_name="improvement_meeting_list",
    tags=MEETING_TAGS,
    response={200: list[ImprovementMeetingOut], **READ_ERRORS},
    summary="Partnership meetings you can see",
    description=(
        "Meetings of the partnership groups your organisation runs or belongs to, latest "
        "first. Filter by `group` (a partnership group's id). An empty list if your role "
        "can't see improvement work."
    ),
)
@paginate(ImprovementPagination)
def improvement_meeting_list(
    request,
    group: int | None = Query(None, ge=1, le=2**63 - 1, description="A partnership group's id."),
):
    meetings = selectors.meetings_visible(user=request.auth).select_related("group")
    if group is not None:
        meetings = meetings.filter(group_id=group)
    return meetings.order_by("-met_on", "-pk")


@router.get(
    "/meetings/{meeting_id}",
    url_name="improvement_meeting_detail",
    tags=MEETING_TAGS,
    response={200: ImprovementMeetingDetailOut, **READ_ERRORS},
    summary="One partnership meeting",
    description=(
        "Attendance by member organisation, the agenda, decisions, partner updates, the "
        "matters arising (actions from earlier meetings still open when it met) and the "
        "actions raised at it. 404 for a meeting you can't see."
    ),
)
def improvement_meeting_detail(request, meeting_id: int = ID):
    return selectors.get_or_404(
        selectors.meetings_visible(user=request.auth).select_related("group"), meeting_id
    )
