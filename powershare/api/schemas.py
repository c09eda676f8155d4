"""Schemas shared by every router: one error shape for every error."""

from ninja import Schema


class FieldError(Schema):
    field: str
    message: str


class Error(Schema):
    """Every error the API returns has this shape."""

    code: str
    detail: str
    errors: list[FieldError] = []


#: The error responses every operation can give; add these to each operation's `response`.
COMMON_ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}
