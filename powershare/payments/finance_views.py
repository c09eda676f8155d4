"""Finance: send approved payments and expense claims to the finance system, and mark paid
what it paid from its file.

Both need MANAGE_PAYMENTS in the organisation; anyone else gets 404. The export is a list of
people to pay, so each download is written to the access log. The import changes nothing until
the person confirms the preview, and then marks every row paid or none
(services.finance_mark_paid).
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_list_where
from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record
from powershare.lib.exports import table_response
from powershare.lib.forms import posted
from powershare.system.submissions import submit_once

from . import finance as finance_files
from . import selectors, services
from .finance_forms import FinanceConfirmForm, FinanceExportForm, FinanceImportForm

PAGE_TITLE = "Send to finance and mark paid"
#: A file full of mistakes lists this many; the rest show once these are put right.
PROBLEMS_LISTED = 500
PROBLEMS_IN_SUMMARY = 10


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Payments", "url": reverse("payments:home")},
        *items,
    ]


def _organisations(user):
    organisations = organisation_list_where(
        user=user, capability=Capability.MANAGE_PAYMENTS
    ).order_by("name")
    if not organisations:
        raise Http404("No such page")
    return organisations


def _things(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _finance_page(
    request,
    organisations,
    *,
    export_form=None,
    import_form=None,
    check=None,
    problem_intro="",
    error="",
    nothing_to_export="",
    status=200,
):
    problems = check.problems if check else []
    return render(
        request,
        "payments/finance.html",
        {
            "page_title": PAGE_TITLE,
            "breadcrumbs": _crumbs({"label": "Finance"}),
            "export_form": export_form or FinanceExportForm(organisations=organisations),
            "import_form": import_form or FinanceImportForm(organisations=organisations),
            "has_errors": bool(
                problems
                or error
                or (export_form is not None and export_form.errors)
                or (import_form is not None and import_form.errors)
            ),
            "problems": problems,
            "problems_listed": problems[:PROBLEMS_LISTED],
            "problems_not_listed": max(0, len(problems) - PROBLEMS_LISTED),
            "problems_in_summary": problems[:PROBLEMS_IN_SUMMARY],
            "problems_not_in_summary": max(0, len(problems) - PROBLEMS_IN_SUMMARY),
            "problem_rows": check.problem_rows if check else 0,
            "problem_intro": problem_intro,
            "error": error,
            "nothing_to_export": nothing_to_export,
            "columns": [
                (name, finance_files.IMPORT_HELP[name]) for name in finance_files.IMPORT_COLUMNS
            ],
            "several_organisations": len(organisations) > 1,
        },
        status=status,
    )


@login_required
@require_GET
def finance(request):
    """The two forms: approved payments to send to finance, and finance's file to mark paid."""
    return _finance_page(request, _organisations(request.user))


