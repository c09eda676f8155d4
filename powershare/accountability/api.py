"""API operations about "you said, we did": responses to contributions, an activity's loop and
an organisation's feedback figures.

Staff whose role can see engagement read their organisations' responses, loops and figures;
participation and learning leads also answer contributions (POST). Scoping comes from the
selectors, as on the web pages: a record the user may not see answers 404, never 403.

No operation here returns what anyone said: a response lists the ids of the contributions it
answers (those not withdrawn), and the words are read through /api/contributions, which applies
the consent rule.
"""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from powershare.accounts.roles import Capability
from powershare.api.schemas import ID, READ_ERRORS, WRITE_ERRORS, bounded_text
from powershare.engagement import selectors as engagement_selectors

from . import selectors, services
from .models import Decision, ResponseStatus

router = Router(tags=["Accountability"])

RESPONSE_TAGS = ["Responses: you said, we did"]
LOOP_TAGS = ["Feedback loops"]

#: Ids anything a database column can hold, as in powershare.api.schemas.ID.
AnyId = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: How many contributions one response may answer at once.
MAX_CONTRIBUTIONS = 1000
#: The longest text a response field may hold (as services.MAX_TEXT).
MAX_TEXT = services.MAX_TEXT

#: A service's field name -> the name the client sent.
FIELD_NAMES = {"contributions": "contribution_ids", "owner": "owner_id"}


# Schemas -------------------------------------------------------------------------------------


class OwnerOut(Schema):
    id: int
    name: str = Field(description="Their full name, or their email address if none is recorded.")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.full_name or obj.email


class ProgressOut(Schema):
    id: int
    happened_on: datetime.date
    text: str


class ResponseOut(Schema):
    id: int
    reference: str = Field(description="The response's reference, like R000042.")
    activity_id: int
    decision: Decision
    decision_label: str = Field(description="The decision, as told to the people who took part.")
    reason: str = Field(description="Why, when the decision is `will_not_do`.")
    what_will_change: str
    owner: OwnerOut | None = Field(description="Who is responsible for carrying it out.")
    due_on: datetime.date | None
    status: ResponseStatus
    status_label: str
    evidence: str = Field(description="How we know it happened.")
    contribution_ids: list[int] = Field(
        description="The contributions it answers, not counting withdrawn ones. Read their "
        "words through /api/contributions, as far as each contributor agreed."
    )
    progress: list[ProgressOut] = Field(description="Dated progress notes, oldest first.")

    @staticmethod
    def resolve_decision_label(obj) -> str:
        return obj.get_decision_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_contribution_ids(obj) -> list[int]:
        return [
            link.contribution_id
            for link in obj.links.all()
            if link.contribution.withdrawn_at is None and link.contribution.purged_at is None
        ]

    @staticmethod
    def resolve_progress(obj) -> list:
        return list(obj.progress.all())


class ResponseIn(Schema):
    contribution_ids: list[AnyId] = Field(
        ...,
        min_length=1,
        max_length=MAX_CONTRIBUTIONS,
        description="The contributions of this activity the response answers (at least one, "
        "none withdrawn).",
    )
    decision: Decision
    reason: bounded_text(MAX_TEXT) = Field(
        "", description="Why: needed when the decision is `will_not_do`."
    )
    what_will_change: bounded_text(MAX_TEXT) = Field(
        ...,
        min_length=1,
        description="What will be different, in words the people who took part will understand.",
    )
    owner_id: AnyId | None = Field(
        None,
        description="Who is responsible: a current member of staff of the activity's "
        "organisation whose role can see activities (a participation or learning lead, a "
        "leader or a facilitator). They can add progress and evidence to it on the web.",
    )
    due_on: datetime.date | None = Field(None, description="Between 2000 and 2100.")
    status: ResponseStatus = ResponseStatus.NOT_STARTED
    evidence: bounded_text(MAX_TEXT) = ""


