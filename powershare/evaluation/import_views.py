"""Importing answers from a spreadsheet (CSV or XLSX): upload, check every row, preview,
confirm. Into a questionnaire that exists, or as a new questionnaire whose questions are the
file's columns (like `questionnaire_import --create`).

Nothing is stored until the confirmation, and then every row or none. Between the preview and
the confirmation the uploaded file waits in private storage (never served, never in the page)
under a random name kept in the person's session; it is removed once imported, when another
file is uploaded, or when its check finds problems. Answers are anonymous, so the file holds
no personal data to protect beyond that.
"""

import contextlib
import csv
import secrets
import zipfile
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, organisation_list_where
from powershare.lib.forms import add_organisation_choice, posted
from powershare.system.submissions import submit_once

from . import importing, selectors, services
from .import_forms import AnswersUploadForm, NewQuestionnaireUploadForm
from .models import LIKERT_LABELS, QuestionnaireKind, QuestionType
from .views import _crumbs, _detail_url, questionnaire_crumbs

SESSION_KEY = "evaluation_import"
FOLDER = services.IMPORT_UPLOADS_FOLDER
#: How many of the file's rows the preview shows.
ROWS_SHOWN = 10
#: How many problems the error summary at the top links to (the table lists them all).
PROBLEMS_IN_SUMMARY = 10
NEW_TITLE = "A new questionnaire from a file"
NOT_READABLE = (
    "We couldn't read this file as a spreadsheet. Open it in your spreadsheet program, save it "
    "again as XLSX or as CSV UTF-8, and upload it again."
)
GONE = (
    "We no longer have the file you checked (it may have been replaced by another upload, "
    "perhaps in another tab). Nothing was imported: upload the file again."
)


# ---------------------------------------------------------------------------------------------
# The file waiting between the preview and the confirmation


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or not str(pending.get("key", "")).startswith(FOLDER):
        return None
    return pending


def _discard(request) -> None:
    """Forget the waiting file, and remove it from storage."""
    pending = _pending(request)
    request.session.pop(SESSION_KEY, None)
    if pending is not None:
        with contextlib.suppress(OSError):
            default_storage.delete(pending["key"])


def _keep(request, *, data: bytes, file_name: str, extension: str, **details) -> None:
    _discard(request)
    key = default_storage.save(f"{FOLDER}{secrets.token_hex(16)}{extension}", ContentFile(data))
    request.session[SESSION_KEY] = {"key": key, "name": file_name, **details}


def _read_kept(pending: dict) -> bytes | None:
    try:
        with default_storage.open(pending["key"], "rb") as stored:
            return stored.read()
    except (OSError, ValueError):
        return None


def _table(data: bytes, file_name: str):
    """(header, rows) of the file, or ValueError with what to do, in plain words."""
    try:
        return importing.read_table(data, file_name)
    except ValueError as error:
        # read_table's own messages say what to do; a damaged workbook's don't.
        if not str(error).startswith("The file"):
            raise ValueError(NOT_READABLE) from None
        raise
    except (csv.Error, zipfile.BadZipFile, KeyError, IndexError, OSError, TypeError):
        raise ValueError(NOT_READABLE) from None
    except Exception as error:  # openpyxl's own errors for a damaged workbook
        if type(error).__module__.startswith("openpyxl"):
            raise ValueError(NOT_READABLE) from None
        raise


# ---------------------------------------------------------------------------------------------
# The pages


@dataclass
class Preview:
    """What the preview page shows about a checked file."""

    plan: importing.ImportPlan
    header: list[str]
    rows: list[list[str]]

    @property
    def general_errors(self) -> list[str]:
        row_messages = {problem.message for problem in self.plan.problems}
        return [error for error in self.plan.errors if error not in row_messages]

    @property
    def first_rows(self) -> list[list[str]]:
        return [row[: len(self.header)] for row in self.rows[:ROWS_SHOWN]]

    @property
    def columns(self) -> list[dict]:
        return [
            {
                "header": column.header,
                "code": column.code,
                "type": QuestionType(column.type).label,
                "question": column.question,
            }
            for column in self.plan.columns
        ]


