from django.urls import path

from . import import_views, views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("add/", views.person_create, name="create"),
    path("import/", import_views.people_import, name="import"),
    path("import/template.csv", import_views.people_import_template, name="import_template"),
    path("areas/", views.area_list, name="area_list"),
    path("areas/<int:pk>/change/", views.area_edit, name="area_edit"),
    path("retention-review/", views.retention_review, name="retention_review"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/change/", views.person_edit, name="edit"),
    path("<int:pk>/consent/", views.consent_record_add, name="consent_add"),
    path("<int:pk>/invite/", views.portal_invite, name="portal_invite"),
]
