"""Keeping evaluation in step with learning and consent: answer links follow their sessions;
a product's summary of learning is remade when its attendance changes; and a made PDF that
may quote words whose use was withdrawn, narrowed or removed is taken down at once."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from powershare.engagement.signals import contribution_words_changed
from powershare.learning.signals import attendance_changed, delivery_sessions_changed
from powershare.people.models import ConsentDecision, ConsentRecord

from . import services


@receiver(delivery_sessions_changed, dispatch_uid="evaluation.links_follow_sessions")
def links_follow_sessions(sender, delivery, **kwargs):
    services.links_ensure_for_delivery(delivery=delivery)
    services.summaries_mark_stale(product_ids=[delivery.product_id])


@receiver(attendance_changed, dispatch_uid="evaluation.attendance_changed")
def summary_after_attendance(sender, session, **kwargs):
    services.summaries_mark_stale(product_ids=[session.delivery.product_id])


def _products_shaped_by(*, contribution_ids=None, person_id=None) -> list[int]:
    from django.db.models import Q

    from powershare.engagement.models import Contribution
    from powershare.learning.models import LearningProduct

    contributions = Contribution.objects.all()
    if contribution_ids is not None:
        contributions = contributions.filter(pk__in=list(contribution_ids))
    if person_id is not None:
        contributions = contributions.filter(person_id=person_id)
    return list(
        LearningProduct.objects.filter(
            Q(shaped_by_contributions__in=contributions)
            | Q(shaped_by_activities__contributions__in=contributions)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


@receiver(contribution_words_changed, dispatch_uid="evaluation.summary_words_changed")
def summary_after_words_changed(sender, *, contribution_ids, reason, **kwargs):
    """A made PDF may carry words that may no longer be used as they are: it is taken down at
    once (not just marked out of date) and made again without them."""
    services.summaries_take_down(product_ids=_products_shaped_by(contribution_ids=contribution_ids))


@receiver(post_save, sender=ConsentRecord, dispatch_uid="evaluation.summary_consent_withdrawn")
def summary_after_consent_withdrawn(sender, *, instance, created, **kwargs):
    if created and instance.decision == ConsentDecision.WITHDRAWN:
        services.summaries_take_down(product_ids=_products_shaped_by(person_id=instance.person_id))
