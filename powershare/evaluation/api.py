"""API operations about evaluation: questionnaires, their results, and a learning product's
evaluation (what its summary of learning reports).

Staff whose role can see learning (VIEW_LEARNING: participation and learning leads, leaders,
facilitators) read their organisations' questionnaires and results. Results are counts and
percentages worked out in the database (evaluation.selectors.questionnaire_results), exactly
as the results page, the export and `manage.py questionnaire_results` give them. Answers are
anonymous and are not personal data, so reading them is not written to the access log; no
operation here returns anyone's own words.

Scoping comes from evaluation.selectors and learning.selectors, as on the web pages: a
questionnaire or product the user may not see answers 404, never 403, and a list is empty.
"""

from typing import Annotated, Literal

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import StringConstraints

from powershare.api.schemas import ID, READ_ERRORS
from powershare.learning import selectors as learning_selectors

from . import selectors
from .models import QuestionnaireKind, QuestionPurpose, QuestionType

router = Router(tags=["Evaluation"])

QUESTIONNAIRE_TAGS = ["Questionnaires"]
PRODUCT_TAGS = ["Learning products"]

#: A questionnaire's code in a path, as the model allows it (a slug of up to 60 characters).
CODE = Path(
    ...,
    min_length=1,
    max_length=60,
    pattern=r"^[-a-zA-Z0-9_]+$",
    description="The questionnaire's code, like `power-sharing-pre`.",
)
ANY_ID = Query(None, ge=1, le=2**63 - 1)

#: A breakdown's group that is too small to show: "fewer than 5".
FewerThan = Annotated[str, StringConstraints(pattern=r"^fewer than [0-9]+$")]


# Schemas: questionnaires ---------------------------------------------------------------------


class QuestionnaireOut(Schema):
    code: str = Field(description="Stable: imports, exports and this API use it.")
    title: str
    kind: QuestionnaireKind
    kind_label: str
    organisation_id: int = Field(description="The organisation that owns it.")
    product_id: int | None = Field(description="The learning product it evaluates, if any.")
    product_slug: str | None
    is_standard: bool = Field(
        description="The product's standard pre or post questionnaire, linked to each of its "
        "deliveries by itself."
    )
    responses: int = Field(description="How many people have answered.")
    question_count: int = Field(description="How many questions it has (closed ones included).")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_product_slug(obj) -> str | None:
        return obj.product.slug if obj.product_id else None

    @staticmethod
    def resolve_responses(obj) -> int:
        return obj.response_count


class SectionOut(Schema):
    position: int
    title: str
    intro: str


class ChoiceOut(Schema):
    value: int = Field(description="What answers store for this option.")
    label: str


class QuestionnaireQuestionOut(Schema):
    code: str = Field(description="Stable: imports and exports use it.")
    position: int
    section: int | None = Field(description="The position of its section, if it has one.")
    text: str
    help_text: str
    type: QuestionType
    purpose: QuestionPurpose
    required: bool
    allow_prefer_not: bool = Field(description="Agree or disagree: offers “Prefer not to say”.")
    outcome: int | None = Field(
        description="The number of the product's intended learning outcome it measures."
    )
    quotable: bool = Field(description="Free text: answers may be quoted, anonymously.")
    closed: bool = Field(description="Takes no more answers; its answers stay in the results.")
    choices: list[ChoiceOut] = Field(description="Choose one or choose any: the options.")

    @staticmethod
    def resolve_section(obj) -> int | None:
        return obj.section.position if obj.section_id else None

    @staticmethod
    def resolve_outcome(obj) -> int | None:
        return obj.outcome.position if obj.outcome_id else None

    @staticmethod
    def resolve_closed(obj) -> bool:
        return obj.is_closed

    @staticmethod
    def resolve_choices(obj) -> list:
        return list(obj.choices.all())


class QuestionnaireDetailOut(QuestionnaireOut):
    intro: str
    thank_you: str
    paired_with: str | None = Field(
        description="The code of the questionnaire it is paired with (a post names its pre)."
    )
    ask_pairing_code: bool = Field(
        description="People may make up a code to match their answers before and after. The "
        "codes are never shown; only matched pairs are counted."
    )
    small_group_threshold: int = Field(
        description="Results by site leave out any group with fewer responses than this."
    )
    sections: list[SectionOut]
    questions: list[QuestionnaireQuestionOut] = Field(description="In the order they are asked.")

    @staticmethod
    def resolve_paired_with(obj) -> str | None:
        return obj.paired_with.code if obj.paired_with_id else None

    @staticmethod
    def resolve_sections(obj) -> list:
        return list(obj.sections.all())

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(selectors.question_list(questionnaire=obj))


