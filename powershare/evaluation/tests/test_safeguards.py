"""Safeguards around the summary of learning and the anonymous answers: a made PDF that may
quote withdrawn words is taken down at once and made again; a PDF being made when that happens
is thrown away; an answer arriving marks the summary out of date without writing down when;
new deliveries get their answer links; files checked but never imported are swept away."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from powershare.engagement import services as engagement_services
from powershare.evaluation import selectors, services
from powershare.evaluation.models import AnswerLink, LearningSummary, SummaryStatus
from powershare.learning import services as learning_services
from powershare.learning.models import SessionMode

pytestmark = pytest.mark.django_db


def _made(samples, monkeypatch, capture, pdf=b"%PDF-1.7 first") -> LearningSummary:
    from powershare.evaluation import report

    monkeypatch.setattr(report, "summary_pdf", lambda *, summary, progress=None: pdf)
    product = samples["product"]
    with capture(execute=True):
        services.summary_request(actor=None, product=product)
    summary = LearningSummary.objects.get(product=product)
    assert summary.status == SummaryStatus.READY
    assert summary.pdf
    return summary


def test_withdrawn_words_take_the_made_pdf_down_and_make_it_again(
    personas, samples, monkeypatch, django_capture_on_commit_callbacks
):
    product = samples["product"]
    contribution = samples["contribution"]
    product.shaped_by_contributions.add(contribution)
    summary = _made(samples, monkeypatch, django_capture_on_commit_callbacks)
    first = summary.pdf.name
    assert default_storage.exists(first)

    from powershare.evaluation import report

    made_again = []
    monkeypatch.setattr(
        report,
        "summary_pdf",
        lambda *, summary, progress=None: made_again.append(summary.pk) or b"%PDF-1.7 again",
    )
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.contribution_withdraw(
            user=personas.alice, contribution=contribution, by_person=False
        )
    assert not default_storage.exists(first), "the PDF quoting the words is gone at once"
    summary.refresh_from_db()
    assert made_again == [summary.pk]
    assert summary.status == SummaryStatus.READY
    assert summary.pdf.name != first
    assert summary.taken_down_at is not None


def test_a_pdf_being_made_when_words_are_withdrawn_is_thrown_away(
    samples, monkeypatch, django_capture_on_commit_callbacks
):
    product = samples["product"]
    summary = services.summary_for(product=product)
    started_at = timezone.now() - datetime.timedelta(seconds=10)
    LearningSummary.objects.filter(pk=summary.pk).update(
        status=SummaryStatus.MAKING, taken_down_at=started_at + datetime.timedelta(seconds=5)
    )
    from powershare.evaluation import report

    remade = []
    monkeypatch.setattr(
        report, "summary_pdf", lambda *, summary, progress=None: remade.append(1) or b"%PDF new"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_store_pdf(summary_id=summary.pk, pdf=b"%PDF old", started_at=started_at)
    summary.refresh_from_db()
    assert remade == [1], "made again from the data as it is now"
    assert summary.status == SummaryStatus.READY
    with summary.pdf.open("rb") as stored:
        assert stored.read() == b"%PDF new"


def test_an_answer_makes_the_summary_out_of_date_without_writing_to_it(
    samples, monkeypatch, django_capture_on_commit_callbacks
):
    summary = _made(samples, monkeypatch, django_capture_on_commit_callbacks)
    assert not selectors.summary_is_stale(summary=summary)
    assert summary.pk not in set(selectors.summaries_stale().values_list("pk", flat=True))
    before = LearningSummary.objects.filter(pk=summary.pk).values().get()
    link = samples["answer_link"]
    question = samples["likert_question"]
    services.response_submit(link=link, answers={question.pk: 5})
    after = LearningSummary.objects.filter(pk=summary.pk).values().get()
    assert after == before, "nothing about the summary is written: no time, no flag"
    summary.refresh_from_db()
    assert selectors.summary_is_stale(summary=summary), "the count of responses changed"
    assert summary.pk in set(selectors.summaries_stale().values_list("pk", flat=True))

    # Made again: up to date, with the new count.
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_request(actor=None, product=summary.product)
    summary.refresh_from_db()
    assert summary.responses_when_made == before["responses_when_made"] + 1
    assert not selectors.summary_is_stale(summary=summary)


def test_a_new_delivery_gets_links_on_its_first_and_last_session(personas, samples):
    product = samples["product"]
    pre, post = services.standard_questionnaires_make(actor=personas.alice, product=product)
    day = timezone.localdate() + datetime.timedelta(days=30)
    session = {
        "starts_at": datetime.time(10),
        "ends_at": datetime.time(13),
        "mode": SessionMode.IN_PERSON,
        "venue": "Room 2",
    }
    delivery = learning_services.delivery_create(
        actor=personas.alice,
        product=product,
        site=personas.council_a,
        cohort="Autumn",
        capacity=12,
        sessions=[
            {**session, "date": day},
            {**session, "date": day + datetime.timedelta(days=21)},
        ],
    )
    links = {link.questionnaire_id: link for link in AnswerLink.objects.filter(delivery=delivery)}
    assert links[pre.pk].session.number == 1
    assert links[pre.pk].closes_on == day
    assert links[post.pk].session.number == 2
    assert links[post.pk].opens_on == day + datetime.timedelta(days=21)


def test_files_checked_but_never_imported_are_swept_away(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from django.core.files.storage import storages

    storage = storages["default"]
    old = storage.save(f"{services.IMPORT_UPLOADS_FOLDER}old.csv", ContentFile(b"a,b\n1,2\n"))
    new = storage.save(f"{services.IMPORT_UPLOADS_FOLDER}new.csv", ContentFile(b"a,b\n1,2\n"))
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    import os

    os.utime(storage.path(old), (two_days_ago, two_days_ago))
    assert services.import_uploads_sweep() == 1
    assert not storage.exists(old)
    assert storage.exists(new)
