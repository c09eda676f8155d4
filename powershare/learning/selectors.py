"""Every read of learning that leaves this app, scoped to the user's organisations and role.

A product and its deliveries belong to the product's organisation. Staff of a delivery's site
also see that delivery (and, with RECORD_ATTENDANCE, take its register), but only its owner
changes it. Anything else answers 404, never 403.

Attendance totals are computed in SQL from attendance records: one GROUP BY per table.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.engagement.models import Activity, Contribution, UseLevel
from powershare.engagement.selectors import contributions_usable_for

from .models import (
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
    SupportStage,
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


def version_to_teach(*, product: LearningProduct) -> ProductVersion | None:
    """The version a new delivery teaches (as services.delivery_create chooses it): the newest
    published one, or the newest when none is published yet."""
    return (
        product.versions.filter(published_at__isnull=False).order_by("-number").first()
        or product.versions.order_by("-number").first()
    )


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


def co_design_hidden_ids(*, product: LearningProduct) -> set[int]:
    """Contributions in the co-design record that can no longer be shown (withdrawn, or
    consent changed): kept in the record, never shown, so saving the record keeps them."""
    recorded = product.shaped_by_contributions.all()
    usable = contributions_usable(recorded, use=UseLevel.INTERNAL).values("pk")
    return set(recorded.exclude(pk__in=usable).values_list("pk", flat=True))


def contributions_by_id(*, organisation_id: int, ids) -> QuerySet[Contribution]:
    """The organisation's own contributions with these ids, for a service to check (never
    shown as they are: pages show words only through contributions_usable)."""
    return Contribution.objects.filter(pk__in=list(ids), organisation_id=organisation_id)


def learning_owner_choices(*, organisation_ids) -> QuerySet[User]:
    """Current members who run learning (MANAGE_LEARNING) in these organisations: who may own
    a product and be told when its materials need updating."""
    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role, role_can

    roles = [role for role in Role.values if role_can(role, Capability.MANAGE_LEARNING)]
    members = Membership.objects.current().filter(
        organisation_id__in=list(organisation_ids), role__in=roles, user=OuterRef("pk")
    )
    return User.objects.filter(Exists(members), is_active=True).order_by("full_name", "pk")


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


def delivery_product_choices(*, user: User) -> list[tuple[int, str]]:
    """(id, title) of the products of every delivery the user may see, for the list's filter:
    staff at a site see the products taught there, though the products are another's."""
    visible = Delivery.objects.filter(_delivery_scope(user, Capability.VIEW_LEARNING))
    return list(
        LearningProduct.objects.filter(pk__in=visible.values("product_id"))
        .order_by("title", "pk")
        .values_list("pk", "title")
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


def delivery_staff_choices(*, delivery: Delivery) -> QuerySet[User]:
    """Members of staff who may join a delivery's team or support a commissioned trainer:
    current members of the delivery's organisation or of its site."""
    from powershare.accounts.models import Membership

    members = Membership.objects.current().filter(
        organisation_id__in=(delivery.organisation_id, delivery.site_id), user=OuterRef("pk")
    )
    return User.objects.filter(Exists(members), is_active=True).order_by("full_name", "pk")


def team_staff_choices(*, delivery: Delivery, include_team: bool = False) -> QuerySet[User]:
    """Staff of the organisation or the site who are not on the team yet (or, with
    `include_team`, those on it too: a form sent twice still finds its choice)."""
    staff = delivery_staff_choices(delivery=delivery)
    if include_team:
        return staff
    return staff.exclude(Exists(Facilitator.objects.filter(delivery=delivery, user=OuterRef("pk"))))


def team_person_choices(*, delivery: Delivery, include_team: bool = False) -> QuerySet:
    """People on the register of the delivery's organisation (not erased) not on the team yet
    (or, with `include_team`, those on it too)."""
    from powershare.people.models import Person

    people = Person.objects.filter(
        organisation_id=delivery.organisation_id, erased_at__isnull=True
    ).order_by("full_name", "pk")
    if include_team:
        return people
    return people.exclude(
        Exists(Facilitator.objects.filter(delivery=delivery, person=OuterRef("pk")))
    )


@dataclass
class Places:
    capacity: int
    booked: int
    offered: int
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked - self.offered)


