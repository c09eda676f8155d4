"""Two-factor authentication: required for administrators, honoured for anyone who set it up."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from .roles import ROLES_REQUIRING_TWO_FACTOR
from .selectors import user_roles

# Pages a signed-in person can reach before finishing two-factor sign-in. The privacy notice
# is /privacy/ exactly: the staff privacy pages (erasure, subject access) live below it.
_OPEN_PREFIXES = ("/static/", "/healthz", "/api/", "/accessibility/", "/cookies/")
_OPEN_PATHS = ("/privacy/",)


def two_factor_required(user) -> bool:
    return user.is_superuser or bool(user_roles(user=user) & ROLES_REQUIRING_TWO_FACTOR)


def two_factor_pending(user) -> bool:
    """Signed in with a password, but the two-factor step is still to do (or to set up)."""
    if not user.is_authenticated or user.is_verified():
        return False
    cached = getattr(user, "_powershare_two_factor_pending", None)
    if cached is None:
        cached = two_factor_required(user) or user_has_device(user, confirmed=True)
        user._powershare_two_factor_pending = cached
    return cached


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if two_factor_pending(user) and not self._open(request.path):
            if user_has_device(user, confirmed=True):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
            return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        allowed = {
            reverse("accounts:two_factor_setup"),
            reverse("accounts:two_factor_verify"),
            reverse("accounts:logout"),
        }
        return path in allowed or path in _OPEN_PATHS or path.startswith(_OPEN_PREFIXES)


class PrivateResponsesMiddleware:
    """Pages shown to a signed-in person may hold personal data: browsers must not keep them
    (so Back after signing out on a shared computer shows nothing). Also turns off browser
    features PowerShare never uses."""

    PERMISSIONS_POLICY = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response