@login_required
@require_GET
def finance_export(request):
    """Approved, unpaid payments and expense claims approved in the period, as CSV or XLSX,
    with two empty columns for finance to fill in."""
    organisations = _organisations(request.user)
    if not request.GET:
        return redirect("payments:finance")
    form = FinanceExportForm(request.GET, organisations=organisations)
    if not form.is_valid():
        return _finance_page(request, organisations, export_form=form)
    organisation = form.cleaned_data.get("organisation") or organisations[0]
    start, end = form.cleaned_data["approved_from"], form.cleaned_data["approved_to"]
    payments, claims = selectors.approved_for_finance(
        user=request.user, organisation_id=organisation.pk, approved_from=start, approved_to=end
    )
    payments = list(payments)
    claims = list(finance_files.with_first_cost(claims))
    if not payments and not claims:
        return _finance_page(
            request,
            organisations,
            export_form=form,
            nothing_to_export=(
                f"Nothing approved from {start:%-d %B %Y} to {end:%-d %B %Y} is waiting to be "
                "paid, so there is no file to download."
            ),
        )
    # A list of people to pay is personal data: the download is recorded.
    access_event_record(
        user=request.user,
        organisation_id=organisation.pk,
        subject=organisation,
        description=(
            f"Approved payments exported for finance, {start:%-d %B %Y} to {end:%-d %B %Y}: "
            f"{_things(len(payments), 'payment', 'payments')} and "
            f"{_things(len(claims), 'expense claim', 'expense claims')}"
        ),
        path=request.get_full_path(),
        action=AccessEvent.Action.EXPORTED,
    )
    filename = finance_files.export_filename(start, end)
    rows = finance_files.export_rows(payments, claims)
    if form.cleaned_data["format"] == "xlsx":
        response = HttpResponse(
            finance_files.xlsx_bytes(rows), content_type=finance_files.XLSX_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    return table_response(
        filename=filename, headers=finance_files.EXPORT_HEADERS, rows=rows, file_format="csv"
    )


@login_required
@require_http_methods(["GET", "POST"])
def finance_import(request):
    """Upload finance's file, check every row, preview, confirm: all rows marked paid, or
    none."""
    organisations = _organisations(request.user)
    if request.method != "POST":
        return redirect("payments:finance")
    if "checked_file" in request.POST:
        return _confirm(request, organisations)
    form = FinanceImportForm(posted(request), request.FILES or None, organisations=organisations)
    if not form.is_valid():
        return _finance_page(request, organisations, import_form=form)
    organisation = form.cleaned_data.get("organisation") or organisations[0]
    try:
        check = finance_files.paid_file_check(
            user=request.user, organisation_id=organisation.pk, data=form.file_data()
        )
        if check.problems:
            return _finance_page(
                request,
                organisations,
                import_form=FinanceImportForm(
                    organisations=organisations, initial={"organisation": organisation}
                ),
                check=check,
            )
        signed = finance_files.checked_rows_sign(
            user_id=request.user.pk, organisation_id=organisation.pk, rows=check.rows
        )
    except finance_files.FinanceFileError as error:
        form.file_problem(str(error))
        return _finance_page(request, organisations, import_form=form)
    return _preview(request, organisations, organisation, check, signed)


def _preview(request, organisations, organisation, check, signed):
    shown = finance_files.preview_rows(
        check,
        selectors.payment_list_for(user=request.user).filter(organisation_id=organisation.pk),
        selectors.claim_list_for(user=request.user).filter(organisation_id=organisation.pk),
    )
    payments = sum(1 for row in shown if row.kind == "payment")
    claims = len(shown) - payments
    items = _things(len(check.items), "item", "items")
    return render(
        request,
        "payments/finance_preview.html",
        {
            "page_title": (
                f"Check the {items} before you mark "
                f"{'it' if len(check.items) == 1 else 'them'} paid"
            ),
            "breadcrumbs": _crumbs(
                {"label": "Finance", "url": reverse("payments:finance")}, {"label": "Check"}
            ),
            "rows": shown,
            "organisation": organisation,
            "several_organisations": len(organisations) > 1,
            "items": items,
            "payments_count": _things(payments, "payment", "payments"),
            "claims_count": _things(claims, "expense claim", "expense claims"),
            "total": sum((row.amount for row in shown), Decimal("0.00")),
            "skipped": check.skipped,
            "skipped_count": _things(len(check.skipped), "row", "rows"),
            "form": FinanceConfirmForm(initial={"checked_file": signed}),
        },
    )


def _confirm(request, organisations):
    """Check the signed rows again (something may have been paid or cancelled meanwhile) and
    mark them all paid, or none, once however often the button is pressed."""
    try:
        organisation_id, rows = finance_files.checked_rows_unsign(
            request.POST.get("checked_file", ""), user_id=request.user.pk
        )
    except finance_files.CheckedRowsInvalid as error:
        return _finance_page(request, organisations, error=str(error))
    organisation = next((o for o in organisations if o.pk == organisation_id), None)
    if organisation is None:
        return _finance_page(request, organisations, error=finance_files.NOT_AS_CHECKED)
    outcome = {}

    def mark_paid():
        # Checked again inside the one-time form: a second press of the button finds the
        # first one's result instead of rows that are now paid.
        check = finance_files.paid_rows_check(
            user=request.user, organisation_id=organisation.pk, rows=rows
        )
        if check.problems or not check.items:
            raise _Changed(check)
        outcome["counts"] = services.finance_mark_paid(
            actor=request.user, organisation_id=organisation.pk, items=check.items
        )
        outcome["skipped"] = len(check.skipped)
        return reverse("payments:finance")

    try:
        url, created = submit_once(request, mark_paid)
    except _Changed as changed:
        if not changed.check.problems:
            return _finance_page(request, organisations, error=finance_files.NOT_AS_CHECKED)
        return _finance_page(
            request,
            organisations,
            check=changed.check,
            problem_intro="Something changed after you checked the file.",
        )
    except (ValidationError, PermissionDenied) as error:
        problems = " ".join(getattr(error, "messages", [str(error)]))
        return _finance_page(
            request, organisations, error=f"Nothing has been marked paid. {problems}"
        )
    if created:
        counts = outcome["counts"]
        message = (
            f"Marked paid: {_things(counts['payments'], 'payment', 'payments')} and "
            f"{_things(counts['claims'], 'expense claim', 'expense claims')}."
        )
        if outcome["skipped"]:
            message += (
                f" {_things(outcome['skipped'], 'row', 'rows')} with no date paid or finance "
                "reference left as they were."
            )
        messages.success(request, message)
    return redirect(url)


class _Changed(Exception):
    """The rows no longer pass the checks they passed at the preview."""

    def __init__(self, check):
        super().__init__("The file's rows changed")
        self.check = check
