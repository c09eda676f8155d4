"""Forms for the staff pages that build questionnaires: the questionnaire itself, its
sections and questions, and a product's standard pre and post pair.

They collect and check what was typed, in words that say what to do; the services decide the
rules (what may change once people have answered), and their refusals land on these fields.
"""

import re

from django import forms
from django.utils.text import slugify

from powershare.lib.forms import Form

from .models import QuestionnaireKind, QuestionPurpose, QuestionType
from .services import MAX_CHOICES, NEXT_STEPS_QUESTIONS, REACTION_STATEMENTS

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: How many "about you" questions the standard questionnaires page offers.
ABOUT_YOU_SLOTS = 3
MAX_THRESHOLD = 100
#: Codes the standard questionnaires use themselves (besides ilo-1, ilo-2…).
STANDARD_CODES = {code for code, _text in REACTION_STATEMENTS} | {
    code for code, _text, _purpose in NEXT_STEPS_QUESTIONS
}


def _line(label, *, required=True, max_length=200, help_text="", missing=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        strip=True,
        error_messages={
            "required": missing or f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"Keep this under {max_length} characters.",
        },
    )


def _words(label, *, max_length=4000, help_text="", rows=4):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Keep this under {max_length} characters."},
    )


def _code_field(*, help_text: str, missing: str) -> forms.CharField:
    return forms.CharField(
        label="Code",
        max_length=60,
        help_text=help_text,
        strip=True,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
        error_messages={
            "required": missing,
            "max_length": "Keep the code under 60 characters.",
        },
    )


def clean_code(value: str) -> str:
    code = (value or "").strip().lower()
    if not CODE_PATTERN.match(code):
        raise forms.ValidationError(
            "Use only letters, numbers and hyphens, starting with a letter or number, for "
            "example power-sharing-pre."
        )
    return code


class _OptionalChoice(forms.ModelChoiceField):
    """A choice of records whose error messages say what to do."""

    def __init__(self, queryset, *, label, empty_label, help_text="", **kwargs):
        super().__init__(
            queryset=queryset,
            label=label,
            required=False,
            empty_label=empty_label,
            help_text=help_text,
            error_messages={"invalid_choice": "Choose one from the list."},
            **kwargs,
        )


# ---------------------------------------------------------------------------------------------
# Questionnaires


