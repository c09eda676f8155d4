"""The anonymous answer pages: no sign-in, reached by link or QR code."""

from django.urls import path

from . import answer_views

app_name = "answer"

urlpatterns = [
    path("<str:token>/", answer_views.answer, name="form"),
    path("<str:token>/thanks/", answer_views.thanks, name="thanks"),
]
