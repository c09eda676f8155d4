"""Placeholder: being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404("Not built yet")


contribution_list = contribution_detail = contribution_redact = _todo
contribution_withdraw = contribution_use = _todo
