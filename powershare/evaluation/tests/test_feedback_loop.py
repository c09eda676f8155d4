"""The feedback loop of a summary of learning (issue 9, point 10): alice sends the
plain-English summary of council A's sample product to the people who co-designed it, through
the "you said, we did" letters of issue 5. Each co-design activity gets a letter that reaches
whom accountability's rules say (email, portal, post, a group's partner; nobody who has not
agreed to be contacted); replies are recorded as contributions; a double submit sends nothing
twice; bob (a facilitator) and charlie (another council) get 404."""

import html as html_module
import re

import pytest
from django.core import mail
from django.urls import reverse

from powershare.accountability.models import (
    Delivery,
    FeedbackLetter,
    FeedbackRecipient,
    GroupReply,
    LetterStatus,
)
from powershare.accountability.services import delivery_for
from powershare.engagement.models import Contribution
from powershare.engagement.tests import factories as make
from powershare.evaluation import selectors, services
from powershare.evaluation.models import LearningSummary

PLAIN = "We learned that sharing power starts with listening. We will run the course again."


def _page(response) -> str:
    return html_module.unescape(response.content.decode())


def _url(product) -> str:
    return reverse("evaluation:summary_feedback", args=[product.pk])


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def shaped(samples, personas):
    """The sample product, co-designed in council A's sample activity (a group's contribution
    through a partner, and the sample person who took part) and erin's workshop, with a
    plain-English summary written."""
    product = samples["product"]
    product.shaped_by_activities.set([samples["activity"], samples["erin_contribution"].activity])
    LearningSummary.objects.filter(product=product).update(plain_summary=PLAIN)
    return product


def _send(client, product, **extra):
    page = _page(client.get(_url(product)))
    return client.post(_url(product), {"confirm": "on", "form_token": _token(page), **extra})


def _summary_letters(product):
    subject = selectors.summary_feedback_for(product=product).subject
    return FeedbackLetter.objects.filter(subject=subject, status=LetterStatus.SENT)


# ---------------------------------------------------------------------------------------------
# The page


def test_alice_sees_the_summary_its_figures_and_who_will_hear_back(client_for, shaped, samples):
    response = client_for("alice").get(_url(shaped))
    assert response.status_code == 200
    html = _page(response)
    assert PLAIN in html
    # Figures worked out from the records: the sample pre questionnaire's two answers, one
    # agreeing with the outcome.
    assert "2 people answered our questions before the learning." in html
    assert "50% agreed before the learning." in html
    # Who hears back, by accountability's rules, in counts.
    assert samples["activity"].title in html
    assert "1 group through Partner youth project" in html
    assert "by email" in html
    assert html.count("Ready to send") == 2
    assert "Send the summary (2 letters)" in html
    assert reverse("evaluation:summary_edit", args=[shaped.pk]) in html
    assert "The summary has not been sent yet." in html


def test_without_a_plain_summary_the_page_asks_for_one_and_sending_is_refused(client_for, shaped):
    LearningSummary.objects.filter(product=shaped).update(plain_summary="")
    client = client_for("alice")
    html = _page(client.get(_url(shaped)))
    assert "There is no plain-English summary yet." in html
    assert "Send the summary" not in html
    response = client.post(_url(shaped), {"confirm": "on"})
    assert response.status_code == 200
    assert "Write the plain-English summary first" in _page(response)
    assert not _summary_letters(shaped).exists()


def test_the_box_must_be_ticked(client_for, shaped):
    response = client_for("alice").post(_url(shaped), {})
    assert response.status_code == 200
    assert "Tick the box to say you have read the summary" in _page(response)
    assert not _summary_letters(shaped).exists()


# ---------------------------------------------------------------------------------------------
# Sending


