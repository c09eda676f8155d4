"""Placeholder: being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404("Not built yet")


activity_list = _todo
activity_create = _todo
activity_export = _todo
engagement_settings = _todo
ladder_report = _todo
ladder_chart = _todo
activity_detail = _todo
activity_edit = _todo
activity_cancel = _todo
