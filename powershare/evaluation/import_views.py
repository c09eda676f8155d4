"""Placeholder: being written."""

from django.http import Http404


def import_new(request, *args, **kwargs):
    raise Http404


def import_answers(request, *args, **kwargs):
    raise Http404


def import_undo(request, *args, **kwargs):
    raise Http404
