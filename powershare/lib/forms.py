"""Django forms rendered with the Scottish Government Design System.

`{{ form }}` renders an error summary linking to each field, then each field as a design-system
question with its hint, its own error message and the value that was typed.
"""

from django import forms
from django.forms.renderers import TemplatesSetting


class DesignSystemFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def widget_kind(widget: forms.Widget) -> str:
    """Which design-system pattern a widget needs."""
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


class DesignSystemFormMixin:
    """Adds the design system's classes and ARIA links between a field, its hint and error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            kind = widget_kind(field.widget)
            css = {
                "input": "ds_input",
                "select": "ds_select",
                "textarea": "ds_input",
                "checkbox": "ds_checkbox__input",
            }.get(kind)
            if css:
                field.widget.attrs["class"] = (
                    field.widget.attrs.get("class", "") + " " + css
                ).strip()
            described = []
            if field.help_text:
                described.append(f"id_{self.add_prefix(name)}-hint")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                error_id = f"id_{self.add_prefix(name)}-error"
                current = widget.attrs.get("aria-describedby", "")
                if error_id not in current:
                    widget.attrs["aria-describedby"] = f"{current} {error_id}".strip()
                if widget_kind(widget) in {"input", "textarea"}:
                    widget.attrs["class"] = widget.attrs.get("class", "") + " ds_input--error"


class Form(DesignSystemFormMixin, forms.Form):
    pass


class ModelForm(DesignSystemFormMixin, forms.ModelForm):
    pass


def form_errors_to_fields(form: forms.BaseForm, error, field_for: dict | None = None) -> None:
    """Show a service's ValidationError on the form: by field where it names one the form
    shows and the person can change (`field_for` maps a service's names to the form's), at
    the top otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (field_for or {}).get(name, name)
        field = form.fields.get(name)
        form.add_error(name if field is not None and not field.disabled else None, errors)


def save_or_show(form, act, *, field_for: dict | None = None) -> bool:
    """Run `act` (a service call). True when it was done; a refusal goes on the form (see
    form_errors_to_fields), and no permission reads as "not found", as everywhere else."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    try:
        act()
    except ValidationError as error:
        form_errors_to_fields(form, error, field_for)
        return False
    except PermissionDenied:
        raise Http404("No such page") from None
    return True


def act_then_go(request, act, *, to: str, form=None, not_found: str = "No such page"):
    """Run `act` (a service call that returns the message to show) and go to `to`.

    Returns (response, problem). If the service refuses, the response is None: its reasons go
    on the form's fields, or, without a form, come back as one sentence to show. Refused for
    lack of permission reads as "not found", as everywhere else."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404
    from django.shortcuts import redirect

    try:
        done = act()
    except ValidationError as error:
        if form is not None:
            form_errors_to_fields(form, error)
            return None, ""
        return None, " ".join(error.messages)
    except PermissionDenied:
        raise Http404(not_found) from None
    messages.success(request, done)
    return redirect(to), ""


def search_term(request, name: str = "q", max_length: int = 200) -> str:
    """A search box's text from the query string, safe for any database: trimmed, bounded and
    without NUL characters (which PostgreSQL refuses)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]


def posted(request):
    """The submitted data for a form, or None on GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def add_organisation_choice(form, organisations, *, label: str) -> None:
    """For someone in more than one organisation: a first question saying which organisation
    a new record is for. With one organisation (or none given) the form is left as it is, and
    the view uses that one."""
    if organisations is None or len(organisations) <= 1:
        return
    from django import forms

    form.fields = {
        "organisation": forms.ModelChoiceField(
            queryset=organisations,
            label=label,
            empty_label=None,
            error_messages={
                "required": "Choose an organisation",
                "invalid_choice": "Choose an organisation from the list",
            },
            widget=forms.Select(attrs={"class": "ds_select"}),
        ),
        **form.fields,
    }


#: The largest id a database column can hold (64-bit signed).
MAX_ID = 2**63 - 1


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of records that answers "choose from the list" for any value that
    cannot be an id (text, or a number too big for the database), instead of letting SQLite
    fail with an overflow when Django looks it up."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        if key == "pk":
            for item in value:
                text = str(item).strip()
                if not text.isdigit() or not 0 < int(text) <= MAX_ID:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": text[:20]},
                    )
        return super()._check_values(value)


def select_options(choices, *, selected=None) -> str:
    """`<option>` elements for (value, label) pairs, escaped, with `selected` marked: for
    long lists (a council's 1,500 activities) a template loop costs over 100 ms per page
    (issue 12); this costs a few."""
    from html import escape

    from django.utils.safestring import mark_safe

    chosen = "" if selected in (None, "") else str(selected)
    # Every value and label is escaped here, before it is marked safe.
    return mark_safe(  # noqa: S308
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) == chosen else ''}>{escape(str(label))}</option>"
            for value, label in choices
        )
    )
