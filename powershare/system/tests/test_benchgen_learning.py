"""The benchmark generator's learning and evaluation module (issue 12), at the small scale: the
counts asked for, the rules the services keep (its own check, which must also catch a broken
row), and the app's own selectors and pages agreeing with what it made."""

import random
from collections import Counter

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from powershare.system.benchgen import SCALES, Context, reset_sequences
from powershare.system.benchgen import learning_evaluation as module
from powershare.system.benchgen.run import _councils_and_staff


@pytest.fixture
def made(db):
    ctx = Context(scale=SCALES["small"], rng=random.Random(3), today=timezone.localdate())
    _councils_and_staff(ctx)
    counts = module.generate(ctx)
    reset_sequences(ctx.ids.models())
    return ctx, counts


def test_makes_the_scale_asked_for_and_keeps_the_rules(made):
    from powershare.evaluation.models import (
        Answer,
        AnswerLink,
        Question,
        Questionnaire,
        QuestionnaireResponse,
        TextAnswer,
    )
    from powershare.learning.models import (
        Booking,
        BookingStatus,
        Delivery,
        DeliverySession,
        LearningProduct,
    )

    ctx, counts = made
    scale = ctx.scale
    councils = [c.pk for c in ctx.councils]
    assert counts["deliveries"] == Delivery.objects.count() == scale.deliveries
    assert counts["bookings"] == Booking.objects.count() == scale.bookings
    assert (
        counts["questionnaire_responses"]
        == QuestionnaireResponse.objects.count()
        == scale.questionnaire_responses
    )
    assert counts["answers"] == Answer.objects.count()
    assert counts["text_answers"] == TextAnswer.objects.count()
    # A few products per council, each published with five outcomes and its standard pair.
    products = LearningProduct.objects.filter(organisation_id__in=councils)
    assert products.count() == module.PRODUCTS_PER_COUNCIL * len(councils)
    assert set(products.values_list("status", flat=True)) == {"published"}
    for product in products:
        version = product.versions.get()
        assert version.published_at is not None
        assert version.outcomes.count() == 5
        kinds = dict(
            Questionnaire.objects.filter(product=product, is_standard=True)
            .annotate(
                likert=Count("questions", filter=Q(questions__type="likert")),
                text=Count("questions", filter=Q(questions__type="text")),
            )
            .values_list("kind", "likert")
        )
        assert kinds == {"pre": 5, "post": 9}
    assert Question.objects.filter(purpose="reaction").count() == 4 * products.count()
    # Deliveries at their council, two sessions each, a link on the first and the last.
    assert all(d.site_id == d.organisation_id for d in Delivery.objects.all())
    assert DeliverySession.objects.count() == 2 * scale.deliveries
    assert AnswerLink.objects.count() == 2 * scale.deliveries
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {BookingStatus.BOOKED, BookingStatus.CANCELLED} <= statuses
    # Both questionnaires of a pair are answered; about a fifth of post responses have words.
    by_kind = Counter(
        QuestionnaireResponse.objects.values_list("questionnaire__kind", flat=True).iterator()
    )
    assert by_kind["pre"] > 0.3 * scale.questionnaire_responses
    assert by_kind["post"] > 0.4 * scale.questionnaire_responses
    assert 0.15 * by_kind["post"] < counts["text_answers"] < 0.3 * by_kind["post"]
    # Some answers are "prefer not to say", and some questions were left blank.
    assert Answer.objects.filter(value=0).exists()
    assert counts["answers"] < 9 * by_kind["post"] + 5 * by_kind["pre"]
    assert module.check(ctx) == []


def test_check_finds_rows_the_services_could_not_have_made(made):
    from powershare.evaluation.models import Answer
    from powershare.learning.models import Booking, BookingStatus, Delivery

    ctx, _ = made
    answer = Answer.objects.order_by("pk").first()
    other = next(c for c in ctx.councils if c.pk != answer.site_id)
    Answer.objects.filter(pk=answer.pk).update(site_id=other.pk)
    delivery = Delivery.objects.filter(cancelled_at__isnull=True).order_by("pk").first()
    Booking.objects.filter(delivery=delivery).update(status=BookingStatus.BOOKED)
    Delivery.objects.filter(pk=delivery.pk).update(capacity=1)
    problems = module.check(ctx)
    assert any("site" in p for p in problems), problems
    assert any("more places taken" in p for p in problems), problems


def test_results_selector_counts_what_was_made(made):
    from powershare.evaluation import selectors
    from powershare.evaluation.models import (
        LIKERT_LABELS,
        PREFER_NOT,
        Answer,
        Questionnaire,
        QuestionnaireResponse,
        TextAnswer,
    )

    questionnaire = (
        Questionnaire.objects.filter(kind="post")
        .annotate(n=Count("responses"))
        .order_by("-n", "pk")
        .first()
    )
    responses = QuestionnaireResponse.objects.filter(questionnaire=questionnaire)
    assert responses.count() > 100
    results = selectors.questionnaire_results(questionnaire=questionnaire)
    assert results.responses == responses.count()
    for result in results.questions:
        question = result.question
        if question.type == "text":
            assert result.answered == TextAnswer.objects.filter(question=question).count()
            continue
        naive = Counter(Answer.objects.filter(question=question).values_list("value", flat=True))
        assert result.answered == sum(naive[v] for v in LIKERT_LABELS)
        assert result.prefer_not == naive[PREFER_NOT]
        assert [result.counts[label] for label in LIKERT_LABELS.values()] == [
            naive[v] for v in LIKERT_LABELS
        ]
    # By site (each council is a site): the groups add up to the whole.
    by_site = selectors.questionnaire_results(questionnaire=questionnaire, by_site=True)
    assert sum(s.responses for s in by_site.by_site) == responses.count()
    assert by_site.as_dict()["questions"] == results.as_dict()["questions"]


def test_delivery_list_and_detail_work_on_what_was_made(made, client):
    from powershare.learning import selectors
    from powershare.learning.models import Attendance, Booking, BookingStatus, Delivery

    ctx, _ = made
    council = max(ctx.councils, key=lambda c: Delivery.objects.filter(organisation=c).count())
    staff = ctx.staff[council.pk]
    listed = list(selectors.delivery_list_for(user=staff, include_cancelled=True))
    assert {d.pk for d in listed} == set(
        Delivery.objects.filter(organisation=council).values_list("pk", flat=True)
    )
    for delivery in listed:
        booked = Booking.objects.filter(delivery=delivery, status=BookingStatus.BOOKED).count()
        waiting = Booking.objects.filter(delivery=delivery, status=BookingStatus.WAITING).count()
        assert (delivery.booked_count or 0) == booked
        assert (delivery.waiting_count or 0) == waiting
        assert delivery.first_date < delivery.last_date
        assert delivery.has_lived_experience or delivery.no_lived_experience_reason
    delivery = next(d for d in listed if d.cancelled_at is None and d.booked_count)
    found = selectors.delivery_get_for(user=staff, pk=delivery.pk)
    places = selectors.places(delivery=found)
    assert places.booked + places.offered <= found.capacity
    for session in selectors.session_list(delivery=found):
        assert (
            session.attended_count
            == Attendance.objects.filter(session=session, attended=True).count()
        )
    client.force_login(staff)
    page = client.get(reverse("learning:delivery_list"))
    assert page.status_code == 200
    page = client.get(reverse("learning:delivery_detail", args=[delivery.pk]))
    assert page.status_code == 200
    assert delivery.cohort in page.content.decode()
