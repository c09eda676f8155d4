"""Evaluation: anonymous questionnaires, their results, and the summary of learning.

* A **questionnaire** is one instrument (a product's pre questionnaire, say) used across every
  delivery of that product. It has a stable **code** (used by the commands, the API and
  imports), sections, and questions, each with its own stable code. Likert questions can be
  tied to one of the product's intended learning outcomes.
* An **answer link** opens a questionnaire for one session of one delivery (and so one site),
  between two dates. People answer through the link or its QR code without signing in. A
  product's standard pre and post questionnaires get a link on the first and the last session
  of each delivery automatically.
* A **response** is one person's answers. **Anonymous means anonymous**: a response records
  which questionnaire, link, delivery, session and site it came from and the *day* it was
  given, and nothing else: no user, no IP address, no browser details, no time of day. One
  response per browser is kept by a signed cookie in the browser alone (nothing on the
  server to match it with). A single-use paper code is deleted when it is used, and its
  link's count of used codes goes up: nothing says which response used it. Imported rows
  are stored in a random order, so the file's row order can't be matched either.
* Answers are stored as **small integers** (Likert 1-5 with 0 for "prefer not to say",
  yes 1 / no 0, a choice's number, or the number given), one row per question answered
  (one per option ticked for multiple choice), so results are counted in SQL
  (selectors.questionnaire_results). Free text is kept apart (`TextAnswer`).
* **Pre/post linking without identity**: when a pair of questionnaires is linked, people may
  make up a code; only an HMAC of it, keyed with the pair's secret, is stored, and it is used
  only to count matched pairs and the paired change. It is never shown.
* The **summary of learning** of a product holds the narrative its learning lead writes and
  the PDF made from it, remade in the background when its data changes.
"""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from powershare.lib.models import OrganisationOwnedModel


def new_token() -> str:
    return secrets.token_urlsafe(16)


def new_secret() -> str:
    return secrets.token_hex(32)


class QuestionnaireKind(models.TextChoices):
    PRE = "pre", "Before the learning (pre)"
    POST = "post", "After the learning (post)"
    REACTION = "reaction", "Reaction to a session"
    CUSTOM = "custom", "Other"
    #: The annual survey of councils (powershare.national): one named return per council,
    #: never anonymous, never opened by an answer link.
    NATIONAL = "national", "National survey of councils"


class Questionnaire(OrganisationOwnedModel):
    code = models.SlugField(
        max_length=60,
        unique=True,
        help_text="A short name used by imports, exports and the API, for example "
        "power-sharing-pre. Letters, numbers and hyphens.",
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=10, choices=QuestionnaireKind.choices, default=QuestionnaireKind.CUSTOM
    )
    #: The learning product it evaluates (blank for a questionnaire of its own).
    product = models.ForeignKey(
        "learning.LearningProduct",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
    )
    #: The product's standard questionnaire of its kind: linked to each delivery by itself.
    is_standard = models.BooleanField(default=False)
    intro = models.TextField(
        blank=True, help_text="Shown before the questions: what it is for and how answers are used."
    )
    thank_you = models.TextField(blank=True, help_text="Shown after someone sends their answers.")
    #: Pre/post linking: the questionnaire this one is paired with (a post names its pre).
    paired_with = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="paired_from"
    )
    #: Ask for a made-up code to match before and after answers (never shown, only counted).
    ask_pairing_code = models.BooleanField(default=False)
    pairing_secret = models.CharField(max_length=64, default=new_secret, editable=False)
    #: Results by site leave out any group with fewer responses than this (never below 3).
    small_group_threshold = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(3)]
    )

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(small_group_threshold__gte=3), name="small_group_at_least_3"
            ),
            models.UniqueConstraint(
                fields=["product", "kind"],
                condition=models.Q(is_standard=True),
                name="one_standard_questionnaire_per_kind",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def secret_for_pairing(self) -> str:
        """The pair shares one secret: the pre questionnaire's (the one others pair with)."""
        return self.paired_with.pairing_secret if self.paired_with_id else self.pairing_secret


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)

    class Meta:
        ordering = ["questionnaire", "position", "pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"organisation_id": self.questionnaire.organisation_id}


class QuestionType(models.TextChoices):
    LIKERT = "likert", "Agree or disagree (five points)"
    SINGLE = "single", "Choose one"
    MULTIPLE = "multiple", "Choose any"
    YES_NO = "yes_no", "Yes or no"
    NUMBER = "number", "A number"
    TEXT = "text", "Their own words"


class QuestionPurpose(models.TextChoices):
    ABOUT_YOU = "about_you", "About the person (job role, service)"
    OUTCOME = "outcome", "An intended learning outcome"
    REACTION = "reaction", "Reaction to the learning"
    NEXT_STEPS = "next_steps", "What they will do next"
    OTHER = "other", "Something else"


#: Likert labels, by stored value. 0 is "prefer not to say", which is not on the scale.
LIKERT_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
PREFER_NOT = 0
PREFER_NOT_LABEL = "Prefer not to say"
YES, NO = 1, 0
YES_NO_LABELS = {YES: "Yes", NO: "No"}
#: Number answers are stored as small integers.
NUMBER_MIN, NUMBER_MAX = -32768, 32767


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60, help_text="Stable: imports and exports use it.")
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=300, blank=True)
    type = models.CharField(max_length=10, choices=QuestionType.choices)
    purpose = models.CharField(
        max_length=12, choices=QuestionPurpose.choices, default=QuestionPurpose.OTHER
    )
    required = models.BooleanField(default=False)
    #: Likert only: offer "prefer not to say".
    allow_prefer_not = models.BooleanField(default=False)
    #: Likert only: the intended learning outcome it measures.
    outcome = models.ForeignKey(
        "learning.LearningOutcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    #: Free text only: whether answers may be quoted (anonymously) in reports.
    quotable = models.BooleanField(default=False)
    #: A closed question takes no more answers; its answers stay in the results.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")
        ]

    def __str__(self):
        return self.text

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def get_additional_data(self):
        return {"organisation_id": self.questionnaire.organisation_id}


