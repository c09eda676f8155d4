"""Portal pages (being built: placeholders until the views land)."""

from django.http import Http404


def portal_home(request, **kwargs):
    raise Http404


def portal_welcome(request, **kwargs):
    raise Http404


def my_details(request, **kwargs):
    raise Http404


def my_details_change(request, **kwargs):
    raise Http404


def my_choices(request, **kwargs):
    raise Http404


def my_choice_change(request, **kwargs):
    raise Http404


def my_data(request, **kwargs):
    raise Http404


def my_data_download(request, **kwargs):
    raise Http404


def get_support(request, **kwargs):
    raise Http404
