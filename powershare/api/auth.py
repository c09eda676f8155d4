"""API authentication: the web session (with CSRF) or a personal API token."""

from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from powershare.accounts.middleware import two_factor_pending
from powershare.accounts.services import api_token_authenticate


class VerifiedSessionAuth(SessionAuth):
    """The browser session, once any two-factor step is done."""

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
