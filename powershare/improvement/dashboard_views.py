"""Placeholder: built by its owner."""

from django.http import Http404


def home(request, *args, **kwargs):
    raise Http404("Not built yet")