def places(*, delivery: Delivery, counts: dict[str, int] | None = None) -> Places:
    """Places taken and free, from `booking_counts` (pass them in if already counted)."""
    counts = counts if counts is not None else booking_counts(delivery=delivery)
    return Places(
        capacity=delivery.capacity,
        booked=counts[BookingStatus.BOOKED],
        offered=counts[BookingStatus.OFFERED],
        waiting=counts[BookingStatus.WAITING],
    )


def booking_list_for_delivery(*, delivery: Delivery, status: str = "") -> QuerySet[Booking]:
    bookings = delivery.bookings.select_related("learner")
    if status:
        bookings = bookings.filter(status=status)
    return bookings.order_by("status", "booked_at", "pk")


def booking_counts(*, delivery: Delivery) -> dict[str, int]:
    """How many bookings of each status a delivery has (every status present, 0 when none)."""
    counts = dict(
        delivery.bookings.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in BookingStatus.values}


def bookings_matching(
    *, delivery: Delivery, status: str = "", search: str = ""
) -> QuerySet[Booking]:
    """A delivery's bookings of one status, optionally those whose learner's name, email, job
    role or team contains `search`, oldest first (so the waiting list is in order)."""
    bookings = booking_list_for_delivery(delivery=delivery, status=status)
    if search:
        bookings = bookings.filter(
            Q(learner__name__icontains=search)
            | Q(learner__email__icontains=search)
            | Q(learner__job_role__icontains=search)
            | Q(learner__team__icontains=search)
        )
    if status == BookingStatus.WAITING:
        # Each person's place in the whole waiting list, even when a search hides some.
        ahead = (
            Booking.objects.filter(
                delivery_id=OuterRef("delivery_id"), status=BookingStatus.WAITING
            )
            .filter(
                Q(booked_at__lt=OuterRef("booked_at"))
                | Q(booked_at=OuterRef("booked_at"), pk__lt=OuterRef("pk"))
            )
            .order_by()
            .values("delivery_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        bookings = bookings.annotate(position=Coalesce(Subquery(ahead), 0) + 1)
    return bookings


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


def delivery_for_booking_link(*, token: str) -> Delivery:
    """The delivery behind a public booking link, cancelled or not, so the page can say kindly
    that it was cancelled (404 only when the link is wrong)."""
    try:
        return Delivery.objects.select_related("product", "site", "organisation").get(
            booking_token=token
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


@dataclass
class DeliveryRegister:
    sessions: list[DeliverySession]
    #: (learner, {session id: True / False / None when not marked}) for everyone booked.
    rows: list[tuple[Learner, dict[int, bool | None]]]


def delivery_register(*, delivery: Delivery) -> DeliveryRegister:
    """The whole register of a delivery: everyone booked (in name order) with their mark at
    each session. Three queries, whatever the number of learners and sessions."""
    sessions = list(delivery.sessions.order_by("number"))
    bookings = list(
        delivery.bookings.filter(status=BookingStatus.BOOKED, learner__isnull=False)
        .select_related("learner")
        .order_by("learner__name", "pk")
    )
    marks: dict[int, dict[int, bool]] = {}
    for booking_id, session_id, attended in Attendance.objects.filter(
        session__delivery=delivery, booking__status=BookingStatus.BOOKED
    ).values_list("booking_id", "session_id", "attended"):
        marks.setdefault(booking_id, {})[session_id] = attended
    rows = [(b.learner, {s.pk: marks.get(b.pk, {}).get(s.pk) for s in sessions}) for b in bookings]
    return DeliveryRegister(sessions=sessions, rows=rows)


def deliveries_with_offers(deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Add `offered_count` (places offered to someone waiting, not yet taken) to a list from
    delivery_list_for, so every delivery's places show without a query per row."""
    return deliveries.annotate(
        offered_count=Subquery(
            Booking.objects.filter(delivery=OuterRef("pk"), status=BookingStatus.OFFERED)
            .values("delivery")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
    )


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
    ).order_by("person__full_name", "person__pk")


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


def trainer_pool_for(*, user: User, in_pool: bool = True, search: str = "") -> QuerySet[Trainer]:
    """The trainer pool (or those who left it), optionally only trainers whose name or topics
    contain `search`."""
    trainers = trainer_list_for(user=user, in_pool=in_pool).select_related("organisation")
    if search:
        trainers = trainers.filter(
            Q(person__full_name__icontains=search)
            | Q(person__preferred_name__icontains=search)
            | Q(topics__icontains=search)
        )
    return trainers


def trainer_pool_counts(*, user: User) -> dict[str, int]:
    """How many trainers are in the pool and how many have left it (one query)."""
    return Trainer.objects.filter(
        organisation_id__in=_ids(user, Capability.MANAGE_LEARNING), person__erased_at__isnull=True
    ).aggregate(
        in_pool=Count("pk", filter=Q(left_pool_on__isnull=True)),
        left=Count("pk", filter=Q(left_pool_on__isnull=False)),
    )


def trainer_person_choices(*, user: User) -> QuerySet:
    """People on the registers where the user runs learning (not erased) who are not in the
    trainer pool now: who may be added to it."""
    from powershare.people.models import Person

    in_pool = Trainer.objects.filter(person=OuterRef("pk"), left_pool_on__isnull=True)
    return (
        Person.objects.filter(
            organisation_id__in=_ids(user, Capability.MANAGE_LEARNING), erased_at__isnull=True
        )
        .exclude(Exists(in_pool))
        .select_related("organisation")
        .order_by("full_name", "pk")
    )


def trainer_commissions(*, trainer: Trainer) -> QuerySet[Commission]:
    """A trainer's commissions, the latest first (cancelled ones too, marked as such)."""
    return trainer.commissions.select_related(
        "delivery", "delivery__product", "delivery__site"
    ).order_by("-created_at", "-pk")


def commission_trainer_choices(
    *, delivery: Delivery, include_commissioned: bool = False
) -> QuerySet[Trainer]:
    """Trainers in the pool of the delivery's organisation not commissioned for it already
    (or, with `include_commissioned`, those too: a form sent twice still finds its choice)."""
    trainers = (
        Trainer.objects.filter(
            organisation_id=delivery.organisation_id,
            left_pool_on__isnull=True,
            person__erased_at__isnull=True,
        )
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    if include_commissioned:
        return trainers
    taken = Commission.objects.filter(
        delivery=delivery, trainer=OuterRef("pk"), cancelled_at__isnull=True
    )
    return trainers.exclude(Exists(taken))


def commission_support_list(*, commission: Commission) -> list[CommissionSupport]:
    """A commission's support plan in the order it happens: before, on the day, after."""
    order = {stage: i for i, stage in enumerate(SupportStage.values)}
    rows = commission.support.select_related("support_person")
    return sorted(rows, key=lambda row: order.get(row.stage, len(order)))


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


def words_in_learning_for_person(*, person) -> QuerySet[Material]:
    """materials_quoting_person, each with the person's own contributions it quotes
    (`person_quotes`, links to contributions with their activity), in a fixed number of
    queries."""
    from .models import MaterialQuote

    own = (
        MaterialQuote.objects.filter(contribution__person=person)
        .select_related("contribution", "contribution__activity")
        .order_by("contribution__captured_on", "pk")
    )
    return materials_quoting_person(person=person).prefetch_related(
        Prefetch("quote_links", queryset=own, to_attr="person_quotes")
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


def sessions_with_places(sessions: QuerySet[DeliverySession]) -> QuerySet[DeliverySession]:
    """Sessions with `booked_count` (people booked on the delivery) beside its capacity."""
    return sessions.select_related("delivery", "delivery__product", "delivery__site").annotate(
        booked_count=Subquery(
            Booking.objects.filter(delivery=OuterRef("delivery"), status=BookingStatus.BOOKED)
            .values("delivery")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
    )


def sessions_upcoming_for(*, user: User, since: datetime.date) -> QuerySet[DeliverySession]:
    """Sessions from `since` of every delivery the user may see, soonest first, with places."""
    deliveries = Delivery.objects.filter(
        _delivery_scope(user, Capability.VIEW_LEARNING), cancelled_at__isnull=True
    )
    return sessions_with_places(
        DeliverySession.objects.filter(delivery__in=deliveries, date__gte=since)
    ).order_by("date", "starts_at", "pk")


def registers_not_taken_for(
    *, user: User, today: datetime.date, since: datetime.date | None = None
) -> QuerySet[DeliverySession]:
    """Sessions held (up to `today`, from `since`) whose register the user may take and nobody
    has: people are booked, and no one has been marked there or not. Oldest first."""
    deliveries = Delivery.objects.filter(
        _delivery_scope(user, Capability.RECORD_ATTENDANCE), cancelled_at__isnull=True
    )
    sessions = DeliverySession.objects.filter(delivery__in=deliveries, date__lte=today)
    if since is not None:
        sessions = sessions.filter(date__gte=since)
    return (
        sessions_with_places(sessions)
        .filter(
            Exists(
                Booking.objects.filter(delivery=OuterRef("delivery"), status=BookingStatus.BOOKED)
            )
        )
        .exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .order_by("date", "starts_at", "pk")
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
    period, with learners still held. A cancelled delivery ended when it was cancelled (or at
    its last session, if earlier); one that never had a session counts from when it was
    planned, so no learner is kept for ever."""
    from django.utils import timezone

    retention = dict(
        LearningSettings.objects.values_list("organisation_id", "learner_retention_days")
    )
    default = LearningSettings._meta.get_field("learner_retention_days").default
    candidates = (
        Delivery.objects.filter(bookings__learner__isnull=False)
        .annotate(last_date=Max("sessions__date"))
        .values_list("pk", "organisation_id", "last_date", "cancelled_at", "created_at")
        .distinct()
    )

    def ended_on(last_date, cancelled_at, created_at) -> datetime.date:
        if cancelled_at is not None:
            cancelled_on = timezone.localdate(cancelled_at)
            return min(last_date, cancelled_on) if last_date else cancelled_on
        return last_date or timezone.localdate(created_at)

    due = [
        pk
        for pk, organisation_id, last_date, cancelled_at, created_at in candidates
        if ended_on(last_date, cancelled_at, created_at)
        + datetime.timedelta(days=retention.get(organisation_id, default))
        < today
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


def learning_managers(*, organisation_id: int) -> QuerySet[User]:
    """Active staff who manage learning in an organisation (for notices with no owner)."""
    from powershare.accounts.roles import ROLE_CAPABILITIES

    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Capability.MANAGE_LEARNING in caps]
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__ended_at__isnull=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("pk")
    )


def learner_bookings_for(*, user: User, email: str) -> QuerySet[Booking]:
    """Every booking held under an email address in the organisations where the user manages
    learning (a learner asking what we hold about them, or to be deleted), with attendance."""
    email = (email or "").strip().lower()
    if not email:
        return Booking.objects.none()
    return (
        Booking.objects.filter(
            learner__email__iexact=email,
            delivery__organisation_id__in=_ids(user, Capability.MANAGE_LEARNING),
        )
        .select_related("learner", "delivery", "delivery__product", "delivery__site")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("session").order_by("session__number"),
            )
        )
        .order_by("booked_at", "pk")
    )
