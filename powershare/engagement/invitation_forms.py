"""Forms for inviting people to an activity and recording how their taking part went.

The wellbeing check-in note is only part of the form for people who may read it
(Capability.VIEW_WELLBEING_NOTES): for anyone else the field is not there at all, so it is
neither shown nor saved.
"""

from django import forms

from powershare.lib.forms import Form, SafeModelMultipleChoiceField

ATTENDED_CHOICES = [
    ("yes", "Yes, they came"),
    ("no", "No, they did not come"),
    ("unknown", "Not recorded yet"),
]
ATTENDED_VALUES = {"yes": True, "no": False, "unknown": None}


class InviteForm(Form):
    """The people ticked on one page of the invite list."""

    people = SafeModelMultipleChoiceField(
        queryset=None,
        label="People to invite",
        error_messages={
            "required": "Choose at least one person to invite.",
            "invalid_choice": "Choose people from the list.",
            "invalid_pk_value": "Choose people from the list.",
            "invalid_list": "Choose people from the list.",
        },
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = candidates

    def chosen_ids(self) -> set[str]:
        """What was ticked, as sent (to tick the same boxes again when the page comes back)."""
        if not self.is_bound:
            return set()
        return set(self.data.getlist("people"))


class InvitationForm(Form):
    """What staff record about one person's taking part."""

    access_arrangements = forms.CharField(
        label="Access arrangements",
        required=False,
        max_length=5000,
        help_text="What we have arranged so they can take part: travel, a quiet room, an "
        "interpreter, breaks.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attended = forms.ChoiceField(
        label="Did they come?",
        choices=ATTENDED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether they came, or “Not recorded yet”."},
    )
    debrief_offered = forms.BooleanField(label="A debrief was offered", required=False)
    debrief_done = forms.BooleanField(label="The debrief has happened", required=False)
    wellbeing_note = forms.CharField(
        label="Wellbeing check-in note",
        required=False,
        max_length=5000,
        help_text="Only participation leads can see this note. Write what helps the next "
        "conversation, not a diagnosis.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, invitation, with_wellbeing_note: bool, **kwargs):
        attended = {True: "yes", False: "no"}.get(invitation.attended, "unknown")
        initial = {
            "access_arrangements": invitation.access_arrangements,
            "attended": attended,
            "debrief_offered": invitation.debrief_offered,
            "debrief_done": invitation.debrief_done,
        }
        if with_wellbeing_note:
            initial["wellbeing_note"] = invitation.wellbeing_note
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if not with_wellbeing_note:
            del self.fields["wellbeing_note"]

    def changes(self) -> dict:
        """The fields for engagement.services.invitation_update."""
        data = dict(self.cleaned_data)
        data["attended"] = ATTENDED_VALUES[data["attended"]]
        return data
