"""The form for an organisation's own ladder of participation. The rungs are typed one a line,
bottom (least say) first, as `Name | what it means for staff | plain words for people who took
part`. Writes go through services; this form only reads and checks what was typed, line by line,
so each message can say which line to fix."""

from django import forms

from powershare.lib.forms import Form, add_organisation_choice

from . import services

SEPARATOR = "|"


def rungs_as_text(rungs) -> str:
    """A ladder's rungs as the form shows them: one a line, bottom first, leaving out what
    goes without saying (plain words the same as the name, or nothing to explain)."""
    lines = []
    for rung in rungs:
        parts = [rung.name, rung.description, rung.plain_words]
        if rung.plain_words == rung.name:
            parts = parts[:2]
        if not parts[-1]:
            parts = parts[:-1]
        lines.append(f" {SEPARATOR} ".join(parts))
    return "\n".join(lines)


def _line_problems(number: int, parts: list[str]) -> list[str]:
    problems = []
    if len(parts) > 3:
        problems.append(
            f"Line {number}: use at most two {SEPARATOR} marks, like this: name {SEPARATOR} what "
            f"it means {SEPARATOR} plain words."
        )
    name, description, plain_words = [*parts, "", ""][:3]
    if not name:
        if len(parts) > 1:
            problems.append(f"Line {number}: give the rung a name before the first {SEPARATOR}.")
        else:
            problems.append(f"Line {number}: give the rung a name.")
    elif len(name) > services.RUNG_NAME_MAX:
        problems.append(
            f"Line {number}: keep the name to {services.RUNG_NAME_MAX} characters or fewer "
            f"(it has {len(name)})."
        )
    if len(description) > services.RUNG_DESCRIPTION_MAX:
        problems.append(
            f"Line {number}: keep what it means to {services.RUNG_DESCRIPTION_MAX} characters "
            f"or fewer (it has {len(description)})."
        )
    if len(plain_words) > services.RUNG_PLAIN_WORDS_MAX:
        problems.append(
            f"Line {number}: keep the plain words to {services.RUNG_PLAIN_WORDS_MAX} characters "
            f"or fewer (they have {len(plain_words)})."
        )
    return problems


def rungs_from_text(text: str) -> tuple[list[dict], list[str]]:
    """The rungs typed, bottom first, and what is wrong with them (each message names its line,
    counting every line of the box, so blank lines don't throw the numbers out)."""
    rungs, problems, first_line_of = [], [], {}
    for number, line in enumerate((text or "").replace("\x00", "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [" ".join(part.split()) for part in line.split(SEPARATOR)]
        line_problems = _line_problems(number, parts)
        name = parts[0]
        key = name.casefold()
        if name and not line_problems and key in first_line_of:
            line_problems.append(
                f"Line {number}: “{name}” is already the name of the rung on line "
                f"{first_line_of[key]}. Give each rung its own name."
            )
        first_line_of.setdefault(key, number)
        problems.extend(line_problems)
        description, plain_words = [*parts[1:], "", ""][:2]
        rungs.append({"name": name, "description": description, "plain_words": plain_words or name})
    if not rungs:
        problems.insert(0, "Enter the rungs, one a line, from the least say to the most.")
    elif len(rungs) < services.LADDER_MIN_RUNGS:
        problems.insert(
            0,
            f"Give at least {services.LADDER_MIN_RUNGS} rungs, one a line, from the least say "
            "to the most.",
        )
    elif len(rungs) > services.LADDER_MAX_RUNGS:
        problems.insert(
            0, f"Give at most {services.LADDER_MAX_RUNGS} rungs. There are {len(rungs)}."
        )
    return rungs, problems


class LadderForm(Form):
    name = forms.CharField(
        label="Name of the ladder",
        max_length=services.LADDER_NAME_MAX,
        help_text="For example “Our young people's ladder”. It heads the list of its rungs when "
        "staff plan an activity.",
        error_messages={
            "required": "Enter a name for the ladder",
            "max_length": f"Keep the name to {services.LADDER_NAME_MAX} characters or fewer",
        },
    )
    description = forms.CharField(
        label="What the ladder is for",
        required=False,
        max_length=services.LADDER_DESCRIPTION_MAX,
        help_text="For example where it comes from, and when to use it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Keep this to {services.LADDER_DESCRIPTION_MAX:,} characters or fewer"
        },
    )
    for_children_and_young_people = forms.BooleanField(
        label="For children and young people",
        required=False,
        help_text="Tick this for a ladder meant for work with children and young people, like "
        "Hart's ladder.",
    )
    rungs = forms.CharField(
        label="Rungs, from the least say to the most",
        help_text=(
            f"One rung a line, the least say first, {services.LADDER_MIN_RUNGS} to "
            f"{services.LADDER_MAX_RUNGS} rungs. Write the rung's name, then what it means for "
            "staff, then the plain words people who took part choose from when asked how much "
            "say they felt they had, with a | between them. For example: Asked | We ask "
            "people's views before we decide | They asked what I thought. You can leave out the "
            "last two: the plain words are then the rung's name."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        # Kept as typed, so a message's line number is the line in the box.
        strip=False,
        error_messages={
            "required": "Enter the rungs, one a line, from the least say to the most",
        },
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        add_organisation_choice(self, organisations, label="Which organisation's ladder is it?")

    def clean_rungs(self):
        rungs, problems = rungs_from_text(self.cleaned_data["rungs"])
        if problems:
            raise forms.ValidationError(problems)
        return rungs

    def ladder_fields(self) -> dict:
        """What to pass to ladder_create / ladder_update (besides the organisation)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "for_children_and_young_people": data["for_children_and_young_people"],
            "rungs": data["rungs"],
        }
