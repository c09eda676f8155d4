"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def learning_home(request, **kwargs):
    return HttpResponse("todo")


def learning_settings(request, **kwargs):
    return HttpResponse("todo")


def product_list(request, **kwargs):
    return HttpResponse("todo")


def product_create(request, **kwargs):
    return HttpResponse("todo")


def product_detail(request, **kwargs):
    return HttpResponse("todo")


def product_edit(request, **kwargs):
    return HttpResponse("todo")


def product_status(request, **kwargs):
    return HttpResponse("todo")


def product_co_design(request, **kwargs):
    return HttpResponse("todo")


def product_attendance(request, **kwargs):
    return HttpResponse("todo")


def version_create(request, **kwargs):
    return HttpResponse("todo")


def version_detail(request, **kwargs):
    return HttpResponse("todo")


def version_outcomes(request, **kwargs):
    return HttpResponse("todo")


def version_publish(request, **kwargs):
    return HttpResponse("todo")
