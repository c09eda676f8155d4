"""Reads about activities, invitations and contributions. Scoping lives here.

`contributions_usable_for` is THE rule for showing what people said: every page, export, report
and API list that shows contributions goes through it, so a withdrawal, a redaction or a change
of consent takes effect everywhere in the same request. It reads consent live, in SQL, through
people.selectors.people_who_may (the same rule as may_we), never a cached copy.

Staff pages show contributions for internal use (inside the organisation); exports and the API
choose a use. An expert by experience sees their own contributions through
`contribution_list_for_person`, and nobody else's.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.accounts.sharing import visible_to
from powershare.lib.dates import months_after
from powershare.people.models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentPurpose,
    ConsentRecord,
    Person,
    PersonStatus,
)
from powershare.people.selectors import may_we, people_who_may

from .models import (
    USE_PURPOSE,
    Activity,
    ActivityKind,
    ActivityQuestion,
    Contribution,
    ContributionKind,
    EngagementSettings,
    Invitation,
    InvitationStatus,
    Ladder,
    LadderRung,
    UseLevel,
)

#: How far back "already asked the same question" looks.
ASKED_BEFORE_MONTHS = 12


# ---------------------------------------------------------------------------------------------
# The one rule for showing contributions


def _may_use(use: int, organisation_ids=None):
    """In SQL: the contribution's person has agreed, today, to the consent purpose behind
    `use` (the same rule as people.selectors.may_we).

    With `organisation_ids` (the organisations the contributions come from), only their
    registers are asked: a person's contributions are always to their own organisation's
    activities (contribution_capture checks it), and the database then checks a few hundred
    people rather than every register in the country, for each use level."""
    purpose = USE_PURPOSE[UseLevel(use)]
    people = Person.objects.all()
    if organisation_ids is not None:
        people = people.filter(organisation_id__in=organisation_ids)
    return Exists(people_who_may(people, purpose=purpose).filter(pk=OuterRef("person_id")))


def contributions_usable_for(
    contributions: QuerySet, *, use: int, organisation_ids=None
) -> QuerySet[Contribution]:
    """Narrow contributions to those that may be shown for `use`, now.

    A contribution may be shown for a use when it has not been withdrawn, its own use level
    reaches that use, and either its person agrees today to the matching consent purpose, or it
    comes from an anonymous group whose agreed level reaches it. `organisation_ids`, when the
    contributions are already limited to those organisations, makes it faster (see _may_use).
    """
    use = UseLevel(use)
    return contributions.filter(
        Q(withdrawn_at__isnull=True, purged_at__isnull=True, use_level__gte=use)
        & (Q(person__isnull=True) | _may_use(use, organisation_ids))
    )


def contribution_may_be_shown(contribution: Contribution, *, use: int) -> bool:
    """The same rule for one contribution already in hand (asks the database, live)."""
    return contributions_usable_for(
        Contribution.objects.filter(pk=contribution.pk), use=use
    ).exists()


def with_widest_use(contributions: QuerySet, *, organisation_ids=None) -> QuerySet:
    """Annotate each contribution with `may_use_<n>` for every use level, so a page can say
    how far each one may be used now, in a fixed number of queries (`organisation_ids` as in
    contributions_usable_for)."""
    return contributions.annotate(
        **{
            f"may_use_{level.value}": ExpressionWrapper(
                Q(person__isnull=True) | _may_use(level, organisation_ids),
                output_field=BooleanField(),
            )
            for level in UseLevel
        }
    )


def widest_use_now(contribution) -> int | None:
    """From `with_widest_use` annotations: the widest use it may be shown for now, or None."""
    if contribution.is_withdrawn or contribution.purged_at:
        return None
    allowed = [
        level
        for level in UseLevel
        if level <= contribution.use_level and getattr(contribution, f"may_use_{level.value}")
    ]
    return max(allowed) if allowed else None


def use_levels_consented(*, person: Person) -> list[int]:
    """The use levels a new contribution from this person may have today, narrowest first."""
    return [
        level for level in UseLevel if may_we(person=person, purpose=USE_PURPOSE[level]).allowed
    ]


def use_level_default(*, person: Person | None) -> int | None:
    """What a new contribution's use level defaults to: the widest the person agrees to now
    (None when they agree to none, so nothing they say may be recorded for use)."""
    if person is None:
        return None
    levels = use_levels_consented(person=person)
    return max(levels) if levels else None


CONTRIBUTION_FILTERS = {"kind": dict(ContributionKind.choices), "use": dict(UseLevel.choices)}


def contribution_list_for(
    *,
    user,
    use: int = UseLevel.INTERNAL,
    activity_id: int | None = None,
    question_id: int | None = None,
    kind: str = "",
    search: str = "",
) -> QuerySet[Contribution]:
    """Contributions from the user's organisations that may be shown for `use`, newest first,
    in a fixed number of queries whatever their number."""
    # The contributions listed are these organisations' own, so their people are too; should
    # contributions ever be shareable (accounts.sharing), a partner's could be listed as well.
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)
    if getattr(Contribution, "shareable", False):
        ids = None
    contributions = visible_to(
        Contribution.objects.all(), user=user, capability=Capability.VIEW_ENGAGEMENT
    )
    contributions = contributions_usable_for(contributions, use=use, organisation_ids=ids)
    if activity_id:
        contributions = contributions.filter(activity_id=activity_id)
    if question_id:
        contributions = contributions.filter(question_id=question_id)
    if kind in ContributionKind.values:
        contributions = contributions.filter(kind=kind)
    if search:
        contributions = contributions.filter(text__icontains=search)
    return with_widest_use(
        contributions.select_related("activity", "question", "person", "organisation"),
        organisation_ids=ids,
    ).order_by("-captured_on", "-pk")


def contribution_get_for(
    *, user, pk, use: int = UseLevel.INTERNAL, may: Capability = Capability.VIEW_ENGAGEMENT
) -> Contribution:
    """One contribution the user may see for `use` (and, with `may`, act on); else 404."""
    try:
        contribution = contribution_list_for(user=user, use=use).get(pk=pk)
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contribution") from None
    if not user_can(user=user, capability=may, organisation_id=contribution.organisation_id):
        raise Http404("No such contribution")
    return contribution


def contribution_get_for_acting(*, user, pk) -> Contribution:
    """A contribution staff may act on for its contributor (redact, withdraw), whatever its
    current consent: a person who said no to being quoted can still ask for words to go."""
    try:
        contribution = Contribution.objects.select_related("activity", "person").get(
            pk=pk, withdrawn_at__isnull=True, purged_at__isnull=True
        )
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contribution") from None
    if not user_can(
        user=user,
        capability=Capability.MANAGE_ENGAGEMENT,
        organisation_id=contribution.organisation_id,
    ):
        raise Http404("No such contribution")
    return contribution


def contribution_list_for_person(*, person: Person) -> QuerySet[Contribution]:
    """Everything a person has contributed, theirs to read, redact or withdraw (withdrawn ones
    stay listed, without their words, so the person can see it was done)."""
    return with_widest_use(
        Contribution.objects.filter(person=person, purged_at__isnull=True)
        .select_related("activity", "question")
        .prefetch_related("redactions")
    ).order_by("-captured_on", "-pk")


def contribution_get_for_person(*, person: Person, pk) -> Contribution:
    try:
        return contribution_list_for_person(person=person).get(pk=pk)
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contribution") from None


def contributions_withdrawn_before(moment: datetime.datetime) -> QuerySet[Contribution]:
    """Withdrawn contributions whose grace period has passed and whose words are still kept."""
    return Contribution.objects.filter(withdrawn_at__lt=moment, purged_at__isnull=True)


# ---------------------------------------------------------------------------------------------
# Activities

ACTIVITY_FILTERS = {
    "kind": dict(ActivityKind.choices),
    "when": {"upcoming": "Upcoming", "past": "Finished", "cancelled": "Cancelled"},
}


def activity_list_for(
    *,
    user,
    search: str = "",
    kind: str = "",
    when: str = "",
    year: int | None = None,
) -> QuerySet[Activity]:
    """Activities of the user's organisations, newest first, with their counts (people taking
    part, contributions that may be shown inside the organisation), in a fixed number of
    queries whatever the number of activities."""
    activities = visible_to(
        Activity.objects.select_related("organisation", "ladder", "rung"),
        user=user,
        capability=Capability.VIEW_ENGAGEMENT,
    )
    today = timezone.localdate()
    if search:
        activities = activities.filter(Q(title__icontains=search) | Q(purpose__icontains=search))
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    if when == "upcoming":
        activities = activities.filter(ends_on__gte=today, cancelled_at__isnull=True)
    elif when == "past":
        activities = activities.filter(ends_on__lt=today, cancelled_at__isnull=True)
    elif when == "cancelled":
        activities = activities.filter(cancelled_at__isnull=False)
    if year:
        activities = activities.filter(starts_on__year=year)
    taking_part = Invitation.objects.filter(
        activity=OuterRef("pk"), status=InvitationStatus.ACCEPTED
    )
    invited = Invitation.objects.filter(activity=OuterRef("pk")).exclude(
        status=InvitationStatus.WITHDRAWN
    )
    usable = contributions_usable_for(
        Contribution.objects.filter(activity=OuterRef("pk")), use=UseLevel.INTERNAL
    )
    # Each count is its own subquery: joining invitations and contributions in one GROUP BY
    # would multiply the rows counted (activities x invitations x contributions).
    return activities.annotate(
        taking_part_count=count_per_activity(taking_part),
        invited_count=count_per_activity(invited),
        contribution_count=count_per_activity(usable),
    ).order_by("-starts_on", "-pk")


def count_per_activity(related: QuerySet):
    """How many rows of `related` (filtered by an OuterRef to the activity), as a subquery:
    one count per activity without a GROUP BY that would multiply rows across joins."""
    return Coalesce(
        Subquery(
            related.order_by().values("activity_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def activity_get_for(*, user, pk, may: Capability = Capability.VIEW_ENGAGEMENT) -> Activity:
    """One activity the user may see (and, with `may`, act on); anything else is 404."""
    try:
        activity = (
            Activity.objects.select_related("organisation", "ladder", "rung", "created_by")
            .prefetch_related(
                "partners",
                Prefetch("questions", queryset=ActivityQuestion.objects.order_by("position")),
            )
            .get(pk=pk)
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity") from None
    if not user_can(user=user, capability=may, organisation_id=activity.organisation_id):
        raise Http404("No such activity")
    return activity


def engagement_settings_for(*, organisation_id: int) -> EngagementSettings:
    """An organisation's settings, or the defaults (not saved) when it has none yet."""
    found = EngagementSettings.objects.filter(organisation_id=organisation_id).first()
    if found is None:
        found = EngagementSettings(organisation_id=organisation_id, default_ladder=ladder_default())
    return found