def test_alice_sends_it_and_each_co_designer_gets_it_as_accountability_decides(
    client_for, shaped, samples, personas, django_capture_on_commit_callbacks
):
    erin = personas.erin_person
    # Someone who took part but has not agreed to be contacted: recorded, never sent anything.
    quiet = make.person(personas.council_a, "Quentin Quiet")
    make.invitation(samples["activity"], quiet)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client_for("alice"), shaped)
    assert response.status_code == 302
    assert response.url == _url(shaped) + "#sent"
    letters = _summary_letters(shaped)
    assert letters.count() == 2
    for letter in letters:
        assert PLAIN in letter.opening
        assert "What the numbers say:" in letter.opening
        assert letter.sent_on is not None

    erins = FeedbackRecipient.objects.get(letter__in=letters, person=erin)
    assert erins.delivery == delivery_for(erin) == Delivery.EMAIL
    group = FeedbackRecipient.objects.get(letter__in=letters, delivery=Delivery.PARTNER)
    assert group.group_consent_held_by == "Partner youth project"
    assert (
        FeedbackRecipient.objects.get(letter__in=letters, person=quiet).delivery
        == Delivery.NOT_CONTACTED
    )
    # The emails went (tasks run at once in tests) to erin and the sample person, not quentin.
    to = sorted(address for message in mail.outbox for address in message.to)
    assert erin.email in to
    assert samples["person"].email in to
    assert quiet.email not in to
    erins_email = next(m for m in mail.outbox if erin.email in m.to)
    assert "sharing power starts with listening" in erins_email.body

    # Erin finds it in her portal, too.
    erin_client = client_for("erin")
    listing = _page(erin_client.get(reverse("portal:feedback")))
    assert f"What we learned from {shaped.title}" in listing
    letter = letters.get(activity=samples["erin_contribution"].activity)
    page = _page(erin_client.get(reverse("portal:feedback_letter", args=[letter.pk])))
    assert PLAIN in page

    # The page now lists what was sent, and when.
    html = _page(client_for("alice").get(_url(shaped)))
    assert "The summary has not been sent yet." not in html
    assert reverse("accountability:letter_detail", args=[letter.pk]) in html
    assert "already been sent to them" in html
    assert "This summary has gone to every co-design activity." in html
    assert "Send the summary (" not in html


def test_a_double_submit_sends_nothing_twice(
    client_for, shaped, django_capture_on_commit_callbacks
):
    client = client_for("alice")
    page = _page(client.get(_url(shaped)))
    data = {"confirm": "on", "form_token": _token(page)}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_url(shaped), data)
    emails = len(mail.outbox)
    assert emails >= 2
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(_url(shaped), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert _summary_letters(shaped).count() == 2
    assert len(mail.outbox) == emails
    followed = _page(client.get(second.url))
    assert "You had already sent this form, so nothing new was saved." in followed
    # A fresh form (say, the page opened again in another tab) finds the words already sent.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_url(shaped), {"confirm": "on", "form_token": "another-tab"})
    assert again.status_code == 200
    assert "already been sent to them" in _page(again)
    assert _summary_letters(shaped).count() == 2
    assert len(mail.outbox) == emails


def test_a_changed_summary_can_be_sent_again_as_a_new_round(client_for, shaped):
    client = client_for("alice")
    assert _send(client, shaped).status_code == 302
    LearningSummary.objects.filter(product=shaped).update(plain_summary=PLAIN + " And more.")
    assert _send(client, shaped).status_code == 302
    assert _summary_letters(shaped).count() == 4


def test_an_activity_with_an_unanswered_contribution_waits_and_says_why(
    client_for, shaped, samples
):
    erins_activity = samples["erin_contribution"].activity
    make.contribution(erins_activity, text="A new point nobody has answered yet")
    client = client_for("alice")
    html = _page(client.get(_url(shaped)))
    assert "1 contribution still has no response." in html
    assert reverse("accountability:respond", args=[erins_activity.pk]) in html
    response = _send(client, shaped)
    assert response.status_code == 302
    letters = _summary_letters(shaped)
    assert list(letters.values_list("activity_id", flat=True)) == [samples["activity"].pk]
    followed = _page(client.get(response.url))
    assert f"Not sent for {erins_activity.title}: 1 contribution still has no response." in (
        followed
    )


def test_a_letter_being_written_is_left_alone(client_for, shaped, samples, personas):
    from powershare.accountability.services import letter_draft_start, letter_update

    erins_activity = samples["erin_contribution"].activity
    draft = letter_draft_start(actor=personas.alice, activity=erins_activity)
    letter_update(
        actor=personas.alice, letter=draft, subject="Our own words", opening="Hello.", closing=""
    )
    assert _send(client_for("alice"), shaped).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.subject, draft.opening) == ("draft", "Our own words", "Hello.")
    assert list(_summary_letters(shaped).values_list("activity_id", flat=True)) == [
        samples["activity"].pk
    ]


