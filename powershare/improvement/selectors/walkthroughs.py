"""Reads for walkthroughs: the list (with its counts worked out in SQL), one walkthrough with
its sites, team and observations, and the choices its forms offer.

A walkthrough is seen by its organisation's members with VIEW_IMPROVEMENT (scope.py); its sites,
team members and observations are found only through a walkthrough the user can see, so a
number alone never reaches another organisation's record.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from powershare.accounts.models import Membership, User

from ..models import (
    Action,
    Observation,
    Walkthrough,
    WalkthroughSite,
    WalkthroughTeamMember,
)
from .scope import actions_visible, get_or_404, walkthroughs_visible

__all__ = [
    "observation_get_for",
    "walkthrough_activity_choices",
    "walkthrough_get_for",
    "walkthrough_list_for",
    "walkthrough_observations",
    "walkthrough_person_choices",
    "walkthrough_site_get_for",
    "walkthrough_sites",
    "walkthrough_staff_choices",
    "walkthrough_team",
    "walkthrough_team_member_get_for",
]


def _count_of(model, field: str = "walkthrough"):
    """How many rows of `model` point at the walkthrough, as a subquery (no join fan-out)."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def walkthrough_list_for(*, user: User) -> QuerySet[Walkthrough]:
    """The walkthroughs the user can see, newest first, each with how many sites, observations
    and actions it has: one query for the page, whatever its length."""
    return (
        walkthroughs_visible(user=user)
        .select_related("organisation")
        .annotate(
            site_count=_count_of(WalkthroughSite),
            observation_count=_count_of(Observation),
            action_count=_count_of(Action),
        )
        .order_by("-walked_on", "-pk")
    )


def walkthrough_get_for(*, user: User, pk: int) -> Walkthrough:
    return get_or_404(
        walkthroughs_visible(user=user).select_related(
            "organisation", "version__framework", "activity", "created_by"
        ),
        pk,
    )


def walkthrough_sites(*, walkthrough: Walkthrough) -> list[WalkthroughSite]:
    return list(walkthrough.sites.order_by("order", "pk"))


def walkthrough_team(*, walkthrough: Walkthrough) -> list[WalkthroughTeamMember]:
    return list(walkthrough.team.select_related("user", "person").order_by("role", "pk"))


def walkthrough_observations(*, walkthrough: Walkthrough, user: User) -> list[Observation]:
    """Observations in principle order, each with its site, its principle and the actions made
    from it that the user can see (two queries)."""
    return list(
        walkthrough.observations.select_related("principle", "site")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=actions_visible(user=user).order_by("due_on", "pk"),
            )
        )
        .order_by("principle__order", "kind", "pk")
    )


def walkthrough_site_get_for(*, user: User, pk: int) -> WalkthroughSite:
    return get_or_404(
        WalkthroughSite.objects.filter(walkthrough__in=walkthroughs_visible(user=user)),
        pk,
    )


def walkthrough_team_member_get_for(*, user: User, pk: int) -> WalkthroughTeamMember:
    return get_or_404(
        WalkthroughTeamMember.objects.filter(
            walkthrough__in=walkthroughs_visible(user=user)
        ).select_related("user", "person"),
        pk,
    )


def observation_get_for(*, user: User, pk: int) -> Observation:
    return get_or_404(
        Observation.objects.filter(walkthrough__in=walkthroughs_visible(user=user)).select_related(
            "principle", "site"
        ),
        pk,
    )


def walkthrough_activity_choices(
    *, organisation_ids: list[int], walkthrough: Walkthrough | None = None
) -> QuerySet:
    """Engagement activities of kind "walkthrough" in these organisations, not cancelled and
    not already linked to another walkthrough (the one being edited keeps its own)."""
    from powershare.engagement.models import Activity, ActivityKind

    rows = Activity.objects.filter(
        organisation_id__in=organisation_ids,
        kind=ActivityKind.WALKTHROUGH,
        cancelled_at__isnull=True,
    )
    taken = Walkthrough.objects.filter(activity__isnull=False)
    if walkthrough is not None:
        taken = taken.exclude(pk=walkthrough.pk)
    return rows.exclude(pk__in=taken.values("activity_id")).order_by("-starts_on", "pk")


def walkthrough_staff_choices(*, organisation_id: int) -> QuerySet[User]:
    """Current members of the organisation, by name."""
    return (
        User.objects.filter(
            pk__in=Membership.objects.current()
            .filter(organisation_id=organisation_id)
            .values("user_id"),
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def walkthrough_person_choices(*, organisation_id: int) -> QuerySet:
    """People on the organisation's register who have not been erased."""
    from powershare.people.models import Person

    return Person.objects.filter(organisation_id=organisation_id, erased_at__isnull=True).order_by(
        "full_name", "pk"
    )
