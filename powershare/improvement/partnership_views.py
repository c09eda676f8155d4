"""Placeholder: built by its owner."""

from django.http import Http404


def group_list(request, *args, **kwargs):
    raise Http404("Not built yet")


def group_create(request, *args, **kwargs):
    raise Http404("Not built yet")


def group_detail(request, *args, **kwargs):
    raise Http404("Not built yet")


def group_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def member_add(request, *args, **kwargs):
    raise Http404("Not built yet")


def member_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_log(request, *args, **kwargs):
    raise Http404("Not built yet")


def action_log_export(request, *args, **kwargs):
    raise Http404("Not built yet")


def meeting_create(request, *args, **kwargs):
    raise Http404("Not built yet")


def meeting_detail(request, *args, **kwargs):
    raise Http404("Not built yet")


def meeting_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def meeting_attendance(request, *args, **kwargs):
    raise Http404("Not built yet")


def agenda_add(request, *args, **kwargs):
    raise Http404("Not built yet")


def agenda_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def agenda_remove(request, *args, **kwargs):
    raise Http404("Not built yet")


def partner_update_edit(request, *args, **kwargs):
    raise Http404("Not built yet")


def decision_add(request, *args, **kwargs):
    raise Http404("Not built yet")


def decision_remove(request, *args, **kwargs):
    raise Http404("Not built yet")


def arising_update(request, *args, **kwargs):
    raise Http404("Not built yet")


def minutes_agree(request, *args, **kwargs):
    raise Http404("Not built yet")


def minutes_pdf(request, *args, **kwargs):
    raise Http404("Not built yet")


def minutes_docx(request, *args, **kwargs):
    raise Http404("Not built yet")
