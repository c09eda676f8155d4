"""Learning: products co-designed with experts by experience, delivered at sites by mixed teams.

* A **learning product** (a course) has aims, an audience, prerequisite learning, a session plan
  and a status. Its content lives in **versions**: each version has its ordered intended
  learning outcomes and its materials. A new version copies the last one; a delivery records
  the version it teaches, so changing a product never rewrites what was taught before.
* Its **co-design record** names the activities and contributions that shaped it. The words
  shown always go through engagement.selectors.contributions_usable_for (the one consent rule).
* **Materials** (slides, handouts, video, audio) list the contributions they quote. When one
  of those is withdrawn, has words removed, or its use is narrowed, the material is flagged
  "needs updating" and the product's owner is told (engagement.signals.contribution_words_changed).
* A **delivery** is a product taught to a cohort at a site (an organisation), in sessions,
  by a **facilitator team** (staff and experts by experience from the register, each with the
  experience they bring). A team without lived experience needs a recorded reason.
* **Trainers** are people on the register who agreed to train. **Commissioning** one for a
  delivery creates their invitation (engagement) and the payment owed (payments), and plans
  support before, during and after, each with a done date.
* **Learners** hold only a name, email, job role and team. They book (or join the waiting
  list); a cancelled place is offered to the first person waiting. Learners are deleted after
  the organisation's retention period; their **attendance** rows stay, so totals stay right.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from powershare.lib.models import OrganisationOwnedModel, TimestampedModel


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class LearningProduct(OrganisationOwnedModel):
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    aims = models.TextField()
    audience = models.CharField(max_length=300, help_text="Who it is for.")
    prerequisite_learning = models.CharField(
        max_length=300,
        blank=True,
        help_text="Learning people should have done first, for example an earlier level.",
    )
    sessions_planned = models.PositiveSmallIntegerField(default=1)
    session_minutes = models.PositiveSmallIntegerField(default=180)
    #: Weeks between sessions, as a range ("two to four weeks apart"); blank for one session.
    interval_min_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    interval_max_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    #: Told when a material needs updating. Defaults to whoever created the product.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The co-design record: activities and contributions that shaped the product.
    shaped_by_activities = models.ManyToManyField(
        "engagement.Activity", blank=True, related_name="learning_products"
    )
    shaped_by_contributions = models.ManyToManyField(
        "engagement.Contribution", blank=True, related_name="learning_products"
    )

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="product_slug_unique")
        ]

    def __str__(self):
        return self.title

    @property
    def session_plan(self) -> str:
        hours, minutes = divmod(self.session_minutes, 60)
        length = f"{hours}-hour" if not minutes else f"{self.session_minutes}-minute"
        count = self.sessions_planned
        words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
        number = words.get(count, str(count))
        plan = f"{number.capitalize()} {length} session{'s' if count != 1 else ''}"
        low, high = self.interval_min_weeks, self.interval_max_weeks
        if count > 1 and low:
            if high and high != low:
                plan += f", {words.get(low, low)} to {words.get(high, high)} weeks apart"
            else:
                plan += f", {words.get(low, low)} week{'s' if low != 1 else ''} apart"
        return plan


class ProductVersion(TimestampedModel):
    product = models.ForeignKey(LearningProduct, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    changes = models.TextField(blank=True, help_text="What changed from the version before.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="version_number_unique")
        ]

    def __str__(self):
        return f"{self.product} (version {self.number})"

    def get_additional_data(self):
        return {"organisation_id": self.product.organisation_id}


class LearningOutcome(models.Model):
    """An intended learning outcome, in order, within one version."""

    version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="outcome_position_unique")
        ]

    def __str__(self):
        return f"{self.position}. {self.text}"


class MaterialKind(models.TextChoices):
    SLIDES = "slides", "Slides"
    HANDOUT = "handout", "Handout"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    OTHER = "other", "Other"


def _material_path(instance, filename):
    # Never the uploaded name: a random key, under a folder no web server serves.
    return f"learning/{instance.key}"


class Material(models.Model):
    version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=MaterialKind.choices)
    key = models.CharField(max_length=40, unique=True, editable=False, default=new_token)
    file = models.FileField(upload_to=_material_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    #: How widely the quoted words are used (engagement.UseLevel): anonymised in training by
    #: default, or with people's chosen credit.
    use_level = models.PositiveSmallIntegerField(default=2)
    quotes = models.ManyToManyField(
        "engagement.Contribution", through="MaterialQuote", related_name="materials"
    )
    needs_updating_since = models.DateTimeField(null=True, blank=True, db_index=True)
    needs_updating_reason = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["version", "title", "pk"]

    def __str__(self):
        return self.title

    @property
    def needs_updating(self) -> bool:
        return self.needs_updating_since is not None

    def get_additional_data(self):
        return {"organisation_id": self.version.product.organisation_id}


class MaterialQuote(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="quote_links")
    contribution = models.ForeignKey(
        "engagement.Contribution", on_delete=models.CASCADE, related_name="material_links"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["material", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["material", "contribution"], name="quote_once")
        ]

    def __str__(self):
        return f"Quote {self.contribution_id} in {self.material}"

    def get_additional_data(self):
        return {"organisation_id": self.material.version.product.organisation_id}


class LearningSettings(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="learning_settings"
    )
    #: Learners' names and emails are deleted this many days after their delivery's last
    #: session; their attendance stays as counts.
    learner_retention_days = models.PositiveSmallIntegerField(default=365)
    #: How long someone offered a freed place has to take it before it goes to the next person.
    offer_hours = models.PositiveSmallIntegerField(default=48)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Learning settings for {self.organisation}"

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class Delivery(OrganisationOwnedModel):
    """A product taught to one cohort at one site. The owning organisation is the product's."""

    product = models.ForeignKey(
        LearningProduct, on_delete=models.PROTECT, related_name="deliveries"
    )
    version = models.ForeignKey(ProductVersion, on_delete=models.PROTECT, related_name="deliveries")
    site = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="learning_deliveries"
    )
    cohort = models.CharField(max_length=200, help_text="For example: spring 2025 cohort.")
    capacity = models.PositiveSmallIntegerField()
    booking_token = models.CharField(max_length=40, unique=True, default=new_token)
    booking_open = models.BooleanField(default=True)
    #: The engagement activity that carries commissioned trainers' invitations (made when the
    #: first trainer is commissioned).
    activity = models.OneToOneField(
        "engagement.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning_delivery",
    )
    #: Nothing about us without us: a team without lived experience needs a recorded reason.
    no_lived_experience_reason = models.TextField(blank=True)
    no_lived_experience_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    no_lived_experience_acknowledged_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    learners_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product", "site__name", "pk"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.product} at {self.site} ({self.cohort})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"


