"""Engagement: activities on the ladder of participation, invitations, and contributions.

An Activity is an opportunity an organisation offers people with lived experience (a co-design
workshop, a panel, a teaching session…). People from the register are invited; each answers
freely. What they say or make is a Contribution, used only as far as they agreed: the
contribution's own use level, which can never exceed what the person's consent allows, and
which is checked again, live, every time the contribution is shown (selectors.contributions_usable_for).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from powershare.lib.models import OrganisationOwnedModel, TimestampedModel
from powershare.people.models import ConsentPurpose


class Ladder(TimestampedModel):
    """A ladder of participation: rungs from the least say to the most. Shipped ladders have no
    organisation and every organisation can use them; an organisation can add its own."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    slug = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    for_children_and_young_people = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="one_ladder_per_slug"),
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        # Lets administrators see changes to their own ladders in the change log.
        return {"organisation_id": self.organisation_id}


class LadderRung(models.Model):
    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="rungs")
    #: 1 is the bottom rung (least say).
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    #: The rung said to the person themselves, for "how much say did you feel you had?".
    plain_words = models.CharField(max_length=200)

    class Meta:
        ordering = ["ladder", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "position"], name="one_rung_per_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    def get_additional_data(self):
        return {"organisation_id": self.ladder.organisation_id}


