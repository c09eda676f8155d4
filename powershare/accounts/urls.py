from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", views.two_factor_verify, name="two_factor_verify"),
    path("sign-out/", views.sign_out, name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", views.account_settings, name="settings"),
    path("account/stay-signed-in/", views.stay_signed_in, name="stay_signed_in"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/turn-off/", views.two_factor_disable, name="two_factor_disable"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("memberships/<int:pk>/role/", views.membership_edit, name="membership_edit"),
    path("memberships/<int:pk>/remove/", views.membership_end, name="membership_end"),
    path(
        "memberships/<int:pk>/new-link/",
        views.membership_invitation_resend,
        name="membership_invitation_resend",
    ),
    path(
        "memberships/<int:pk>/two-factor-reset/",
        views.membership_two_factor_reset,
        name="membership_two_factor_reset",
    ),
]