class DeliverySession(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    date = models.DateField(db_index=True)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    mode = models.CharField(max_length=10, choices=SessionMode.choices)
    venue = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(max_length=500, blank=True)
    register_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="session_number_unique")
        ]

    def __str__(self):
        return f"Session {self.number} of {self.delivery}"

    def get_additional_data(self):
        return {"organisation_id": self.delivery.organisation_id}


class Experience(models.TextChoices):
    LIVED = "lived", "Lived experience"
    PROFESSIONAL = "professional", "Professional experience"
    LEADERSHIP = "leadership", "Leadership experience"


class Facilitator(models.Model):
    """One member of a delivery's team: a member of staff or a person on the register."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="facilitators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="facilitating",
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="facilitating",
    )
    lived = models.BooleanField(default=False)
    professional = models.BooleanField(default=False)
    leadership = models.BooleanField(default=False)
    is_lead = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery", "-is_lead", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, person__isnull=True))
                | (Q(user__isnull=True, person__isnull=False)),
                name="facilitator_is_staff_or_person",
            ),
            models.UniqueConstraint(
                fields=["delivery", "user"],
                name="facilitator_user_once",
                condition=Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["delivery", "person"],
                name="facilitator_person_once",
                condition=Q(person__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.name} on {self.delivery}"

    @property
    def name(self) -> str:
        return self.user.full_name if self.user_id else self.person.name

    @property
    def experiences(self) -> list[str]:
        return [label for value, label in Experience.choices if getattr(self, value)]

    def get_additional_data(self):
        return {"organisation_id": self.delivery.organisation_id}


class Trainer(OrganisationOwnedModel):
    """Someone on the register who has agreed to train: the pool to commission from."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="trainer_places"
    )
    agreed_on = models.DateField(default=timezone.localdate)
    topics = models.TextField(blank=True, help_text="What they like to train on.")
    left_pool_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="trainer_once")
        ]

    def __str__(self):
        return f"Trainer: {self.person}"

    @property
    def in_pool(self) -> bool:
        return self.left_pool_on is None


