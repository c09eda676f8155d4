"""Placeholder: being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404("Not built yet")


invite = _todo
invitation_detail = _todo
invitation_withdraw = _todo
invitation_leave = _todo


def activity_invitations_context(request, activity) -> dict:
    """Context for templates/engagement/_activity_invitations.html on the activity page."""
    return {}