# Schemas: results ----------------------------------------------------------------------------


class _ResultBase(Schema):
    code: str
    text: str
    answered: int = Field(
        description="How many people answered it. A blank, and “Prefer not to say”, are not "
        "counted; for choose any, each person counts once however many options they ticked."
    )


class LikertResultOut(_ResultBase):
    type: Literal["likert"]
    counts: dict[str, int] = Field(
        description="How many chose each point of the scale (and “Prefer not to say” when it "
        "is offered)."
    )
    agree: int = Field(description="Agree and Strongly agree.")
    agree_pct: int | None = Field(
        description="agree ÷ answered, a whole-number percentage rounded half up (62.5 is "
        "63); null when nobody answered."
    )
    prefer_not_to_say: int = Field(
        None, description="Only when “Prefer not to say” is offered: how many chose it."
    )


class YesNoResultOut(_ResultBase):
    type: Literal["yes_no"]
    counts: dict[str, int]
    yes: int
    yes_pct: int | None = Field(description="yes ÷ answered, rounded half up; null when none.")


class ChoiceResultOut(_ResultBase):
    type: Literal["single", "multiple"]
    counts: dict[str, int] = Field(
        description="How many chose each option (for choose any, how many ticked it)."
    )


class NumberResultOut(_ResultBase):
    type: Literal["number"]
    mean: float | None = Field(description="To one decimal place; null when nobody answered.")
    min: int | None
    max: int | None


class TextResultOut(_ResultBase):
    type: Literal["text"]


QuestionResultOut = Annotated[
    LikertResultOut | YesNoResultOut | ChoiceResultOut | NumberResultOut | TextResultOut,
    Field(discriminator="type"),
]


class SiteResultsOut(Schema):
    site: str = Field(
        description="The organisation's name, a site name kept as it was imported, or “No "
        "site given”."
    )
    responses: int | FewerThan = Field(
        description="How many answered there, or “fewer than N” when the group is too small "
        "to show."
    )
    suppressed: bool = Field(description="Too few responses to show: no questions are given.")
    questions: list[QuestionResultOut]


class ResultsOut(Schema):
    questionnaire: str = Field(description="The questionnaire's code.")
    responses: int
    questions: list[QuestionResultOut]
    threshold: int = Field(
        None, description="With `by=site`: the smallest group shown (never below 3)."
    )
    by_site: list[SiteResultsOut] = Field(
        None, description="With `by=site`: the same results for each site, by name."
    )
    suppressed: bool = Field(
        None,
        description="Only with `delivery`: true when that delivery's answers, or the answers "
        "left out, are too few to show without letting someone be recognised; `questions` is "
        "then empty.",
    )


# Schemas: a product's evaluation -------------------------------------------------------------


class EvaluationSiteAttendanceOut(Schema):
    site: str
    sessions: list[int] = Field(description="How many were at each session, first to last.")


class EvaluationAttendanceOut(Schema):
    sites: list[EvaluationSiteAttendanceOut]
    totals: list[int] = Field(description="Across every site, per session.")


class SiteRateOut(Schema):
    site: str
    responses: int | FewerThan
    response_rate_pct: int | None = Field(
        description="responses ÷ people at the session, rounded half up; null when the group "
        "is too small to show or nobody was recorded there."
    )


class QuestionnaireEvaluationOut(Schema):
    code: str
    kind: QuestionnaireKind
    responses: int
    response_rate_pct: int | None = Field(
        description="responses ÷ the people at the session it belongs to (the first for a "
        "pre questionnaire, the last for a post), rounded half up."
    )
    by_site: list[SiteRateOut]
    questions: list[QuestionResultOut]


class OutcomeChangeOut(Schema):
    ilo: int = Field(description="The intended learning outcome's number.")
    text: str
    pre_agree_pct: int | None
    post_agree_pct: int | None


class ProductEvaluationOut(Schema):
    product: str = Field(description="The product's slug.")
    attendance: EvaluationAttendanceOut
    questionnaires: list[QuestionnaireEvaluationOut] = Field(
        description="Pre first, then post, then any others."
    )
    outcomes: list[OutcomeChangeOut] = Field(
        description="Agreement with each intended learning outcome before and after."
    )


