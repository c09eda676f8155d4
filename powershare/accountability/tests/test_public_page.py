"""The public "you said, we did" page (/you-said-we-did/<organisation>/) and its settings.

Anyone may read a published page without signing in: activities whose feedback was sent, what
they were for, what was decided, and only the words people agreed may go public, with the credit
they chose. Nothing withdrawn, nothing below the public level, no staff names. It is cacheable
and runs a fixed number of queries. Only roles that run activities change it (404 for others).
"""

import datetime
import html as html_module

import pytest
from django.urls import reverse
from django.utils import timezone

from powershare.accountability.models import (
    FeedbackLetter,
    LetterStatus,
    PublicPage,
    Response,
    ResponseContribution,
)
from powershare.engagement.tests import factories as make
from tests.personas import MARKER

SETTINGS = reverse("accountability:public_page_settings")


def _page(response) -> str:
    return html_module.unescape(response.content.decode())


def _public_url(organisation) -> str:
    return reverse("public:you_said_we_did", kwargs={"slug": organisation.slug})


def _answer(activity, contributions, words, *, decision="will_do", **fields):
    response = Response.objects.create(
        organisation_id=activity.organisation_id,
        activity=activity,
        decision=decision,
        what_will_change=words,
        **fields,
    )
    ResponseContribution.objects.bulk_create(
        [ResponseContribution(response=response, contribution=c) for c in contributions]
    )
    return response


def _sent_letter(activity, *, sent_on=None):
    """A letter recorded as sent, carrying the activity's responses (the public page shows only
    what a sent letter told people)."""
    sent_on = sent_on or timezone.localdate()
    letter = FeedbackLetter.objects.create(
        organisation_id=activity.organisation_id,
        activity=activity,
        subject="What happened",
        opening="Thank you.",
        status=LetterStatus.SENT,
        sent_on=sent_on,
        sent_at=timezone.now(),
    )
    letter.responses.set(Response.objects.filter(activity=activity))
    letter.contributions.set(activity.contributions.filter(response_links__isnull=False).distinct())
    return letter


