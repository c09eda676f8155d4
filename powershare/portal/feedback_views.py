"""Portal pages: what happened to what you said, and the letters and updates you were sent."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def feedback_list(request):
    raise Http404("Not built yet")


@login_required
def feedback_letter(request, pk):
    raise Http404("Not built yet")
