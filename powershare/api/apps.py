from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "powershare.api"
    label = "api"
    verbose_name = "JSON API"