def feedback_due_default(*, organisation_id: int, ends_on: datetime.date) -> datetime.date:
    days = engagement_settings_for(organisation_id=organisation_id).feedback_due_days
    return ends_on + datetime.timedelta(days=days)


def ladder_list_for(*, organisation_ids) -> QuerySet[Ladder]:
    """Ladders an organisation may use: the shipped ones and its own."""
    return (
        Ladder.objects.filter(is_active=True)
        .filter(Q(organisation__isnull=True) | Q(organisation_id__in=list(organisation_ids)))
        .prefetch_related(Prefetch("rungs", queryset=LadderRung.objects.order_by("position")))
        .order_by("for_children_and_young_people", "name")
    )


def ladder_default() -> Ladder | None:
    return Ladder.objects.filter(organisation__isnull=True, slug="arnstein").first()


def rung_choices(*, organisation_ids) -> QuerySet[LadderRung]:
    return (
        LadderRung.objects.filter(ladder__in=ladder_list_for(organisation_ids=organisation_ids))
        .select_related("ladder")
        .order_by("ladder__for_children_and_young_people", "ladder__name", "position")
    )


@dataclass
class LadderReportRow:
    rung: LadderRung
    staff_count: int = 0
    felt_count: int = 0


@dataclass
class LadderReport:
    ladder: Ladder
    rows: list[LadderReportRow] = field(default_factory=list)
    activity_count: int = 0
    felt_answer_count: int = 0


