"""API operations about people on the register and what they have agreed to.

Staff whose role can see the register read it and each person's consent records; participation
leads also record a decision made on a paper form or said out loud. A person signed in to their
own portal reads and changes their own choices under /api/me/consents.

Scoping comes from people.selectors, as on the web pages: a person the user may not see (or,
for a write, may not change) answers 404, never 403. The one 403 of its own is staff recording
a decision on their own record, which is theirs to change in the portal. Every read of one
person's personal data is written to the access log, by reference, never by name.
"""

import datetime
from typing import Annotated, Literal

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    WithJsonSchema,
)

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.api.schemas import ID, READ_ERRORS, WRITE_ERRORS, Error, bounded_text
from powershare.privacy.selectors import consent_statements_current

from . import selectors, services
from .models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentMethod,
    ConsentPurpose,
    Person,
    PersonStatus,
)

router = Router(tags=["People"])


# Schemas -------------------------------------------------------------------------------------


def _text_only(value):
    # Without this, pydantic would also take a number as seconds since 1970.
    if not isinstance(value, str | datetime.datetime):
        raise ValueError("Enter a date and time as text, like 2026-03-14T10:30:00Z.")
    return value


def _sensible_moment(value: datetime.datetime) -> datetime.datetime:
    try:
        value = value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError("Enter a date and time between 1 January 1900 and now.") from None
    if value.year < 1900:
        raise ValueError("Enter a date and time between 1 January 1900 and now.")
    return value


class MayWeOut(Schema):
    """The answer to "may we do this with them now?"."""

    allowed: bool
    reason: str
    conditions: list[str] = Field(description="Things to do first, like checking with someone.")


def _may_we_out(answer, *, to_the_person: bool = False) -> dict:
    if to_the_person:
        return {
            "allowed": answer.allowed,
            "reason": answer.person_reason,
            "conditions": answer.person_conditions,
        }
    return {"allowed": answer.allowed, "reason": answer.reason, "conditions": answer.conditions}


class PersonListItemOut(Schema):
    id: int
    reference: str = Field(description="The person's reference, like P00042.")
    name: str = Field(description="What to call them: their preferred name or full name.")
    full_name: str
    status: PersonStatus
    resting_until: datetime.date | None
    areas: list[str] = Field(description="Their areas of lived experience, by name.")
    organisation_id: int
    has_portal_login: bool

    @staticmethod
    def resolve_areas(obj: Person) -> list[str]:
        return [area.name for area in obj.areas.all()]

    @staticmethod
    def resolve_has_portal_login(obj: Person) -> bool:
        return obj.user_id is not None


class ConsentSummaryOut(Schema):
    purpose: ConsentPurpose
    purpose_label: str
    decision: ConsentDecision | None = Field(
        description="Their latest decision, or null if they have not been asked."
    )
    decided_at: datetime.datetime | None
    guardian_decision: ConsentDecision | None = Field(
        description="Their parent or guardian's latest decision, if one was recorded."
    )
    may_we: MayWeOut


class PersonDetailOut(PersonListItemOut):
    preferred_name: str
    pronouns: str
    email: str
    phone: str
    postal_address: str
    date_of_birth: datetime.date | None
    age_band: str
    credit_as: str
    contact_channel: str
    contact_times: str
    check_with_support_contact: bool
    access_needs: str
    support_needs: str
    support_contact_name: str
    support_contact_role: str
    support_contact_phone: str
    support_contact_email: str
    staff_contact: str | None = Field(description="The name of their staff contact, if any.")
    receives_benefits: bool
    left_on: datetime.date | None
    topics_to_avoid: str
    rest_days_between_involvements: int | None
    wellbeing_check_in: str
    needs_guardian_consent: bool = Field(
        description="Under 16: their parent or guardian must agree as well."
    )
    consents: list[ConsentSummaryOut]

    @staticmethod
    def resolve_staff_contact(obj: Person) -> str | None:
        return obj.staff_contact.full_name if obj.staff_contact_id else None


class ConsentRecordOut(Schema):
    id: int
    purpose: ConsentPurpose
    purpose_label: str
    decision: ConsentDecision
    given_by: ConsentGivenBy
    guardian_name: str
    method: ConsentMethod
    note: str
    statement_id: int
    statement_version: int
    recorded_at: datetime.datetime
    recorded_by: str | None = Field(description="The name of who recorded it.")


def _record_out(record) -> dict:
    return {
        "id": record.pk,
        "purpose": record.purpose,
        "purpose_label": record.get_purpose_display(),
        "decision": record.decision,
        "given_by": record.given_by,
        "guardian_name": record.guardian_name,
        "method": record.method,
        "note": record.note,
        "statement_id": record.statement_id,
        "statement_version": record.statement.version,
        "recorded_at": record.recorded_at,
        "recorded_by": record.recorded_by.full_name if record.recorded_by else None,
    }


