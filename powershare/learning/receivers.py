"""Learning listens for contributions whose words change, to flag the materials quoting them."""

from django.dispatch import receiver

from powershare.engagement.signals import contribution_words_changed


@receiver(contribution_words_changed, dispatch_uid="learning.materials_flag")
def materials_flag(sender, *, contribution_ids, reason, **kwargs):
    from .services import materials_flag_for_contributions

    materials_flag_for_contributions(contribution_ids=contribution_ids, reason=reason)
