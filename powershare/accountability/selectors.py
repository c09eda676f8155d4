"""Reads about responses, loops and feedback. Scoping lives here.

Loop status is computed in SQL (`with_loop_status`) from the contributions, their responses and
the letters sent, so every list and figure agrees with every other, and a new contribution
opens a loop again without anything being stored.

Contribution words are only ever shown through
engagement.selectors.contributions_usable_for: staff pages at the internal level, the letter to
contributors at the anonymised level, the public page at the public level.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from powershare.accounts.models import Membership, Organisation
from powershare.accounts.roles import Capability, Role, role_can
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.engagement.models import Activity, Contribution, UseLevel
from powershare.engagement.selectors import (
    contributions_usable_for,
    count_per_activity,
    with_widest_use,
)
from powershare.people.models import Person

from .models import (
    ChangeNotice,
    Decision,
    EvidenceFile,
    FeedbackLetter,
    FeedbackRecipient,
    LetterStatus,
    PublicPage,
    Response,
    ResponseChange,
    ResponseContribution,
    ResponseProgress,
)

#: "Due soon" on the dashboard: feedback due within this many days.
DUE_SOON_DAYS = 14
#: Reminders cover responses and activities due within this many days (and overdue).
REMINDER_DAYS = 7
#: The use level of the letter sent to everyone who took part: people's words, without names.
LETTER_USE = UseLevel.ANONYMISED


class LoopState:
    OPEN = "open"
    READY = "ready"
    CLOSED = "closed"

    LABELS = {
        OPEN: "Waiting for responses",
        READY: "Ready to send feedback",
        CLOSED: "Loop closed",
    }


class Urgency:
    OVERDUE = 0
    DUE_SOON = 1
    OPEN = 2

    LABELS = {OVERDUE: "Overdue", DUE_SOON: f"Due in the next {DUE_SOON_DAYS} days", OPEN: "Open"}


# ---------------------------------------------------------------------------------------------
# Loop status, in SQL


def _live_contributions():
    """Contributions of the outer activity that still count: not withdrawn, words not erased."""
    return Contribution.objects.filter(
        activity=OuterRef("pk"), withdrawn_at__isnull=True, purged_at__isnull=True
    )


def _answered():
    return ResponseContribution.objects.filter(contribution=OuterRef("pk"))


def _told():
    return FeedbackLetter.contributions.through.objects.filter(
        contribution_id=OuterRef("pk"), feedbackletter__status=LetterStatus.SENT
    )


def with_loop_status(activities: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """Annotate activities with their loop, in a fixed number of queries:

    * `contribution_total`: contributions not withdrawn;
    * `without_response`: of those, how many have no response yet;
    * `not_told`: how many have a response but were in no sent letter;
    * `first_feedback_on`: the date the first letter was sent (None if none was);
    * `loop_state`: "open", "ready" or "closed" (see models);
    * `is_overdue`: the feedback date has passed and the loop is not closed.
    """
    today = today or timezone.localdate()
    live = _live_contributions()
    first_sent = (
        FeedbackLetter.objects.filter(activity=OuterRef("pk"), status=LetterStatus.SENT)
        .order_by("sent_on")
        .values("sent_on")[:1]
    )
    activities = activities.annotate(
        contribution_total=count_per_activity(live),
        without_response=count_per_activity(live.exclude(Exists(_answered()))),
        not_told=count_per_activity(live.filter(Exists(_answered())).exclude(Exists(_told()))),
        first_feedback_on=Subquery(first_sent),
    )
    closed = Q(without_response=0, not_told=0, first_feedback_on__isnull=False)
    return activities.annotate(
        loop_state=Case(
            When(closed, then=Value(LoopState.CLOSED)),
            When(
                Q(without_response=0, contribution_total__gt=0),
                then=Value(LoopState.READY),
            ),
            default=Value(LoopState.OPEN),
            output_field=CharField(),
        ),
        is_overdue=Case(
            When(
                Q(feedback_due_on__lt=today, cancelled_at__isnull=True) & ~closed,
                then=Value(True),
            ),
            default=Value(False),
        ),
    )


def loop_closed():
    """True for an activity (the outer query's row) whose loop is closed, as `loop_state` says
    "closed": a letter was sent and every contribution that still counts has a response and
    was in a sent letter. One EXISTS per activity that stops at the first contribution still
    owed something, where filtering on `loop_state` would work out all of its figures, each
    more than once (issue 12: the feedback dashboard of a council with 1,500 activities)."""
    owed = _live_contributions().exclude(Exists(_answered()) & Exists(_told()))
    sent = FeedbackLetter.objects.filter(activity=OuterRef("pk"), status=LetterStatus.SENT)
    return Exists(sent) & ~Exists(owed)


def loop_state_label(state: str) -> str:
    return LoopState.LABELS.get(state, state)


# ---------------------------------------------------------------------------------------------
# The participation lead's dashboard


def dashboard_for(*, user, today: datetime.date | None = None, search: str = "") -> QuerySet:
    """Activities of the user's organisations whose loop is not closed, that have started and
    were not cancelled: overdue first (oldest promise first), then those due in the next 14
    days, then the rest, each with how many contributions still have no response. A fixed
    number of queries whatever the number of activities (paginate the result)."""
    today = today or timezone.localdate()
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)
    activities = Activity.objects.filter(
        organisation_id__in=ids, cancelled_at__isnull=True, starts_on__lte=today
    ).select_related("organisation")
    if search:
        activities = activities.filter(title__icontains=search)
    # Filtered and ordered on plain columns and one EXISTS: the figures of with_loop_status
    # are worked out for the rows fetched only (the page, or the totals' short rows).
    activities = with_loop_status(activities.exclude(loop_closed()), today=today)
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return activities.annotate(
        urgency=Case(
            When(feedback_due_on__lt=today, then=Value(Urgency.OVERDUE)),
            When(feedback_due_on__lte=soon, then=Value(Urgency.DUE_SOON)),
            default=Value(Urgency.OPEN),
            output_field=IntegerField(),
        )
    ).order_by("urgency", "feedback_due_on", "pk")


def dashboard_counts_for(*, user, today: datetime.date | None = None) -> dict[str, int]:
    """How many activities are overdue, due soon and open, and how many contributions wait for
    a response, in one query."""
    counts = dashboard_totals_for(user=user, today=today)
    del counts["listed"]
    return counts


def dashboard_rows_for(
    *, user, today: datetime.date | None = None, search: str = ""
) -> list[tuple[int, datetime.date | None, int]]:
    """`dashboard_for`'s rows, short, in its order, in one query: (activity id, feedback due
    on, contributions without a response). Working out which loops are closed is the costly
    part of the dashboard, so it is done once, for these rows, and the page's activities are
    then fetched by id (`dashboard_page`)."""
    rows = dashboard_for(user=user, today=today, search=search)
    return list(rows.values_list("pk", "feedback_due_on", "without_response"))


def dashboard_page(*, user, ids: list[int], today: datetime.date | None = None) -> list:
    """The dashboard's activities with these ids, in this order, with their loop figures (one
    query, for the page's rows only)."""
    found = {a.pk: a for a in dashboard_for(user=user, today=today).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def dashboard_totals_for(
    *, user, today: datetime.date | None = None, rows: list | None = None
) -> dict[str, int]:
    """`dashboard_counts_for` and `listed`, how many rows `dashboard_for` lists without a
    search (so its page need not count them again), in one query (none when given the rows of
    `dashboard_rows_for` without a search): each activity's loop is worked out once, and the
    contributions waiting are the sum of its `without_response`."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    counts = {"overdue": 0, "due_soon": 0, "open": 0, "without_response": 0, "listed": 0}
    if rows is None:
        rows = dashboard_rows_for(user=user, today=today)
    for _pk, due, without_response in rows:
        counts["listed"] += 1
        counts["without_response"] += without_response
        if due is None:
            continue
        if due < today:
            counts["overdue"] += 1
        elif due <= soon:
            counts["due_soon"] += 1
        else:
            counts["open"] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Metrics per organisation


@dataclass
class LoopMetrics:
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    #: Activities whose feedback was due in the period (not cancelled).
    due: int = 0
    closed: int = 0
    #: Closed, and the first letter went on or before the promised date.
    on_time: int = 0
    with_feedback: int = 0
    #: Median days from the end of the activity to the first letter; None without letters.
    median_days: float | None = None

    @property
    def closed_rate(self) -> float | None:
        return self.closed / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def loop_metrics(
    *,
    organisation: Organisation,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> LoopMetrics:
    """Closed-loop rate, on-time rate and median days to feedback for the activities whose
    feedback was due between `start` and `end` (inclusive). Counted in SQL; the median is
    read from the middle of the sorted days in SQL too (one or two rows)."""
    activities = with_loop_status(
        Activity.objects.filter(
            organisation=organisation,
            cancelled_at__isnull=True,
            feedback_due_on__gte=start,
            feedback_due_on__lte=end,
        ),
        today=today,
    )
    counts = activities.aggregate(
        due=Count("pk"),
        closed=Count("pk", filter=Q(loop_state=LoopState.CLOSED)),
        on_time=Count(
            "pk",
            filter=Q(loop_state=LoopState.CLOSED, first_feedback_on__lte=F("feedback_due_on")),
        ),
        with_feedback=Count("pk", filter=Q(first_feedback_on__isnull=False)),
    )
    metrics = LoopMetrics(organisation=organisation, start=start, end=end, **counts)
    n = metrics.with_feedback
    if n:
        days = (
            activities.filter(first_feedback_on__isnull=False)
            .annotate(
                days=ExpressionWrapper(
                    F("first_feedback_on") - F("ends_on"), output_field=DurationField()
                )
            )
            .order_by("days", "pk")
            .values_list("days", flat=True)
        )
        middle = list(days[(n - 1) // 2 : n // 2 + 1])
        metrics.median_days = sum(d.days for d in middle) / len(middle)
    return metrics


def metrics_organisations_for(*, user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)
    ).order_by("name")


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months up to today."""
    today = today or timezone.localdate()
    try:
        start = today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + datetime.timedelta(days=1)
    return start, today


# ---------------------------------------------------------------------------------------------
# Responses


def _responses():
    return Response.objects.select_related("activity", "owner", "organisation")


def _contributions_linked():
    """How many contributions each response answers, as a subquery: counted for the rows
    shown only (a GROUP BY over the join would count every response of a council before the
    page is cut from them)."""
    return Coalesce(
        Subquery(
            ResponseContribution.objects.filter(response=OuterRef("pk"))
            .order_by()
            .values("response_id")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def response_list_for_activity(*, activity: Activity) -> QuerySet[Response]:
    """An activity's responses for staff, each with its contributions that may be shown inside
    the organisation (withdrawn ones drop out), files and progress."""
    usable = contributions_usable_for(
        Contribution.objects.select_related("person", "question"), use=UseLevel.INTERNAL
    )
    return (
        _responses()
        .filter(activity=activity)
        .prefetch_related(
            Prefetch("contributions", queryset=with_widest_use(usable), to_attr="shown"),
            "files",
            "progress",
        )
        .annotate(contributions_linked=_contributions_linked())
        .order_by("pk")
    )


def response_get_for(*, user, pk, may: Capability = Capability.VIEW_ENGAGEMENT) -> Response:
    """One response the user may see (and, with `may`, act on); anything else is 404. A
    response's owner may add progress to it whatever their role (`may=None`)."""
    try:
        response = (
            _responses()
            .prefetch_related(
                Prefetch(
                    "contributions",
                    queryset=with_widest_use(
                        contributions_usable_for(
                            Contribution.objects.select_related("person", "question"),
                            use=UseLevel.INTERNAL,
                        )
                    ),
                    to_attr="shown",
                ),
                "files",
                Prefetch(
                    "progress", queryset=ResponseProgress.objects.select_related("written_by")
                ),
                Prefetch("changes", queryset=ResponseChange.objects.select_related("changed_by")),
            )
            .get(pk=pk)
        )
    except (Response.DoesNotExist, ValueError, TypeError):
        raise Http404("No such response") from None
    if not user_can(
        user=user, capability=Capability.VIEW_ENGAGEMENT, organisation_id=response.organisation_id
    ):
        raise Http404("No such response")
    if may is not None and not (
        user_can(user=user, capability=may, organisation_id=response.organisation_id)
        or response.owner_id == user.pk
    ):
        raise Http404("No such response")
    return response


def response_may_change(*, user, response: Response) -> bool:
    return user_can(
        user=user,
        capability=Capability.MANAGE_ENGAGEMENT,
        organisation_id=response.organisation_id,
    )


def response_may_add_progress(*, user, response: Response) -> bool:
    return response.owner_id == user.pk or response_may_change(user=user, response=response)


def response_list_for(
    *, user, owner_only: bool = False, status: str = "", decision: str = ""
) -> QuerySet[Response]:
    """Responses of the user's organisations, soonest due first (no date last)."""
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)
    responses = _responses().filter(organisation_id__in=ids)
    if owner_only:
        responses = responses.filter(owner=user)
    if status:
        responses = responses.filter(status=status)
    if decision:
        responses = responses.filter(decision=decision)
    return responses.annotate(contributions_linked=_contributions_linked()).order_by(
        F("due_on").asc(nulls_last=True), "pk"
    )


def evidence_file_get_for(*, user, pk) -> EvidenceFile:
    try:
        evidence = EvidenceFile.objects.select_related("response").get(pk=pk)
    except (EvidenceFile.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file") from None
    if not user_can(
        user=user,
        capability=Capability.VIEW_ENGAGEMENT,
        organisation_id=evidence.response.organisation_id,
    ):
        raise Http404("No such file")
    return evidence


def contributions_to_answer(*, activity: Activity) -> QuerySet[Contribution]:
    """An activity's contributions for the "select, then respond" page: those that may be shown
    inside the organisation, with how many responses each already has (no response first)."""
    return (
        with_widest_use(
            contributions_usable_for(
                Contribution.objects.filter(activity=activity).select_related("person", "question"),
                use=UseLevel.INTERNAL,
            )
        )
        .annotate(response_count=Count("response_links", distinct=True))
        .order_by("response_count", "captured_on", "pk")
    )


def _hidden_from_staff(activity: Activity) -> QuerySet[Contribution]:
    """Contributions not withdrawn that staff cannot read now (the person has since said no
    even to use inside the organisation). They still need a response."""
    live = Contribution.objects.filter(
        activity=activity, withdrawn_at__isnull=True, purged_at__isnull=True
    )
    shown = contributions_usable_for(live, use=UseLevel.INTERNAL)
    return live.exclude(pk__in=shown.values("pk"))


def contributions_hidden_count(*, activity: Activity) -> int:
    return _hidden_from_staff(activity).count()


# ---------------------------------------------------------------------------------------------
# Feedback letters


def activity_loop_get(*, activity: Activity) -> Activity:
    """The activity again, with its loop status annotations."""
    return with_loop_status(Activity.objects.filter(pk=activity.pk)).get()


def letter_draft_for(*, activity: Activity) -> FeedbackLetter | None:
    return FeedbackLetter.objects.filter(activity=activity, status=LetterStatus.DRAFT).first()


def letters_for_activity(*, activity: Activity) -> QuerySet[FeedbackLetter]:
    return (
        FeedbackLetter.objects.filter(activity=activity)
        .select_related("sent_by")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-pk")
    )


def letter_get_for(*, user, pk, may: Capability = Capability.VIEW_ENGAGEMENT) -> FeedbackLetter:
    try:
        letter = FeedbackLetter.objects.select_related(
            "activity", "activity__organisation", "sent_by"
        ).get(pk=pk)
    except (FeedbackLetter.DoesNotExist, ValueError, TypeError):
        raise Http404("No such letter") from None
    if not user_can(user=user, capability=may, organisation_id=letter.organisation_id):
        raise Http404("No such letter")
    return letter


def recipients_for_letter(*, letter: FeedbackLetter) -> QuerySet[FeedbackRecipient]:
    return letter.recipients.select_related("person").order_by("delivery", "pk")


@dataclass
class Quote:
    text: str
    credit: str
    reference: str
    is_own: bool = False


@dataclass
class LetterSection:
    """One response as the letter says it: what people said, and what we did."""

    response: Response
    quotes: list[Quote] = field(default_factory=list)
    #: Points this response answers that cannot be quoted at this use (kept inside the team).
    unquoted: int = 0

    @property
    def decision_label(self) -> str:
        return Decision(self.response.decision).label


DECISION_ORDER = {
    Decision.DONE: 0,
    Decision.WILL_DO: 1,
    Decision.CONSIDERING: 2,
    Decision.WILL_NOT_DO: 3,
}


def letter_sections(
    *,
    activity: Activity,
    letter: FeedbackLetter | None = None,
    use: int = LETTER_USE,
    group_label: str | None = None,
    group_held_by: str | None = None,
    person: Person | None = None,
) -> list[LetterSection]:
    """The middle of a "you said, we did" letter, assembled live from the activity's
    responses. Quotes go through the consent rule for `use` (nothing withdrawn, removed or
    beyond what the person agreed to). With `group_label` (and `group_held_by`, the partner
    holding the group's consent), only what that group said and the responses to it (the
    version a partner passes on). With `person`, that person's own words are shown to them as
    theirs, whatever the use (they are the author). With a sent `letter`, only the responses
    and contributions it carried: a response or a reply recorded later belongs to a later
    letter. A fixed number of queries."""
    responses = Response.objects.filter(activity=activity)
    links = ResponseContribution.objects.filter(response__activity=activity)
    if letter is not None and letter.is_sent:
        responses = responses.filter(letters=letter)
        links = links.filter(response__letters=letter, contribution__feedback_letters=letter)
    responses = list(responses.order_by("pk"))
    if group_label is not None:
        links = links.filter(contribution__group_label=group_label, contribution__person=None)
        if group_held_by is not None:
            links = links.filter(contribution__group_consent_held_by=group_held_by)
    linked_ids: dict[int, list[int]] = {}
    for response_id, contribution_id in links.values_list("response_id", "contribution_id"):
        linked_ids.setdefault(response_id, []).append(contribution_id)
    all_ids = {cid for ids in linked_ids.values() for cid in ids}
    usable = contributions_usable_for(
        Contribution.objects.filter(pk__in=all_ids).select_related("person"), use=use
    )
    quotable = {c.pk: c for c in with_widest_use(usable)}
    own: dict[int, Contribution] = {}
    if person is not None:
        own = {
            c.pk: c
            for c in Contribution.objects.filter(
                pk__in=all_ids,
                person=person,
                withdrawn_at__isnull=True,
                purged_at__isnull=True,
            )
        }
    live_ids = set(
        Contribution.objects.filter(
            pk__in=all_ids, withdrawn_at__isnull=True, purged_at__isnull=True
        ).values_list("pk", flat=True)
    )
    sections = []
    for response in responses:
        ids = linked_ids.get(response.pk, [])
        if group_label is not None and not ids:
            continue
        section = LetterSection(response=response)
        for cid in ids:
            if cid in own:
                c = own[cid]
                section.quotes.append(Quote(c.text, "You", c.reference, is_own=True))
            elif cid in quotable:
                c = quotable[cid]
                credit = c.credit_for(use) if use >= UseLevel.ATTRIBUTED or c.is_from_group else ""
                section.quotes.append(Quote(c.text, credit, c.reference))
            elif cid in live_ids:
                section.unquoted += 1
        if ids and not section.quotes and not section.unquoted:
            # Everything it answered was withdrawn: nothing to say about it.
            continue
        sections.append(section)
    sections.sort(key=lambda s: (DECISION_ORDER.get(s.response.decision, 9), s.response.pk))
    return sections


def group_labels_for(*, activity: Activity) -> list[dict]:
    """The anonymous groups who contributed to an activity, with who holds their consent."""
    return list(
        Contribution.objects.filter(
            activity=activity, person=None, withdrawn_at__isnull=True, purged_at__isnull=True
        )
        .values("group_label", "group_consent_held_by")
        .annotate(contributions=Count("pk"))
        .order_by("group_label")
    )


def letter_audience(*, activity: Activity) -> QuerySet[Person]:
    """Who a letter goes to: everyone with a contribution that still counts, and everyone who
    took part, not erased."""
    from powershare.engagement.models import InvitationStatus

    return (
        Person.objects.filter(erased_at__isnull=True)
        .filter(
            Q(
                contributions__activity=activity,
                contributions__withdrawn_at__isnull=True,
            )
            | Q(invitations__activity=activity, invitations__status=InvitationStatus.ACCEPTED)
        )
        .distinct()
        .select_related("user")
        .order_by("pk")
    )


# ---------------------------------------------------------------------------------------------
# The contributor's own view (portal)


def outcomes_for_person(*, person: Person) -> QuerySet[Contribution]:
    """A person's own contributions (not withdrawn) with what happened to each: the responses
    linked to it that have been reported back in a sent letter (a draft response is staff's
    until then), with their progress and changes. Fixed number of queries."""
    return (
        Contribution.objects.filter(
            person=person, withdrawn_at__isnull=True, purged_at__isnull=True
        )
        .select_related("activity")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.filter(
                    Exists(
                        FeedbackLetter.responses.through.objects.filter(
                            response_id=OuterRef("pk"),
                            feedbackletter__status=LetterStatus.SENT,
                        )
                    )
                )
                .prefetch_related(
                    Prefetch(
                        "progress",
                        queryset=ResponseProgress.objects.order_by("happened_on", "pk"),
                    ),
                    Prefetch("changes", queryset=ResponseChange.objects.order_by("changed_at")),
                )
                .order_by("pk"),
            )
        )
        .order_by("-captured_on", "-pk")
    )


def letters_for_person(*, person: Person) -> QuerySet[FeedbackRecipient]:
    return (
        FeedbackRecipient.objects.filter(person=person, letter__status=LetterStatus.SENT)
        .select_related("letter", "letter__activity", "letter__organisation")
        .order_by("-sent_on", "-pk")
    )


def letter_get_for_person(*, person: Person, pk) -> FeedbackRecipient:
    try:
        return letters_for_person(person=person).get(letter_id=pk)
    except (FeedbackRecipient.DoesNotExist, FeedbackRecipient.MultipleObjectsReturned):
        raise Http404("No such letter") from None
    except (ValueError, TypeError):
        raise Http404("No such letter") from None


def change_notices_for_person(*, person: Person) -> QuerySet[ChangeNotice]:
    return (
        ChangeNotice.objects.filter(person=person)
        .prefetch_related(
            Prefetch(
                "changes",
                queryset=ResponseChange.objects.select_related("response", "response__activity"),
            )
        )
        .order_by("-sent_at")
    )


# ---------------------------------------------------------------------------------------------
# Batched updates and reminders


def changes_pending() -> QuerySet[ResponseChange]:
    return ResponseChange.objects.filter(announced_at__isnull=True).select_related(
        "response", "response__activity", "response__organisation"
    )


def people_to_tell_about(*, change_ids: list[int]) -> dict[int, list[int]]:
    """For changes still to announce: which people were sent a letter that carried the changed
    response and still have a contribution it answers, mapped to the change ids that concern
    each of them."""
    rows = (
        ResponseChange.objects.filter(pk__in=change_ids)
        .filter(
            response__links__contribution__person__isnull=False,
            response__links__contribution__withdrawn_at__isnull=True,
            response__links__contribution__person__erased_at__isnull=True,
            response__letters__status=LetterStatus.SENT,
            response__letters__recipients__person=F("response__links__contribution__person"),
        )
        .values_list("response__links__contribution__person", "pk")
        .distinct()
    )
    people: dict[int, list[int]] = {}
    for person_id, change_id in rows:
        people.setdefault(person_id, []).append(change_id)
    return people


def roles_that_see_engagement() -> list[str]:
    return [role for role in Role.values if role_can(role, Capability.VIEW_ENGAGEMENT)]


def staff_to_remind(*, today: datetime.date) -> dict[int, dict]:
    """Who gets a reminder digest today, and what is in it: each response owner's unfinished
    responses due within 7 days or overdue; and for activities whose loop is not closed and
    whose feedback is due within 7 days or overdue, the member of staff who created the
    activity (if they may still manage it), else every participation lead of the organisation.
    Returns {user_id: {"responses": [...], "activities": [...]}}."""
    horizon = today + datetime.timedelta(days=REMINDER_DAYS)
    digests: dict[int, dict] = {}

    def add(user_id, key, item):
        digests.setdefault(user_id, {"responses": [], "activities": []})[key].append(item)

    responses = (
        Response.objects.filter(
            owner__isnull=False,
            owner__is_active=True,
            due_on__isnull=False,
            due_on__lte=horizon,
            activity__cancelled_at__isnull=True,
        )
        .filter(
            # Someone who has left the organisation is not reminded of its work.
            Exists(
                Membership.objects.filter(
                    user=OuterRef("owner"),
                    organisation=OuterRef("organisation"),
                    ended_at__isnull=True,
                    role__in=roles_that_see_engagement(),
                )
            )
        )
        .exclude(status="complete")
        .exclude(decision__in=[Decision.DONE, Decision.WILL_NOT_DO])
        .select_related("activity")
        .order_by("due_on", "pk")
    )
    for response in responses:
        add(response.owner_id, "responses", response)

    activities = list(
        with_loop_status(
            Activity.objects.filter(
                cancelled_at__isnull=True,
                starts_on__lte=today,
                feedback_due_on__lte=horizon,
            ),
            today=today,
        )
        .exclude(loop_state=LoopState.CLOSED)
        .order_by("feedback_due_on", "pk")
    )
    if not activities:
        return digests
    org_ids = {a.organisation_id for a in activities}
    managers: dict[int, set[int]] = {}
    leads: dict[int, list[int]] = {}
    for m in Membership.objects.filter(
        organisation_id__in=org_ids, ended_at__isnull=True, user__is_active=True
    ).values("organisation_id", "user_id", "role"):
        if role_can(m["role"], Capability.MANAGE_ENGAGEMENT):
            managers.setdefault(m["organisation_id"], set()).add(m["user_id"])
            if m["role"] == Role.PARTICIPATION_LEAD:
                leads.setdefault(m["organisation_id"], []).append(m["user_id"])
    for activity in activities:
        org_managers = managers.get(activity.organisation_id, set())
        if activity.created_by_id in org_managers:
            add(activity.created_by_id, "activities", activity)
        else:
            for user_id in leads.get(activity.organisation_id, []):
                add(user_id, "activities", activity)
    return digests


# ---------------------------------------------------------------------------------------------
# The public page


def public_page_for(*, organisation: Organisation) -> PublicPage | None:
    return PublicPage.objects.filter(organisation=organisation).first()


def public_page_get(*, slug: str) -> PublicPage:
    """A published public page, by its organisation's address; anything else is 404."""
    try:
        return PublicPage.objects.select_related("organisation").get(
            organisation__slug=slug, is_published=True
        )
    except PublicPage.DoesNotExist:
        raise Http404("No such page") from None


def public_activities(*, organisation: Organisation) -> QuerySet[Activity]:
    """Activities of the organisation with at least one sent letter: the ones whose outcome
    has been told to the people who took part. Newest first."""
    sent = FeedbackLetter.objects.filter(activity=OuterRef("pk"), status=LetterStatus.SENT)
    return (
        Activity.objects.filter(organisation=organisation, cancelled_at__isnull=True)
        .filter(Exists(sent))
        .annotate(
            feedback_sent_on=Subquery(
                sent.order_by("-sent_on").values("sent_on")[:1],
            )
        )
        .order_by("-ends_on", "-pk")
    )


def public_sections(*, activities: list[Activity]) -> dict[int, list[LetterSection]]:
    """For a page of public activities: each one's responses with only the contributions whose
    use level and consent allow the public page, credited as the person chose. A fixed number
    of queries for the page."""
    ids = [a.pk for a in activities]
    # Only what the people who took part have been told: a response no letter carried yet is
    # still staff's, and they hear first.
    told = Exists(
        FeedbackLetter.responses.through.objects.filter(
            response_id=OuterRef("pk"), feedbackletter__status=LetterStatus.SENT
        )
    )
    responses = list(Response.objects.filter(activity_id__in=ids).filter(told).order_by("pk"))
    links = ResponseContribution.objects.filter(response__in=responses).values_list(
        "response_id", "contribution_id"
    )
    linked: dict[int, list[int]] = {}
    for response_id, contribution_id in links:
        linked.setdefault(response_id, []).append(contribution_id)
    public = {
        c.pk: c
        for c in with_widest_use(
            contributions_usable_for(
                Contribution.objects.filter(activity_id__in=ids).select_related("person"),
                use=UseLevel.PUBLIC,
            )
        )
    }
    live = set(
        Contribution.objects.filter(
            activity_id__in=ids, withdrawn_at__isnull=True, purged_at__isnull=True
        ).values_list("pk", flat=True)
    )
    sections: dict[int, list[LetterSection]] = {pk: [] for pk in ids}
    for response in responses:
        linked_ids = linked.get(response.pk, [])
        if linked_ids and not any(cid in live for cid in linked_ids):
            continue  # everything it answered was withdrawn: nothing to say about it
        section = LetterSection(response=response)
        for cid in linked_ids:
            if cid in public:
                c = public[cid]
                section.quotes.append(Quote(c.text, c.credit_for(UseLevel.PUBLIC), ""))
        sections[response.activity_id].append(section)
    for items in sections.values():
        items.sort(key=lambda s: (DECISION_ORDER.get(s.response.decision, 9), s.response.pk))
    return sections


def public_pages_published() -> QuerySet[PublicPage]:
    return PublicPage.objects.filter(is_published=True).select_related("organisation")


def contributions_hidden_to_answer(*, activity: Activity) -> QuerySet[Contribution]:
    """Contributions without a response that staff can't read now: they still deserve an
    answer, so the respond page may include them in a response by reference number, never by
    their words."""
    return _hidden_from_staff(activity).exclude(Exists(_answered())).order_by("pk")
