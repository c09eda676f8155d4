"""Forms for contributions on staff pages: bulk capture (a table of rows, like sticky notes typed
up after a session), the contribution list's filters, removing words and withdrawing.

The forms only collect what was typed. Every rule (a person's consent, the group's agreed use,
who may act) is checked by services.contribution_check and the other services, row by row, so
each row of the capture table gets its own messages.
"""

from django import forms
from django.conf import settings
from django.db.models import Q

from powershare.lib.forms import Form
from powershare.people.models import Person

from . import selectors
from .models import Activity, ContributionKind, InvitationStatus, UseLevel

#: Bulk capture: rows shown at first, and rows added by "Add 10 more rows".
CAPTURE_ROWS = 30
CAPTURE_MORE_ROWS = 10
#: Fields sent per row, and besides the rows (the formset's management form, tokens, buttons).
_FIELDS_PER_ROW = 7
_OTHER_FIELDS = 10
#: The most rows in one form: 200, or fewer when Django would refuse a form with that many
#: fields (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS), so a full form is never lost to an error.
CAPTURE_MAX_ROWS = min(
    200,
    ((settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or 10**6) - _OTHER_FIELDS) // _FIELDS_PER_ROW,
)

#: The contributor select's value for "An anonymous group".
GROUP = "group"

#: A row's fields, in the order of the table's columns, with how each is named on the page.
CAPTURE_FIELD_NAMES = {
    "person": "who said it",
    "group_label": "group's name",
    "group_consent_held_by": "who holds the group's consents",
    "kind": "kind",
    "question": "question",
    "text": "what was said",
    "use_level": "use",
}

#: What makes a row worth checking: anything typed or chosen here (kind, question and use
#: alone, left at a default, do not make a row).
CAPTURE_CONTENT_FIELDS = ("person", "group_label", "group_consent_held_by", "text")


def capture_contributors(activity: Activity) -> list[tuple[Person, list[int]]]:
    """The people who can be chosen as contributors: those who took part in the activity
    (accepted, attended or left), with the use levels each has agreed to today. A fixed number
    of queries whatever their number (one per use level)."""
    invitations = (
        activity.invitations.filter(person__erased_at__isnull=True)
        .filter(Q(status__in=[InvitationStatus.ACCEPTED, InvitationStatus.LEFT]) | Q(attended=True))
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    people = [invitation.person for invitation in invitations]
    agreed = selectors.use_levels_consented_for_many(people=people)
    return [(person, sorted(agreed.get(person.pk, []))) for person in people]


def _contributor_label(person: Person, levels: list[int], *, show_names: bool) -> str:
    """A person in the contributor select: by name for staff who may see the register, by
    reference for everyone else; with what they have agreed to."""
    who = person.full_name if show_names else f"Person {person.reference}"
    if not levels:
        return f"{who} (has not agreed to be quoted)"
    widest = UseLevel(max(levels)).label.lower()
    return f"{who} (widest use agreed: {widest})"


class CaptureRowForm(Form):
    """One row of the capture table. Nothing is required here: an empty row is ignored, and a
    row with something in it is checked by services.contribution_check."""

    person = forms.ChoiceField(label="Who said it", required=False)
    group_label = forms.CharField(
        label="Group's name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    group_consent_held_by = forms.CharField(
        label="Who holds the group's consents",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Choose a kind"), *ContributionKind.choices],
    )
    question = forms.ChoiceField(label="Question", required=False)
    text = forms.CharField(
        label="What was said",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    use_level = forms.ChoiceField(
        label="Use",
        required=False,
        choices=[("", "As their consent allows (widest)"), *UseLevel.choices],
    )

    def __init__(self, *args, contributors=(), questions=(), show_names=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            ("", "Choose who said it"),
            (GROUP, "An anonymous group"),
            *[
                (str(person.pk), _contributor_label(person, levels, show_names=show_names))
                for person, levels in contributors
            ],
        ]
        self.fields["question"].choices = [
            ("", "No particular question"),
            *[(str(question.pk), question.text) for question in questions],
        ]

    @property
    def row_number(self) -> int:
        return (self.prefix_index or 0) + 1

    @property
    def prefix_index(self) -> int | None:
        if self.prefix and "-" in self.prefix:
            try:
                return int(self.prefix.rsplit("-", 1)[1])
            except ValueError:
                return None
        return None

    def is_blank(self) -> bool:
        """Nothing typed or chosen that would make a contribution."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any((data.get(name) or "").strip() for name in CAPTURE_CONTENT_FIELDS)

    def service_values(self, *, people: dict, questions: dict) -> dict:
        """What to give services.contribution_check for this row."""
        data = self.cleaned_data
        person_value = data.get("person") or ""
        use = data.get("use_level") or ""
        question = data.get("question") or ""
        return {
            "person": people.get(person_value) if person_value not in ("", GROUP) else None,
            "group_label": data.get("group_label") or "",
            "group_consent_held_by": data.get("group_consent_held_by") or "",
            "kind": data.get("kind") or "",
            "question": questions.get(question) if question else None,
            "text": data.get("text") or "",
            "use_level": int(use) if use else None,
        }


class BaseCaptureFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return dict(self.form_kwargs)


CaptureFormSet = forms.formset_factory(
    CaptureRowForm,
    formset=BaseCaptureFormSet,
    extra=CAPTURE_ROWS,
    max_num=CAPTURE_MAX_ROWS,
    absolute_max=CAPTURE_MAX_ROWS,
    validate_max=True,
)


class RedactForm(Form):
    """Staff remove words on the contributor's behalf."""

    words = forms.CharField(
        label="Words to remove",
        help_text="Copy them exactly as they appear. Each place they appear is replaced by "
        "“[removed at the contributor's request]”. We don't keep the words anywhere.",
        max_length=10_000,
        error_messages={"required": "Enter the words to remove, exactly as they appear."},
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=300,
        help_text="Only what is needed. Don't repeat the words being removed.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": "Keep the reason under 300 characters."},
    )
    person_asked = forms.BooleanField(
        label="The person asked us to remove these words",
        error_messages={
            "required": "Confirm that the person asked us. Only remove words when the "
            "contributor asks."
        },
    )

    def __init__(self, *args, from_group: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if from_group:
            self.fields[
                "person_asked"
            ].label = "The group, or whoever holds their consents, asked us to remove these words"
