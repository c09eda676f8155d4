"""Improvement: frameworks, self-assessment, action plans, walkthroughs and partnership groups.

* A **framework** (the Roadmap for trauma-informed and responsive change, by default) is
  published in **versions**. Each version has its stages, the drivers under each stage, and
  the principles. PowerShare ships a default version (no organisation) that every
  organisation uses until its administrator publishes its own: changing a framework always
  means publishing a new version, so an assessment keeps the exact version it used. A driver
  keeps its **key** from version to version while its name changes, so assessments made with
  different versions can still be compared driver by driver.
* A **self-assessment** is one organisation's rating of every driver of one framework version
  for one period, with evidence, who took part (experts by experience included) and the
  drivers chosen as **priorities**.
* An **action plan** holds actions, each under one of its priorities (or none). Every
  **action** records where it came from and links back to it: a self-assessment priority, a
  walkthrough finding, a partnership meeting, a "you said, we did" response or learners'
  stated intentions. Actions have an owner, a due date, a status and dated updates with
  evidence; owners get due and overdue reminders in accountability's daily digest.
* A **walkthrough** looks at a service through a trauma-informed lens: staff, managers and
  paid experts by experience visit one or more sites and record observations under each
  principle (a strength or something to improve); findings become actions.
* A **partnership group** (a multi-agency delivery group) has member organisations and their
  representatives, and meetings with attendance and apologies, an agenda, minutes, partner
  updates, decisions and actions. An action stays in each following meeting's **matters
  arising** until it is done.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from powershare.lib.models import OrganisationOwnedModel, TimestampedModel

# ---------------------------------------------------------------------------------------------
# Frameworks


class Framework(TimestampedModel):
    """A framework's identity; its content lives in its versions."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FrameworkVersion(TimestampedModel):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    #: Empty for PowerShare's default, used by every organisation until it publishes its own.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.PositiveIntegerField()
    #: What changed from the version before, in a sentence or two.
    change_note = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["framework", "organisation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "organisation", "number"], name="one_framework_version_number"
            ),
            models.UniqueConstraint(
                fields=["framework", "number"],
                condition=Q(organisation__isnull=True),
                name="one_default_framework_version_number",
            ),
        ]

    def __str__(self):
        return f"{self.framework.name}, version {self.number}"

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class Stage(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(max_length=60)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="one_stage_key_per_version")
        ]

    def __str__(self):
        return self.name


class Driver(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="drivers")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="drivers")
    #: Stays the same from version to version while the name may change.
    key = models.SlugField(max_length=60)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "stage__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="one_driver_key_per_version")
        ]

    def __str__(self):
        return self.name


class Principle(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="principles"
    )
    key = models.SlugField(max_length=60)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="one_principle_key_per_version")
        ]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------------------------
# Self-assessment


class Rating(models.IntegerChoices):
    NOT_STARTED = 0, "Not started"
    EMERGING = 1, "Emerging"
    DEVELOPING = 2, "Developing"
    ESTABLISHED = 3, "Established"
    EMBEDDED = 4, "Embedded"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"


class SelfAssessment(OrganisationOwnedModel):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    #: The period it covers, as people say it: "2026/27" or "Autumn 2026".
    period = models.CharField(max_length=60)
    assessed_on = models.DateField(help_text="The day the ratings were agreed.")
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    summary = models.TextField(blank=True)
    #: Who took part, beyond the people listed: "8 frontline staff from two teams".
    others_taking_part = models.CharField(max_length=300, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)

    shareable = True

    class Meta:
        ordering = ["organisation", "-assessed_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "assessed_on"])]

    def __str__(self):
        return f"Self-assessment {self.period}"


class ParticipantKind(models.TextChoices):
    STAFF = "staff", "Staff"
    MANAGER = "manager", "Manager or leader"
    EXPERT_BY_EXPERIENCE = "expert_by_experience", "Expert by experience"
    PARTNER = "partner", "Partner organisation"


class AssessmentParticipant(models.Model):
    assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="participants"
    )
    kind = models.CharField(max_length=24, choices=ParticipantKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments_taken_part_in",
    )
    #: For someone who is neither a user nor on the register ("Team manager, Justice").
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["assessment", "kind", "pk"]

    def __str__(self):
        return f"Participant in assessment {self.assessment_id}"

    def get_additional_data(self):
        return {"organisation_id": self.assessment.organisation_id}


