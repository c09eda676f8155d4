"""Every change to learning: products, versions, materials, deliveries, teams, trainers,
bookings and attendance.

Rules kept here:
* Only MANAGE_LEARNING in the product's organisation changes products and deliveries; the
  register (attendance) needs RECORD_ATTENDANCE there (or in the delivery's site).
* A version that is published or taught keeps its learning outcomes: changes go in a new one.
* Materials may quote only contributions usable at the material's use level today
  (engagement.selectors.contributions_usable_for), and are flagged "needs updating" when one
  of them is withdrawn, has words removed or its use narrowed.
* Bookings lock the delivery row, so two people booking the last place at the same moment get
  one place and one waiting-list spot. A freed place is offered to the first person waiting.
* Learners' names and emails are deleted after the retention period; attendance stays.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from powershare.accounts.models import Organisation, User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.engagement.models import Contribution, UseLevel
from powershare.lib.uploads import upload_check
from powershare.people.models import Person

from . import selectors, signals
from .models import (
    HOLDS_A_PLACE,
    Attendance,
    Booking,
    BookingSource,
    BookingStatus,
    Commission,
    CommissionSupport,
    Delivery,
    DeliverySession,
    Facilitator,
    Learner,
    LearningOutcome,
    LearningProduct,
    LearningSettings,
    Material,
    MaterialKind,
    MaterialQuote,
    ProductStatus,
    ProductVersion,
    SessionMode,
    SupportStage,
    Trainer,
)

MAX_OUTCOMES = 12
MAX_SESSIONS = 20
MAX_CAPACITY = 500
MATERIAL_EXTENSIONS = (
    ".pdf",
    ".pptx",
    ".odp",
    ".docx",
    ".odt",
    ".txt",
    ".png",
    ".jpg",
    ".jpeg",
    ".mp4",
    ".mp3",
    ".m4a",
)
MATERIAL_DESCRIBED = "slides, a handout, a video or an audio file (PDF, PPTX, ODP, DOCX, ODT, TXT, PNG, JPEG, MP4, MP3 or M4A)"
MATERIAL_MAX_BYTES = 200 * 1024 * 1024

PRODUCT_FIELDS = (
    "title",
    "aims",
    "audience",
    "prerequisite_learning",
    "sessions_planned",
    "session_minutes",
    "interval_min_weeks",
    "interval_max_weeks",
    "owner",
)


def _check(actor: User, capability: Capability, organisation_id: int) -> None:
    if not user_can(user=actor, capability=capability, organisation_id=organisation_id):
        raise PermissionDenied("You can't do this in this organisation.")


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


# ---------------------------------------------------------------------------------------------
# Products and versions


def _clean_product(product: LearningProduct) -> None:
    errors = {}
    if not product.title.strip():
        errors["title"] = "Enter the product's title."
    if not product.aims.strip():
        errors["aims"] = "Say what the learning aims to do."
    if not product.audience.strip():
        errors["audience"] = "Say who the learning is for."
    if not 1 <= (product.sessions_planned or 0) <= MAX_SESSIONS:
        errors["sessions_planned"] = f"Enter a number of sessions from 1 to {MAX_SESSIONS}."
    if not 15 <= (product.session_minutes or 0) <= 600:
        errors["session_minutes"] = "Enter a session length from 15 minutes to 10 hours."
    low, high = product.interval_min_weeks, product.interval_max_weeks
    if low is not None and high is not None and high < low:
        errors["interval_max_weeks"] = (
            "The longest gap must be the same as or more than the shortest."
        )
    if (low or 0) > 52 or (high or 0) > 52:
        errors["interval_min_weeks"] = "Enter a gap of at most 52 weeks."
    if product.owner_id and not user_can(
        user=product.owner,
        capability=Capability.MANAGE_LEARNING,
        organisation_id=product.organisation_id,
    ):
        errors["owner"] = "Choose someone in your organisation who runs learning."
    if errors:
        raise ValidationError(errors)


def _unique_slug(organisation_id: int, title: str, exclude_pk=None) -> str:
    base = slugify(title)[:70] or "learning"
    slug, n = base, 2
    taken = LearningProduct.objects.filter(organisation_id=organisation_id)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _outcomes_clean(outcomes) -> list[str]:
    texts = [o.strip() for o in outcomes if o and o.strip()]
    if not texts:
        raise ValidationError({"outcomes": "Add at least one intended learning outcome."})
    if len(texts) > MAX_OUTCOMES:
        raise ValidationError({"outcomes": f"Keep to at most {MAX_OUTCOMES} outcomes."})
    if any(len(t) > 500 for t in texts):
        raise ValidationError({"outcomes": "Keep each outcome under 500 characters."})
    return texts


@transaction.atomic
def product_create(
    *, actor: User, organisation_id: int, outcomes: list[str], slug: str = "", **fields
) -> LearningProduct:
    """A new learning product in draft, with version 1 holding its learning outcomes."""
    _check(actor, Capability.MANAGE_LEARNING, organisation_id)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    fields.setdefault("owner", actor)
    product = LearningProduct(organisation_id=organisation_id, created_by=actor, **fields)
    texts = _outcomes_clean(outcomes)
    _clean_product(product)
    product.slug = slugify(slug)[:80] if slug else _unique_slug(organisation_id, product.title)
    if LearningProduct.objects.filter(organisation_id=organisation_id, slug=product.slug).exists():
        raise ValidationError({"slug": "Another product already uses this web address."})
    product.save()
    version = ProductVersion.objects.create(product=product, number=1, created_by=actor)
    LearningOutcome.objects.bulk_create(
        LearningOutcome(version=version, position=i, text=t) for i, t in enumerate(texts, 1)
    )
    return product


@transaction.atomic
def product_update(*, actor: User, product: LearningProduct, **fields) -> LearningProduct:
    _check(actor, Capability.MANAGE_LEARNING, product.organisation_id)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(product, name, value)
    _clean_product(product)
    product.save()
    return product


@transaction.atomic
def product_status_set(*, actor: User, product: LearningProduct, status: str) -> LearningProduct:
    """Publish (publishes the newest version too), retire, or bring back to draft."""
    _check(actor, Capability.MANAGE_LEARNING, product.organisation_id)
    if status not in ProductStatus.values:
        raise ValidationError({"status": "Choose draft, published or retired."})
    if status == ProductStatus.PUBLISHED:
        version = product.versions.order_by("-number").first()
        if version.published_at is None:
            version.published_at = timezone.now()
            version.save(update_fields=["published_at", "updated_at"])
    product.status = status
    product.save(update_fields=["status", "updated_at"])
    return product


def _version_locked(version: ProductVersion) -> bool:
    return version.published_at is not None or version.deliveries.exists()


@transaction.atomic
def version_outcomes_set(*, actor: User, version: ProductVersion, outcomes: list[str]) -> None:
    """Replace a draft version's outcomes, in the order given."""
    _check(actor, Capability.MANAGE_LEARNING, version.product.organisation_id)
    if _version_locked(version):
        raise ValidationError(
            "This version has been published or taught, so its outcomes stay as they were. "
            "Start a new version to change them."
        )
    texts = _outcomes_clean(outcomes)
    version.outcomes.all().delete()
    LearningOutcome.objects.bulk_create(
        LearningOutcome(version=version, position=i, text=t) for i, t in enumerate(texts, 1)
    )


