"""The floor for the HTTP submission benchmark: a bare Django site with one view that reads a
POST and answers with a tiny HTML page.

Same Python, Django and gunicorn as PowerShare, with the least a real form post needs: no
database, no templates, no sessions; the CSRF middleware is on (as it is for PowerShare's
answer page), so the same cookie and token pair is checked. Run by bench/http_submit.py as

    .venv/bin/python -m gunicorn bare_site:application --chdir bench/bare -w 2 -b 127.0.0.1:PORT
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("BARE_SECRET_KEY", "bare-floor-not-a-secret"),
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        DATABASES={},
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )


@require_http_methods(["GET", "POST"])
def answer(request):
    answered = sum(1 for key in request.POST if key != "csrfmiddlewaretoken")
    return HttpResponse(
        "<!doctype html><html lang=en><title>Thank you</title>"
        f"<p>Thank you: {answered} answers.</p></html>"
    )


urlpatterns = [path("answer/", answer)]

application = get_wsgi_application()
