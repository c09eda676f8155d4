"""Walkthroughs: a service looked at through a trauma-informed lens by staff, managers and paid
experts by experience, across one or more sites, with observations recorded under the
principles of the framework version in use on the day it was set up.

Rules:
* Only MANAGE_IMPROVEMENT in the walkthrough's organisation changes it.
* A walkthrough keeps the Roadmap version that was current for its organisation when it was
  made, so its observations stay under the principles they were recorded against.
* The engagement activity that invites, supports and pays the experts by experience must be
  the organisation's own, of kind "walkthrough", and linked to no other walkthrough.
* Staff and managers are current members of the organisation or a name; experts by experience
  are people on the organisation's own register who have not been erased.
* An observation's principle is one of the walkthrough's version; its site one of its sites.
  An observation that became an action stays, so the action keeps its source.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from powershare.accounts.models import Membership, Organisation, User

from ..models import (
    Observation,
    ObservationKind,
    Principle,
    TeamRole,
    Walkthrough,
    WalkthroughSite,
    WalkthroughTeamMember,
)
from ._common import check_manages
from ._common import text as tidy

__all__ = [
    "WALKTHROUGH_FIELDS",
    "observation_add",
    "observation_remove",
    "observation_update",
    "site_add",
    "site_remove",
    "team_member_add",
    "team_member_remove",
    "walkthrough_create",
    "walkthrough_update",
]

WALKTHROUGH_FIELDS = ("title", "service", "walked_on", "purpose", "summary", "activity")


def _check_activity(walkthrough: Walkthrough) -> None:
    activity = walkthrough.activity
    if activity is None:
        return
    from powershare.engagement.models import ActivityKind

    if activity.organisation_id != walkthrough.organisation_id:
        raise ValidationError({"activity": "Choose one of this organisation's activities."})
    if activity.kind != ActivityKind.WALKTHROUGH:
        raise ValidationError({"activity": "Choose an activity planned as a walkthrough."})
    if activity.cancelled_at is not None:
        raise ValidationError({"activity": "That activity was cancelled: choose another."})
    if Walkthrough.objects.filter(activity=activity).exclude(pk=walkthrough.pk).exists():
        raise ValidationError(
            {"activity": "That activity is already linked to another walkthrough."}
        )


def _clean(walkthrough: Walkthrough) -> None:
    errors = {}
    if not walkthrough.title:
        errors["title"] = "Give the walkthrough a title."
    if not walkthrough.service:
        errors["service"] = "Say which service was walked through."
    if not isinstance(walkthrough.walked_on, datetime.date):
        errors["walked_on"] = "Enter the day of the walkthrough."
    if errors:
        raise ValidationError(errors)
    _check_activity(walkthrough)


@transaction.atomic
def walkthrough_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    service: str,
    walked_on: datetime.date,
    purpose: str = "",
    summary: str = "",
    activity=None,
) -> Walkthrough:
    """A new walkthrough, planned or done, using the organisation's current Roadmap version."""
    check_manages(actor, organisation.pk)
    from ..selectors.frameworks import roadmap, version_current

    framework = roadmap()
    version = (
        version_current(framework=framework, organisation_id=organisation.pk)
        if framework is not None
        else None
    )
    if version is None:
        raise ValidationError(
            {
                "version": "There is no framework to record observations under yet. Ask an "
                "administrator to publish the Roadmap."
            }
        )
    walkthrough = Walkthrough(
        organisation=organisation,
        created_by=actor,
        title=tidy(title, 200),
        service=tidy(service, 200),
        walked_on=walked_on,
        version=version,
        activity=activity,
        purpose=tidy(purpose, 5000),
        summary=tidy(summary, 10000),
    )
    _clean(walkthrough)
    walkthrough.save()
    return walkthrough


@transaction.atomic
def walkthrough_update(*, actor: User, walkthrough: Walkthrough, **changes) -> Walkthrough:
    """Change what the walkthrough is about, when it happened and its activity (never its
    framework version: its observations are recorded under that version's principles)."""
    check_manages(actor, walkthrough.organisation_id)
    unknown = set(changes) - set(WALKTHROUGH_FIELDS)
    if unknown:
        raise TypeError(f"Not a walkthrough field: {', '.join(sorted(unknown))}")
    limits = {"title": 200, "service": 200, "purpose": 5000, "summary": 10000}
    for name, value in changes.items():
        if name in limits:
            value = tidy(value, limits[name])
        setattr(walkthrough, name, value)
    _clean(walkthrough)
    walkthrough.save()
    return walkthrough


# ---------------------------------------------------------------------------------------------
# Sites


@transaction.atomic
def site_add(
    *, actor: User, walkthrough: Walkthrough, name: str, address: str = ""
) -> WalkthroughSite:
    """Another site visited on the walkthrough, listed after the others."""
    check_manages(actor, walkthrough.organisation_id)
    name = tidy(name, 200)
    if not name:
        raise ValidationError({"name": "Say which site was visited."})
    if walkthrough.sites.filter(name__iexact=name).exists():
        raise ValidationError({"name": "This site is already on the walkthrough."})
    last = walkthrough.sites.order_by("-order").values_list("order", flat=True).first() or 0
    return WalkthroughSite.objects.create(
        walkthrough=walkthrough, name=name, address=tidy(address, 300), order=last + 1
    )


