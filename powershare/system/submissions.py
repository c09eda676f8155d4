"""The view side of one-time form tokens (see services.form_submission_once)."""

from .services import form_submission_fingerprint, form_submission_once


def submit_once(request, create) -> tuple[str, bool]:
    """Run `create()` once for this form as sent: a double click or a resend of the same form
    returns the first result's address. Returns (address, created)."""
    return form_submission_once(
        user=request.user,
        token=request.POST.get("form_token", ""),
        fingerprint=form_submission_fingerprint(path=request.path, data=request.POST),
        create=create,
    )
