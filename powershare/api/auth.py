"""API authentication: the web session (with CSRF) or a personal API token."""

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
        return user


session_auth = VerifiedSessionAuth(csrf=True)
token_auth = PersonalTokenAuth()
