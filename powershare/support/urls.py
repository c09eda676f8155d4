from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.support_service_list, name="list"),
    path("add/", views.support_service_create, name="create"),
    path("<int:pk>/", views.support_service_detail, name="detail"),
    path("<int:pk>/change/", views.support_service_edit, name="edit"),
    path("<int:pk>/sharing/", views.support_service_sharing, name="sharing"),
    path(
        "<int:pk>/sharing/<int:share_pk>/stop/", views.support_service_share_end, name="share_end"
    ),
]
