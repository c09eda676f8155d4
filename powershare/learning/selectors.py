"""Every read of learning that leaves this app, scoped to the user's organisations and role.

A product and its deliveries belong to the product's organisation. Staff of a delivery's site
also see that delivery (and, with RECORD_ATTENDANCE, take its register), but only its owner
changes it. Anything else answers 404, never 403.

Attendance totals are computed in SQL from attendance records: one GROUP BY per table.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.engagement.models import Activity, Contribution, UseLevel
from powershare.engagement.selectors import contributions_usable_for

from .models import (
    HOLDS_A_PLACE,
    Attendance,
    Booking,
    BookingStatus,
    Commission,
    CommissionSupport,
    Delivery,
    DeliverySession,
    Facilitator,
    Learner,
    LearningProduct,
    LearningSettings,
    Material,
    ProductVersion,
    SessionReminder,
    Trainer,
)


def contributions_usable(contributions: QuerySet, *, use: int) -> QuerySet[Contribution]:
    """The one consent rule (engagement), named here so learning never rolls its own."""
    return contributions_usable_for(contributions, use=use)


def learning_settings_for(*, organisation_id: int) -> LearningSettings:
    row = LearningSettings.objects.filter(organisation_id=organisation_id).first()
    return row or LearningSettings(organisation_id=organisation_id)


def _ids(user: User, capability: Capability) -> list[int]:
    return organisation_ids_where(user=user, capability=capability)


def _not_found(what: str):
    return Http404(f"No such {what}")


# ---------------------------------------------------------------------------------------------
# Products


def product_list_for(
    *, user: User, search: str = "", status: str = ""
) -> QuerySet[LearningProduct]:
    """Products of the user's organisations, with how many deliveries each has."""
    products = LearningProduct.objects.filter(
        organisation_id__in=_ids(user, Capability.VIEW_LEARNING)
    ).select_related("organisation", "owner")
    if search:
        products = products.filter(Q(title__icontains=search) | Q(audience__icontains=search))
    if status:
        products = products.filter(status=status)
    return products.annotate(
        delivery_count=Count(
            "deliveries", filter=Q(deliveries__cancelled_at__isnull=True), distinct=True
        ),
        latest_version=Max("versions__number"),
    ).order_by("title", "pk")


def product_get_for(
    *, user: User, pk, may: Capability = Capability.VIEW_LEARNING
) -> LearningProduct:
    try:
        return LearningProduct.objects.select_related("organisation", "owner").get(
            pk=pk, organisation_id__in=_ids(user, may)
        )
    except (LearningProduct.DoesNotExist, ValueError, TypeError):
        raise _not_found("learning product") from None


def version_list(*, product: LearningProduct) -> QuerySet[ProductVersion]:
    return product.versions.select_related("created_by").annotate(
        outcome_count=Count("outcomes", distinct=True),
        material_count=Count("materials", distinct=True),
        delivery_count=Count("deliveries", distinct=True),
    )


def version_current(*, product: LearningProduct) -> ProductVersion:
    """The newest version (a draft being worked on, or the one published last)."""
    return product.versions.order_by("-number").prefetch_related("outcomes").first()


def version_get_for(
    *, user: User, pk, may: Capability = Capability.VIEW_LEARNING
) -> ProductVersion:
    try:
        return (
            ProductVersion.objects.select_related("product", "product__organisation")
            .prefetch_related("outcomes")
            .get(pk=pk, product__organisation_id__in=_ids(user, may))
        )
    except (ProductVersion.DoesNotExist, ValueError, TypeError):
        raise _not_found("version") from None


def version_is_locked(*, version: ProductVersion) -> bool:
    """Published or taught: its outcomes stay as they were."""
    return version.published_at is not None or version.deliveries.exists()


@dataclass
class CoDesignRecord:
    activities: list
    #: Contributions that shaped the product and may be read inside the organisation now.
    contributions: list
    #: How many recorded contributions can no longer be shown (withdrawn or consent changed).
    hidden: int


def co_design_record(*, product: LearningProduct) -> CoDesignRecord:
    activities = list(
        product.shaped_by_activities.annotate(contribution_count=Count("contributions")).order_by(
            "starts_on", "pk"
        )
    )
    recorded = product.shaped_by_contributions.all()
    shown = list(
        contributions_usable(recorded, use=UseLevel.INTERNAL)
        .select_related("activity", "question")
        .order_by("activity__starts_on", "pk")
    )
    return CoDesignRecord(
        activities=activities, contributions=shown, hidden=recorded.count() - len(shown)
    )


