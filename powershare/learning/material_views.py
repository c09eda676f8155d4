"""Placeholder: replaced by the page work."""

from django.http import HttpResponse


def material_add(request, **kwargs):
    return HttpResponse("todo")


def materials_needing_update(request, **kwargs):
    return HttpResponse("todo")


def material_edit(request, **kwargs):
    return HttpResponse("todo")


def material_remove(request, **kwargs):
    return HttpResponse("todo")


def material_download(request, **kwargs):
    return HttpResponse("todo")
