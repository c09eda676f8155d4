"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def register(request, **kwargs):
    return HttpResponse("todo")


def register_mark(request, **kwargs):
    return HttpResponse("todo")
