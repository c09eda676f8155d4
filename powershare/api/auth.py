"""API authentication: the web session (with CSRF) or a personal API token."""

from auditlog.context import auditlog_value
from django.conf import settings
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from powershare.accounts.middleware import two_factor_pending
from powershare.accounts.services import api_token_authenticate


class VerifiedSessionAuth(SessionAuth):
    """The browser session, once any two-factor step is done."""

    def _get_key(self, request):
        # No session cookie: not a browser session, so skip the CSRF check and let the token
        # (or the 401) answer. With a cookie, CSRF is enforced as usual.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user and not two_factor_pending(user):
            return user
        return None


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer ps_…` with a token created on the account page."""

    def authenticate(self, request, token):
        user = api_token_authenticate(plain=token)
        if user is not None:
            request.user = user
            record_as_audit_actor(user)
        return user


def record_as_audit_actor(user) -> None:
    """Make `user` the actor of this request's change-log entries.

    django-auditlog's middleware picks the actor from `request.user` before the view runs, which
    for a token request is still the anonymous user: ninja authenticates inside the view. The
    middleware keeps its per-request context (a dict with "actor", read when each LogEntry is
    saved) in `auditlog_value`; filling in the actor there makes the token's user the actor for
    the rest of this request. The middleware makes a fresh dict for each request and disconnects
    its receiver when the request ends, so nothing carries over to the next one; outside that
    middleware there is no live context, and this changes nothing.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    # Unconditionally: token auth only runs when the session did not authenticate, so any user
    # the middleware took from the session (say, one still owing a two-factor step) is not who
    # is acting.
    context["actor"] = user


session_auth = VerifiedSessionAuth(csrf=True)
token_auth = PersonalTokenAuth()
