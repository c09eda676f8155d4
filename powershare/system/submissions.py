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


def submit_form_once(request, form, create, *, success: str = "", forbidden: str = "form"):
    """`submit_once` for a form whose service may refuse. A ValidationError lands on the
    form's fields and None is returned, so the view shows the form again with everything
    typed (without a form, form=None, the refusal comes back as one sentence to show). A
    PermissionDenied goes at the form's top, or with forbidden="not_found" reads as "not
    found", as on pages that don't say what exists. Otherwise: a redirect to the result, with
    `success` as a message the first time."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404
    from django.shortcuts import redirect

    from powershare.lib.forms import form_errors_to_fields

    try:
        url, created = submit_once(request, create)
    except ValidationError as error:
        if form is None:
            return " ".join(error.messages)
        form_errors_to_fields(form, error)
        return None
    except PermissionDenied as error:
        if forbidden == "not_found" or form is None:
            raise Http404("No such page") from None
        form.add_error(None, str(error) or "You can't do that.")
        return None
    if created and success:
        messages.success(request, success)
    return redirect(url)


def submit_form_once_or_404(request, form, create, *, success: str = ""):
    """`submit_form_once` for pages where no permission reads as "not found"."""
    return submit_form_once(request, form, create, success=success, forbidden="not_found")
