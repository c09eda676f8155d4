"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def book(request, **kwargs):
    return HttpResponse("todo")


def booking_own(request, **kwargs):
    return HttpResponse("todo")


def booking_own_cancel(request, **kwargs):
    return HttpResponse("todo")


def booking_own_answer(request, **kwargs):
    return HttpResponse("todo")
