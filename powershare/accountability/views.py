"""Staff pages: the feedback dashboard, figures, responses and their evidence."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def dashboard(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def metrics(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def response_list(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def activity_loop(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def respond(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def response_detail(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def response_edit(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def response_delete(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def response_progress(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def evidence_add(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def evidence_download(request, **kwargs):
    raise Http404("Not built yet")


@login_required
def evidence_remove(request, **kwargs):
    raise Http404("Not built yet")
