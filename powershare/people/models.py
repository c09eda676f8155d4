"""People with lived experience (experts by experience), what they need, and what they agreed to.

A Person belongs to one organisation. What the person has agreed to is never a field on the
person: it is the latest ConsentRecord for each purpose, so the history of every change of mind
is kept and "may we?" is answered in one place (selectors.may_we).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from powershare.lib.dates import years_before
from powershare.lib.models import OrganisationOwnedModel


class LivedExperienceArea(OrganisationOwnedModel):
    """A tag for an area of lived experience (care experience, justice, homelessness…).
    Each organisation keeps its own list."""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="one_lived_experience_area_per_name"
            )
        ]

    def __str__(self):
        return self.name


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", "Under 13"
    AGED_13_TO_15 = "13_15", "13 to 15"
    AGED_16_TO_17 = "16_17", "16 or 17"
    AGED_18_TO_25 = "18_25", "18 to 25"
    AGED_26_TO_64 = "26_64", "26 to 64"
    AGED_65_AND_OVER = "65_plus", "65 or over"


#: The youngest age in each band, for people whose exact date of birth we do not keep.
AGE_BAND_YOUNGEST = {
    AgeBand.UNDER_13: 0,
    AgeBand.AGED_13_TO_15: 13,
    AgeBand.AGED_16_TO_17: 16,
    AgeBand.AGED_18_TO_25: 18,
    AgeBand.AGED_26_TO_64: 26,
    AgeBand.AGED_65_AND_OVER: 65,
}


#: Bands whose oldest age is under 16: without a date of birth, they decide "under 16".
AGE_BANDS_UNDER_16 = [
    band
    for band, youngest in AGE_BAND_YOUNGEST.items()
    if min([y for y in AGE_BAND_YOUNGEST.values() if y > youngest], default=200) <= 16
]


def under_16_on(day: datetime.date) -> Q:
    """People under 16 on a day, as a query: the same rule as Person.is_under(16)."""
    return Q(date_of_birth__gt=years_before(day, 16)) | Q(
        date_of_birth__isnull=True, age_band__in=AGE_BANDS_UNDER_16
    )


def resting_on(day: datetime.date) -> Q:
    """People resting on a day, as a query: the same rule as Person.is_resting_on."""
    return Q(status=PersonStatus.RESTING) & (
        Q(resting_until__isnull=True) | Q(resting_until__gte=day)
    )


def age_band_for(age: int) -> str:
    band = AgeBand.UNDER_13
    for value, youngest in AGE_BAND_YOUNGEST.items():
        if age >= youngest:
            band = value
    return band


class CreditPreference(models.TextChoices):
    FULL_NAME = "full_name", "My full name"
    FIRST_NAME = "first_name", "My first name only"
    ANONYMOUS = "anonymous", "Don't name me"


class ContactChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Letter"
    SUPPORT_CONTACT = "support_contact", "Through my support contact"


class WellbeingCheckIn(models.TextChoices):
    NONE = "none", "No check-in, thank you"
    BEFORE = "before", "Before I take part"
    AFTER = "after", "After I take part"
    BEFORE_AND_AFTER = "before_and_after", "Before and after"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESTING = "resting", "Resting"
    LEFT = "left", "Left"


class PersonQuerySet(models.QuerySet):
    def not_erased(self):
        return self.filter(erased_at__isnull=True)

    def resting_on(self, day: datetime.date):
        return self.filter(resting_on(day))


class Person(OrganisationOwnedModel):
    """An expert by experience on an organisation's register."""

    # Identity: private, seen by the people who run the register and by the person.
    full_name = models.CharField(max_length=200)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)

    credit_as = models.CharField(
        max_length=20, choices=CreditPreference.choices, default=CreditPreference.FIRST_NAME
    )

    # Communication preferences.
    contact_channel = models.CharField(
        max_length=20, choices=ContactChannel.choices, default=ContactChannel.EMAIL
    )
    contact_times = models.CharField(max_length=200, blank=True)
    check_with_support_contact = models.BooleanField(
        default=False,
        help_text="No contact without checking with the person's support contact first.",
    )

    # Needs and support.
    access_needs = models.TextField(blank=True)
    support_needs = models.TextField(blank=True)
    support_contact_name = models.CharField(max_length=200, blank=True)
    support_contact_role = models.CharField(max_length=200, blank=True)
    support_contact_phone = models.CharField(max_length=40, blank=True)
    support_contact_email = models.EmailField(blank=True)
    staff_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people_supported",
        help_text="The member of staff the person can contact about their involvement.",
    )

    areas = models.ManyToManyField(LivedExperienceArea, blank=True, related_name="people")
    receives_benefits = models.BooleanField(
        default=False, help_text="Receives benefits that involvement payments might affect."
    )

    status = models.CharField(
        max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    resting_until = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    # Safe-involvement profile.
    topics_to_avoid = models.TextField(blank=True)
    rest_days_between_involvements = models.PositiveSmallIntegerField(null=True, blank=True)
    wellbeing_check_in = models.CharField(
        max_length=20, choices=WellbeingCheckIn.choices, default=WellbeingCheckIn.NONE
    )

    # Their own login to the portal (one login may also hold staff memberships).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person_record",
    )
    portal_invited_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    #: Fields that say who the person is; erasure replaces them.
    identity_fields = (
        "full_name",
        "preferred_name",
        "pronouns",
        "email",
        "phone",
        "postal_address",
        "date_of_birth",
        "support_contact_name",
        "support_contact_role",
        "support_contact_phone",
        "support_contact_email",
    )
    #: Free text the person wrote or told us; erasure removes it.
    free_text_fields = ("contact_times", "access_needs", "support_needs", "topics_to_avoid")
    personal_data_fields = identity_fields + free_text_fields + ("receives_benefits",)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = "person"
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["organisation", "full_name"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "email"]),
        ]

    def __str__(self):
        # Never the name: this text is copied into the change log, which outlives erasure.
        return f"Person {self.reference}"

    @property
    def reference(self) -> str:
        return f"P{self.pk:05d}" if self.pk else "P(new)"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def name(self) -> str:
        """What to call the person: the name they chose, or their full name."""
        return self.preferred_name or self.full_name

    @property
    def first_name(self) -> str:
        return self.preferred_name or (self.full_name.split(" ")[0] if self.full_name else "")

    @property
    def credit_name(self) -> str:
        """How the person wants to be credited in anything we publish or show to others."""
        if self.credit_as == CreditPreference.FULL_NAME:
            return self.full_name
        if self.credit_as == CreditPreference.FIRST_NAME:
            return self.first_name
        return "Anonymous contributor"

    def age_on(self, day: datetime.date) -> int | None:
        if self.date_of_birth is None:
            return None
        birthday_passed = (day.month, day.day) >= (
            self.date_of_birth.month,
            self.date_of_birth.day,
        )
        return day.year - self.date_of_birth.year - (0 if birthday_passed else 1)

    def current_age_band(self, day: datetime.date | None = None) -> str:
        age = self.age_on(day or timezone.localdate())
        return age_band_for(age) if age is not None else self.age_band

    def is_under(self, years: int, day: datetime.date | None = None) -> bool | None:
        """True or False where the date of birth or age band tells; None when we don't know."""
        age = self.age_on(day or timezone.localdate())
        if age is not None:
            return age < years
        if not self.age_band:
            return None
        youngest = AGE_BAND_YOUNGEST[self.age_band]
        oldest = min(
            [y for y in AGE_BAND_YOUNGEST.values() if y > youngest], default=200
        )  # first age of the next band
        if oldest <= years:
            return True
        if youngest >= years:
            return False
        return None

    @property
    def needs_guardian_consent(self) -> bool:
        """Under 16: a guardian's consent is needed as well as the young person's own."""
        return bool(self.is_under(16))

    @property
    def may_have_login(self) -> bool:
        """Children under 13 never get a login; nor does anyone whose age we don't know to be
        13 or over and who has no date of birth or age band (we ask first)."""
        return self.is_under(13) is False

    @property
    def rest_is_over(self) -> bool:
        """Marked as resting, but the day they said they would be back has passed: they count
        as available again (see selectors.may_we)."""
        return (
            self.status == PersonStatus.RESTING
            and self.resting_until is not None
            and self.resting_until < timezone.localdate()
        )

    def is_resting_on(self, day: datetime.date) -> bool:
        return self.status == PersonStatus.RESTING and (
            self.resting_until is None or self.resting_until >= day
        )