@transaction.atomic
def version_create(*, actor: User, product: LearningProduct, changes: str) -> ProductVersion:
    """A new draft version copying the newest one's outcomes and materials (with their quotes)."""
    _check(actor, Capability.MANAGE_LEARNING, product.organisation_id)
    changes = _text(changes, 2000)
    if not changes:
        raise ValidationError({"changes": "Say what will change in this version."})
    product = LearningProduct.objects.select_for_update().get(pk=product.pk)
    latest = product.versions.order_by("-number").first()
    if latest is not None and latest.published_at is None and not latest.deliveries.exists():
        raise ValidationError(
            f"Version {latest.number} is still a draft: change it, or publish it first."
        )
    version = ProductVersion.objects.create(
        product=product,
        number=(latest.number + 1) if latest else 1,
        changes=changes,
        created_by=actor,
    )
    if latest is not None:
        LearningOutcome.objects.bulk_create(
            LearningOutcome(version=version, position=o.position, text=o.text)
            for o in latest.outcomes.all()
        )
        for material in latest.materials.prefetch_related("quote_links"):
            quotes = list(material.quote_links.all())
            material.pk = None
            material.key = Material._meta.get_field("key").default()
            material.version = version
            material.save()
            MaterialQuote.objects.bulk_create(
                MaterialQuote(material=material, contribution_id=q.contribution_id) for q in quotes
            )
    return version


@transaction.atomic
def version_publish(*, actor: User, version: ProductVersion) -> ProductVersion:
    _check(actor, Capability.MANAGE_LEARNING, version.product.organisation_id)
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at", "updated_at"])
    product = version.product
    if product.status == ProductStatus.DRAFT:
        product.status = ProductStatus.PUBLISHED
        product.save(update_fields=["status", "updated_at"])
    return version


@transaction.atomic
def co_design_set(
    *, actor: User, product: LearningProduct, activities=(), contributions=()
) -> LearningProduct:
    """Record the activities and contributions that shaped the product. Only the
    organisation's own, and only contributions that may be used inside it today."""
    _check(actor, Capability.MANAGE_LEARNING, product.organisation_id)
    activities = list(activities)
    contributions = list(contributions)
    errors = {}
    if any(a.organisation_id != product.organisation_id for a in activities):
        errors["activities"] = "Choose your organisation's own activities."
    ids = [c.pk for c in contributions]
    usable = set(
        selectors.contributions_usable(
            Contribution.objects.filter(pk__in=ids, organisation_id=product.organisation_id),
            use=UseLevel.INTERNAL,
        ).values_list("pk", flat=True)
    )
    # Already in the record and no longer usable (withdrawn, consent changed): kept, so the
    # record still counts them, and never shown. Only new ones must be usable today.
    recorded = set(product.shaped_by_contributions.values_list("pk", flat=True))
    refused = [c.reference for c in contributions if c.pk not in usable and c.pk not in recorded]
    if refused:
        errors["contributions"] = (
            "These can't be used any more (withdrawn, or no longer agreed): " + ", ".join(refused)
        )
    if errors:
        raise ValidationError(errors)
    product.shaped_by_activities.set(activities)
    product.shaped_by_contributions.set(contributions)
    return product


# ---------------------------------------------------------------------------------------------
# Materials


def _quotes_check(product: LearningProduct, contribution_ids, use_level: int) -> list[int]:
    ids = sorted({int(i) for i in contribution_ids})
    if not ids:
        return []
    usable = set(
        selectors.contributions_usable(
            Contribution.objects.filter(pk__in=ids, organisation_id=product.organisation_id),
            use=use_level,
        ).values_list("pk", flat=True)
    )
    refused = [i for i in ids if i not in usable]
    if refused:
        refs = ", ".join(f"C{i:06d}" for i in refused)  # as Contribution.reference names it
        raise ValidationError(
            {
                "quotes": f"These can't be quoted at this use ({UseLevel(use_level).label.lower()}): "
                f"{refs}. The person hasn't agreed, or the words were withdrawn."
            }
        )
    return ids


@transaction.atomic
def material_add(
    *,
    actor: User,
    version: ProductVersion,
    title: str,
    kind: str,
    upload=None,
    use_level: int = UseLevel.ANONYMISED,
    quotes=(),
) -> Material:
    product = version.product
    _check(actor, Capability.MANAGE_LEARNING, product.organisation_id)
    errors = {}
    title = _text(title, 200)
    if not title:
        errors["title"] = "Give the material a title."
    if kind not in MaterialKind.values:
        errors["kind"] = "Choose what kind of material it is."
    if use_level not in (UseLevel.ANONYMISED, UseLevel.ATTRIBUTED, UseLevel.PUBLIC):
        errors["use_level"] = "Choose how the words it quotes are used."
    if errors:
        raise ValidationError(errors)
    ids = _quotes_check(product, quotes, use_level)
    material = Material(
        version=version, title=title, kind=kind, use_level=use_level, uploaded_by=actor
    )
    if upload is not None:
        _, content_type = upload_check(
            upload,
            extensions=MATERIAL_EXTENSIONS,
            described=MATERIAL_DESCRIBED,
            max_bytes=MATERIAL_MAX_BYTES,
        )
        material.original_name = _text(upload.name, 200)
        material.content_type = content_type
        material.size = upload.size
        material.file.save(material.key, upload, save=False)
    material.save()
    MaterialQuote.objects.bulk_create(
        MaterialQuote(material=material, contribution_id=i) for i in ids
    )
    return material


