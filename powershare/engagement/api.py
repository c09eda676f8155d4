"""API operations about activities, who was invited to them, and what people contributed.

Staff whose role can see engagement read their organisations' activities and the
contributions that may be shown for a use they choose; participation leads also read who was
invited. Someone on a register with their own portal login reads and answers their own
invitations, reads what they have said, and withdraws any of it, under /api/me/... and
POST /api/contributions/{id}/withdraw.

Scoping comes from engagement.selectors, as on the web pages: a record the user may not see
answers 404, never 403. Every contribution shown goes through the one rule,
selectors.contributions_usable_for (by way of contribution_list_for / contribution_get_for),
so a withdrawal, a redaction or a change of consent counts in the very next request. Listing
who was invited to an activity is written to the access log.
"""

import datetime
from enum import StrEnum
from typing import Literal

from django.db.models import BooleanField, IntegerField, Value
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.api.schemas import ID, READ_ERRORS, WRITE_ERRORS, bounded_text
from powershare.audit.services import access_event_record
from powershare.people.models import Person
from powershare.people.selectors import person_for_user

from . import selectors, services
from .models import (
    USE_NAMES,
    USE_PLAIN_WORDS,
    ActivityKind,
    ActivitySetting,
    Contribution,
    ContributionKind,
    InvitationStatus,
    UseLevel,
)

router = Router(tags=["Engagement"])


ACTIVITY_TAGS = ["Activities"]
CONTRIBUTION_TAGS = ["Contributions"]
MY_TAGS = ["Your activities and contributions"]


class Use(StrEnum):
    """How widely a contribution may be used, by name (the consent purpose behind each)."""

    INTERNAL = "internal"
    ANONYMISED = "anonymised"
    ATTRIBUTED = "attributed"
    PUBLIC = "public"


USE_LEVEL = {Use(name): level for level, name in USE_NAMES.items()}
USE_NAME = {level: Use(name) for level, name in USE_NAMES.items()}

USE_DESCRIPTION = (
    "The use the contributions are for: `internal` (inside the organisation only), "
    "`anonymised` (in reports and training, without names), `attributed` (with each person's "
    "chosen credit) or `public` (on the public page). Only contributions that may be shown "
    "for that use now are listed, and the contributor is credited as that use allows."
)


# Schemas -------------------------------------------------------------------------------------


class LadderOut(Schema):
    id: int
    name: str


class RungOut(Schema):
    id: int
    position: int = Field(description="1 is the bottom rung: the least say.")
    name: str


class LundyCheckOut(Schema):
    key: Literal["space", "voice", "audience", "influence"]
    label: str
    hint: str = Field(description="What the check asks.")
    answer: bool | None = Field(description="Yes, no, or null when not answered yet.")
    note: str


class ActivityListItemOut(Schema):
    id: int
    title: str
    purpose: str = Field(description="What we hope to change.")
    kind: ActivityKind
    kind_label: str
    organisation_id: int
    starts_on: datetime.date
    ends_on: datetime.date
    times: str
    venue: str
    setting: ActivitySetting
    setting_label: str
    content_notes: str = Field(description="Topics that may be difficult.")
    feedback_due_on: datetime.date = Field(
        description="The date by which people who took part will hear what came of it."
    )
    ladder: LadderOut
    rung: RungOut = Field(description="The rung of the ladder of participation staff chose.")
    lundy: list[LundyCheckOut] = Field(description="Lundy's four checks.")
    cancelled: bool
    cancelled_at: datetime.datetime | None
    invited_count: int
    taking_part_count: int
    contribution_count: int = Field(
        description="Contributions that may be shown inside the organisation now."
    )

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_setting_label(obj) -> str:
        return obj.get_setting_display()

    @staticmethod
    def resolve_lundy(obj) -> list[dict]:
        return obj.lundy()

    @staticmethod
    def resolve_cancelled(obj) -> bool:
        return obj.is_cancelled


class QuestionOut(Schema):
    id: int
    position: int
    text: str


class PartnerOut(Schema):
    id: int
    name: str


class ActivityDetailOut(ActivityListItemOut):
    questions: list[QuestionOut]
    support_before: str
    support_during: str
    support_after: str
    payment_offered: str
    partners: list[PartnerOut] = Field(description="Partner organisations.")

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.all())

    @staticmethod
    def resolve_partners(obj) -> list:
        return sorted(obj.partners.all(), key=lambda partner: (partner.name, partner.pk))


class PersonRefOut(Schema):
    id: int
    reference: str = Field(description="The person's reference, like P00042.")
    name: str = Field(description="What to call them: their preferred name or full name.")


