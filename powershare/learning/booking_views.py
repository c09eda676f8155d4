"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def booking_list(request, **kwargs):
    return HttpResponse("todo")


def booking_create(request, **kwargs):
    return HttpResponse("todo")


def booking_cancel(request, **kwargs):
    return HttpResponse("todo")


def learner_erase(request, **kwargs):
    return HttpResponse("todo")
