from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "powershare.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from . import audit_registration  # noqa: F401