@transaction.atomic
def material_update(
    *,
    actor: User,
    material: Material,
    title: str,
    kind: str,
    use_level: int,
    quotes=(),
    upload=None,
    updated: bool = False,
) -> Material:
    """Change a material: its details, the words it quotes, or its file. `updated` says the
    material was brought up to date (clears "needs updating"): only allowed once every quote
    left may be used."""
    product = material.version.product
    _check(actor, Capability.MANAGE_LEARNING, product.organisation_id)
    errors = {}
    title = _text(title, 200)
    if not title:
        errors["title"] = "Give the material a title."
    if kind not in MaterialKind.values:
        errors["kind"] = "Choose what kind of material it is."
    if use_level not in (UseLevel.ANONYMISED, UseLevel.ATTRIBUTED, UseLevel.PUBLIC):
        errors["use_level"] = "Choose how the words it quotes are used."
    if errors:
        raise ValidationError(errors)
    ids = _quotes_check(product, quotes, use_level)
    material.title, material.kind, material.use_level = title, kind, use_level
    if upload is not None:
        _, content_type = upload_check(
            upload,
            extensions=MATERIAL_EXTENSIONS,
            described=MATERIAL_DESCRIBED,
            max_bytes=MATERIAL_MAX_BYTES,
        )
        old = material.file.name if material.file else ""
        material.key = Material._meta.get_field("key").default()
        material.original_name = _text(upload.name, 200)
        material.content_type = content_type
        material.size = upload.size
        material.file.save(material.key, upload, save=False)
        _file_forget_later(old, keep_pk=material.pk)
    if updated:
        material.needs_updating_since = None
        material.needs_updating_reason = ""
    material.save()
    material.quote_links.exclude(contribution_id__in=ids).delete()
    have = set(material.quote_links.values_list("contribution_id", flat=True))
    MaterialQuote.objects.bulk_create(
        MaterialQuote(material=material, contribution_id=i) for i in ids if i not in have
    )
    return material


def _file_forget_later(name: str, *, keep_pk=None) -> None:
    """Delete a stored file after commit, unless another material (a later version's copy)
    still points at it."""
    if not name:
        return
    others = Material.objects.filter(file=name)
    if keep_pk:
        others = others.exclude(pk=keep_pk)
    if others.exists():
        return
    storage = Material._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def material_remove(*, actor: User, material: Material) -> None:
    _check(actor, Capability.MANAGE_LEARNING, material.version.product.organisation_id)
    name = material.file.name if material.file else ""
    material.delete()
    _file_forget_later(name)


REASON_WORDS = {
    "withdrawn": "A quoted contribution was withdrawn by or for the person who said it.",
    "redacted": "Words were removed from a quoted contribution at the person's request.",
    "use_narrowed": "A quoted contribution may no longer be used this widely.",
    "erased": "The person who said a quoted contribution asked for their record to be erased.",
    "consent_withdrawn": "The person who said a quoted contribution no longer agrees to be quoted this way.",
}


def materials_flag_for_contributions(*, contribution_ids, reason: str) -> list[int]:
    """Called when contributions' words change (engagement.signals): flag every material that
    quotes them as needing updating, and tell each product's owner once. Returns the ids of the
    materials newly flagged."""
    ids = list(contribution_ids)
    if not ids:
        return []
    materials = Material.objects.filter(quote_links__contribution_id__in=ids).distinct()
    if reason in ("use_narrowed", "consent_withdrawn"):
        # Still fine where every quote may still be used as widely as the material uses it
        # (the one consent rule, asked per use level).
        flagged = set()
        for level in (UseLevel.ANONYMISED, UseLevel.ATTRIBUTED, UseLevel.PUBLIC):
            at_level = materials.filter(use_level=level)
            quoted = set(
                MaterialQuote.objects.filter(
                    material__in=at_level, contribution_id__in=ids
                ).values_list("contribution_id", flat=True)
            )
            if not quoted:
                continue
            usable = set(
                selectors.contributions_usable(
                    Contribution.objects.filter(pk__in=quoted), use=level
                ).values_list("pk", flat=True)
            )
            unusable = quoted - usable
            if unusable:
                flagged |= set(
                    at_level.filter(quote_links__contribution_id__in=unusable).values_list(
                        "pk", flat=True
                    )
                )
        materials = materials.filter(pk__in=flagged)
    newly = list(materials.filter(needs_updating_since__isnull=True).values_list("pk", flat=True))
    now = timezone.now()
    Material.objects.filter(pk__in=newly).update(
        needs_updating_since=now, needs_updating_reason=REASON_WORDS.get(reason, "")[:300]
    )
    if newly:
        from .tasks import materials_needing_update_email_send

        transaction.on_commit(
            lambda: materials_needing_update_email_send.enqueue(material_ids=newly)
        )
    return newly


# ---------------------------------------------------------------------------------------------
# Deliveries and sessions


def _clean_sessions(sessions: list[dict]) -> list[dict]:
    """Each session: date, starts_at, ends_at, mode, venue, online_link. Errors name the session."""
    if not sessions:
        raise ValidationError({"sessions": "Add at least one session."})
    if len(sessions) > MAX_SESSIONS:
        raise ValidationError({"sessions": f"Add at most {MAX_SESSIONS} sessions."})
    errors = []
    cleaned = []
    for n, s in enumerate(sessions, 1):
        date, starts, ends = s.get("date"), s.get("starts_at"), s.get("ends_at")
        mode = s.get("mode") or SessionMode.IN_PERSON
        venue, link = _text(s.get("venue"), 300), _text(s.get("online_link"), 500)
        if not date:
            errors.append(f"Session {n}: enter the date.")
        elif not 2000 <= date.year <= 2100:
            errors.append(f"Session {n}: enter a date between 2000 and 2100.")
        if not starts or not ends:
            errors.append(f"Session {n}: enter the start and end times.")
        elif ends <= starts:
            errors.append(f"Session {n}: the end time must be after the start time.")
        if mode not in SessionMode.values:
            errors.append(f"Session {n}: choose in person or online.")
        elif mode == SessionMode.IN_PERSON and not venue:
            errors.append(f"Session {n}: enter the venue.")
        elif mode == SessionMode.ONLINE and not link:
            errors.append(f"Session {n}: enter the link to join online.")
        cleaned.append(
            {
                "date": date,
                "starts_at": starts,
                "ends_at": ends,
                "mode": mode,
                "venue": venue,
                "online_link": link,
            }
        )
    dates = [s["date"] for s in cleaned if s["date"]]
    if not errors and dates != sorted(dates):
        errors.append("Put the sessions in date order: session 1 first.")
    if errors:
        raise ValidationError({"sessions": errors})
    return cleaned


@transaction.atomic
def delivery_create(
    *,
    actor: User,
    product: LearningProduct,
    site: Organisation,
    cohort: str,
    capacity: int,
    sessions: list[dict],
    version: ProductVersion | None = None,
) -> Delivery:
    """Plan a delivery of a product at a site, with its sessions (dicts with date, starts_at,
    ends_at, mode, venue, online_link). It teaches the newest published version unless told."""
    _check(actor, Capability.MANAGE_LEARNING, product.organisation_id)
    errors = {}
    if product.status == ProductStatus.RETIRED:
        errors["product"] = "This product is retired: bring it back before planning a delivery."
    cohort = _text(cohort, 200)
    if not cohort:
        errors["cohort"] = "Name the cohort, for example “spring 2026”."
    if not 1 <= (capacity or 0) <= MAX_CAPACITY:
        errors["capacity"] = f"Enter the number of places, from 1 to {MAX_CAPACITY}."
    if version is None:
        version = (
            product.versions.filter(published_at__isnull=False).order_by("-number").first()
            or product.versions.order_by("-number").first()
        )
    elif version.product_id != product.pk:
        errors["version"] = "Choose a version of this product."
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_sessions(sessions)
    delivery = Delivery.objects.create(
        organisation_id=product.organisation_id,
        created_by=actor,
        product=product,
        version=version,
        site=site,
        cohort=cohort,
        capacity=capacity,
    )
    DeliverySession.objects.bulk_create(
        DeliverySession(delivery=delivery, number=n, **s) for n, s in enumerate(cleaned, 1)
    )
    signals.delivery_sessions_changed.send(sender=Delivery, delivery=delivery)
    return delivery


