"""Staff pages: composing, previewing and sending 'you said, we did' letters."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def letter_compose(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def letter_detail(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def letter_send(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def letter_pdf(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def recipient_posted(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def group_version(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def group_version_pdf(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def group_replies(request, **kwargs):
    raise Http404("Not built yet")
