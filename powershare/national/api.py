"""API operations about the national survey of councils: the rounds a national coordinator
runs, and a round's results. Both read; rounds and returns change on the web pages.

Only the national coordinator (RUN_NATIONAL_SURVEY) of the body running a round sees it: for
anyone else the list of rounds is empty and a round's results answer 404, never 403. Results
are counted in the database over the councils' sent returns (national.selectors.round_results),
exactly as the national report and `manage.py national_results --format json` give them; no
operation here names anyone at a council, or shows a draft.
"""

import datetime

from ninja import Field, Path, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from powershare.api.schemas import READ_ERRORS

from . import selectors

router = Router(tags=["National survey"])

#: A round's year in a path (the year its report is published).
YEAR = Path(..., ge=1, le=9999, description="The year the report is published, like `2025`.")


class NationalRoundOut(Schema):
    id: int
    year: int = Field(description="The year its report is published: round 2025 covers 2024/25.")
    period: str = Field(description="The year it covers, like `2024/25`.")
    title: str
    organisation_id: int = Field(description="The national body that runs it.")
    opens_on: datetime.date
    closes_on: datetime.date
    invited: int = Field(description="Councils taking part.")
    returns: int = Field(description="Councils that have sent their return.")

    @staticmethod
    def resolve_returns(obj) -> int:
        return obj.sent


class NationalQuestionResultOut(Schema):
    code: str = Field(description="The question's stable code.")
    text: str
    type: str = Field(description="`yes_no`, `multiple`, `single`, `text`, …")
    answered: int = Field(description="Councils whose sent return answers it.")
    yes: int | None = Field(
        description="Yes or no questions: councils answering yes; null for other questions, "
        "or when fewer than 5 councils answered."
    )
    yes_pct: int | None = Field(
        description="`yes` as a percentage of `answered`, rounded half up; null as `yes` is."
    )


class NationalResultsOut(Schema):
    round: int = Field(description="The round's year.")
    invited: int = Field(description="Councils taking part.")
    returns: int = Field(description="Councils that have sent their return.")
    questions: list[NationalQuestionResultOut] = Field(description="In the questionnaire's order.")


class NationalRoundPagination(PageNumberPagination):
    """Pages of up to 100 rounds (50 unless `page_size` says otherwise)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=100)


@router.get(
    "/national/rounds",
    url_name="national_round_list",
    response={200: list[NationalRoundOut], **READ_ERRORS},
    summary="National survey rounds you run",
    description=(
        "The rounds your national body runs, newest first, each with how many councils take "
        "part and how many have sent their return. An empty list unless you are a national "
        "coordinator."
    ),
)
@paginate(NationalRoundPagination)
def national_round_list(request):
    return selectors.round_list_for(user=request.auth).order_by("-year")


@router.get(
    "/national/rounds/{year}/results",
    url_name="national_round_results",
    response={200: NationalResultsOut, **READ_ERRORS},
    summary="A national survey round's results",
    description=(
        "How many councils were invited and sent a return, and for each question how many "
        "councils answered it; yes or no questions also give `yes` and `yes_pct` (rounded half "
        "up). Sent returns only; a figure resting on fewer than 5 councils is null. The same "
        "figures as the national report and `manage.py national_results --format json`. 404 "
        "for a round your national body doesn't run."
    ),
)
def national_round_results(request, year: int = YEAR):
    survey_round = selectors.round_for_year_for(user=request.auth, year=year)
    return selectors.round_results(survey_round=survey_round).as_dict()