def _upload_page(request, form, *, questionnaire=None, preview=None, error="", intro=""):
    plan = preview.plan if preview else None
    problems = plan.problems if plan else []
    context = {
        "form": form,
        "questionnaire": questionnaire,
        "preview": preview,
        "problems": problems,
        "problems_in_summary": problems[:PROBLEMS_IN_SUMMARY],
        "problems_not_in_summary": max(0, len(problems) - PROBLEMS_IN_SUMMARY),
        "problem_intro": intro,
        "error": error,
        "likert_labels": list(LIKERT_LABELS.values()),
    }
    if questionnaire is not None:
        context |= {
            "page_title": "Import answers from a file",
            "page_caption": questionnaire.title,
            "breadcrumbs": questionnaire_crumbs(questionnaire, {"label": "Import answers"}),
            "questions": list(selectors.question_list(questionnaire=questionnaire)),
            "action": reverse("evaluation:import_answers", args=[questionnaire.pk]),
            "cancel_url": _detail_url(questionnaire.pk),
        }
    else:
        context |= {
            "page_title": NEW_TITLE,
            "breadcrumbs": _crumbs({"label": "New questionnaire from a file"}),
            "action": reverse("evaluation:import_new"),
            "cancel_url": reverse("evaluation:questionnaire_list"),
        }
    return render(request, "evaluation/import_upload.html", context)


def _preview_page(request, preview: Preview, *, questionnaire=None, details=None):
    plan = preview.plan
    if questionnaire is not None:
        title, caption = "Check the answers before you import them", questionnaire.title
        crumbs = questionnaire_crumbs(
            questionnaire,
            {
                "label": "Import answers",
                "url": reverse("evaluation:import_answers", args=[questionnaire.pk]),
            },
            {"label": "Check"},
        )
        action = reverse("evaluation:import_answers", args=[questionnaire.pk])
    else:
        title, caption = "Check the new questionnaire before you make it", plan.title
        crumbs = _crumbs(
            {"label": "New questionnaire from a file", "url": reverse("evaluation:import_new")},
            {"label": "Check"},
        )
        action = reverse("evaluation:import_new")
    return render(
        request,
        "evaluation/import_preview.html",
        {
            "page_title": title,
            "page_caption": caption,
            "breadcrumbs": crumbs,
            "questionnaire": questionnaire,
            "preview": preview,
            "plan": plan,
            "details": details or {},
            "row_count": len(plan.rows),
            "matched_sites": sorted(plan.matched_sites.items()),
            "unmatched_sites": sorted(plan.unmatched_sites.items()),
            "action": action,
        },
    )


def _check_file(form) -> tuple[bytes, list[str], list[list[str]]] | None:
    """The uploaded file's bytes and table, or None with the problem on the form."""
    data = form.file_data()
    try:
        header, rows = _table(data, form.file_name)
    except ValueError as error:
        form.file_problem(str(error))
        return None
    return data, header, rows


class _Gone(Exception):
    pass


class _Problems(Exception):
    def __init__(self, preview: Preview):
        super().__init__("The file has problems")
        self.preview = preview


