"""Placeholder views: replaced by the real pages (issue 11)."""

from django.http import HttpResponse


def my_returns(request):
    return HttpResponse(status=501)


def return_detail(request, pk):
    return HttpResponse(status=501)


def return_edit(request, pk):
    return HttpResponse(status=501)
