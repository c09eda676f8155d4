"""The form that publishes a new version of a framework, prefilled from the current one.

One row per stage, driver and principle of the current version (rename, reorder, move a driver
to another stage, or retire it), plus a few empty rows for new ones. Rows of the current
version are matched to it by position and keep their keys, so assessments made with either
version are compared driver by driver; the form names the version it was built from, so a
version published meanwhile by someone else is noticed rather than overwritten.
"""

from dataclasses import dataclass, field

from django import forms
from django.utils.text import slugify

from powershare.lib.forms import Form, widget_kind

NEW_STAGES = 2
NEW_DRIVERS = 3
NEW_PRINCIPLES = 2

KINDS = {
    "stage": ("s", "stage", "stages"),
    "driver": ("d", "driver", "drivers"),
    "principle": ("p", "principle", "principles"),
}


@dataclass
class Row:
    kind: str
    prefix: str
    number: int
    existing: object | None
    form: forms.Form
    names: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.existing is not None:
            return f"{self.kind.capitalize()} {self.number}: {self.existing.name}"
        return f"New {self.kind} {self.number}"

    @property
    def fields(self):
        return [self.form[name] for name in self.names]


def _order_field(kind: str, number: int) -> forms.IntegerField:
    return forms.IntegerField(
        label="Position",
        min_value=1,
        max_value=99,
        required=False,
        help_text=f"A number: {kind}s are shown from the lowest number to the highest.",
        error_messages={
            "invalid": f"{kind.capitalize()} {number}: enter the position as a whole number.",
            "min_value": f"{kind.capitalize()} {number}: enter a position from 1 to 99.",
            "max_value": f"{kind.capitalize()} {number}: enter a position from 1 to 99.",
        },
        widget=forms.NumberInput(attrs={"class": "ds_input ds_input--fixed-4"}),
    )


