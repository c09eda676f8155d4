"""Accountability: "you said, we did".

Every contribution gets a Response (what the organisation will do, has done, or will not do and
why), by the activity's promised feedback date. The responses of an activity are gathered into a
FeedbackLetter, sent to everyone who contributed (portal, email or a printed letter), and the
date each person was sent it is recorded (FeedbackRecipient). An activity's loop is:

* **open** while any contribution that has not been withdrawn has no response;
* **ready to send** when every contribution has a response but some have not yet been reported
  back in a sent letter;
* **closed** when every contribution has a response and has been reported back.

It is **overdue** when its feedback due date has passed and the loop is not closed. These are
computed in SQL by `selectors.with_loop_status`, never stored, so a new contribution (a group's
reply to a letter, say) opens the loop again by itself.

A letter never stores anyone's words: "you said" is drawn live from the contributions, through
the consent rule (engagement.selectors.contributions_usable_for), every time it is shown or sent.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from powershare.lib.models import OrganisationOwnedModel, TimestampedModel


class Decision(models.TextChoices):
    WILL_DO = "will_do", "We will do this"
    DONE = "done", "We have done this"
    WILL_NOT_DO = "will_not_do", "We will not do this"
    CONSIDERING = "considering", "We are still considering this"


class ResponseStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    ON_HOLD = "on_hold", "On hold"


class Response(OrganisationOwnedModel):
    """What the organisation did with one or more contributions of an activity."""

    activity = models.ForeignKey(
        "engagement.Activity", on_delete=models.PROTECT, related_name="responses"
    )
    contributions = models.ManyToManyField(
        "engagement.Contribution", through="ResponseContribution", related_name="responses"
    )
    decision = models.CharField(max_length=12, choices=Decision.choices)
    #: Required when the decision is "will not do": people deserve to know why.
    reason = models.TextField(blank=True)
    what_will_change = models.TextField(
        help_text="What will be different, in words the people who took part will understand."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.NOT_STARTED
    )
    evidence = models.TextField(blank=True, help_text="How we know it happened.")

    class Meta:
        ordering = ["activity", "pk"]
        indexes = [
            models.Index(fields=["organisation", "due_on"]),
            models.Index(fields=["owner", "due_on"]),
        ]

    def __str__(self):
        # Never the words: this is copied into the change log.
        return f"Response R{self.pk:06d}" if self.pk else "Response (new)"

    @property
    def reference(self) -> str:
        return f"R{self.pk:06d}" if self.pk else "R(new)"

    @property
    def is_finished(self) -> bool:
        return self.status == ResponseStatus.COMPLETE or self.decision in (
            Decision.DONE,
            Decision.WILL_NOT_DO,
        )

    def is_overdue_on(self, day: datetime.date) -> bool:
        return bool(self.due_on and self.due_on < day and not self.is_finished)


class ResponseContribution(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="links")
    contribution = models.ForeignKey(
        "engagement.Contribution", on_delete=models.CASCADE, related_name="response_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "contribution"], name="one_link_per_response_contribution"
            )
        ]
        indexes = [models.Index(fields=["contribution", "response"])]

    def __str__(self):
        return f"Link of {self.response} to contribution {self.contribution_id}"


class ResponseProgress(models.Model):
    """A dated note of progress on a response: the timeline staff and contributors see."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="progress")
    happened_on = models.DateField(default=timezone.localdate)
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response", "happened_on", "pk"]

    def __str__(self):
        return f"Progress on {self.response}"

    def get_additional_data(self):
        return {"organisation_id": self.response.organisation_id}


def _evidence_path(instance, filename: str) -> str:
    # The stored name never carries the uploaded file name (it may hold a person's name).
    return f"evidence/{timezone.now():%Y/%m}/{instance.key}"


