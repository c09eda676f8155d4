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


def submit_form_once(request, form, create, *, success: str = ""):
    """`submit_once` for a form whose service may refuse: a ValidationError lands on the form's
    fields (PermissionDenied at its top), and None is returned so the view shows the form again
    with everything typed; otherwise a redirect to the result, with `success` as a message the
    first time."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.shortcuts import redirect

    from powershare.lib.forms import form_errors_to_fields

    try:
        url, created = submit_once(request, create)
    except ValidationError as error:
        form_errors_to_fields(form, error)
        return None
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You can't do that.")
        return None
    if created and success:
        messages.success(request, success)
    return redirect(url)
