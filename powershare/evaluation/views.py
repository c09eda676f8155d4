"""Placeholder: being written."""

from django.http import Http404


def questionnaire_list(request, *args, **kwargs):
    raise Http404


def questionnaire_create(request, *args, **kwargs):
    raise Http404


def questionnaire_detail(request, *args, **kwargs):
    raise Http404


def questionnaire_edit(request, *args, **kwargs):
    raise Http404


def section_add(request, *args, **kwargs):
    raise Http404


def section_edit(request, *args, **kwargs):
    raise Http404


def question_add(request, *args, **kwargs):
    raise Http404


def question_edit(request, *args, **kwargs):
    raise Http404


def question_close(request, *args, **kwargs):
    raise Http404


def question_remove(request, *args, **kwargs):
    raise Http404


def question_move(request, *args, **kwargs):
    raise Http404


def standard_make(request, *args, **kwargs):
    raise Http404
