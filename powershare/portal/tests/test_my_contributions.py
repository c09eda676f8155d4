"""The portal's "Things you've said": a person sees their own contributions and who can see
each one, removes words, chooses who can see it or withdraws it, and nobody else's."""

import html as html_module
import re

import pytest
from django.urls import reverse

from powershare.engagement.models import REDACTED, Contribution, Redaction, UseLevel
from powershare.engagement.tests import factories as make
from tests.personas import MARKER

SAID = reverse("portal:contributions")


def _page(response) -> str:
    """The page's text, with HTML escapes undone (so apostrophes read as typed)."""
    return html_module.unescape(response.content.decode())


def _url(name, contribution):
    return reverse(f"portal:{name}", args=[contribution.pk])


@pytest.fixture
def erin(personas, samples):
    """Erin, agreed to be quoted inside the organisation and anonymously; her contribution."""
    person = personas.erin_person
    make.consent(person, "quote_internal", "quote_anonymous")
    return person, samples["erin_contribution"]


def test_erin_sees_her_own_contributions_in_plain_words_and_nobody_elses(client_for, erin):
    _, contribution = erin
    response = client_for("erin").get(SAID)
    assert response.status_code == 200
    html = _page(response)
    assert "Erin's idea: meet in the library" in html
    assert "Your idea at Erin's co-design workshop" in html
    assert "Only staff inside the organisation can read it" in html
    assert MARKER not in html
    for name in ("contribution_redact", "contribution_use", "contribution_withdraw"):
        assert _url(name, contribution) in html
    # Each link says which contribution it is about.
    assert re.search(
        r"Withdraw it<span class=\"visually-hidden\">: your idea at Erin's co-design "
        r"workshop, “Erin's idea: meet in the library,",
        html,
    )


def test_the_home_page_counts_them(client_for, erin):
    html = _page(client_for("erin").get(reverse("portal:home")))
    assert "We have 1 thing you said or made." in html
    assert SAID in html


def test_it_says_plainly_when_her_consent_now_allows_less(client_for, personas, erin):
    person, contribution = erin
    named = make.contribution(
        contribution.activity, person=person, text="Name me please", use_level=3
    )
    make.consent(person, "quote_named")
    make.consent(person, "quote_named", given=False)
    html = _page(client_for("erin").get(SAID))
    assert "You've since said we can't use your name, so we won't." in html
    assert "For now, it can be used in reports and training, without your name." in html
    detail = _page(client_for("erin").get(_url("contribution", named)))
    assert "You've since said we can't use your name" in detail


def test_it_says_so_when_she_never_agreed_to_be_quoted(client_for, samples):
    html = _page(client_for("erin").get(SAID))
    assert "You haven't said staff can quote you, so we won't use it." in html
    assert "For now, we won't show it to anyone." in html
    use = client_for("erin").get(_url("contribution_use", samples["erin_contribution"]))
    assert "You haven't said we can quote you in any way" in _page(use)


def test_erin_removes_some_words(client_for, erin):
    _, contribution = erin
    client = client_for("erin")
    page = client.get(_url("contribution_redact", contribution))
    assert page.status_code == 200
    assert "Which words should we remove?" in _page(page)
    response = client.post(
        _url("contribution_redact", contribution), {"words": "in the library"}, follow=True
    )
    assert response.redirect_chain[-1][0] == _url("contribution", contribution)
    contribution.refresh_from_db()
    assert "library" not in contribution.text
    assert REDACTED in contribution.text
    assert Redaction.objects.get(contribution=contribution).asked_by == "person"
    html = _page(response)
    assert "We've removed those words" in html
    assert "you removed 14 characters" in html
    # And staff see the change at once.
    staff = _page(client_for("alice").get(reverse("engagement:contribution_list")))
    assert "library" not in staff
    assert "meet" in staff


def test_removing_words_that_are_not_there_says_what_to_do(client_for, erin):
    _, contribution = erin
    response = client_for("erin").post(
        _url("contribution_redact", contribution), {"words": "not in it"}
    )
    assert response.status_code == 200
    assert "Copy them exactly as they appear" in _page(response)