@pytest.fixture
def told(personas, samples):
    """An activity of council A's whose feedback was sent, with contributions at every level."""
    a = personas.council_a
    activity = make.activity(a, "Bus routes panel", purpose="To make buses easier to use.")
    named = make.person(a, "Hamish Named Person", credit_as="full_name")
    make.consent(named, "quote_internal", "quote_anonymous", "quote_named", "publish_public")
    unnamed = make.person(a, "Isla Unnamed Person", credit_as="full_name")
    make.consent(unnamed, "quote_internal", "quote_anonymous", "publish_public")
    internal = make.person(a, "Jamie Internal Person")
    make.consent(internal, "quote_internal", "quote_anonymous", "quote_named", "publish_public")
    contributions = {
        "named": make.contribution(
            activity, person=named, text="qznamed: later buses", use_level=4
        ),
        "unnamed": make.contribution(
            activity, person=unnamed, text="qzunnamed: cheaper fares", use_level=4
        ),
        "internal": make.contribution(
            activity, person=internal, text="qzinternal: my route home", use_level=1
        ),
        "group": make.contribution(
            activity,
            text="qzgroup: buses on Sundays",
            use_level=4,
            group_label="Youth forum",
            group_consent_held_by="Youth project",
        ),
        "withdrawn": make.contribution(
            activity, person=named, text="qzwithdrawn: taken back", use_level=4
        ),
    }
    _answer(
        activity,
        contributions.values(),
        "We will ask the bus company for a Sunday service.",
        owner=personas.alice,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    _answer(
        activity,
        [contributions["unnamed"]],
        "Fares are set nationally.",
        decision="will_not_do",
        reason="The council does not set fares.",
    )
    contributions["withdrawn"].withdrawn_at = timezone.now()
    contributions["withdrawn"].save(update_fields=["withdrawn_at"])
    _sent_letter(activity)
    return activity


def test_anyone_reads_what_was_said_and_done_without_signing_in(client_for, told):
    response = client_for(None).get(_public_url(told.organisation))
    assert response.status_code == 200
    html = _page(response)
    assert "You said, we did" in html
    assert "What we changed." in html  # the sample page's introduction
    assert "Bus routes panel" in html
    assert "To make buses easier to use." in html
    assert "We will do this" in html
    assert "We will ask the bus company for a Sunday service." in html
    assert "We will not do this" in html
    assert "The council does not set fares." in html
    # Public-level words, with the credit each person chose and agreed to.
    assert "qznamed: later buses" in html
    assert "Hamish Named Person" in html
    assert "qzunnamed: cheaper fares" in html
    assert "Isla" not in html  # agreed to the public page, not to being named
    assert "Anonymous contributor" in html
    assert "qzgroup: buses on Sundays" in html
    assert "Youth forum" in html
    # Nothing below the public level, nothing withdrawn, no staff, no sign-in bar.
    assert "qzinternal" not in html
    assert "Jamie" not in html
    assert "qzwithdrawn" not in html
    assert "Alice" not in html
    assert "alice@" not in html
    assert "Signed in as" not in html


def test_it_is_cacheable_and_does_not_vary_on_cookies(client_for, told):
    response = client_for(None).get(_public_url(told.organisation))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=300" in cache_control
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_signed_in_staff_see_the_same_page_but_browsers_do_not_keep_it(client_for, told):
    response = client_for("alice").get(_public_url(told.organisation))
    assert response.status_code == 200
    assert "qznamed: later buses" in _page(response)
    assert "Signed in as" not in _page(response)
    assert response["Cache-Control"] == "private, no-store"


def test_activities_without_feedback_sent_are_not_listed(client_for, personas, told):
    waiting = make.activity(personas.council_a, "Still waiting activity")
    contribution = make.contribution(waiting, text="qzwaiting", use_level=4)
    _answer(waiting, [contribution], "Not told yet.")
    html = _page(client_for(None).get(_public_url(told.organisation)))
    assert "Still waiting activity" not in html
    assert "qzwaiting" not in html


def test_an_unpublished_page_is_404(client_for, personas, samples, told):
    PublicPage.objects.filter(organisation=personas.council_a).update(is_published=False)
    assert client_for(None).get(_public_url(personas.council_a)).status_code == 404
    assert client_for("alice").get(_public_url(personas.council_a)).status_code == 404


def test_an_organisation_without_a_page_or_unknown_is_404(client_for, personas, samples):
    assert client_for(None).get(_public_url(personas.council_b)).status_code == 404
    missing = reverse("public:you_said_we_did", kwargs={"slug": "no-such-council"})
    assert client_for(None).get(missing).status_code == 404


def test_it_runs_a_fixed_number_of_queries_and_pages_by_twenty(
    client_for, personas, samples, django_assert_max_num_queries
):
    a = personas.council_a
    client = client_for(None)
    url = _public_url(a)

    def add(n, start):
        for i in range(start, start + n):
            activity = make.activity(a, f"Told activity {i:03d}", days_ago=200 - i)
            contribution = make.contribution(activity, text=f"qzbulk{i:03d}", use_level=4)
            _answer(activity, [contribution], f"Change {i}.")
            _sent_letter(activity)

    add(5, 0)
    with django_assert_max_num_queries(10) as few:
        assert client.get(url).status_code == 200
    add(95, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _page(client.get(url))
    # Newest first, twenty a page: the two sample activities (ended a week ago), then these.
    assert "qzbulk099" in html
    assert "qzbulk082" in html
    assert "qzbulk081" not in html
    second = _page(client.get(url + "?page=2"))
    assert "qzbulk081" in second
    assert "qzbulk062" in second
    assert "qzbulk099" not in second
    assert "qzbulk061" not in second


# Settings ------------------------------------------------------------------------------------


def test_alice_publishes_and_unpublishes_her_councils_page(client_for, personas, samples):
    client = client_for("alice")
    page = client.get(SETTINGS)
    assert page.status_code == 200
    html = _page(page)
    assert "Published" in html
    assert "http://testserver" + _public_url(personas.council_a) in html
    assert SETTINGS + "?preview=1" in html

    response = client.post(SETTINGS, {"introduction": "  Our promises to you.  "}, follow=True)
    assert "public page is not published" in _page(response)
    stored = PublicPage.objects.get(organisation=personas.council_a)
    assert not stored.is_published
    assert stored.introduction == "Our promises to you."
    assert client_for(None).get(_public_url(personas.council_a)).status_code == 404

    client = client_for("alice")
    client.post(SETTINGS, {"is_published": "on", "introduction": "Our promises to you."})
    stored.refresh_from_db()
    assert stored.is_published
    public = client_for(None).get(_public_url(personas.council_a))
    assert public.status_code == 200
    assert "Our promises to you." in _page(public)


def test_a_too_long_introduction_is_refused_kindly(client_for, personas, samples):
    response = client_for("alice").post(SETTINGS, {"introduction": "x" * 3001})
    assert response.status_code == 200
    assert "Keep the introduction under 3,000 characters" in _page(response)
    assert PublicPage.objects.get(organisation=personas.council_a).introduction != "x" * 3001


def test_alice_previews_an_unpublished_page(client_for, personas, told):
    PublicPage.objects.filter(organisation=personas.council_a).update(is_published=False)
    response = client_for("alice").get(SETTINGS + "?preview=1")
    assert response.status_code == 200
    html = _page(response)
    assert "Preview" in html
    assert "only staff can see this preview" in html
    assert "qznamed: later buses" in html
    assert "qzinternal" not in html
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("persona", ["bob", "erin", "nina"])
def test_roles_that_do_not_run_activities_get_404(client_for, samples, persona):
    client = client_for(persona)
    assert client.get(SETTINGS).status_code == 404
    assert client.get(SETTINGS + "?preview=1").status_code == 404
    assert client.post(SETTINGS, {"is_published": "on"}).status_code == 404


def test_charlie_manages_only_his_own_councils_page(client_for, personas, samples):
    client = client_for("charlie")
    html = _page(client.get(SETTINGS))
    assert personas.council_b.name in html
    assert MARKER not in html
    a = personas.council_a.pk
    assert client.get(SETTINGS + f"?organisation={a}").status_code == 404
    assert client.get(SETTINGS + f"?organisation={a}&preview=1").status_code == 404
    assert client.post(SETTINGS + f"?organisation={a}", {"introduction": "x"}).status_code == 404
    assert PublicPage.objects.get(organisation=personas.council_a).introduction != "x"
    client.post(SETTINGS, {"is_published": "on", "introduction": "Angus listens."})
    assert PublicPage.objects.get(organisation=personas.council_b).is_published


def test_a_response_no_letter_carried_yet_stays_off_the_public_page(client_for, told):
    """Staff may add a response after the letter went: the people who took part hear first."""
    later = make.contribution(
        told,
        text="qzlater: a second thought",
        use_level=4,
        group_label="Youth forum",
        group_consent_held_by="Youth project",
    )
    _answer(told, [later], "zq-not-told-yet")
    html = _page(client_for(None).get(_public_url(told.organisation)))
    assert "zq-not-told-yet" not in html
    assert "qzlater" not in html
    assert "We will ask the bus company for a Sunday service." in html