class EvaluationPagination(PageNumberPagination):
    """Pages of up to 100 records (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


# Questionnaires ------------------------------------------------------------------------------


@router.get(
    "/questionnaires",
    url_name="questionnaire_list",
    tags=QUESTIONNAIRE_TAGS,
    response={200: list[QuestionnaireOut], **READ_ERRORS},
    summary="Questionnaires of your organisations",
    description=(
        "Questionnaires of the organisations where your role lets you see learning, by "
        "title, with how many people answered each. Filter by `product_id` and `kind`, and "
        "search titles and codes with `search`. An empty list if your role can't see any."
    ),
)
@paginate(EvaluationPagination)
def questionnaire_list(
    request,
    product_id: int | None = ANY_ID,
    kind: QuestionnaireKind | None = None,
    search: str = Query("", max_length=200, description="Part of a title or a code."),
):
    questionnaires = selectors.questionnaire_list_for(
        user=request.auth, search=search.replace("\x00", "").strip()
    )
    if product_id is not None:
        questionnaires = questionnaires.filter(product_id=product_id)
    if kind:
        questionnaires = questionnaires.filter(kind=kind)
    return questionnaires


@router.get(
    "/questionnaires/{code}",
    url_name="questionnaire_detail",
    tags=QUESTIONNAIRE_TAGS,
    response={200: QuestionnaireDetailOut, **READ_ERRORS},
    summary="One questionnaire, with its questions",
    description=(
        "Its sections and questions in order: each question's code, words, type, purpose, "
        "the intended learning outcome it measures, its options, and whether it is closed. "
        "404 for a questionnaire outside the organisations where your role lets you see "
        "learning."
    ),
)
def questionnaire_detail(request, code: str = CODE):
    questionnaire = selectors.questionnaire_get_for(user=request.auth, code=code)
    # The list's row for it, with its counts.
    return selectors.questionnaire_list_for(user=request.auth).get(pk=questionnaire.pk)


@router.get(
    "/questionnaires/{code}/results",
    url_name="questionnaire_results",
    tags=QUESTIONNAIRE_TAGS,
    response={200: ResultsOut, **READ_ERRORS},
    exclude_unset=True,
    summary="A questionnaire's results",
    description=(
        "How many people answered, and for each question how many answered it and chose "
        "each option. Agree or disagree questions give `agree` (Agree and Strongly agree) "
        "and `agree_pct`; yes or no questions `yes` and `yes_pct`; numbers their mean, "
        "smallest and largest. Percentages are of the people who answered the question (a "
        "blank or “Prefer not to say” is left out), rounded half up. With `by=site`, the same "
        "for each site, except that a site with fewer responses than `threshold` shows "
        "“fewer than N” and nothing else. With `delivery`, only the answers given for that "
        "delivery. The same figures as the results page and `manage.py questionnaire_results`. "
        "404 for a questionnaire, or a delivery, that your role doesn't let you see."
    ),
)
def questionnaire_results(
    request,
    code: str = CODE,
    by: Literal["site"] | None = Query(None, description="`site`: a breakdown by site."),
    delivery: int | None = Query(
        None, ge=1, le=2**63 - 1, description="Only the answers given for this delivery (its id)."
    ),
):
    questionnaire = selectors.questionnaire_get_for(user=request.auth, code=code)
    delivery_ids = None
    if delivery is not None:
        delivery_ids = [learning_selectors.delivery_get_for(user=request.auth, pk=delivery).pk]
    results = selectors.questionnaire_results(
        questionnaire=questionnaire, by_site=by == "site", delivery_ids=delivery_ids
    )
    return results.as_dict()


# A learning product's evaluation -------------------------------------------------------------


@router.get(
    "/learning/products/{product_id}/evaluation",
    url_name="learning_product_evaluation",
    tags=PRODUCT_TAGS,
    response={200: ProductEvaluationOut, **READ_ERRORS},
    exclude_unset=True,
    summary="A learning product's evaluation",
    description=(
        "What its summary of learning reports, worked out from the registers and the "
        "answers: attendance per site and session; for each of its questionnaires the "
        "responses, the response rate (overall and per site, a site with too few responses "
        "shown as “fewer than N”) and the results of each question; and agreement with each "
        "intended learning outcome before and after. The same figures as `manage.py "
        "learning_summary`. 404 for a product outside the organisations where your role lets "
        "you see learning."
    ),
)
def learning_product_evaluation(request, product_id: int = ID):
    product = learning_selectors.product_get_for(user=request.auth, pk=product_id)
    return selectors.product_evaluation(product=product).as_dict()
