"""Reads about people and their consent. Scoping lives here.

Staff see the people of organisations where their role can VIEW_PEOPLE; an expert by experience
sees only their own record (through `person_for_user`). Anything else answers 404, never 403.

`may_we` is the one answer to "may we do X with this person now?". Every capability that
contacts, involves, quotes or publishes a person asks it (or, for many people at once,
filters with `people_who_may`), so a withdrawal takes effect everywhere at once.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.accounts.sharing import visible_to
from powershare.lib.dates import months_after

from .models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentPurpose,
    ConsentRecord,
    LivedExperienceArea,
    Person,
    PersonStatus,
    resting_on,
    under_16_on,
)

# Purposes that mean reaching out to the person or asking them to take part: not while they
# rest, never once they have left.
_PURPOSES_PAUSED_WHILE_RESTING = {ConsentPurpose.CONTACT, ConsentPurpose.TAKE_PART}

PERSON_FILTERS = {
    "status": dict(PersonStatus.choices),
    "needs": {
        "access": "Has access needs",
        "support": "Has support needs",
        "check_first": "Check with support contact before contact",
        "benefits": "Receives benefits",
        "young": "Under 16",
    },
}


# ---------------------------------------------------------------------------------------------
# The register


def person_list_for(
    *,
    user,
    search: str = "",
    status: str = "",
    area_id: int | None = None,
    needs: str = "",
    resting: bool = False,
    include_erased: bool = False,
) -> QuerySet[Person]:
    """People on the registers the user may see, by name, with their tags, in a fixed number
    of queries whatever the number of people."""
    people = visible_to(
        Person.objects.select_related("organisation", "user"),
        user=user,
        capability=Capability.VIEW_PEOPLE,
    )
    if not include_erased:
        people = people.not_erased()
    if search:
        people = people.filter(
            Q(full_name__icontains=search)
            | Q(preferred_name__icontains=search)
            | Q(email__icontains=search)
            | Q(phone__icontains=search)
        )
    if status in PersonStatus.values:
        people = people.filter(status=status)
    if resting:
        people = people.resting_on(timezone.localdate())
    if area_id:
        people = people.filter(areas__pk=area_id)
    if needs == "access":
        people = people.exclude(access_needs="")
    elif needs == "support":
        people = people.exclude(support_needs="")
    elif needs == "check_first":
        people = people.filter(check_with_support_contact=True)
    elif needs == "benefits":
        people = people.filter(receives_benefits=True)
    elif needs == "young":
        people = people.filter(under_16_on(timezone.localdate()))
    return people.prefetch_related(
        Prefetch("areas", queryset=LivedExperienceArea.objects.order_by("name"))
    ).order_by("full_name", "pk")


def person_get_for(*, user, pk, may: Capability = Capability.VIEW_PEOPLE) -> Person:
    """One person the user may see (and, with `may`, act on); anything else is 404."""
    try:
        person = (
            Person.objects.select_related("organisation", "user", "staff_contact")
            .prefetch_related("areas")
            .get(pk=pk, erased_at__isnull=True)
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person") from None
    if not user_can(user=user, capability=may, organisation_id=person.organisation_id):
        raise Http404("No such person")
    return person


def staff_contact_choices(*, organisation_ids) -> QuerySet:
    """Who can be a person's staff contact: current members of the person's organisation."""
    from powershare.accounts.models import Membership, User

    members = Membership.objects.current().filter(organisation_id__in=list(organisation_ids))
    return User.objects.filter(is_active=True, pk__in=members.values("user_id")).order_by(
        "full_name", "email"
    )


def person_is_own_record(*, user, person: Person) -> bool:
    """Staff who are also experts by experience: their own record is theirs to change in the
    portal, never through their staff role."""
    return person.user_id is not None and person.user_id == user.pk


def person_for_user(*, user) -> Person | None:
    """The signed-in person's own record, or None for staff without one."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_powershare_person", False)
    if cached is not False:
        return cached
    person = (
        Person.objects.select_related("organisation", "staff_contact")
        .filter(user=user, erased_at__isnull=True)
        .first()
    )
    if person is not None and person.is_under(13):
        person = None  # children under 13 never use a login, whatever happened since
    user._powershare_person = person
    return person


def portal_login_for_invitation(*, user_id: int):
    """The active login behind a portal invitation link, if it still belongs to a person on a
    register (not erased); otherwise None."""
    from powershare.accounts.models import User

    return (
        User.objects.filter(pk=user_id, is_active=True)
        .filter(Exists(Person.objects.filter(user=OuterRef("pk"), erased_at__isnull=True)))
        .first()
    )


