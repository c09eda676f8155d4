"""The contributor's side of "you said, we did": in her portal, erin sees the letters she was
sent (her own words marked as hers, other people's only as far as they agreed), updates about
changes, and what happened to each thing she said. Nobody else's letter opens for her, and
staff without a portal of their own get 404."""

import datetime
import html as html_module

import pytest
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import services
from powershare.accountability.models import ChangeNotice, FeedbackRecipient, ResponseContribution
from powershare.engagement.tests import factories as make
from tests.personas import MARKER

FEEDBACK = reverse("portal:feedback")


def _page(response) -> str:
    return html_module.unescape(response.content.decode())


def _letter_url(letter):
    return reverse("portal:feedback_letter", args=[letter.pk])


def _erins_recipient(samples, personas):
    return FeedbackRecipient.objects.get(letter=samples["erin_letter"], person=personas.erin_person)


def test_erin_sees_her_letter_listed_as_new_and_what_happened(client_for, samples):
    response = client_for("erin").get(FEEDBACK)
    assert response.status_code == 200
    html = _page(response)
    assert "What happened" in html
    assert samples["erin_letter"].subject in html
    assert _letter_url(samples["erin_letter"]) in html
    assert "You have 1 new letter." in html
    assert '<strong class="ds_tag">New</strong>' in html
    # Her contribution, with what was decided, linking to its page.
    assert "Your idea at Erin's co-design workshop" in html
    assert "We will do this." in html
    contribution = samples["erin_contribution"]
    assert reverse("portal:contribution", args=[contribution.pk]) in html
    # Nothing of anyone else's, and no letter that was not sent to her.
    assert MARKER not in html
    assert _letter_url(samples["letter"]) not in html


def test_erin_reads_her_letter_with_her_own_words_marked_as_hers(client_for, samples, personas):
    client = client_for("erin")
    response = client.get(_letter_url(samples["erin_letter"]))
    assert response.status_code == 200
    html = _page(response)
    assert "You said:" in html
    assert "Erin's idea: meet in the library, not the council office." in html
    assert "We will meet in the library from now on." in html
    assert "Dear Erin," in html
    assert MARKER not in html
    # Opening it marks it read, once.
    read_at = _erins_recipient(samples, personas).read_at
    assert read_at is not None
    client.get(_letter_url(samples["erin_letter"]))
    assert _erins_recipient(samples, personas).read_at == read_at
    listing = _page(client.get(FEEDBACK))
    assert "new letter" not in listing
    assert '<strong class="ds_tag">New</strong>' not in listing


def test_other_peoples_words_show_only_as_far_as_they_agreed(client_for, samples, personas):
    activity = samples["erin_contribution"].activity
    response = samples["erin_response"]
    agreed = make.person(personas.council_a, "Ffion Agreed")
    make.consent(agreed, "quote_internal", "quote_anonymous")
    shared = make.contribution(
        activity, person=agreed, text="qzshared: a quieter room please", use_level=2
    )
    private = make.person(personas.council_a, "Gregor Private")
    make.consent(private, "quote_internal")
    kept = make.contribution(activity, person=private, text="qzprivate: my own story", use_level=1)
    withdrawn = make.contribution(
        activity, person=agreed, text="qzwithdrawn: taken back", use_level=2
    )
    for contribution in (shared, kept, withdrawn):
        ResponseContribution.objects.create(response=response, contribution=contribution)
        # As if the letter had carried them (a contribution added later waits for the next).
        samples["erin_letter"].contributions.add(contribution)
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["withdrawn_at"])

    html = _page(client_for("erin").get(_letter_url(samples["erin_letter"])))
    assert "qzshared: a quieter room please" in html
    assert "Someone who took part said:" in html
    assert "Ffion" not in html
    assert "qzprivate" not in html
    assert "Gregor" not in html
    assert "qzwithdrawn" not in html
    assert "1 more point about this that we are keeping private" in html
    assert "Erin's idea: meet in the library" in html


def test_a_letter_not_sent_to_erin_is_404(client_for, samples):
    client = client_for("erin")
    assert client.get(_letter_url(samples["letter"])).status_code == 404
    assert client.get(reverse("portal:feedback_letter", args=[999_999])).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "nina"])
