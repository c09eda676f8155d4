"""Download a questionnaire's responses as a CSV file: one row per anonymous response, one
column per question (responses_export says what it holds and how it keeps people anonymous).

The same people as may see the results may download it (anyone who may see learning in the
questionnaire's organisation; others get 404). The file is streamed, so a million responses
download in constant memory, and each download is written to the access log: people's own
words can say more than the figures do.
"""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record

from . import selectors
from .responses_export import csv_chunks, responses_export


@login_required
@require_GET
def responses_download(request, pk):
    """Every response to the questionnaire, as CSV."""
    questionnaire = selectors.questionnaire_get_for(user=request.user, pk=pk)
    export = responses_export(questionnaire=questionnaire)
    access_event_record(
        user=request.user,
        organisation_id=questionnaire.organisation_id,
        subject=questionnaire,
        description=f"Responses to {questionnaire.title} downloaded ({export.responses} responses)",
        path=request.get_full_path(),
        action=AccessEvent.Action.EXPORTED,
    )
    response = StreamingHttpResponse(csv_chunks(export), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{export.filename}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
