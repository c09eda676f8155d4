"""Placeholder: built by its owner."""

from django.http import Http404


def plan_list(request, *args, **kwargs):
    raise Http404("Not built yet")


def plan_create(request, *args, **kwargs):
    raise Http404("Not built yet")


def plan_detail(request, *args, **kwargs):
    raise Http404("Not built yet")


def plan_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def plan_sharing(request, *args, **kwargs):
    raise Http404("Not built yet")


def plan_share_end(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_list(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_export(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_create(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_detail(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_progress(request, *args, **kwargs):
    raise Http404("Not built yet")
