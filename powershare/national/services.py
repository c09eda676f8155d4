"""Every change to the national survey: rounds, their questions and councils, returns.

Rounds and their questions are the national coordinator's (RUN_NATIONAL_SURVEY in the body
running the round); a return is its council's survey respondents' (RESPOND_TO_NATIONAL_SURVEY
in that council). A sent return is locked until the coordinator reopens it.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from powershare.accounts.models import Organisation, OrganisationKind, User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.evaluation import services as evaluation_services
from powershare.evaluation.models import (
    Answer,
    Choice,
    Question,
    QuestionnaireKind,
    QuestionnaireResponse,
    QuestionPurpose,
    QuestionType,
    ResponseSource,
    Section,
    TextAnswer,
)
from powershare.evaluation.tallies import tallies_add, tallies_remove

from .models import CouncilReturn, ReturnSource, ReturnStatus, SurveyRound

MAX_TEXT = 4000
EARLIEST_YEAR, LATEST_YEAR = 2020, 2100

# ---------------------------------------------------------------------------------------------
# The standard questions (our own words; the outcomes are the NTTP logic model's short-term ones)

OUTCOMES = [
    (
        "early-signs-knowledge",
        "Have you seen early signs that staff know more about adjusting how they work so that "
        "it takes account of trauma, does no harm and supports recovery and resilience?",
    ),
    (
        "early-signs-understanding",
        "Have you seen early signs that staff better understand how common trauma is and how it "
        "affects them and the people and communities they serve?",
    ),
    (
        "early-signs-leadership",
        "Have you seen early signs that leaders at every level understand, drive and inspire a "
        "trauma-informed approach where they have influence?",
    ),
    (
        "early-signs-environments",
        "Have you seen early signs that services and systems offer places, relationships and "
        "ways of working that recognise trauma and its effects?",
    ),
    (
        "early-signs-wellbeing",
        "Have you seen early signs that staff feel their wellbeing is valued, with time and "
        "space to get support before and after things go wrong?",
    ),
]
STEERING_GROUP = (
    "steering-group",
    "Does your area have a multi-agency steering group leading and overseeing this work?",
)
ENABLERS = [
    "Commitment of local services and practitioners",
    "Leaders' buy-in and the organisation's commitment",
    "Extra Scottish Government funding",
    "Training and support from national partners",
    "A trauma lead officer in post",
]
BARRIERS = [
    "Staff turnover and hard-to-fill posts",
    "Staff wellbeing and capacity",
    "Uncertain or too little funding",
    "Getting suitable training for staff",
    "Too little commitment from leaders or the organisation",
]
EXAMPLES_SUFFIX = "-examples"
EXAMPLES_HELP = "Tell us what you have seen. Say below whether we may quote it."


def standard_questions(driver_names: list[str]) -> list[dict]:
    """The round's questions, section by section: dicts for evaluation's question_add."""
    outcome_questions = []
    for code, text in OUTCOMES:
        outcome_questions.append(
            {
                "code": code,
                "text": text,
                "type": QuestionType.YES_NO,
                "required": True,
                "purpose": QuestionPurpose.OUTCOME,
            }
        )
        outcome_questions.append(
            {
                "code": code + EXAMPLES_SUFFIX,
                "text": "What early signs have you seen?",
                "type": QuestionType.TEXT,
                "help_text": EXAMPLES_HELP,
            }
        )
    return [
        {
            "title": "Early signs of the short-term outcomes",
            "intro": "For each outcome, say whether your area has seen early signs or evidence "
            "of it this year, with examples where you have them.",
            "questions": outcome_questions,
        },
        {
            "title": "Activity across the Roadmap's drivers",
            "intro": "Which parts of the Roadmap for trauma-informed and responsive change has "
            "your area worked on this year?",
            "questions": [
                {
                    "code": "driver-activity",
                    "text": "In which drivers has your area been active?",
                    "type": QuestionType.MULTIPLE,
                    "choices": driver_names,
                },
                {
                    "code": "driver-activity" + EXAMPLES_SUFFIX,
                    "text": "Give examples of your activity under these drivers.",
                    "type": QuestionType.TEXT,
                    "help_text": EXAMPLES_HELP,
                },
                {
                    "code": STEERING_GROUP[0],
                    "text": STEERING_GROUP[1],
                    "type": QuestionType.YES_NO,
                    "required": True,
                },
            ],
        },
        {
            "title": "What helps and what gets in the way",
            "intro": "",
            "questions": [
                {
                    "code": "enablers",
                    "text": "What has helped your area make progress?",
                    "type": QuestionType.MULTIPLE,
                    "choices": ENABLERS,
                },
                {
                    "code": "enablers" + EXAMPLES_SUFFIX,
                    "text": "Tell us more about what helped.",
                    "type": QuestionType.TEXT,
                    "help_text": EXAMPLES_HELP,
                },
                {
                    "code": "barriers",
                    "text": "What has got in the way?",
                    "type": QuestionType.MULTIPLE,
                    "choices": BARRIERS,
                },
                {
                    "code": "barriers" + EXAMPLES_SUFFIX,
                    "text": "Tell us more about what got in the way.",
                    "type": QuestionType.TEXT,
                    "help_text": EXAMPLES_HELP,
                },
            ],
        },
        {
            "title": "Anything else",
            "intro": "",
            "questions": [
                {
                    "code": "anything-else",
                    "text": "Is there anything else you would like the national team to know?",
                    "type": QuestionType.TEXT,
                    "help_text": EXAMPLES_HELP,
                },
            ],
        },
    ]


def _roadmap_driver_names(organisation_id: int | None) -> list[str]:
    from powershare.improvement import selectors as improvement_selectors

    framework = improvement_selectors.roadmap()
    if framework is None:
        return []
    version = improvement_selectors.version_current(
        framework=framework, organisation_id=organisation_id
    )
    if version is None:
        return []
    content = improvement_selectors.version_with_content(version.pk)
    return [driver.name for stage in content.stages.all() for driver in stage.drivers.all()]


# ---------------------------------------------------------------------------------------------
# Who may do what


def check_runs(actor: User | None, organisation_id: int) -> None:
    """Only the national coordinator of the body running a round changes it. None is the
    command line (an administrator of the service)."""
    if actor is None:
        return
    if not user_can(
        user=actor, capability=Capability.RUN_NATIONAL_SURVEY, organisation_id=organisation_id
    ):
        raise PermissionDenied("Only the national coordinator can change the national survey.")


def check_responds(actor: User, council_return: CouncilReturn) -> None:
    if not user_can(
        user=actor,
        capability=Capability.RESPOND_TO_NATIONAL_SURVEY,
        organisation_id=council_return.council_id,
    ):
        raise PermissionDenied("Only your council's survey respondents can change its return.")


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def council_choices() -> list[Organisation]:
    """The councils a round can invite: every local authority, the 32 shipped ones first."""
    return list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name"))


def _default_council_ids() -> list[int]:
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY, is_reference=True
        ).values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Rounds


def _check_round(*, year, opens_on, closes_on, exclude_pk=None) -> None:
    errors = {}
    if year is None or not (EARLIEST_YEAR <= int(year) <= LATEST_YEAR):
        errors["year"] = (
            f"Enter the year the report is published, between {EARLIEST_YEAR} and "
            f"{LATEST_YEAR}: round 2025 covers 2024/25."
        )
    elif SurveyRound.objects.filter(year=year).exclude(pk=exclude_pk).exists():
        errors["year"] = f"There is already a round for {year}: open it, or choose another year."
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = "Returns can't be due before the round opens: choose a later date."
    if errors:
        raise ValidationError(errors)


def _add_questions(*, actor, questionnaire, sections: list[dict]) -> None:
    for number, spec in enumerate(sections, 1):
        section = Section.objects.create(
            questionnaire=questionnaire,
            position=number,
            title=spec["title"],
            intro=spec.get("intro", ""),
        )
        for question in spec["questions"]:
            evaluation_services.question_add(
                actor=actor, questionnaire=questionnaire, section=section, **question
            )


@transaction.atomic
def round_create(
    *,
    actor: User | None,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    organisation_id: int | None = None,
    title: str = "",
    council_ids: list[int] | None = None,
    standard: bool = True,
) -> SurveyRound:
    """A new round with its questionnaire, inviting `council_ids` (every shipped council when
    None). `standard` adds the standard questions (the Roadmap's drivers as options)."""
    if organisation_id is None:
        ids = organisation_ids_where(user=actor, capability=Capability.RUN_NATIONAL_SURVEY)
        if not ids:
            raise PermissionDenied("Only the national coordinator can start a survey round.")
        organisation_id = ids[0]
    check_runs(actor, organisation_id)
    _check_round(year=year, opens_on=opens_on, closes_on=closes_on)
    year = int(year)
    questionnaire = evaluation_services.questionnaire_create(
        actor=None,
        organisation_id=organisation_id,
        code=f"national-survey-{year}",
        title=_text(title, 200) or f"National learning survey {year}",
        kind=QuestionnaireKind.NATIONAL,
        intro="One return per council. Save as you go; send it when your council agrees it.",
    )
    survey_round = SurveyRound.objects.create(
        organisation_id=organisation_id,
        created_by=actor,
        year=year,
        title=questionnaire.title,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    if standard:
        _add_questions(
            actor=None,
            questionnaire=questionnaire,
            sections=standard_questions(_roadmap_driver_names(None)),
        )
    round_councils_set(
        actor=actor,
        survey_round=survey_round,
        council_ids=_default_council_ids() if council_ids is None else council_ids,
    )
    return survey_round


ROUND_FIELDS = {"title", "opens_on", "closes_on", "key_messages", "recommendations"}


@transaction.atomic
def round_update(*, actor: User, survey_round: SurveyRound, **changes) -> SurveyRound:
    check_runs(actor, survey_round.organisation_id)
    unknown = set(changes) - ROUND_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    _check_round(
        year=survey_round.year,
        opens_on=changes.get("opens_on", survey_round.opens_on),
        closes_on=changes.get("closes_on", survey_round.closes_on),
        exclude_pk=survey_round.pk,
    )
    for name, value in changes.items():
        if name == "title":
            value = _text(value, 200) or survey_round.title
        elif name in ("key_messages", "recommendations"):
            value = _text(value, 20000)
        setattr(survey_round, name, value)
    survey_round.save()
    if "title" in changes:
        survey_round.questionnaire.title = survey_round.title
        survey_round.questionnaire.save(update_fields=["title"])
    return survey_round


@transaction.atomic
def round_councils_set(
    *, actor: User | None, survey_round: SurveyRound, council_ids: list[int]
) -> SurveyRound:
    """Invite exactly these councils. A council that has started its return stays invited."""
    check_runs(actor, survey_round.organisation_id)
    wanted = set(
        Organisation.objects.filter(
            pk__in=council_ids, kind=OrganisationKind.LOCAL_AUTHORITY
        ).values_list("pk", flat=True)
    )
    if not wanted:
        raise ValidationError({"councils": "Choose at least one council to take part."})
    # Locked, so no return can be started between reading its status and removing it.
    existing = dict(survey_round.returns.select_for_update().values_list("council_id", "status"))
    started = {pk for pk, status in existing.items() if status != ReturnStatus.NOT_STARTED} - wanted
    if started:
        names = ", ".join(
            Organisation.objects.filter(pk__in=started)
            .order_by("name")
            .values_list("name", flat=True)
        )
        raise ValidationError(
            {"councils": f"{names} started a return already, so they stay in this round."}
        )
    survey_round.returns.filter(
        council_id__in=set(existing) - wanted, status=ReturnStatus.NOT_STARTED
    ).delete()
    CouncilReturn.objects.bulk_create(
        CouncilReturn(round=survey_round, council_id=pk) for pk in sorted(wanted - set(existing))
    )
    return survey_round


@transaction.atomic
def round_copy(*, actor: User, survey_round: SurveyRound, year: int | None = None) -> SurveyRound:
    """The next year's round: the same councils, sections and questions (without answers or
    narrative), its dates a year on."""
    check_runs(actor, survey_round.organisation_id)
    year = int(year or survey_round.year + 1)

    def a_year_on(day: datetime.date) -> datetime.date:
        shift = year - survey_round.year
        try:
            return day.replace(year=day.year + shift)
        except ValueError:  # 29 February
            return day.replace(year=day.year + shift, day=28)

    new = round_create(
        actor=actor,
        year=year,
        opens_on=a_year_on(survey_round.opens_on),
        closes_on=a_year_on(survey_round.closes_on),
        organisation_id=survey_round.organisation_id,
        title=survey_round.title.replace(str(survey_round.year), str(year)),
        council_ids=list(survey_round.returns.values_list("council_id", flat=True)),
        standard=False,
    )
    new.copied_from = survey_round
    new.save(update_fields=["copied_from"])
    old_questionnaire = survey_round.questionnaire
    sections = {}
    for section in old_questionnaire.sections.all():
        sections[section.pk] = Section.objects.create(
            questionnaire=new.questionnaire,
            position=section.position,
            title=section.title,
            intro=section.intro,
        )
    for question in old_questionnaire.questions.filter(closed_at__isnull=True).prefetch_related(
        "choices"
    ):
        evaluation_services.question_add(
            actor=None,
            questionnaire=new.questionnaire,
            section=sections.get(question.section_id),
            code=question.code,
            text=question.text,
            type=question.type,
            purpose=question.purpose,
            help_text=question.help_text,
            required=question.required,
            choices=[c.label for c in question.choices.all()],
        )
    return new


# ---------------------------------------------------------------------------------------------
# Returns


def _questions(survey_round: SurveyRound) -> dict[int, Question]:
    questions = {
        q.pk: q
        for q in Question.objects.filter(
            questionnaire_id=survey_round.questionnaire_id, closed_at__isnull=True
        )
    }
    for question in questions.values():
        question.choice_values = set()
    for question_id, value in Choice.objects.filter(question__in=questions).values_list(
        "question_id", "value"
    ):
        questions[question_id].choice_values.add(value)
    return questions


def _store_answers(
    *,
    council_return: CouncilReturn,
    answers: dict,
    texts: dict,
    shareable: set,
    today: datetime.date,
    source: str = ResponseSource.ONLINE,
) -> set[int]:
    """Replace the return's answers to the open questions (answers to questions closed since
    stay: they are no longer asked, and still count). Returns the ids of the questions
    answered."""
    survey_round = council_return.round
    questions = _questions(survey_round)
    rows, text_rows, errors = [], [], {}
    for question_id, value in answers.items():
        question = questions.get(int(question_id))
        if question is None or question.type == QuestionType.TEXT:
            continue
        values = value if isinstance(value, (list, tuple, set)) else [value]
        values = [v for v in values if v not in (None, "")]
        if question.type != QuestionType.MULTIPLE and len(values) > 1:
            errors[question.code] = "Choose one answer."
            continue
        for one in sorted({int(v) for v in values}):
            try:
                rows.append((question, evaluation_services.answer_value_check(question, one)))
            except (TypeError, ValueError):
                errors[question.code] = "That answer isn't one of the options."
    for question_id, words in texts.items():
        question = questions.get(int(question_id))
        words = _text(words, MAX_TEXT)
        if question is not None and question.type == QuestionType.TEXT and words:
            text_rows.append((question, words, int(question_id) in shareable))
    if errors:
        raise ValidationError(errors)
    response = council_return.response
    if response is None:
        response = QuestionnaireResponse.objects.create(
            questionnaire_id=survey_round.questionnaire_id,
            site_id=council_return.council_id,
            submitted_on=today,
            source=source,
        )
        council_return.response = response
    else:
        response.submitted_on = today
        response.source = source
        response.save(update_fields=["submitted_on", "source"])
        # Counted out as it was, then in again as saved (evaluation.tallies).
        tallies_remove(response_id=response.pk)
        response.answers.filter(question_id__in=questions).delete()
        response.text_answers.filter(question_id__in=questions).delete()
    Answer.objects.bulk_create(Answer(response=response, question=q, value=v) for q, v in rows)
    TextAnswer.objects.bulk_create(
        TextAnswer(response=response, question=q, text=t, shareable=s) for q, t, s in text_rows
    )
    tallies_add(response_id=response.pk)
    return {q.pk for q, _ in rows} | {q.pk for q, _, _ in text_rows}


def _check_can_change(council_return: CouncilReturn) -> None:
    if council_return.is_locked:
        raise ValidationError(
            "This return has been sent, so it is locked. Ask the national coordinator to "
            "reopen it if something needs to change."
        )


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _check_open(survey_round: SurveyRound) -> None:
    if timezone.localdate() < survey_round.opens_on:
        raise ValidationError(
            f"The round opens on {_day(survey_round.opens_on)}: you can fill in your return "
            "from then."
        )


def return_save(
    *,
    actor: User,
    council_return: CouncilReturn,
    answers: dict,
    texts: dict | None = None,
    shareable: set | None = None,
    self_assessment=None,
    submit: bool = False,
) -> CouncilReturn:
    """Save the council's answers as a draft, or save and send them (`submit`). `answers` maps
    question ids to a stored value (a list for choose-any), `texts` question ids to words,
    `shareable` the ids of text questions whose words may be quoted. Nothing is saved before
    the round opens (a ValidationError).

    Sending with required questions unanswered saves the answers as a draft in an inner
    atomic block, then raises a ValidationError naming each missing question by code. Called
    on its own, the draft is committed before the error is raised, so nothing typed is lost.
    A caller inside an outer transaction (the page's submit-once wrapper) rolls the draft
    back with it when the error propagates, so it must save the draft again with
    submit=False after catching the error, as return_views does."""
    council_return, missing = _return_save(
        actor=actor,
        council_return=council_return,
        answers=answers,
        texts=texts,
        shareable=shareable,
        self_assessment=self_assessment,
        submit=submit,
    )
    if missing:
        raise ValidationError(
            {q.code: "Answer this question before you send the return." for q in missing}
        )
    return council_return


@transaction.atomic
def _return_save(
    *, actor, council_return, answers, texts, shareable, self_assessment, submit
) -> tuple[CouncilReturn, list[Question]]:
    check_responds(actor, council_return)
    council_return = (
        CouncilReturn.objects.select_for_update().select_related("round").get(pk=council_return.pk)
    )
    _check_can_change(council_return)
    _check_open(council_return.round)
    if self_assessment is not None and self_assessment.organisation_id != council_return.council_id:
        raise ValidationError({"self_assessment": "Choose one of your council's self-assessments."})
    now = timezone.now()
    answered = _store_answers(
        council_return=council_return,
        answers=answers,
        texts=texts or {},
        shareable=set(shareable or ()),
        today=timezone.localdate(),
    )
    if submit:
        missing = [
            q
            for q in _questions(council_return.round).values()
            if q.required and q.pk not in answered
        ]
        if missing:
            # The draft is kept: nothing typed is lost.
            council_return.status = ReturnStatus.DRAFT
            council_return.started_at = council_return.started_at or now
            council_return.saved_at = now
            council_return.self_assessment = self_assessment
            council_return.save()
            return council_return, missing
        council_return.status = ReturnStatus.SUBMITTED
        council_return.submitted_at = now
        council_return.submitted_by = actor
    else:
        council_return.status = ReturnStatus.DRAFT
    council_return.source = ReturnSource.ONLINE
    council_return.started_at = council_return.started_at or now
    council_return.saved_at = now
    council_return.self_assessment = self_assessment
    council_return.save()
    return council_return, []


@transaction.atomic
def return_reopen(*, actor: User, council_return: CouncilReturn, reason: str) -> CouncilReturn:
    """The coordinator unlocks a sent return so its council can change and send it again."""
    check_runs(actor, council_return.round.organisation_id)
    if not council_return.is_locked:
        raise ValidationError("Only a sent return can be reopened.")
    reason = _text(reason, 300)
    if not reason:
        raise ValidationError({"reason": "Say why it is being reopened: the council will see it."})
    council_return.status = ReturnStatus.DRAFT
    council_return.submitted_at = None
    council_return.submitted_by = None
    council_return.reopened_at = timezone.now()
    council_return.reopen_reason = reason
    council_return.save()
    return council_return


@dataclass
class ReturnRow:
    """One council's answers by question code: values for yes/no (1/0) and choice questions
    (a list for choose-any), words for text questions, and the codes whose words may be
    quoted."""

    council: Organisation
    answers: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)
    shareable: set = field(default_factory=set)
    #: The file's row number, for messages.
    line: int = 0


@dataclass
class ImportPlan:
    survey_round: SurveyRound
    rows: list[ReturnRow]
    #: Questions to add first (national_import --create): dicts of code, text and type.
    new_questions: list[dict] = field(default_factory=list)


def _record(
    *, council_return: CouncilReturn, row: ReturnRow, codes: dict, status: str, source: str
) -> CouncilReturn:
    now = timezone.now()
    _store_answers(
        council_return=council_return,
        answers={codes[code]: value for code, value in row.answers.items()},
        texts={codes[code]: words for code, words in row.texts.items()},
        shareable={codes[code] for code in row.shareable},
        today=timezone.localdate(),
        source=ResponseSource.IMPORT if source == ReturnSource.IMPORT else ResponseSource.ONLINE,
    )
    council_return.status = status
    council_return.source = source
    council_return.started_at = council_return.started_at or now
    council_return.saved_at = now
    council_return.submitted_at = now if status == ReturnStatus.SUBMITTED else None
    # Sent by the import (or kept as a draft), not by whoever sent the return it replaces.
    council_return.submitted_by = None
    council_return.save()
    return council_return


@transaction.atomic
def returns_import(
    *,
    plan: ImportPlan,
    status: str = ReturnStatus.SUBMITTED,
    source: str = ReturnSource.IMPORT,
    replace: bool = False,
) -> int:
    """Store a checked import plan: each row becomes its council's return (sent, unless the
    demo asks for drafts). All or nothing: the caller checked every row (see importing.py); a
    council not yet invited is invited. A council whose return is a draft or sent is refused
    (a ValidationError naming it) unless `replace`: the check is made again here, on the
    returns locked, as one may have been started since the file was checked."""
    survey_round = plan.survey_round
    council_ids = {row.council.pk for row in plan.rows}
    # Invite the councils not yet invited, then lock every return the plan writes to.
    CouncilReturn.objects.bulk_create(
        [CouncilReturn(round=survey_round, council_id=pk) for pk in sorted(council_ids)],
        ignore_conflicts=True,
    )
    returns = {
        r.council_id: r
        for r in CouncilReturn.objects.select_for_update()
        .select_related("council")
        .filter(round=survey_round, council_id__in=council_ids)
    }
    started = sorted(
        r.council.name for r in returns.values() if r.status != ReturnStatus.NOT_STARTED
    )
    if started and not replace:
        one = len(started) == 1
        raise ValidationError(
            f"{', '.join(started)} {'has' if one else 'have'} already started or sent "
            f"{'its return' if one else 'their returns'} to round {survey_round.year}, so "
            f"the import would replace {'it' if one else 'them'}. Import with --replace to "
            f"replace {'it' if one else 'them'}, or remove {'its row' if one else 'their rows'}."
        )
    questionnaire = survey_round.questionnaire
    for spec in plan.new_questions:
        evaluation_services.question_add(actor=None, questionnaire=questionnaire, **spec)
    codes = dict(questionnaire.questions.values_list("code", "pk"))
    for row in plan.rows:
        council_return = returns[row.council.pk]
        council_return.round = survey_round
        _record(council_return=council_return, row=row, codes=codes, status=status, source=source)
    return len(plan.rows)


# ---------------------------------------------------------------------------------------------
# Reminders


@dataclass
class RemindersSent:
    #: Councils reminded (those with at least one survey respondent emailed).
    councils: int = 0
    #: Emails sent (one per survey respondent).
    emails: int = 0
    #: Names of councils that have not sent and have no survey respondent to email.
    without_respondent: list[str] = field(default_factory=list)
    #: Councils whose emails could not be sent (the email service failed part way).
    failed: int = 0


@transaction.atomic
def reminders_send(
    *, actor: User, survey_round: SurveyRound, now: datetime.datetime | None = None
) -> RemindersSent:
    """Email every current survey respondent of each invited council whose return is not sent
    (one email each), and count a reminder against each council reached."""
    from django.db.models import F

    from . import reminders, selectors

    check_runs(actor, survey_round.organisation_id)
    now = now or timezone.now()
    if timezone.localdate(now) < survey_round.opens_on:
        raise ValidationError(
            f"The round opens on {_day(survey_round.opens_on)}: reminders can go once councils "
            "can send their return."
        )
    targets = selectors.reminder_targets(survey_round=survey_round)
    if not targets:
        raise ValidationError("Every council has sent its return: there is nobody to remind.")
    result = RemindersSent(
        without_respondent=[r.council.name for r, people in targets if not people]
    )
    if len(result.without_respondent) == len(targets):
        raise ValidationError(
            "None of the councils still to send a return has a survey respondent, so there is "
            "nobody to email. Ask each council to nominate one."
        )
    link, today = reminders.returns_link(), timezone.localdate(now)
    reached = []
    for council_return, people in targets:
        if not people:
            continue
        emails = [
            reminders.reminder_email(
                council_return=council_return, to=person.email, today=today, link=link
            )
            for person in people
            if person.email
        ]
        try:
            sent = sum(email.send() for email in emails)
        except OSError:  # the email service is down (smtplib's errors are OSErrors)
            result.failed += 1
            continue
        if sent:
            reached.append(council_return.pk)
            result.emails += sent
    CouncilReturn.objects.filter(pk__in=reached).update(
        reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
    )
    result.councils = len(reached)
    return result
