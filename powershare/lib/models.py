"""Abstract base models shared by every app (no tables of their own)."""

from django.conf import settings
from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrganisationOwnedModel(TimestampedModel):
    """A record that belongs to exactly one organisation.

    Reads go through each app's selectors, which scope to the user's organisation and to
    records the owner has shared with it (see powershare.accounts.sharing).
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    #: Set to True on models whose records may be shared with partner organisations.
    shareable = False

    class Meta:
        abstract = True

    def get_additional_data(self):
        # Lets administrators filter the change log to their own organisation's records.
        return {"organisation_id": self.organisation_id}
