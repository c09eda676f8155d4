"""Schemas shared by every router: one error shape for every error, ids in paths, and text
that every database accepts."""

from typing import Annotated

from ninja import Path, Schema
from pydantic import AfterValidator, StringConstraints


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

#: What a read can answer besides its success.
READ_ERRORS = {401: Error, 404: Error, 422: Error}
#: Writes by browser session also need the CSRF token, or they answer 403; a body that is not
#: JSON answers 400.
WRITE_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}

#: A record's id in a path: anything a database column can hold, so a larger number is a 422
#: naming the parameter rather than a database error.
ID = Path(..., ge=1, le=2**63 - 1)


def no_nul(value: str) -> str:
    # PostgreSQL refuses text with NUL characters; say so instead of failing.
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    return value


def bounded_text(max_length: int):
    """A text field of at most `max_length` characters, without NUL characters."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(no_nul)]
