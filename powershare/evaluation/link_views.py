"""Placeholder: being written."""

from django.http import Http404


def link_create(request, *args, **kwargs):
    raise Http404


def link_detail(request, *args, **kwargs):
    raise Http404


def link_edit(request, *args, **kwargs):
    raise Http404


def link_qr_svg(request, *args, **kwargs):
    raise Http404


def link_qr_png(request, *args, **kwargs):
    raise Http404


def paper_codes(request, *args, **kwargs):
    raise Http404
