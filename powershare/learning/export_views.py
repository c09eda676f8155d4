"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def product_export(request, **kwargs):
    return HttpResponse("todo")


def product_attendance_export(request, **kwargs):
    return HttpResponse("todo")


def delivery_export(request, **kwargs):
    return HttpResponse("todo")


def register_export(request, **kwargs):
    return HttpResponse("todo")