class ConsentPurpose(models.TextChoices):
    CONTACT = "contact", "Be contacted"
    TAKE_PART = "take_part", "Take part in activities"
    KEEP_INFORMATION = "keep_information", "Keep information about my lived experience and needs"
    QUOTE_INTERNAL = "quote_internal", "Quote me inside the organisation"
    QUOTE_ANONYMOUS = "quote_anonymous", "Quote me anonymously in reports and training"
    QUOTE_NAMED = "quote_named", "Quote me with my name"
    PUBLISH_PUBLIC = "publish_public", "Publish what I said on the public “you said, we did” page"
    PHOTOS_VIDEO = "photos_video", "Photographs and video of me"


class ConsentDecision(models.TextChoices):
    GIVEN = "given", "Agreed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentMethod(models.TextChoices):
    ONLINE = "online", "Online, by the person"
    WRITTEN = "written", "Written form"
    VERBAL = "verbal", "Said out loud, recorded by a member of staff"


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", "The person"
    GUARDIAN = "guardian", "Parent or guardian"


class ConsentRecord(models.Model):
    """One decision about one purpose: agreed or withdrawn, by whom, how and when, against the
    exact version of the statement the person saw. Records are never changed, only added to."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_records")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    statement = models.ForeignKey(
        "privacy.ConsentStatement", on_delete=models.PROTECT, related_name="records"
    )
    decision = models.CharField(max_length=10, choices=ConsentDecision.choices)
    given_by = models.CharField(
        max_length=10, choices=ConsentGivenBy.choices, default=ConsentGivenBy.PERSON
    )
    guardian_name = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=300, blank=True)

    personal_data_fields = ("guardian_name", "note")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["person", "purpose", "given_by", "-recorded_at"])]

    def __str__(self):
        return (
            f"{self.get_purpose_display()}: {self.get_decision_display().lower()} "
            f"({self.get_given_by_display().lower()}, {self.person})"
        )

    @property
    def is_given(self) -> bool:
        return self.decision == ConsentDecision.GIVEN

    def get_additional_data(self):
        return {"organisation_id": self.person.organisation_id}