def co_design_choices(*, product: LearningProduct) -> dict:
    """What may be added to the co-design record: the organisation's activities, and
    contributions usable inside it today."""
    activities = Activity.objects.filter(organisation_id=product.organisation_id).order_by(
        "-starts_on", "pk"
    )
    contributions = contributions_usable(
        Contribution.objects.filter(organisation_id=product.organisation_id),
        use=UseLevel.INTERNAL,
    ).select_related("activity")
    return {
        "activities": activities,
        "contributions": contributions.order_by("-captured_on", "-pk"),
    }


# ---------------------------------------------------------------------------------------------
# Materials


def material_list_for_version(*, version: ProductVersion) -> QuerySet[Material]:
    """A version's materials, each with its quotes (prefetched) and how many quotes may no
    longer be used at the material's level."""
    return version.materials.select_related("uploaded_by").prefetch_related(
        Prefetch(
            "quote_links",
            queryset=Material.quote_links.rel.related_model.objects.select_related(
                "contribution", "contribution__activity"
            ),
        )
    )


def material_get_for(*, user: User, pk, may: Capability = Capability.VIEW_LEARNING) -> Material:
    try:
        return Material.objects.select_related("version", "version__product").get(
            pk=pk, version__product__organisation_id__in=_ids(user, may)
        )
    except (Material.DoesNotExist, ValueError, TypeError):
        raise _not_found("material") from None


def material_quotes(*, material: Material) -> list[dict]:
    """Each quoted contribution with whether it may still be used at the material's level.
    Words are shown only when they may be (consent rule), otherwise only the reference."""
    links = list(material.quote_links.select_related("contribution", "contribution__activity"))
    ids = [link.contribution_id for link in links]
    usable = set(
        contributions_usable(
            Contribution.objects.filter(pk__in=ids), use=material.use_level
        ).values_list("pk", flat=True)
    )
    return [
        {
            "contribution": link.contribution,
            "usable": link.contribution_id in usable,
            "text": link.contribution.text if link.contribution_id in usable else "",
        }
        for link in links
    ]


def quote_choices(*, version: ProductVersion, use_level: int) -> QuerySet[Contribution]:
    """Contributions a material of this version may quote at `use_level`: the product's
    co-design contributions first, then the rest of the organisation's."""
    product = version.product
    return (
        contributions_usable(
            Contribution.objects.filter(organisation_id=product.organisation_id), use=use_level
        )
        .select_related("activity")
        .order_by("-captured_on", "-pk")
    )


def materials_needing_update_for(*, user: User) -> QuerySet[Material]:
    return (
        Material.objects.filter(
            needs_updating_since__isnull=False,
            version__product__organisation_id__in=_ids(user, Capability.VIEW_LEARNING),
        )
        .select_related("version", "version__product")
        .order_by("needs_updating_since", "pk")
    )


# ---------------------------------------------------------------------------------------------
# Deliveries and sessions


def _delivery_scope(user: User, may: Capability) -> Q:
    owner = Q(organisation_id__in=_ids(user, may))
    if may == Capability.MANAGE_LEARNING:
        return owner
    # Staff at the site see the delivery too, and may take its register.
    return owner | Q(site_id__in=_ids(user, may))


