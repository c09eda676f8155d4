from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "powershare.lib"
    label = "lib"
    verbose_name = "Shared building blocks"