class LoopOut(Schema):
    activity_id: int
    loop_state: str = Field(
        description="`open` (some contributions have no response yet), `ready` (every one has "
        "a response, not all reported back yet) or `closed` (every one answered and reported "
        "back)."
    )
    loop_state_label: str
    is_overdue: bool = Field(
        description="The feedback due date has passed and the loop is not closed."
    )
    feedback_due_on: datetime.date
    contribution_total: int = Field(description="Contributions not withdrawn.")
    without_response: int = Field(description="Of those, how many have no response yet.")
    not_told: int = Field(
        description="How many have a response but were in no letter sent to the people who "
        "took part."
    )
    first_feedback_on: datetime.date | None = Field(
        description="When the first letter was sent; null if none was."
    )

    @staticmethod
    def resolve_activity_id(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_loop_state_label(obj) -> str:
        return selectors.loop_state_label(obj.loop_state)

    @staticmethod
    def resolve_is_overdue(obj) -> bool:
        return bool(obj.is_overdue)


class OrganisationRefOut(Schema):
    id: int
    name: str


class MetricsOut(Schema):
    organisation: OrganisationRefOut
    start: datetime.date = Field(alias="from", description="The first day of the period.")
    end: datetime.date = Field(alias="to", description="The last day of the period.")
    due: int = Field(description="Activities whose feedback was due in the period (not cancelled).")
    closed: int = Field(description="Of those, how many loops are closed.")
    on_time: int = Field(
        description="Of those, how many are closed and had their first letter sent on or "
        "before the promised date."
    )
    with_feedback: int = Field(description="Of those, how many have had a letter sent.")
    closed_rate: float | None = Field(description="closed ÷ due; null when nothing was due.")
    on_time_rate: float | None = Field(description="on_time ÷ due; null when nothing was due.")
    median_days: float | None = Field(
        description="Median days from the end of an activity to its first letter; null "
        "without letters."
    )

    model_config = {"populate_by_name": True}


Q_FROM = Query(None, alias="from", description="The first day. Default: a year before `to`.")
Q_TO = Query(None, alias="to", description="The last day. Default: today.")


class ResponsePagination(PageNumberPagination):
    """Pages of up to 100 records (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


# Helpers -------------------------------------------------------------------------------------


def _with_details(responses):
    """What ResponseOut reads, in a fixed number of queries."""
    return responses.prefetch_related("links__contribution", "progress")


def _response_out(user, pk: int):
    response = selectors.response_get_for(user=user, pk=pk, may=None)
    prefetch_related_objects([response], "links__contribution")
    return response


def _client_field_names(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {FIELD_NAMES.get(field, field): messages for field, messages in error.error_dict.items()}
    )


# Responses -----------------------------------------------------------------------------------


@router.get(
    "/responses",
    url_name="response_list",
    tags=RESPONSE_TAGS,
    response={200: list[ResponseOut], **READ_ERRORS},
    summary="Responses to what people said",
    description=(
        "Responses of the organisations where your role lets you see engagement, soonest due "
        "first (those without a date last). Filter by `activity`, `status` and `decision`. "
        "An empty list if your role can't see any."
    ),
)
@paginate(ResponsePagination)
def response_list(
    request,
    activity: int | None = Query(None, ge=1, le=2**63 - 1, description="An activity's id."),
    status: ResponseStatus | None = None,
    decision: Decision | None = None,
):
    responses = selectors.response_list_for(
        user=request.auth, status=status or "", decision=decision or ""
    )
    if activity is not None:
        responses = responses.filter(activity_id=activity)
    return _with_details(responses)


@router.get(
    "/responses/{response_id}",
    url_name="response_detail",
    tags=RESPONSE_TAGS,
    response={200: ResponseOut, **READ_ERRORS},
    summary="One response",
    description=(
        "One response, with the contributions it answers and its progress notes. 404 for a "
        "response outside the organisations where your role lets you see engagement."
    ),
)
def response_detail(request, response_id: int = ID):
    return _response_out(request.auth, response_id)


@router.post(
    "/activities/{activity_id}/responses",
    url_name="response_create",
    tags=RESPONSE_TAGS,
    response={201: ResponseOut, **WRITE_ERRORS},
    summary="Answer contributions of an activity",
    description=(
        "Record what the organisation will do, has done, or will not do (and why) about one or "
        "more contributions of the activity at once. Needs a role that runs activities in the "
        "activity's organisation (participation and learning leads); anyone else gets 404. "
        "422, field by field, when a contribution is not one of this activity's or was "
        "withdrawn, when `will_not_do` has no reason, or when the owner is not a current "
        "member of the organisation's staff whose role can see activities. By browser session, send the CSRF token."
    ),
)
def response_create(request, payload: ResponseIn, activity_id: int = ID):
    user = request.auth
    activity = engagement_selectors.activity_get_for(
        user=user, pk=activity_id, may=Capability.MANAGE_ENGAGEMENT
    )
    wanted = set(payload.contribution_ids)
    contributions = list(activity.contributions.filter(pk__in=wanted))
    unknown = sorted(wanted - {c.pk for c in contributions})
    if unknown:
        raise ValidationError(
            {
                "contribution_ids": "These are not contributions of this activity: "
                + ", ".join(str(pk) for pk in unknown[:20])
                + ("…" if len(unknown) > 20 else "")
            }
        )
    owner = None
    if payload.owner_id is not None:
        membership = (
            activity.organisation.memberships.current()
            .filter(user_id=payload.owner_id)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise ValidationError(
                {
                    "owner_id": "Choose a current member of staff of this organisation whose "
                    "role can see activities (a participation or learning lead, a leader or a "
                    "facilitator)."
                }
            )
        owner = membership.user
    try:
        response = services.response_create(
            actor=user,
            activity=activity,
            contributions=contributions,
            decision=payload.decision,
            what_will_change=payload.what_will_change,
            reason=payload.reason,
            owner=owner,
            due_on=payload.due_on,
            status=payload.status,
            evidence=payload.evidence,
        )
    except ValidationError as error:
        raise _client_field_names(error) from None
    return Status(201, _response_out(user, response.pk))


# Loops and figures ---------------------------------------------------------------------------


@router.get(
    "/activities/{activity_id}/loop",
    url_name="activity_loop",
    tags=LOOP_TAGS,
    response={200: LoopOut, **READ_ERRORS},
    summary="Whether everyone who took part in an activity has heard back",
    description=(
        "The activity's feedback loop: how many contributions still have no response, how many "
        "have not been reported back yet, when the first letter went, and whether it is "
        "overdue. 404 for an activity outside the organisations where your role lets you see "
        "engagement."
    ),
)
def activity_loop(request, activity_id: int = ID):
    activity = engagement_selectors.activity_get_for(user=request.auth, pk=activity_id)
    return selectors.activity_loop_get(activity=activity)


@router.get(
    "/feedback/metrics",
    url_name="feedback_metrics",
    tags=LOOP_TAGS,
    response={200: MetricsOut, **READ_ERRORS},
    by_alias=True,
    summary="How well an organisation closes its feedback loops",
    description=(
        "For the activities of an organisation whose feedback was due between `from` and `to` "
        "(inclusive; `to` is today and `from` a year before it unless you say): the "
        "closed-loop rate, the on-time rate and the median days from the end of an activity "
        "to its first letter. A period that ends before it starts has nothing due. 404 for "
        "an organisation where your role can't see engagement."
    ),
)
def feedback_metrics(
    request,
    organisation: int = Query(..., ge=1, le=2**63 - 1, description="The organisation's id."),
    start: datetime.date | None = Q_FROM,
    end: datetime.date | None = Q_TO,
):
    chosen = next(
        (o for o in selectors.metrics_organisations_for(user=request.auth) if o.pk == organisation),
        None,
    )
    if chosen is None:
        raise Http404("No such organisation")
    end = end or timezone.localdate()
    if start is None:
        # A year before (a year before 1 January of year 1 is no date at all).
        start = selectors.default_period(end)[0] if end.year > 1 else datetime.date.min
    metrics = selectors.loop_metrics(organisation=chosen, start=start, end=end)
    return {
        "organisation": {"id": chosen.pk, "name": chosen.name},
        "from": metrics.start,
        "to": metrics.end,
        "due": metrics.due,
        "closed": metrics.closed,
        "on_time": metrics.on_time,
        "with_feedback": metrics.with_feedback,
        "closed_rate": metrics.closed_rate,
        "on_time_rate": metrics.on_time_rate,
        "median_days": metrics.median_days,
    }
