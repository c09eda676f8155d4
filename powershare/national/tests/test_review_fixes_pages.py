"""Fixes from the review of the national survey's pages (issue 11):

* the return form marks only the optional questions "(optional)", yet a draft still saves
  with required questions blank;
* the survey respondent sees none of the council's improvement records: the return's linked
  self-assessment is a link only for people who may open it;
* a chart's image computes only what that chart needs;
* the round's live "N of M" announces only its headline, and only when the counts change.
"""

import datetime
import html as html_lib
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import User
from powershare.accounts.roles import Capability, Role, role_can
from powershare.accounts.services import share_create
from powershare.national import demo as national_demo
from powershare.national import selectors, services
from powershare.national.models import CouncilReturn, ReturnStatus, SurveyRound
from tests.isolation import REGISTRY

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _url(name, *args):
    return reverse(f"national:{name}", args=args)


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def fresh(personas):
    """A round open now, with council A's return not started."""
    survey_round = services.round_create(
        actor=personas.nina,
        year=2026,
        opens_on=TODAY - datetime.timedelta(days=5),
        closes_on=TODAY + datetime.timedelta(days=20),
        council_ids=[personas.council_a.pk, personas.council_b.pk],
    )
    return survey_round, survey_round.returns.get(council=personas.council_a)


# ---------------------------------------------------------------------------------------------
# 1. "(optional)" only on the optional questions


def _caption(html: str, question) -> str:
    """The label (or legend) of a question's field, tags removed."""
    name = f"id_q{question.pk}"
    found = re.search(rf'<label class="ds_label" for="{name}">(.*?)</label>', html, re.S)
    if found is None:
        # Radios and checkboxes: the legend of the fieldset holding the first option.
        first = html.index(f'id="{name}_0"')
        found = list(re.finditer(r"<legend>(.*?)</legend>", html[:first], re.S))[-1]
    return html_lib.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_only_optional_questions_are_marked_optional(client_for, fresh):
    survey_round, council_return = fresh
    html = _html(client_for("rhona").get(_url("return_edit", council_return.pk)))
    questions = list(survey_round.questionnaire.questions.all())
    required = [q for q in questions if q.required]
    optional = [q for q in questions if not q.required]
    assert required
    assert optional
    for question in required:
        assert _caption(html, question) == question.text, question.code
    for question in optional:
        assert _caption(html, question) == f"{question.text} (optional)", question.code
    # The page's promise: unmarked questions must be answered before the return is sent.
    assert "Questions marked “(optional)” can be left out" in html
    # The browser is not asked to enforce anything: a draft may be half done.
    assert " required" not in re.sub(r"<(p|h\d|li|legend|label)[^>]*>.*?</\1>", "", html)


