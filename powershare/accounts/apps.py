from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "powershare.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import audit_registration  # noqa: F401
        from .services import session_extend

        # Sign-out time is fixed at sign-in (not moved by every click), so pages can warn
        # before it comes and offer to extend it.
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: session_extend(session=request.session),
            dispatch_uid="powershare_session_expiry",
            weak=False,
        )
