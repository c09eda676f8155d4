"""Register pages (being built: placeholders until the views land)."""

from django.http import Http404


def person_list(request, **kwargs):
    raise Http404


def person_create(request, **kwargs):
    raise Http404


def area_list(request, **kwargs):
    raise Http404


def area_edit(request, **kwargs):
    raise Http404


def retention_review(request, **kwargs):
    raise Http404


def person_detail(request, **kwargs):
    raise Http404


def person_edit(request, **kwargs):
    raise Http404


def consent_record_add(request, **kwargs):
    raise Http404


def portal_invite(request, **kwargs):
    raise Http404
