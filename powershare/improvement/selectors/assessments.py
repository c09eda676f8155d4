"""Self-assessments: the list, one assessment's ratings grouped by stage, the comparison with
the one before, and the heat-map of an organisation's assessments over time.

Everything here starts from `assessments_visible` (own organisation's, and those shared with
it), so a record out of sight is never found. Assessments made with different framework
versions are compared driver by driver through the driver's key, which stays the same from
version to version while its name may change.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from powershare.accounts.models import User

from ..models import (
    AssessmentParticipant,
    AssessmentStatus,
    DriverRating,
    Rating,
    SelfAssessment,
)
from .scope import actions_visible, assessments_visible, can_manage, get_or_404

#: How many assessments the heat-map shows (the most recent).
HEATMAP_COLUMNS = 12


def assessment_list_for(*, user: User, search: str = "", status: str = "") -> QuerySet:
    """The assessments the user may see, newest first, with their counts: 3 queries a page
    (count, rows, nothing per row)."""
    rows = (
        assessments_visible(user=user)
        .select_related("organisation", "version__framework", "version__organisation")
        .annotate(
            driver_count=Count("ratings", distinct=True),
            rated_count=Count("ratings", filter=Q(ratings__rating__isnull=False), distinct=True),
            priority_count=Count("ratings", filter=Q(ratings__is_priority=True), distinct=True),
        )
        .order_by("-assessed_on", "-pk")
    )
    if search:
        rows = rows.filter(Q(period__icontains=search) | Q(summary__icontains=search))
    if status:
        rows = rows.filter(status=status)
    return rows


def assessment_get_for(*, user: User, pk: int, manage: bool = False) -> SelfAssessment:
    """One assessment the user may see (with `manage`, one they may change), else 404."""
    assessment = get_or_404(
        assessments_visible(user=user).select_related(
            "organisation", "version__framework", "version__organisation", "created_by"
        ),
        pk,
    )
    if manage and not can_manage(user, assessment.organisation_id):
        raise Http404("No such page")
    return assessment


def participant_get_for(*, user: User, pk: int) -> AssessmentParticipant:
    """A participant of an assessment the user may change, else 404."""
    participant = (
        AssessmentParticipant.objects.filter(
            pk=pk, assessment__in=assessments_visible(user=user).values("pk")
        )
        .select_related("assessment", "user", "person")
        .first()
    )
    if participant is None or not can_manage(user, participant.assessment.organisation_id):
        raise Http404("No such page")
    return participant


def rating_list(*, assessment: SelfAssessment, user: User | None = None) -> list[DriverRating]:
    """Every driver's rating, in the framework's order (stage, then driver): 1 query; given a
    user, 2, with the actions (that the user may see) serving each priority."""
    rows = (
        DriverRating.objects.filter(assessment=assessment)
        .select_related("driver__stage")
        .order_by("driver__stage__order", "driver__order", "pk")
    )
    if user is not None:
        rows = rows.prefetch_related(
            Prefetch(
                "actions",
                queryset=actions_visible(user=user)
                .select_related("owner", "owner_organisation")
                .order_by("due_on", "pk"),
            )
        )
    return list(rows)


@dataclass
class StageGroup:
    stage: object
    ratings: list = field(default_factory=list)


def ratings_by_stage(ratings: list[DriverRating]) -> list[StageGroup]:
    groups: dict[int, StageGroup] = {}
    for rating in ratings:
        stage = rating.driver.stage
        groups.setdefault(stage.pk, StageGroup(stage=stage)).ratings.append(rating)
    return list(groups.values())


def participant_list(*, assessment: SelfAssessment) -> list[AssessmentParticipant]:
    return list(assessment.participants.select_related("user", "person").order_by("kind", "pk"))


def assessment_previous(*, user: User, assessment: SelfAssessment) -> SelfAssessment | None:
    """The same organisation's last agreed assessment of the same framework before this one
    (by date), among those the user may see: a draft is not a previous assessment (as on the
    dashboard, which compares the latest agreed with the one agreed before)."""
    return (
        assessments_visible(user=user)
        .filter(
            status=AssessmentStatus.AGREED,
            organisation_id=assessment.organisation_id,
            version__framework_id=assessment.version.framework_id,
        )
        .filter(
            Q(assessed_on__lt=assessment.assessed_on)
            | Q(assessed_on=assessment.assessed_on, pk__lt=assessment.pk)
        )
        .select_related("version")
        .order_by("-assessed_on", "-pk")
        .first()
    )


#: How a driver moved since the previous assessment.
UP, DOWN, SAME, NEW, RETIRED, NOT_RATED = "up", "down", "same", "new", "retired", "not_rated"
CHANGE_WORDS = {
    UP: "Up",
    DOWN: "Down",
    SAME: "No change",
    NEW: "New driver",
    RETIRED: "Retired driver",
    NOT_RATED: "Can't compare: not rated",
}


@dataclass
class Comparison:
    key: str
    name: str
    now: int | None
    before: int | None
    change: str

    @property
    def now_label(self) -> str:
        return Rating(self.now).label if self.now is not None else "Not rated"

    @property
    def before_label(self) -> str:
        return Rating(self.before).label if self.before is not None else "Not rated"

    @property
    def change_label(self) -> str:
        return CHANGE_WORDS[self.change]


def assessment_compare(
    *, ratings: list[DriverRating], previous_ratings: list[DriverRating]
) -> list[Comparison]:
    """Each driver of this assessment against the previous one's, matched by key: up, down,
    the same, new (not in the previous version) or not rated; then the previous assessment's
    drivers this version no longer has (retired)."""
    before = {r.driver.key: r for r in previous_ratings}
    rows = []
    for rating in ratings:
        key = rating.driver.key
        old = before.get(key)
        if old is None:
            change = NEW
        elif rating.rating is None or old.rating is None:
            change = NOT_RATED
        elif rating.rating > old.rating:
            change = UP
        elif rating.rating < old.rating:
            change = DOWN
        else:
            change = SAME
        rows.append(
            Comparison(
                key=key,
                name=rating.driver.name,
                now=rating.rating,
                before=old.rating if old else None,
                change=change,
            )
        )
    kept = {r.driver.key for r in ratings}
    for old in previous_ratings:
        if old.driver.key not in kept:
            rows.append(
                Comparison(
                    key=old.driver.key,
                    name=old.driver.name,
                    now=None,
                    before=old.rating,
                    change=RETIRED,
                )
            )
    return rows


@dataclass
class HeatmapRow:
    key: str
    name: str
    #: One per column: the rating (0-4), None for not rated yet, or "" where the driver was
    #: not part of that assessment's framework version.
    cells: list


@dataclass
class Heatmap:
    assessments: list
    rows: list[HeatmapRow]

    @property
    def cell_count(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell != "")


def heatmap_for(
    *, user: User, organisation_id: int, framework_id: int, limit: int = HEATMAP_COLUMNS
) -> Heatmap:
    """The organisation's most recent assessments of a framework (that the user may see),
    oldest first, and each driver's rating in each: rows are drivers by key, named as the
    latest assessment that has them names them. 2 queries."""
    assessments = list(
        assessments_visible(user=user)
        .filter(organisation_id=organisation_id, version__framework_id=framework_id)
        .order_by("-assessed_on", "-pk")[:limit]
    )
    ratings = DriverRating.objects.filter(
        assessment__in=[a.pk for a in assessments]
    ).select_related("driver__stage")
    position = {a.pk: index for index, a in enumerate(assessments)}  # 0 is the newest
    found: dict[str, dict] = {}
    for rating in ratings:
        index = position[rating.assessment_id]
        driver = rating.driver
        row = found.setdefault(driver.key, {"cells": {}, "newest": None})
        row["cells"][index] = rating.rating
        if row["newest"] is None or index < row["newest"][0]:
            row["newest"] = (index, driver.stage.order, driver.order, driver.name)
    ordered = sorted(found.items(), key=lambda item: (*item[1]["newest"][:3], item[0]))
    oldest_first = list(reversed(assessments))
    columns = [position[a.pk] for a in oldest_first]
    rows = [
        HeatmapRow(
            key=key,
            name=data["newest"][3],
            cells=[data["cells"].get(index, "") for index in columns],
        )
        for key, data in ordered
    ]
    return Heatmap(assessments=oldest_first, rows=rows)


__all__ = [
    "CHANGE_WORDS",
    "Comparison",
    "Heatmap",
    "assessment_compare",
    "assessment_get_for",
    "assessment_list_for",
    "assessment_previous",
    "heatmap_for",
    "participant_get_for",
    "participant_list",
    "rating_list",
    "ratings_by_stage",
]
