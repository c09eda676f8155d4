"""Two-factor authentication: required for administrators, honoured for anyone who set it up."""

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from .roles import ROLES_REQUIRING_TWO_FACTOR
from .selectors import user_roles

# Pages a signed-in person can reach before finishing two-factor sign-in.
_OPEN_PREFIXES = ("/static/", "/healthz", "/api/", "/accessibility/", "/privacy/", "/cookies/")


def two_factor_required(user) -> bool:
    return user.is_superuser or bool(user_roles(user=user) & ROLES_REQUIRING_TWO_FACTOR)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            path = request.path
            allowed = {
                reverse("accounts:two_factor_setup"),
                reverse("accounts:two_factor_verify"),
                reverse("accounts:logout"),
            }
            if path not in allowed and not path.startswith(_OPEN_PREFIXES):
                if user_has_device(user, confirmed=True):
                    return redirect(f"{reverse('accounts:two_factor_verify')}?next={path}")
                if two_factor_required(user):
                    return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)