class ActivityInvitationOut(Schema):
    id: int
    person: PersonRefOut
    status: InvitationStatus
    status_label: str
    invited_at: datetime.datetime
    answered_at: datetime.datetime | None
    left_at: datetime.datetime | None
    access_arrangements: str
    attended: bool | None = Field(description="Null until attendance is recorded.")
    debrief_offered: bool
    debrief_done: bool
    wellbeing_note: str | None = Field(
        description="The wellbeing check-in note: only for roles that may read wellbeing "
        "notes (participation leads); null for everyone else."
    )

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_wellbeing_note(obj) -> str | None:
        return obj.wellbeing_note if obj.wellbeing_note_shown else None


def _widest_use_name(contribution) -> str | None:
    """The widest use a contribution may be shown for now, by name (None: not at all)."""
    widest = selectors.widest_use_now(contribution)
    return USE_NAME[UseLevel(widest)] if widest is not None else None


class ContributionOut(Schema):
    id: int
    reference: str = Field(description="The contribution's reference, like C000042.")
    activity_id: int
    question_id: int | None = Field(description="The question it answers, if any.")
    kind: ContributionKind
    kind_label: str
    text: str = Field(description="What was said or made, with any removed words marked.")
    contributor: str = Field(
        description="Who to say it came from for the use asked for: the person's chosen "
        "credit (attributed and public use only), a group's label, or “Anonymous contributor”."
    )
    shown_under_use: Use = Field(description="The use it is shown for: the `use` asked for.")
    widest_use_now: Use | None = Field(
        description="The widest use it may be shown for now, given its own use level and its "
        "contributor's consent today."
    )
    captured_on: datetime.date

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_contributor(obj) -> str:
        return obj.credit_for(obj.shown_under)

    @staticmethod
    def resolve_shown_under_use(obj) -> str:
        return USE_NAME[UseLevel(obj.shown_under)]

    @staticmethod
    def resolve_widest_use_now(obj) -> str | None:
        return _widest_use_name(obj)


class ContributionDetailOut(ContributionOut):
    activity_title: str
    question_text: str | None

    @staticmethod
    def resolve_activity_title(obj) -> str:
        return obj.activity.title

    @staticmethod
    def resolve_question_text(obj) -> str | None:
        return obj.question.text if obj.question_id else None


class ContributionWithdrawnOut(Schema):
    id: int
    reference: str
    withdrawn_at: datetime.datetime = Field(
        description="When it was withdrawn: the first time, if it was withdrawn before."
    )


class MyActivityOut(Schema):
    id: int
    title: str
    purpose: str = Field(description="What we hope to change.")
    starts_on: datetime.date
    ends_on: datetime.date
    times: str
    venue: str
    setting: ActivitySetting
    setting_label: str
    content_notes: str = Field(description="Topics that may be difficult.")
    support_before: str
    support_during: str
    support_after: str
    payment_offered: str
    feedback_due_on: datetime.date = Field(
        description="The date by which you will hear what came of it."
    )
    questions: list[QuestionOut] = Field(description="What we will ask.")
    cancelled: bool

    @staticmethod
    def resolve_setting_label(obj) -> str:
        return obj.get_setting_display()

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.all())

    @staticmethod
    def resolve_cancelled(obj) -> bool:
        return obj.is_cancelled


class MyInvitationOut(Schema):
    id: int
    activity: MyActivityOut
    status: InvitationStatus
    status_label: str
    answered_at: datetime.datetime | None
    left_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class InvitationAnswerIn(Schema):
    answer: Literal["accept", "decline"] = Field(description="Yes (`accept`) or no (`decline`).")
    reason: bounded_text(2000) = Field(
        "",
        description="Why you said no, only if you want to tell us: never needed. Ignored when "
        "you accept.",
    )


class MyContributionActivityOut(Schema):
    id: int
    title: str


class MyContributionOut(Schema):
    id: int
    reference: str
    activity: MyContributionActivityOut
    question_id: int | None
    kind: ContributionKind
    kind_label: str
    text: str = Field(description="What you said; empty once you have withdrawn it.")
    use_level: Use = Field(description="How widely you let it be used.")
    use_level_label: str = Field(description="The same, in words.")
    widest_use_now: Use | None = Field(
        description="How widely it may be used now, given what you have agreed to today: null "
        "when it is not used at all."
    )
    captured_on: datetime.date
    withdrawn_at: datetime.datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_text(obj) -> str:
        return "" if obj.is_withdrawn else obj.text

    @staticmethod
    def resolve_use_level(obj) -> str:
        return USE_NAME[UseLevel(obj.use_level)]

    @staticmethod
    def resolve_use_level_label(obj) -> str:
        return USE_PLAIN_WORDS[UseLevel(obj.use_level)]

    @staticmethod
    def resolve_widest_use_now(obj) -> str | None:
        return _widest_use_name(obj)


