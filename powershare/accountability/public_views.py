"""The opt-in public 'you said, we did' page, and its settings."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def public_page(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def public_page_settings(request, **kwargs):
    raise Http404("Not built yet")
