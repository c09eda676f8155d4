from auditlog.models import LogEntry
from django import forms

from powershare.lib.forms import Form


class AuditFilterForm(Form):
    #: Filters narrow a list; they are not questions, so they carry no "(optional)".
    is_filter = True

    q = forms.CharField(
        label="Search", required=False, help_text="A name, email address or record."
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date like 25/11/2026"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date like 25/11/2026"},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return cleaned


class ChangeLogFilterForm(AuditFilterForm):
    action = forms.TypedChoiceField(
        label="Change",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any change"), *LogEntry.Action.choices],
    )