def test_nothing_to_send_to_without_co_design_activities(client_for, samples, personas):
    product = samples["product"]
    LearningSummary.objects.filter(product=product).update(plain_summary=PLAIN)
    with pytest.raises(Exception, match="No co-design activities"):
        services.summary_feedback_send(actor=personas.alice, product=product)
    html = _page(client_for("alice").get(_url(product)))
    assert "No co-design activities are recorded for this learning" in html
    assert reverse("learning:product_co_design", args=[product.pk]) in html


# ---------------------------------------------------------------------------------------------
# Replies become contributions


def test_a_groups_reply_is_recorded_as_a_contribution_of_the_activity(client_for, shaped, samples):
    client = client_for("alice")
    _send(client, shaped)
    letter = _summary_letters(shaped).get(activity=samples["activity"])
    group = letter.recipients.get(delivery=Delivery.PARTNER)
    replies_url = reverse("accountability:group_replies", args=[letter.pk, group.pk])
    assert replies_url in _page(client.get(_url(shaped)))
    page = _page(client.get(replies_url))
    response = client.post(
        replies_url,
        {
            "replies": "Good to hear the course will run again",
            "kind": "view",
            "form_token": _token(page),
        },
    )
    assert response.status_code == 302
    reply = GroupReply.objects.get(letter=letter)
    contribution = reply.contribution
    assert contribution.activity_id == samples["activity"].pk
    assert contribution.text == "Good to hear the course will run again"
    assert contribution.group_label == group.group_label
    html = _page(client.get(_url(shaped)))
    assert "1 group reply recorded" in html
    assert "1 contribution recorded since the summary was first sent." in html


def test_erin_replies_in_her_portal_and_it_is_recorded_as_her_contribution(
    client_for, shaped, samples, personas
):
    erin = personas.erin_person
    make.consent(erin, "quote_internal")
    _send(client_for("alice"), shaped)
    erin_client = client_for("erin")
    add = reverse("portal:contribution_add", args=[samples["erin_invitation"].pk])
    page = _page(erin_client.get(add))
    response = erin_client.post(
        add,
        {
            "text": "Thank you for telling us. Could the next course be in the evening?",
            "kind": "idea",
            "use_level": "1",
            "form_token": _token(page),
        },
    )
    assert response.status_code == 302
    reply = Contribution.objects.get(person=erin, text__startswith="Thank you for telling us")
    assert reply.activity_id == samples["erin_contribution"].activity_id
    # It opens the loop again: it needs a response, as everything people say does.
    html = _page(client_for("alice").get(_url(shaped)))
    assert "1 contribution recorded since the summary was first sent." in html
    assert reverse("accountability:respond", args=[reply.activity_id]) in html


# ---------------------------------------------------------------------------------------------
# Who may


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_bob_and_charlie_get_404_and_send_nothing(client_for, shaped, name):
    client = client_for(name)
    assert client.get(_url(shaped)).status_code == 404
    assert client.post(_url(shaped), {"confirm": "on"}).status_code == 404
    assert not _summary_letters(shaped).exists()


