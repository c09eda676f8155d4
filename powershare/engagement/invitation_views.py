"""Placeholder: being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404("Not built yet")


invite = _todo
invitation_detail = _todo
invitation_withdraw = _todo
invitation_leave = _todo
