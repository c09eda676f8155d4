"""Forms of the finance page: the export of approved payments and the finance system's file of
what was paid. They only collect and check what was chosen; reading the file is in finance.py
and marking paid in services.finance_mark_paid."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.lib.exports import FORMATS
from powershare.lib.forms import Form, add_organisation_choice
from powershare.lib.uploads import upload_check

from .finance import EARLIEST, MAX_FILE_BYTES, MAX_ROWS

LATEST = datetime.date(2100, 12, 31)
IMPORT_EXTENSIONS = (".csv", ".xlsx")


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": f"Enter the date {label.lower()}, like 30/11/2026",
            "invalid": f"Enter the date {label.lower()} as a real date, like 30/11/2026",
        },
    )


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first of this month to today."""
    return today.replace(day=1), today


class FinanceExportForm(Form):
    """Which approvals to send to finance: a GET form, so the address can be bookmarked."""

    approved_from = _date_field("Approved from", "The first day, for example 1/11/2026.")
    approved_to = _date_field("Approved to", "The last day, for example 30/11/2026.")
    format = forms.ChoiceField(
        label="File format",
        choices=list(FORMATS.items()),
        initial="csv",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose CSV or Excel (XLSX)",
            "invalid_choice": "Choose CSV or Excel (XLSX)",
        },
    )

    def __init__(self, *args, organisations=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = default_period(today or timezone.localdate())
        self.fields["approved_from"].initial = start
        self.fields["approved_to"].initial = end
        add_organisation_choice(
            self, organisations, label="Which organisation's payments do you want?"
        )

    def clean(self):
        cleaned = super().clean()
        for name in ("approved_from", "approved_to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, "Enter a date between 2000 and 2100")
        start, end = cleaned.get("approved_from"), cleaned.get("approved_to")
        if start and end and start > end and not self.errors:
            self.add_error("approved_to", "The last day must be on or after the first day")
        return cleaned


class FinanceImportForm(Form):
    """The finance system's file of what it paid."""

    file = forms.FileField(
        label="The file from finance",
        help_text=f"A CSV or Excel (XLSX) file of 5 MB or less, with at most {MAX_ROWS:,} rows.",
        error_messages={
            "required": "Choose the file from finance to upload",
            "empty": "The file is empty. Upload the file of approved payments with the Paid "
            "on and Finance reference columns filled in.",
            "invalid": "Choose the file from finance to upload",
            "missing": "Choose the file from finance to upload",
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        kwargs.setdefault("prefix", "import")
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "ds_file-upload__input"
        add_organisation_choice(
            self, organisations, label="Which organisation's payments were paid?"
        )

    def full_clean(self):
        super().full_clean()
        if self.is_bound and "file" in self.errors:
            self._mark_file_invalid()

    def file_problem(self, message: str) -> None:
        """A problem with the file as a whole, found after the form itself was valid."""
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
                extensions=IMPORT_EXTENSIONS,
                described="a CSV file or an Excel workbook (.xlsx)",
                max_bytes=MAX_FILE_BYTES,
                field="file",
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from None
        return upload

    def file_data(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(MAX_FILE_BYTES + 1)


class FinanceConfirmForm(Form):
    """The checked rows, signed, travelling from the preview to the confirmation."""

    checked_file = forms.CharField(widget=forms.HiddenInput)


class TaxYearForm(Form):
    """Which tax year the reports show (a GET form); the current one unless chosen."""

    is_filter = True
    #: How many tax years, back from the current one, the list offers.
    YEARS = 7

    def __init__(self, *args, current: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["year"] = forms.TypedChoiceField(
            label="Tax year",
            coerce=int,
            choices=[
                (year, f"6 April {year} to 5 April {year + 1}")
                for year in range(current.year, current.year - self.YEARS, -1)
            ],
            initial=current.year,
            required=False,
            error_messages={"invalid_choice": "Choose a tax year from the list"},
        )

    def year_start(self) -> datetime.date:
        """6 April of the year chosen; the current tax year's when none (or a wrong one) is."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return datetime.date(self.cleaned_data["year"], 4, 6)
        return self.current