def test_a_draft_still_saves_with_required_questions_blank(client_for, fresh):
    survey_round, council_return = fresh
    response = client_for("rhona").post(
        _url("return_edit", council_return.pk), {"form_token": "blank-draft", "save": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("return_edit", council_return.pk)
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.DRAFT


def test_other_forms_still_mark_their_optional_fields(client_for, samples):
    """field.html is every form's: a form with required and optional fields is unchanged."""
    html = _html(client_for("nina").get(_url("round_edit", samples["survey_round"].pk)))
    assert "(optional)" not in html  # title and dates are all required
    html = _html(client_for("nina").get(_url("question_add", samples["survey_round"].pk)))
    assert "(optional)" in html


# ---------------------------------------------------------------------------------------------
# 2. The survey respondent and improvement records


def test_the_survey_respondent_may_not_see_improvement_records():
    assert not role_can(Role.SURVEY_RESPONDENT, Capability.VIEW_IMPROVEMENT)
    assert role_can(Role.SURVEY_RESPONDENT, Capability.RESPOND_TO_NATIONAL_SURVEY)


IMPROVEMENT = sorted(name for name in REGISTRY if name.startswith("improvement:"))


def test_rhona_gets_404_from_every_improvement_page(client_for, samples):
    assert "improvement:assessment_detail" in IMPROVEMENT
    client = client_for("rhona")
    for name in IMPROVEMENT:
        url = reverse(name, kwargs=REGISTRY[name].kwargs(samples))
        response = client.get(url)
        assert response.status_code == 404, f"{name} answered {response.status_code} to rhona"


def test_rhona_still_links_her_councils_self_assessment(client_for, samples, fresh):
    survey_round, council_return = fresh
    assessment = samples["assessment"]
    html = _html(client_for("rhona").get(_url("return_edit", council_return.pk)))
    assert f'<option value="{assessment.pk}">' in html
    response = client_for("rhona").post(
        _url("return_edit", council_return.pk),
        {"form_token": "link-it", "save": "1", "self_assessment": str(assessment.pk)},
    )
    assert response.status_code == 302
    council_return.refresh_from_db()
    assert council_return.self_assessment == assessment


def _link_assessment(samples) -> str:
    """Council A's sent sample return linked to its self-assessment; its detail page URL."""
    council_return = samples["council_return"]
    CouncilReturn.objects.filter(pk=council_return.pk).update(self_assessment=samples["assessment"])
    return _url("return_detail", council_return.pk)


def test_the_linked_self_assessment_is_plain_text_for_rhona(client_for, samples):
    detail = _link_assessment(samples)
    assessment = samples["assessment"]
    html = _html(client_for("rhona").get(detail))
    assert f'<dd class="ds_summary-list__value">{assessment}</dd>' in html
    assert reverse("improvement:assessment_detail", args=[assessment.pk]) not in html


def test_the_coordinator_sees_the_link_only_once_the_assessment_is_shared(
    client_for, personas, samples
):
    detail = _link_assessment(samples)
    assessment = samples["assessment"]
    link = reverse("improvement:assessment_detail", args=[assessment.pk])
    html = _html(client_for("nina").get(detail))
    assert link not in html
    assert str(assessment) not in html
    share_create(actor=personas.alice, record=assessment, partner=personas.national)
    html = _html(client_for("nina").get(detail))
    assert f'<a href="{link}">{assessment}</a>' in html


# ---------------------------------------------------------------------------------------------
# 3. A chart computes only what it needs


@pytest.fixture
def demo(demo_database, db):
    return SurveyRound.objects.get(year=2025)


def _queries(client, url, status=200) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == status, url
    return [q["sql"] for q in captured.captured_queries]


def test_a_chart_runs_only_the_queries_of_its_own_figures(demo):
    """The drivers chart: signing in, finding the round, and the round's results, once; the
    year-on-year chart adds last year's results; neither reads the examples or the narrative."""
    assert selectors.previous_round(survey_round=demo) is not None
    client = Client()
    client.force_login(User.objects.get(email=national_demo.COORDINATOR))
    client.get(_url("report", demo.pk))  # warm up (session, caches)
    # What every chart costs before any figure: signing in, then finding the round (an unknown
    # chart stops there, and goes on to draw the "not found" page).
    unknown = _queries(client, _url("chart_svg", demo.pk, "nonsense"), status=404)
    found = next(n for n, sql in enumerate(unknown) if "national_surveyround" in sql)
    before = unknown[: found + 1]
    with CaptureQueriesContext(connection) as results:
        selectors.round_results(survey_round=demo)
    with CaptureQueriesContext(connection) as previous:
        last = selectors.previous_round(survey_round=demo)
        selectors.round_results(survey_round=last)
    this_year = [q["sql"] for q in results.captured_queries]
    last_year = [q["sql"] for q in previous.captured_queries]
    start = len(before)  # (the session's query names the time: compared by number)
    drivers = _queries(client, _url("chart_svg", demo.pk, "drivers"))
    assert len(drivers) == start + len(this_year), drivers
    assert drivers[start:] == this_year
    year_on_year = _queries(client, _url("chart_svg", demo.pk, "year-on-year"))
    assert len(year_on_year) == start + len(this_year) + len(last_year), year_on_year
    assert year_on_year[start:] == this_year + last_year
    # The whole report reads more than that (the examples, last year's results).
    page = _queries(client, _url("report", demo.pk))
    assert len(drivers) < len(year_on_year) < len(page)


# ---------------------------------------------------------------------------------------------
# 4. The live "N of M"


def _live_regions(html: str) -> list[str]:
    return re.findall(r"<[^>]*(?:role=\"status\"|aria-live=)[^>]*>", html)


def test_only_the_headline_is_a_live_region(client_for, samples):
    survey_round = samples["survey_round"]
    html = _html(client_for("nina").get(_url("round_detail", survey_round.pk)))
    regions = _live_regions(html)
    assert len(regions) == 1, regions
    region = re.search(r"<p[^>]*role=\"status\"[^>]*>(.*?)</p>", html, re.S)
    assert region is not None
    assert 'aria-live="polite"' in region.group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", region.group(1))).strip()
    assert text == "1 of 2 councils have sent their return (50%)."
    # The counts beneath are outside it, and they are what htmx asks for again.
    after = html[region.end() :]
    assert "1 sent" in after
    assert "hx-get" not in region.group(0)
    poller = re.search(r"<[^>]*hx-get=\"[^\"]*\"[^>]*>", html).group(0)
    assert 'hx-trigger="every 30s"' in poller
    seen = json.loads(html_lib.unescape(re.search(r"hx-vals='([^']*)'", poller).group(1)))
    assert seen == {"seen": "2-1-0-1"}


def _oob_headline(html: str):
    return re.search(r"<p[^>]*hx-swap-oob=\"innerHTML\"[^>]*>(.*?)</p>", html, re.S)


def _seen(html: str) -> dict:
    return json.loads(html_lib.unescape(re.search(r"hx-vals='([^']*)'", html).group(1)))


def test_the_progress_answers_no_content_while_nothing_changes(client_for, personas, samples):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    url = _url("round_progress", survey_round.pk)
    hx = {"HX-Request": "true"}
    same = client.get(url, {"seen": "2-1-0-1"}, headers=hx)
    assert same.status_code == 204
    assert same.content == b""
    assert "no-store" in same["Cache-Control"]
    # Council B saves a draft: the counts change, "1 of 2" does not, so only the counts come.
    council_b = survey_round.returns.get(council=personas.council_b)
    CouncilReturn.objects.filter(pk=council_b.pk).update(status=ReturnStatus.DRAFT)
    changed = client.get(url, {"seen": "2-1-0-1"}, headers=hx)
    assert changed.status_code == 200
    html = _html(changed)
    assert "1 with a draft saved" in html
    assert "0 not started" in html
    assert _seen(html) == {"seen": "2-1-1-0"}
    assert _oob_headline(html) is None
    assert "of 2 councils" not in html
    assert client.get(url, {"seen": "2-1-1-0"}, headers=hx).status_code == 204
    # A page that still shows "0 of 2" gets the new headline for its live region.
    html = _html(client.get(url, {"seen": "2-0-1-1"}, headers=hx))
    headline = _oob_headline(html)
    assert headline is not None
    assert 'id="round-progress-headline"' in headline.group(0)
    assert "1 of 2 councils" in headline.group(1)
    # The answer to htmx never carries a second live region.
    assert not _live_regions(html)
