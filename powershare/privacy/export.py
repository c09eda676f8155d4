"""Everything held about one person, as data (JSON) and as a readable page (HTML), in a zip.

Built from the personal data registry, so each capability's models appear without this module
knowing about them, and from the audit trail: who changed the person's records and who viewed
them.
"""

import datetime
import io
import json
import zipfile
from decimal import Decimal

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from powershare.audit.models import AccessEvent

from . import registry


def _value(obj, field):
    value = field.value_from_object(obj)
    if field.is_relation and (field.many_to_one or field.one_to_one):
        related = getattr(obj, field.name, None)
        return {"id": value, "label": str(related)} if related is not None else None
    if field.choices and value not in (None, ""):
        return {"value": value, "label": str(getattr(obj, f"get_{field.name}_display")())}
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj, entry) -> dict:
    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in entry.export_exclude:
            continue
        row[field.name] = _value(obj, field)
    for field in obj._meta.many_to_many:
        if field.name in entry.export_exclude:
            continue
        row[field.name] = [str(item) for item in getattr(obj, field.name).all()]
    return entry.export_clean(obj, row) if entry.export_clean else row


def _labels(model, entry) -> dict:
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    return {
        f.name: str(f.verbose_name).capitalize()
        for f in fields
        if f.name not in entry.export_exclude
    }


def _audit_trail(records: list) -> tuple[list[dict], list[dict]]:
    changes_filter = Q(pk__in=[])
    access_filter = Q(pk__in=[])
    for obj in records:
        content_type = ContentType.objects.get_for_model(obj)
        changes_filter |= Q(content_type=content_type, object_id=obj.pk)
        access_filter |= Q(subject_type=obj._meta.verbose_name, subject_id=str(obj.pk))
    changes = [
        {
            "when": entry.timestamp,
            "action": entry.get_action_display(),
            "record": entry.object_repr,
            "by": str(entry.actor) if entry.actor else "PowerShare",
            "fields_changed": sorted((entry.changes_dict or {}).keys()),
        }
        for entry in LogEntry.objects.filter(changes_filter)
        .select_related("actor")
        .order_by("timestamp", "pk")
    ]
    views = [
        {
            "when": event.occurred_at,
            "action": event.get_action_display(),
            "what": event.description,
            "by": str(event.user) if event.user else "PowerShare",
        }
        for event in AccessEvent.objects.filter(access_filter)
        .select_related("user")
        .order_by("occurred_at", "pk")
    ]
    return changes, views


def person_export_data(person) -> dict:
    """The whole export as one dict: sections per registered model, then the audit trail."""
    sections = []
    records = []
    for entry in registry.entries():
        rows = list(entry.rows_for(person))
        records.extend(rows)
        sections.append(
            {
                "model": entry.model._meta.label,
                "label": entry.label,
                "fields": _labels(entry.model, entry),
                "rows": [_row(obj, entry) for obj in rows],
            }
        )
    changes, views = _audit_trail(records)
    return {
        "about": {
            "person": person.reference,
            "organisation": person.organisation.name,
            "prepared_at": timezone.now(),
            "explanation": (
                "Everything PowerShare holds about you for this organisation, with a record of "
                "who changed or looked at it."
            ),
        },
        "sections": sections,
        "changes": changes,
        "views": views,
    }


def _readable(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        return value.get("label") or value.get("value") or "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %B %Y, %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def person_export_zip(person) -> bytes:
    data = person_export_data(person)
    readable_sections = [
        {
            "label": section["label"],
            "rows": [
                [(section["fields"][name], _readable(value)) for name, value in row.items()]
                for row in section["rows"]
            ],
        }
        for section in data["sections"]
    ]
    html = render_to_string(
        "privacy/offline/export.html",
        {
            "person": person,
            "about": data["about"],
            "sections": readable_sections,
            "changes": data["changes"],
            "views": data["views"],
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("your-data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2))
        archive.writestr("your-data.html", html)
    return buffer.getvalue()