class ConsentRecordIn(Schema):
    # A guardian's decision needs the guardian's name: said in the schema, so clients (and the
    # contract tests' generated requests) know it.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"given_by": {"const": "guardian"}}, "required": ["given_by"]},
            "then": {
                "properties": {"guardian_name": {"pattern": r"\S"}},
                "required": ["guardian_name"],
            },
        }
    )

    purpose: ConsentPurpose
    decision: ConsentDecision
    method: Literal["written", "verbal"] = Field(
        description="`written` (a paper form) or `verbal` (said out loud). `online` decisions "
        "are made by the person in their portal."
    )
    given_by: ConsentGivenBy = ConsentGivenBy.PERSON
    guardian_name: bounded_text(200) = Field(
        "", description="Needed when `given_by` is `guardian`; ignored otherwise."
    )
    note: bounded_text(300) = ""
    recorded_at: (
        Annotated[AwareDatetime, BeforeValidator(_text_only), AfterValidator(_sensible_moment)]
        | None
    ) = Field(
        None,
        description="When they made the decision, with its time zone; not in the future. "
        "Leave it out for now.",
    )


class StatementOut(Schema):
    id: int
    version: int
    title: str
    text: str


class MyConsentOut(Schema):
    purpose: ConsentPurpose
    purpose_label: str
    decision: ConsentDecision | None = Field(
        description="Your latest decision, or null if we have not asked you."
    )
    decided_at: datetime.datetime | None
    decided_on_version: int | None = Field(
        description="The version of the statement your latest decision was about."
    )
    statement: StatementOut | None = Field(description="What agreeing means now.")
    may_we: MayWeOut


