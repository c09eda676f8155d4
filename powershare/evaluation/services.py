"""Every change to evaluation: questionnaires, questions, answer links, anonymous answers,
imports and the summary of learning.

Rules kept here:
* Only MANAGE_LEARNING in the questionnaire's organisation changes a questionnaire.
* Once a question has answers, nothing that would change what those answers mean can change:
  its code, type, wording, learning outcome and existing options are fixed. New questions and
  new options can be added, and a question can be closed (it keeps its answers).
* Answering stores nothing that could identify the person (see models). One response per
  browser and per paper code, checked through tables that are not linked to the answers.
* An import is all or nothing: any value that is not allowed stops the whole file, with the
  row, column, value and what is allowed.
"""

import datetime
import hashlib
import hmac
import random
import re
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.learning.models import Delivery, DeliverySession, LearningOutcome, LearningProduct

from . import tallies
from .models import (
    LIKERT_LABELS,
    NUMBER_MAX,
    NUMBER_MIN,
    PREFER_NOT,
    Answer,
    AnswerLink,
    Choice,
    ImportBatch,
    LearningSummary,
    PaperCode,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireResponse,
    QuestionPurpose,
    QuestionType,
    ResponseSource,
    Section,
    SummaryStatus,
    TextAnswer,
)

MAX_QUESTIONS = 80
CODE_SHAPE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_CHOICES = 30
MAX_TEXT_ANSWER = 4000
MAX_PAPER_CODES = 500
#: Default answer windows for a product's standard questionnaires.
PRE_OPENS_DAYS_BEFORE = 28
POST_CLOSES_DAYS_AFTER = 21
PAPER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


