"""Placeholder: being written."""

from django.http import Http404


def answer(request, *args, **kwargs):
    raise Http404


def thanks(request, *args, **kwargs):
    raise Http404
