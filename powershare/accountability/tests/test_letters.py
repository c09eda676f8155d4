"""Feedback letters on staff pages: composing with a live preview, sending, who gets it and how,
the printed letters, and the version a partner passes on to an anonymous group.

The words people said carry unique tokens, so whether a page or PDF shows them is exact.
"""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from powershare.accountability import selectors, services
from powershare.accountability.models import (
    Delivery,
    FeedbackLetter,
    FeedbackRecipient,
    GroupReply,
    LetterStatus,
)
from powershare.accounts.models import User
from powershare.audit.models import AccessEvent
from powershare.engagement.models import Contribution, UseLevel
from powershare.engagement.services import contribution_withdraw
from powershare.engagement.tests import factories as make
from powershare.people.models import ConsentPurpose, ContactChannel
from tests.pdf_text import pdf_text

OPENING = "Thank you qzopening for giving us your evening."
CHANGE = "The library qzchange will open on Saturdays from June."


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def world(personas):
    """An activity of council A's where everyone who took part hears back a different way:

    * ann agrees to be contacted, by email, and to anonymised quotes (email);
    * pat agrees to be contacted but prefers letters; her words are for inside only (post);
    * wes has a portal but has since said no to contact (portal only);
    * nel never agreed to contact or to being quoted outside the team (not contacted);
    * "Youth group", reached through Partner youth project, and "Elders group" (partner).

    ann also said something for inside the team only, and something she then withdrew."""
    a = personas.council_a
    activity = make.activity(a, "Library hours review", created_by=personas.alice)
    ann = make.person(a, "Ann Allan", email="ann@people.example")
    make.consent(ann, ConsentPurpose.CONTACT, ConsentPurpose.QUOTE_INTERNAL)
    make.consent(ann, ConsentPurpose.QUOTE_ANONYMOUS)
    pat = make.person(
        a,
        "Pat Paterson",
        contact_channel=ContactChannel.POST,
        postal_address="1 High Street\nAberdeen AB1 1AA",
        staff_contact=personas.alice,
    )
    make.consent(pat, ConsentPurpose.CONTACT, ConsentPurpose.QUOTE_INTERNAL)
    wes_user = User.objects.create_user(email="wes@people.example", full_name="Wes Watt")
    wes = make.person(a, "Wes Watt", email="wes@people.example", user=wes_user)
    make.consent(wes, ConsentPurpose.CONTACT, given=False)
    make.consent(wes, ConsentPurpose.QUOTE_ANONYMOUS)
    nel = make.person(a, "Nel Niven", email="nel@people.example")
    make.consent(nel, ConsentPurpose.QUOTE_INTERNAL)

    said = {
        "ann": make.contribution(
            activity, person=ann, text="qzann open later", use_level=UseLevel.ANONYMISED
        ),
        "ann_inside": make.contribution(
            activity, person=ann, text="qzanninside staff rude", use_level=UseLevel.INTERNAL
        ),
        "ann_withdrawn": make.contribution(
            activity, person=ann, text="qzwithdrawn regret", use_level=UseLevel.ANONYMISED
        ),
        "pat": make.contribution(
            activity, person=pat, text="qzpat bus times", use_level=UseLevel.INTERNAL
        ),
        "wes": make.contribution(
            activity, person=wes, text="qzwes quiet room", use_level=UseLevel.ANONYMISED
        ),
        "nel": make.contribution(
            activity, person=nel, text="qznel not agreed", use_level=UseLevel.ANONYMISED
        ),
        "youth": make.contribution(
            activity,
            group_label="Youth group",
            group_consent_held_by="Partner youth project",
            text="qzyouth wifi please",
            use_level=UseLevel.ANONYMISED,
        ),
        "elders": make.contribution(
            activity,
            group_label="Elders group",
            group_consent_held_by="Elders forum",
            text="qzelders seats please",
            use_level=UseLevel.ANONYMISED,
        ),
    }
    response = services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=[c for key, c in said.items() if key not in ("youth", "elders")],
        decision="will_do",
        what_will_change=CHANGE,
    )
    youth_response = services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=[said["youth"]],
        decision="done",
        what_will_change="Wi-fi qzwifi is now free.",
    )
    elders_response = services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=[said["elders"]],
        decision="will_not_do",
        reason="The floor qzfloor cannot take more weight.",
        what_will_change="We will lend folding stools.",
    )
    contribution_withdraw(user=personas.alice, contribution=said["ann_withdrawn"], by_person=False)
    return SimpleNamespace(
        activity=activity,
        ann=ann,
        pat=pat,
        wes=wes,
        nel=nel,
        said=said,
        response=response,
        youth_response=youth_response,
        elders_response=elders_response,
    )


