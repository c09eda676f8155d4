"""The order the benchmark data is made in, and the checks afterwards."""

from __future__ import annotations

import datetime
import random
import time

from . import SCALES, Context, reset_sequences

#: Each module has generate(ctx) -> {name: rows written} and check(ctx) -> [problems].
MODULES = [
    "powershare.system.benchgen.people_engagement",
    "powershare.system.benchgen.learning_evaluation",
]


def _councils_and_staff(ctx: Context) -> None:
    from powershare.accounts.models import Membership, Organisation, OrganisationKind, User
    from powershare.accounts.roles import Role

    councils = list(
        Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY, is_reference=True
        ).order_by("name")[: ctx.scale.councils]
    )
    if len(councils) < ctx.scale.councils:
        raise RuntimeError(
            f"bench_generate needs {ctx.scale.councils} councils; the database has "
            f"{len(councils)} (run the migrations first: they add the 32 councils)."
        )
    ctx.councils = councils
    for council in councils:
        email = f"bench.lead.{council.slug}@bench.example"
        # No usable password: the benchmarks sign in with a session they make themselves.
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=None, full_name=f"Bench lead, {council.name}"
        )
        Membership.objects.get_or_create(
            user=user,
            organisation=council,
            ended_at=None,
            defaults={"role": Role.PARTICIPATION_LEAD},
        )
        ctx.staff[council.pk] = user


def analyse() -> None:
    from django.db import connection

    # VACUUM can't run inside a transaction (the tests run everything inside one).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def generate(*, scale: str, seed: int, today: datetime.date | None = None, say=print) -> dict:
    """Fill the configured database. Returns counts and seconds per module."""
    from importlib import import_module

    from django.db import transaction

    ctx = Context(
        scale=SCALES[scale],
        rng=random.Random(seed),
        today=today or datetime.date.today(),
    )
    started = time.perf_counter()
    counts: dict[str, int] = {}
    with transaction.atomic():
        _councils_and_staff(ctx)
        for path in MODULES:
            module = import_module(path)
            with ctx.timed(path.rsplit(".", 1)[-1]):
                made = module.generate(ctx)
            counts.update(made)
            say(f"{path.rsplit('.', 1)[-1]}: " + ", ".join(f"{n:,} {k}" for k, n in made.items()))
        reset_sequences(ctx.ids.models())
    problems = []
    for path in MODULES:
        problems += import_module(path).check(ctx)
    with ctx.timed("analyse"):
        analyse()
    return {
        "scale": scale,
        "seed": seed,
        "counts": counts,
        "seconds": round(time.perf_counter() - started, 1),
        "timings": ctx.timings,
        "problems": problems,
    }