class EvidenceFile(models.Model):
    """A file showing a response was carried out. Stored outside the web root (MEDIA_ROOT is
    never served directly) and handed out only by a view that checks who is asking."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="files")
    key = models.CharField(max_length=40, unique=True, editable=False)
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response", "uploaded_at", "pk"]

    def __str__(self):
        return f"Evidence file {self.pk} of {self.response}"

    def get_additional_data(self):
        return {"organisation_id": self.response.organisation_id}


class ResponseChange(models.Model):
    """A change to a response's decision or status after it was reported back to people.
    Contributors who may be contacted hear about pending changes in one batched update."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20)  # "decision" or "status"
    before = models.CharField(max_length=20)
    after = models.CharField(max_length=20)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: When the batched update about it went out (None: still to tell people).
    announced_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["response", "changed_at", "pk"]

    def __str__(self):
        return f"Change to {self.response}"

    @property
    def field_label(self) -> str:
        return "Decision" if self.field == "decision" else "Progress"

    def _label(self, value: str) -> str:
        choices = Decision if self.field == "decision" else ResponseStatus
        try:
            return choices(value).label
        except ValueError:
            return value

    @property
    def before_label(self) -> str:
        return self._label(self.before)

    @property
    def after_label(self) -> str:
        return self._label(self.after)


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class FeedbackLetter(OrganisationOwnedModel):
    """One "you said, we did" message for an activity. The opening and closing are the
    organisation's own words; the middle is assembled live from the activity's responses.
    An activity may have more than one sent letter (a second round after a group's replies)."""

    activity = models.ForeignKey(
        "engagement.Activity", on_delete=models.PROTECT, related_name="feedback_letters"
    )
    subject = models.CharField(max_length=200)
    opening = models.TextField()
    closing = models.TextField(blank=True)
    status = models.CharField(max_length=5, choices=LetterStatus.choices, default="draft")
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The local date it was sent: what "on time" and "days to feedback" count.
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The contributions it reported back on (set when sent).
    contributions = models.ManyToManyField(
        "engagement.Contribution", blank=True, related_name="feedback_letters"
    )
    #: The responses it carried (set when sent).
    responses = models.ManyToManyField(Response, blank=True, related_name="letters")

    class Meta:
        ordering = ["activity", "-pk"]
        indexes = [models.Index(fields=["activity", "sent_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["activity"],
                condition=models.Q(status="draft"),
                name="one_draft_letter_per_activity",
            )
        ]

    def __str__(self):
        return f"Feedback letter {self.pk} for activity {self.activity_id}"

    @property
    def is_sent(self) -> bool:
        return self.status == LetterStatus.SENT


class Delivery(models.TextChoices):
    PORTAL = "portal", "In their portal"
    EMAIL = "email", "By email (and in their portal, if they use it)"
    POST = "post", "Printed letter to post"
    PARTNER = "partner", "Shared with the partner organisation to pass on"
    NOT_CONTACTED = "not_contacted", "Not sent: they have not agreed to be contacted"


class FeedbackRecipient(models.Model):
    """Who a sent letter went to, how, and when. A person, or an anonymous group reached
    through a partner organisation."""

    letter = models.ForeignKey(FeedbackLetter, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback_received",
    )
    group_label = models.CharField(max_length=200, blank=True)
    group_consent_held_by = models.CharField(max_length=200, blank=True)
    delivery = models.CharField(max_length=15, choices=Delivery.choices)
    sent_on = models.DateField()
    #: When the email went (the task sends it after the letter is saved).
    emailed_at = models.DateTimeField(null=True, blank=True)
    #: When staff marked the printed letter as posted.
    posted_on = models.DateField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["letter", "pk"]
        indexes = [models.Index(fields=["person", "sent_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(group_label=""),
                name="feedback_recipient_is_someone",
            ),
        ]

    def __str__(self):
        return f"Recipient {self.pk} of {self.letter}"

    def get_additional_data(self):
        return {"organisation_id": self.letter.organisation_id}


class GroupReply(models.Model):
    """A contribution that is a group's reply to a letter shared through a partner: the loop
    going round again."""

    letter = models.ForeignKey(FeedbackLetter, on_delete=models.CASCADE, related_name="replies")
    contribution = models.OneToOneField(
        "engagement.Contribution", on_delete=models.CASCADE, related_name="reply_to_letter"
    )

    def __str__(self):
        return f"Reply to {self.letter}"


class ChangeNotice(models.Model):
    """One batched update to one person about changes to responses they were told about."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="change_notices"
    )
    changes = models.ManyToManyField(ResponseChange, related_name="notices")
    sent_at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["person", "-sent_at"]

    def __str__(self):
        return f"Change notice {self.pk}"


class PublicPage(TimestampedModel):
    """An organisation's opt-in public "you said, we did" page."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="public_page"
    )
    is_published = models.BooleanField(default=False)
    introduction = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Public page of organisation {self.organisation_id}"

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class ReminderDigest(models.Model):
    """A reminder digest sent to one member of staff on one day: the record that makes running
    the reminders twice in a day send nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    responses = models.PositiveIntegerField(default=0)
    activities = models.PositiveIntegerField(default=0)
    #: How many items each other app's section held (see reminders.py): {"key": count}.
    others = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="one_digest_a_day")]

    def __str__(self):
        return f"Reminder digest for user {self.user_id} on {self.sent_on}"
