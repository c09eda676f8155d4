"""Placeholder: being written."""

from django.http import Http404


def summary_feedback(request, *args, **kwargs):
    raise Http404