def _confirm(request, *, build, matches, questionnaire=None, upload_form):
    """Import the waiting file: check it again (the questionnaire may have changed), then
    store every row or none, once however often the button is pressed."""
    pending = _pending(request)
    done = {}

    def create():
        if pending is None or not matches(pending):
            raise _Gone
        data = _read_kept(pending)
        if data is None:
            raise _Gone
        try:
            header, rows = _table(data, pending["name"])
        except ValueError:
            raise _Gone from None
        plan = build(pending, header, rows)
        if plan.errors:
            raise _Problems(Preview(plan, header, rows))
        batch = services.responses_import(actor=request.user, plan=plan)
        done["rows"] = batch.rows
        done["code"] = batch.questionnaire.code
        return _detail_url(batch.questionnaire_id, "imports")

    try:
        url, created = submit_once(request, create)
    except _Gone:
        _discard(request)
        return _upload_page(request, upload_form, questionnaire=questionnaire, error=GONE)
    except _Problems as problems:
        _discard(request)
        return _upload_page(
            request,
            upload_form,
            questionnaire=questionnaire,
            preview=problems.preview,
            intro="Something changed since you checked the file.",
        )
    except ValidationError as error:
        _discard(request)
        return _upload_page(
            request,
            upload_form,
            questionnaire=questionnaire,
            error="Nothing was imported. " + " ".join(error.messages),
        )
    except PermissionDenied:
        raise Http404("No such page") from None
    if created:
        _discard(request)
        rows = done.get("rows", 0)
        messages.success(
            request,
            f"{rows:,} response{'' if rows == 1 else 's'} imported"
            + (" into the new questionnaire." if questionnaire is None else ".")
            + " If it was the wrong file, you can take them out again under Imports.",
        )
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def import_answers(request, pk, **kwargs):
    """Answers from a file into this questionnaire: columns match question codes or the
    questions' exact wording."""
    user = request.user
    questionnaire = selectors.questionnaire_get_for(
        user=user, pk=pk, may=Capability.MANAGE_LEARNING
    )

    def build(details, header, rows):
        return importing.build_plan(
            header=header,
            rows=rows,
            file_name=details["name"],
            code=questionnaire.code,
            questionnaire=questionnaire,
            site_column=details.get("site_column", ""),
        )

    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(
            request,
            build=build,
            matches=lambda pending: pending.get("questionnaire") == questionnaire.pk,
            questionnaire=questionnaire,
            upload_form=AnswersUploadForm(),
        )
    pending = _pending(request)
    initial = (
        {"site_column": pending.get("site_column", "")}
        if pending and pending.get("questionnaire") == questionnaire.pk
        else {}
    )
    form = AnswersUploadForm(posted(request), request.FILES or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, form, questionnaire=questionnaire)
    checked = _check_file(form)
    if checked is None:
        return _upload_page(request, form, questionnaire=questionnaire)
    data, header, rows = checked
    details = {"questionnaire": questionnaire.pk, "site_column": form.cleaned_data["site_column"]}
    plan = build({"name": form.file_name, **details}, header, rows)
    preview = Preview(plan, header, rows)
    if plan.errors:
        _discard(request)
        return _upload_page(
            request,
            AnswersUploadForm(initial={"site_column": details["site_column"]}),
            questionnaire=questionnaire,
            preview=preview,
        )
    _keep(request, data=data, file_name=form.file_name, extension=form.extension, **details)
    return _preview_page(request, preview, questionnaire=questionnaire)


def _new_form(request, organisations, manage_ids, data=None, files=None, initial=None):
    form = NewQuestionnaireUploadForm(
        data,
        files,
        products=selectors.product_choices(organisation_ids=manage_ids),
        initial=initial,
    )
    add_organisation_choice(form, organisations, label="Which organisation is it for?")
    return form


