"""A council's return, as a form built from the round's questions.

Each open question becomes a field named after its id (`q12`): yes-or-no and choose-one
questions are radio groups, choose-any questions are checkboxes, free text is a text area
followed by a checkbox saying whether the words may be quoted (`q12-shareable`). Questions are
numbered in the order they are shown, so a message can say which one to look at.

Nothing is required by the form itself: a draft may be saved half done. Whether a return can be
sent (its required questions answered) is the service's decision, and its refusal names each
question by code; `field_for_code` puts it on the right field. A required question's field is
still shown as one (`show_as_required`: no "(optional)" after its label, see
templates/forms/field.html), so the page can say which questions must be answered.
"""

from dataclasses import dataclass, field

from django import forms

from powershare.evaluation.models import (
    LIKERT_LABELS,
    NUMBER_MAX,
    NUMBER_MIN,
    YES_NO_LABELS,
    Question,
    QuestionType,
    Section,
)
from powershare.lib.forms import Form, widget_kind

from .services import MAX_TEXT

SHAREABLE_LABEL = "You may quote these words in the national report, without naming our council"
SELF_ASSESSMENT_LABEL = "Link this return to your self-assessment"


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def shareable_name(question: Question) -> str:
    return f"q{question.pk}-shareable"


def _question_field(question: Question, number: int) -> forms.Field:
    field = _answer_field(question, number)
    # Blank is allowed (a draft), but the label says whether the question must be answered.
    field.show_as_required = question.required
    return field


def _answer_field(question: Question, number: int) -> forms.Field:
    said = f"Question {number}:"
    common = {"label": question.text, "help_text": question.help_text, "required": False}
    if question.type in (QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.LIKERT):
        if question.type == QuestionType.YES_NO:
            choices = sorted(YES_NO_LABELS.items(), reverse=True)  # Yes first
        elif question.type == QuestionType.LIKERT:
            choices = list(LIKERT_LABELS.items())
        else:
            choices = [(c.value, c.label) for c in question.choices.all()]
        return forms.TypedChoiceField(
            choices=choices,
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": f"{said} choose one of the answers given"},
            **common,
        )
    if question.type == QuestionType.MULTIPLE:
        return forms.TypedMultipleChoiceField(
            choices=[(c.value, c.label) for c in question.choices.all()],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
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
            widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "ds_input--fixed-10"}),
            error_messages={
                "invalid": f"{said} enter a whole number, like 12",
                "min_value": between,
                "max_value": between,
            },
            **common,
        )
    return forms.CharField(
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": f"{said} keep your answer under {MAX_TEXT} characters "
            "(it has %(show_value)d)",
        },
        **common,
    )


@dataclass
class Group:
    """The questions of one section (or of none), each with its fields: the answer, and for
    free text the checkbox saying whether it may be quoted."""

    section: Section | None
    number: int
    items: list = field(default_factory=list)


class ReturnForm(Form):
    """The council's answers to the round's open questions, and the self-assessment it links."""

    use_required_attribute = False

    def __init__(self, *args, questions, self_assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if not q.is_closed]
        self.numbers: dict[int, int] = {}
        fields: dict[str, forms.Field] = {}
        for number, question in enumerate(self.questions, 1):
            self.numbers[question.pk] = number
            fields[field_name(question)] = _question_field(question, number)
            if question.type == QuestionType.TEXT:
                fields[shareable_name(question)] = forms.BooleanField(
                    label=SHAREABLE_LABEL, required=False
                )
        fields["self_assessment"] = forms.ModelChoiceField(
            queryset=self_assessments,
            required=False,
            label=SELF_ASSESSMENT_LABEL,
            help_text="If your council has assessed itself against the Roadmap, you can link "
            "the assessment this return speaks to. The national team sees it only if your "
            "council shares it with them.",
            empty_label="No link",
            error_messages={"invalid_choice": "Choose one of your council's self-assessments"},
        )
        self.fields = fields
        self._decorate()

    def _decorate(self) -> None:
        """The mixin styled the fields it was given (none): style the ones made here."""
        for name, one in self.fields.items():
            kind = widget_kind(one.widget)
            css = {
                "input": "ds_input",
                "textarea": "ds_input",
                "select": "ds_select",
                "checkbox": "ds_checkbox__input",
            }.get(kind)
            if css and css not in one.widget.attrs.get("class", "").split():
                one.widget.attrs["class"] = f"{css} {one.widget.attrs.get('class', '')}".strip()
            if one.help_text and kind not in ("radios", "checkboxes"):
                one.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    @classmethod
    def initial_from(cls, questions, answers: dict, texts: dict, shareable: set, assessment):
        """The form's initial values from selectors.return_answers."""
        initial = {"self_assessment": assessment}
        for question in questions:
            if question.type == QuestionType.TEXT:
                initial[field_name(question)] = texts.get(question.pk, "")
                initial[shareable_name(question)] = question.pk in shareable
            elif question.pk in answers:
                initial[field_name(question)] = answers[question.pk]
        return initial

    # -- what the view needs -------------------------------------------------------------------

    def groups(self) -> list[Group]:
        """The bound fields in order, grouped by section as the questions run."""
        groups: list[Group] = []
        for question in self.questions:
            if not groups or groups[-1].section != question.section:
                groups.append(Group(section=question.section, number=len(groups) + 1))
            fields = [self[field_name(question)]]
            if question.type == QuestionType.TEXT:
                fields.append(self[shareable_name(question)])
            groups[-1].items.append(fields)
        return groups

    def field_for_code(self, code: str) -> str | None:
        for question in self.questions:
            if question.code == code:
                return field_name(question)
        return None

    def add_service_errors(self, error) -> None:
        """A service's ValidationError on the form: question codes become their fields, and
        each message says which question it is about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.error_dict.items():
            name = self.field_for_code(key) or (key if key in self.fields else None)
            for message in messages:
                text = " ".join(message.messages)
                if name is not None and name.startswith("q"):
                    question = next(q for q in self.questions if field_name(q) == name)
                    text = text[:1].lower() + text[1:]
                    text = f"Question {self.numbers[question.pk]}, “{question.text}”: {text}"
                self.add_error(name, text)

    def values(self) -> dict:
        """What services.return_save wants: answers, texts, shareable, self_assessment."""
        answers, texts, shareable = {}, {}, set()
        data = self.cleaned_data
        for question in self.questions:
            value = data.get(field_name(question))
            if question.type == QuestionType.TEXT:
                if value:
                    texts[question.pk] = value
                    if data.get(shareable_name(question)):
                        shareable.add(question.pk)
            elif value not in (None, "", []):
                answers[question.pk] = value
        return {
            "answers": answers,
            "texts": texts,
            "shareable": shareable,
            "self_assessment": data.get("self_assessment"),
        }