class PeoplePagination(PageNumberPagination):
    """Pages of up to 100 people (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


# Helpers -------------------------------------------------------------------------------------


def _consent_summary(person: Person) -> list[dict]:
    state = selectors.consent_state(person=person)
    summary = []
    for purpose in ConsentPurpose:
        own = state[purpose.value][ConsentGivenBy.PERSON]
        guardian = state[purpose.value][ConsentGivenBy.GUARDIAN]
        summary.append(
            {
                "purpose": purpose.value,
                "purpose_label": purpose.label,
                "decision": own.decision if own else None,
                "decided_at": own.recorded_at if own else None,
                "guardian_decision": guardian.decision if guardian else None,
                "may_we": _may_we_out(selectors.may_we(person=person, purpose=purpose.value)),
            }
        )
    return summary


def _my_consent(person: Person, purpose: str, state, statements) -> dict:
    own = state[purpose][ConsentGivenBy.PERSON]
    statement = statements.get(purpose)
    return {
        "purpose": purpose,
        "purpose_label": ConsentPurpose(purpose).label,
        "decision": own.decision if own else None,
        "decided_at": own.recorded_at if own else None,
        "decided_on_version": own.statement.version if own else None,
        "statement": (
            {
                "id": statement.pk,
                "version": statement.version,
                "title": statement.title,
                "text": statement.text,
            }
            if statement
            else None
        ),
        "may_we": _may_we_out(selectors.may_we(person=person, purpose=purpose), to_the_person=True),
    }


def _own_person(request) -> Person:
    person = selectors.person_for_user(user=request.auth)
    if person is None:
        raise Http404("No person record")
    return person


PURPOSE = Path(..., description="What the choice is about.")
#: Documented as the list of purposes; any other text answers 404 (there is nothing there).
PurposeInPath = Annotated[
    str, WithJsonSchema({"type": "string", "enum": ConsentPurpose.values, "title": "Purpose"})
]


# The register --------------------------------------------------------------------------------


@router.get(
    "/people",
    response={200: list[PersonListItemOut], **READ_ERRORS},
    summary="People on the registers you can see",
    description=(
        "People on the registers of organisations where your role lets you see the people "
        "register, by name. Search with `q` (name, email or phone), and filter by `status` and "
        "by `area` (an area of lived experience's id). 404 if your role can't see any register."
    ),
)
@paginate(PeoplePagination)
def person_list(
    request,
    q: str = Query("", max_length=200, description="Part of a name, email or phone number."),
    status: PersonStatus | None = None,
    area: int | None = Query(None, ge=1, le=2**63 - 1),
):
    if not user_can(user=request.auth, capability=Capability.VIEW_PEOPLE):
        raise Http404("No register")
    services.register_read_record(
        user=request.auth, description="People register listed (API)", path=request.path
    )
    return selectors.person_list_for(
        user=request.auth,
        search=q.replace("\x00", "").strip(),
        status=status or "",
        area_id=area,
    )


@router.get(
    "/people/{person_id}",
    response={200: PersonDetailOut, **READ_ERRORS},
    summary="One person, with their contact details, needs and consent",
    description=(
        "Everything staff need to involve someone safely, with a summary of their consent: "
        "their latest decision for each purpose and whether we may act on it now. Reading it "
        "is written to the access log."
    ),
)
def person_detail(request, person_id: int = ID):
    person = selectors.person_get_for(user=request.auth, pk=person_id)
    person.consents = _consent_summary(person)  # read by PersonDetailOut
    services.person_read_record(
        user=request.auth, person=person, what="record viewed (API)", path=request.get_full_path()
    )
    return person


@router.get(
    "/people/{person_id}/consents",
    response={200: list[ConsentRecordOut], **READ_ERRORS},
    summary="A person's consent records",
    description=(
        "Every decision the person (or their parent or guardian) has made, newest first. "
        "Records are never changed, only added to. Reading them is written to the access log."
    ),
)
def person_consent_list(request, person_id: int = ID):
    person = selectors.person_get_for(user=request.auth, pk=person_id)
    records = [_record_out(r) for r in selectors.consent_record_list_for(person=person)]
    services.person_read_record(
        user=request.auth,
        person=person,
        what="consent records viewed (API)",
        path=request.get_full_path(),
    )
    return records


@router.post(
    "/people/{person_id}/consents",
    response={201: ConsentRecordOut, **WRITE_ERRORS},
    summary="Record a consent decision",
    description=(
        "Record a decision the person (or their parent or guardian) made on a written form or "
        "said out loud. It counts at once, against the statement version in force now.\n\n"
        "Needs a role that can change the people register in the person's organisation. "
        "Anyone else gets 404, including those who can read the person's record but not "
        "change it (like administrators), as on the web pages. 403 only when the record is "
        "your own (change it in your portal) or, by browser session, without the CSRF token."
    ),
)
def person_consent_create(request, payload: ConsentRecordIn, person_id: int = ID):
    person = selectors.person_get_for(user=request.auth, pk=person_id, may=Capability.MANAGE_PEOPLE)
    record = services.consent_record_create(
        actor=request.auth,
        person=person,
        purpose=payload.purpose.value,
        decision=payload.decision.value,
        method=payload.method,
        given_by=payload.given_by.value,
        guardian_name=payload.guardian_name,
        note=payload.note,
        recorded_at=payload.recorded_at,
    )
    return Status(201, _record_out(record))


# Your own choices ----------------------------------------------------------------------------

MY_TAGS = ["Your choices"]


@router.get(
    "/me/consents",
    tags=MY_TAGS,
    response={200: list[MyConsentOut], 401: Error, 404: Error},
    summary="Your choices about what we may do",
    description=(
        "For someone on a register with their own portal login: for each purpose, your latest "
        "decision, the words you would agree to now and whether we may do it now. 404 if your "
        "login has no person record."
    ),
)
def my_consent_list(request):
    person = _own_person(request)
    state = selectors.consent_state(person=person)
    statements = consent_statements_current(organisation_id=person.organisation_id)
    return [_my_consent(person, p, state, statements) for p in ConsentPurpose.values]


def _change_my_consent(request, purpose: str, decision: str):
    person = _own_person(request)
    if purpose not in ConsentPurpose.values:
        raise Http404("No such purpose")
    services.consent_change_by_self(
        user=request.auth, person=person, purpose=purpose, decision=decision
    )
    state = selectors.consent_state(person=person)
    statements = consent_statements_current(organisation_id=person.organisation_id)
    return _my_consent(person, purpose, state, statements)


@router.post(
    "/me/consents/{purpose}/withdraw",
    tags=MY_TAGS,
    response={200: MyConsentOut, **WRITE_ERRORS},
    summary="Withdraw your agreement",
    description=(
        "Say we may no longer do this. It counts everywhere at once. By browser session, send "
        "the CSRF token. 404 for a purpose we don't know, or if your login has no person record."
    ),
)
def my_consent_withdraw(request, purpose: PurposeInPath = PURPOSE):
    return _change_my_consent(request, purpose, ConsentDecision.WITHDRAWN)


@router.post(
    "/me/consents/{purpose}/agree",
    tags=MY_TAGS,
    response={200: MyConsentOut, **WRITE_ERRORS},
    summary="Agree",
    description=(
        "Say we may do this, as the statement in force now describes. It counts at once. By "
        "browser session, send the CSRF token. 404 for a purpose we don't know, or if your "
        "login has no person record."
    ),
)
def my_consent_agree(request, purpose: PurposeInPath = PURPOSE):
    return _change_my_consent(request, purpose, ConsentDecision.GIVEN)