def _new_initial(pending, organisations, manage_ids) -> dict:
    """What was typed for the file waiting to be confirmed ("Upload a different file")."""
    if not pending or pending.get("questionnaire") is not None:
        return {}
    initial = {name: pending.get(name, "") for name in ("code", "title", "kind", "site_column")}
    initial["organisation"] = next(
        (o for o in organisations if o.pk == pending.get("organisation")), None
    )
    if pending.get("product"):
        initial["product"] = (
            selectors.product_choices(organisation_ids=manage_ids)
            .filter(pk=pending["product"])
            .first()
        )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request, **kwargs):
    """A new questionnaire from a file: every column but the site column becomes a question
    (its code from the heading, its kind of answer from the values), then the rows are
    imported as its answers."""
    user = request.user
    manage_ids = organisation_ids_where(user=user, capability=Capability.MANAGE_LEARNING)
    if not manage_ids:
        raise Http404("No such page")
    organisations = organisation_list_where(
        user=user, capability=Capability.MANAGE_LEARNING
    ).order_by("name")

    def build(details, header, rows):
        if details.get("organisation") not in manage_ids:
            raise _Gone
        product = None
        if details.get("product"):
            product = (
                selectors.product_choices(organisation_ids=manage_ids)
                .filter(pk=details["product"])
                .first()
            )
        return importing.build_plan(
            header=header,
            rows=rows,
            file_name=details["name"],
            code=details["code"],
            questionnaire=selectors.questionnaire_by_code(code=details["code"]),
            create=True,
            site_column=details.get("site_column", ""),
            organisation_id=details["organisation"],
            product=product,
            kind=details.get("kind", ""),
            title=details.get("title", ""),
        )

    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(
            request,
            build=build,
            matches=lambda pending: (
                pending.get("questionnaire") is None and bool(pending.get("code"))
            ),
            upload_form=_new_form(request, organisations, manage_ids),
        )
    form = _new_form(
        request,
        organisations,
        manage_ids,
        posted(request),
        request.FILES or None,
        initial=_new_initial(_pending(request), organisations, manage_ids)
        if request.method == "GET"
        else None,
    )
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, form)
    data = form.cleaned_data
    if selectors.questionnaire_by_code(code=data["code"]) is not None:
        form.add_error(
            "code", f"The code {data['code']} is already used by a questionnaire: choose another."
        )
        return _upload_page(request, form)
    organisation = data.get("organisation")
    owner_id = organisation.pk if organisation else manage_ids[0]
    if data["product"] is not None and data["product"].organisation_id != owner_id:
        form.add_error("product", "Choose one of that organisation's learning products.")
        return _upload_page(request, form)
    checked = _check_file(form)
    if checked is None:
        return _upload_page(request, form)
    file_data, header, rows = checked
    details = {
        "questionnaire": None,
        "organisation": owner_id,
        "code": data["code"],
        "title": data["title"],
        "kind": data["kind"],
        "product": data["product"].pk if data["product"] else None,
        "site_column": data["site_column"],
    }
    plan = build({"name": form.file_name, **details}, header, rows)
    preview = Preview(plan, header, rows)
    if plan.errors:
        _discard(request)
        kept = {k: v for k, v in data.items() if k != "file"}
        return _upload_page(
            request, _new_form(request, organisations, manage_ids, initial=kept), preview=preview
        )
    _keep(request, data=file_data, file_name=form.file_name, extension=form.extension, **details)
    return _preview_page(
        request,
        preview,
        details={
            **details,
            "product_title": data["product"].title if data["product"] else "",
            "kind_label": QuestionnaireKind(data["kind"]).label,
            "organisation_name": organisation.display_name if organisation else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request, pk, **kwargs):
    """Take out every response one import brought in (a wrong file, say), after asking once."""
    user = request.user
    batch = selectors.import_get_for(user=user, pk=pk)
    questionnaire = batch.questionnaire
    if request.method == "POST":
        try:
            count = services.import_undo(actor=user, batch=batch)
        except PermissionDenied:
            raise Http404("No such import") from None
        messages.success(
            request,
            f"The {count:,} response{'' if count == 1 else 's'} from {batch.file_name} "
            f"{'has' if count == 1 else 'have'} been taken out.",
        )
        return redirect(_detail_url(questionnaire.pk, "imports"))
    return render(
        request,
        "evaluation/import_undo.html",
        {
            "page_title": "Take out this import?",
            "page_caption": questionnaire.title,
            "breadcrumbs": questionnaire_crumbs(questionnaire, {"label": "Take out an import"}),
            "questionnaire": questionnaire,
            "batch": batch,
        },
    )
