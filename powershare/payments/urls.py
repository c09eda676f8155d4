from django.urls import path

from . import claim_views, finance_views, rate_views, report_views, views

app_name = "payments"

urlpatterns = [
    path("", views.payment_list, name="home"),
    path("new/", views.payment_create, name="payment_create"),
    path("activities/<int:pk>/", views.activity_payments, name="activity_payments"),
    path("<int:pk>/", views.payment_detail, name="payment_detail"),
    path("<int:pk>/change/", views.payment_edit, name="payment_edit"),
    path("<int:pk>/approve/", views.payment_approve, name="payment_approve"),
    path("<int:pk>/method/", views.payment_method, name="payment_method"),
    path("<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("<int:pk>/paid/", views.payment_paid, name="payment_paid"),
    path("<int:pk>/correct/", views.payment_adjust, name="payment_adjust"),
    path("people/<int:pk>/", views.person_payments, name="person_payments"),
    path("people/<int:pk>/choices/", views.person_choice, name="person_choice"),
    path("expenses/", claim_views.claim_list, name="claim_list"),
    path("expenses/new/", claim_views.claim_create, name="claim_create"),
    path("expenses/<int:pk>/", claim_views.claim_detail, name="claim_detail"),
    path("expenses/<int:pk>/add/", claim_views.claim_line_add, name="claim_line_add"),
    path("expenses/<int:pk>/send/", claim_views.claim_submit, name="claim_submit"),
    path("expenses/<int:pk>/approve/", claim_views.claim_approve, name="claim_approve"),
    path("expenses/<int:pk>/send-back/", claim_views.claim_return, name="claim_return"),
    path("expenses/<int:pk>/paid/", claim_views.claim_paid, name="claim_paid"),
    path(
        "expenses/costs/<int:pk>/remove/", claim_views.claim_line_remove, name="claim_line_remove"
    ),
    path(
        "expenses/costs/<int:pk>/receipt/", claim_views.claim_receipt_add, name="claim_receipt_add"
    ),
    path("receipts/<int:pk>/", claim_views.receipt_download, name="receipt_download"),
    path("finance/", finance_views.finance, name="finance"),
    path("finance/export/", finance_views.finance_export, name="finance_export"),
    path("finance/import/", finance_views.finance_import, name="finance_import"),
    path("reports/", report_views.reports, name="reports"),
    path("rates/", rate_views.rate_card_list, name="rate_card_list"),
    path("rates/new/", rate_views.rate_card_create, name="rate_card_create"),
    path("rates/<int:pk>/change/", rate_views.rate_card_edit, name="rate_card_edit"),
    path("settings/", rate_views.payment_settings, name="settings"),
]
