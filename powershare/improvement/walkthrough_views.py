"""Placeholder: built by its owner."""

from django.http import Http404


def walkthrough_list(request, *args, **kwargs):
    raise Http404("Not built yet")


def walkthrough_create(request, *args, **kwargs):
    raise Http404("Not built yet")


def walkthrough_detail(request, *args, **kwargs):
    raise Http404("Not built yet")


def walkthrough_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def site_add(request, *args, **kwargs):
    raise Http404("Not built yet")


def site_remove(request, *args, **kwargs):
    raise Http404("Not built yet")


def team_add(request, *args, **kwargs):
    raise Http404("Not built yet")


def team_remove(request, *args, **kwargs):
    raise Http404("Not built yet")


def observation_add(request, *args, **kwargs):
    raise Http404("Not built yet")


def observation_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def observation_remove(request, *args, **kwargs):
    raise Http404("Not built yet")
