"""Placeholder: being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404("Not built yet")


opportunity_list = opportunity_detail = opportunity_answer = opportunity_leave = _todo
opportunity_say = contribution_add = _todo
