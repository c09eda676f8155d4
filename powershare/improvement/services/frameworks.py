"""Frameworks change only by publishing a new version: past assessments keep theirs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from powershare.accounts.models import Organisation, User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can

from ..models import Driver, Framework, FrameworkVersion, Principle, Stage
from ._common import text

MAX_STAGES = 8
MAX_DRIVERS = 30
MAX_PRINCIPLES = 12


def _unique_key(wanted: str, name: str, taken: set[str], fallback: str) -> str:
    key = slugify(wanted or name)[:50] or fallback
    base, n = key, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def _keys_for(rows: list[dict], fallback: str) -> list[str]:
    """Each row's key: rows that bring a key (kept from the last version) are served first,
    so a new row whose name happens to make the same key can never take a kept row's key
    (which would match it to the wrong driver across versions)."""
    taken: set[str] = set()
    keys: list[str] = [""] * len(rows)
    for kept in (True, False):
        for index, row in enumerate(rows):
            if bool(row.get("key")) == kept:
                keys[index] = _unique_key(
                    row.get("key", ""), row["name"], taken, f"{fallback}-{index + 1}"
                )
    return keys


@transaction.atomic
def framework_version_publish(
    *,
    actor: User,
    framework: Framework,
    organisation: Organisation,
    stages: list[dict],
    drivers: list[dict],
    principles: list[dict],
    change_note: str = "",
) -> FrameworkVersion:
    """Publish the organisation's next version of a framework.

    `stages`: [{"key", "name", "description"}] in order; `drivers`: [{"key", "name",
    "description", "stage_key"}] in order (a driver kept from the last version keeps its key, so
    assessments compare across versions; a driver left out is retired; a new one gets a key
    made from its name); `principles`: [{"key", "name", "description"}]. Nothing published
    before changes. Raises ValidationError naming the row and field of anything wrong.
    """
    if not user_can(
        user=actor, capability=Capability.MANAGE_FRAMEWORKS, organisation_id=organisation.pk
    ):
        raise PermissionDenied("Only your organisation's administrators publish frameworks.")
    errors: dict[str, list[str]] = {}

    def err(field, message):
        errors.setdefault(field, []).append(message)

    stage_rows = [s for s in stages if text(s.get("name"), 200)]
    driver_rows = [d for d in drivers if text(d.get("name"), 200)]
    principle_rows = [p for p in principles if text(p.get("name"), 100)]
    if not stage_rows:
        err("stages", "Keep at least one stage.")
    if not driver_rows:
        err("drivers", "Keep at least one driver.")
    if not principle_rows:
        err("principles", "Keep at least one principle.")
    if len(stage_rows) > MAX_STAGES:
        err("stages", f"A framework can have up to {MAX_STAGES} stages.")
    if len(driver_rows) > MAX_DRIVERS:
        err("drivers", f"A framework can have up to {MAX_DRIVERS} drivers.")
    if len(principle_rows) > MAX_PRINCIPLES:
        err("principles", f"A framework can have up to {MAX_PRINCIPLES} principles.")
    for label, rows in (
        ("stages", stage_rows),
        ("drivers", driver_rows),
        ("principles", principle_rows),
    ):
        names = [text(r.get("name"), 200).casefold() for r in rows]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            err(label, f"Each name can be used once; used twice: {', '.join(repeated)}.")
    made_stage_keys = _keys_for(stage_rows, "stage")
    by_given_key = {
        (s.get("key") or ""): made for s, made in zip(stage_rows, made_stage_keys, strict=True)
    }
    for number, d in enumerate(driver_rows, start=1):
        if (d.get("stage_key") or "") not in by_given_key:
            err("drivers", f"Driver {number} ({text(d.get('name'), 200)}): choose its stage.")
    if errors:
        raise ValidationError(errors)

    last = (
        FrameworkVersion.objects.select_for_update()
        .filter(framework=framework, organisation=organisation)
        .aggregate(n=Max("number"))["n"]
    )
    default_last = FrameworkVersion.objects.filter(
        framework=framework, organisation__isnull=True
    ).aggregate(n=Max("number"))["n"]
    number = max(last or 0, default_last or 0) + 1
    version = FrameworkVersion.objects.create(
        framework=framework,
        organisation=organisation,
        number=number,
        change_note=text(change_note, 300),
        published_at=timezone.now(),
        published_by=actor,
    )
    stage_by_key = {}
    for order, (row, key) in enumerate(zip(stage_rows, made_stage_keys, strict=True), start=1):
        stage_by_key[by_given_key[row.get("key") or ""]] = Stage.objects.create(
            version=version,
            key=key,
            order=order,
            name=text(row["name"], 200),
            description=text(row.get("description"), 2000),
        )
    per_stage: dict[int, int] = {}
    for row, key in zip(driver_rows, _keys_for(driver_rows, "driver"), strict=True):
        stage = stage_by_key[by_given_key[row.get("stage_key") or ""]]
        per_stage[stage.pk] = per_stage.get(stage.pk, 0) + 1
        Driver.objects.create(
            version=version,
            stage=stage,
            key=key,
            order=per_stage[stage.pk],
            name=text(row["name"], 200),
            description=text(row.get("description"), 2000),
        )
    principle_keys = _keys_for(principle_rows, "principle")
    for order, row in enumerate(principle_rows, start=1):
        Principle.objects.create(
            version=version,
            key=principle_keys[order - 1],
            order=order,
            name=text(row["name"], 100),
            description=text(row.get("description"), 2000),
        )
    return version
