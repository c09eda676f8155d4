"""Forms for answer links: making one for a session (or on its own), changing its dates and
whether it needs paper codes, and making a batch of paper codes. The forms check what was
typed; services.link_create, link_update and paper_codes_make decide the rules, and their
refusals land on the same fields."""

import datetime

from django import forms

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.learning.team_forms import SafeModelChoiceField
from powershare.lib.forms import Form

from .services import MAX_PAPER_CODES

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def session_label(session) -> str:
    delivery = session.delivery
    return (
        f"{delivery.site.display_name}, {delivery.cohort}: session {session.number} "
        f"on {session.date.day} {session.date:%B %Y}"
    )


def _date_field(label: str, help_text: str, missing: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": missing,
            "invalid": f"{label}: enter a real date, like 14/03/2026",
        },
    )


class LinkDatesForm(Form):
    opens_on = _date_field(
        "Opens on",
        "The first day people can answer.",
        "Enter the day it opens, like 14/03/2026",
    )
    closes_on = _date_field(
        "Closes on",
        "The last day people can answer. It closes at the end of that day.",
        "Enter the day it closes, like 04/04/2026",
    )
    needs_code = forms.BooleanField(
        label="People need a paper code to answer",
        help_text="Each person types a single-use code printed on a handout. Use this when "
        "the link may reach people who weren't there.",
        required=False,
    )

    def clean(self):
        data = super().clean()
        for name in ("opens_on", "closes_on"):
            day = data.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, "Enter a date between 2000 and 2100")
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens and "closes_on" not in self.errors:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        return data


class LinkCreateForm(LinkDatesForm):
    """A new link: on which session (when the questionnaire belongs to a product)."""

    field_order = ["session", "opens_on", "closes_on", "needs_code"]

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session"] = SafeModelChoiceField(
                queryset=sessions,
                label="Session",
                help_text="Answers through this link count for this session and its site. "
                "Leave it as it is for a link that belongs to no session.",
                required=False,
                empty_label="No session: a link of its own",
                label_from=session_label,
                error_messages={"invalid_choice": "Choose a session from the list"},
                widget=forms.Select(attrs={"class": "ds_select"}),
            )
            self.fields["session"].widget.attrs["aria-describedby"] = (
                f"id_{self.add_prefix('session')}-hint"
            )
            self.order_fields(self.field_order)


class PaperCodesForm(Form):
    count = forms.IntegerField(
        label="How many codes to make",
        help_text=f"One for each person who may answer on paper, up to {MAX_PAPER_CODES} "
        "at a time.",
        min_value=1,
        max_value=MAX_PAPER_CODES,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "ds_input--fixed-4"}
        ),
        error_messages={
            "required": "Enter how many codes to make, like 20",
            "invalid": "Enter how many codes to make as a whole number, like 20",
            "min_value": f"Enter a number of codes from 1 to {MAX_PAPER_CODES}",
            "max_value": f"Enter a number of codes from 1 to {MAX_PAPER_CODES}",
        },
    )