def test_erin_withdraws_and_it_is_gone_from_the_staff_list_and_export(client_for, erin):
    _, contribution = erin
    staff_list = reverse("engagement:contribution_list")
    assert "meet in the library" in _page(client_for("alice").get(staff_list))

    client = client_for("erin")
    page = _page(client.get(_url("contribution_withdraw", contribution)))
    assert "Yes, withdraw it" in page
    assert "You can't undo this." in page
    response = client.post(_url("contribution_withdraw", contribution), follow=True)
    assert response.redirect_chain[-1][0] == SAID
    html = _page(response)
    assert "Done. We've removed it from everywhere it was shown." in html
    assert "You withdrew this on" in html
    assert "We'll delete the words by" in html
    assert "meet in the library" not in html
    contribution.refresh_from_db()
    assert contribution.is_withdrawn
    assert contribution.withdrawn_by_person

    alice = client_for("alice")
    assert "meet in the library" not in _page(alice.get(staff_list))
    export = alice.get(reverse("engagement:contribution_export"))
    assert "meet in the library" not in b"".join(export.streaming_content).decode()


def test_erin_chooses_who_can_see_it_from_what_she_agreed(client_for, erin):
    _, contribution = erin
    client = client_for("erin")
    html = _page(client.get(_url("contribution_use", contribution)))
    assert "Only staff inside the organisation can read it" in html
    assert "It can be used in reports and training, without your name" in html
    assert "It can be used with your name" not in html  # not agreed
    response = client.post(
        _url("contribution_use", contribution), {"use_level": UseLevel.ANONYMISED}, follow=True
    )
    assert response.redirect_chain[-1][0] == _url("contribution", contribution)
    contribution.refresh_from_db()
    assert contribution.use_level == UseLevel.ANONYMISED
    refused = client.post(_url("contribution_use", contribution), {"use_level": 3})
    assert refused.status_code == 200
    assert "Choose one of the options." in _page(refused)
    contribution.refresh_from_db()
    assert contribution.use_level == UseLevel.ANONYMISED


def test_erin_gets_404_for_anyone_elses_contribution(client_for, samples, erin):
    someone = make.person(samples["activity"].organisation, name="Somebody Else")
    make.consent(someone, "quote_internal")
    theirs = make.contribution(samples["activity"], person=someone, text="Not hers")
    client = client_for("erin")
    for contribution in (samples["contribution"], theirs):
        for name in (
            "contribution",
            "contribution_redact",
            "contribution_withdraw",
            "contribution_use",
        ):
            assert client.get(_url(name, contribution)).status_code == 404, name
            assert client.post(_url(name, contribution), {"words": "Not"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.text == "Not hers"
    assert not theirs.is_withdrawn
    assert "Not hers" not in _page(client.get(SAID))


@pytest.mark.parametrize("persona", ["alice", "charlie", "nina"])
def test_staff_without_a_record_of_their_own_get_404(client_for, samples, persona):
    client = client_for(persona)
    assert client.get(SAID).status_code == 404
    assert client.get(_url("contribution", samples["erin_contribution"])).status_code == 404
    response = client.post(_url("contribution_withdraw", samples["erin_contribution"]))
    assert response.status_code == 404
    assert not Contribution.objects.get(pk=samples["erin_contribution"].pk).is_withdrawn


def test_a_withdrawn_contribution_offers_nothing_more_to_do(client_for, erin):
    _, contribution = erin
    client = client_for("erin")
    client.post(_url("contribution_withdraw", contribution))
    detail = _page(client.get(_url("contribution", contribution)))
    assert "You withdrew this on" in detail
    assert "meet in the library" not in detail
    for name in ("contribution_redact", "contribution_withdraw", "contribution_use"):
        response = client.get(_url(name, contribution))
        assert response.status_code == 302
        assert response["Location"] == _url("contribution", contribution)


def test_things_youve_said_pages_and_runs_the_same_queries_for_10_or_100(client_for, erin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person, existing = erin
    client = client_for("erin")
    counts = []
    for total in (10, 100):
        have = Contribution.objects.filter(person=person).count()
        Contribution.objects.bulk_create(
            [
                Contribution(
                    organisation_id=existing.organisation_id,
                    activity_id=existing.activity_id,
                    person=person,
                    kind="idea",
                    text=f"Idea number {n}",
                    use_level=UseLevel.INTERNAL,
                )
                for n in range(total - have)
            ]
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(SAID)
        assert response.status_code == 200
        counts.append(len(queries))
    # What happened to each is prefetched for the page; Django skips the nested prefetches
    # (progress, changes) when no contribution on the page has a response, as with 100 here.
    # More contributions must never mean more queries.
    assert counts[1] <= counts[0]
    assert "Next" in response.content.decode()