def ladder_report(*, user, organisation_id: int, year: int) -> list[LadderReport]:
    """Per ladder used that year: how many of the organisation's activities staff placed on
    each rung, and how many people who took part said they felt they had that much say.
    Counted in SQL; cancelled activities are left out."""
    if not user_can(
        user=user, capability=Capability.VIEW_ENGAGEMENT, organisation_id=organisation_id
    ):
        raise Http404("No such report")
    activities = Activity.objects.filter(
        organisation_id=organisation_id, starts_on__year=year, cancelled_at__isnull=True
    )
    staff = dict(
        activities.values_list("rung_id").annotate(n=Count("pk")).values_list("rung_id", "n")
    )
    felt = dict(
        Invitation.objects.filter(activity__in=activities, felt_rung__isnull=False)
        .values_list("felt_rung_id")
        .annotate(n=Count("pk"))
        .values_list("felt_rung_id", "n")
    )
    ladder_ids = set(
        LadderRung.objects.filter(pk__in=set(staff) | set(felt)).values_list("ladder_id", flat=True)
    )
    reports = []
    # Every ladder used that year, retired ones too: their activities still count.
    ladders = (
        Ladder.objects.filter(pk__in=ladder_ids)
        .filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))
        .prefetch_related(Prefetch("rungs", queryset=LadderRung.objects.order_by("position")))
        .order_by("for_children_and_young_people", "name")
    )
    for ladder in ladders:
        report = LadderReport(ladder=ladder)
        for rung in ladder.rungs.all():
            row = LadderReportRow(
                rung=rung, staff_count=staff.get(rung.pk, 0), felt_count=felt.get(rung.pk, 0)
            )
            report.rows.append(row)
            report.activity_count += row.staff_count
            report.felt_answer_count += row.felt_count
        reports.append(report)
    return reports