class QuestionnaireForm(Form):
    code = _code_field(
        help_text="A short name used by imports, exports and the results API, for example "
        "power-sharing-pre. Letters, numbers and hyphens. It can't change later.",
        missing="Give the questionnaire a short code, for example power-sharing-pre",
    )
    title = _line("Title", missing="Give the questionnaire a title")
    kind = forms.ChoiceField(
        label="What is it for?",
        # A national survey questionnaire is made with its round (powershare.national).
        choices=[c for c in QuestionnaireKind.choices if c[0] != QuestionnaireKind.NATIONAL],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the questionnaire is for"},
    )
    product = _OptionalChoice(
        None,
        label="Learning product it evaluates",
        empty_label="None: a questionnaire of its own",
        help_text="It can't change later.",
    )
    intro = _words(
        "Introduction",
        help_text="Shown before the questions: what it is for, and how the answers are used.",
    )
    thank_you = _words(
        "Thank-you message",
        max_length=2000,
        help_text="Shown after someone sends their answers.",
        rows=3,
    )
    paired_with = _OptionalChoice(
        None,
        label="Pair it with",
        empty_label="Not paired",
        help_text="For a questionnaire after the learning: the one people answered before it, "
        "so answers before and after can be compared.",
    )
    ask_pairing_code = forms.BooleanField(
        label="Ask people to make up a code to match their answers before and after",
        required=False,
        help_text="We keep only a scrambled form of the code, use it only to count matching "
        "pairs, and never show it.",
    )
    small_group_threshold = forms.IntegerField(
        label="Smallest group shown in results by site",
        min_value=3,
        max_value=MAX_THRESHOLD,
        help_text="Results by site leave out any site with fewer responses than this, so "
        "nobody can be recognised from their answers. 5 is usual; it can't be less than 3.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "ds_input--fixed-4"}),
        error_messages={
            "required": "Enter the smallest group size, 3 or more",
            "invalid": "Enter a whole number, 3 or more, like 5",
            "min_value": "Groups smaller than 3 could let people be recognised: enter 3 or more",
            "max_value": f"Enter a number from 3 to {MAX_THRESHOLD}",
        },
    )

    def __init__(self, *args, products, questionnaires, editing=None, kind_fixed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["paired_with"].queryset = questionnaires
        if editing is not None:
            # The code and the product stay as they were made (imports and links use them).
            del self.fields["code"]
            del self.fields["product"]
            if kind_fixed:
                self.fields["kind"].disabled = True

    def clean_code(self):
        return clean_code(self.cleaned_data["code"])


# ---------------------------------------------------------------------------------------------
# Sections and questions


class SectionForm(Form):
    title = _line("Title", missing="Give the section a title")
    intro = _words(
        "Introduction",
        max_length=2000,
        help_text="Shown above its questions, for example “How much do you agree with each "
        "statement?”",
        rows=3,
    )


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
#: What stays as it is once people have answered (see services.CHANGEABLE_WHEN_ANSWERED).
FIXED_WHEN_ANSWERED = ("code", "text", "type", "allow_prefer_not", "outcome")


class QuestionForm(Form):
    code = _code_field(
        help_text="A short name that imports and exports use, for example ilo-1 or job-role. "
        "Letters, numbers and hyphens.",
        missing="Give the question a short code, for example ilo-1",
    )
    text = _line("Question", max_length=500, missing="Write the question people will see")
    help_text = _line(
        "Hint",
        required=False,
        max_length=300,
        help_text="A line of help shown under the question.",
    )
    type = forms.ChoiceField(
        label="Kind of answer",
        choices=QuestionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of answer"},
    )
    choices = forms.CharField(
        label="Options",
        required=False,
        max_length=MAX_CHOICES * 201,
        help_text=f"For “choose one” and “choose any” questions: one option on each line, in "
        f"the order people will see them (at most {MAX_CHOICES}).",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"Give at most {MAX_CHOICES} options."},
    )
    purpose = forms.ChoiceField(
        label="What it is for",
        choices=QuestionPurpose.choices,
        help_text="Reports group questions by what they are for.",
        error_messages={"required": "Choose what the question is for"},
    )
    section = _OptionalChoice(None, label="Section", empty_label="Not in a section")
    outcome = _OptionalChoice(
        None,
        label="Intended learning outcome it measures",
        empty_label="None",
        help_text="For agree-or-disagree questions about the learning product's outcomes: "
        "reports compare agreement before and after.",
    )
    required = forms.BooleanField(label="People must answer it", required=False)
    allow_prefer_not = forms.BooleanField(
        label="Offer “Prefer not to say”",
        required=False,
        help_text="Agree-or-disagree questions only. It is not counted in the percentages.",
    )
    quotable = forms.BooleanField(
        label="Answers may be quoted in reports, without anything that could identify anyone",
        required=False,
        help_text="Questions in people's own words only. People are told before they answer.",
    )

    def __init__(self, *args, sections, outcomes, answered=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        self.fields["outcome"].queryset = outcomes
        self.answered = answered
        if answered:
            for name in FIXED_WHEN_ANSWERED:
                self.fields[name].disabled = True
            self.fields["choices"].help_text = (
                "People have answered, so the options already there stay as they are and in "
                "the same order. You can add new ones at the end, one on each line."
            )

    @property
    def fixed_fields(self):
        return [self[name] for name in FIXED_WHEN_ANSWERED] if self.answered else []

    def clean_code(self):
        if self.fields["code"].disabled:
            return self.cleaned_data["code"]
        return clean_code(self.cleaned_data["code"])

    def option_lines(self) -> list[str] | None:
        """The options, one per line, for choice questions (None for other kinds)."""
        if self.cleaned_data.get("type") not in CHOICE_TYPES:
            return None
        lines = self.cleaned_data.get("choices", "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def service_values(self) -> dict:
        """What the services take, without the fields that stay fixed once answered."""
        data = self.cleaned_data
        values = {
            "help_text": data["help_text"],
            "purpose": data["purpose"],
            "section": data["section"],
            "required": data["required"],
            "quotable": data["quotable"],
        }
        if not self.answered:
            values |= {name: data[name] for name in FIXED_WHEN_ANSWERED}
        return values


# ---------------------------------------------------------------------------------------------
# A product's standard pre and post questionnaires


def _about_you_text(n: int) -> forms.CharField:
    return _line(
        f"Question {n}",
        required=False,
        max_length=500,
        help_text="For example “What is your job role?”" if n == 1 else "",
    )


def _about_you_options(n: int) -> forms.CharField:
    return forms.CharField(
        label=f"Options for question {n}",
        required=False,
        max_length=MAX_CHOICES * 201,
        help_text="One on each line, for example Social worker, Team leader, Other."
        if n == 1
        else "One on each line.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Give at most {MAX_CHOICES} options."},
    )


class StandardQuestionnairesForm(Form):
    # ABOUT_YOU_SLOTS of them, declared so the design system's classes are added to each.
    about_1_text = _about_you_text(1)
    about_1_options = _about_you_options(1)
    about_2_text = _about_you_text(2)
    about_2_options = _about_you_options(2)
    about_3_text = _about_you_text(3)
    about_3_options = _about_you_options(3)
    pairing = forms.BooleanField(
        label="Ask people to make up a code to match their answers before and after",
        required=False,
        help_text="We keep only a scrambled form of the code, use it only to count matching "
        "pairs and the change in each person's answers, and never show it.",
    )

    @property
    def about_you_slots(self):
        return [
            (n, self[f"about_{n}_text"], self[f"about_{n}_options"])
            for n in range(1, ABOUT_YOU_SLOTS + 1)
        ]

    def clean(self):
        data = super().clean()
        self._about_you = []
        used = set()
        for n in range(1, ABOUT_YOU_SLOTS + 1):
            text = data.get(f"about_{n}_text", "")
            lines = [
                line.strip()
                for line in data.get(f"about_{n}_options", "").splitlines()
                if line.strip()
            ]
            if not text and not lines:
                continue
            if not text:
                self.add_error(f"about_{n}_text", f"Write question {n}, or clear its options")
                continue
            if len({line.casefold() for line in lines}) < 2:
                self.add_error(
                    f"about_{n}_options",
                    f"Give at least two options for question {n}, one on each line",
                )
                continue
            if len(lines) > MAX_CHOICES:
                self.add_error(f"about_{n}_options", f"Give at most {MAX_CHOICES} options.")
                continue
            code = (slugify(text)[:40].strip("-") or f"about-you-{n}").lower()
            if code.startswith("ilo-") or code in used or code in STANDARD_CODES:
                code = f"about-you-{n}"
            used.add(code)
            self._about_you.append((code, text, lines))
        return data

    def about_you(self) -> list[tuple[str, str, list[str]]]:
        return self._about_you