def _draft(personas, world, **changes):
    letter = services.letter_draft_start(actor=personas.alice, activity=world.activity)
    if changes:
        values = {"subject": letter.subject, "opening": letter.opening, "closing": letter.closing}
        values.update(changes)
        letter = services.letter_update(actor=personas.alice, letter=letter, **values)
    return letter


def _sent(personas, world, **changes):
    letter = _draft(personas, world, **changes)
    services.letter_send(actor=personas.alice, letter=letter)
    return FeedbackLetter.objects.get(pk=letter.pk)


def _pdf(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


# ---------------------------------------------------------------------------------------------
# Composing


def test_looking_at_the_compose_page_starts_nothing(client_for, world):
    url = reverse("accountability:letter_compose", args=[world.activity.pk])
    response = client_for("alice").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Start the letter" in html
    assert not FeedbackLetter.objects.filter(activity=world.activity).exists()
    # What the letter will say is shown already, through the consent rule.
    assert CHANGE in html
    assert "qzann" in html
    assert "qzwithdrawn" not in html
    assert "qznel" not in html
    assert "qzanninside" not in html


def test_alice_starts_saves_previews_and_sends_a_letter(client_for, personas, world):
    client = client_for("alice")
    url = reverse("accountability:letter_compose", args=[world.activity.pk])
    response = client.post(url, {"start": "1"})
    assert response.status_code == 302
    letter = FeedbackLetter.objects.get(activity=world.activity, status=LetterStatus.DRAFT)

    page = client.get(url).content.decode()
    assert 'name="subject"' in page
    assert "Library hours review" in page  # the default words name the activity

    response = client.post(
        url, {"subject": "What we did", "opening": OPENING, "closing": "Bye.", "save": "1"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.subject, letter.opening, letter.closing) == ("What we did", OPENING, "Bye.")

    # Preview shows what was typed, without saving it.
    response = client.post(
        url,
        {"subject": "What we did", "opening": "qzunsaved opening", "closing": "", "preview": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "qzunsaved opening" in html
    assert "not saved yet" in html
    letter.refresh_from_db()
    assert letter.opening == OPENING

    response = client.post(
        url, {"subject": "What we did", "opening": OPENING, "closing": "Bye.", "send": "1"}
    )
    send_url = reverse("accountability:letter_send", args=[letter.pk])
    assert response["Location"] == send_url

    confirm = client.get(send_url)
    html = confirm.content.decode()
    assert "Send this letter to 3 people and 2 groups?" in html
    response = client.post(send_url, {"form_token": _token(html)})
    assert response["Location"] == reverse("accountability:letter_detail", args=[letter.pk])
    letter.refresh_from_db()
    assert letter.is_sent
    assert letter.sent_by == personas.alice
    assert selectors.activity_loop_get(activity=world.activity).loop_state == "closed"


def test_the_page_says_who_will_get_the_letter_and_how(client_for, personas, world):
    _draft(personas, world)
    html = client_for("alice").get(
        reverse("accountability:letter_compose", args=[world.activity.pk])
    )
    text = re.sub(r"\s+", " ", html.content.decode())
    assert (
        "1 by email, 1 in their portal, 1 printed letter to post, 1 group through Elders forum, "
        "1 group through Partner youth project and 1 not contacted (has not agreed to be "
        "contacted)" in text
    )


def test_saving_with_a_problem_keeps_what_was_typed(client_for, personas, world):
    letter = _draft(personas, world)
    long_title = "qztyped " + "x" * 300
    response = client_for("alice").post(
        reverse("accountability:letter_compose", args=[world.activity.pk]),
        {"subject": long_title, "opening": "", "closing": "qzclosing typed", "save": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Write a few words to open the letter." in html
    assert "Keep the title under 200 characters." in html
    assert long_title in html
    assert "qzclosing typed" in html
    letter.refresh_from_db()
    assert "qztyped" not in letter.subject


def test_the_compose_page_warns_about_contributions_without_a_response(client_for, personas, world):
    _draft(personas, world)
    make.contribution(world.activity, person=world.ann, text="qzlate", use_level=1)
    html = client_for("alice").get(
        reverse("accountability:letter_compose", args=[world.activity.pk])
    )
    html = html.content.decode()
    assert "1 contribution still has no response" in html
    assert reverse("accountability:respond", args=[world.activity.pk]) in html


# ---------------------------------------------------------------------------------------------
# Sending


def test_sending_while_a_contribution_has_no_response_is_refused_and_records_nothing(
    client_for, personas, world
):
    letter = _draft(personas, world)
    make.contribution(world.activity, person=world.ann, text="qzlate", use_level=1)
    client = client_for("alice")
    url = reverse("accountability:letter_send", args=[letter.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "This letter can&#x27;t be sent yet" in page.content.decode()
    response = client.post(url, {"form_token": "tok-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 contribution still has no response" in html
    assert "nobody is left without an answer" in html
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT
    assert not FeedbackRecipient.objects.filter(letter=letter).exists()


def test_a_letter_already_sent_is_explained_not_sent_again(client_for, personas, world):
    letter = _sent(personas, world)
    count = letter.recipients.count()
    client = client_for("alice")
    url = reverse("accountability:letter_send", args=[letter.pk])
    for response in (client.get(url), client.post(url, {"form_token": "tok-2"})):
        assert response.status_code == 200
        assert "A letter can only be sent once" in response.content.decode()
    assert letter.recipients.count() == count


def test_each_person_gets_the_letter_the_way_that_suits_them(
    client_for, personas, world, django_capture_on_commit_callbacks, mailoutbox
):
    letter = _draft(personas, world, opening=OPENING)
    client = client_for("alice")
    url = reverse("accountability:letter_send", args=[letter.pk])
    html = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"form_token": _token(html)})
    deliveries = {
        r.person_id or r.group_label: r.delivery
        for r in FeedbackRecipient.objects.filter(letter=letter)
    }
    assert deliveries == {
        world.ann.pk: Delivery.EMAIL,
        world.pat.pk: Delivery.POST,
        world.wes.pk: Delivery.PORTAL,
        world.nel.pk: Delivery.NOT_CONTACTED,
        "Youth group": Delivery.PARTNER,
        "Elders group": Delivery.PARTNER,
    }
    [message] = mailoutbox
    assert message.to == ["ann@people.example"]
    assert OPENING in message.body
    assert "You said:\n“qzann open later”" in message.body
    assert "qzwithdrawn" not in message.body
    assert "qznel" not in message.body
    assert FeedbackRecipient.objects.get(letter=letter, person=world.ann).emailed_at
    # The email went once: running the task again sends nothing.
    from powershare.accountability.tasks import feedback_emails_send

    feedback_emails_send.call(letter_id=letter.pk, domain="testserver", use_https=False)
    assert len(mailoutbox) == 1


# ---------------------------------------------------------------------------------------------
# Seeing a letter


def test_a_sent_letter_shows_who_it_went_to_and_records_that_names_were_read(
    client_for, personas, world
):
    letter = _sent(personas, world, opening=OPENING)
    response = client_for("alice").get(reverse("accountability:letter_detail", args=[letter.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Ann Allan", "Pat Paterson", "Wes Watt", "Nel Niven", "Youth group"):
        assert (name.split()[0] if " " in name else name) in html
    assert "Mark as posted" in html
    assert reverse("accountability:letter_pdf", args=[letter.pk]) in html
    youth = letter.recipients.get(group_label="Youth group")
    assert reverse("accountability:group_version", args=[letter.pk, youth.pk]) in html
    assert "qzwithdrawn" not in html
    assert "no longer appear" in html
    assert AccessEvent.objects.filter(
        user=personas.alice, subject_id=str(letter.pk), description__contains="listed"
    ).exists()


def test_bob_sees_the_letter_but_not_names_and_cannot_act(client_for, personas, world):
    letter = _sent(personas, world)
    post = letter.recipients.get(delivery=Delivery.POST)
    group = letter.recipients.get(group_label="Youth group")
    client = client_for("bob")
    response = client.get(reverse("accountability:letter_detail", args=[letter.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pat" not in html
    # Who it went to (even by reference) is for participation leads; bob sees the counts.
    assert world.pat.reference not in html
    assert "The list of who it went to is kept for participation leads" in html
    assert "Mark as posted" not in html
    assert reverse("accountability:letter_pdf", args=[letter.pk]) not in html
    assert (
        client.get(reverse("accountability:group_version", args=[letter.pk, group.pk])).status_code
        == 200
    )
    forbidden = [
        reverse("accountability:letter_compose", args=[world.activity.pk]),
        reverse("accountability:letter_send", args=[letter.pk]),
        reverse("accountability:letter_pdf", args=[letter.pk]),
        reverse("accountability:recipient_posted", args=[letter.pk, post.pk]),
        reverse("accountability:group_replies", args=[letter.pk, group.pk]),
    ]
    for url in forbidden:
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"posted": "yes", "replies": "x", "kind": "view"}).status_code == 404
        ), url
    post.refresh_from_db()
    assert post.posted_on is None


def test_charlie_gets_404_for_every_letter_page(client_for, personas, world):
    draft = _draft(personas, world)
    client = client_for("charlie")
    assert client.get(reverse("accountability:letter_detail", args=[draft.pk])).status_code == 404
    letter = _sent(personas, world)
    post = letter.recipients.get(delivery=Delivery.POST)
    group = letter.recipients.get(group_label="Youth group")
    urls = [
        reverse("accountability:letter_compose", args=[world.activity.pk]),
        reverse("accountability:letter_detail", args=[letter.pk]),
        reverse("accountability:letter_send", args=[letter.pk]),
        reverse("accountability:letter_pdf", args=[letter.pk]),
        reverse("accountability:recipient_posted", args=[letter.pk, post.pk]),
        reverse("accountability:group_version", args=[letter.pk, group.pk]),
        reverse("accountability:group_version_pdf", args=[letter.pk, group.pk]),
        reverse("accountability:group_replies", args=[letter.pk, group.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"start": "1", "replies": "x", "kind": "view"}).status_code == 404
        ), url
    assert not FeedbackLetter.objects.filter(activity=world.activity, status="draft").exists()
    assert not Contribution.objects.filter(text="x").exists()


def test_a_recipient_of_another_letter_is_not_found(client_for, personas, world, samples):
    letter = _sent(personas, world)
    other = samples["group_recipient"]
    client = client_for("alice")
    for name in ("recipient_posted", "group_version", "group_replies"):
        url = reverse(f"accountability:{name}", args=[letter.pk, other.pk])
        assert client.get(url).status_code == 404, name


# ---------------------------------------------------------------------------------------------
# Printed letters


def test_printed_letters_show_each_person_their_own_words_and_nothing_withheld(
    client_for, personas, world
):
    letter = _sent(personas, world, opening=OPENING)
    response = client_for("alice").get(reverse("accountability:letter_pdf", args=[letter.pk]))
    text = _pdf(response)
    assert "no-store" in response["Cache-Control"]
    assert "Dear Pat," in text
    assert "1 High Street" in text
    assert "qzopening" in text
    assert "qzchange" in text
    # Pat's own words are hers to see, though they are for use inside the team only.
    assert re.search(r"You said:\s+qzpat bus times", text)
    assert "qzann open later" in text  # ann agreed to anonymised quotes
    assert "Ann" not in text  # ... without her name
    assert "qzwithdrawn" not in text
    assert "qzanninside" not in text  # someone else's words for inside the team only
    assert "qznel" not in text  # nel never agreed to be quoted outside the team
    assert "Alice Anderson" in text  # Pat's contact at the council
    # One letter for the one person it goes to by post.
    assert "Dear Ann" not in text
    assert AccessEvent.objects.filter(
        user=personas.alice, subject_id=str(letter.pk), action=AccessEvent.Action.DOWNLOADED
    ).exists()


def test_a_draft_prints_one_sample_letter(client_for, personas, world):
    letter = _draft(personas, world, opening=OPENING)
    text = _pdf(client_for("alice").get(reverse("accountability:letter_pdf", args=[letter.pk])))
    assert "Sample letter" in text
    assert "Dear …" in text
    assert "qzopening" in text
    assert "Pat" not in text


def test_marking_a_printed_letter_as_posted(client_for, personas, world):
    letter = _sent(personas, world)
    post = letter.recipients.get(delivery=Delivery.POST)
    client = client_for("alice")
    url = reverse("accountability:recipient_posted", args=[letter.pk, post.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Pat" in page.content.decode()
    post.refresh_from_db()
    assert post.posted_on is None  # looking changes nothing
    response = client.post(url, {"posted": "yes"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.posted_on is not None
    client.post(url, {"posted": "no"})
    post.refresh_from_db()
    assert post.posted_on is None
    email = letter.recipients.get(delivery=Delivery.EMAIL)
    response = client.post(
        reverse("accountability:recipient_posted", args=[letter.pk, email.pk]), {"posted": "yes"}
    )
    assert response.status_code == 200
    assert "Only printed letters are posted." in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Groups


def test_a_groups_version_has_only_that_groups_words_and_no_names(client_for, personas, world):
    letter = _sent(personas, world, opening=OPENING)
    youth = letter.recipients.get(group_label="Youth group")
    client = client_for("alice")
    html = client.get(
        reverse("accountability:group_version", args=[letter.pk, youth.pk])
    ).content.decode()
    pdf = _pdf(client.get(reverse("accountability:group_version_pdf", args=[letter.pk, youth.pk])))
    for shown in (html, pdf):
        assert "qzyouth wifi please" in shown
        assert "You told us" in shown
        assert "qzwifi" in shown
        assert "Partner youth project" in shown
        for hidden in ("qzelders", "qzfloor", "qzann", "qzpat", "qzwes", "qznel", "qzchange"):
            assert hidden not in shown, hidden
        for name in ("Ann", "Pat", "Wes", "Nel"):
            assert name not in shown.replace("Partner", ""), name
    assert reverse("accountability:group_replies", args=[letter.pk, youth.pk]) in html


def test_recording_a_groups_replies_opens_the_loop_again(client_for, personas, world):
    letter = _sent(personas, world)
    youth = letter.recipients.get(group_label="Youth group")
    assert selectors.activity_loop_get(activity=world.activity).loop_state == "closed"
    client = client_for("alice")
    url = reverse("accountability:group_replies", args=[letter.pk, youth.pk])
    html = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "replies": "qzreply one\n\n  qzreply two  \n",
            "kind": "idea",
            "form_token": _token(html),
        },
        follow=False,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accountability:respond", args=[world.activity.pk])
    replies = Contribution.objects.filter(text__startswith="qzreply").order_by("pk")
    assert [c.text for c in replies] == ["qzreply one", "qzreply two"]
    assert {c.group_label for c in replies} == {"Youth group"}
    assert {c.group_consent_held_by for c in replies} == {"Partner youth project"}
    assert {c.kind for c in replies} == {"idea"}
    assert GroupReply.objects.filter(letter=letter).count() == 2
    loop = selectors.activity_loop_get(activity=world.activity)
    assert loop.loop_state == "open"
    assert loop.without_response == 2
    # The message says so (it is shown on the next page).
    stored = [str(m) for m in response.wsgi_request._messages]
    assert any("waiting for responses again" in m for m in stored)


def test_a_reply_with_a_problem_names_its_line_and_nothing_is_recorded(client_for, personas, world):
    letter = _sent(personas, world)
    youth = letter.recipients.get(group_label="Youth group")
    url = reverse("accountability:group_replies", args=[letter.pk, youth.pk])
    typed = "qzfine reply\n\n" + "y" * 10_001
    response = client_for("alice").post(url, {"replies": typed, "kind": "view"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 3:" in html
    assert "qzfine reply" in html
    assert not Contribution.objects.filter(text="qzfine reply").exists()
    response = client_for("alice").post(url, {"replies": "\n \n", "kind": "view"})
    assert "Enter at least one reply, one per line." in response.content.decode()


def test_saving_a_letter_sent_meanwhile_shows_what_was_typed(client_for, personas, world):
    letter = _sent(personas, world)
    response = client_for("alice").post(
        reverse("accountability:letter_compose", args=[world.activity.pk]),
        {"subject": "qzlate title", "opening": "qzlate opening", "closing": "", "save": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "was not saved" in html
    assert "qzlate title" in html
    assert "qzlate opening" in html
    letter.refresh_from_db()
    assert letter.subject != "qzlate title"
    assert not FeedbackLetter.objects.filter(activity=world.activity, status="draft").exists()
