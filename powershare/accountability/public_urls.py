from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("<slug:slug>/", public_views.public_page, name="you_said_we_did"),
]
