"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def team(request, **kwargs):
    return HttpResponse("todo")


def team_acknowledge(request, **kwargs):
    return HttpResponse("todo")


def facilitator_edit(request, **kwargs):
    return HttpResponse("todo")


def facilitator_remove(request, **kwargs):
    return HttpResponse("todo")
