"""Every error under the API's address answers in the API's one error shape.

Ninja's own errors go through the exception handlers in api.py. A few answers are made before or
around them, as plain text or an HTML page: 405 for a method an operation does not take
("Method not allowed"), the site's 400/403/500 pages, and errors raised by other middleware.
This middleware rewrites any such non-JSON 4xx/5xx response under the API's prefix, in place, so
its headers (`Allow` on a 405, the security headers) are kept.
"""

import json
from http import HTTPStatus

from django.urls import NoReverseMatch, reverse

API_ROOT = "api-1.0:api-root"

#: code and detail for the statuses the API documents; any other status gets a code made from
#: its reason phrase ("Payload Too Large" -> "payload_too_large").
_KNOWN = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", "Sign in, or send a valid API token."),
    403: ("forbidden", "You can't do that."),
    404: ("not_found", "There is no API operation here."),
    500: ("server_error", "Something went wrong on our side. Try again later."),
}


def api_prefix() -> str | None:
    """The path every API address starts with (`/api/`), or None if this URLconf has no API."""
    try:
        return reverse(API_ROOT)
    except NoReverseMatch:
        return None


def is_api_request(request) -> bool:
    prefix = api_prefix()
    return prefix is not None and request.path.startswith(prefix)


def error_body(status: int, *, allow: str | None = None) -> dict:
    """The API's error shape for an HTTP status (see schemas.Error)."""
    if status == 405:
        allowed = allow or "none"
        return {
            "code": "method_not_allowed",
            "detail": f"This address does not accept that method. Allowed: {allowed}.",
            "errors": [],
        }
    if status in _KNOWN:
        code, detail = _KNOWN[status]
    else:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Server error" if status >= 500 else "Error"
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        detail = f"{phrase}."
    return {"code": code, "detail": detail, "errors": []}


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    return "json" in content_type.split(";")[0].lower()


class ApiErrorShapeMiddleware:
    """Rewrite non-JSON error responses under the API's prefix into `{code, detail, errors}`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and not response.streaming
            and not _is_json(response)
            and is_api_request(request)
        ):
            body = error_body(response.status_code, allow=response.get("Allow"))
            response.content = json.dumps(body).encode()
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Encoding"):
                del response["Content-Encoding"]
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