@transaction.atomic
def site_remove(*, actor: User, site: WalkthroughSite) -> None:
    """Take a site off the walkthrough. Its observations stay, without a site."""
    check_manages(actor, site.walkthrough.organisation_id)
    site.delete()


# ---------------------------------------------------------------------------------------------
# The team


@transaction.atomic
def team_member_add(
    *,
    actor: User,
    walkthrough: Walkthrough,
    role: str,
    user: User | None = None,
    person=None,
    name: str = "",
) -> WalkthroughTeamMember:
    """Staff and managers are a current member of the organisation or a name; an expert by
    experience is a person on the organisation's register (not erased), paid through the
    walkthrough's activity."""
    check_manages(actor, walkthrough.organisation_id)
    name = tidy(name, 200)
    if role not in TeamRole.values:
        raise ValidationError(
            {"role": "Choose their role: staff, manager or expert by experience."}
        )
    team = walkthrough.team.all()
    if role == TeamRole.EXPERT_BY_EXPERIENCE:
        if person is None:
            raise ValidationError(
                {"person": "Choose the expert by experience from your organisation's register."}
            )
        if person.organisation_id != walkthrough.organisation_id or person.erased_at is not None:
            raise ValidationError({"person": "Choose someone on your organisation's register."})
        if team.filter(person=person).exists():
            raise ValidationError({"person": "They are already on the team."})
        user, name = None, ""
    else:
        if person is not None:
            raise ValidationError(
                {"role": "People from the register join as experts by experience."}
            )
        if user is None and not name:
            raise ValidationError(
                {
                    "user": "Choose a member of staff, or type the name of someone outside "
                    "PowerShare."
                }
            )
        if user is not None:
            if (
                not Membership.objects.current()
                .filter(user=user, organisation_id=walkthrough.organisation_id)
                .exists()
            ):
                raise ValidationError({"user": "Choose someone who works in the organisation."})
            if team.filter(user=user).exists():
                raise ValidationError({"user": "They are already on the team."})
            name = ""
    return WalkthroughTeamMember.objects.create(
        walkthrough=walkthrough, role=role, user=user, person=person, name=name
    )


@transaction.atomic
def team_member_remove(*, actor: User, member: WalkthroughTeamMember) -> None:
    """Take someone off the team. Payments already recorded for them stay with the activity."""
    check_manages(actor, member.walkthrough.organisation_id)
    member.delete()


# ---------------------------------------------------------------------------------------------
# Observations


def _check_observation(observation: Observation, walkthrough: Walkthrough) -> None:
    errors = {}
    if (
        observation.principle_id is None
        or not Principle.objects.filter(
            pk=observation.principle_id, version_id=walkthrough.version_id
        ).exists()
    ):
        errors["principle"] = "Choose one of the principles of this walkthrough's framework."
    if observation.kind not in ObservationKind.values:
        errors["kind"] = "Say whether it is a strength or something to improve."
    if not observation.text:
        errors["text"] = "Say what was seen or heard."
    if (
        observation.site_id is not None
        and not walkthrough.sites.filter(pk=observation.site_id).exists()
    ):
        errors["site"] = "Choose one of the sites on this walkthrough."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def observation_add(
    *,
    actor: User,
    walkthrough: Walkthrough,
    principle: Principle,
    kind: str,
    text: str,
    site: WalkthroughSite | None = None,
) -> Observation:
    """A strength or something to improve, under one principle, at one site or across them."""
    check_manages(actor, walkthrough.organisation_id)
    observation = Observation(
        walkthrough=walkthrough,
        principle=principle,
        site=site,
        kind=kind,
        text=tidy(text, 5000),
    )
    _check_observation(observation, walkthrough)
    observation.save()
    return observation


@transaction.atomic
def observation_update(
    *,
    actor: User,
    observation: Observation,
    principle: Principle,
    kind: str,
    text: str,
    site: WalkthroughSite | None = None,
) -> Observation:
    """Change an observation. One that became an action stays something to improve."""
    walkthrough = observation.walkthrough
    check_manages(actor, walkthrough.organisation_id)
    if kind != ObservationKind.IMPROVE and observation.actions.exists():
        raise ValidationError({"kind": "This became an action, so it stays something to improve."})
    observation.principle = principle
    observation.kind = kind
    observation.site = site
    observation.text = tidy(text, 5000)
    _check_observation(observation, walkthrough)
    observation.save()
    return observation


@transaction.atomic
def observation_remove(*, actor: User, observation: Observation) -> None:
    """Take out an observation, unless it became an action: the action links back to it."""
    check_manages(actor, observation.walkthrough.organisation_id)
    if observation.actions.exists():
        raise ValidationError(
            "This observation became an action, so it stays: the action shows where it came "
            "from. You can change its words instead."
        )
    observation.delete()