class Choice(models.Model):
    """An option of a choose-one or choose-any question. `value` is what answers store."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["question", "value"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="choice_value_unique")
        ]

    def __str__(self):
        return self.label

    def get_additional_data(self):
        return {"organisation_id": self.question.questionnaire.organisation_id}


class AnswerLink(models.Model):
    """Opens a questionnaire for one session (or on its own) between two dates."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="links")
    delivery = models.ForeignKey(
        "learning.Delivery",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answer_links",
    )
    #: Emptied (not deleted) when its session is removed: the printed QR code keeps working
    #: and the link moves to the delivery's new first or last session.
    session = models.ForeignKey(
        "learning.DeliverySession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answer_links",
    )
    token = models.CharField(max_length=40, unique=True, default=new_token)
    opens_on = models.DateField()
    closes_on = models.DateField()
    #: Each response needs one of this link's single-use paper codes.
    needs_code = models.BooleanField(default=False)
    #: Dates changed by hand no longer follow the session's date.
    dates_set_by_hand = models.BooleanField(default=False)
    #: Paper codes used so far (each is deleted when used).
    paper_codes_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "opens_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "session"],
                condition=models.Q(session__isnull=False),
                name="one_link_per_session",
            )
        ]

    def __str__(self):
        if self.session_id:
            return f"{self.questionnaire} for {self.session}"
        return f"{self.questionnaire} (link {self.pk})"

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    def get_additional_data(self):
        return {"organisation_id": self.questionnaire.organisation_id}


class PaperCode(models.Model):
    """A single-use code printed on a handout. Deleted when used (the link counts how many
    were), so nothing can say which response used it."""

    link = models.ForeignKey(AnswerLink, on_delete=models.CASCADE, related_name="paper_codes")
    code = models.CharField(max_length=12, unique=True)

    class Meta:
        ordering = ["link", "code"]

    def __str__(self):
        return self.code


class ResponseSource(models.TextChoices):
    ONLINE = "online", "Answered online"
    IMPORT = "import", "Imported from a file"


class ImportBatch(models.Model):
    """One file of answers imported by a member of staff (so a wrong file can be taken out)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="imports"
    )
    file_name = models.CharField(max_length=200)
    rows = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "-imported_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.rows} rows)"

    def get_additional_data(self):
        return {"organisation_id": self.questionnaire.organisation_id}


class QuestionnaireResponse(models.Model):
    """One person's answers. Nothing here can say who they are: see the module's notes."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="responses"
    )
    link = models.ForeignKey(
        AnswerLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    delivery = models.ForeignKey(
        "learning.Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
    )
    session = models.ForeignKey(
        "learning.DeliverySession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
    )
    site = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
    )
    #: An imported site name that matched no organisation, kept as written.
    site_label = models.CharField(max_length=200, blank=True)
    #: The day only: never the time.
    submitted_on = models.DateField()
    source = models.CharField(
        max_length=10, choices=ResponseSource.choices, default=ResponseSource.ONLINE
    )
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="responses"
    )
    #: HMAC of the made-up pairing code (blank when none was given). Never shown.
    pair_key = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["questionnaire", "site", "site_label"])]

    def __str__(self):
        return f"Response {self.pk} to {self.questionnaire_id}"


class AnswerQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        _copy_site(objs)
        return super().bulk_create(objs, *args, **kwargs)