class DriverRating(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    evidence = models.TextField(blank=True)
    is_priority = models.BooleanField(default=False)
    #: Why it is a priority, and what good would look like.
    priority_note = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "driver__stage__order", "driver__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "driver"], name="one_rating_per_driver")
        ]

    def __str__(self):
        return f"{self.driver.name}: {self.get_rating_display() or 'not rated'}"

    def get_additional_data(self):
        return {"organisation_id": self.assessment.organisation_id}


# ---------------------------------------------------------------------------------------------
# Action plans and actions


class ActionPlan(OrganisationOwnedModel):
    title = models.CharField(max_length=200)
    assessment = models.ForeignKey(
        SelfAssessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    shareable = True

    class Meta:
        ordering = ["organisation", "-created_at"]

    def __str__(self):
        return self.title


class ActionSource(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", "Self-assessment priority"
    WALKTHROUGH = "walkthrough", "Walkthrough"
    PARTNERSHIP_MEETING = "partnership_meeting", "Partnership meeting"
    RESPONSE = "response", "“You said, we did” response"
    LEARNING_INTENTIONS = "learning_intentions", "Learners' stated intentions"
    OTHER = "other", "Something else"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class Action(OrganisationOwnedModel):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    #: The plan priority (a driver rated as a priority) it serves.
    priority = models.ForeignKey(
        DriverRating, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    #: The partnership group it belongs to, for actions raised at its meetings.
    group = models.ForeignKey(
        "improvement.PartnershipGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
    )
    source = models.CharField(max_length=24, choices=ActionSource.choices)
    assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    walkthrough = models.ForeignKey(
        "improvement.Walkthrough",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    observation = models.ForeignKey(
        "improvement.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    meeting = models.ForeignKey(
        "improvement.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_raised",
    )
    response = models.ForeignKey(
        "accountability.Response",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
    )
    #: Learners' stated intentions: the questionnaire question whose answers it came from.
    question = models.ForeignKey(
        "evaluation.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
    )
    #: What the source said, in a line: the finding, the intention, the decision.
    source_note = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: For an owner outside PowerShare, for example a partner organisation's representative.
    owner_name = models.CharField(max_length=200, blank=True)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    #: The day it was done or dropped (empty while open).
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "due_on", "pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"]),
            models.Index(fields=["group", "status"]),
            models.Index(fields=["owner", "status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, status__in=OPEN_ACTION_STATUSES)
                | Q(closed_on__isnull=False, status__in=[ActionStatus.DONE, ActionStatus.DROPPED]),
                name="action_closed_on_matches_status",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class ActionUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    written_on = models.DateField()
    text = models.TextField()
    evidence = models.TextField(
        blank=True, help_text="What shows it: a link, a document, a figure."
    )
    #: The status the action moved to with this update (blank when unchanged).
    status = models.CharField(max_length=12, choices=ActionStatus.choices, blank=True)
    #: The meeting at which it was reported, for partnership actions.
    meeting = models.ForeignKey(
        "improvement.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_updates",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "-written_on", "-pk"]

    def __str__(self):
        return f"Update on action {self.action_id}"

    def get_additional_data(self):
        return {"organisation_id": self.action.organisation_id}


class ActionReminder(models.Model):
    """Which action reminders went into which day's digest: due soon once, overdue once a week."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "user", "sent_on"], name="one_action_reminder_a_day"
            )
        ]

    def __str__(self):
        return f"Reminder of action {self.action_id} on {self.sent_on}"


# ---------------------------------------------------------------------------------------------
# Walkthroughs


class Walkthrough(OrganisationOwnedModel):
    title = models.CharField(max_length=200)
    service = models.CharField(max_length=200, help_text="The service walked through.")
    walked_on = models.DateField()
    version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.PROTECT,
        related_name="walkthroughs",
        help_text="Whose principles the observations are recorded under.",
    )
    #: The engagement activity that invited, supported and paid the experts by experience.
    activity = models.OneToOneField(
        "engagement.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="walkthrough",
    )
    purpose = models.TextField(blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "-walked_on", "-pk"]

    def __str__(self):
        return self.title


class WalkthroughSite(models.Model):
    walkthrough = models.ForeignKey(Walkthrough, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["walkthrough", "order", "pk"]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"organisation_id": self.walkthrough.organisation_id}


class TeamRole(models.TextChoices):
    STAFF = "staff", "Staff"
    MANAGER = "manager", "Manager"
    EXPERT_BY_EXPERIENCE = "expert_by_experience", "Expert by experience (paid)"


class WalkthroughTeamMember(models.Model):
    walkthrough = models.ForeignKey(Walkthrough, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=24, choices=TeamRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="walkthroughs_taken_part_in",
    )
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["walkthrough", "role", "pk"]

    def __str__(self):
        return f"Team member of walkthrough {self.walkthrough_id}"

    def get_additional_data(self):
        return {"organisation_id": self.walkthrough.organisation_id}


class ObservationKind(models.TextChoices):
    STRENGTH = "strength", "A strength"
    IMPROVE = "improve", "Something to improve"


class Observation(models.Model):
    walkthrough = models.ForeignKey(
        Walkthrough, on_delete=models.CASCADE, related_name="observations"
    )
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        WalkthroughSite, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=ObservationKind.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["walkthrough", "principle__order", "kind", "pk"]

    def __str__(self):
        return f"Observation {self.pk} of walkthrough {self.walkthrough_id}"

    def get_additional_data(self):
        return {"organisation_id": self.walkthrough.organisation_id}


# ---------------------------------------------------------------------------------------------
# Partnership groups


class PartnershipGroup(OrganisationOwnedModel):
    """A multi-agency group, run by the organisation that owns it. Member organisations'
    staff see its meetings, minutes and action log; only the owner changes them."""

    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "name"]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="partnership_memberships"
    )
    #: Who represents it, as the minutes name them ("Head of learning and development").
    representatives = models.CharField(max_length=300, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["group", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"], name="one_membership_a_group")
        ]

    def __str__(self):
        return f"{self.organisation} in {self.group}"

    def get_additional_data(self):
        return {"organisation_id": self.group.organisation_id}


class MeetingFormat(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    HYBRID = "hybrid", "In person and online"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"


class Meeting(TimestampedModel):
    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField()
    format = models.CharField(max_length=10, choices=MeetingFormat.choices)
    place = models.CharField(max_length=200, blank=True)
    chair = models.CharField(max_length=200, blank=True)
    purpose = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    minutes_status = models.CharField(
        max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    minutes_agreed_on = models.DateField(null=True, blank=True)
    #: What the agreed minutes showed of the actions (matters arising and actions raised),
    #: kept when they were agreed so that later changes to the actions don't rewrite them.
    #: Empty while the minutes are a draft (see services.minutes_agree).
    agreed_record = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["group", "-met_on", "-pk"]
        indexes = [models.Index(fields=["group", "met_on"])]

    def __str__(self):
        return f"{self.group.name}, {self.met_on:%-d %B %Y}"

    def get_additional_data(self):
        return {"organisation_id": self.group.organisation_id}


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    #: Who came for the organisation, when it was not its usual representatives.
    attended_by = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["meeting", "member__organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member")
        ]

    def __str__(self):
        return f"{self.get_status_display()} (meeting {self.meeting_id})"

    def get_additional_data(self):
        return {"organisation_id": self.meeting.group.organisation_id}


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    #: What was said, for the minutes.
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"organisation_id": self.meeting.group.organisation_id}


class PartnerUpdate(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="partner_updates")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()

    class Meta:
        ordering = ["meeting", "member__organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_update_per_member")
        ]

    def __str__(self):
        return f"Partner update at meeting {self.meeting_id}"

    def get_additional_data(self):
        return {"organisation_id": self.meeting.group.organisation_id}


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return f"Decision at meeting {self.meeting_id}"

    def get_additional_data(self):
        return {"organisation_id": self.meeting.group.organisation_id}
