"""The PowerShare JSON API: one NinjaAPI; each app contributes a router."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .auth import session_auth, token_auth

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="PowerShare API",
    version="1.0",
    description=(
        "Read and write PowerShare data as yourself. Sign in with your browser session, or send "
        "a personal API token from your account page as `Authorization: Bearer <token>`. "
        "Every error has the same shape: `code`, `detail` and, for invalid input, `errors`."
    ),
    auth=[session_auth, token_auth],
    urls_namespace="api-1.0",
    docs_url="/docs",
    # Without deep links, operation paths are plain text rather than links nested inside the
    # expand button, which screen readers and keyboards cannot use (axe: nested-interactive).
    docs=Swagger(
        settings={"deepLinking": False, "defaultModelsExpandDepth": 0, "syntaxHighlight": False}
    ),
    openapi_url="/openapi.json",
)


def _error(request, status: int, code: str, detail: str, errors=None):
    return api.create_response(
        request, {"code": code, "detail": detail, "errors": errors or []}, status=status
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, 401, "not_authenticated", "Sign in, or send a valid API token.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "You can't do that.")


@api.exception_handler(DjangoValidationError)
def on_refused_by_a_service(request, exc):
    """A service refused what was sent (a rule the schema can't express): 422, field by field."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "request", "message": message} for message in exc.messages]
    return _error(request, 422, "invalid", "Some of what was sent is not valid.", errors)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", "There is nothing here, or you can't see it.")


def _field_name(loc) -> str:
    """("query", "q") -> "q"; a body's ("body", "<python parameter>", "purpose") -> "purpose",
    so a body field is named as the client sent it, the same as the services' field errors."""
    parts = list(loc)[2:] if loc and loc[0] == "body" else list(loc)[1:]
    return ".".join(str(part) for part in parts) or "request"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors = [
        {"field": _field_name(error.get("loc", [])), "message": error.get("msg", "Invalid value")}
        for error in exc.errors
    ]
    return _error(request, 422, "invalid", "Some of what was sent is not valid.", errors)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected_error(request, exc):
    logger.exception("Unexpected API error")
    return _error(
        request, 500, "server_error", "Something went wrong on our side. Try again later."
    )


from powershare.accountability.api import router as accountability_router  # noqa: E402
from powershare.accounts.api import router as accounts_router  # noqa: E402
from powershare.engagement.api import router as engagement_router  # noqa: E402
from powershare.evaluation.api import router as evaluation_router  # noqa: E402
from powershare.improvement.api import router as improvement_router  # noqa: E402
from powershare.learning.api import router as learning_router  # noqa: E402
from powershare.national.api import router as national_router  # noqa: E402
from powershare.payments.api import router as payments_router  # noqa: E402
from powershare.people.api import router as people_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/", people_router)
api.add_router("/", engagement_router)
api.add_router("/", accountability_router)
api.add_router("/", payments_router)
api.add_router("/", learning_router)
api.add_router("/", evaluation_router)
api.add_router("/", improvement_router)
api.add_router("/", national_router)
