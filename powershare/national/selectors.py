"""Reads of the national survey. Scoping lives here.

* The national coordinator (RUN_NATIONAL_SURVEY) sees the rounds their body runs, every
  council's status, sent returns and the aggregates; never a draft's answers and never who at
  a council sent a return.
* A council's survey respondent (RESPOND_TO_NATIONAL_SURVEY) sees their own council's returns
  and nothing of any other council's.
* Results count sent returns only, in SQL. A figure based on fewer than SMALL_GROUP councils
  is not shown (no breakdown of fewer than 5 councils).
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.evaluation.models import YES, Answer, Choice, Question, QuestionType, TextAnswer
from powershare.evaluation.selectors import percent

from .models import CouncilReturn, ReturnStatus, SurveyRound

#: No figure is shown that rests on fewer councils than this.
SMALL_GROUP = 5


def _running(user: User) -> list[int]:
    return organisation_ids_where(user=user, capability=Capability.RUN_NATIONAL_SURVEY)


def _responding(user: User) -> list[int]:
    return organisation_ids_where(user=user, capability=Capability.RESPOND_TO_NATIONAL_SURVEY)


def runs_survey(*, user: User) -> bool:
    return bool(_running(user))


def responds_to_survey(*, user: User) -> bool:
    return bool(_responding(user))


# ---------------------------------------------------------------------------------------------
# Rounds


def round_list_for(*, user: User) -> QuerySet[SurveyRound]:
    """The rounds the coordinator's body runs, newest first, with their counts (one query)."""
    return SurveyRound.objects.filter(organisation_id__in=_running(user)).annotate(
        invited=Count("returns"),
        sent=Count("returns", filter=Q(returns__status=ReturnStatus.SUBMITTED)),
    )


def round_get_for(*, user: User, pk: int) -> SurveyRound:
    survey_round = (
        SurveyRound.objects.filter(pk=pk, organisation_id__in=_running(user))
        .select_related("questionnaire", "copied_from", "organisation")
        .first()
    )
    if survey_round is None:
        raise Http404
    return survey_round


def round_for_year(*, year: int) -> SurveyRound | None:
    """For the command line (an administrator of the service) and the API's own scoping."""
    return SurveyRound.objects.filter(year=year).select_related("questionnaire").first()


def round_for_year_for(*, user: User, year: int) -> SurveyRound:
    survey_round = (
        SurveyRound.objects.filter(year=year, organisation_id__in=_running(user))
        .select_related("questionnaire")
        .first()
    )
    if survey_round is None:
        raise Http404
    return survey_round


@dataclass
class Progress:
    invited: int
    sent: int
    drafts: int
    not_started: int

    @property
    def sent_pct(self) -> int | None:
        return percent(self.sent, self.invited)


def round_progress(*, survey_round: SurveyRound) -> Progress:
    """ "N of M" and the rest: one query."""
    counts = dict(survey_round.returns.values_list("status").annotate(n=Count("pk")).order_by())
    return Progress(
        invited=sum(counts.values()),
        sent=counts.get(ReturnStatus.SUBMITTED, 0),
        drafts=counts.get(ReturnStatus.DRAFT, 0),
        not_started=counts.get(ReturnStatus.NOT_STARTED, 0),
    )


def round_returns(*, survey_round: SurveyRound, status: str = "") -> QuerySet[CouncilReturn]:
    """Every invited council's return to the round (the coordinator's chasing list)."""
    returns = survey_round.returns.select_related("council").order_by("council__name")
    if status in ReturnStatus.values:
        returns = returns.filter(status=status)
    return returns


# ---------------------------------------------------------------------------------------------
# Returns


def return_get_for(*, user: User, pk: int) -> CouncilReturn:
    """A return its council's respondent may open, or a coordinator of the round's body."""
    council_return = (
        CouncilReturn.objects.filter(pk=pk)
        .filter(Q(council_id__in=_responding(user)) | Q(round__organisation_id__in=_running(user)))
        .select_related("round", "round__questionnaire", "council", "response", "self_assessment")
        .first()
    )
    if council_return is None:
        raise Http404
    return council_return


def returns_of_my_council(*, user: User) -> QuerySet[CouncilReturn]:
    """The returns of the councils the user answers for, newest round first."""
    return (
        CouncilReturn.objects.filter(council_id__in=_responding(user))
        .select_related("round", "council")
        .order_by("-round__year", "council__name")
    )


