from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "powershare.portal"
    label = "portal"
    verbose_name = "Portal for experts by experience"
