"""Placeholder: being written."""

from django.http import Http404


def results(request, *args, **kwargs):
    raise Http404


def results_export(request, *args, **kwargs):
    raise Http404


def free_text(request, *args, **kwargs):
    raise Http404