def test_signed_out_people_are_sent_to_sign_in(client, shaped):
    response = client.get(_url(shaped))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_the_service_refuses_someone_who_does_not_run_learning(shaped, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.summary_feedback_send(actor=personas.bob, product=shaped)
    assert not _summary_letters(shaped).exists()


# ---------------------------------------------------------------------------------------------
# Links from the learning pages


def test_the_product_page_links_to_its_evaluation(client_for, samples):
    product = samples["product"]
    html = _page(client_for("alice").get(reverse("learning:product_detail", args=[product.pk])))
    assert reverse("evaluation:summary", args=[product.pk]) in html
    assert "Evaluation: summary of learning" in html
    questionnaire = samples["questionnaire"]
    assert reverse("evaluation:questionnaire_detail", args=[questionnaire.pk]) in html
    assert f"{reverse('evaluation:questionnaire_list')}?product={product.pk}" in html
    assert reverse("evaluation:summary_feedback", args=[product.pk]) in html
    # The questionnaires exist, so nobody is offered to make them again.
    assert reverse("evaluation:standard_make", args=[product.pk]) not in html
    # Bob sees the evaluation, not what only people who run learning do.
    html = _page(client_for("bob").get(reverse("learning:product_detail", args=[product.pk])))
    assert reverse("evaluation:summary", args=[product.pk]) in html
    assert reverse("evaluation:summary_feedback", args=[product.pk]) not in html


def test_a_product_without_questionnaires_offers_the_standard_ones_to_managers(client_for, samples):
    product = samples["erin_product"]
    samples["public_answer_link"].questionnaire.delete()
    url = reverse("learning:product_detail", args=[product.pk])
    html = _page(client_for("alice").get(url))
    assert "No questionnaires yet." in html
    assert reverse("evaluation:standard_make", args=[product.pk]) in html
    html = _page(client_for("bob").get(url))
    assert reverse("evaluation:standard_make", args=[product.pk]) not in html


def test_the_delivery_page_lists_each_sessions_answer_links_with_their_answers(client_for, samples):
    delivery = samples["delivery"]
    link = samples["answer_link"]
    for name in ("alice", "bob"):
        html = _page(client_for(name).get(reverse("learning:delivery_detail", args=[delivery.pk])))
        assert reverse("evaluation:link_detail", args=[link.pk]) in html
        assert "Show the QR code" in html
        assert f"Session {link.session.number}" in html


def test_the_register_offers_the_sessions_qr_code(client_for, samples):
    session = samples["session"]
    link = samples["answer_link"]
    html = _page(client_for("bob").get(reverse("learning:register", args=[session.pk])))
    assert reverse("evaluation:link_detail", args=[link.pk]) in html
    assert f"Show the QR code for {link.questionnaire.title}" in html


def test_the_learning_overview_links_to_questionnaires(client_for, samples):
    html = _page(client_for("bob").get(reverse("learning:home")))
    assert reverse("evaluation:questionnaire_list") in html
    assert "Questionnaires and evaluation" in html


def test_the_delivery_page_runs_the_same_queries_for_one_link_or_many(
    client_for, samples, personas
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from powershare.evaluation.models import AnswerLink, Questionnaire

    delivery = samples["delivery"]
    url = reverse("learning:delivery_detail", args=[delivery.pk])
    client = client_for("alice")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        before = _page(client.get(url)).count("Show the QR code")
    assert before >= 1
    link = samples["answer_link"]
    for number in range(4):
        other = Questionnaire.objects.create(
            organisation=personas.council_a,
            code=f"extra-{number}",
            title=f"Extra {number}",
            product=samples["product"],
        )
        AnswerLink.objects.create(
            questionnaire=other,
            delivery=delivery,
            session=link.session,
            opens_on=link.opens_on,
            closes_on=link.closes_on,
        )
    with CaptureQueriesContext(connection) as many:
        html = _page(client.get(url))
    assert html.count("Show the QR code") == before + 4
    assert len(many) == len(few)
