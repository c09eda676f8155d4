"""Forms for the staff pages about responses: answering contributions, progress notes,
evidence files and the period of the figures. Writes go through services; these forms only
collect and check what was typed, in words that say what to do."""

import datetime

from django import forms
from django.utils import timezone

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.lib.forms import Form

from .models import Decision, ResponseStatus

#: Files the evidence form offers to choose (the service checks name, size and contents).
EVIDENCE_ACCEPT = ".pdf,.docx,.xlsx,.odt,.txt,.csv,.png,.jpg,.jpeg"
MAX_TEXT = 10_000
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 1, 1)

REASON_NEEDED = "Say why we will not do this. People who took part deserve to know the reason."


def _date_field(label: str, *, help_text: str = "", required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": f"Enter the {label.lower()}, like 14/03/2026",
            "invalid": f"Enter the {label.lower()} as a real date, like 14/03/2026",
        },
    )


def _text_field(label: str, *, help_text: str = "", required: bool = True, rows: int = 4):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": "Keep this under 10,000 characters."},
    )


class ResponseForm(Form):
    """A response to one or more contributions. With `contributions` (the "select, then
    respond" page) it also asks which contributions it answers; without, it changes an
    existing response's own answers."""

    decision = forms.ChoiceField(
        label="What will we do?",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what we will do: will do, done, will not do or still considering",
            "invalid_choice": "Choose one of the answers in the list",
        },
    )
    reason = _text_field(
        "Why we will not do this",
        required=False,
        help_text="Needed if you chose “We will not do this”. People who took part deserve to "
        "know the reason.",
    )
    what_will_change = _text_field(
        "What will change",
        help_text="Or what we did. Write it in words the people who took part will understand: "
        "it goes in the feedback letter to them.",
        rows=5,
    )
    owner = forms.ChoiceField(
        label="Who is responsible",
        required=False,
        help_text="They get a reminder when it is nearly due, and can add progress and evidence.",
        error_messages={"invalid_choice": "Choose a member of staff from the list"},
    )
    due_on = _date_field(
        "Due date", help_text="When it should be done by. For example, 14/03/2026."
    )
    status = forms.ChoiceField(
        label="Where has it got to?",
        choices=ResponseStatus.choices,
        initial=ResponseStatus.NOT_STARTED,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where this has got to",
            "invalid_choice": "Choose one of the answers in the list",
        },
    )
    evidence = _text_field(
        "Evidence",
        required=False,
        help_text="How we know it happened: a link, the name of a document or a meeting date. "
        "You can upload files after saving.",
        rows=3,
    )

    def __init__(self, *args, members, contributions=None, hidden_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in members}
        self.fields["owner"].choices = [("", "No one yet")] + [
            (str(m.user_id), m.user.full_name or m.user.email) for m in members
        ]
        self.contribution_map = None
        if contributions is not None:
            self.contribution_map = {str(c.pk): c for c in contributions}
            self.fields = {
                "contributions": forms.MultipleChoiceField(
                    label="Which contributions does this response answer?",
                    required=False,
                    choices=[(key, c.reference) for key, c in self.contribution_map.items()],
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={
                        "invalid_choice": "Choose contributions from the list. One may have been "
                        "withdrawn since the page was loaded.",
                    },
                ),
                **self.fields,
            }
            if hidden_count:
                self.fields["include_hidden"] = forms.BooleanField(
                    label=f"Also answer the {hidden_count} contribution"
                    f"{'' if hidden_count == 1 else 's'} you can't read",
                    required=False,
                )
                self.order_fields(["contributions", "include_hidden"])

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        return self.members.get(value) if value else None

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on is not None and not EARLIEST <= due_on <= LATEST:
            raise forms.ValidationError("Enter a date between 2000 and 2100")
        return due_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.WILL_NOT_DO and not cleaned.get("reason"):
            self.add_error("reason", REASON_NEEDED)
        if (
            self.contribution_map is not None
            and "contributions" not in self.errors
            and not cleaned.get("contributions")
            and not cleaned.get("include_hidden")
        ):
            self.add_error(
                "contributions", "Choose at least one contribution this response answers."
            )
        return cleaned

    @property
    def chosen(self) -> list[str]:
        """The contributions ticked (as sent), to tick them again when the page comes back."""
        if self.contribution_map is None:
            return []
        value = self["contributions"].value() or []
        return [str(v) for v in value]

    def chosen_contributions(self) -> list:
        return [self.contribution_map[key] for key in self.cleaned_data.get("contributions", [])]

    def response_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "decision": data["decision"],
            "reason": data["reason"],
            "what_will_change": data["what_will_change"],
            "owner": data["owner"],
            "due_on": data["due_on"],
            "status": data["status"],
            "evidence": data["evidence"],
        }


class ProgressForm(Form):
    text = _text_field(
        "What has happened",
        help_text="A short note the people who took part could read: what was done and what "
        "comes next.",
        rows=4,
    )
    happened_on = _date_field("Date it happened", help_text="For example, 14/03/2026.")
    status = forms.ChoiceField(
        label="Where has it got to now?",
        required=False,
        error_messages={"invalid_choice": "Choose one of the answers in the list"},
    )

    def __init__(self, *args, current_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = "Say what has happened"
        self.fields["happened_on"].initial = timezone.localdate()
        self.fields["status"].choices = [
            ("", f"Leave it as it is ({ResponseStatus(current_status).label.lower()})")
        ] + [(value, label) for value, label in ResponseStatus.choices if value != current_status]

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day is not None and day < EARLIEST:
            raise forms.ValidationError("Enter a date after 2000")
        return day


class EvidenceForm(Form):
    file = forms.FileField(
        label="Choose a file",
        help_text="A PDF, Word, OpenDocument, Excel, CSV, text, PNG or JPEG file, up to 10 MB. "
        "Everyone in your organisation who can see this response can download it, so leave "
        "out people's personal details unless they are needed.",
        error_messages={
            "required": "Choose a file to upload",
            "empty": "The file is empty",
            "invalid": "Choose a file to upload",
            "max_length": "The file's name is too long: rename it with fewer than 200 characters",
        },
        max_length=200,
        widget=forms.FileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A file input is not a text box: the design system styles it as a file upload.
        self.fields["file"].widget.attrs["class"] = "ds_file-upload__input"


class PeriodForm(Form):
    """The period of the figures, from the address (a GET form)."""

    is_filter = True

    def __init__(self, *args, default: tuple[datetime.date, datetime.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default
        self.fields["from"] = _date_field("From", help_text="For example, 1/4/2025.")
        self.fields["to"] = _date_field("To", help_text="For example, 31/3/2026.")
        self.fields["from"].initial, self.fields["to"].initial = default

    def clean(self):
        cleaned = super().clean()
        for name in ("from", "to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, "Enter a date between 2000 and 2100")
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end and not self.errors:
            self.add_error("to", "The end of the period must be on or after its start")
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for, filling a blank end with the default one; the default period
        when what was typed is not right."""
        if not self.is_bound or not self.is_valid():
            return self.default
        start = self.cleaned_data.get("from") or self.default[0]
        end = self.cleaned_data.get("to") or self.default[1]
        if start > end:
            return self.default
        return start, end