def is_portal_only(*, user) -> bool:
    """Someone whose only place in PowerShare is their own portal: a person record, no staff
    role (and not the service team)."""
    from powershare.accounts.selectors import current_memberships

    return (
        person_for_user(user=user) is not None
        and not current_memberships(user=user)
        and not user.is_superuser
    )


def person_probable_duplicates(
    *,
    organisation_id: int,
    email: str = "",
    full_name: str = "",
    date_of_birth: datetime.date | None = None,
    exclude_pk: int | None = None,
) -> QuerySet[Person]:
    """People already on the register who are probably the same person: the same email, or
    the same name and date of birth."""
    match = Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email.strip())
    if full_name and date_of_birth:
        match |= Q(full_name__iexact=full_name.strip(), date_of_birth=date_of_birth)
    people = Person.objects.not_erased().filter(match, organisation_id=organisation_id)
    if exclude_pk:
        people = people.exclude(pk=exclude_pk)
    return people.order_by("full_name", "pk")


def lived_experience_area_list_for(
    *, user, organisation_id: int | None = None, include_inactive: bool = False
) -> QuerySet[LivedExperienceArea]:
    """The tags of the user's organisations, with how many people (not erased) carry each."""
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_PEOPLE)
    if organisation_id is not None:
        ids = [i for i in ids if i == organisation_id]
    areas = LivedExperienceArea.objects.filter(organisation_id__in=ids)
    if not include_inactive:
        areas = areas.filter(is_active=True)
    return areas.annotate(
        people_count=Count("people", filter=Q(people__erased_at__isnull=True))
    ).order_by("name")


def lived_experience_area_get_for(*, user, pk) -> LivedExperienceArea:
    try:
        area = LivedExperienceArea.objects.get(pk=pk)
    except (LivedExperienceArea.DoesNotExist, ValueError, TypeError):
        raise Http404("No such area") from None
    if not user_can(
        user=user, capability=Capability.MANAGE_PEOPLE, organisation_id=area.organisation_id
    ):
        raise Http404("No such area")
    return area


def people_for_retention_review(*, user) -> QuerySet[Person]:
    """People marked as having left longer ago than the retention period: time to decide
    whether to keep their record or erase it."""
    months = settings.PEOPLE_RETENTION_MONTHS
    today = timezone.localdate()
    cutoff = months_after(today, -months)
    return (
        visible_to(Person.objects.all(), user=user, capability=Capability.VIEW_PEOPLE)
        .not_erased()
        .filter(status=PersonStatus.LEFT, left_on__lt=cutoff)
        .select_related("organisation")
        .order_by("left_on", "pk")
    )


# ---------------------------------------------------------------------------------------------
# Consent


@dataclass(frozen=True)
class ConsentAnswer:
    """The answer to "may we?": yes or no, why, and anything to do first."""

    allowed: bool
    reason: str
    #: Things to do before acting, like checking with the person's support contact.
    conditions: tuple[str, ...] = field(default_factory=tuple)
    #: The same answer said to the person themselves ("You said no."), for their own pages.
    person_reason: str = ""
    person_conditions: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.allowed


def _latest_decision(purpose: str, given_by: str, outer: str = "pk"):
    return Subquery(
        ConsentRecord.objects.filter(person_id=OuterRef(outer), purpose=purpose, given_by=given_by)
        .order_by("-recorded_at", "-pk")
        .values("decision")[:1]
    )


def consent_state(*, person: Person) -> dict[str, dict[str, ConsentRecord | None]]:
    """The latest record per purpose, for the person and (if any) their guardian, in one query."""
    state: dict[str, dict[str, ConsentRecord | None]] = {
        purpose: {ConsentGivenBy.PERSON: None, ConsentGivenBy.GUARDIAN: None}
        for purpose in ConsentPurpose.values
    }
    records = (
        ConsentRecord.objects.filter(person=person)
        .select_related("statement", "recorded_by")
        .order_by("recorded_at", "pk")
    )
    for record in records:  # oldest first: the last one seen per purpose is the latest
        state[record.purpose][record.given_by] = record
    return state


