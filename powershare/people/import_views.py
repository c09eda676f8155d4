"""CSV import (being built: placeholders until the views land)."""

from django.http import Http404


def people_import(request, **kwargs):
    raise Http404


def people_import_template(request, **kwargs):
    raise Http404
