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


#: The bench users besides each council's participation lead (`ctx.staff`): per council one
#: of each of these roles, as bench.<word>.<council slug>@bench.example (the leader is the one
#: people_engagement has approve payments), and one national coordinator.
COUNCIL_ROLES = {"learning": "learning_lead", "facilitator": "facilitator", "leader": "leader"}
NATIONAL_EMAIL = "bench.national@bench.example"
#: An expert by experience with a login to their portal (see `portal_user_ensure`).
PORTAL_EMAIL = "bench.expert@bench.example"


def _bench_user(email: str, full_name: str, organisation, role: str):
    """The user with this email and a current membership with this role, made if missing."""
    from powershare.accounts.models import Membership, User

    # No usable password: the benchmarks sign in with a session they make themselves.
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=None, full_name=full_name
    )
    Membership.objects.get_or_create(
        user=user, organisation=organisation, ended_at=None, defaults={"role": role}
    )
    return user


def bench_users_ensure(councils: list) -> dict:
    """Each role's bench users, made if missing (idempotent, so a benchmark can call it on a
    database generated before they existed): {"national": user, council id: {word: user}}."""
    from powershare.accounts.models import Organisation, OrganisationKind

    users: dict = {}
    for council in councils:
        users[council.pk] = {
            word: _bench_user(
                f"bench.{word}.{council.slug}@bench.example",
                f"Bench {role.replace('_', ' ')}, {council.name}",
                council,
                role,
            )
            for word, role in COUNCIL_ROLES.items()
        }
    national = (
        Organisation.objects.filter(kind=OrganisationKind.NATIONAL_BODY, is_reference=True)
        .order_by("name")
        .first()
    )
    if national is not None:
        users["national"] = _bench_user(
            NATIONAL_EMAIL, "Bench national coordinator", national, "national_coordinator"
        )
    return users


def portal_user_ensure(councils: list):
    """One expert by experience who signs in to their portal: the person with the most
    contributions in the council with the most people (the busiest portal), given a login
    that has signed in, as an accepted portal invitation leaves it. Idempotent; None when no
    one fits (no people yet)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from powershare.accounts.models import User
    from powershare.people.models import Person

    user = User.objects.filter(email=PORTAL_EMAIL).first()
    if user is not None and Person.objects.filter(user=user).exists():
        return user
    council = (
        Person.objects.filter(organisation__in=councils, erased_at__isnull=True)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation_id")
        .first()
    )
    if council is None:
        return None
    candidates = (
        Person.objects.filter(
            organisation_id=council["organisation_id"],
            erased_at__isnull=True,
            left_on__isnull=True,
            user__isnull=True,
        )
        .annotate(n=Count("contributions", filter=Q(contributions__withdrawn_at__isnull=True)))
        .order_by("-n", "pk")[:50]
    )
    person = next((p for p in candidates if p.is_under(13) is False), None)
    if person is None:
        return None
    now = timezone.now()
    user = user or User.objects.create_user(
        email=PORTAL_EMAIL, password=None, full_name=person.full_name
    )
    user.last_login = now
    user.save(update_fields=["last_login"])
    person.user = user
    person.portal_invited_at = now
    person.save(update_fields=["user", "portal_invited_at"])
    return user


def _councils_and_staff(ctx: Context) -> None:
    from powershare.accounts.models import Organisation, OrganisationKind
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
        ctx.staff[council.pk] = _bench_user(
            f"bench.lead.{council.slug}@bench.example",
            f"Bench lead, {council.name}",
            council,
            Role.PARTICIPATION_LEAD,
        )
    ctx.shared["bench_users"] = bench_users_ensure(councils)


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
        portal_user_ensure(ctx.councils)
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