class EngagementSettings(models.Model):
    """An organisation's own defaults for activities."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="engagement_settings"
    )
    feedback_due_days = models.PositiveSmallIntegerField(
        default=28,
        help_text="How many days after an activity ends people will hear what came of it.",
    )
    default_ladder = models.ForeignKey(
        Ladder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Engagement settings for organisation {self.organisation_id}"

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class ActivityKind(models.TextChoices):
    CO_DESIGN_WORKSHOP = "co_design_workshop", "Co-design workshop"
    FOCUS_GROUP = "focus_group", "Focus group"
    PANEL = "panel", "Panel"
    LIVED_EXPERIENCE_FORUM = "lived_experience_forum", "Lived-experience forum"
    INTERVIEW_PANEL = "interview_panel", "Interview or selection panel"
    TRAINING_CO_DELIVERY = "training_co_delivery", "Training co-delivery"
    TEACHING_SESSION = "teaching_session", "Teaching session"
    REFERENCE_GROUP = "reference_group", "Reference group"
    WALKTHROUGH = "walkthrough", "Walkthrough"


class ActivitySetting(models.TextChoices):
    COMMUNITY = "community", "Community venue"
    SCHOOL = "school", "School"
    OFFICE = "office", "Office"
    ONLINE = "online", "Online"


#: Lundy's model of participation: four checks, each yes or no with a note.
LUNDY_CHECKS = (
    ("space", "Space", "People had a safe, inclusive space to give their views."),
    ("voice", "Voice", "People were helped to express their views."),
    ("audience", "Audience", "Their views were heard by people who can act on them."),
    ("influence", "Influence", "Their views were acted on, as appropriate."),
)


class Activity(OrganisationOwnedModel):
    title = models.CharField(max_length=200)
    purpose = models.TextField(help_text="What we hope to change.")
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    partners = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="partner_activities"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    times = models.CharField(max_length=100, blank=True, help_text="For example 10am to 1pm.")
    venue = models.CharField(max_length=200, blank=True)
    setting = models.CharField(max_length=20, choices=ActivitySetting.choices)
    content_notes = models.TextField(
        blank=True, help_text="Topics that may be difficult, said before anyone agrees to come."
    )
    support_before = models.TextField(blank=True)
    support_during = models.TextField(blank=True)
    support_after = models.TextField(blank=True)
    payment_offered = models.CharField(max_length=200, blank=True)
    feedback_due_on = models.DateField(
        help_text="The date by which people who took part will hear what came of it."
    )
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="activities")
    rung = models.ForeignKey(LadderRung, on_delete=models.PROTECT, related_name="activities")
    lundy_space = models.BooleanField(null=True, blank=True)
    lundy_space_note = models.CharField(max_length=300, blank=True)
    lundy_voice = models.BooleanField(null=True, blank=True)
    lundy_voice_note = models.CharField(max_length=300, blank=True)
    lundy_audience = models.BooleanField(null=True, blank=True)
    lundy_audience_note = models.CharField(max_length=300, blank=True)
    lundy_influence = models.BooleanField(null=True, blank=True)
    lundy_influence_note = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["organisation", "-starts_on"]),
            models.Index(fields=["organisation", "feedback_due_on"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_ended(self) -> bool:
        return self.ends_on < timezone.localdate()

    def lundy(self) -> list[dict]:
        return [
            {
                "key": key,
                "label": label,
                "hint": hint,
                "answer": getattr(self, f"lundy_{key}"),
                "note": getattr(self, f"lundy_{key}_note"),
            }
            for key, label, hint in LUNDY_CHECKS
        ]


class ActivityQuestion(models.Model):
    """A question the activity asks. People should not be asked again what they have already
    told us, so invitations warn when someone was asked the same question recently."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=500)
    #: Lower case, punctuation and spacing removed: what "the same question" compares.
    normalised = models.CharField(max_length=500, db_index=True, editable=False)

    class Meta:
        ordering = ["activity", "position", "pk"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.normalised = normalise_question(self.text)
        super().save(*args, **kwargs)


def normalise_question(text: str) -> str:
    kept = "".join(ch.lower() if ch.isalnum() else " " for ch in text)
    return " ".join(kept.split())[:500]


class InvitationStatus(models.TextChoices):
    INVITED = "invited", "Waiting for an answer"
    ACCEPTED = "accepted", "Taking part"
    DECLINED = "declined", "Said no"
    LEFT = "left", "Left the activity"
    WITHDRAWN = "withdrawn", "Invitation withdrawn by staff"


class Invitation(TimestampedModel):
    """One person asked to take part in one activity, and everything about their taking part."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="invitations"
    )
    status = models.CharField(
        max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    #: The warnings shown when the invitation was sent (resting, topics to avoid, asked before).
    warnings_at_invitation = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    #: Only if the person wanted to say why; never asked for.
    decline_reason = models.TextField(blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    access_arrangements = models.TextField(blank=True)
    attended = models.BooleanField(null=True, blank=True)
    debrief_offered = models.BooleanField(default=False)
    debrief_done = models.BooleanField(default=False)
    #: Seen only by participation leads.
    wellbeing_note = models.TextField(blank=True)
    #: "How much say did you feel you had?", on the activity's ladder, from the person.
    felt_rung = models.ForeignKey(
        LadderRung, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    felt_recorded_at = models.DateTimeField(null=True, blank=True)

    personal_data_fields = ("decline_reason", "access_arrangements", "wellbeing_note")

    class Meta:
        ordering = ["activity", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_invitation_each"),
        ]
        indexes = [
            models.Index(fields=["person", "status"]),
            # Invitations still waiting for an answer, by activity (home's count, issue 12).
            models.Index(
                fields=["activity"],
                condition=models.Q(status="invited"),
                name="engagement_invitation_waiting",
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.person} to activity {self.activity_id}"

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.INVITED

    @property
    def is_taking_part(self) -> bool:
        return self.status == InvitationStatus.ACCEPTED

    def get_additional_data(self):
        return {"organisation_id": self.activity.organisation_id}


class ContributionKind(models.TextChoices):
    VIEW = "view", "View"
    IDEA = "idea", "Idea"
    CONCERN = "concern", "Concern"
    EXPERIENCE = "experience", "Experience"
    QUOTE = "quote", "Quote"


class UseLevel(models.IntegerChoices):
    """How widely a contribution may be used. Each level needs the matching consent purpose;
    a wider level never includes a narrower one the person has said no to."""

    INTERNAL = 1, "Inside the organisation only"
    ANONYMISED = 2, "Anonymised in reports and training"
    ATTRIBUTED = 3, "With the person's chosen credit"
    PUBLIC = 4, "On the public page"


#: The consent purpose behind each use level (issue 3's purposes).
USE_PURPOSE = {
    UseLevel.INTERNAL: ConsentPurpose.QUOTE_INTERNAL,
    UseLevel.ANONYMISED: ConsentPurpose.QUOTE_ANONYMOUS,
    UseLevel.ATTRIBUTED: ConsentPurpose.QUOTE_NAMED,
    UseLevel.PUBLIC: ConsentPurpose.PUBLISH_PUBLIC,
}

#: Each level's short name, for addresses, file names and the API ("?use=anonymised").
USE_NAMES = {
    UseLevel.INTERNAL: "internal",
    UseLevel.ANONYMISED: "anonymised",
    UseLevel.ATTRIBUTED: "attributed",
    UseLevel.PUBLIC: "public",
}

#: The same levels said to the person in the portal.
USE_PLAIN_WORDS = {
    UseLevel.INTERNAL: "Only staff inside the organisation can read it",
    UseLevel.ANONYMISED: "It can be used in reports and training, without your name",
    UseLevel.ATTRIBUTED: "It can be used with your name, the way you chose to be named",
    UseLevel.PUBLIC: "It can go on the public page",
}

REDACTED = "[removed at the contributor's request]"


class ContributionSource(models.TextChoices):
    STAFF = "staff", "Captured by staff"
    PORTAL = "portal", "Added by the person in their portal"
    API = "api", "Added through the API"


class Contribution(OrganisationOwnedModel):
    """What someone said or made, and how far it may be used."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="contributions")
    question = models.ForeignKey(
        ActivityQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    kind = models.CharField(max_length=12, choices=ContributionKind.choices)
    text = models.TextField()
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
    )
    #: For an anonymous group: "young people, school session 2".
    group_label = models.CharField(max_length=200, blank=True)
    #: For an anonymous group: who holds each member's consent (the partner organisation…).
    group_consent_held_by = models.CharField(max_length=200, blank=True)
    use_level = models.PositiveSmallIntegerField(choices=UseLevel.choices)
    source = models.CharField(
        max_length=10, choices=ContributionSource.choices, default=ContributionSource.STAFF
    )
    captured_on = models.DateField(default=timezone.localdate)
    withdrawn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    #: True when the person withdrew it themselves; False when staff did on their behalf.
    withdrawn_by_person = models.BooleanField(default=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Set when the text of a withdrawn contribution has been erased after the grace period.
    purged_at = models.DateTimeField(null=True, blank=True)

    personal_data_fields = ("text",)

    class Meta:
        ordering = ["-captured_on", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-captured_on"]),
            models.Index(fields=["activity", "withdrawn_at"]),
            models.Index(fields=["person", "withdrawn_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(group_label=""),
                name="contribution_has_a_contributor",
            ),
        ]

    def __str__(self):
        # Never the text or the contributor: this is copied into the change log.
        return f"Contribution C{self.pk:06d}" if self.pk else "Contribution (new)"

    @property
    def reference(self) -> str:
        return f"C{self.pk:06d}" if self.pk else "C(new)"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_from_group(self) -> bool:
        return self.person_id is None

    def credit_for(self, use: int) -> str:
        """Who to say it came from, when shown for `use`. A person is named only where the use
        names people (attributed or public), the contribution's own level allows naming, and
        the person agrees today to be quoted with their name (the `may_use_3` annotation from
        selectors.with_widest_use, or asked live): agreeing to the public page is not
        agreeing to be named on it."""
        if self.is_from_group:
            return self.group_label
        if (
            use >= UseLevel.ATTRIBUTED
            and self.use_level >= UseLevel.ATTRIBUTED
            and self.person is not None
            and self._may_be_named()
        ):
            return self.person.credit_name
        return "Anonymous contributor"

    def _may_be_named(self) -> bool:
        annotated = getattr(self, f"may_use_{UseLevel.ATTRIBUTED.value}", None)
        if annotated is not None:
            return bool(annotated)
        from powershare.people.selectors import may_we

        return may_we(person=self.person, purpose=USE_PURPOSE[UseLevel.ATTRIBUTED]).allowed


class Redaction(models.Model):
    """Part of a contribution removed at the contributor's request. The removed words are not
    kept anywhere: only how many characters, why, who asked and when."""

    class AskedBy(models.TextChoices):
        PERSON = "person", "The person, in their portal"
        STAFF_ON_BEHALF = "staff", "Staff, on the person's behalf"

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="redactions"
    )
    asked_by = models.CharField(max_length=10, choices=AskedBy.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    characters_removed = models.PositiveIntegerField()
    redacted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contribution", "redacted_at", "pk"]

    def __str__(self):
        return f"Redaction of {self.contribution}"
