"""Privacy pages (being built: placeholders until the views land)."""

from django.http import Http404


def statement_list(request, **kwargs):
    raise Http404


def statement_publish(request, **kwargs):
    raise Http404


def subject_access_list(request, **kwargs):
    raise Http404


def subject_access_create(request, **kwargs):
    raise Http404


def subject_access_detail(request, **kwargs):
    raise Http404


def subject_access_download(request, **kwargs):
    raise Http404


def erasure_list(request, **kwargs):
    raise Http404


def erasure_request_create(request, **kwargs):
    raise Http404


def erasure_detail(request, **kwargs):
    raise Http404