class VersionPublishForm(Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    change_note = forms.CharField(
        label="What changed",
        max_length=300,
        help_text="A sentence or two, shown in the version history: "
        "“Added a driver for housing; renamed Budget.”",
        error_messages={
            "required": "Say in a sentence what changed in this version.",
            "max_length": "Keep what changed to 300 characters or fewer.",
        },
    )

    def __init__(self, data=None, *, version, **kwargs):
        super().__init__(data, **kwargs)
        self.version = version
        self.fields["based_on"].initial = version.pk
        stages = list(version.stages.all())
        drivers = [d for s in stages for d in s.drivers.all()]
        principles = list(version.principles.all())
        self.rows: dict[str, list[Row]] = {"stage": [], "driver": [], "principle": []}
        self.stage_choices = [(s.key, s.name) for s in stages] + [
            (f"new-{n}", f"New stage {n} (named below)") for n in range(1, NEW_STAGES + 1)
        ]
        for kind, existing, extra in (
            ("stage", stages, NEW_STAGES),
            ("driver", drivers, NEW_DRIVERS),
            ("principle", principles, NEW_PRINCIPLES),
        ):
            for index, record in enumerate(existing + [None] * extra, start=1):
                number = index if record is not None else index - len(existing)
                self._add_row(kind, number, record, position=index)
        style_fields(self)

    def _add_row(self, kind: str, number: int, record, *, position: int) -> None:
        letter = KINDS[kind][0]
        prefix = f"{letter}{'x' if record is None else ''}{number}"
        label = f"{kind.capitalize()} {number}" if record else f"new {kind} {number}"
        names = []

        def add(name, form_field, initial=None):
            full = f"{prefix}-{name}"
            self.fields[full] = form_field
            if initial is not None:
                self.initial[full] = initial
            names.append(full)

        add(
            "name",
            forms.CharField(
                label="Name",
                # A kept row needs its name (unless it is retired: see _kept_rows).
                required=record is not None,
                max_length=100 if kind == "principle" else 200,
                error_messages={
                    "max_length": f"{label.capitalize()}: the name is too long.",
                    "required": f"{label.capitalize()}: enter its name, or tick “Retire this "
                    f"{kind}” to leave it out.",
                },
            ),
            record.name if record else None,
        )
        add(
            "description",
            forms.CharField(
                label="What it means",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": f"{label.capitalize()}: keep the description to 2000 "
                    "characters or fewer."
                },
            ),
            record.description if record else None,
        )
        if kind == "driver":
            add(
                "stage",
                forms.ChoiceField(
                    label="Stage",
                    required=False,
                    choices=[("", "Choose a stage")] + self.stage_choices,
                    error_messages={
                        "invalid_choice": f"{label.capitalize()}: choose a stage from the list."
                    },
                ),
                record.stage.key if record else None,
            )
        add("order", _order_field(kind, number), position)
        if record is not None:
            add(
                "retire",
                forms.BooleanField(
                    label=f"Retire this {kind}",
                    required=False,
                    help_text="It will not be in the new version. Past assessments keep it.",
                ),
            )
        self.rows[kind].append(
            Row(kind=kind, prefix=prefix, number=number, existing=record, form=self, names=names)
        )

    # -----------------------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        self.kept: dict[str, list[dict]] = {}
        for kind in ("stage", "driver", "principle"):
            self.kept[kind] = self._kept_rows(kind, cleaned)
        self._check_names()
        self._check_driver_stages()
        for kind, (_letter, singular, _plural) in KINDS.items():
            if not self.kept[kind]:
                self.add_error(None, f"Keep at least one {singular}: every {singular} is retired.")
        return cleaned

    def _kept_rows(self, kind: str, cleaned) -> list[dict]:
        kept = []
        for index, row in enumerate(self.rows[kind]):
            p = row.prefix
            name = (cleaned.get(f"{p}-name") or "").strip()
            description = (cleaned.get(f"{p}-description") or "").strip()
            if row.existing is not None and cleaned.get(f"{p}-retire"):
                # Retired: its name no longer matters.
                self.errors.pop(f"{p}-name", None)
                continue
            if not name:
                # A kept row without its name already has the name field's own error.
                if row.existing is None and (
                    description or (kind == "driver" and cleaned.get(f"{p}-stage"))
                ):
                    self.add_error(
                        f"{p}-name",
                        f"New {row.kind} {row.number}: enter its name, or clear the row.",
                    )
                continue
            kept.append(
                {
                    "row": row,
                    "index": index,
                    "key": row.existing.key if row.existing is not None else "",
                    "name": name,
                    "description": description,
                    "order": cleaned.get(f"{p}-order") or (100 + index),
                    "stage": cleaned.get(f"{p}-stage") or "",
                }
            )
        kept.sort(key=lambda item: (item["order"], item["index"]))
        return kept

    def _check_names(self) -> None:
        for kind in ("stage", "driver", "principle"):
            seen: dict[str, Row] = {}
            for item in self.kept[kind]:
                folded = item["name"].casefold()
                if folded in seen:
                    other = seen[folded]
                    self.add_error(
                        f"{item['row'].prefix}-name",
                        f"{item['row'].title}: another {kind} ({other.title.split(':')[0]}) "
                        "already has this name. Give each a different name.",
                    )
                else:
                    seen[folded] = item["row"]

    def _check_driver_stages(self) -> None:
        kept_stages = {}
        for item in self.kept["stage"]:
            row = item["row"]
            kept_stages[row.existing.key if row.existing else f"new-{row.number}"] = item
        for item in self.kept["driver"]:
            row = item["row"]
            stage = item["stage"]
            if not stage:
                self.add_error(
                    f"{row.prefix}-stage", f"{row.title}: choose the stage it belongs to."
                )
            elif stage not in kept_stages:
                self.add_error(
                    f"{row.prefix}-stage",
                    f"{row.title}: its stage is being retired or has no name. Choose another "
                    "stage.",
                )

    # -----------------------------------------------------------------------------------------

    def publish_arguments(self) -> dict:
        """The rows as framework_version_publish takes them. New stages and drivers get keys
        made from their names that no stage or driver of the current version has, so a new
        driver is never mistaken for a retired one when assessments are compared."""
        stage_keys = {s.key for s in self.version.stages.all()}
        driver_keys = {d.key for s in self.version.stages.all() for d in s.drivers.all()}
        principle_keys = {p.key for p in self.version.principles.all()}
        stage_key_for = {}
        stages = []
        for item in self.kept["stage"]:
            row = item["row"]
            if row.existing is not None:
                key = row.existing.key
                stage_key_for[key] = key
            else:
                key = _fresh_key(item["name"], stage_keys, "stage")
                stage_key_for[f"new-{row.number}"] = key
            stages.append({"key": key, "name": item["name"], "description": item["description"]})
        drivers = [
            {
                "key": item["key"] or _fresh_key(item["name"], driver_keys, "driver"),
                "name": item["name"],
                "description": item["description"],
                "stage_key": stage_key_for[item["stage"]],
            }
            for item in self.kept["driver"]
        ]
        principles = [
            {
                "key": item["key"] or _fresh_key(item["name"], principle_keys, "principle"),
                "name": item["name"],
                "description": item["description"],
            }
            for item in self.kept["principle"]
        ]
        return {
            "stages": stages,
            "drivers": drivers,
            "principles": principles,
            "change_note": self.cleaned_data["change_note"],
        }


def style_fields(form) -> None:
    """The design system's classes and hint links for fields added after the form was made
    (as the form mixin does for fields declared on the class)."""
    for name, form_field in form.fields.items():
        widget = form_field.widget
        css = {
            "input": "ds_input",
            "select": "ds_select",
            "textarea": "ds_input",
            "checkbox": "ds_checkbox__input",
        }.get(widget_kind(widget))
        if css and css not in widget.attrs.get("class", ""):
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if form_field.help_text:
            widget.attrs["aria-describedby"] = f"id_{form.add_prefix(name)}-hint"


def _fresh_key(name: str, taken: set[str], fallback: str) -> str:
    key = slugify(name)[:50] or fallback
    base, n = key, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key