def _check(actor: User, organisation_id: int) -> None:
    if not user_can(
        user=actor, capability=Capability.MANAGE_LEARNING, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't change questionnaires in this organisation.")


def _check_questions(actor: User, questionnaire: Questionnaire) -> None:
    """Who may change a questionnaire's sections and questions: the national survey's are the
    national coordinator's (powershare.national), every other one the learning team's."""
    if questionnaire.kind == QuestionnaireKind.NATIONAL:
        if not user_can(
            user=actor,
            capability=Capability.RUN_NATIONAL_SURVEY,
            organisation_id=questionnaire.organisation_id,
        ):
            raise PermissionDenied("You can't change the national survey's questions.")
        return
    _check(actor, questionnaire.organisation_id)


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _refuse_national_kind(kind: str) -> None:
    """The learning team's pages never make a national survey questionnaire: those are made
    with their round (powershare.national), answered by named council returns, not anonymously."""
    if kind == QuestionnaireKind.NATIONAL:
        raise ValidationError(
            {
                "kind": "National survey questionnaires are made with a survey round, in the "
                "national survey pages: choose what else this questionnaire is for."
            }
        )


def questionnaire_has_answers(questionnaire: Questionnaire) -> bool:
    return questionnaire.responses.exists()


def question_has_answers(question: Question) -> bool:
    return question.answers.exists() or question.text_answers.exists()


# ---------------------------------------------------------------------------------------------
# Questionnaires


QUESTIONNAIRE_FIELDS = (
    "title",
    "kind",
    "intro",
    "thank_you",
    "ask_pairing_code",
    "small_group_threshold",
)


def _check_questionnaire(
    *, organisation_id, code, product, kind, is_standard, paired_with, threshold, exclude_pk=None
) -> None:
    errors = {}
    if not code:
        errors["code"] = "Give the questionnaire a short code, for example power-sharing-pre."
    elif not CODE_SHAPE.match(code):
        errors["code"] = (
            f"“{code}” can't be a code: use small letters, numbers and hyphens only, for "
            "example power-sharing-pre."
        )
    elif Questionnaire.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = (
            f"The code {code} is already used by another questionnaire: choose another."
        )
    if product is not None and product.organisation_id != organisation_id:
        errors["product"] = "Choose one of your organisation's learning products."
    if is_standard and product is None:
        errors["is_standard"] = "Only a learning product's questionnaire can be its standard one."
    if is_standard and kind not in (QuestionnaireKind.PRE, QuestionnaireKind.POST):
        errors["is_standard"] = "A product's standard questionnaires are its pre and post ones."
    if (
        is_standard
        and product is not None
        and Questionnaire.objects.filter(product=product, kind=kind, is_standard=True)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["is_standard"] = "This product already has a standard questionnaire of this kind."
    if paired_with is not None and (
        paired_with.organisation_id != organisation_id or paired_with.pk == exclude_pk
    ):
        errors["paired_with"] = "Pair it with another of your organisation's questionnaires."
    if threshold is not None and threshold < 3:
        errors["small_group_threshold"] = (
            "Groups smaller than 3 could let people be recognised: enter 3 or more."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def questionnaire_create(
    *,
    actor: User | None,
    organisation_id: int,
    code: str,
    title: str,
    kind: str = QuestionnaireKind.CUSTOM,
    product: LearningProduct | None = None,
    is_standard: bool = False,
    intro: str = "",
    thank_you: str = "",
    paired_with: Questionnaire | None = None,
    ask_pairing_code: bool = False,
    small_group_threshold: int = 5,
) -> Questionnaire:
    """Create a questionnaire. `actor` None only for the command line (an administrator)."""
    if actor is not None:
        _check(actor, organisation_id)
        _refuse_national_kind(kind)
    code = _text(code, 60).lower()
    _check_questionnaire(
        organisation_id=organisation_id,
        code=code,
        product=product,
        kind=kind,
        is_standard=is_standard,
        paired_with=paired_with,
        threshold=small_group_threshold,
    )
    questionnaire = Questionnaire.objects.create(
        organisation_id=organisation_id,
        created_by=actor,
        code=code,
        title=_text(title, 200) or code,
        kind=kind,
        product=product,
        is_standard=is_standard,
        intro=_text(intro, 4000),
        thank_you=_text(thank_you, 2000),
        paired_with=paired_with,
        ask_pairing_code=ask_pairing_code,
        small_group_threshold=small_group_threshold,
    )
    if is_standard:
        links_ensure_for_product(product=product)
    return questionnaire


@transaction.atomic
def questionnaire_update(*, actor: User, questionnaire: Questionnaire, **changes) -> Questionnaire:
    _check(actor, questionnaire.organisation_id)
    unknown = set(changes) - set(QUESTIONNAIRE_FIELDS) - {"paired_with"}
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    kind = changes.get("kind", questionnaire.kind)
    if QuestionnaireKind.NATIONAL in (kind, questionnaire.kind):
        if questionnaire.kind == QuestionnaireKind.NATIONAL:
            raise ValidationError(
                "This is a national survey questionnaire: change it in the national survey pages."
            )
        _refuse_national_kind(kind)
    if kind != questionnaire.kind and questionnaire_has_answers(questionnaire):
        raise ValidationError(
            {"kind": "People have answered already, so the kind of questionnaire stays as it is."}
        )
    paired_with = changes.get("paired_with", questionnaire.paired_with)
    if paired_with != questionnaire.paired_with:
        partners = [questionnaire.pk] + [
            q.pk for q in (paired_with, questionnaire.paired_with) if q
        ]
        if (
            QuestionnaireResponse.objects.filter(questionnaire_id__in=partners)
            .exclude(pair_key="")
            .exists()
        ):
            raise ValidationError(
                {
                    "paired_with": "People have already given matching codes, so the pairing "
                    "stays as it is: changing it would leave their codes matching nothing."
                }
            )
        if paired_with is not None and paired_with.paired_with_id == questionnaire.pk:
            raise ValidationError(
                {
                    "paired_with": f"{paired_with.title} is already paired with this one: pair "
                    "the later questionnaire (after the learning) with the earlier one only."
                }
            )
    _check_questionnaire(
        organisation_id=questionnaire.organisation_id,
        code=questionnaire.code,
        product=questionnaire.product,
        kind=kind,
        is_standard=questionnaire.is_standard,
        paired_with=paired_with,
        threshold=changes.get("small_group_threshold", questionnaire.small_group_threshold),
        exclude_pk=questionnaire.pk,
    )
    for field, value in changes.items():
        if field in ("title",):
            value = _text(value, 200) or questionnaire.title
        elif field in ("intro", "thank_you"):
            value = _text(value, 4000)
        setattr(questionnaire, field, value)
    questionnaire.save()
    summaries_mark_stale(product_ids=[questionnaire.product_id])
    return questionnaire


@transaction.atomic
def section_add(
    *, actor: User | None, questionnaire: Questionnaire, title: str, intro: str = ""
) -> Section:
    if actor is not None:
        _check_questions(actor, questionnaire)
    title = _text(title, 200)
    if not title:
        raise ValidationError({"title": "Give the section a title."})
    position = (questionnaire.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    return Section.objects.create(
        questionnaire=questionnaire, position=position, title=title, intro=_text(intro, 2000)
    )


@transaction.atomic
def section_update(*, actor: User, section: Section, title: str, intro: str = "") -> Section:
    _check_questions(actor, section.questionnaire)
    title = _text(title, 200)
    if not title:
        raise ValidationError({"title": "Give the section a title."})
    section.title, section.intro = title, _text(intro, 2000)
    section.save()
    return section


# ---------------------------------------------------------------------------------------------
# Questions

#: What may change once a question has answers.
CHANGEABLE_WHEN_ANSWERED = {"help_text", "required", "quotable", "section", "purpose", "position"}
QUESTION_FIELDS = CHANGEABLE_WHEN_ANSWERED | {
    "code",
    "text",
    "type",
    "allow_prefer_not",
    "outcome",
}
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)


def _clean_choices(labels: Iterable[str] | None) -> list[str]:
    seen, cleaned = set(), []
    for label in labels or []:
        label = _text(label, 200)
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            cleaned.append(label)
    return cleaned


def _check_question(
    *, questionnaire, code, text, type, section, outcome, choices, exclude_pk=None
) -> None:
    errors = {}
    if not code:
        errors["code"] = "Give the question a short code (letters, numbers and hyphens)."
    elif not CODE_SHAPE.match(code):
        errors["code"] = f"“{code}” can't be a code: use small letters, numbers and hyphens."
    elif questionnaire.questions.filter(code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = f"Another question in this questionnaire already has the code {code}."
    if not text:
        errors["text"] = "Write the question people will see."
    if type not in QuestionType.values:
        errors["type"] = "Choose the kind of answer."
    if section is not None and section.questionnaire_id != questionnaire.pk:
        errors["section"] = "Choose a section of this questionnaire."
    if outcome is not None:
        if type != QuestionType.LIKERT:
            errors["outcome"] = "Only an agree-or-disagree question can measure a learning outcome."
        elif questionnaire.product_id is None or (
            outcome.version.product_id != questionnaire.product_id
        ):
            errors["outcome"] = "Choose one of this product's intended learning outcomes."
    if type in CHOICE_TYPES and choices is not None and len(choices) < 2:
        errors["choices"] = "Give at least two options, one on each line."
    if choices is not None and len(choices) > MAX_CHOICES:
        errors["choices"] = f"Give at most {MAX_CHOICES} options."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def question_add(
    *,
    actor: User | None,
    questionnaire: Questionnaire,
    code: str,
    text: str,
    type: str,
    section: Section | None = None,
    purpose: str = QuestionPurpose.OTHER,
    help_text: str = "",
    required: bool = False,
    allow_prefer_not: bool = False,
    outcome: LearningOutcome | None = None,
    quotable: bool = False,
    choices: Iterable[str] | None = None,
) -> Question:
    if actor is not None:
        _check_questions(actor, questionnaire)
    code, text = _text(code, 60).lower(), _text(text, 500)
    labels = _clean_choices(choices) if type in CHOICE_TYPES else None
    _check_question(
        questionnaire=questionnaire,
        code=code,
        text=text,
        type=type,
        section=section,
        outcome=outcome,
        choices=labels,
    )
    if questionnaire.questions.count() >= MAX_QUESTIONS:
        raise ValidationError(
            {"code": f"A questionnaire can have at most {MAX_QUESTIONS} questions."}
        )
    position = (questionnaire.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        position=position,
        code=code,
        text=text,
        help_text=_text(help_text, 300),
        type=type,
        purpose=purpose if purpose in QuestionPurpose.values else QuestionPurpose.OTHER,
        required=required,
        allow_prefer_not=allow_prefer_not and type == QuestionType.LIKERT,
        outcome=outcome,
        quotable=quotable and type == QuestionType.TEXT,
    )
    if labels:
        Choice.objects.bulk_create(
            Choice(question=question, value=n, label=label) for n, label in enumerate(labels, 1)
        )
    summaries_mark_stale(product_ids=[questionnaire.product_id])
    return question


@transaction.atomic
def question_update(
    *, actor: User, question: Question, choices: Iterable[str] | None = None, **changes
) -> Question:
    """Change a question. Once it has answers only CHANGEABLE_WHEN_ANSWERED may change, and
    options may only be added at the end (the ones there keep their wording)."""
    questionnaire = question.questionnaire
    _check_questions(actor, questionnaire)
    unknown = set(changes) - QUESTION_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    if "code" in changes:
        changes["code"] = _text(changes["code"], 60).lower()
    if "text" in changes:
        changes["text"] = _text(changes["text"], 500)
    answered = question_has_answers(question)
    if answered:
        locked = {
            field
            for field, value in changes.items()
            if field not in CHANGEABLE_WHEN_ANSWERED
            and value != getattr(question, field if field != "outcome" else "outcome")
        }
        if locked:
            raise ValidationError(
                dict.fromkeys(
                    locked,
                    "People have answered this question, so this stays as it is: it "
                    "would change what their answers mean. Close the question and add a new "
                    "one instead.",
                )
            )
        if changes.get("quotable") and not question.quotable:
            raise ValidationError(
                {
                    "quotable": "People answered without being told their words might be "
                    "quoted, so their answers can't be made quotable now. Close the question "
                    "and add a new one that says so."
                }
            )
    new_type = changes.get("type", question.type)
    existing = list(question.choices.values_list("label", flat=True))
    labels = _clean_choices(choices) if choices is not None and new_type in CHOICE_TYPES else None
    if labels is not None and answered and labels[: len(existing)] != existing:
        raise ValidationError(
            {
                "choices": "People have answered this question, so its options stay as they "
                "are and in the same order. You can add new ones at the end."
            }
        )
    _check_question(
        questionnaire=questionnaire,
        code=changes.get("code", question.code),
        text=changes.get("text", question.text),
        type=new_type,
        section=changes.get("section", question.section),
        outcome=changes.get("outcome", question.outcome),
        choices=labels if labels is not None else (existing if new_type in CHOICE_TYPES else None),
        exclude_pk=question.pk,
    )
    for field, value in changes.items():
        setattr(question, field, value)
    if new_type != QuestionType.LIKERT:
        question.allow_prefer_not = False
    if new_type != QuestionType.TEXT:
        question.quotable = False
    question.help_text = _text(question.help_text, 300)
    question.save()
    if labels is not None:
        if not answered:
            question.choices.all().delete()
        start = len(existing) if answered else 0
        Choice.objects.bulk_create(
            Choice(question=question, value=n, label=label)
            for n, label in enumerate(labels[start:], start + 1)
        )
    elif new_type not in CHOICE_TYPES and not answered:
        question.choices.all().delete()
    summaries_mark_stale(product_ids=[questionnaire.product_id])
    return question


@transaction.atomic
def question_close(*, actor: User, question: Question, closed: bool = True) -> Question:
    _check_questions(actor, question.questionnaire)
    question.closed_at = timezone.now() if closed else None
    question.save(update_fields=["closed_at"])
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    """Take out a question nobody has answered (one with answers can only be closed)."""
    _check_questions(actor, question.questionnaire)
    if question_has_answers(question):
        raise ValidationError(
            "People have answered this question, so it can't be taken out: close it instead."
        )
    product_id = question.questionnaire.product_id
    question.delete()
    summaries_mark_stale(product_ids=[product_id])


@transaction.atomic
def question_move(*, actor: User, question: Question, up: bool) -> None:
    """Swap a question with the one before (or after) it in its own section (pages show the
    questions section by section)."""
    _check_questions(actor, question.questionnaire)
    siblings = list(question.questionnaire.questions.order_by("position", "pk"))
    index = siblings.index(question)
    step = -1 if up else 1
    other = index + step
    while 0 <= other < len(siblings) and siblings[other].section_id != question.section_id:
        other += step
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, one in enumerate(siblings, 1):
            if one.position != position:
                Question.objects.filter(pk=one.pk).update(position=position)


# ---------------------------------------------------------------------------------------------
# A product's standard pre and post questionnaires (the template copied to each delivery)

REACTION_STATEMENTS = [
    ("useful", "I found the sessions useful."),
    ("recommend", "I would recommend the sessions to others."),
    ("led-well", "The people leading the sessions led them well."),
    ("supported", "I felt supported by the other participants and the people leading."),
]
NEXT_STEPS_QUESTIONS = [
    ("helped-most", "What helped you most in the sessions?", QuestionPurpose.OTHER),
    ("could-be-better", "What could make the sessions better?", QuestionPurpose.OTHER),
    ("will-do-next", "What will you do with what you learned?", QuestionPurpose.NEXT_STEPS),
]


@transaction.atomic
def standard_questionnaires_make(
    *,
    actor: User | None,
    product: LearningProduct,
    about_you: Iterable[tuple[str, str, list[str]]] = (),
    pairing: bool = False,
) -> tuple[Questionnaire, Questionnaire]:
    """Make a product's standard pre and post questionnaires from its intended learning
    outcomes: the same agree-or-disagree statement for each outcome before and after, and
    after, four reaction statements and three questions in people's own words. `about_you`
    adds choose-one questions (code, text, options) to the start of both. The questionnaires
    are then linked to the first and last session of every delivery, and of every new one."""
    if actor is not None:
        _check(actor, product.organisation_id)
    if product.questionnaires.filter(is_standard=True).exists():
        raise ValidationError("This product already has its standard questionnaires.")
    from powershare.learning.selectors import version_current

    outcomes = list(version_current(product=product).outcomes.order_by("position"))
    base = product.slug[:50]
    # Codes are unique everywhere; another organisation may have a product of the same name.
    suffix = ""
    while Questionnaire.objects.filter(
        code__in=[f"{base}{suffix}-{k}" for k in (QuestionnaireKind.PRE, QuestionnaireKind.POST)]
    ).exists():
        suffix = f"-{secrets.token_hex(2)}"
    base = f"{base}{suffix}"
    made = []
    for kind in (QuestionnaireKind.PRE, QuestionnaireKind.POST):
        before = kind == QuestionnaireKind.PRE
        questionnaire = questionnaire_create(
            actor=actor,
            organisation_id=product.organisation_id,
            code=f"{base}-{kind}",
            title=f"{product.title}: {'before' if before else 'after'} the learning",
            kind=kind,
            product=product,
            is_standard=True,
            intro=(
                "Please answer before your first session. There are no right or wrong "
                "answers. Your answers are anonymous: we don't ask your name and can't tell "
                "who said what."
                if before
                else "Please answer after your last session. Your answers are anonymous: we "
                "don't ask your name and can't tell who said what."
            ),
            thank_you="Thank you. Your answers help us make the learning better.",
            paired_with=made[0] if made else None,
            ask_pairing_code=pairing,
        )
        if about_you:
            section = section_add(actor=actor, questionnaire=questionnaire, title="About you")
            for code, text, options in about_you:
                question_add(
                    actor=actor,
                    questionnaire=questionnaire,
                    section=section,
                    code=code,
                    text=text,
                    type=QuestionType.SINGLE,
                    purpose=QuestionPurpose.ABOUT_YOU,
                    choices=options,
                )
        section = section_add(
            actor=actor,
            questionnaire=questionnaire,
            title="What you know now" if before else "What you know after the learning",
            intro="How much do you agree with each statement?",
        )
        for outcome in outcomes:
            question_add(
                actor=actor,
                questionnaire=questionnaire,
                section=section,
                code=f"ilo-{outcome.position}",
                text=outcome.text,
                type=QuestionType.LIKERT,
                purpose=QuestionPurpose.OUTCOME,
                allow_prefer_not=True,
                outcome=outcome,
            )
        if not before:
            section = section_add(
                actor=actor,
                questionnaire=questionnaire,
                title="How the sessions went",
                intro="How much do you agree with each statement?",
            )
            for code, text in REACTION_STATEMENTS:
                question_add(
                    actor=actor,
                    questionnaire=questionnaire,
                    section=section,
                    code=code,
                    text=text,
                    type=QuestionType.LIKERT,
                    purpose=QuestionPurpose.REACTION,
                    allow_prefer_not=True,
                )
            section = section_add(actor=actor, questionnaire=questionnaire, title="In your words")
            for code, text, purpose in NEXT_STEPS_QUESTIONS:
                question_add(
                    actor=actor,
                    questionnaire=questionnaire,
                    section=section,
                    code=code,
                    text=text,
                    type=QuestionType.TEXT,
                    purpose=purpose,
                    quotable=True,
                    help_text="We may quote what you write in reports, without anything that "
                    "could identify you. Please don't include names.",
                )
        made.append(questionnaire)
    return made[0], made[1]


def _default_dates(kind: str, session: DeliverySession) -> tuple[datetime.date, datetime.date]:
    if kind == QuestionnaireKind.PRE:
        return session.date - datetime.timedelta(days=PRE_OPENS_DAYS_BEFORE), session.date
    return session.date, session.date + datetime.timedelta(days=POST_CLOSES_DAYS_AFTER)


def _session_for(kind: str, delivery: Delivery) -> DeliverySession | None:
    sessions = delivery.sessions.order_by("number")
    return sessions.first() if kind == QuestionnaireKind.PRE else sessions.last()


@transaction.atomic
def links_ensure_for_delivery(*, delivery: Delivery) -> list[AnswerLink]:
    """Give a delivery a link for each of its product's standard questionnaires: the pre on
    the first session, the post on the last. Links whose dates nobody changed by hand follow
    the session's date. Responses keep the session they were given at."""
    made = []
    if delivery.cancelled_at is not None:
        return made
    for questionnaire in Questionnaire.objects.filter(
        product_id=delivery.product_id, is_standard=True
    ):
        session = _session_for(questionnaire.kind, delivery)
        if session is None:
            continue
        link = AnswerLink.objects.filter(questionnaire=questionnaire, delivery=delivery).first()
        opens_on, closes_on = _default_dates(questionnaire.kind, session)
        if link is None:
            made.append(
                AnswerLink.objects.create(
                    questionnaire=questionnaire,
                    delivery=delivery,
                    session=session,
                    opens_on=opens_on,
                    closes_on=closes_on,
                )
            )
        else:
            # The link (and its printed QR code) stays the same; it moves to the session now
            # first or last, and its dates follow that session unless someone set them.
            link.session = session
            if not link.dates_set_by_hand:
                link.opens_on, link.closes_on = opens_on, closes_on
            link.save(update_fields=["session", "opens_on", "closes_on"])
    return made


def links_ensure_for_product(*, product: LearningProduct) -> None:
    for delivery in product.deliveries.filter(cancelled_at__isnull=True):
        links_ensure_for_delivery(delivery=delivery)


def _check_link_dates(opens_on, closes_on) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError(
            {"closes_on": "The closing date must be on or after the opening date."}
        )


@transaction.atomic
def link_create(
    *,
    actor: User,
    questionnaire: Questionnaire,
    opens_on: datetime.date,
    closes_on: datetime.date,
    session: DeliverySession | None = None,
    needs_code: bool = False,
) -> AnswerLink:
    _check(actor, questionnaire.organisation_id)
    if questionnaire.kind == QuestionnaireKind.NATIONAL:
        # A council's return is named and filled in by its survey respondent, never opened by
        # an anonymous answer link or QR code.
        raise ValidationError(
            "The national survey is answered by each council's survey respondent in "
            "PowerShare, so it has no answer links or QR codes."
        )
    _check_link_dates(opens_on, closes_on)
    if session is not None:
        delivery = session.delivery
        if questionnaire.product_id and delivery.product_id != questionnaire.product_id:
            raise ValidationError({"session": "Choose a session of this product's deliveries."})
        if delivery.organisation_id != questionnaire.organisation_id:
            raise ValidationError(
                {"session": "Choose a session of your organisation's deliveries."}
            )
        if AnswerLink.objects.filter(questionnaire=questionnaire, session=session).exists():
            raise ValidationError(
                {"session": "This session already has a link to this questionnaire."}
            )
    return AnswerLink.objects.create(
        questionnaire=questionnaire,
        delivery=session.delivery if session else None,
        session=session,
        opens_on=opens_on,
        closes_on=closes_on,
        needs_code=needs_code,
        dates_set_by_hand=True,
    )


@transaction.atomic
def link_update(
    *,
    actor: User,
    link: AnswerLink,
    opens_on: datetime.date,
    closes_on: datetime.date,
    needs_code: bool,
) -> AnswerLink:
    _check(actor, link.questionnaire.organisation_id)
    _check_link_dates(opens_on, closes_on)
    link.opens_on, link.closes_on, link.needs_code = opens_on, closes_on, needs_code
    link.dates_set_by_hand = True
    link.save(update_fields=["opens_on", "closes_on", "needs_code", "dates_set_by_hand"])
    return link


@transaction.atomic
def link_close_now(*, actor: User, link: AnswerLink) -> AnswerLink:
    _check(actor, link.questionnaire.organisation_id)
    today = timezone.localdate()
    link.closes_on = min(link.closes_on, today - datetime.timedelta(days=1))
    link.opens_on = min(link.opens_on, link.closes_on)
    link.dates_set_by_hand = True
    link.save(update_fields=["opens_on", "closes_on", "dates_set_by_hand"])
    return link


def _paper_code() -> str:
    return "".join(secrets.choice(PAPER_CODE_ALPHABET) for _ in range(8))


@transaction.atomic
def paper_codes_make(*, actor: User, link: AnswerLink, count: int) -> list[PaperCode]:
    _check(actor, link.questionnaire.organisation_id)
    if not 1 <= count <= MAX_PAPER_CODES:
        raise ValidationError({"count": f"Make between 1 and {MAX_PAPER_CODES} codes at a time."})
    codes = set()
    while len(codes) < count:
        code = _paper_code()
        if code not in codes and not PaperCode.objects.filter(code=code).exists():
            codes.add(code)
    return PaperCode.objects.bulk_create(PaperCode(link=link, code=code) for code in sorted(codes))


# ---------------------------------------------------------------------------------------------
# Answering (anonymous)


def pair_key(*, questionnaire: Questionnaire, code: str) -> str:
    """HMAC of a made-up pairing code: the same code gives the same key before and after."""
    normalised = "".join((code or "").split()).casefold()
    if not normalised:
        return ""
    secret = questionnaire.secret_for_pairing.encode()
    return hmac.new(secret, normalised.encode(), hashlib.sha256).hexdigest()


def answer_value_check(question: Question, value: int) -> int:
    """The stored small integer for one answer, or ValueError."""
    value = int(value)
    if question.type == QuestionType.LIKERT:
        if value in LIKERT_LABELS or (value == PREFER_NOT and question.allow_prefer_not):
            return value
    elif question.type == QuestionType.YES_NO:
        if value in (0, 1):
            return value
    elif question.type in CHOICE_TYPES:
        choice_values = getattr(question, "choice_values", None)
        if choice_values is None:
            choice_values = set(question.choices.values_list("value", flat=True))
        if value in choice_values:
            return value
    elif question.type == QuestionType.NUMBER and NUMBER_MIN <= value <= NUMBER_MAX:
        return value
    raise ValueError(f"{value} is not an allowed answer to {question.code}")


def _open_questions(
    questionnaire: Questionnaire, given: Iterable[Question] | None
) -> dict[int, Question]:
    """The questionnaire's open questions by id, each with `choice_values` (its options'
    values) for answer_value_check. Questions given are used as they are (only this
    questionnaire's open ones), their options taken from what was fetched with them."""
    if given is not None:
        questions = {
            q.pk: q for q in given if q.questionnaire_id == questionnaire.pk and q.closed_at is None
        }
        for question in questions.values():
            if question.type in CHOICE_TYPES:
                question.choice_values = {c.value for c in question.choices.all()}
        return questions
    questions = {q.pk: q for q in questionnaire.questions.filter(closed_at__isnull=True)}
    choice_values: dict[int, set[int]] = {}
    if any(q.type in CHOICE_TYPES for q in questions.values()):
        for question_id, value in Choice.objects.filter(question__in=questions).values_list(
            "question_id", "value"
        ):
            choice_values.setdefault(question_id, set()).add(value)
    for question in questions.values():
        question.choice_values = choice_values.get(question.pk, set())
    return questions


@transaction.atomic
def response_submit(
    *,
    link: AnswerLink,
    answers: dict[int, int | list[int]],
    texts: dict[int, str] | None = None,
    paper_code: str = "",
    pairing_code: str = "",
    today: datetime.date | None = None,
    questions: Iterable[Question] | None = None,
) -> QuestionnaireResponse:
    """Store one person's answers. `answers` maps question ids to a stored value (a list for
    choose-any); `texts` maps question ids to their words. Nothing identifying is stored.
    `questions` may give the questionnaire's questions as the answer page already read them
    (selectors.question_list, with their options), so they are not read twice."""
    today = today or timezone.localdate()
    if not link.is_open_on(today):
        raise ValidationError("This questionnaire is not open for answers today.")
    if link.needs_code:
        code = "".join((paper_code or "").split()).upper()
        # Deleted, not marked: nothing is left to say which response used which code.
        deleted, _ = PaperCode.objects.filter(link=link, code=code).delete()
        if not deleted:
            raise ValidationError(
                {
                    "paper_code": "That code isn't one of ours or has been used already. Check "
                    "the code on your sheet, or ask the person running the session for another."
                }
            )
        AnswerLink.objects.filter(pk=link.pk).update(paper_codes_used=F("paper_codes_used") + 1)
    questionnaire = link.questionnaire
    questions = _open_questions(questionnaire, questions)
    rows = []
    for question_id, value in answers.items():
        question = questions.get(int(question_id))
        if question is None or question.type == QuestionType.TEXT:
            continue
        values = value if isinstance(value, (list, tuple, set)) else [value]
        if question.type != QuestionType.MULTIPLE and len(values) > 1:
            raise ValidationError({question.code: "Choose one answer."})
        for one in sorted(set(values)):
            try:
                rows.append((question, answer_value_check(question, one)))
            except (ValueError, TypeError):
                raise ValidationError(
                    {question.code: "That answer isn't one of the options."}
                ) from None
    text_rows = []
    for question_id, words in (texts or {}).items():
        question = questions.get(int(question_id))
        words = (words or "").strip()[:MAX_TEXT_ANSWER]
        if question is not None and question.type == QuestionType.TEXT and words:
            text_rows.append((question, words))
    answered = {q.pk for q, _ in rows} | {q.pk for q, _ in text_rows}
    if not answered:
        raise ValidationError("Answer at least one question, then send your answers.")
    missing = [q for q in questions.values() if q.required and q.pk not in answered]
    if missing:
        raise ValidationError({q.code: "Please answer this question." for q in missing})
    delivery = link.delivery
    response = QuestionnaireResponse.objects.create(
        questionnaire=questionnaire,
        link=link,
        delivery=delivery,
        session_id=link.session_id,
        site_id=delivery.site_id if delivery else None,
        submitted_on=today,
        source=ResponseSource.ONLINE,
        pair_key=pair_key(questionnaire=questionnaire, code=pairing_code)
        if questionnaire.ask_pairing_code
        else "",
    )
    Answer.objects.bulk_create(
        Answer(response=response, question_id=q.pk, value=v) for q, v in rows
    )
    TextAnswer.objects.bulk_create(
        TextAnswer(response=response, question_id=q.pk, text=t) for q, t in text_rows
    )
    # The summary of learning's PDF goes out of date through the tallies' count of responses
    # (selectors.summaries_stale): nothing about the summary is written here.
    tallies.tallies_add(response_id=response.pk)
    return response


# ---------------------------------------------------------------------------------------------
# Imports (all or nothing): see importing.py for reading the file


@transaction.atomic
def responses_import(*, actor: User | None, plan) -> ImportBatch:
    """Store a checked import plan (importing.ImportPlan) in one transaction. With
    `plan.create`, the questionnaire and its questions are made first."""
    if plan.errors:
        raise ValidationError("The file has problems: nothing was imported.")
    questionnaire = plan.questionnaire
    if questionnaire is None:
        questionnaire = questionnaire_create(
            actor=actor,
            organisation_id=plan.organisation_id,
            code=plan.code,
            title=plan.title or plan.code,
            kind=plan.kind,
            product=plan.product,
        )
        for column in plan.columns:
            column.question = question_add(
                actor=actor,
                questionnaire=questionnaire,
                code=column.code,
                text=column.header,
                type=column.type,
            )
    elif actor is not None:
        _check(actor, questionnaire.organisation_id)
    batch = ImportBatch.objects.create(
        questionnaire=questionnaire,
        file_name=plan.file_name[:200],
        rows=len(plan.rows),
        imported_by=actor,
    )
    today = timezone.localdate()
    # Stored in a random order: whoever holds the file can't match its rows to responses.
    rows = list(plan.rows)
    random.SystemRandom().shuffle(rows)
    responses = QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            questionnaire=questionnaire,
            site=row.site,
            site_label="" if row.site else row.site_label,
            submitted_on=row.day or today,
            source=ResponseSource.IMPORT,
            import_batch=batch,
        )
        for row in rows
    )
    if responses and responses[0].pk is None:  # backends that don't return ids (none we use)
        responses = list(batch.responses.order_by("pk"))
    answers, texts = [], []
    for response, row in zip(responses, rows, strict=True):
        for index, value in row.values:
            column = plan.columns[index]
            if column.type == QuestionType.TEXT:
                texts.append(TextAnswer(response=response, question=column.question, text=value))
            else:
                answers.append(Answer(response=response, question=column.question, value=value))
    Answer.objects.bulk_create(answers, batch_size=5000)
    TextAnswer.objects.bulk_create(texts, batch_size=2000)
    tallies.tallies_add(import_batch_id=batch.pk)
    summaries_mark_stale(product_ids=[questionnaire.product_id])
    return batch


@transaction.atomic
def import_undo(*, actor: User, batch: ImportBatch) -> int:
    """Take out every response one import brought in (a wrong file, say)."""
    _check(actor, batch.questionnaire.organisation_id)
    count = batch.rows
    product_id = batch.questionnaire.product_id
    tallies.tallies_remove(import_batch_id=batch.pk)
    batch.delete()
    summaries_mark_stale(product_ids=[product_id])
    return count


# ---------------------------------------------------------------------------------------------
# The summary of learning

SUMMARY_FIELDS = (
    "background",
    "evaluation_method",
    "key_learning",
    "feedback_loop",
    "next_steps",
    "plain_summary",
)


def summary_for(*, product: LearningProduct) -> LearningSummary:
    summary, _ = LearningSummary.objects.get_or_create(product=product)
    return summary


def summaries_mark_stale(*, product_ids: Iterable[int | None]) -> None:
    """Data in these products' summaries changed: the PDF is remade in the background."""
    ids = [pk for pk in set(product_ids) if pk]
    if ids:
        LearningSummary.objects.filter(product_id__in=ids, needs_remaking=False).exclude(
            status=SummaryStatus.NOT_MADE
        ).update(needs_remaking=True)


def summaries_take_down(*, product_ids: Iterable[int]) -> None:
    """Delete these products' made PDFs now (they may quote words that can no longer be used
    as they are) and make them again in the background, through the consent rule. A PDF being
    made at this moment is thrown away when it is finished (see summary_store_pdf)."""
    ids = [pk for pk in set(product_ids) if pk]
    summaries = LearningSummary.objects.filter(product_id__in=ids).exclude(
        status=SummaryStatus.NOT_MADE, pdf=""
    )
    for summary in summaries.select_related("product"):
        name = summary.pdf.name
        busy = summary.status in (SummaryStatus.QUEUED, SummaryStatus.MAKING)
        LearningSummary.objects.filter(pk=summary.pk).update(
            pdf="",
            status=summary.status if busy else SummaryStatus.NOT_MADE,
            made_at=None,
            needs_remaking=False,
            taken_down_at=timezone.now(),
        )
        if name:
            transaction.on_commit(
                lambda name=name, storage=summary.pdf.storage: storage.delete(name)
            )
        if not busy:
            transaction.on_commit(
                lambda product=summary.product: summary_request(actor=None, product=product)
            )


@transaction.atomic
def summary_update(*, actor: User, product: LearningProduct, **narrative) -> LearningSummary:
    _check(actor, product.organisation_id)
    unknown = set(narrative) - set(SUMMARY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    summary = summary_for(product=product)
    for field, value in narrative.items():
        setattr(summary, field, _text(value, 20000))
    summary.updated_by = actor
    summary.save()
    summaries_mark_stale(product_ids=[product.pk])
    return summary


def summary_request(*, actor: User | None, product: LearningProduct) -> LearningSummary:
    """Queue the PDF to be made (or remade). The page shows its progress."""
    if actor is not None:
        _check(actor, product.organisation_id)
    summary = summary_for(product=product)
    if summary.status in (SummaryStatus.QUEUED, SummaryStatus.MAKING):
        return summary
    LearningSummary.objects.filter(pk=summary.pk).update(
        status=SummaryStatus.QUEUED, progress=0, error=""
    )
    from .tasks import learning_summary_make

    transaction.on_commit(lambda: learning_summary_make.enqueue(summary.pk))
    summary.refresh_from_db()
    return summary


def summary_making_start(*, summary_id: int) -> None:
    """The PDF is being made from the data as it is now: changes from here on (which set
    needs_remaking again, or change the count of responses) get it made once more."""
    LearningSummary.objects.filter(pk=summary_id).update(
        status=SummaryStatus.MAKING,
        progress=5,
        needs_remaking=False,
        responses_when_made=tallies.product_responses(),
    )


def summary_progress(*, summary_id: int, progress: int, status: str = SummaryStatus.MAKING) -> None:
    LearningSummary.objects.filter(pk=summary_id).update(progress=progress, status=status)


def summary_store_pdf(*, summary_id: int, pdf: bytes, started_at: datetime.datetime) -> None:
    from django.core.files.base import ContentFile

    summary = LearningSummary.objects.get(pk=summary_id)
    if summary.taken_down_at is not None and summary.taken_down_at >= started_at:
        # Words in it were withdrawn while it was being made: throw it away and make it again.
        LearningSummary.objects.filter(pk=summary_id).update(status=SummaryStatus.NOT_MADE)
        summary_request(actor=None, product=summary.product)
        return
    old = summary.pdf.name
    summary.pdf.save(
        f"summary-{summary.product_id}-{secrets.token_hex(8)}.pdf", ContentFile(pdf), save=False
    )
    summary.status = SummaryStatus.READY
    summary.progress = 100
    summary.made_at = timezone.now()
    summary.error = ""
    summary.save(update_fields=["pdf", "status", "progress", "made_at", "error", "updated_at"])
    if old and old != summary.pdf.name:
        summary.pdf.storage.delete(old)


def summary_failed(*, summary_id: int, error: str) -> None:
    LearningSummary.objects.filter(pk=summary_id).update(
        status=SummaryStatus.FAILED, error=error[:300], progress=0
    )


# ---------------------------------------------------------------------------------------------
# The feedback loop: the plain-English summary to the people who co-designed the product


class SummaryFeedbackSent:
    """What summary_feedback_send did: `sent` holds (activity, letter, recipients) for each
    letter sent; `skipped` holds (activity, why) for each co-design activity it did not go to."""

    def __init__(self):
        self.sent: list[tuple] = []
        self.skipped: list[tuple] = []


#: Accountability's limit on a letter's opening.
LETTER_OPENING_MAX = 10_000


@transaction.atomic
def summary_feedback_send(
    *, actor: User, product: LearningProduct, domain: str = "localhost", use_https: bool = False
) -> SummaryFeedbackSent:
    """Send the plain-English summary of learning to the people who co-designed the product:
    for each activity in its co-design record, a "you said, we did" letter (issue 5's
    mechanism, accountability.services) whose opening carries the summary and its headline
    figures. Sending goes through accountability's letter_send, so it reaches exactly whom a
    feedback letter reaches, as each person agreed (portal, email, post, partners for anonymous
    groups, nobody who has not agreed to be contacted), and the date is recorded for each.
    Replies come back as contributions of the activity (the portal, staff capturing what
    someone said, or group_replies_record on the letter), so they get a response in turn.

    An activity is skipped, with the reason, when it was cancelled, has contributions without a
    response, has a letter being written, or has already been sent these exact words: nothing
    is sent twice. Refused (ValidationError) when there is no plain-English summary, no
    co-design activity, or nothing could be sent."""
    from powershare.accountability import services as accountability

    from . import selectors

    _check(actor, product.organisation_id)
    # One sender at a time per product: a second click waits, then finds the words sent.
    summary = summary_for(product=product)
    LearningSummary.objects.select_for_update().filter(pk=summary.pk).first()
    plan = selectors.summary_feedback_for(product=product)
    if not plan.plain_summary:
        raise ValidationError(
            {
                "plain_summary": "Write the plain-English summary first: it is what people "
                "who shaped the learning will read."
            }
        )
    if len(plan.opening) > LETTER_OPENING_MAX:
        raise ValidationError(
            {
                "plain_summary": "The plain-English summary is too long for a letter. Keep it "
                "to about a page: under 9,000 characters."
            }
        )
    if not plan.activities:
        raise ValidationError(
            "No co-design activities are recorded for this learning, so there is nobody to send "
            "the summary to. Record who shaped it first."
        )
    result = SummaryFeedbackSent()
    for item in plan.activities:
        activity = item.activity
        if item.problem:
            result.skipped.append((activity, item.problem))
            continue
        try:
            with transaction.atomic():
                letter = accountability.letter_draft_start(actor=actor, activity=activity)
                letter = accountability.letter_update(
                    actor=actor,
                    letter=letter,
                    subject=plan.subject,
                    opening=plan.opening,
                    closing=plan.closing,
                )
                recipients = accountability.letter_send(
                    actor=actor, letter=letter, domain=domain, use_https=use_https
                )
        except ValidationError as error:
            result.skipped.append((activity, " ".join(error.messages)))
            continue
        result.sent.append((activity, letter, recipients))
    if not result.sent:
        raise ValidationError(
            [f"{activity.title}: {why}" for activity, why in result.skipped]
            or ["Nothing could be sent."]
        )
    return result


IMPORT_UPLOADS_FOLDER = "evaluation-imports/"


def import_uploads_sweep(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete files of answers someone checked on the import page but never imported."""
    from django.core.files.storage import default_storage

    try:
        _, files = default_storage.listdir(IMPORT_UPLOADS_FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    removed = 0
    for name in files:
        path = f"{IMPORT_UPLOADS_FOLDER}{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:
            continue
    return removed