def delivery_list_for(
    *, user: User, product: LearningProduct | None = None, include_cancelled: bool = False
) -> QuerySet[Delivery]:
    """Deliveries the user may see, with their first and last session dates and places taken."""
    deliveries = Delivery.objects.filter(_delivery_scope(user, Capability.VIEW_LEARNING))
    if product is not None:
        deliveries = deliveries.filter(product=product)
    if not include_cancelled:
        deliveries = deliveries.filter(cancelled_at__isnull=True)
    return (
        deliveries.select_related("product", "site", "version")
        .annotate(
            first_date=Min("sessions__date"),
            last_date=Max("sessions__date"),
            booked_count=Subquery(
                Booking.objects.filter(delivery=OuterRef("pk"), status=BookingStatus.BOOKED)
                .values("delivery")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            waiting_count=Subquery(
                Booking.objects.filter(delivery=OuterRef("pk"), status=BookingStatus.WAITING)
                .values("delivery")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            has_lived_experience=Exists(
                Facilitator.objects.filter(delivery=OuterRef("pk"), lived=True)
            ),
        )
        .order_by("-first_date", "pk")
    )


def delivery_get_for(*, user: User, pk, may: Capability = Capability.VIEW_LEARNING) -> Delivery:
    try:
        return Delivery.objects.select_related("product", "site", "version", "organisation").get(
            _delivery_scope(user, may), pk=pk
        )
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise _not_found("delivery") from None


def session_list(*, delivery: Delivery) -> QuerySet[DeliverySession]:
    return delivery.sessions.annotate(
        attended_count=Count("attendance", filter=Q(attendance__attended=True)),
        marked_count=Count("attendance"),
    ).order_by("number")


def session_get_for(
    *, user: User, pk, may: Capability = Capability.RECORD_ATTENDANCE
) -> DeliverySession:
    try:
        session = DeliverySession.objects.select_related(
            "delivery", "delivery__product", "delivery__site"
        ).get(pk=pk)
    except (DeliverySession.DoesNotExist, ValueError, TypeError):
        raise _not_found("session") from None
    delivery = session.delivery
    if not Delivery.objects.filter(_delivery_scope(user, may), pk=delivery.pk).exists():
        raise _not_found("session")
    return session


@dataclass
class TeamCheck:
    has_lived_experience: bool
    acknowledged: bool
    reason: str = ""
    acknowledged_by: str = ""
    acknowledged_at: datetime.datetime | None = None
    led_by_lived_experience: bool = False

    @property
    def warning_needed(self) -> bool:
        return not self.has_lived_experience and not self.acknowledged


def team_check(*, delivery: Delivery) -> TeamCheck:
    """Nothing about us without us: is there lived experience on the team, and if not, has a
    reason been recorded? Teams made up entirely of experts by experience are welcome."""
    rows = list(delivery.facilitators.values_list("lived", flat=True))
    has = any(rows)
    return TeamCheck(
        has_lived_experience=has,
        acknowledged=bool(delivery.no_lived_experience_reason),
        reason=delivery.no_lived_experience_reason,
        acknowledged_by=(
            delivery.no_lived_experience_acknowledged_by.full_name
            if delivery.no_lived_experience_acknowledged_by_id
            else ""
        ),
        acknowledged_at=delivery.no_lived_experience_acknowledged_at,
        led_by_lived_experience=bool(rows) and all(rows),
    )


def facilitator_list(*, delivery: Delivery) -> QuerySet[Facilitator]:
    return delivery.facilitators.select_related("user", "person", "commission")


def facilitator_get_for(*, user: User, pk) -> Facilitator:
    try:
        return Facilitator.objects.select_related("delivery", "user", "person").get(
            pk=pk, delivery__organisation_id__in=_ids(user, Capability.MANAGE_LEARNING)
        )
    except (Facilitator.DoesNotExist, ValueError, TypeError):
        raise _not_found("facilitator") from None


@dataclass
class Places:
    capacity: int
    booked: int
    offered: int
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked - self.offered)


def places(*, delivery: Delivery) -> Places:
    counts = delivery.bookings.aggregate(
        booked=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
        offered=Count("pk", filter=Q(status=BookingStatus.OFFERED)),
        waiting=Count("pk", filter=Q(status=BookingStatus.WAITING)),
    )
    return Places(capacity=delivery.capacity, **counts)


def booking_list_for_delivery(*, delivery: Delivery, status: str = "") -> QuerySet[Booking]:
    bookings = delivery.bookings.select_related("learner")
    if status:
        bookings = bookings.filter(status=status)
    return bookings.order_by("status", "booked_at", "pk")


def booking_get_for(*, user: User, pk, may: Capability = Capability.MANAGE_LEARNING) -> Booking:
    try:
        return Booking.objects.select_related("delivery", "learner", "delivery__product").get(
            pk=pk, delivery__organisation_id__in=_ids(user, may)
        )
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise _not_found("booking") from None


def waiting_position(*, booking: Booking) -> int | None:
    if booking.status != BookingStatus.WAITING:
        return None
    return (
        Booking.objects.filter(delivery_id=booking.delivery_id, status=BookingStatus.WAITING)
        .filter(
            Q(booked_at__lt=booking.booked_at) | Q(booked_at=booking.booked_at, pk__lt=booking.pk)
        )
        .count()
        + 1
    )


def delivery_by_booking_token(*, token: str) -> Delivery:
    """The delivery behind a public booking link (404 when the link is wrong or cancelled)."""
    try:
        return Delivery.objects.select_related("product", "site", "version").get(
            booking_token=token, cancelled_at__isnull=True
        )
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise _not_found("course") from None


def booking_by_token(*, token: str) -> Booking:
    """A learner's own booking, from the link in their email."""
    try:
        return Booking.objects.select_related("delivery", "delivery__product", "learner").get(
            token=token, learner__isnull=False
        )
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise _not_found("booking") from None


@dataclass
class RegisterRow:
    booking: Booking
    learner: Learner
    attended: bool | None


def register_rows(*, session: DeliverySession) -> list[RegisterRow]:
    """Everyone booked on the session's delivery, in name order, with their mark (None when
    not yet marked). One query."""
    bookings = (
        session.delivery.bookings.filter(status=BookingStatus.BOOKED, learner__isnull=False)
        .select_related("learner")
        .annotate(
            mark=Subquery(
                Attendance.objects.filter(session=session, booking=OuterRef("pk")).values(
                    "attended"
                )[:1]
            )
        )
        .order_by("learner__name", "pk")
    )
    return [RegisterRow(booking=b, learner=b.learner, attended=b.mark) for b in bookings]


# ---------------------------------------------------------------------------------------------
# Attendance totals (the source document's attendance table)


@dataclass
class SiteRow:
    delivery: Delivery
    site: str
    cohort: str
    #: Session number -> people there.
    attended: dict[int, int] = field(default_factory=dict)
    booked: int = 0


@dataclass
class AttendanceTable:
    rows: list[SiteRow]
    session_numbers: list[int]
    totals: dict[int, int]

    def total_for(self, number: int) -> int:
        return self.totals.get(number, 0)


def attendance_totals(*, deliveries: QuerySet[Delivery]) -> AttendanceTable:
    """People there per session, per delivery (site) and in total, counted in SQL from
    attendance records (kept after learners are deleted)."""
    deliveries = list(
        deliveries.filter(cancelled_at__isnull=True)
        .select_related("site")
        .annotate(
            booked_total=Count(
                "bookings", filter=Q(bookings__status=BookingStatus.BOOKED), distinct=True
            )
        )
        .order_by("site__name", "pk")
    )
    counts = (
        Attendance.objects.filter(session__delivery__in=[d.pk for d in deliveries], attended=True)
        .values("session__delivery_id", "session__number")
        .annotate(n=Count("pk"))
    )
    by_delivery: dict[int, dict[int, int]] = {}
    for row in counts:
        by_delivery.setdefault(row["session__delivery_id"], {})[row["session__number"]] = row["n"]
    numbers = sorted(
        set(
            DeliverySession.objects.filter(delivery__in=[d.pk for d in deliveries]).values_list(
                "number", flat=True
            )
        )
    )
    rows = [
        SiteRow(
            delivery=d,
            site=d.site.name,
            cohort=d.cohort,
            attended={n: by_delivery.get(d.pk, {}).get(n, 0) for n in numbers},
            booked=d.booked_total,
        )
        for d in deliveries
    ]
    totals = {n: sum(r.attended[n] for r in rows) for n in numbers}
    return AttendanceTable(rows=rows, session_numbers=numbers, totals=totals)


def product_attendance_totals(*, user: User, product: LearningProduct) -> AttendanceTable:
    return attendance_totals(deliveries=delivery_list_for(user=user, product=product))


# ---------------------------------------------------------------------------------------------
# Trainers and commissions


def trainer_list_for(*, user: User, in_pool: bool | None = True) -> QuerySet[Trainer]:
    trainers = Trainer.objects.filter(
        organisation_id__in=_ids(user, Capability.MANAGE_LEARNING), person__erased_at__isnull=True
    ).select_related("person")
    if in_pool is not None:
        trainers = trainers.filter(left_pool_on__isnull=in_pool)
    return trainers.annotate(
        commission_count=Count("commissions", filter=Q(commissions__cancelled_at__isnull=True))
    ).order_by("person__known_as", "person__pk")


def trainer_get_for(*, user: User, pk) -> Trainer:
    try:
        return Trainer.objects.select_related("person").get(
            pk=pk,
            organisation_id__in=_ids(user, Capability.MANAGE_LEARNING),
            person__erased_at__isnull=True,
        )
    except (Trainer.DoesNotExist, ValueError, TypeError):
        raise _not_found("trainer") from None


def commission_list(*, delivery: Delivery) -> QuerySet[Commission]:
    return (
        delivery.commissions.filter(cancelled_at__isnull=True)
        .select_related("trainer__person", "payment", "invitation")
        .prefetch_related(
            Prefetch("support", queryset=CommissionSupport.objects.select_related("support_person"))
        )
    )


def commission_get_for(*, user: User, pk) -> Commission:
    try:
        return Commission.objects.select_related(
            "delivery", "trainer__person", "payment", "invitation", "delivery__product"
        ).get(pk=pk, delivery__organisation_id__in=_ids(user, Capability.MANAGE_LEARNING))
    except (Commission.DoesNotExist, ValueError, TypeError):
        raise _not_found("commission") from None


def support_get_for(*, user: User, pk) -> CommissionSupport:
    try:
        return CommissionSupport.objects.select_related(
            "commission", "commission__delivery", "commission__trainer__person"
        ).get(
            pk=pk,
            commission__delivery__organisation_id__in=_ids(user, Capability.MANAGE_LEARNING),
        )
    except (CommissionSupport.DoesNotExist, ValueError, TypeError):
        raise _not_found("support") from None


# ---------------------------------------------------------------------------------------------
# Portal: what an expert by experience sees of learning


def facilitating_for_person(*, person) -> QuerySet[Facilitator]:
    """The deliveries a person on the register is part of, with sessions, the materials of the
    version taught, their support plan and the payment owed."""
    return (
        Facilitator.objects.filter(person=person, delivery__cancelled_at__isnull=True)
        .select_related("delivery", "delivery__product", "delivery__site", "delivery__version")
        .prefetch_related(
            "delivery__sessions",
            "delivery__version__materials",
            Prefetch(
                "commission__support",
                queryset=CommissionSupport.objects.select_related("support_person"),
            ),
            "commission__payment",
        )
        .order_by("-delivery__pk")
    )


def facilitating_get_for_person(*, person, pk) -> Facilitator:
    try:
        return facilitating_for_person(person=person).get(pk=pk)
    except (Facilitator.DoesNotExist, ValueError, TypeError):
        raise _not_found("course") from None


def material_get_for_person(*, person, pk) -> Material:
    """A material of a delivery the person co-delivers (theirs to download)."""
    try:
        material = Material.objects.filter(
            pk=int(pk),
            version__deliveries__facilitators__person=person,
            version__deliveries__cancelled_at__isnull=True,
        ).first()
    except (ValueError, TypeError, OverflowError):
        material = None
    if material is None:
        raise _not_found("material")
    return material


def materials_quoting_person(*, person) -> QuerySet[Material]:
    """Learning materials that use this person's words (their contributions), so they can see
    where what they said is used."""
    return (
        Material.objects.filter(quote_links__contribution__person=person)
        .distinct()
        .select_related("version", "version__product", "version__product__organisation")
        .order_by("version__product__title", "title", "pk")
    )


def staff_sessions_for(*, user: User, since: datetime.date) -> QuerySet[DeliverySession]:
    """Sessions of deliveries a member of staff is on the team for, from `since`."""
    return (
        DeliverySession.objects.filter(
            delivery__facilitators__user=user, delivery__cancelled_at__isnull=True, date__gte=since
        )
        .select_related("delivery", "delivery__product", "delivery__site")
        .order_by("date", "starts_at")
    )


# ---------------------------------------------------------------------------------------------
# Scheduled work


def reminders_due(*, on: datetime.date) -> list[tuple[int, int]]:
    """(session id, booking id) for everyone booked on a session on `on` not yet reminded."""
    return list(
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            learner__isnull=False,
            delivery__cancelled_at__isnull=True,
            delivery__sessions__date=on,
        )
        .exclude(
            Exists(
                SessionReminder.objects.filter(
                    booking=OuterRef("pk"),
                    session__delivery=OuterRef("delivery"),
                    session__date=on,
                )
            )
        )
        .values_list("delivery__sessions__pk", "pk")
        .distinct()
    )


