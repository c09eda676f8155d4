"""Error pages in the design system. Each one says what happened and what to do next."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from powershare.api.middleware import error_body, is_api_request


def _page(request, template, status, title):
    return render(request, template, {"page_title": title}, status=status)


def bad_request(request, exception=None):
    return _page(request, "errors/400.html", 400, "Something was wrong with that request")


def permission_denied(request, exception=None):
    return _page(request, "errors/403.html", 403, "You can't do that")


def page_not_found(request, exception=None):
    if is_api_request(request):
        # The API answers in its one error shape, even for addresses it does not know.
        return JsonResponse(error_body(404), status=404)
    return _page(request, "errors/404.html", 404, "Page not found")


def server_error(request):
    # Keep this page free of anything that needs the database or a signed-in user.
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render({"page_title": "Sorry, something went wrong"}))


def csrf_failure(request, reason=""):
    return _page(request, "errors/403_csrf.html", 403, "Please try again")