class Commission(TimestampedModel):
    """A trainer commissioned to co-deliver a delivery: their invitation and payment owed."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="commissions")
    #: Emptied if the trainer's record is erased (the hours and payment stay for the accounts).
    trainer = models.ForeignKey(
        Trainer, on_delete=models.SET_NULL, null=True, blank=True, related_name="commissions"
    )
    facilitator = models.OneToOneField(
        Facilitator, on_delete=models.SET_NULL, null=True, blank=True, related_name="commission"
    )
    invitation = models.ForeignKey(
        "engagement.Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Whether commissioning put them on the team (so standing it down takes them off), and
    #: whether they were already there with lived experience (so it doesn't take that away).
    joined_team = models.BooleanField(default=True)
    lived_before = models.BooleanField(default=False)
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    preparation_hours = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "trainer"],
                name="commission_once",
                condition=Q(cancelled_at__isnull=True),
            )
        ]

    def __str__(self):
        who = self.trainer.person if self.trainer_id else "An erased trainer"
        return f"{who} for {self.delivery}"

    def get_additional_data(self):
        return {"organisation_id": self.delivery.organisation_id}


class SupportStage(models.TextChoices):
    BEFORE = "before", "Before: a preparation session"
    DURING = "during", "On the day: a named support person"
    AFTER = "after", "After: a debrief"


class CommissionSupport(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="support")
    stage = models.CharField(max_length=10, choices=SupportStage.choices)
    plan = models.CharField(max_length=500, blank=True)
    support_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    planned_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["commission", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "stage"], name="support_stage_once")
        ]

    def __str__(self):
        return f"{self.get_stage_display()} for {self.commission}"

    def get_additional_data(self):
        return {"organisation_id": self.commission.delivery.organisation_id}


class Learner(OrganisationOwnedModel):
    """Someone booked on a delivery: only what is needed to run the course."""

    name = models.CharField(max_length=200)
    email = models.EmailField()
    job_role = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    OFFERED = "offered", "Offered a place"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


#: Statuses that hold one of the delivery's places.
HOLDS_A_PLACE = (BookingStatus.BOOKED, BookingStatus.OFFERED)


class BookingSource(models.TextChoices):
    STAFF = "staff", "Booked by staff"
    LINK = "link", "Booked through the booking link"
    API = "api", "Booked through the API"


class Booking(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="bookings")
    #: Emptied when the learner is deleted after the retention period.
    learner = models.ForeignKey(
        Learner, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    status = models.CharField(max_length=10, choices=BookingStatus.choices)
    source = models.CharField(max_length=10, choices=BookingSource.choices)
    #: For the learner's own link (see or cancel their booking, take an offered place).
    token = models.CharField(max_length=40, unique=True, default=new_token)
    booked_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "booked_at", "pk"]
        indexes = [models.Index(fields=["delivery", "status", "booked_at"])]

    def __str__(self):
        return f"Booking {self.pk} on {self.delivery}"

    def get_additional_data(self):
        return {"organisation_id": self.delivery.organisation_id}


class Attendance(models.Model):
    """Whether one booking's learner came to one session. Kept after the learner is deleted,
    so the totals stay as counts."""

    session = models.ForeignKey(
        DeliverySession, on_delete=models.CASCADE, related_name="attendance"
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance"
    )
    attended = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "booking"],
                name="attendance_once",
                condition=Q(booking__isnull=False),
            )
        ]
        indexes = [models.Index(fields=["session", "attended"])]

    def __str__(self):
        return f"Attendance at {self.session}"

    def get_additional_data(self):
        return {"organisation_id": self.session.delivery.organisation_id}


class SessionReminder(models.Model):
    """One reminder sent for one booking and session, so it is never sent twice."""

    session = models.ForeignKey(DeliverySession, on_delete=models.CASCADE, related_name="reminders")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "booking"], name="reminder_once")]

    def __str__(self):
        return f"Reminder for {self.booking} about {self.session}"
