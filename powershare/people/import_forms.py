"""Forms for adding people from a CSV file (see import_views)."""

from django import forms

from powershare.lib.forms import Form, add_organisation_choice

from .imports import MAX_FILE_BYTES, MAX_ROWS


class PeopleImportUploadForm(Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"A CSV file of 2 MB or less, with at most {MAX_ROWS:,} people.",
        error_messages={
            "required": "Choose a CSV file to upload",
            "empty": "The file is empty. Fill in one row per person under the header row of "
            "the template, and upload it again.",
            "invalid": "Choose a CSV file to upload",
            "missing": "Choose a CSV file to upload",
        },
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["file"].widget
        widget.attrs["class"] = "ds_file-upload__input"
        add_organisation_choice(
            self, organisations, label="Which organisation's register are they joining?"
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
        if upload.size > MAX_FILE_BYTES:
            size = upload.size / (1024 * 1024)
            raise forms.ValidationError(
                f"The file is {size:.1f} MB. It must be 2 MB or smaller: split it into smaller "
                "files."
            )
        return upload

    def file_data(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(MAX_FILE_BYTES + 1)


class PeopleImportConfirmForm(Form):
    """The checked file, signed, travelling from the preview to the confirmation."""

    checked_file = forms.CharField(widget=forms.HiddenInput)
