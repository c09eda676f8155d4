"""Placeholder views: replaced by the real pages (issue 11)."""

from django.http import HttpResponse


def report(request, pk):
    return HttpResponse(status=501)


def report_pdf(request, pk):
    return HttpResponse(status=501)


def chart_svg(request, pk, chart):
    return HttpResponse(status=501)