@transaction.atomic
def delivery_update(
    *, actor: User, delivery: Delivery, cohort: str, capacity: int, booking_open: bool, site=None
) -> Delivery:
    """Change a delivery's cohort, places or booking. More places offer them to people waiting;
    fewer can't go below the places already taken."""
    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    errors = {}
    cohort = _text(cohort, 200)
    if not cohort:
        errors["cohort"] = "Name the cohort, for example “spring 2026”."
    taken = delivery.bookings.filter(status__in=HOLDS_A_PLACE).count()
    if not 1 <= (capacity or 0) <= MAX_CAPACITY:
        errors["capacity"] = f"Enter the number of places, from 1 to {MAX_CAPACITY}."
    elif capacity < taken:
        errors["capacity"] = (
            f"{taken} places are already taken, so there must be at least {taken}. "
            "Cancel bookings first if you need fewer."
        )
    if errors:
        raise ValidationError(errors)
    delivery.cohort, delivery.capacity, delivery.booking_open = cohort, capacity, booking_open
    if site is not None:
        delivery.site = site
    delivery.save()
    _offer_free_places(delivery)
    return delivery


@transaction.atomic
def delivery_cancel(*, actor: User, delivery: Delivery) -> Delivery:
    """Cancel a delivery: booking closes and everyone booked or waiting is told."""
    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.cancelled_at is None:
        delivery.cancelled_at = timezone.now()
        delivery.booking_open = False
        delivery.save(update_fields=["cancelled_at", "booking_open", "updated_at"])
        ids = list(
            delivery.bookings.exclude(status=BookingStatus.CANCELLED).values_list("pk", flat=True)
        )
        delivery.bookings.filter(pk__in=ids).update(
            status=BookingStatus.CANCELLED, cancelled_at=delivery.cancelled_at
        )
        if ids:
            from .tasks import delivery_cancelled_email_send

            transaction.on_commit(lambda: delivery_cancelled_email_send.enqueue(booking_ids=ids))
        # Trainers commissioned for it are stood down: invitation taken back, unpaid payment
        # cancelled with the reason. (Paid ones stay paid.)
        for commission in delivery.commissions.filter(cancelled_at__isnull=True):
            commission_cancel(
                actor=actor, commission=commission, reason="The delivery was cancelled."
            )
        if delivery.activity_id:
            from powershare.engagement.services import activity_cancel

            activity_cancel(actor=actor, activity=delivery.activity)
        signals.delivery_sessions_changed.send(sender=Delivery, delivery=delivery)
    return delivery


@transaction.atomic
def session_update(*, actor: User, session: DeliverySession, **values) -> DeliverySession:
    """Change one session's date, times or place (keeping the order of sessions)."""
    _check(actor, Capability.MANAGE_LEARNING, session.delivery.organisation_id)
    sessions = list(session.delivery.sessions.order_by("number"))
    rows = []
    for s in sessions:
        row = {
            k: getattr(s, k)
            for k in ("date", "starts_at", "ends_at", "mode", "venue", "online_link")
        }
        if s.pk == session.pk:
            row.update({k: v for k, v in values.items() if k in row})
        rows.append(row)
    cleaned = _clean_sessions(rows)[session.number - 1]
    for name, value in cleaned.items():
        setattr(session, name, value)
    session.save()
    # A moved session earns a fresh reminder.
    session.reminders.all().delete()
    signals.delivery_sessions_changed.send(sender=Delivery, delivery=session.delivery)
    return session