def may_we(
    *,
    person: Person,
    purpose: str,
    on: datetime.date | None = None,
    respect_rest: bool = True,
) -> ConsentAnswer:
    """May we do `purpose` with this person now? Reads the latest consent records at the
    moment of asking (never a cached copy), so a withdrawal counts at once.

    With `respect_rest=False` a rest is left for the caller to warn about rather than refuse
    (an invitation says "they are resting" but may still be sent); leaving the register
    always counts."""
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"Unknown consent purpose: {purpose}")
    day = on or timezone.localdate()
    if person.is_erased:
        return ConsentAnswer(False, "This record has been erased.", person_reason="")
    if person.status == PersonStatus.LEFT and purpose in _PURPOSES_PAUSED_WHILE_RESTING:
        return ConsentAnswer(
            False, "They have left the register.", person_reason="You have left the register."
        )
    if respect_rest and person.is_resting_on(day) and purpose in _PURPOSES_PAUSED_WHILE_RESTING:
        until = f" until {person.resting_until:%-d %B %Y}" if person.resting_until else ""
        return ConsentAnswer(
            False,
            f"They are resting{until}.",
            person_reason=f"You are taking a break{until}.",
        )
    decisions = (
        Person.objects.filter(pk=person.pk)
        .annotate(
            own=_latest_decision(purpose, ConsentGivenBy.PERSON),
            guardian=_latest_decision(purpose, ConsentGivenBy.GUARDIAN),
        )
        .values("own", "guardian")
        .first()
    )
    label = ConsentPurpose(purpose).label.lower()
    if decisions is None or decisions["own"] is None:
        return ConsentAnswer(
            False,
            f"They have not been asked about this: {label}.",
            person_reason="You have not told us yet.",
        )
    if decisions["own"] != ConsentDecision.GIVEN:
        return ConsentAnswer(
            False,
            f"They have withdrawn their agreement: {label}.",
            person_reason="You said no.",
        )
    if person.needs_guardian_consent and decisions["guardian"] != ConsentDecision.GIVEN:
        why = "withdrawn" if decisions["guardian"] else "not been recorded"
        return ConsentAnswer(
            False,
            f"They are under 16 and their parent or guardian's agreement has {why}.",
            person_reason="You said yes. Your parent or guardian needs to agree too.",
        )
    conditions, person_conditions = [], []
    if purpose == ConsentPurpose.CONTACT and person.check_with_support_contact:
        conditions.append("Check with their support contact before contacting them.")
        person_conditions.append("We will check with your support contact before we contact you.")
    return ConsentAnswer(
        True,
        f"They have agreed: {label}.",
        tuple(conditions),
        person_reason="You said yes.",
        person_conditions=tuple(person_conditions),
    )


def people_who_may(
    people: QuerySet[Person], *, purpose: str, respect_rest: bool = True
) -> QuerySet[Person]:
    """Narrow a queryset of people to those `may_we` would allow for `purpose` today: the same
    rule, in SQL, for lists (invitations, quotes in a report)."""
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"Unknown consent purpose: {purpose}")
    today = timezone.localdate()
    people = people.filter(erased_at__isnull=True).annotate(
        _own=_latest_decision(purpose, ConsentGivenBy.PERSON),
        _guardian=_latest_decision(purpose, ConsentGivenBy.GUARDIAN),
    )
    people = people.filter(_own=ConsentDecision.GIVEN)
    if purpose in _PURPOSES_PAUSED_WHILE_RESTING:
        people = people.exclude(status=PersonStatus.LEFT)
        if respect_rest:
            people = people.exclude(resting_on(today))
    return people.exclude(under_16_on(today) & ~Q(_guardian=ConsentDecision.GIVEN))


def consent_record_list_for(*, person: Person) -> QuerySet[ConsentRecord]:
    """Every consent decision for one person, newest first (the caller has already checked
    the user may see the person)."""
    return (
        ConsentRecord.objects.filter(person=person)
        .select_related("statement", "recorded_by")
        .order_by("-recorded_at", "-pk")
    )


def people_with_consent_counts(*, user) -> dict:
    """For a dashboard: how many people on the user's registers are active, resting, left."""
    counts = dict(
        visible_to(Person.objects.not_erased(), user=user, capability=Capability.VIEW_PEOPLE)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {value: counts.get(value, 0) for value in PersonStatus.values}


def people_with_pending_portal_invitation(*, user) -> QuerySet[Person]:
    return visible_to(
        Person.objects.not_erased(), user=user, capability=Capability.VIEW_PEOPLE
    ).filter(portal_invited_at__isnull=False, user__isnull=False, user__last_login__isnull=True)
