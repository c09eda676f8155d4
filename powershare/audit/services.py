"""Writes for the audit trail."""

from .models import AccessEvent


def access_event_record(
    *,
    user,
    organisation_id: int,
    subject,
    description: str,
    path: str = "",
    action: str = AccessEvent.Action.VIEWED,
) -> AccessEvent:
    """Record that a user read personal data. Called by every view that shows personal data."""
    return AccessEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        organisation_id=organisation_id,
        action=action,
        subject_type=subject._meta.verbose_name if hasattr(subject, "_meta") else str(subject),
        subject_id=str(getattr(subject, "pk", "") or ""),
        description=description[:300],
        path=path[:500],
    )


def access_event_prune(*, before) -> int:
    """Delete access records from before a day, as the retention policy says."""
    deleted, _ = AccessEvent.objects.filter(occurred_at__date__lt=before).delete()
    return deleted
