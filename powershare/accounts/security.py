"""Small hooks that django-axes calls during sign-in."""

from urllib.parse import urlparse

from django.conf import settings
from django.core.cache import cache


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


def email_link_base(request) -> tuple[str, bool]:
    """(domain, use_https) for links in emails: POWERSHARE_SITE_URL when set, otherwise the
    address this request came to (already checked against ALLOWED_HOSTS)."""
    if settings.SITE_URL:
        parsed = urlparse(settings.SITE_URL)
        return parsed.netloc, parsed.scheme == "https"
    if request is not None:
        return request.get_host(), request.is_secure()
    return "localhost", False


def reset_email_allowed(user) -> bool:
    """At most one reset email per person every two minutes, so the public reset form cannot
    be used to flood someone's inbox."""
    return cache.add(f"powershare:reset-email:{user.pk}", True, timeout=120)