def activity_years_for(*, user) -> list[int]:
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)
    years = Activity.objects.filter(organisation_id__in=ids).dates("starts_on", "year")
    return sorted({d.year for d in years} | {timezone.localdate().year}, reverse=True)


# ---------------------------------------------------------------------------------------------
# Invitations


def invitation_list_for_activity(*, activity: Activity) -> QuerySet[Invitation]:
    """Everyone asked to take part in one activity (the caller has checked the user may see
    who was invited)."""
    return (
        Invitation.objects.filter(activity=activity, person__erased_at__isnull=True)
        .select_related("person", "felt_rung")
        .order_by("person__full_name", "pk")
    )


def invitation_get_for(*, user, pk, may: Capability = Capability.MANAGE_ENGAGEMENT) -> Invitation:
    """One invitation the user may act on. An invitation shows the person's needs and support
    contact, so the user must also be able to see the register (learning leads run activities
    but do not see people's details)."""
    try:
        invitation = Invitation.objects.select_related(
            "activity", "activity__organisation", "activity__ladder", "person", "felt_rung"
        ).get(pk=pk, person__erased_at__isnull=True)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such invitation") from None
    organisation_id = invitation.activity.organisation_id
    if not (
        user_can(user=user, capability=may, organisation_id=organisation_id)
        and user_can(user=user, capability=Capability.VIEW_PEOPLE, organisation_id=organisation_id)
    ):
        raise Http404("No such invitation")
    return invitation


def invitation_list_for_person(*, person: Person) -> QuerySet[Invitation]:
    """A person's own invitations, the latest activity first (the portal groups them)."""
    return (
        Invitation.objects.filter(person=person)
        .exclude(status=InvitationStatus.WITHDRAWN)
        .select_related("activity", "activity__organisation", "activity__ladder", "felt_rung")
        .prefetch_related(
            Prefetch("activity__questions", queryset=ActivityQuestion.objects.order_by("position"))
        )
        .order_by("-activity__starts_on", "-pk")
    )


def invitation_get_for_person(*, person: Person, pk) -> Invitation:
    try:
        return invitation_list_for_person(person=person).get(pk=pk)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such invitation") from None


@dataclass
class Candidate:
    """A person on the register, as someone who might be invited to an activity."""

    person: Person
    #: Why they cannot be invited (no agreement to be contacted, already invited…), or "".
    blocked: str = ""
    #: Reasons to think twice, shown but not blocking.
    warnings: list[str] = field(default_factory=list)

    @property
    def can_invite(self) -> bool:
        return not self.blocked


def invitation_candidates_for(
    *, user, activity: Activity, search: str = "", area_id: int | None = None
) -> QuerySet[Person]:
    """People on the activity's register who might be invited, by name: filter with tags
    (areas of lived experience) and a search; check each page with `candidates_checked`."""
    if not user_can(
        user=user, capability=Capability.VIEW_PEOPLE, organisation_id=activity.organisation_id
    ):
        raise Http404("No such page")
    people = (
        Person.objects.not_erased()
        .filter(organisation_id=activity.organisation_id)
        .exclude(status=PersonStatus.LEFT)
    )
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(preferred_name__icontains=search))
    if area_id:
        people = people.filter(areas__pk=area_id)
    return people.prefetch_related("areas").order_by("full_name", "pk")


