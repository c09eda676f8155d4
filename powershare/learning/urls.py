from django.urls import path

from . import (
    booking_views,
    delivery_views,
    export_views,
    learner_views,
    material_views,
    public_views,
    register_views,
    team_views,
    trainer_views,
    views,
)

app_name = "learning"

urlpatterns = [
    path("", views.learning_home, name="home"),
    path("settings/", views.learning_settings, name="settings"),
    # Products, versions and materials
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/export/", export_views.product_export, name="product_export"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/status/", views.product_status, name="product_status"),
    path("products/<int:pk>/co-design/", views.product_co_design, name="product_co_design"),
    path("products/<int:pk>/attendance/", views.product_attendance, name="product_attendance"),
    path(
        "products/<int:pk>/attendance/export/",
        export_views.product_attendance_export,
        name="product_attendance_export",
    ),
    path("products/<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/outcomes/", views.version_outcomes, name="version_outcomes"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/materials/new/", material_views.material_add, name="material_add"),
    path("materials/", material_views.materials_needing_update, name="materials_needing_update"),
    path("materials/<int:pk>/edit/", material_views.material_edit, name="material_edit"),
    path("materials/<int:pk>/remove/", material_views.material_remove, name="material_remove"),
    path("materials/<int:pk>/file/", material_views.material_download, name="material_download"),
    # Deliveries and sessions
    path("deliveries/", delivery_views.delivery_list, name="delivery_list"),
    path("deliveries/export/", export_views.delivery_export, name="delivery_export"),
    path(
        "products/<int:pk>/deliveries/new/", delivery_views.delivery_create, name="delivery_create"
    ),
    path("deliveries/<int:pk>/", delivery_views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/edit/", delivery_views.delivery_edit, name="delivery_edit"),
    path("deliveries/<int:pk>/cancel/", delivery_views.delivery_cancel, name="delivery_cancel"),
    path("deliveries/<int:pk>/sessions/new/", delivery_views.session_add, name="session_add"),
    path("sessions/<int:pk>/edit/", delivery_views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/remove/", delivery_views.session_remove, name="session_remove"),
    # The register
    path("sessions/<int:pk>/register/", register_views.register, name="register"),
    path(
        "sessions/<int:pk>/register/<int:booking_pk>/",
        register_views.register_mark,
        name="register_mark",
    ),
    path(
        "deliveries/<int:pk>/register/export/",
        export_views.register_export,
        name="register_export",
    ),
    # The team, trainers and commissions
    path("deliveries/<int:pk>/team/", team_views.team, name="team"),
    path(
        "deliveries/<int:pk>/team/no-lived-experience/",
        team_views.team_acknowledge,
        name="team_acknowledge",
    ),
    path("facilitators/<int:pk>/edit/", team_views.facilitator_edit, name="facilitator_edit"),
    path("facilitators/<int:pk>/remove/", team_views.facilitator_remove, name="facilitator_remove"),
    path("trainers/", trainer_views.trainer_list, name="trainer_list"),
    path("trainers/new/", trainer_views.trainer_add, name="trainer_add"),
    path("trainers/<int:pk>/edit/", trainer_views.trainer_edit, name="trainer_edit"),
    path(
        "deliveries/<int:pk>/commission/",
        trainer_views.commission_create,
        name="commission_create",
    ),
    path("commissions/<int:pk>/", trainer_views.commission_detail, name="commission_detail"),
    path("commissions/<int:pk>/cancel/", trainer_views.commission_cancel, name="commission_cancel"),
    path("support/<int:pk>/edit/", trainer_views.support_edit, name="support_edit"),
    # Bookings (staff)
    path("deliveries/<int:pk>/bookings/", booking_views.booking_list, name="bookings"),
    path("deliveries/<int:pk>/bookings/new/", booking_views.booking_create, name="booking_create"),
    path("bookings/<int:pk>/cancel/", booking_views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/erase/", booking_views.learner_erase, name="learner_erase"),
    path("learners/", learner_views.learner_lookup, name="learner_lookup"),
    # Public: the booking link, and a learner's own booking
    path("book/<str:token>/", public_views.book, name="book"),
    path("my-booking/<str:token>/", public_views.booking_own, name="booking_own"),
    path(
        "my-booking/<str:token>/cancel/", public_views.booking_own_cancel, name="booking_own_cancel"
    ),
    path(
        "my-booking/<str:token>/answer/", public_views.booking_own_answer, name="booking_own_answer"
    ),
]
