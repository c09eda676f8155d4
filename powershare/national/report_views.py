"""The national learning report of a survey round: the page, its charts and its PDF.

Only the national coordinator of the body running the round may open them (everyone else gets
404, from selectors.round_get_for). Every figure is counted from sent returns
(report.report_context); no figure resting on fewer than 5 councils is shown.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from powershare.lib.pdf import pdf_response

from . import report as national_report
from . import selectors


def _crumbs(survey_round, *items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "National survey", "url": reverse("national:home")},
        {
            "label": str(survey_round),
            "url": reverse("national:round_detail", args=[survey_round.pk]),
        },
        *items,
    ]


@login_required
@require_GET
def report(request, pk):
    survey_round = selectors.round_get_for(user=request.user, pk=pk)
    context = national_report.report_context(survey_round=survey_round)
    chart_urls = {
        slug.replace("-", "_"): reverse("national:chart_svg", args=[survey_round.pk, slug])
        for slug in national_report.CHARTS
        if national_report.chart_available(context, slug)
    }
    return render(
        request,
        "national/report.html",
        {
            **context,
            "page_title": f"National learning report {survey_round.year}",
            "page_caption": f"Covering {survey_round.period}",
            "breadcrumbs": _crumbs(survey_round, {"label": "National learning report"}),
            "chart_urls": chart_urls,
            "outcomes_summary": national_report.outcomes_summary(context),
            "year_on_year_summary": national_report.year_on_year_summary(context),
        },
    )


@login_required
@require_GET
def report_pdf(request, pk):
    survey_round = selectors.round_get_for(user=request.user, pk=pk)
    pdf = national_report.report_pdf(survey_round=survey_round, request=request)
    return pdf_response(filename=national_report.report_filename(survey_round), pdf=pdf)


@login_required
@require_GET
def chart_svg(request, pk, chart):
    survey_round = selectors.round_get_for(user=request.user, pk=pk)
    if chart not in national_report.CHARTS:
        raise Http404("No such chart")
    # Only this chart's figures: the page asks for each chart as a separate image.
    context = national_report.chart_context(survey_round=survey_round, slug=chart)
    svg = national_report.chart(context, chart)
    if not svg:
        raise Http404("No chart yet")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, private=True)
    return response
