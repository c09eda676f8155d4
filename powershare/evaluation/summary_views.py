"""Placeholder: being written."""

from django.http import Http404


def summary(request, *args, **kwargs):
    raise Http404


def summary_edit(request, *args, **kwargs):
    raise Http404


def summary_make(request, *args, **kwargs):
    raise Http404


def summary_progress(request, *args, **kwargs):
    raise Http404


def summary_pdf(request, *args, **kwargs):
    raise Http404
