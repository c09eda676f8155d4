"""The view side of one-time form tokens (see services.form_submission_once)."""

from django.contrib import messages

from .services import form_submission_fingerprint, form_submission_once


def submit_once(request, create) -> tuple[str, bool]:
    """Run `create()` once for this form as sent: a double click or a resend of the same form
    returns the first result's address, and tells the person nothing new was saved.
    Returns (address, created)."""
    url, created = form_submission_once(
        user=request.user,
        token=request.POST.get("form_token", ""),
        fingerprint=form_submission_fingerprint(path=request.path, data=request.POST),
        create=create,
    )
    if not created:
        messages.info(request, "You had already sent this form, so nothing new was saved.")
    return url, created
