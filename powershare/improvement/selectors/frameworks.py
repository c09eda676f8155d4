"""Which framework version an organisation uses, and what is in it."""

from django.db.models import Prefetch, Q, QuerySet

from ..models import Driver, Framework, FrameworkVersion, Stage


def roadmap() -> Framework | None:
    """The Roadmap PowerShare ships (None only before its migration has run)."""
    from ..default_frameworks import ROADMAP_KEY

    return Framework.objects.filter(key=ROADMAP_KEY).first()


def version_current(
    *, framework: Framework, organisation_id: int | None
) -> FrameworkVersion | None:
    """The organisation's latest published version, else PowerShare's latest default."""
    versions = FrameworkVersion.objects.filter(framework=framework).select_related("framework")
    own = versions.filter(organisation_id=organisation_id).order_by("-number").first()
    if own is not None:
        return own
    return versions.filter(organisation__isnull=True).order_by("-number").first()


def frameworks_for(*, organisation_ids: list[int]) -> QuerySet[Framework]:
    return Framework.objects.filter(
        Q(versions__organisation__isnull=True) | Q(versions__organisation_id__in=organisation_ids)
    ).distinct()


def versions_for(
    *, framework: Framework, organisation_ids: list[int]
) -> QuerySet[FrameworkVersion]:
    """The default's versions and the organisations' own, newest first."""
    return (
        FrameworkVersion.objects.filter(framework=framework)
        .filter(Q(organisation__isnull=True) | Q(organisation_id__in=organisation_ids))
        .select_related("organisation", "published_by")
        .order_by("-published_at", "-pk")
    )


def version_with_content(version_id: int) -> FrameworkVersion:
    """A version with its stages (each with its drivers) and principles: 3 queries."""
    return (
        FrameworkVersion.objects.select_related("framework", "organisation")
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=Stage.objects.order_by("order").prefetch_related(
                    Prefetch("drivers", queryset=Driver.objects.order_by("order"))
                ),
            ),
            "principles",
        )
        .get(pk=version_id)
    )
