"""The anonymous answer form, built from a questionnaire's open questions.

Each question becomes one field named after its id (`q12`): agree-or-disagree, yes-or-no and
choose-one questions are radio groups, choose-any questions are checkboxes, a number is a text
box that opens the phone's number pad, and free text is a text area. Questions are numbered in
the order they are shown, so every error message can say which one to look at ("Question 3:
choose an answer"). Nothing here asks who the person is.
"""

from dataclasses import dataclass, field

from django import forms

from powershare.lib.forms import Form, widget_kind

from .models import (
    LIKERT_LABELS,
    NUMBER_MAX,
    NUMBER_MIN,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    YES_NO_LABELS,
    Question,
    QuestionType,
    Section,
)
from .services import MAX_TEXT_ANSWER

PAPER_CODE_MAX = 20
PAIRING_CODE_MAX = 60
CHOICE_TYPES = (QuestionType.LIKERT, QuestionType.YES_NO, QuestionType.SINGLE)


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def _question_field(question: Question, number: int) -> forms.Field:
    said = f"Question {number}:"
    common = {
        "label": question.text,
        "help_text": question.help_text,
        "required": question.required,
    }
    if question.type in CHOICE_TYPES:
        if question.type == QuestionType.LIKERT:
            choices = list(LIKERT_LABELS.items())
            if question.allow_prefer_not:
                choices.append((PREFER_NOT, PREFER_NOT_LABEL))
        elif question.type == QuestionType.YES_NO:
            choices = sorted(YES_NO_LABELS.items(), reverse=True)  # Yes first
        else:
            choices = [(c.value, c.label) for c in question.choices.all()]
        return forms.TypedChoiceField(
            choices=choices,
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={
                "required": f"{said} choose an answer",
                "invalid_choice": f"{said} choose one of the answers given",
            },
            **common,
        )
    if question.type == QuestionType.MULTIPLE:
        return forms.TypedMultipleChoiceField(
            choices=[(c.value, c.label) for c in question.choices.all()],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": f"{said} choose at least one answer",
                "invalid_choice": f"{said} choose from the answers given",
                "invalid_list": f"{said} choose from the answers given",
            },
            **common,
        )
    if question.type == QuestionType.NUMBER:
        between = f"{said} enter a whole number between {NUMBER_MIN} and {NUMBER_MAX}"
        return forms.IntegerField(
            min_value=NUMBER_MIN,
            max_value=NUMBER_MAX,
            widget=forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "spellcheck": "false",
                    "class": "ds_input--fixed-10",
                }
            ),
            error_messages={
                "required": f"{said} enter a number",
                "invalid": f"{said} enter a whole number, like 12",
                "min_value": between,
                "max_value": between,
            },
            **common,
        )
    return forms.CharField(
        max_length=MAX_TEXT_ANSWER,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        error_messages={
            "required": f"{said} write your answer",
            "max_length": f"{said} keep your answer under {MAX_TEXT_ANSWER} characters "
            "(it has %(show_value)d)",
        },
        **common,
    )


@dataclass
class Group:
    """Questions shown together: a section (a fieldset with its title), or questions that
    belong to no section."""

    section: Section | None
    fields: list = field(default_factory=list)


class AnswerForm(Form):
    """One person's answers to a questionnaire's open questions, in order."""

    def __init__(self, *args, questions, needs_code: bool, ask_pairing_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if not q.is_closed]
        fields = {}
        if needs_code:
            fields["paper_code"] = forms.CharField(
                label="The code on your sheet",
                help_text="It's printed on the sheet you were given, like ABCD2345. Each code "
                "works once.",
                max_length=PAPER_CODE_MAX,
                strip=True,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "off",
                        "spellcheck": "false",
                        "autocapitalize": "characters",
                        "class": "ds_input--fixed-10",
                    }
                ),
                error_messages={
                    "required": "Enter the code printed on your sheet, like ABCD2345",
                    "max_length": "Enter the code printed on your sheet, like ABCD2345",
                },
            )
        for number, question in enumerate(self.questions, 1):
            fields[field_name(question)] = _question_field(question, number)
        if ask_pairing_code:
            fields["pairing_code"] = forms.CharField(
                label="Make up a code",
                help_text="Use the same code before and after the learning, so we can match "
                "your two sets of answers. We use it only for that. It is never shown: we keep "
                "only a scrambled version. Pick something you'll remember that doesn't say who "
                "you are, and not your name.",
                required=False,
                max_length=PAIRING_CODE_MAX,
                strip=True,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "off",
                        "spellcheck": "false",
                        "class": "ds_input--fixed-20",
                    }
                ),
                error_messages={
                    "max_length": f"Keep your made-up code under {PAIRING_CODE_MAX} characters",
                },
            )
        self.fields = fields
        # The mixin set the design-system classes and hint links on the fields it was given
        # (none): set them again for the fields made here.
        self._decorate()

    def _decorate(self) -> None:
        for name, one in self.fields.items():
            kind = widget_kind(one.widget)
            css = {"input": "ds_input", "textarea": "ds_input"}.get(kind)
            if css and css not in one.widget.attrs.get("class", "").split():
                one.widget.attrs["class"] = f"{css} {one.widget.attrs.get('class', '')}".strip()
            if one.help_text and kind not in ("radios", "checkboxes"):
                one.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def clean(self):
        data = super().clean()
        if self.questions and not self.errors:
            answers, texts = self.answers()
            if not answers and not texts:
                raise forms.ValidationError(
                    "Answer at least one question, then send your answers.", code="empty"
                )
        return data

    # -- what the view needs -------------------------------------------------------------------

    def groups(self) -> list[Group]:
        """The bound fields in order, grouped by section as the questions run."""
        groups: list[Group] = []
        for question in self.questions:
            bound = self[field_name(question)]
            if not groups or groups[-1].section != question.section:
                groups.append(Group(section=question.section))
            groups[-1].fields.append(bound)
        return groups

    def field_for_code(self, code: str) -> str | None:
        """The field of the question with this code (services name questions by code)."""
        for question in self.questions:
            if question.code == code:
                return field_name(question)
        return None

    def answers(self) -> tuple[dict[int, int | list[int]], dict[int, str]]:
        """(answers, texts) for services.response_submit: only the questions answered."""
        answers, texts = {}, {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if value in (None, "", []):
                continue
            if question.type == QuestionType.TEXT:
                texts[question.pk] = value
            else:
                answers[question.pk] = value
        return answers, texts
