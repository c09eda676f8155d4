"""Placeholder: built by its owner."""

from django.http import Http404


def framework_list(request, *args, **kwargs):
    raise Http404("Not built yet")


def framework_detail(request, *args, **kwargs):
    raise Http404("Not built yet")


def version_publish(request, *args, **kwargs):
    raise Http404("Not built yet")


def version_detail(request, *args, **kwargs):
    raise Http404("Not built yet")
