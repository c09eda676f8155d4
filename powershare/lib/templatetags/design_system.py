"""Template helpers used on every page (loaded as a builtin)."""

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.http import urlencode

from powershare.lib.forms import widget_kind

register = template.Library()


@register.filter
def ds_kind(bound_field) -> str:
    return widget_kind(bound_field.field.widget)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (keeps filters in the URL)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.filter
def with_base(count: int, total: int) -> str:
    """'27 of 33 (82%)': a number always with its base."""
    if not total:
        return f"{count} of {total}"
    return f"{count} of {total} ({round(100 * count / total)}%)"


@register.filter
def changed_fields(entry) -> str:
    """The names of the fields a change-log entry touched, without loading related records."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    names = []
    for field_name in entry.changes_dict:
        try:
            names.append(str(model._meta.get_field(field_name).verbose_name))
        except (AttributeError, FieldDoesNotExist):  # a model or field since removed
            names.append(field_name.replace("_", " "))
    return ", ".join(names)


@register.simple_tag(takes_context=True)
def form_token(context) -> str:
    """A hidden one-time token for a form that creates something (see form_submission_once).
    A form shown again with its errors keeps the token it was sent with."""
    request = context["request"]
    token = request.POST.get("form_token", "") if request.method == "POST" else ""
    token = token[:64] or secrets.token_urlsafe(24)
    return format_html(
        '<input type="hidden" name="form_token" value="{}" autocomplete="off">', token
    )


@register.filter
def pounds(amount) -> str:
    """£1,234.50 (and −£12.00 for a negative amount); an empty string for None."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"