@transaction.atomic
def session_add(*, actor: User, delivery: Delivery, **values) -> DeliverySession:
    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    rows = [
        {k: getattr(s, k) for k in ("date", "starts_at", "ends_at", "mode", "venue", "online_link")}
        for s in delivery.sessions.order_by("number")
    ]
    rows.append(values)
    cleaned = _clean_sessions(rows)[-1]
    number = (delivery.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
    session = DeliverySession.objects.create(delivery=delivery, number=number, **cleaned)
    signals.delivery_sessions_changed.send(sender=Delivery, delivery=delivery)
    return session


@transaction.atomic
def session_remove(*, actor: User, session: DeliverySession) -> None:
    _check(actor, Capability.MANAGE_LEARNING, session.delivery.organisation_id)
    if session.attendance.exists():
        raise ValidationError("The register for this session has been taken, so it stays.")
    if session.delivery.sessions.count() == 1:
        raise ValidationError("A delivery needs at least one session.")
    delivery = session.delivery
    session.delete()
    for n, s in enumerate(delivery.sessions.order_by("number"), 1):
        if s.number != n:
            DeliverySession.objects.filter(pk=s.pk).update(number=n)
    signals.delivery_sessions_changed.send(sender=Delivery, delivery=delivery)


# ---------------------------------------------------------------------------------------------
# Facilitator teams


@transaction.atomic
def facilitator_add(
    *,
    actor: User,
    delivery: Delivery,
    user: User | None = None,
    person: Person | None = None,
    lived: bool = False,
    professional: bool = False,
    leadership: bool = False,
    is_lead: bool = False,
) -> Facilitator:
    """Add a member of staff or an expert by experience from the register to the team."""
    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    errors = {}
    if (user is None) == (person is None):
        errors["who"] = "Choose one member of staff or one person from the register."
    elif person is not None and (
        person.organisation_id != delivery.organisation_id or person.erased_at is not None
    ):
        errors["person"] = "Choose someone on your organisation's register."
    elif user is not None and not _staff_of_delivery(user, delivery):
        errors["user"] = "Choose a member of staff of your organisation or of the site."
    if not (lived or professional or leadership):
        errors["experience"] = (
            "Choose the experience they bring: lived, professional or leadership."
        )
    if errors:
        raise ValidationError(errors)
    existing = (
        delivery.facilitators.filter(user=user)
        if user
        else delivery.facilitators.filter(person=person)
    )
    if existing.exists():
        raise ValidationError({"who": "They are already on this team."})
    facilitator = Facilitator.objects.create(
        delivery=delivery,
        user=user,
        person=person,
        lived=lived,
        professional=professional,
        leadership=leadership,
        is_lead=is_lead,
    )
    _lived_experience_acknowledgement_check(delivery)
    return facilitator


@transaction.atomic
def facilitator_update(
    *,
    actor: User,
    facilitator: Facilitator,
    lived: bool,
    professional: bool,
    leadership: bool,
    is_lead: bool,
) -> Facilitator:
    _check(actor, Capability.MANAGE_LEARNING, facilitator.delivery.organisation_id)
    if not (lived or professional or leadership):
        raise ValidationError(
            {"experience": "Choose the experience they bring: lived, professional or leadership."}
        )
    facilitator.lived, facilitator.professional = lived, professional
    facilitator.leadership, facilitator.is_lead = leadership, is_lead
    facilitator.save()
    _lived_experience_acknowledgement_check(facilitator.delivery)
    return facilitator


@transaction.atomic
def facilitator_remove(*, actor: User, facilitator: Facilitator) -> None:
    _check(actor, Capability.MANAGE_LEARNING, facilitator.delivery.organisation_id)
    if Commission.objects.filter(facilitator=facilitator, cancelled_at__isnull=True).exists():
        raise ValidationError(
            "They were commissioned for this delivery: cancel the commission instead, so their "
            "invitation and payment are dealt with too."
        )
    delivery = facilitator.delivery
    facilitator.delete()
    _lived_experience_acknowledgement_check(delivery)


def _lived_experience_acknowledgement_check(delivery: Delivery) -> None:
    """Once the team has lived experience, an earlier acknowledgement no longer applies (it is
    kept in the change log); it is needed afresh if the team loses it again."""
    if delivery.facilitators.filter(lived=True).exists() and delivery.no_lived_experience_reason:
        Delivery.objects.filter(pk=delivery.pk).update(
            no_lived_experience_reason="",
            no_lived_experience_acknowledged_by=None,
            no_lived_experience_acknowledged_at=None,
        )
        delivery.refresh_from_db()


@transaction.atomic
def team_without_lived_experience_acknowledge(
    *, actor: User, delivery: Delivery, reason: str
) -> Delivery:
    """Record why this team has nobody with lived experience (nothing about us without us)."""
    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    if delivery.facilitators.filter(lived=True).exists():
        raise ValidationError("This team has someone with lived experience: nothing to record.")
    reason = _text(reason, 2000)
    if len(reason) < 10:
        raise ValidationError(
            {
                "reason": "Say why there is nobody with lived experience on this team (a sentence or more)."
            }
        )
    delivery.no_lived_experience_reason = reason
    delivery.no_lived_experience_acknowledged_by = actor
    delivery.no_lived_experience_acknowledged_at = timezone.now()
    delivery.save(
        update_fields=[
            "no_lived_experience_reason",
            "no_lived_experience_acknowledged_by",
            "no_lived_experience_acknowledged_at",
            "updated_at",
        ]
    )
    return delivery


# ---------------------------------------------------------------------------------------------
# The trainer pool and commissioning


@transaction.atomic
def trainer_add(
    *, actor: User, person: Person, topics: str = "", agreed_on: datetime.date | None = None
) -> Trainer:
    """Add someone on the register who has agreed to train to the pool (or bring them back)."""
    _check(actor, Capability.MANAGE_LEARNING, person.organisation_id)
    if person.erased_at is not None:
        raise ValidationError({"person": "Choose someone on the register."})
    agreed_on = agreed_on or timezone.localdate()
    trainer, created = Trainer.objects.get_or_create(
        organisation_id=person.organisation_id,
        person=person,
        defaults={"created_by": actor, "topics": _text(topics, 2000), "agreed_on": agreed_on},
    )
    if not created:
        if trainer.left_pool_on is None:
            raise ValidationError({"person": f"{person.name} is already in the trainer pool."})
        trainer.left_pool_on = None
        trainer.agreed_on = agreed_on
        trainer.topics = _text(topics, 2000) or trainer.topics
        trainer.save()
    return trainer


@transaction.atomic
def trainer_update(*, actor: User, trainer: Trainer, topics: str, in_pool: bool) -> Trainer:
    _check(actor, Capability.MANAGE_LEARNING, trainer.organisation_id)
    trainer.topics = _text(topics, 2000)
    trainer.left_pool_on = None if in_pool else (trainer.left_pool_on or timezone.localdate())
    trainer.save()
    return trainer


def _delivery_activity(actor: User, delivery: Delivery):
    """The engagement activity that carries trainers' invitations (made once per delivery)."""
    from powershare.engagement import selectors as engagement_selectors
    from powershare.engagement.models import ActivityKind, ActivitySetting
    from powershare.engagement.services import activity_create

    if delivery.activity_id:
        return delivery.activity
    sessions = list(delivery.sessions.order_by("number"))
    ladder = engagement_selectors.ladder_default()
    rungs = list(ladder.rungs.order_by("position"))
    # Co-delivering training is partnership: the highest rung that is not full control.
    rung = next((r for r in rungs if r.name.lower() == "partnership"), rungs[len(rungs) // 2])
    online = all(s.mode == SessionMode.ONLINE for s in sessions)
    activity = activity_create(
        actor=actor,
        organisation_id=delivery.organisation_id,
        title=f"Co-delivering {delivery.product.title} at {delivery.site.name}"[:200],
        purpose=(
            f"Experts by experience co-deliver {delivery.product.title} to {delivery.cohort}, "
            "so that learners hear from people with lived experience."
        ),
        kind=ActivityKind.TRAINING_CO_DELIVERY,
        starts_on=sessions[0].date,
        ends_on=sessions[-1].date,
        times=f"{sessions[0].starts_at:%H:%M} to {sessions[0].ends_at:%H:%M}",
        venue=(sessions[0].venue or "Online")[:200],
        setting=ActivitySetting.ONLINE if online else ActivitySetting.OFFICE,
        ladder=ladder,
        rung=rung,
        # Asked at the debrief, so what trainers say about co-delivering is kept and heard.
        questions=["How did co-delivering this course go for you, and what should we change?"],
    )
    delivery.activity = activity
    delivery.save(update_fields=["activity", "updated_at"])
    return activity


@transaction.atomic
def commission_create(
    *,
    actor: User,
    delivery: Delivery,
    trainer: Trainer,
    hours,
    preparation_hours=Decimal("0"),
    support: dict | None = None,
    lead: bool = False,
    domain: str = "localhost",
    use_https: bool = False,
) -> Commission:
    """Commission a trainer from the pool for a delivery: their invitation to co-deliver it,
    the payment owed for facilitating, a place on the team (lived experience), and a support
    plan before (preparation), during (a named person on the day) and after (a debrief).
    `support` maps "before"/"during"/"after" to dicts of plan, support_person, planned_on."""
    from powershare.engagement.services import invitation_reopen, invitations_send
    from powershare.payments.models import PaymentKind, TimeUnit
    from powershare.payments.services import payment_create

    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    errors = {}
    if delivery.is_cancelled:
        errors["delivery"] = "This delivery was cancelled."
    elif not delivery.sessions.exists():
        # The invitation and the payment are dated by the sessions.
        errors["delivery"] = "Add the delivery's sessions first, then commission a trainer."
    if trainer.organisation_id != delivery.organisation_id or not trainer.in_pool:
        errors["trainer"] = "Choose someone in your trainer pool."
    try:
        hours = Decimal(str(hours))
        preparation_hours = Decimal(str(preparation_hours or 0))
    except ArithmeticError:
        errors["hours"] = "Enter the hours as a number, for example 6 or 6.5."
    else:
        if not Decimal("0.25") <= hours <= Decimal("100"):
            errors["hours"] = "Enter the hours they will deliver, from 0.25 to 100."
        if not Decimal("0") <= preparation_hours <= Decimal("40"):
            errors["preparation_hours"] = "Enter preparation hours from 0 to 40."
    if Commission.objects.filter(
        delivery=delivery, trainer=trainer, cancelled_at__isnull=True
    ).exists():
        errors["trainer"] = f"{trainer.person.name} is already commissioned for this delivery."
    for stage, values in (support or {}).items():
        if not _staff_of_delivery(values.get("support_person"), delivery):
            errors[f"{stage}_support_person"] = (
                "Choose a member of staff of your organisation or the site."
            )
    if errors:
        raise ValidationError(errors)
    person = trainer.person
    activity = _delivery_activity(actor, delivery)
    invitations = invitations_send(
        actor=actor, activity=activity, people=[person], domain=domain, use_https=use_https
    )
    if invitations:
        invitation = invitations[0]
    else:
        # Asked before (a commission stood down, or they said no): ask them again.
        invitation = invitation_reopen(
            actor=actor,
            invitation=activity.invitations.get(person=person),
            domain=domain,
            use_https=use_https,
        )
    sessions = list(delivery.sessions.order_by("number"))
    payment = payment_create(
        actor=actor,
        person=person,
        kind=PaymentKind.FACILITATION,
        worked_on=sessions[0].date,
        time_unit=TimeUnit.HOURS,
        quantity=hours,
        preparation_hours=preparation_hours or None,
        activity=activity,
        invitation=invitation,
        description=f"Co-delivering {delivery.product.title} ({delivery.cohort})"[:300],
    )
    facilitator = delivery.facilitators.filter(person=person).first()
    joined_team, lived_before = facilitator is None, bool(facilitator and facilitator.lived)
    if facilitator is None:
        facilitator = Facilitator.objects.create(
            delivery=delivery, person=person, lived=True, is_lead=lead
        )
    elif not facilitator.lived:
        facilitator.lived = True
        facilitator.save(update_fields=["lived"])
    commission = Commission.objects.create(
        delivery=delivery,
        trainer=trainer,
        facilitator=facilitator,
        joined_team=joined_team,
        lived_before=lived_before,
        invitation=invitation,
        payment=payment,
        hours=hours,
        preparation_hours=preparation_hours,
        created_by=actor,
    )
    support = support or {}
    defaults = {
        SupportStage.BEFORE: sessions[0].date - datetime.timedelta(days=7),
        SupportStage.DURING: sessions[0].date,
        SupportStage.AFTER: sessions[-1].date + datetime.timedelta(days=3),
    }
    for stage in SupportStage.values:
        values = support.get(stage) or {}
        support_person = values.get("support_person")
        CommissionSupport.objects.create(
            commission=commission,
            stage=stage,
            plan=_text(values.get("plan"), 500),
            support_person=support_person,
            planned_on=values.get("planned_on") or defaults[stage],
        )
    _lived_experience_acknowledgement_check(delivery)
    return commission


def _staff_of_delivery(user: User | None, delivery: Delivery) -> bool:
    """A member of staff of the delivery's organisation or of its site (or nobody named): who
    may be on its team or be a trainer's support person."""
    return user is None or any(
        user_can(user=user, capability=Capability.VIEW_ORGANISATION, organisation_id=org)
        for org in (delivery.organisation_id, delivery.site_id)
    )


@transaction.atomic
def commission_cancel(*, actor: User, commission: Commission, reason: str) -> Commission:
    """Stand a commission down: the invitation is withdrawn, an unpaid payment cancelled (with
    the reason), and they leave the team."""
    from powershare.engagement.models import InvitationStatus
    from powershare.engagement.services import invitation_withdraw
    from powershare.payments.models import PaymentStatus
    from powershare.payments.services import payment_cancel

    delivery = commission.delivery
    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    reason = _text(reason, 2000)
    if not reason:
        raise ValidationError({"reason": "Say why the commission is cancelled."})
    if commission.cancelled_at is not None:
        return commission
    if commission.payment_id and commission.payment.status in (
        PaymentStatus.OWED,
        PaymentStatus.APPROVED,
    ):
        payment_cancel(actor=actor, payment=commission.payment, reason=reason)
    if commission.invitation_id and commission.invitation.status in (
        InvitationStatus.INVITED,
        InvitationStatus.ACCEPTED,
    ):
        invitation_withdraw(actor=actor, invitation=commission.invitation, stand_down=True)
    facilitator = commission.facilitator
    commission.cancelled_at = timezone.now()
    commission.facilitator = None
    commission.save(update_fields=["cancelled_at", "facilitator", "updated_at"])
    if facilitator is not None:
        if commission.joined_team:
            facilitator.delete()
        elif not commission.lived_before:
            # They were on the team before being commissioned: they stay, as they were.
            facilitator.lived = False
            facilitator.save(update_fields=["lived"])
    return commission


def commission_answer_follow(*, invitation) -> Commission | None:
    """A commissioned trainer said no, or left before the course started: the commission is
    stood down for them (payment not yet made cancelled, off the team as they joined it), and
    the people who manage the course are told. Someone who leaves once it has started keeps
    what they are owed; the managers are told so they can decide. Called when an invitation
    changes (learning.receivers)."""
    from powershare.engagement.models import InvitationStatus

    commission = (
        Commission.objects.select_related("delivery", "created_by", "trainer__person")
        .filter(invitation=invitation, cancelled_at__isnull=True)
        .first()
    )
    if commission is None or invitation.status not in (
        InvitationStatus.DECLINED,
        InvitationStatus.LEFT,
    ):
        return None
    delivery = commission.delivery
    started = delivery.sessions.filter(date__lt=timezone.localdate()).exists()
    stood_down = False
    if invitation.status == InvitationStatus.DECLINED or not started:
        actor = commission.created_by
        reason = (
            "They said no to co-delivering this course."
            if invitation.status == InvitationStatus.DECLINED
            else "They left before the course started."
        )
        if (
            actor is not None
            and user_can(
                user=actor,
                capability=Capability.MANAGE_LEARNING,
                organisation_id=delivery.organisation_id,
            )
            and user_can(
                user=actor,
                capability=Capability.MANAGE_PAYMENTS,
                organisation_id=delivery.organisation_id,
            )
        ):
            commission_cancel(actor=actor, commission=commission, reason=reason)
            stood_down = True
    from .tasks import commission_answer_email_send

    ids = (commission.pk, stood_down)
    transaction.on_commit(
        lambda: commission_answer_email_send.enqueue(commission_id=ids[0], stood_down=ids[1])
    )
    return commission


@transaction.atomic
def commission_support_update(
    *,
    actor: User,
    support: CommissionSupport,
    plan: str,
    support_person: User | None,
    planned_on: datetime.date | None,
    done_on: datetime.date | None,
) -> CommissionSupport:
    delivery = support.commission.delivery
    _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)
    errors = {}
    if not _staff_of_delivery(support_person, delivery):
        errors["support_person"] = "Choose a member of staff of your organisation or the site."
    today = timezone.localdate()
    if done_on and done_on > today:
        errors["done_on"] = "The done date can't be in the future."
    if errors:
        raise ValidationError(errors)
    support.plan = _text(plan, 500)
    support.support_person = support_person
    support.planned_on = planned_on
    support.done_on = done_on
    support.save()
    return support


# ---------------------------------------------------------------------------------------------
# Bookings and the waiting list


def _check_booking_actor(actor: User | None, delivery: Delivery) -> None:
    if actor is not None:
        _check(actor, Capability.MANAGE_LEARNING, delivery.organisation_id)


@transaction.atomic
def booking_create(
    *,
    delivery: Delivery,
    name: str,
    email: str,
    job_role: str = "",
    team: str = "",
    actor: User | None = None,
    source: str = BookingSource.LINK,
    domain: str = "localhost",
    use_https: bool = False,
    tell_learner: bool = True,
) -> Booking:
    """Book a learner on a delivery, or put them on its waiting list when it is full. Staff
    book with `actor`; learners book themselves through the booking link (no actor). The
    delivery row is locked, so two people asking for the last place get one place and one
    waiting-list spot. `tell_learner=False` (records typed in after the event, the demo)
    sends no email."""
    from django.core.validators import validate_email

    _check_booking_actor(actor, delivery)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    errors = {}
    name, email = _text(name, 200), _text(email, 254).lower()
    if not name:
        errors["name"] = "Enter the learner's full name." if actor else "Enter your full name."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an email address like name@example.org."
    if errors:
        raise ValidationError(errors)
    if delivery.is_cancelled:
        raise ValidationError("This delivery was cancelled, so nobody can book on it.")
    if actor is None and not delivery.booking_open:
        raise ValidationError("Booking for this course has closed.")
    last = delivery.sessions.order_by("-date").first()
    if last is not None and last.date < timezone.localdate():
        raise ValidationError("This course has finished, so nobody can book on it.")
    if actor is None and delivery.sessions.filter(date__lt=timezone.localdate()).exists():
        # People already waiting come first; staff can still add someone who joins late.
        raise ValidationError("This course has already started, so it can't be booked online.")
    if (
        delivery.bookings.exclude(status=BookingStatus.CANCELLED)
        .filter(learner__email=email)
        .exists()
    ):
        raise ValidationError(
            {
                # To the public, a soft answer: it must not confirm who else has booked.
                "email": (
                    "Someone with this email address is already booked or waiting for this course."
                    if actor is not None
                    else "This email address can't be booked on this course again. If you "
                    "booked before, the email we sent you has a link to your booking."
                )
            }
        )
    taken = delivery.bookings.filter(status__in=HOLDS_A_PLACE).count()
    status = BookingStatus.BOOKED if taken < delivery.capacity else BookingStatus.WAITING
    learner = Learner.objects.create(
        organisation_id=delivery.organisation_id,
        created_by=actor,
        name=name,
        email=email,
        job_role=_text(job_role, 200),
        team=_text(team, 200),
    )
    booking = Booking.objects.create(
        delivery=delivery, learner=learner, status=status, source=source
    )
    if not tell_learner:
        return booking
    from .tasks import booking_email_send

    kind = "confirmed" if status == BookingStatus.BOOKED else "waiting"
    transaction.on_commit(
        lambda: booking_email_send.enqueue(
            booking_id=booking.pk, kind=kind, domain=domain, use_https=use_https
        )
    )
    return booking


def _offer_free_places(
    delivery: Delivery, *, domain: str | None = None, use_https: bool = False
) -> list[int]:
    """Offer every free place to the people waiting longest (the delivery row must be locked).
    Without a domain (scheduled work, a change of capacity) the emails link to the site's
    address (POWERSHARE_SITE_URL)."""
    if delivery.is_cancelled:
        return []
    if delivery.sessions.filter(date__lt=timezone.localdate()).exists():
        return []  # the course has started: a place can't be offered part way through
    if domain is None:
        from powershare.accounts.security import email_link_base

        domain, use_https = email_link_base(None)
    taken = delivery.bookings.filter(status__in=HOLDS_A_PLACE).count()
    free = delivery.capacity - taken
    if free <= 0:
        return []
    hours = selectors.learning_settings_for(organisation_id=delivery.organisation_id).offer_hours
    now = timezone.now()
    waiting = list(
        delivery.bookings.filter(status=BookingStatus.WAITING).order_by("booked_at", "pk")[:free]
    )
    ids = [b.pk for b in waiting]
    Booking.objects.filter(pk__in=ids).update(
        status=BookingStatus.OFFERED,
        offered_at=now,
        offer_expires_at=now + datetime.timedelta(hours=hours),
    )
    if ids:
        from .tasks import booking_email_send

        for pk in ids:
            transaction.on_commit(
                lambda pk=pk: booking_email_send.enqueue(
                    booking_id=pk, kind="offered", domain=domain, use_https=use_https
                )
            )
    return ids


@transaction.atomic
def booking_cancel(
    *,
    booking: Booking,
    actor: User | None = None,
    domain: str = "localhost",
    use_https: bool = False,
) -> Booking:
    """Cancel a booking (staff, or the learner through their own link). A freed place is
    offered to the first person waiting."""
    _check_booking_actor(actor, booking.delivery)
    delivery = Delivery.objects.select_for_update().get(pk=booking.delivery_id)
    booking = Booking.objects.get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if actor is None and not delivery.sessions.filter(date__gte=timezone.localdate()).exists():
        raise ValidationError("This course has finished, so there is nothing to cancel.")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    _offer_free_places(delivery, domain=domain, use_https=use_https)
    return booking


@transaction.atomic
def booking_offer_answer(
    *, booking: Booking, accept: bool, domain: str = "localhost", use_https: bool = False
) -> Booking:
    """The learner takes or turns down the place offered to them."""
    delivery = Delivery.objects.select_for_update().get(pk=booking.delivery_id)
    booking = Booking.objects.get(pk=booking.pk)
    if booking.status != BookingStatus.OFFERED:
        raise ValidationError("There is no place waiting for you to take on this booking.")
    if booking.offer_expires_at and booking.offer_expires_at < timezone.now():
        raise ValidationError("Sorry: the time to take this place has passed.")
    from .tasks import booking_email_send

    if accept:
        booking.status = BookingStatus.BOOKED
        booking.save(update_fields=["status"])
        transaction.on_commit(
            lambda: booking_email_send.enqueue(
                booking_id=booking.pk, kind="confirmed", domain=domain, use_https=use_https
            )
        )
    else:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        _offer_free_places(delivery, domain=domain, use_https=use_https)
    return booking


def offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Offers not taken in time lapse (the booking is cancelled) and the place goes to the
    next person waiting. Returns how many lapsed."""
    now = now or timezone.now()
    lapsed = 0
    delivery_ids = set(
        Booking.objects.filter(status=BookingStatus.OFFERED, offer_expires_at__lt=now).values_list(
            "delivery_id", flat=True
        )
    )
    for delivery_id in delivery_ids:
        with transaction.atomic():
            delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
            lapsed += delivery.bookings.filter(
                status=BookingStatus.OFFERED, offer_expires_at__lt=now
            ).update(status=BookingStatus.CANCELLED, cancelled_at=now)
            _offer_free_places(delivery)
    return lapsed


# ---------------------------------------------------------------------------------------------
# Attendance


def _check_register(actor: User, session: DeliverySession) -> None:
    delivery = session.delivery
    if not (
        user_can(
            user=actor,
            capability=Capability.RECORD_ATTENDANCE,
            organisation_id=delivery.organisation_id,
        )
        or user_can(
            user=actor, capability=Capability.RECORD_ATTENDANCE, organisation_id=delivery.site_id
        )
    ):
        raise PermissionDenied("You can't take the register for this session.")


@transaction.atomic
def attendance_record(
    *, actor: User, session: DeliverySession, booking: Booking, attended: bool
) -> Attendance:
    """Mark one booked learner as there or not there at one session."""
    _check_register(actor, session)
    if booking.delivery_id != session.delivery_id or booking.status != BookingStatus.BOOKED:
        raise ValidationError("Only people booked on this course can be marked.")
    row, _ = Attendance.objects.update_or_create(
        session=session,
        booking=booking,
        defaults={"attended": bool(attended), "recorded_by": actor},
    )
    signals.attendance_changed.send(sender=Attendance, session=session)
    return row


@transaction.atomic
def attendance_record_many(*, actor: User, session: DeliverySession, attended_booking_ids) -> int:
    """Take the whole register at once: everyone booked is marked there if their booking is in
    `attended_booking_ids`, and not there otherwise. Returns how many were there."""
    _check_register(actor, session)
    wanted = {int(i) for i in attended_booking_ids}
    bookings = list(session.delivery.bookings.filter(status=BookingStatus.BOOKED))
    unknown = wanted - {b.pk for b in bookings}
    if unknown:
        raise ValidationError("Only people booked on this course can be marked.")
    existing = {a.booking_id: a for a in session.attendance.filter(booking__in=bookings)}
    create, update = [], []
    for booking in bookings:
        there = booking.pk in wanted
        row = existing.get(booking.pk)
        if row is None:
            create.append(
                Attendance(session=session, booking=booking, attended=there, recorded_by=actor)
            )
        elif row.attended != there:
            row.attended, row.recorded_by = there, actor
            update.append(row)
    Attendance.objects.bulk_create(create)
    Attendance.objects.bulk_update(update, ["attended", "recorded_by"])
    signals.attendance_changed.send(sender=Attendance, session=session)
    return len(wanted)


# ---------------------------------------------------------------------------------------------
# Settings, reminders and retention


@transaction.atomic
def learning_settings_update(
    *, actor: User, organisation_id: int, learner_retention_days: int, offer_hours: int
) -> LearningSettings:
    _check(actor, Capability.MANAGE_LEARNING, organisation_id)
    errors = {}
    if not 30 <= (learner_retention_days or 0) <= 3650:
        errors["learner_retention_days"] = "Enter a number of days from 30 to 3650 (ten years)."
    if not 1 <= (offer_hours or 0) <= 336:
        errors["offer_hours"] = "Enter a number of hours from 1 to 336 (two weeks)."
    if errors:
        raise ValidationError(errors)
    settings_row, _ = LearningSettings.objects.get_or_create(organisation_id=organisation_id)
    settings_row.learner_retention_days = learner_retention_days
    settings_row.offer_hours = offer_hours
    settings_row.save()
    return settings_row


REMINDER_DAYS = 2


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Email everyone booked on a session two days away, once per booking and session."""
    from .tasks import session_reminder_email_send

    today = today or timezone.localdate()
    pairs = selectors.reminders_due(on=today + datetime.timedelta(days=REMINDER_DAYS))
    sent = 0
    for session_id, booking_id in pairs:
        with transaction.atomic():
            from .models import SessionReminder

            _, created = SessionReminder.objects.get_or_create(
                session_id=session_id, booking_id=booking_id
            )
        if created:
            session_reminder_email_send.enqueue(session_id=session_id, booking_id=booking_id)
            sent += 1
    return sent


@transaction.atomic
def learners_purge(*, today: datetime.date | None = None) -> int:
    """Delete learners whose course ended longer ago than their organisation's retention
    period. Bookings and attendance stay, without names: the totals stay right."""
    today = today or timezone.localdate()
    deliveries = selectors.deliveries_past_retention(today=today)
    ids = list(deliveries.values_list("pk", flat=True))
    learners = Learner.objects.filter(bookings__delivery_id__in=ids).distinct()
    count = learners.count()
    Learner.objects.filter(pk__in=learners.values("pk")).delete()
    Delivery.objects.filter(pk__in=ids).update(learners_purged_at=timezone.now())
    return count


@transaction.atomic
def learner_erase(*, actor: User, learner: Learner) -> None:
    """Delete a learner's details on request (their attendance stays as counts). A booking of
    theirs still holding a place or waiting is cancelled first: nobody nameless keeps a place,
    and a freed place goes to the first person waiting."""
    _check(actor, Capability.MANAGE_LEARNING, learner.organisation_id)
    now = timezone.now()
    delivery_ids = set(
        learner.bookings.exclude(status=BookingStatus.CANCELLED).values_list(
            "delivery_id", flat=True
        )
    )
    for delivery_id in sorted(delivery_ids):
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        delivery.bookings.filter(learner=learner).exclude(status=BookingStatus.CANCELLED).update(
            status=BookingStatus.CANCELLED, cancelled_at=now
        )
        _offer_free_places(delivery)
    learner.delete()


@transaction.atomic
def learner_erase_everywhere(*, actor: User, email: str) -> int:
    """Delete every learner record under an email address in the organisations where the actor
    manages learning (a learner asking to be forgotten). Attendance stays as counts. Returns
    how many records were deleted."""
    learners = {
        booking.learner
        for booking in selectors.learner_bookings_for(user=actor, email=email)
        if booking.learner is not None
    }
    for learner in sorted(learners, key=lambda found: found.pk):
        learner_erase(actor=actor, learner=learner)
    return len(learners)
