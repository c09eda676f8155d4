from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("welcome/<uidb64>/<token>/", views.portal_welcome, name="welcome"),
    path("details/", views.my_details, name="details"),
    path("details/<slug:section>/", views.my_details_change, name="details_change"),
    path("choices/", views.my_choices, name="choices"),
    path("choices/<slug:purpose>/", views.my_choice_change, name="choice_change"),
    path("data/", views.my_data, name="data"),
    path("data/<int:pk>/download/", views.my_data_download, name="data_download"),
    path("support/", views.get_support, name="support"),
]
