from django.db import models

from powershare.lib.models import OrganisationOwnedModel


class SupportService(OrganisationOwnedModel):
    """A service people can turn to for support: shown beside every page that may be hard.

    Organisations keep their own directory of local services and can share entries with
    partners (a national helpline, a service that covers two council areas).
    """

    name = models.CharField(max_length=200)
    how_they_help = models.TextField(help_text="What the service does, in plain words.")
    who_it_is_for = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    text_number = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    opening_times = models.CharField(max_length=200, blank=True)
    is_crisis_support = models.BooleanField(
        default=False, help_text="Available for urgent help, for example a 24-hour helpline."
    )
    is_active = models.BooleanField(default=True)

    shareable = True

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self):
        return self.name