#: Words too common to say two topics match ("anything about my ex-partner" is not about
#: every activity whose notes say "about").
# fmt: off
_COMMON_WORDS = frozenset(
    {
        "about", "above", "after", "again", "anything", "being", "below", "between", "could",
        "details", "during", "every", "having", "other", "their", "there", "these", "thing",
        "things", "those", "through", "under", "until", "where", "which", "while", "would",
        "please", "people", "person", "really", "talking",
    }
)
# fmt: on


def _topic_matches(topics_to_avoid: str, content: str) -> list[str]:
    """Topics a person asked to avoid that the activity's content notes mention."""
    words = content.lower()
    found = []
    for raw in topics_to_avoid.replace(";", "\n").replace(",", "\n").splitlines():
        topic = raw.strip().strip(".").lower()
        if len(topic) < 3:
            continue
        # The whole phrase, or any of its longer words (so "alcohol use" matches "alcohol").
        if topic in words or any(
            len(word) >= 5 and word not in _COMMON_WORDS and word in words for word in topic.split()
        ):
            found.append(raw.strip())
    return found


def _contact_refusals(people: list[Person]) -> dict[int, str]:
    """Why each of these people may not be contacted, in may_we's words (people.selectors),
    for a whole page in one query rather than one may_we per person."""
    if not people:
        return {}
    latest = {}
    for person_id, given_by, decision in (
        ConsentRecord.objects.filter(
            person_id__in=[p.pk for p in people], purpose=ConsentPurpose.CONTACT
        )
        .order_by("recorded_at", "pk")
        .values_list("person_id", "given_by", "decision")
    ):
        latest[person_id, given_by] = decision  # oldest first: the last one seen is the latest
    label = ConsentPurpose.CONTACT.label.lower()
    reasons = {}
    for person in people:
        own = latest.get((person.pk, ConsentGivenBy.PERSON))
        guardian = latest.get((person.pk, ConsentGivenBy.GUARDIAN))
        if person.is_erased:
            reasons[person.pk] = "This record has been erased."
        elif person.status == PersonStatus.LEFT:
            reasons[person.pk] = "They have left the register."
        elif own is None:
            reasons[person.pk] = f"They have not been asked about this: {label}."
        elif own != ConsentDecision.GIVEN:
            reasons[person.pk] = f"They have withdrawn their agreement: {label}."
        elif person.needs_guardian_consent and guardian != ConsentDecision.GIVEN:
            why = "withdrawn" if guardian else "not been recorded"
            reasons[person.pk] = (
                f"They are under 16 and their parent or guardian's agreement has {why}."
            )
    return reasons


