"""Forms for importing answers from a spreadsheet (see import_views)."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

from powershare.lib.forms import Form
from powershare.lib.uploads import upload_check

from .forms import _code_field, _line, clean_code
from .models import QuestionnaireKind

#: The largest file accepted (about 200,000 rows of a typical questionnaire).
MAX_FILE_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")


class AnswersUploadForm(Form):
    file = forms.FileField(
        label="The file",
        help_text="A CSV file (saved as CSV UTF-8) or an Excel workbook (XLSX) of 20 MB or "
        "less: a header row, then one row for each person's answers.",
        error_messages={
            "required": "Choose the file to upload",
            "empty": "The file is empty. Choose another one.",
            "invalid": "Choose the file to upload",
            "missing": "Choose the file to upload",
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    site_column = _line(
        "Column that says where people answered",
        required=False,
        help_text="Its heading, for example Site. Names are matched to organisations "
        "(“Stirling” and “Stirling Council” are the same); others are kept as written. Leave "
        "it blank if the file has no such column.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "ds_file-upload__input"

    def full_clean(self):
        super().full_clean()
        if self.is_bound and "file" in self.errors:
            self._mark_file_invalid()

    def file_problem(self, message: str) -> None:
        """A problem with the file as a whole, found once the form itself was valid."""
        self.add_error("file", message)
        self._mark_file_invalid()

    def _mark_file_invalid(self):
        attrs = self.fields["file"].widget.attrs
        attrs["class"] = "ds_file-upload__input ds_file-upload__input--error"
        attrs["aria-invalid"] = "true"
        error_id = f"id_{self.add_prefix('file')}-error"
        if error_id not in attrs.get("aria-describedby", ""):
            attrs["aria-describedby"] = f"{attrs.get('aria-describedby', '')} {error_id}".strip()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            upload_check(
                upload,
                extensions=EXTENSIONS,
                described="a CSV or XLSX file",
                max_bytes=MAX_FILE_BYTES,
            )
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["file"]) from None
        return upload

    @property
    def file_name(self) -> str:
        return PurePath(self.cleaned_data["file"].name or "answers.csv").name[:200]

    @property
    def extension(self) -> str:
        return PurePath(self.file_name).suffix.lower()

    def file_data(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(MAX_FILE_BYTES + 1)


class NewQuestionnaireUploadForm(AnswersUploadForm):
    """A new questionnaire made from a file: every column but the site column becomes a
    question whose code is the column's heading."""

    code = _code_field(
        help_text="A short name for the new questionnaire, used by imports, exports and the "
        "results API, for example spring-feedback. Letters, numbers and hyphens.",
        missing="Give the new questionnaire a short code, for example spring-feedback",
    )
    title = _line("Title", missing="Give the new questionnaire a title")
    kind = forms.ChoiceField(
        label="What is it for?",
        choices=QuestionnaireKind.choices,
        initial=QuestionnaireKind.CUSTOM,
        error_messages={"required": "Choose what the questionnaire is for"},
    )
    product = forms.ModelChoiceField(
        queryset=None,
        label="Learning product it evaluates",
        required=False,
        empty_label="None: a questionnaire of its own",
        error_messages={"invalid_choice": "Choose one from the list."},
    )

    field_order = ["code", "title", "kind", "product", "file", "site_column"]

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products

    def clean_code(self):
        return clean_code(self.cleaned_data["code"])
