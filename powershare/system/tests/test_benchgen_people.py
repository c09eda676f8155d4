"""The benchmark generator's people and engagement module (issue 12), at the small scale: the
counts asked for, the rules the services keep (its own check), and the app's own selectors and
pages agreeing with what it says it made."""

import random

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from powershare.system.benchgen import SCALES, Context, reset_sequences
from powershare.system.benchgen import people_engagement as module
from powershare.system.benchgen.run import _councils_and_staff


@pytest.fixture
def made(db):
    ctx = Context(scale=SCALES["small"], rng=random.Random(7), today=timezone.localdate())
    _councils_and_staff(ctx)
    counts = module.generate(ctx)
    reset_sequences(ctx.ids.models())
    return ctx, counts


def test_makes_the_scale_asked_for(made):
    from powershare.accountability.models import FeedbackLetter, Response
    from powershare.engagement.models import Activity, Contribution, Invitation
    from powershare.payments.models import Payment
    from powershare.people.models import ConsentRecord, Person

    ctx, counts = made
    scale = ctx.scale
    orgs = [c.pk for c in ctx.councils]
    assert counts["people"] == scale.experts_by_experience
    assert counts["activities"] == scale.activities
    assert counts["contributions"] == scale.contributions
    assert Person.objects.filter(organisation_id__in=orgs).count() == counts["people"]
    assert Activity.objects.filter(organisation_id__in=orgs).count() == counts["activities"]
    assert Contribution.objects.filter(organisation_id__in=orgs).count() == counts["contributions"]
    for name, model in (
        ("invitations", Invitation),
        ("responses", Response),
        ("feedback_letters", FeedbackLetter),
        ("payments", Payment),
        ("consent_records", ConsentRecord),
    ):
        assert model.objects.count() == counts[name], name
    # Every council has people, activities and contributions of its own.
    per_council = dict(Contribution.objects.values_list("organisation_id").annotate(n=Count("pk")))
    assert set(per_council) == set(orgs)
    # Most contributions have a response; some are still waiting.
    answered = Contribution.objects.filter(response_links__isnull=False).distinct().count()
    assert 0.6 * scale.contributions < answered < scale.contributions
    # About one payment per 20 contributions, in more than one state.
    assert 0 < counts["payments"] <= scale.contributions // 20
    assert {"paid", "approved", "owed"} <= set(Payment.objects.values_list("status", flat=True))
    shared = ctx.shared["people_by_council"]
    assert set(shared) == set(orgs)
    assert sum(len(ids) for ids in shared.values()) == scale.experts_by_experience
    # Ids were given: the sequences were moved past them, so the app can add rows.
    assert Person.objects.create(organisation_id=orgs[0], full_name="After the bench").pk > max(
        max(ids) for ids in shared.values()
    )


def test_its_own_check_finds_nothing_wrong(made):
    ctx, _ = made
    assert module.check(ctx) == []


def test_check_finds_a_broken_rule(made):
    from powershare.engagement.models import Activity, Contribution

    ctx, _ = made
    a, b = ctx.councils[:2]
    contribution = Contribution.objects.filter(organisation=a).first()
    Contribution.objects.filter(pk=contribution.pk).update(
        activity=Activity.objects.filter(organisation=b).first()
    )
    assert any("another council" in problem for problem in module.check(ctx))


def test_dashboard_and_register_agree_with_what_was_made(made):
    from powershare.accountability.selectors import dashboard_counts_for, dashboard_for
    from powershare.people.selectors import people_with_consent_counts, person_list_for

    ctx, _ = made
    today = ctx.today
    expected = ctx.shared["people_engagement_expected"]
    overdue_somewhere = 0
    for council in ctx.councils:
        staff = ctx.staff[council.pk]
        want = expected[council.pk]
        counts = dashboard_counts_for(user=staff, today=today)
        assert counts == {
            "overdue": want["overdue"],
            "due_soon": want["due_soon"],
            "open": want["open"],
            "without_response": want["without_response"],
        }, council.name
        assert dashboard_for(user=staff, today=today).count() == (
            want["overdue"] + want["due_soon"] + want["open"]
        )
        overdue_somewhere += want["overdue"]
        assert person_list_for(user=staff).count() == want["people"]
        statuses = people_with_consent_counts(user=staff)
        assert {k: v for k, v in statuses.items() if v} == want["status"]
    assert overdue_somewhere > 0  # the dashboard's overdue list has work


def test_consent_answers_work_for_most_people(made):
    from powershare.engagement.models import Contribution, UseLevel
    from powershare.engagement.selectors import contributions_usable_for
    from powershare.people.models import ConsentPurpose, Person
    from powershare.people.selectors import may_we, people_who_may

    ctx, _ = made
    people = Person.objects.filter(organisation__in=ctx.councils)
    total = people.count()
    contactable = people_who_may(people, purpose=ConsentPurpose.CONTACT).count()
    assert 0.6 * total < contactable < total
    # The SQL rule and the one-person rule agree.
    for person in people.order_by("pk")[:20]:
        in_sql = people_who_may(
            Person.objects.filter(pk=person.pk), purpose=ConsentPurpose.QUOTE_ANONYMOUS
        ).exists()
        assert may_we(person=person, purpose=ConsentPurpose.QUOTE_ANONYMOUS).allowed == in_sql
    live = Contribution.objects.filter(withdrawn_at__isnull=True, purged_at__isnull=True)
    usable = contributions_usable_for(live, use=UseLevel.INTERNAL).count()
    assert 0.8 * live.count() < usable <= live.count()


def test_pages_work_on_the_made_data(made, client):
    from powershare.people.models import Person

    ctx, _ = made
    council = ctx.councils[0]
    client.force_login(ctx.staff[council.pk])
    for name in ("accountability:dashboard", "people:list", "accountability:response_list"):
        assert client.get(reverse(name)).status_code == 200, name
    person = Person.objects.filter(organisation=council).order_by("pk").first()
    page = client.get(reverse("people:detail", args=[person.pk]))
    assert page.status_code == 200
    assert person.full_name in page.content.decode()