def return_answers(*, council_return: CouncilReturn) -> tuple[dict, dict, set]:
    """The return's answers as the form wants them: {question id: value or [values]},
    {question id: words}, {ids of text questions marked shareable}. Two queries."""
    answers: dict[int, object] = {}
    texts: dict[int, str] = {}
    shareable: set[int] = set()
    if council_return.response_id is None:
        return answers, texts, shareable
    for question_id, question_type, value in Answer.objects.filter(
        response_id=council_return.response_id
    ).values_list("question_id", "question__type", "value"):
        if question_type == QuestionType.MULTIPLE:
            answers.setdefault(question_id, []).append(value)
        else:
            answers[question_id] = value
    for question_id, words, is_shareable in TextAnswer.objects.filter(
        response_id=council_return.response_id
    ).values_list("question_id", "text", "shareable"):
        texts[question_id] = words
        if is_shareable:
            shareable.add(question_id)
    return answers, texts, shareable


def round_questions(*, survey_round: SurveyRound) -> list[Question]:
    """The round's questions in order, with their sections and options (two queries)."""
    return list(
        Question.objects.filter(questionnaire_id=survey_round.questionnaire_id)
        .select_related("section")
        .prefetch_related("choices")
        # Questions without a section last, on every database (SQLite puts NULL first).
        .order_by(F("section__position").asc(nulls_last=True), "position", "pk")
    )


# ---------------------------------------------------------------------------------------------
# Results: sent returns only, counted in SQL


@dataclass
class QuestionResult:
    code: str
    text: str
    type: str
    section: str
    answered: int
    yes: int | None = None
    #: Choose-any and choose-one: (label, councils choosing it, percentage of those answering).
    choices: list[tuple[str, int | None, int | None]] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.answered < SMALL_GROUP

    @property
    def yes_pct(self) -> int | None:
        if self.yes is None or self.suppressed:
            return None
        return percent(self.yes, self.answered)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "text": self.text,
            "type": self.type,
            "answered": self.answered,
            "yes": None if self.suppressed else self.yes,
            "yes_pct": self.yes_pct,
        }


@dataclass
class RoundResults:
    survey_round: SurveyRound
    invited: int
    returns: int
    questions: list[QuestionResult]

    @property
    def returns_pct(self) -> int | None:
        return percent(self.returns, self.invited)

    def by_code(self) -> dict[str, QuestionResult]:
        return {q.code: q for q in self.questions}

    def as_dict(self) -> dict:
        """The shape of `national_results --format json` and the API."""
        return {
            "round": self.survey_round.year,
            "invited": self.invited,
            "returns": self.returns,
            "questions": [q.as_dict() for q in self.questions],
        }


def round_results(*, survey_round: SurveyRound) -> RoundResults:
    """Counts over the round's sent returns: a fixed number of queries whatever the size."""
    progress = round_progress(survey_round=survey_round)
    sent = Q(response__council_return__round=survey_round) & Q(
        response__council_return__status=ReturnStatus.SUBMITTED
    )
    questions = round_questions(survey_round=survey_round)
    ids = [q.pk for q in questions]
    totals = {
        row["question_id"]: row
        for row in Answer.objects.filter(sent, question_id__in=ids)
        .values("question_id")
        .annotate(
            answered=Count("response_id", distinct=True),
            yes=Count("pk", filter=Q(value=YES)),
        )
        .order_by()
    }
    per_choice = {
        (row["question_id"], row["value"]): row["n"]
        for row in Answer.objects.filter(
            sent, question__type__in=(QuestionType.MULTIPLE, QuestionType.SINGLE)
        )
        .filter(question_id__in=ids)
        .values("question_id", "value")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    }
    texts = dict(
        TextAnswer.objects.filter(sent, question_id__in=ids)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
        .values_list("question_id", "n")
    )
    results = []
    for question in questions:
        row = totals.get(question.pk, {})
        answered = (
            texts.get(question.pk, 0)
            if question.type == QuestionType.TEXT
            else (row.get("answered", 0))
        )
        result = QuestionResult(
            code=question.code,
            text=question.text,
            type=question.type,
            section=question.section.title if question.section_id else "",
            answered=answered,
            yes=row.get("yes", 0) if question.type == QuestionType.YES_NO else None,
        )
        if question.type in (QuestionType.MULTIPLE, QuestionType.SINGLE):
            choices: list[Choice] = list(question.choices.all())
            for choice in choices:
                n = per_choice.get((question.pk, choice.value), 0)
                shown = not result.suppressed
                result.choices.append(
                    (
                        choice.label,
                        n if shown else None,
                        percent(n, answered) if shown else None,
                    )
                )
        results.append(result)
    return RoundResults(
        survey_round=survey_round,
        invited=progress.invited,
        returns=progress.sent,
        questions=results,
    )


def previous_round(*, survey_round: SurveyRound) -> SurveyRound | None:
    """The latest earlier round run by the same body (for the year-on-year comparison)."""
    return (
        SurveyRound.objects.filter(
            organisation_id=survey_round.organisation_id, year__lt=survey_round.year
        )
        .order_by("-year")
        .select_related("questionnaire")
        .first()
    )