def deliveries_past_retention(*, today: datetime.date) -> QuerySet[Delivery]:
    """Deliveries whose last session ended longer ago than their organisation's retention
    period, with learners still held."""
    retention = dict(
        LearningSettings.objects.values_list("organisation_id", "learner_retention_days")
    )
    default = LearningSettings._meta.get_field("learner_retention_days").default
    candidates = (
        Delivery.objects.filter(bookings__learner__isnull=False)
        .annotate(last_date=Max("sessions__date"))
        .values_list("pk", "organisation_id", "last_date")
        .distinct()
    )
    due = [
        pk
        for pk, organisation_id, last_date in candidates
        if last_date is not None
        and last_date + datetime.timedelta(days=retention.get(organisation_id, default)) < today
    ]
    return Delivery.objects.filter(pk__in=due)


def learning_home_summary(*, user: User) -> dict | None:
    """For the staff home page: learning that needs attention."""
    if not _ids(user, Capability.VIEW_LEARNING):
        return None
    return {
        "materials_needing_update": materials_needing_update_for(user=user).count(),
        "teams_without_lived_experience": delivery_list_for(user=user)
        .filter(has_lived_experience=False, no_lived_experience_reason="")
        .count(),
    }


def holds_a_place() -> tuple:
    return HOLDS_A_PLACE
