"""Placeholder: built by its owner."""

from django.http import Http404


def assessment_list(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_create(request, *args, **kwargs):
    raise Http404("Not built yet")


def heatmap_svg(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_detail(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_ratings(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_participants(request, *args, **kwargs):
    raise Http404("Not built yet")


def participant_remove(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_agree(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_sharing(request, *args, **kwargs):
    raise Http404("Not built yet")


def assessment_share_end(request, *args, **kwargs):
    raise Http404("Not built yet")
