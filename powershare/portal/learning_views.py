"""Placeholder: replaced by the portal work."""

from django.http import HttpResponse


def words_in_learning(request, **kwargs):
    return HttpResponse("todo")


def training_list(request, **kwargs):
    return HttpResponse("todo")


def training_detail(request, **kwargs):
    return HttpResponse("todo")


def training_material(request, **kwargs):
    return HttpResponse("todo")
