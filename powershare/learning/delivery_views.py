"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def delivery_list(request, **kwargs):
    return HttpResponse("todo")


def delivery_create(request, **kwargs):
    return HttpResponse("todo")


def delivery_detail(request, **kwargs):
    return HttpResponse("todo")


def delivery_edit(request, **kwargs):
    return HttpResponse("todo")


def delivery_cancel(request, **kwargs):
    return HttpResponse("todo")


def session_add(request, **kwargs):
    return HttpResponse("todo")


def session_edit(request, **kwargs):
    return HttpResponse("todo")


def session_remove(request, **kwargs):
    return HttpResponse("todo")
