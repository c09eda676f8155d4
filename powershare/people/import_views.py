"""Adding many people at once from a CSV file: upload, check every row, preview, confirm.

Nothing is written until the confirmation, and then all rows or none. Between the preview and
the confirmation the file's cells travel in the page, signed, so nothing personal is kept on
the server if the person walks away.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.lib.forms import posted
from powershare.system.submissions import submit_once

from . import imports, selectors, services
from .import_forms import PeopleImportConfirmForm, PeopleImportUploadForm
from .views import _crumbs, _managed_organisations

PAGE_TITLE = "Add people from a spreadsheet"
#: A file full of mistakes lists this many; the rest show once these are put right.
PROBLEMS_LISTED = 500


def _manageable_organisations(user):
    organisations = _managed_organisations(user).order_by("name")
    if not organisations:
        raise Http404("No such page")
    return organisations


def _people(count: int) -> str:
    return f"{count:,} {'person' if count == 1 else 'people'}"


def _upload_page(request, form, *, check=None, problem_intro="", error=""):
    """Step 1, and where any problem sends the person back to: the columns, the template,
    the upload, and (after a check) every problem found."""
    problems = check.problems if check else []
    return render(
        request,
        "people/import.html",
        {
            "page_title": PAGE_TITLE,
            "breadcrumbs": _crumbs({"label": PAGE_TITLE}),
            "form": form,
            "problems": problems,
            "problems_listed": problems[:PROBLEMS_LISTED],
            "problems_not_listed": max(0, len(problems) - PROBLEMS_LISTED),
            "problems_shown_in_summary": problems[:10],
            "problems_not_in_summary": max(0, len(problems) - 10),
            "problem_rows": len({p.row for p in problems}),
            "problem_intro": problem_intro,
            "error": error,
            "columns": [(name, imports.COLUMN_HELP[name]) for name in imports.COLUMNS],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request):
    organisations = _manageable_organisations(request.user)
    if request.method == "POST" and "checked_file" in request.POST:
        return _confirm(request, organisations)
    form = PeopleImportUploadForm(
        posted(request), request.FILES or None, organisations=organisations
    )
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, form)
    organisation = form.cleaned_data.get("organisation") or organisations[0]
    try:
        check = imports.people_import_check(organisation_id=organisation.pk, data=form.file_data())
        if check.problems:
            return _upload_page(
                request,
                PeopleImportUploadForm(
                    organisations=organisations, initial={"organisation": organisation}
                ),
                check=check,
            )
        signed = imports.checked_file_sign(
            user_id=request.user.pk, organisation_id=organisation.pk, check=check
        )
    except imports.ImportFileError as error:
        form.file_problem(str(error))
        return _upload_page(request, form)
    return render(
        request,
        "people/import_preview.html",
        {
            "page_title": f"Check the {_people(len(check.rows))} before you add them",
            "breadcrumbs": _crumbs(
                {"label": PAGE_TITLE, "url": reverse("people:import")}, {"label": "Check"}
            ),
            "check": check,
            "organisation": organisation,
            "several_organisations": len(organisations) > 1,
            "people_count": _people(len(check.rows)),
            "row_count": len(check.rows),
            "form": PeopleImportConfirmForm(initial={"checked_file": signed}),
        },
    )


def _confirm(request, organisations):
    """Step 3: check the signed cells again (areas may have changed) and add everyone, or
    nobody, once however often the button is pressed."""
    upload_form = PeopleImportUploadForm(organisations=organisations)
    try:
        organisation_id, header, cells = imports.checked_file_unsign(
            request.POST.get("checked_file", ""), user_id=request.user.pk
        )
    except imports.CheckedFileInvalid as error:
        return _upload_page(request, upload_form, error=str(error))
    organisation = next((o for o in organisations if o.pk == organisation_id), None)
    if organisation is None:
        return _upload_page(request, upload_form, error=imports.NOT_AS_CHECKED)
    check = imports.people_import_check_cells(
        organisation_id=organisation.pk, header=header, cells=cells
    )
    if check.problems:
        return _upload_page(
            request,
            upload_form,
            check=check,
            problem_intro="Something on the register changed after you checked the file.",
        )

    def create():
        services.people_import(
            actor=request.user, organisation_id=organisation.pk, rows=check.service_rows()
        )
        return reverse("people:list")

    try:
        url, created = submit_once(request, create)
    except (ValidationError, PermissionDenied) as error:
        message = "; ".join(getattr(error, "messages", [str(error)]))
        return _upload_page(
            request, upload_form, error=f"Nobody has been added. {message} Correct the file."
        )
    if created:
        register = f"{organisation.name}'s" if len(organisations) > 1 else "the"
        messages.success(request, f"{_people(len(check.rows))} added to {register} register.")
    return redirect(url)


@login_required
@require_GET
def people_import_template(request):
    """A CSV with the header row and one fictional example row."""
    organisations = _manageable_organisations(request.user)
    areas = selectors.lived_experience_area_list_for(
        user=request.user, organisation_id=organisations[0].pk
    )
    area_names = [area.name for area in areas[:2]]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-import-template.csv"'
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerows(imports.template_rows(area_names=area_names))
    return response