def shareable_examples(*, survey_round: SurveyRound) -> list[tuple[str, str, list[str]]]:
    """Words councils agreed may be quoted, from sent returns, grouped by theme (the section
    and question they answer): [(section, question, [words, ...])]. Never a council's name.
    Nothing is shown when fewer than SMALL_GROUP councils sent returns."""
    if round_progress(survey_round=survey_round).sent < SMALL_GROUP:
        return []
    grouped: dict[int, tuple[str, str, list[str]]] = {}
    rows = (
        TextAnswer.objects.filter(
            shareable=True,
            response__council_return__round=survey_round,
            response__council_return__status=ReturnStatus.SUBMITTED,
        )
        .order_by(F("question__section__position").asc(nulls_last=True), "question__position", "pk")
        .values_list("question_id", "question__section__title", "question__text", "text")
    )
    for question_id, section, question, words in rows:
        grouped.setdefault(question_id, (section or "", question, []))[2].append(words)
    return list(grouped.values())


# ---------------------------------------------------------------------------------------------
# The coordinator's pages: questions, chasing and reminders


def question_get_for(*, user: User, pk: int) -> Question:
    """A question of a round the user runs (anything else is a 404)."""
    question = (
        Question.objects.filter(
            pk=pk, questionnaire__survey_round__organisation_id__in=_running(user)
        )
        .select_related("questionnaire", "questionnaire__survey_round", "section")
        .first()
    )
    if question is None:
        raise Http404
    return question


def councils_with_respondents(*, council_ids) -> dict[int, int]:
    """How many current survey respondents each of these councils has (one query); a council
    with none is missing from the answer. Counts only: never who they are."""
    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role

    return dict(
        Membership.objects.current()
        .filter(
            organisation_id__in=list(council_ids),
            role=Role.SURVEY_RESPONDENT,
            user__is_active=True,
        )
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def reminder_targets(*, survey_round: SurveyRound) -> list[tuple[CouncilReturn, list[User]]]:
    """Each invited council that has not sent its return, with its current survey respondents
    (an empty list when it has none), councils by name. Two queries."""
    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role

    returns = list(
        survey_round.returns.exclude(status=ReturnStatus.SUBMITTED)
        .select_related("council")
        .order_by("council__name")
    )
    people: dict[int, list[User]] = {}
    for membership in (
        Membership.objects.current()
        .filter(
            organisation_id__in=[r.council_id for r in returns],
            role=Role.SURVEY_RESPONDENT,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__email")
    ):
        people.setdefault(membership.organisation_id, []).append(membership.user)
    return [(r, people.get(r.council_id, [])) for r in returns]


#: The daily digest reminds a respondent of a return due within this many days…
DUE_SOON_DAYS = 7
#: …and of an overdue one for this many days after it was due (then the coordinator chases).
OVERDUE_DAYS = 28


def respondent_reminders_due(*, today) -> dict[int, list[CouncilReturn]]:
    """For the daily digest: {user_id: [unsent returns of their council due within 7 days or
    overdue (for up to 4 weeks)]}, overdue first, in rounds that have opened. Two queries."""
    import datetime

    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role

    returns = list(
        CouncilReturn.objects.exclude(status=ReturnStatus.SUBMITTED)
        .filter(
            round__opens_on__lte=today,
            round__closes_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            round__closes_on__gte=today - datetime.timedelta(days=OVERDUE_DAYS),
        )
        .select_related("round", "council")
        .order_by("round__closes_on", "council__name")
    )
    if not returns:
        return {}
    by_council: dict[int, list[CouncilReturn]] = {}
    for council_return in returns:
        by_council.setdefault(council_return.council_id, []).append(council_return)
    due: dict[int, list[CouncilReturn]] = {}
    for user_id, council_id in (
        Membership.objects.current()
        .filter(
            organisation_id__in=list(by_council),
            role=Role.SURVEY_RESPONDENT,
            user__is_active=True,
        )
        .values_list("user_id", "organisation_id")
    ):
        due.setdefault(user_id, []).extend(by_council[council_id])
    return due


def national_body_for_import(*, default_name: str) -> "Organisation | None":  # noqa: F821
    """The body that runs a round `national_import --create` makes: the first national body
    (by name) with a current national coordinator, else the one called `default_name`."""
    from powershare.accounts.models import Membership, Organisation, OrganisationKind
    from powershare.accounts.roles import Role

    coordinated = (
        Membership.objects.filter(
            role=Role.NATIONAL_COORDINATOR,
            ended_at__isnull=True,
            organisation__kind=OrganisationKind.NATIONAL_BODY,
        )
        .order_by("organisation__name")
        .select_related("organisation")
        .first()
    )
    if coordinated is not None:
        return coordinated.organisation
    return Organisation.objects.filter(name=default_name).first()