def _copy_site(answers) -> None:
    """Answers carry their response's site, so results by site need no join. Copied here for
    every way answers are stored (save and bulk_create), from the response."""
    unknown = {
        a.response_id
        for a in answers
        if a.site_id is None and not a.site_label and not Answer.response.is_cached(a)
    }
    fetched = {
        pk: (site_id, label)
        for pk, site_id, label in QuestionnaireResponse.objects.filter(pk__in=unknown).values_list(
            "pk", "site_id", "site_label"
        )
    }
    for answer in answers:
        if answer.site_id is not None or answer.site_label:
            continue
        if Answer.response.is_cached(answer):
            answer.site_id, answer.site_label = answer.response.site_id, answer.response.site_label
        else:
            answer.site_id, answer.site_label = fetched.get(answer.response_id, (None, ""))


class Answer(models.Model):
    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.SmallIntegerField()
    #: The response's site (or imported site name), copied so results by site are counted
    #: from this table's index alone. Never set by hand: see _copy_site.
    site = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site_label = models.CharField(max_length=200, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["question", "value"]),
            models.Index(fields=["question", "site", "site_label", "value"]),
        ]

    def __str__(self):
        return f"{self.question_id}={self.value}"

    def save(self, *args, **kwargs):
        _copy_site([self])
        super().save(*args, **kwargs)


class TextAnswer(models.Model):
    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.CASCADE, related_name="text_answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="text_answers")
    text = models.TextField()
    #: National survey returns only (a council's named return): the council agrees these
    #: words may be quoted, without its name, in the national report. Anonymous answers use
    #: their question's `quotable` instead.
    shareable = models.BooleanField(default=False)

    def __str__(self):
        return f"Text answer to {self.question_id}"


class TallyKind(models.IntegerChoices):
    RESPONSES = 0, "Responses"
    VALUE = 1, "Answers with this value"
    ANSWERED = 2, "Responses that answered the question"


class ResultTally(models.Model):
    """A questionnaire's results counted ahead: how many responses came from each site, how
    many answers each value of each question has there, and (for choose-any and free-text
    questions) how many responses answered it. Kept right by the services that store or take
    out answers, in the same transaction (see tallies.py), so the results of a questionnaire
    with a million responses are read from a few hundred rows instead of counted afresh.
    Holds counts only: nothing about any one response."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    #: The question's id, or 0 for the responses row (a plain number: a unique key with NULLs
    #: in it would not stop two rows for the same thing).
    question_key = models.PositiveIntegerField(default=0)
    kind = models.PositiveSmallIntegerField(choices=TallyKind.choices)
    #: The site's organisation id, or 0 when the response has none (see site_label).
    site_key = models.PositiveIntegerField(default=0)
    site_label = models.CharField(max_length=200, blank=True)
    value = models.SmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "question_key", "kind", "site_key", "site_label", "value"],
                name="evaluation_tally_one_row_per_count",
            )
        ]

    def __str__(self):
        return f"{self.questionnaire_id}/{self.question_key}/{self.kind}={self.n}"


class SummaryStatus(models.TextChoices):
    NOT_MADE = "not_made", "Not made yet"
    QUEUED = "queued", "Waiting to be made"
    MAKING = "making", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"


class LearningSummary(models.Model):
    """The "summary of learning" of a product: its narrative and the PDF made from it."""

    product = models.OneToOneField(
        "learning.LearningProduct", on_delete=models.CASCADE, related_name="summary"
    )
    background = models.TextField(blank=True)
    evaluation_method = models.TextField(blank=True)
    key_learning = models.TextField(blank=True)
    feedback_loop = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    #: The plain-English version for the people who helped design the product.
    plain_summary = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.NOT_MADE
    )
    #: 0-100 while the PDF is being made.
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to="summaries/", max_length=200, blank=True)
    made_at = models.DateTimeField(null=True, blank=True)
    #: Data in the summary changed after its PDF was made (or while it was being made), so it
    #: is remade in the background. A flag, never a time: the moment an answer arrived must
    #: not be written down anywhere.
    needs_remaking = models.BooleanField(default=False, db_index=True)
    #: How many responses the product's questionnaires held when the PDF's making started
    #: (a count, never a time). New answers make the PDF out of date by changing the count
    #: (tallies.product_responses), with no write to this row as they arrive.
    responses_when_made = models.PositiveIntegerField(null=True, blank=True)
    #: When a made PDF was last taken down because words in it may no longer be used. A PDF
    #: whose making started before then is thrown away, not stored.
    taken_down_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "learning summaries"

    def __str__(self):
        return f"Summary of learning: {self.product}"

    def get_additional_data(self):
        return {"organisation_id": self.product.organisation_id}
