"""Who sees which improvement records. Every read of another app goes through here.

* Self-assessments, action plans and walkthroughs belong to one organisation: its members with
  VIEW_IMPROVEMENT see them, and so do partner organisations it shares them with (a national
  coordinator sees a council's plan only when the council shares it).
* Actions are seen with their plan (so a shared plan shows its actions), or with their
  partnership group, or in their own organisation.
* A partnership group is seen by its owner's members and by its member organisations' members
  (with VIEW_IMPROVEMENT); only the owner changes it.
* Nothing here is found by number alone: a record out of sight is a 404, never a 403.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.accounts.sharing import visible_to

from ..models import (
    Action,
    ActionPlan,
    Meeting,
    PartnershipGroup,
    SelfAssessment,
    Walkthrough,
)


def viewing_ids(user: User) -> list[int]:
    return organisation_ids_where(user=user, capability=Capability.VIEW_IMPROVEMENT)


def managing_ids(user: User) -> list[int]:
    return organisation_ids_where(user=user, capability=Capability.MANAGE_IMPROVEMENT)


def can_manage(user: User, organisation_id: int) -> bool:
    return user_can(
        user=user, capability=Capability.MANAGE_IMPROVEMENT, organisation_id=organisation_id
    )


def require_view(user: User) -> None:
    if not viewing_ids(user):
        raise Http404("No such page")


def assessments_visible(*, user: User) -> QuerySet[SelfAssessment]:
    return visible_to(
        SelfAssessment.objects.all(), user=user, capability=Capability.VIEW_IMPROVEMENT
    )


def plans_visible(*, user: User) -> QuerySet[ActionPlan]:
    return visible_to(ActionPlan.objects.all(), user=user, capability=Capability.VIEW_IMPROVEMENT)


def walkthroughs_visible(*, user: User) -> QuerySet[Walkthrough]:
    return visible_to(Walkthrough.objects.all(), user=user, capability=Capability.VIEW_IMPROVEMENT)


def groups_visible(*, user: User) -> QuerySet[PartnershipGroup]:
    org_ids = viewing_ids(user)
    if not org_ids:
        return PartnershipGroup.objects.none()
    return PartnershipGroup.objects.filter(
        Q(organisation_id__in=org_ids)
        | Q(
            pk__in=PartnershipGroup.members.rel.related_model.objects.filter(
                organisation_id__in=org_ids, left_on__isnull=True
            ).values("group_id")
        )
    )


def meetings_visible(*, user: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(group__in=groups_visible(user=user))


def actions_visible(*, user: User) -> QuerySet[Action]:
    org_ids = viewing_ids(user)
    if not org_ids:
        return Action.objects.none()
    return Action.objects.filter(
        Q(organisation_id__in=org_ids)
        | Q(plan__in=plans_visible(user=user).values("pk"))
        | Q(group__in=groups_visible(user=user).values("pk"))
    )


def get_or_404(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("No such page")
    return found
