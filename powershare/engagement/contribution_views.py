"""Placeholder: being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404("Not built yet")


contribution_capture = _todo
contribution_list = _todo
contribution_export = _todo
contribution_detail = _todo
contribution_redact = _todo
contribution_withdraw = _todo


def activity_contributions_context(request, activity) -> dict:
    """Context for templates/engagement/_activity_contributions.html on the activity page."""
    return {}