class EngagementPagination(PageNumberPagination):
    """Pages of up to 100 records (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


# Helpers -------------------------------------------------------------------------------------


def _own_person(request) -> Person:
    person = person_for_user(user=request.auth)
    if person is None:
        raise Http404("No person record")
    return person


def _search(q: str) -> str:
    return q.replace("\x00", "").strip()


def _shown_for(contributions, level: UseLevel):
    """Say, on each row, which use it is shown for (read by ContributionOut)."""
    return contributions.annotate(shown_under=Value(int(level), output_field=IntegerField()))


def _contribution_detail(request, contribution_id: int, use: Use) -> Contribution:
    level = USE_LEVEL[use]
    contribution = selectors.contribution_get_for(user=request.auth, pk=contribution_id, use=level)
    contribution.shown_under = int(level)
    return contribution


Q_ACTIVITY = Query("", max_length=200, description="Part of an activity's title or purpose.")
Q_CONTRIBUTION = Query("", max_length=200, description="Part of what was said.")
ANY_ID = Query(None, ge=1, le=2**63 - 1)
USE_QUERY = Query(Use.INTERNAL, description=USE_DESCRIPTION)


# Activities ----------------------------------------------------------------------------------


@router.get(
    "/activities",
    url_name="activity_list",
    tags=ACTIVITY_TAGS,
    response={200: list[ActivityListItemOut], **READ_ERRORS},
    summary="Activities of your organisations",
    description=(
        "Activities of the organisations where your role lets you see engagement, newest "
        "first, with how many people were invited and are taking part, and how many "
        "contributions may be shown inside the organisation now. Search with `q` and filter "
        "by `kind`, `when` and `year` (the year it starts). An empty list if your role can't "
        "see any."
    ),
)
@paginate(EngagementPagination)
def activity_list(
    request,
    q: str = Q_ACTIVITY,
    kind: ActivityKind | None = None,
    when: Literal["upcoming", "past", "cancelled"] | None = Query(
        None,
        description="`upcoming` (not ended yet), `past` (finished) or `cancelled`; "
        "upcoming and past leave out cancelled activities.",
    ),
    year: int | None = Query(None, ge=1900, le=9999, description="The year it starts."),
):
    return selectors.activity_list_for(
        user=request.auth, search=_search(q), kind=kind or "", when=when or "", year=year
    )


@router.get(
    "/activities/{activity_id}",
    url_name="activity_detail",
    tags=ACTIVITY_TAGS,
    response={200: ActivityDetailOut, **READ_ERRORS},
    summary="One activity, with its questions and the support offered",
    description=(
        "Everything in the list, and the questions asked, the support offered before, "
        "during and after, the payment offered and the partner organisations. 404 for an "
        "activity outside the organisations where your role lets you see engagement."
    ),
)
def activity_detail(request, activity_id: int = ID):
    return selectors.activity_with_counts_get_for(user=request.auth, pk=activity_id)


@router.get(
    "/activities/{activity_id}/invitations",
    url_name="activity_invitation_list",
    tags=ACTIVITY_TAGS,
    response={200: list[ActivityInvitationOut], **READ_ERRORS},
    summary="Who was invited to an activity",
    description=(
        "Everyone asked to take part, by name, with their answer, attendance and debrief. "
        "Needs a role that runs activities and sees the people register in the activity's "
        "organisation (participation leads); anyone else gets 404. The wellbeing check-in "
        "note is given only to roles that may read wellbeing notes, and is null for everyone "
        "else. Reading the list is written to the access log."
    ),
)
@paginate(EngagementPagination)
def activity_invitation_list(request, activity_id: int = ID):
    user = request.auth
    activity = selectors.activity_get_for(
        user=user, pk=activity_id, may=Capability.MANAGE_ENGAGEMENT
    )
    if not user_can(
        user=user, capability=Capability.VIEW_PEOPLE, organisation_id=activity.organisation_id
    ):
        raise Http404("No such activity")
    notes_shown = user_can(
        user=user,
        capability=Capability.VIEW_WELLBEING_NOTES,
        organisation_id=activity.organisation_id,
    )
    access_event_record(
        user=user,
        organisation_id=activity.organisation_id,
        subject=activity,
        description=f"Who was invited to activity {activity.pk} listed (API)"
        + (", with wellbeing notes" if notes_shown else ""),
        path=request.get_full_path(),
    )
    return selectors.invitation_list_for_activity(activity=activity).annotate(
        wellbeing_note_shown=Value(notes_shown, output_field=BooleanField())
    )


# Contributions -------------------------------------------------------------------------------


@router.get(
    "/contributions",
    url_name="contribution_list",
    tags=CONTRIBUTION_TAGS,
    response={200: list[ContributionOut], **READ_ERRORS},
    summary="What people contributed, as far as they agreed",
    description=(
        "Contributions from the organisations where your role lets you see engagement, "
        "newest first, that may be shown for the `use` you choose, now: withdrawn ones never, "
        "and a person's only while they agree to that use today. Filter by `activity`, "
        "`question` and `kind`, and search with `q`."
    ),
)
@paginate(EngagementPagination)
def contribution_list(
    request,
    use: Use = USE_QUERY,
    activity: int | None = ANY_ID,
    question: int | None = ANY_ID,
    kind: ContributionKind | None = None,
    q: str = Q_CONTRIBUTION,
):
    level = USE_LEVEL[use]
    return _shown_for(
        selectors.contribution_list_for(
            user=request.auth,
            use=level,
            activity_id=activity,
            question_id=question,
            kind=kind or "",
            search=_search(q),
        ),
        level,
    )


@router.get(
    "/contributions/{contribution_id}",
    url_name="contribution_detail",
    tags=CONTRIBUTION_TAGS,
    response={200: ContributionDetailOut, **READ_ERRORS},
    summary="One contribution, as far as its contributor agreed",
    description=(
        "One contribution that may be shown for the `use` you choose, now. 404 when it may "
        "not (withdrawn, or its contributor does not agree to that use today), or when it "
        "belongs to an organisation where your role can't see engagement."
    ),
)
def contribution_detail(
    request,
    contribution_id: int = ID,
    use: Use = USE_QUERY,
):
    return _contribution_detail(request, contribution_id, use)


@router.post(
    "/contributions/{contribution_id}/withdraw",
    url_name="contribution_withdraw",
    tags=MY_TAGS,
    response={200: ContributionWithdrawnOut, **WRITE_ERRORS},
    summary="Withdraw something you said",
    description=(
        "For the person who said it, signed in with their own portal login: from this "
        "moment it is shown nowhere, and its words are erased after a grace period. Doing it "
        "again changes nothing. 404 for anyone else's contribution, including for staff: "
        "staff withdraw a contribution on someone's behalf on the web. By browser session, "
        "send the CSRF token."
    ),
)
def contribution_withdraw(request, contribution_id: int = ID):
    person = _own_person(request)
    contribution = selectors.contribution_get_for_person(person=person, pk=contribution_id)
    contribution = services.contribution_withdraw(
        user=request.auth, contribution=contribution, by_person=True
    )
    return {
        "id": contribution.pk,
        "reference": contribution.reference,
        "withdrawn_at": contribution.withdrawn_at,
    }


# Your own invitations and contributions ------------------------------------------------------


@router.get(
    "/me/invitations",
    url_name="my_invitation_list",
    tags=MY_TAGS,
    response={200: list[MyInvitationOut], **READ_ERRORS},
    summary="Activities you were invited to",
    description=(
        "For someone on a register with their own portal login: the activities you were "
        "asked to take part in, newest first, with your answer. 404 if your login has no "
        "person record."
    ),
)
@paginate(EngagementPagination)
def my_invitation_list(request):
    return selectors.invitation_list_for_person(person=_own_person(request))


@router.post(
    "/me/invitations/{invitation_id}/answer",
    url_name="my_invitation_answer",
    tags=MY_TAGS,
    response={200: MyInvitationOut, **WRITE_ERRORS},
    summary="Answer an invitation",
    description=(
        "Say yes or no. You never need to give a reason; you can change your mind until the "
        "activity ends. 422 with the reason when the activity has finished or was cancelled, "
        "or when saying yes needs your agreement to take part in activities first. 404 for "
        "an invitation that is not yours. By browser session, send the CSRF token."
    ),
)
def my_invitation_answer(request, payload: InvitationAnswerIn, invitation_id: int = ID):
    person = _own_person(request)
    invitation = selectors.invitation_get_for_person(person=person, pk=invitation_id)
    services.invitation_answer(
        user=request.auth,
        invitation=invitation,
        accept=payload.answer == "accept",
        reason=payload.reason,
    )
    return selectors.invitation_get_for_person(person=person, pk=invitation.pk)


@router.get(
    "/me/contributions",
    url_name="my_contribution_list",
    tags=MY_TAGS,
    response={200: list[MyContributionOut], **READ_ERRORS},
    summary="Things you have said",
    description=(
        "Everything you contributed, newest first, with how widely you let it be used. "
        "Withdrawn ones stay listed, without their words, so you can see it was done. 404 if "
        "your login has no person record."
    ),
)
@paginate(EngagementPagination)
def my_contribution_list(request):
    return selectors.contribution_list_for_person(person=_own_person(request))
