"""Small hooks that django-axes calls during sign-in."""

from django.conf import settings


def sign_in_name(request, credentials) -> str:
    """The account a sign-in attempt is for, as sign-in matches it (case-insensitive email), so
    'Alice@…' and 'alice@…' share one count of failures."""
    from .models import User

    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return User.normalise_email(value)


def client_address(request) -> str:
    """Behind PROXY_COUNT proxies of our own, the client is that many entries from the right of
    X-Forwarded-For: entries further left were written by the client and prove nothing."""
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) >= settings.PROXY_COUNT:
        return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def lockout_limits() -> dict:
    """How many wrong passwords pause an account, and for how long, in words for the pages."""
    return {
        "tries": settings.AXES_FAILURE_LIMIT,
        "minutes": round(settings.AXES_COOLOFF_TIME * 60),
    }
