from django.urls import path

from . import (
    contribution_views,
    feedback_views,
    learning_views,
    opportunity_views,
    payment_views,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("welcome/<uidb64>/<token>/", views.portal_welcome, name="welcome"),
    path("opportunities/", opportunity_views.opportunity_list, name="opportunities"),
    path("opportunities/<int:pk>/", opportunity_views.opportunity_detail, name="opportunity"),
    path(
        "opportunities/<int:pk>/answer/<slug:answer>/",
        opportunity_views.opportunity_answer,
        name="opportunity_answer",
    ),
    path(
        "opportunities/<int:pk>/leave/",
        opportunity_views.opportunity_leave,
        name="opportunity_leave",
    ),
    path("opportunities/<int:pk>/say/", opportunity_views.opportunity_say, name="opportunity_say"),
    path(
        "opportunities/<int:pk>/add/", opportunity_views.contribution_add, name="contribution_add"
    ),
    path("said/", contribution_views.contribution_list, name="contributions"),
    path("said/<int:pk>/", contribution_views.contribution_detail, name="contribution"),
    path(
        "said/<int:pk>/remove-words/",
        contribution_views.contribution_redact,
        name="contribution_redact",
    ),
    path(
        "said/<int:pk>/withdraw/",
        contribution_views.contribution_withdraw,
        name="contribution_withdraw",
    ),
    path("said/<int:pk>/use/", contribution_views.contribution_use, name="contribution_use"),
    path("said/in-learning/", learning_views.words_in_learning, name="words_in_learning"),
    path("training/", learning_views.training_list, name="training"),
    path("training/<int:pk>/", learning_views.training_detail, name="training_detail"),
    path(
        "training/materials/<int:pk>/file/",
        learning_views.training_material,
        name="training_material",
    ),
    path("heard-back/", feedback_views.feedback_list, name="feedback"),
    path("heard-back/<int:pk>/", feedback_views.feedback_letter, name="feedback_letter"),
    path("payments/", payment_views.payments, name="payments"),
    path("payments/how/", payment_views.payment_choice, name="payment_choice"),
    path("payments/expenses/new/", payment_views.expense_new, name="expense_new"),
    path("payments/expenses/<int:pk>/", payment_views.expense_detail, name="expense"),
    path(
        "payments/expenses/<int:pk>/add/", payment_views.expense_add_cost, name="expense_add_cost"
    ),
    path(
        "payments/expenses/costs/<int:pk>/remove/",
        payment_views.expense_remove_cost,
        name="expense_remove_cost",
    ),
    path(
        "payments/expenses/costs/<int:pk>/receipt/",
        payment_views.expense_receipt_add,
        name="expense_receipt_add",
    ),
    path("payments/expenses/<int:pk>/send/", payment_views.expense_send, name="expense_send"),
    path("payments/receipts/<int:pk>/", payment_views.receipt, name="receipt"),
    path("details/", views.my_details, name="details"),
    path("details/<slug:section>/", views.my_details_change, name="details_change"),
    path("choices/", views.my_choices, name="choices"),
    path("choices/<slug:purpose>/", views.my_choice_change, name="choice_change"),
    path("data/", views.my_data, name="data"),
    path("data/<int:pk>/download/", views.my_data_download, name="data_download"),
    path("support/", views.get_support, name="support"),
]
