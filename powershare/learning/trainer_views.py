"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def trainer_list(request, **kwargs):
    return HttpResponse("todo")


def trainer_add(request, **kwargs):
    return HttpResponse("todo")


def trainer_edit(request, **kwargs):
    return HttpResponse("todo")


def commission_create(request, **kwargs):
    return HttpResponse("todo")


def commission_detail(request, **kwargs):
    return HttpResponse("todo")


def commission_cancel(request, **kwargs):
    return HttpResponse("todo")


def support_edit(request, **kwargs):
    return HttpResponse("todo")
