"""The portal's forms about opportunities: answering an invitation, saying how much say you
had, and adding something you want to say. Plain words, one question per page where it can be,
and every question you may leave out says so."""

from django import forms

from powershare.engagement.models import USE_PLAIN_WORDS, ContributionKind, UseLevel
from powershare.lib.forms import Form

#: The kinds of contribution, said to the person themselves.
KIND_PLAIN_WORDS = {
    ContributionKind.VIEW: "What I think about something",
    ContributionKind.IDEA: "An idea for what could change",
    ContributionKind.CONCERN: "Something I am worried about",
    ContributionKind.EXPERIENCE: "Something that happened to me",
    ContributionKind.QUOTE: "Words I'd like used just as I said them",
}

#: The answer that clears "how much say did you feel you had?".
RATHER_NOT_SAY = "none"


class DeclineForm(Form):
    reason = forms.CharField(
        label="Tell us why, only if you want to",
        required=False,
        max_length=2000,
        help_text="You don't have to give a reason.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Keep it under 2,000 characters."},
    )


class AcceptForm(Form):
    """Saying yes needs nothing more than the button."""


class FeltSayForm(Form):
    felt = forms.ChoiceField(
        label="How much say did you feel you had?",
        help_text="Choose the one closest to how it felt. They go from the least say to the most.",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how much say you felt you had, or “I'd rather not say”.",
            "invalid_choice": "Choose one of the answers on the list.",
        },
    )

    def __init__(self, *args, rungs, current=None, **kwargs):
        self.rungs = {str(rung.pk): rung for rung in rungs}
        if current is not None:
            kwargs.setdefault("initial", {"felt": str(current.pk)})
        super().__init__(*args, **kwargs)
        self.fields["felt"].choices = [
            *((key, rung.plain_words) for key, rung in self.rungs.items()),
            (RATHER_NOT_SAY, "I'd rather not say"),
        ]

    def rung(self):
        """The rung chosen, or None for "I'd rather not say"."""
        return self.rungs.get(self.cleaned_data["felt"])


class ContributionAddForm(Form):
    text = forms.CharField(
        label="What do you want to say?",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Write what you want to say",
            "max_length": "Keep it under 10,000 characters, or add it in parts.",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of thing is it?",
        choices=list(KIND_PLAIN_WORDS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of thing it is"},
    )
    question = forms.ModelChoiceField(
        queryset=None,
        label="Which question does it answer?",
        required=False,
        empty_label="It doesn't answer a particular question",
        error_messages={"invalid_choice": "Choose a question from the list"},
    )
    use_level = forms.TypedChoiceField(
        label="Who can see it?",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="You can change this later, or take it back.",
        error_messages={"required": "Choose who can see it"},
    )

    def __init__(self, *args, questions, use_levels, **kwargs):
        kwargs.setdefault("initial", {"use_level": max(use_levels) if use_levels else None})
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions
        self.fields["use_level"].choices = [
            (int(level), USE_PLAIN_WORDS[UseLevel(level)]) for level in use_levels
        ]
        if not questions:
            del self.fields["question"]
