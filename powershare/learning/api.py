"""API operations about learning: products, deliveries, attendance totals, bookings, and an
expert by experience's own co-delivery.

Staff whose role can see learning (VIEW_LEARNING) read their organisations' products, the
deliveries they own or host (as the site), and attendance totals, which are counts only.
Who is booked on a delivery is personal data: only staff who take registers
(RECORD_ATTENDANCE) in the delivery's organisation or site read it, and each read is written
to the access log. Leaders see products, deliveries and totals but never learners' names.
Staff who run learning (MANAGE_LEARNING) in the delivery's organisation book learners.
Someone on a register with their own portal login reads the courses they co-deliver under
/api/me/training; a login without a person record gets 404 there.

Scoping comes from learning.selectors, as on the web pages: a record the user may not see
answers 404, never 403, and a list is empty. The people on a delivery team who come from the
register are described by the experience they bring, never by name.
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status
from pydantic import BeforeValidator, StringConstraints

from powershare.accounts.roles import Capability
from powershare.api.schemas import ID, READ_ERRORS, WRITE_ERRORS, bounded_text
from powershare.audit.services import access_event_record
from powershare.people.models import Person
from powershare.people.selectors import person_for_user

from . import selectors, services
from .models import (
    BookingSource,
    BookingStatus,
    Experience,
    MaterialKind,
    ProductStatus,
    SessionMode,
    SupportStage,
)

router = Router(tags=["Learning"])

PRODUCT_TAGS = ["Learning products"]
DELIVERY_TAGS = ["Learning deliveries"]
MY_TAGS = ["Your training"]

PENNY = Decimal("0.01")
ANY_ID = Query(None, ge=1, le=2**63 - 1)


def _hours_minutes(value):
    return value.strftime("%H:%M") if isinstance(value, datetime.time) else value


#: A time of day in the UK (Europe/London), as "09:30": a session's times carry no time zone.
LocalTime = Annotated[
    str,
    BeforeValidator(_hours_minutes),
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
]


# Schemas -------------------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    slug: str
    title: str
    organisation_id: int
    organisation: str = Field(description="The organisation that owns the product.")
    status: ProductStatus
    status_label: str
    audience: str
    prerequisite_learning: str
    session_plan: str = Field(
        description="The session plan in words, like “Two 3-hour sessions, two to four "
        "weeks apart”."
    )
    current_version: int | None = Field(description="The newest version's number.")
    delivery_count: int = Field(description="Deliveries planned or held (not cancelled).")

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_current_version(obj) -> int | None:
        return getattr(obj, "latest_version", None)


class OutcomeOut(Schema):
    position: int
    text: str


class MaterialOut(Schema):
    id: int
    title: str
    kind: MaterialKind
    kind_label: str
    needs_updating: bool = Field(
        description="A contribution it quotes was withdrawn, had words removed or may no "
        "longer be used this widely: the material must be changed before it is used again."
    )
    needs_updating_since: datetime.datetime | None
    needs_updating_reason: str
    download_path: str | None = Field(
        description="The web page that hands out the file, to people allowed to see it "
        "(signed in in the browser); null when no file was uploaded."
    )

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_download_path(obj) -> str | None:
        return reverse("learning:material_download", args=[obj.pk]) if obj.file else None


class VersionOut(Schema):
    number: int
    published_at: datetime.datetime | None
    changes: str = Field(description="What changed from the version before.")
    outcomes: list[OutcomeOut] = Field(description="Intended learning outcomes, in order.")
    materials: list[MaterialOut]


class ProductDetailOut(ProductOut):
    aims: str
    sessions_planned: int
    session_minutes: int = Field(description="The length of each session, in minutes.")
    interval_min_weeks: int | None = Field(description="The shortest gap between sessions.")
    interval_max_weeks: int | None = Field(description="The longest gap between sessions.")
    version: VersionOut | None = Field(description="The newest version.")
    co_design_activity_ids: list[int] = Field(
        description="The engagement activities that shaped the product (its co-design "
        "record). Read them under /api/activities/{id}."
    )

    @staticmethod
    def resolve_version(obj) -> dict | None:
        version = selectors.version_current(product=obj)
        if version is None:
            return None
        return {
            "number": version.number,
            "published_at": version.published_at,
            "changes": version.changes,
            "outcomes": list(version.outcomes.all()),
            "materials": list(selectors.material_list_for_version(version=version)),
        }

    @staticmethod
    def resolve_co_design_activity_ids(obj) -> list[int]:
        return [activity.pk for activity in selectors.co_design_record(product=obj).activities]


class SessionCountOut(Schema):
    session: int = Field(description="The session's number: 1 for the first.")
    attended: int = Field(description="How many people were there.")


class SiteAttendanceOut(Schema):
    delivery_id: int
    site_id: int
    site: str
    cohort: str
    booked: int = Field(description="People booked on the delivery now.")
    sessions: list[SessionCountOut]


class AttendanceTotalsOut(Schema):
    product_id: int
    session_numbers: list[int]
    sites: list[SiteAttendanceOut] = Field(description="One row per delivery, by site.")
    totals: list[SessionCountOut] = Field(description="Across every delivery, per session.")


class PlacesOut(Schema):
    capacity: int
    booked: int
    offered: int = Field(description="Offered to someone waiting, not yet taken.")
    waiting: int
    free: int


class DeliveryOut(Schema):
    id: int
    organisation_id: int = Field(description="The organisation that owns the product.")
    product_id: int
    product_title: str
    version_number: int = Field(description="The version of the product it teaches.")
    site_id: int
    site: str = Field(description="The organisation where it is delivered.")
    cohort: str
    first_date: datetime.date | None
    last_date: datetime.date | None
    booking_open: bool
    cancelled: bool
    has_lived_experience: bool = Field(description="Someone on the team brings lived experience.")
    places: PlacesOut

    @staticmethod
    def resolve_product_title(obj) -> str:
        return obj.product.title

    @staticmethod
    def resolve_version_number(obj) -> int:
        return obj.version.number

    @staticmethod
    def resolve_site(obj) -> str:
        return obj.site.name

    @staticmethod
    def resolve_cancelled(obj) -> bool:
        return obj.cancelled_at is not None

    @staticmethod
    def resolve_places(obj) -> dict:
        return _places(
            obj.capacity,
            obj.booked_count or 0,
            getattr(obj, "offered_count", 0) or 0,
            obj.waiting_count or 0,
        )


class SessionOut(Schema):
    id: int
    number: int
    date: datetime.date
    starts_at: LocalTime = Field(description="UK time, like “09:30”.")
    ends_at: LocalTime = Field(description="UK time, like “12:30”.")
    mode: SessionMode
    mode_label: str
    venue: str
    online_link: str

    @staticmethod
    def resolve_mode_label(obj) -> str:
        return obj.get_mode_display()


class TeamMemberOut(Schema):
    kind: str = Field(
        description="`staff`, or `expert_by_experience` for someone from the register."
    )
    name: str | None = Field(
        description="Staff are named; people from the register are described only by the "
        "experience they bring."
    )
    experiences: list[Experience]
    is_lead: bool


class TeamOut(Schema):
    members: list[TeamMemberOut]
    has_lived_experience: bool
    led_by_lived_experience: bool = Field(
        description="Everyone on the team brings lived experience."
    )
    no_lived_experience_reason: str = Field(
        description="Why the team has nobody with lived experience, when that was recorded."
    )


class DeliveryDetailOut(DeliveryOut):
    sessions: list[SessionOut]
    team: TeamOut

    @staticmethod
    def resolve_sessions(obj) -> list:
        return list(selectors.session_list(delivery=obj))

    @staticmethod
    def resolve_team(obj) -> dict:
        team = selectors.team_check(delivery=obj)
        return {
            "members": [
                {
                    "kind": "staff" if f.user_id else "expert_by_experience",
                    "name": f.user.full_name if f.user_id else None,
                    "experiences": _experiences(f),
                    "is_lead": f.is_lead,
                }
                for f in selectors.facilitator_list(delivery=obj)
            ],
            "has_lived_experience": team.has_lived_experience,
            "led_by_lived_experience": team.led_by_lived_experience,
            "no_lived_experience_reason": team.reason,
        }


class LearnerOut(Schema):
    name: str
    email: str
    job_role: str
    team: str


class BookingOut(Schema):
    id: int
    delivery_id: int
    status: BookingStatus
    status_label: str
    source: BookingSource
    booked_at: datetime.datetime
    offered_at: datetime.datetime | None
    offer_expires_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    learner: LearnerOut | None = Field(
        description="Null once the learner's details were deleted after the retention period "
        "or on request (their attendance stays, as counts)."
    )

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class BookingIn(Schema):
    name: bounded_text(200) = Field(description="The learner's full name.")
    email: bounded_text(254) = Field(description="Where the confirmation is sent.")
    job_role: bounded_text(200) = ""
    team: bounded_text(200) = ""


class BookingCreatedOut(BookingOut):
    waiting_position: int | None = Field(
        description="Their place on the waiting list when the delivery is full."
    )

    @staticmethod
    def resolve_waiting_position(obj) -> int | None:
        return selectors.waiting_position(booking=obj)


class SupportOut(Schema):
    stage: SupportStage
    stage_label: str
    plan: str
    support_person: str | None = Field(description="The member of staff who supports you.")
    planned_on: datetime.date | None
    done_on: datetime.date | None

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return obj.get_stage_display()

    @staticmethod
    def resolve_support_person(obj) -> str | None:
        return obj.support_person.full_name if obj.support_person_id else None


class MyPaymentStatusOut(Schema):
    reference: str
    amount: str = Field(description="Pounds with two decimal places, like “150.00”.")
    status: str
    status_label: str
    paid_on: datetime.date | None


class MyMaterialOut(Schema):
    id: int
    title: str
    kind: MaterialKind
    kind_label: str
    download_path: str | None = Field(
        description="Your portal page that hands out the file; null when there is no file."
    )

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_download_path(obj) -> str | None:
        return reverse("portal:training_material", args=[obj.pk]) if obj.file else None


def _commission(facilitator):
    try:
        return facilitator.commission
    except facilitator.__class__.commission.RelatedObjectDoesNotExist:
        return None


class MyTrainingOut(Schema):
    id: int = Field(description="Your place on the delivery team.")
    delivery_id: int
    product_title: str
    organisation: str = Field(description="The organisation running the learning.")
    site: str
    cohort: str
    is_lead: bool
    experiences: list[Experience] = Field(description="The experience you bring.")
    sessions: list[SessionOut]
    materials: list[MyMaterialOut]
    support: list[SupportOut] = Field(
        description="Support before (a preparation session), on the day (a named person) "
        "and after (a debrief), when you were commissioned."
    )
    payment: MyPaymentStatusOut | None = Field(
        description="What you are paid for it, when you were commissioned."
    )

    @staticmethod
    def resolve_product_title(obj) -> str:
        return obj.delivery.product.title

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.delivery.organisation.name

    @staticmethod
    def resolve_site(obj) -> str:
        return obj.delivery.site.name

    @staticmethod
    def resolve_cohort(obj) -> str:
        return obj.delivery.cohort

    @staticmethod
    def resolve_experiences(obj) -> list[str]:
        return _experiences(obj)

    @staticmethod
    def resolve_sessions(obj) -> list:
        return list(obj.delivery.sessions.all())

    @staticmethod
    def resolve_materials(obj) -> list:
        return list(obj.delivery.version.materials.all())

    @staticmethod
    def resolve_support(obj) -> list:
        commission = _commission(obj)
        return list(commission.support.all()) if commission is not None else []

    @staticmethod
    def resolve_payment(obj) -> dict | None:
        commission = _commission(obj)
        payment = commission.payment if commission is not None else None
        if payment is None:
            return None
        return {
            "reference": payment.reference,
            "amount": f"{Decimal(payment.amount).quantize(PENNY):.2f}",
            "status": payment.status,
            "status_label": payment.get_status_display(),
            "paid_on": payment.paid_on,
        }


class LearningPagination(PageNumberPagination):
    """Pages of up to 100 records (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


# Helpers -------------------------------------------------------------------------------------


def _places(capacity: int, booked: int, offered: int, waiting: int) -> dict:
    return {
        "capacity": capacity,
        "booked": booked,
        "offered": offered,
        "waiting": waiting,
        "free": max(0, capacity - booked - offered),
    }


def _own_person(request) -> Person:
    person = person_for_user(user=request.auth)
    if person is None:
        raise Http404("No person record")
    return person


def _experiences(facilitator) -> list[str]:
    return [value for value in Experience.values if getattr(facilitator, value)]


# Products ------------------------------------------------------------------------------------


@router.get(
    "/learning/products",
    url_name="learning_product_list",
    tags=PRODUCT_TAGS,
    response={200: list[ProductOut], **READ_ERRORS},
    summary="Learning products of your organisations",
    description=(
        "Learning products of the organisations where your role lets you see learning, by "
        "title. Filter by `status` and search titles and audiences with `search`. An empty "
        "list if your role can't see any."
    ),
)
@paginate(LearningPagination)
def learning_product_list(
    request,
    status: ProductStatus | None = None,
    search: str = Query("", max_length=200, description="Part of a title or an audience."),
):
    return selectors.product_list_for(
        user=request.auth,
        search=search.replace("\x00", "").strip(),
        status=status or "",
    )


@router.get(
    "/learning/products/{product_id}",
    url_name="learning_product_detail",
    tags=PRODUCT_TAGS,
    response={200: ProductDetailOut, **READ_ERRORS},
    summary="One learning product",
    description=(
        "Its aims, audience, prerequisite learning, session plan and status; its newest "
        "version with the intended learning outcomes in order and its materials (each saying "
        "whether it needs updating); and the activities of its co-design record. 404 for a "
        "product outside the organisations where your role lets you see learning."
    ),
)
def learning_product_detail(request, product_id: int = ID):
    product = selectors.product_get_for(user=request.auth, pk=product_id)
    # The list's row for it, with its newest version number and number of deliveries.
    return selectors.product_list_for(user=request.auth).get(pk=product.pk)


@router.get(
    "/learning/products/{product_id}/attendance",
    url_name="learning_attendance_totals",
    tags=PRODUCT_TAGS,
    response={200: AttendanceTotalsOut, **READ_ERRORS},
    summary="Attendance totals of a product's deliveries",
    description=(
        "How many people were at each session, per delivery (by site) and in total across "
        "the deliveries you can see, counted from the registers. Counts only, never names: "
        "they stay right after learners' details are deleted. 404 for a product outside the "
        "organisations where your role lets you see learning."
    ),
)
def learning_attendance_totals(request, product_id: int = ID):
    product = selectors.product_get_for(user=request.auth, pk=product_id)
    table = selectors.product_attendance_totals(user=request.auth, product=product)
    return {
        "product_id": product.pk,
        "session_numbers": table.session_numbers,
        "sites": [
            {
                "delivery_id": row.delivery.pk,
                "site_id": row.delivery.site_id,
                "site": row.site,
                "cohort": row.cohort,
                "booked": row.booked,
                "sessions": [
                    {"session": n, "attended": row.attended.get(n, 0)}
                    for n in table.session_numbers
                ],
            }
            for row in table.rows
        ],
        "totals": [{"session": n, "attended": table.total_for(n)} for n in table.session_numbers],
    }


# Deliveries ----------------------------------------------------------------------------------


@router.get(
    "/learning/deliveries",
    url_name="learning_delivery_list",
    tags=DELIVERY_TAGS,
    response={200: list[DeliveryOut], **READ_ERRORS},
    summary="Deliveries you can see",
    description=(
        "Deliveries of your organisations' products, and deliveries held at your "
        "organisations, latest first, with their places. Cancelled deliveries are left out. "
        "Filter by `product_id`. An empty list if your role can't see learning."
    ),
)
@paginate(LearningPagination)
def learning_delivery_list(request, product_id: int | None = ANY_ID):
    deliveries = selectors.delivery_list_for(user=request.auth)
    if product_id is not None:
        deliveries = deliveries.filter(product_id=product_id)
    return selectors.deliveries_with_offers(deliveries)


@router.get(
    "/learning/deliveries/{delivery_id}",
    url_name="learning_delivery_detail",
    tags=DELIVERY_TAGS,
    response={200: DeliveryDetailOut, **READ_ERRORS},
    summary="One delivery",
    description=(
        "Its sessions (date, times, in person or online, venue or link), its places, and its "
        "facilitator team: staff by name, people from the register by the experience they "
        "bring. 404 for a delivery neither owned nor hosted by an organisation where your "
        "role lets you see learning."
    ),
)
def learning_delivery_detail(request, delivery_id: int = ID):
    delivery = selectors.delivery_get_for(user=request.auth, pk=delivery_id)
    # The list's row for it (with its places), cancelled or not.
    deliveries = selectors.delivery_list_for(user=request.auth, include_cancelled=True)
    return selectors.deliveries_with_offers(deliveries).get(pk=delivery.pk)


@router.get(
    "/learning/deliveries/{delivery_id}/bookings",
    url_name="learning_booking_list",
    tags=DELIVERY_TAGS,
    response={200: list[BookingOut], **READ_ERRORS},
    summary="Who is booked on a delivery",
    description=(
        "Everyone booked, offered a place, waiting or cancelled, with their name, email, job "
        "role and team. Filter by `status`. For staff who take registers in the delivery's "
        "organisation or at its site; anyone else (leaders included) gets 404. Reading it is "
        "written to the access log."
    ),
)
@paginate(LearningPagination)
def learning_booking_list(request, delivery_id: int = ID, status: BookingStatus | None = None):
    delivery = selectors.delivery_get_for(
        user=request.auth, pk=delivery_id, may=Capability.RECORD_ATTENDANCE
    )
    access_event_record(
        user=request.auth,
        organisation_id=delivery.organisation_id,
        subject=delivery,
        description=f"Bookings on {delivery} listed (API)",
        path=request.get_full_path(),
    )
    return selectors.booking_list_for_delivery(delivery=delivery, status=status or "")


@router.post(
    "/learning/deliveries/{delivery_id}/bookings",
    url_name="learning_booking_create",
    tags=DELIVERY_TAGS,
    response={201: BookingCreatedOut, **WRITE_ERRORS},
    summary="Book a learner",
    description=(
        "Book someone on a delivery. When it is full they join the waiting list: `status` "
        "says `booked` or `waiting`. They are emailed a confirmation (with a calendar file) "
        "or told they are waiting. 422, field by field, for a missing name, an email address "
        "that is not valid or already booked or waiting, or a delivery that was cancelled or "
        "has finished. Needs a role that runs learning in the delivery's organisation; anyone "
        "else gets 404. By browser session, send the CSRF token."
    ),
)
def learning_booking_create(request, payload: BookingIn, delivery_id: int = ID):
    delivery = selectors.delivery_get_for(
        user=request.auth, pk=delivery_id, may=Capability.MANAGE_LEARNING
    )
    booking = services.booking_create(
        delivery=delivery,
        name=payload.name,
        email=payload.email,
        job_role=payload.job_role,
        team=payload.team,
        actor=request.auth,
        source=BookingSource.API,
        domain=request.get_host(),
        use_https=request.is_secure(),
    )
    booking.refresh_from_db()
    return Status(201, booking)


# Your own ------------------------------------------------------------------------------------


@router.get(
    "/me/training",
    url_name="my_training",
    tags=MY_TAGS,
    response={200: list[MyTrainingOut], **READ_ERRORS},
    summary="Training you co-deliver",
    description=(
        "For someone on a register with their own portal login: the courses you are part of "
        "the team for, newest first, with their sessions, the materials, your support plan "
        "and where your payment is up to. 404 if your login has no person record."
    ),
)
@paginate(LearningPagination)
def my_training(request):
    return selectors.facilitating_for_person(person=_own_person(request)).select_related(
        "delivery__organisation"
    )
