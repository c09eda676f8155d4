"""Forms for partnership groups and their meetings. They check what was typed and say what to
do in plain words; the services decide the rules (agreed minutes are locked, an action's owner
is one of the group's members) and their refusals land on the same fields."""

import datetime

from django import forms

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.lib.forms import Form

from .models import ActionStatus, AttendanceStatus, MeetingFormat

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def date_field(label: str, *, help_text: str = "", required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": f"Enter the {label.lower()}, like 21 March 2026",
            "invalid": f"Enter the {label.lower()} as a date, like 21 March 2026",
        },
    )


class _Dates:
    """Dates within a sensible range, with a message that says which range."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, datetime.date) and not EARLIEST <= value <= LATEST:
                self.add_error(name, "Enter a date between the year 2000 and 2100")
        return data


class GroupForm(_Dates, Form):
    name = forms.CharField(
        label="Name",
        help_text="As partners know it, for example “Trauma-informed practice delivery group”.",
        max_length=200,
        error_messages={
            "required": "Enter the group's name",
            "max_length": "Keep the name under 200 characters",
        },
    )
    purpose = forms.CharField(
        label="What the group is for",
        help_text="A sentence or two that partners would recognise.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MemberAddForm(_Dates, Form):
    organisation = forms.ModelChoiceField(
        queryset=None,
        label="Organisation",
        help_text="Every council and national body is listed. Ask an administrator if one "
        "is missing.",
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation joining the group",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    representatives = forms.CharField(
        label="Who represents it",
        help_text="Roles or names as the minutes will give them, for example “Head of "
        "learning and development”.",
        required=False,
        max_length=300,
        error_messages={"max_length": "Keep this under 300 characters"},
    )
    joined_on = date_field("Day it joined", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MemberEditForm(_Dates, Form):
    representatives = MemberAddForm.base_fields["representatives"]
    joined_on = date_field("Day it joined", required=False)
    left_on = date_field(
        "Day it left",
        help_text="Leave empty while it is a member. Its past attendance and updates stay in "
        "the minutes.",
        required=False,
    )


class MeetingForm(_Dates, Form):
    met_on = date_field("Date of the meeting")
    format = forms.ChoiceField(
        label="How it meets",
        choices=MeetingFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose online, in person, or both"},
    )
    place = forms.CharField(
        label="Where",
        help_text="The building and room, for a meeting in person.",
        required=False,
        max_length=200,
    )
    chair = forms.CharField(
        label="Chair",
        help_text="Who chairs it, as the minutes will name them.",
        required=False,
        max_length=200,
    )
    purpose = forms.CharField(
        label="Purpose of the meeting",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MeetingEditForm(MeetingForm):
    minutes = forms.CharField(
        label="Minutes",
        help_text="What was discussed, beyond the agenda notes, partner updates and decisions "
        "recorded on the meeting's page.",
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class AttendanceForm(Form):
    """One question per member organisation: attended, sent apologies or did not attend, and
    who came for it when not its usual representatives."""

    def __init__(self, *args, members, attendance, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            found = attendance.get(member.pk)
            name = member.organisation.name
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                label=name,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=found.status if found else None,
                error_messages={"required": f"Say whether {name} attended or sent apologies"},
            )
            self.fields[f"attended_by_{member.pk}"] = forms.CharField(
                label=f"Who came for {name}",
                help_text=(f"Usually: {member.representatives}." if member.representatives else ""),
                required=False,
                max_length=300,
                initial=found.attended_by if found else "",
            )

    def rows(self) -> list[dict]:
        return [
            {
                "member": member,
                "status": self.cleaned_data[f"status_{member.pk}"],
                "attended_by": self.cleaned_data[f"attended_by_{member.pk}"],
            }
            for member in self.members
        ]

    def pairs(self):
        """(status field, attended-by field) per member, for the template."""
        return [
            (self[f"status_{member.pk}"], self[f"attended_by_{member.pk}"])
            for member in self.members
        ]


class AgendaItemForm(Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter the item's title, like “Updates from partners”",
            "max_length": "Keep the title under 200 characters",
        },
    )
    notes = forms.CharField(
        label="Notes for the minutes",
        help_text="What was said and agreed under this item.",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class AgendaItemEditForm(AgendaItemForm):
    position = forms.TypedChoiceField(
        label="Place in the agenda",
        coerce=int,
        choices=[],
        error_messages={"invalid_choice": "Choose a place from the list"},
    )

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [(n, f"Item {n}") for n in range(1, count + 1)]


class PartnerUpdateForm(Form):
    text = forms.CharField(
        label="Their update",
        help_text="In a few sentences or bullet points. Leave it empty to remove the update.",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class DecisionForm(Form):
    text = forms.CharField(
        label="What the group decided",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the group decided"},
    )


class MeetingActionForm(_Dates, Form):
    """A new action agreed at the meeting (shown on the meeting's page)."""

    title = forms.CharField(
        label="What will be done",
        max_length=300,
        error_messages={
            "required": "Say what will be done, like “Send comments on the work plan”",
            "max_length": "Keep it under 300 characters",
        },
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=None,
        label="Which member will do it",
        empty_label="Choose a member",
        error_messages={
            "required": "Choose the member organisation that will do it",
            "invalid_choice": "Choose one of the group's members",
        },
    )
    owner_name = forms.CharField(
        label="Who there will do it",
        help_text="A name or a role, for example “Programme lead”.",
        required=False,
        max_length=200,
    )
    due_on = date_field("Due date", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, prefix="action", **kwargs)
        self.fields["owner_organisation"].queryset = organisations


class ArisingForm(Form):
    """Progress reported at the meeting on a carried action."""

    note = forms.CharField(
        label="What was reported",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    status = forms.ChoiceField(
        label="Status now",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status now"},
    )


class ActionLogFilterForm(Form):
    is_filter = True

    status = forms.ChoiceField(label="Status", required=False, choices=[])
    member = forms.TypedChoiceField(label="Member", required=False, coerce=int, choices=[])

    def __init__(self, *args, statuses, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *statuses]
        self.fields["member"].choices = [("", "Any member")] + [
            (m.organisation_id, m.organisation.name) for m in members
        ]
