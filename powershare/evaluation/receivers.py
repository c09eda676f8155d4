"""Keeping evaluation in step with learning: answer links follow their sessions, and a
product's summary of learning is remade when its attendance changes."""

from django.dispatch import receiver

from powershare.learning.signals import attendance_changed, delivery_sessions_changed

from . import services


@receiver(delivery_sessions_changed, dispatch_uid="evaluation.links_follow_sessions")
def links_follow_sessions(sender, delivery, **kwargs):
    services.links_ensure_for_delivery(delivery=delivery)
    services.summaries_mark_stale(product_ids=[delivery.product_id])


@receiver(attendance_changed, dispatch_uid="evaluation.attendance_changed")
def summary_after_attendance(sender, session, **kwargs):
    services.summaries_mark_stale(product_ids=[session.delivery.product_id])
