from django.urls import include, path

from powershare.api.api import api
from powershare.system import views as system_views

urlpatterns = [
    path("", system_views.home, name="home"),
    path("healthz", system_views.healthz, name="healthz"),
    path("favicon.ico", system_views.favicon, name="favicon"),
    path("", include("powershare.accounts.urls")),
    path("", include("powershare.system.urls")),
    path("support-services/", include("powershare.support.urls")),
    path("people/", include("powershare.people.urls")),
    path("activities/", include("powershare.engagement.urls")),
    path("feedback/", include("powershare.accountability.urls")),
    path("you-said-we-did/", include("powershare.accountability.public_urls")),
    path("payments/", include("powershare.payments.urls")),
    path("learning/evaluation/", include("powershare.evaluation.urls")),
    path("learning/", include("powershare.learning.urls")),
    path("improvement/", include("powershare.improvement.urls")),
    path("national/", include("powershare.national.urls")),
    path("answer/", include("powershare.evaluation.public_urls")),
    path("privacy/", include("powershare.privacy.urls")),
    path("my/", include("powershare.portal.urls")),
    path("audit/", include("powershare.audit.urls")),
    path("api/", api.urls),
]

handler400 = "powershare.system.errors.bad_request"
handler403 = "powershare.system.errors.permission_denied"
handler404 = "powershare.system.errors.page_not_found"
handler500 = "powershare.system.errors.server_error"
