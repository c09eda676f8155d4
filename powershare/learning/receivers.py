"""Learning listens for contributions whose words may no longer be used as they were, to flag
the materials quoting them: withdrawn, words removed, use narrowed, person erased (engagement's
signal), or the person taking back their agreement to be quoted (a new consent record)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from powershare.engagement.signals import contribution_words_changed
from powershare.people.models import ConsentDecision, ConsentPurpose, ConsentRecord

#: Consent purposes that decide whether someone's words may be quoted.
QUOTE_PURPOSES = {
    ConsentPurpose.QUOTE_INTERNAL,
    ConsentPurpose.QUOTE_ANONYMOUS,
    ConsentPurpose.QUOTE_NAMED,
    ConsentPurpose.PUBLISH_PUBLIC,
}


@receiver(contribution_words_changed, dispatch_uid="learning.materials_flag")
def materials_flag(sender, *, contribution_ids, reason, **kwargs):
    from .services import materials_flag_for_contributions

    materials_flag_for_contributions(contribution_ids=contribution_ids, reason=reason)


@receiver(post_save, sender=ConsentRecord, dispatch_uid="learning.materials_flag_on_consent")
def materials_flag_on_consent(sender, *, instance, created, **kwargs):
    """Consent records are only ever added: a new "withdrawn" for a quoting purpose may mean
    materials can no longer use the person's words as they do."""
    if not created or instance.decision != ConsentDecision.WITHDRAWN:
        return
    if instance.purpose not in QUOTE_PURPOSES:
        return
    from powershare.engagement.models import Contribution

    from .services import materials_flag_for_contributions

    ids = list(
        Contribution.objects.filter(person_id=instance.person_id, material_links__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    materials_flag_for_contributions(contribution_ids=ids, reason="consent_withdrawn")


@receiver(post_save, sender="engagement.Invitation", dispatch_uid="learning.commission_answer")
def commission_answer(sender, *, instance, created, **kwargs):
    """A commissioned trainer saying no, or leaving, is followed up (services)."""
    if created or instance.status not in ("declined", "left"):
        return
    from .services import commission_answer_follow

    commission_answer_follow(invitation=instance)