def test_staff_without_a_portal_get_404(client_for, samples, persona):
    client = client_for(persona)
    assert client.get(FEEDBACK).status_code == 404
    assert client.get(_letter_url(samples["erin_letter"])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client_for, samples):
    client = client_for(None)
    for url in (FEEDBACK, _letter_url(samples["erin_letter"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_home_page_says_when_a_new_letter_is_waiting(client_for, samples):
    client = client_for("erin")
    html = _page(client.get(reverse("portal:home")))
    assert "You have 1 new letter about what happened" in html
    assert FEEDBACK in html
    client.get(_letter_url(samples["erin_letter"]))
    assert "new letter" not in _page(client.get(reverse("portal:home")))


def test_her_contribution_shows_progress_and_changes(client_for, samples, personas):
    response = samples["erin_response"]
    services.response_progress_add(
        actor=personas.alice,
        response=response,
        text="We booked the library's meeting room.",
        happened_on=datetime.date(2026, 3, 2),
        status="in_progress",
    )
    services.changes_announce()
    contribution_url = reverse("portal:contribution", args=[samples["erin_contribution"].pk])
    client = client_for("erin")
    for url in (contribution_url, reverse("portal:contributions")):
        html = _page(client.get(url))
        assert "What happened" in html
        assert "We will do this." in html
        assert "We will meet in the library from now on." in html
        assert "Where it has got to: in progress." in html
        assert "2 March 2026" in html
        assert "We booked the library's meeting room." in html
        today = timezone.localdate()
        assert (
            "this changed from “Not started” to “In progress” on "
            f"{today.day} {today:%B} {today.year}." in html
        )
    # And the batched update is listed on the "What happened" page.
    assert ChangeNotice.objects.filter(person=personas.erin_person).count() == 1
    listing = _page(client.get(FEEDBACK))
    assert "Update of" in listing
    assert (
        "Erin's co-design workshop: “We will meet in the library from now on.”<br>"
        "Where it has got to: this changed from" in listing
    )


def test_a_contribution_without_a_response_says_when_she_will_hear(client_for, samples, personas):
    activity = samples["erin_contribution"].activity
    make.contribution(activity, person=personas.erin_person, text="A second idea", use_level=1)
    html = _page(client_for("erin").get(reverse("portal:contributions")))
    due = activity.feedback_due_on
    assert (
        f"We haven't decided what to do about this yet. We'll tell you by "
        f"{due.day} {due:%B} {due.year}." in html
    )
    activity.feedback_due_on = timezone.localdate() - datetime.timedelta(days=1)
    activity.save(update_fields=["feedback_due_on"])
    html = _page(client_for("erin").get(reverse("portal:contributions")))
    assert "We're sorry it's taking longer." in html


def test_the_what_happened_page_runs_a_fixed_number_of_queries(
    client_for, samples, personas, django_assert_max_num_queries
):
    client = client_for("erin")
    activity = samples["erin_contribution"].activity

    def add(n):
        for i in range(n):
            contribution = make.contribution(
                activity, person=personas.erin_person, text=f"Idea {i}", use_level=1
            )
            services.response_create(
                actor=personas.alice,
                activity=activity,
                contributions=[contribution],
                decision="considering",
                what_will_change=f"We will look at idea {i}.",
            )

    add(2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(FEEDBACK).status_code == 200
    add(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(FEEDBACK).status_code == 200
    with django_assert_max_num_queries(40) as few_said:
        assert client.get(reverse("portal:contributions")).status_code == 200
    add(5)
    with django_assert_max_num_queries(len(few_said.captured_queries)):
        assert client.get(reverse("portal:contributions")).status_code == 200


def test_a_response_shows_in_the_portal_only_once_a_letter_has_carried_it(client_for, personas):
    """Staff may draft and rework a response; the contributor reads it once it was sent."""
    from powershare.accountability.tests import factories as acc

    activity = make.activity(personas.council_a, "Draft-response workshop")
    said = make.contribution(activity, person=personas.erin_person, text="zq-portal-draft words")
    acc.response(activity, said, what_will_change="zq-not-yet-told")
    client = client_for("erin")
    detail = reverse("portal:contribution", args=[said.pk])
    assert "zq-not-yet-told" not in _page(client.get(detail))
    assert "zq-not-yet-told" not in _page(client.get(FEEDBACK))
    acc.sent_letter(activity, sent_on=timezone.localdate())
    assert "zq-not-yet-told" in _page(client.get(detail))
