"""Change-log registration for account models (django-auditlog)."""

from auditlog.registry import auditlog

from .models import ApiToken, Membership, Organisation, Share, User

auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Membership)
auditlog.register(Organisation)
auditlog.register(Share)
auditlog.register(ApiToken, exclude_fields=["token_hash", "last_used_at"])