def candidates_checked(*, activity: Activity, people: list[Person]) -> list[Candidate]:
    """For one page of people: who may be invited, and what to warn about. A fixed number of
    queries whatever the page size."""
    today = timezone.localdate()
    ids = [p.pk for p in people]
    contactable = set(
        people_who_may(
            Person.objects.filter(pk__in=ids), purpose=ConsentPurpose.CONTACT, respect_rest=False
        ).values_list("pk", flat=True)
    )
    already = set(
        Invitation.objects.filter(activity=activity, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    refusals = _contact_refusals([p for p in people if p.pk not in contactable])
    # Their most recent involvement: the end of the last activity they took part in.
    last_involved = {}
    for person_id, ended in (
        Invitation.objects.filter(
            person_id__in=ids,
            status=InvitationStatus.ACCEPTED,
            activity__cancelled_at__isnull=True,
            activity__ends_on__lte=today,
        )
        .exclude(activity=activity)
        .values_list("person_id", "activity__ends_on")
    ):
        if ended > last_involved.get(person_id, datetime.date.min):
            last_involved[person_id] = ended
    # The same question asked of them in another activity in the last 12 months.
    asked = {}
    questions = {q.normalised: q.text for q in activity.questions.all() if q.normalised}
    if questions:
        since = months_after(today, -ASKED_BEFORE_MONTHS)
        for person_id, normalised, title, starts_on in (
            Invitation.objects.filter(
                person_id__in=ids,
                activity__starts_on__gte=since,
                activity__questions__normalised__in=list(questions),
            )
            .exclude(activity=activity)
            .exclude(status__in=[InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN])
            .values_list(
                "person_id",
                "activity__questions__normalised",
                "activity__title",
                "activity__starts_on",
            )
        ):
            asked.setdefault(person_id, []).append(
                f"Already asked “{questions[normalised]}” in {title} ({starts_on:%-d %B %Y})."
            )
    content = " ".join([activity.content_notes, activity.title, activity.purpose])
    checked = []
    for person in people:
        candidate = Candidate(person=person)
        if person.pk in already:
            candidate.blocked = "Already invited to this activity."
        elif person.pk not in contactable:
            candidate.blocked = refusals.get(person.pk) or "They have not agreed to be contacted."
        if person.is_resting_on(activity.starts_on) or person.is_resting_on(today):
            until = f" until {person.resting_until:%-d %B %Y}" if person.resting_until else ""
            candidate.warnings.append(f"Resting{until}.")
        rest_days = person.rest_days_between_involvements
        ended = last_involved.get(person.pk)
        if rest_days and ended and (activity.starts_on - ended).days < rest_days:
            candidate.warnings.append(
                f"Asked for {rest_days} days' rest between involvements; last took part "
                f"{ended:%-d %B %Y}."
            )
        matches = _topic_matches(person.topics_to_avoid, content) if person.topics_to_avoid else []
        if matches:
            candidate.warnings.append(
                "Asked to avoid a topic this activity's content notes mention: "
                + ", ".join(matches)
                + "."
            )
        candidate.warnings.extend(asked.get(person.pk, []))
        checked.append(candidate)
    return checked


def invitation_counts(*, activity: Activity) -> dict[str, int]:
    counts = dict(
        Invitation.objects.filter(activity=activity)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    result = {status: counts.get(status, 0) for status in InvitationStatus.values}
    result["attended"] = Invitation.objects.filter(activity=activity, attended=True).count()
    return result


def invitations_waiting_for(*, user) -> QuerySet[Invitation]:
    """Invitations still waiting for an answer, across the user's organisations."""
    ids = organisation_ids_where(user=user, capability=Capability.MANAGE_ENGAGEMENT)
    return Invitation.objects.filter(
        activity__organisation_id__in=ids, status=InvitationStatus.INVITED
    ).annotate(starts_on=F("activity__starts_on"))


def portal_home_summary(*, person: Person) -> dict:
    """What the portal's home page says about a person's invitations and contributions."""
    today = timezone.localdate()
    invitations = list(
        invitation_list_for_person(person=person).filter(activity__cancelled_at__isnull=True)
    )
    return {
        "opportunities_waiting": [
            i for i in invitations if i.is_open and i.activity.ends_on >= today
        ],
        "opportunities_coming_up": [
            i for i in invitations if i.is_taking_part and i.activity.ends_on >= today
        ],
        "felt_say_due": [
            i
            for i in invitations
            if i.status in (InvitationStatus.ACCEPTED, InvitationStatus.LEFT)
            and i.activity.starts_on <= today
            and i.felt_rung_id is None
        ],
        "my_contribution_count": Contribution.objects.filter(
            person=person, withdrawn_at__isnull=True, purged_at__isnull=True
        ).count(),
    }


# ---------------------------------------------------------------------------------------------
# Activity pages: how much say people felt they had, and the staff home page


@dataclass
class FeltSayRow:
    rung: LadderRung
    staff_chose: bool
    felt_count: int


def felt_say_for_activity(*, activity: Activity) -> list[FeltSayRow]:
    """Each rung of the activity's ladder, highest first, with whether staff placed the
    activity there and how many people who took part said they felt they had that much say
    (counted in SQL). The caller has checked the user may see the activity."""
    counts = dict(
        Invitation.objects.filter(
            activity=activity, felt_rung__isnull=False, felt_rung__ladder_id=activity.ladder_id
        )
        .values_list("felt_rung_id")
        .annotate(n=Count("pk"))
        .values_list("felt_rung_id", "n")
    )
    return [
        FeltSayRow(
            rung=rung, staff_chose=rung.pk == activity.rung_id, felt_count=counts.get(rung.pk, 0)
        )
        for rung in LadderRung.objects.filter(ladder_id=activity.ladder_id).order_by("-position")
    ]


def activity_summary_for(*, user) -> dict[str, int] | None:
    """What the staff home page says about activities, in one query: activities coming up and
    in all (feedback owed is accountability's: accountability.selectors.dashboard_counts_for).
    None for someone who may not see activities."""
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)
    if not ids:
        return None
    today = timezone.localdate()
    return Activity.objects.filter(organisation_id__in=ids).aggregate(
        upcoming=Count("pk", filter=Q(cancelled_at__isnull=True, ends_on__gte=today)),
        total=Count("pk"),
    )


def activity_with_counts_get_for(*, user, pk) -> Activity:
    """One activity the user may see, with the list's counts, its partners and its questions
    (for the API's detail); anything else is 404."""
    activity = (
        activity_list_for(user=user)
        .prefetch_related(
            "partners",
            Prefetch("questions", queryset=ActivityQuestion.objects.order_by("position", "pk")),
        )
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404("No such activity")
    return activity


# ---------------------------------------------------------------------------------------------
# An organisation's own ladders


def ladder_list_with_use_for(*, user) -> QuerySet[Ladder]:
    """The ladders the user's organisations may see: the shipped ones still offered, and each
    organisation's own (retired ones too), each with how many of those organisations'
    activities sit on it and its rungs, in a fixed number of queries whatever their number."""
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)
    return (
        Ladder.objects.filter(
            Q(organisation__isnull=True, is_active=True) | Q(organisation_id__in=ids)
        )
        .select_related("organisation")
        .prefetch_related(Prefetch("rungs", queryset=LadderRung.objects.order_by("position")))
        .annotate(
            activity_count=Count(
                "activities", filter=Q(activities__organisation_id__in=ids), distinct=True
            )
        )
        .order_by("-is_active", "for_children_and_young_people", "name", "pk")
    )


def ladder_get_for(*, user, pk) -> Ladder:
    """One of an organisation's own ladders that the user may change (retired ones too). The
    shipped ladders, and anyone else's, are 404."""
    try:
        ladder = (
            Ladder.objects.select_related("organisation")
            .prefetch_related(Prefetch("rungs", queryset=LadderRung.objects.order_by("position")))
            .get(pk=pk, organisation__isnull=False)
        )
    except (Ladder.DoesNotExist, ValueError, TypeError):
        raise Http404("No such ladder") from None
    if not user_can(
        user=user, capability=Capability.MANAGE_ENGAGEMENT, organisation_id=ladder.organisation_id
    ):
        raise Http404("No such ladder")
    return ladder


@dataclass
class RungUse:
    """One rung of a ladder, with how many activities sit on it and how many people who took
    part chose it when asked how much say they felt they had."""

    rung: LadderRung
    activity_count: int = 0
    answer_count: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.activity_count or self.answer_count)


def ladder_rung_use(*, ladder: Ladder) -> list[RungUse]:
    """Each rung of the ladder, bottom first, with what uses it (counted in SQL). Cancelled
    activities count: they still sit on their rung."""
    activities = dict(
        Activity.objects.filter(rung__ladder=ladder)
        .values_list("rung_id")
        .annotate(n=Count("pk"))
        .values_list("rung_id", "n")
    )
    answers = dict(
        Invitation.objects.filter(felt_rung__ladder=ladder)
        .values_list("felt_rung_id")
        .annotate(n=Count("pk"))
        .values_list("felt_rung_id", "n")
    )
    return [
        RungUse(
            rung=rung,
            activity_count=activities.get(rung.pk, 0),
            answer_count=answers.get(rung.pk, 0),
        )
        for rung in LadderRung.objects.filter(ladder=ladder).order_by("position")
    ]


def rung_choices_for(*, organisation_ids, activity: Activity | None = None) -> QuerySet[LadderRung]:
    """The rungs the activity form offers: those of the ladders offered now (rung_choices)
    and, when changing an activity, every rung of its own ladder even once that ladder is
    retired, so the activity can be changed without moving it to another ladder."""
    offered = Q(ladder__in=ladder_list_for(organisation_ids=organisation_ids))
    if activity is not None and activity.ladder_id:
        offered |= Q(ladder_id=activity.ladder_id)
    return (
        LadderRung.objects.filter(offered)
        .select_related("ladder")
        .order_by("ladder__for_children_and_young_people", "ladder__name", "position")
    )


def use_levels_consented_for_many(*, people: list[Person]) -> dict[int, list[int]]:
    """`use_levels_consented` for many people at once: {person id: levels}, one query per use
    level whatever the number of people (for bulk capture)."""
    ids = [person.pk for person in people if person is not None]
    agreed: dict[int, list[int]] = {pk: [] for pk in ids}
    if ids:
        for level in UseLevel:
            for pk in people_who_may(
                Person.objects.filter(pk__in=ids), purpose=USE_PURPOSE[level]
            ).values_list("pk", flat=True):
                agreed[pk].append(int(level))
    return agreed
