"""Background work for evaluation: making the summary of learning's PDF (with its progress
shown on the page), and remaking summaries whose data changed."""

import datetime
import logging

from django.tasks import task
from django.utils import timezone

from powershare.system.schedule import every

from . import selectors, services
from .models import LearningSummary

logger = logging.getLogger(__name__)


@task
def learning_summary_make(summary_id: int) -> str:
    from .report import summary_pdf

    summary = LearningSummary.objects.select_related("product").filter(pk=summary_id).first()
    if summary is None:
        return "gone"
    started_at = timezone.now()
    services.summary_making_start(summary_id=summary_id)
    try:
        pdf = summary_pdf(
            summary=summary,
            progress=lambda pct: services.summary_progress(summary_id=summary_id, progress=pct),
        )
    except Exception as error:  # the page says it failed and offers to try again
        logger.exception("Summary of learning %s could not be made", summary_id)
        services.summary_failed(summary_id=summary_id, error=f"{type(error).__name__}")
        return "failed"
    services.summary_store_pdf(summary_id=summary_id, pdf=pdf, started_at=started_at)
    return "ready"


@every(datetime.timedelta(days=1), name="evaluation.summaries_remake")
@task
def summaries_remake() -> int:
    """Daily: remake every summary whose data changed since its PDF was made. Not more often:
    each remake is dated, and an answer's arrival must not be datable from it. (Staff can
    make one at once from the summary's page.)"""
    count = 0
    for summary in selectors.summaries_stale().select_related("product"):
        services.summary_request(actor=None, product=summary.product)
        count += 1
    return count


@every(datetime.timedelta(days=1), name="evaluation.import_uploads_sweep")
@task
def import_uploads_sweep() -> int:
    """Daily: delete files checked on the import page but never imported."""
    return services.import_uploads_sweep()
