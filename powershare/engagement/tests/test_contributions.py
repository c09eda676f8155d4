"""Contributions on staff pages: the list, one contribution, removing words and withdrawing on
the contributor's behalf, exports by use, and the activity page's part. Every one of them shows
only what may be used, through selectors.contribution_list_for (THE rule)."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.audit.models import AccessEvent
from powershare.engagement.contribution_views import activity_contributions_context
from powershare.engagement.models import REDACTED, Contribution, Redaction, UseLevel
from powershare.people.models import CreditPreference
from tests.personas import MARKER

from . import factories as make

LIST = reverse("engagement:contribution_list")
EXPORT = reverse("engagement:contribution_export")


@pytest.fixture
def world(personas):
    a = personas.council_a
    activity = make.activity(a, title="Panel on the new front door")
    person = make.person(a, name="Fiona Fullname", credit_as=CreditPreference.FULL_NAME)
    make.consent(person, "quote_internal", "quote_anonymous", "quote_named")
    return {"a": a, "activity": activity, "person": person}


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_text(response))))


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_shows_what_may_be_used_inside_the_organisation_and_nothing_else(
    client_for, personas, world
):
    activity, person = world["activity"], world["person"]
    shown = make.contribution(activity, person=person, text="Shown: the door is too heavy")
    group = make.contribution(activity, text="Group said: make the signs bigger")
    withdrawn = make.contribution(activity, person=person, text="Withdrawn: gone for good")
    withdrawn.withdrawn_at = withdrawn.created_at
    withdrawn.save()
    other = make.person(world["a"], name="Owen Other")
    make.consent(other, "quote_internal")
    said_no = make.contribution(activity, person=other, text="Said no later: hidden now")
    make.consent(other, "quote_internal", given=False)
    never = make.person(world["a"], name="Nell Never")
    make.contribution(activity, person=never, text="Never agreed: never shown")

    response = client_for("alice").get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert shown.text in html
    assert group.text in html
    assert "Withdrawn: gone for good" not in html
    assert "Said no later" not in html
    assert "Never agreed" not in html
    assert "2 contributions" in html
    assert "Only contributions that may be used inside the organisation are shown" in html
    assert said_no.pk  # (kept: it is hidden, not deleted)


def test_removed_words_are_gone_from_the_list_and_from_the_stored_text(client_for, world):
    contribution = make.contribution(
        world["activity"],
        person=world["person"],
        text="My social worker Mrs Secretname listened, and that helped.",
    )
    client = client_for("alice")
    url = reverse("engagement:contribution_redact", args=[contribution.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Words to remove" in page.content.decode()
    response = client.post(
        url,
        {"words": "Mrs Secretname", "reason": "Names someone", "person_asked": "on"},
        follow=True,
    )
    assert response.status_code == 200
    contribution.refresh_from_db()
    assert "Secretname" not in contribution.text
    assert REDACTED in contribution.text
    redaction = Redaction.objects.get(contribution=contribution)
    assert redaction.asked_by == Redaction.AskedBy.STAFF_ON_BEHALF
    assert redaction.characters_removed == len("Mrs Secretname")
    html = client.get(LIST).content.decode()
    assert "Secretname" not in html
    assert "removed at the contributor" in html
    detail = client.get(reverse("engagement:contribution_detail", args=[contribution.pk]))
    assert "Secretname" not in detail.content.decode()
    assert "Names someone" in detail.content.decode()
    assert "Staff, on the person&#x27;s behalf" in detail.content.decode()


def test_removing_words_needs_the_words_exactly_and_the_persons_request(client_for, world):
    contribution = make.contribution(world["activity"], text="Keep these words")
    url = reverse("engagement:contribution_redact", args=[contribution.pk])
    client = client_for("alice")
    html = client.post(url, {"words": "not there"}).content.decode()
    assert "Confirm that the person asked us" in html
    html = client.post(url, {"words": "not there", "person_asked": "on"}).content.decode()
    assert "Those words don&#x27;t appear in it" in html
    assert "not there</textarea>" in html  # what was typed is kept
    contribution.refresh_from_db()
    assert contribution.text == "Keep these words"


def test_the_list_filters_by_activity_kind_question_and_words(client_for, world):
    activity = world["activity"]
    question = activity.questions.create(text="What would you change first?", position=1)
    other = make.activity(world["a"], title="Another activity")
    make.contribution(activity, text="Alpha idea", kind="idea", question=question)
    make.contribution(activity, text="Bravo concern", kind="concern")
    make.contribution(other, text="Charlie view", kind="view")
    client = client_for("alice")

    html = client.get(LIST, {"activity": activity.pk}).content.decode()
    assert "Alpha idea" in html
    assert "Bravo concern" in html
    assert "Charlie view" not in html
    assert "What would you change first?" in html  # the question filter appears
    html = client.get(LIST, {"kind": "concern"}).content.decode()
    assert "Bravo concern" in html
    assert "Alpha idea" not in html
    html = client.get(LIST, {"activity": activity.pk, "question": question.pk}).content.decode()
    assert "Alpha idea" in html
    assert "Bravo concern" not in html
    html = client.get(LIST, {"q": "charlie"}).content.decode()
    assert "Charlie view" in html
    assert "Alpha idea" not in html
    assert "1 contribution match" in html
    # Nonsense in the address is ignored, never an error.
    assert client.get(LIST, {"activity": "x", "kind": "nope", "question": "-1"}).status_code == 200


def test_a_name_is_shown_only_to_people_who_can_see_the_register(client_for, world):
    make.contribution(world["activity"], person=world["person"], text="Named or not")
    alice = client_for("alice").get(LIST).content.decode()
    assert "Fiona Fullname" in alice
    assert reverse("people:detail", args=[world["person"].pk]) in alice
    bob = client_for("bob").get(LIST).content.decode()
    assert "Named or not" in bob
    assert "Fiona Fullname" not in bob
    assert "Anonymous contributor" in bob


def test_the_list_runs_a_fixed_number_of_queries(client_for, world):
    activity, person = world["activity"], world["person"]

    def add(count):
        Contribution.objects.bulk_create(
            Contribution(
                organisation_id=activity.organisation_id,
                activity=activity,
                person=person if i % 2 else None,
                group_label="" if i % 2 else "A group",
                group_consent_held_by="" if i % 2 else "A partner",
                kind="view",
                text=f"Contribution number {i}",
                use_level=UseLevel.ANONYMISED,
            )
            for i in range(count)
        )

    add(10)
    client = client_for("alice")
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    add(990)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST, {"page": 3})
    assert "1000 contributions" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------------------------------------
# One contribution


def test_the_detail_names_the_person_for_the_register_and_records_that(client_for, world):
    contribution = make.contribution(world["activity"], person=world["person"], text="Detail")
    url = reverse("engagement:contribution_detail", args=[contribution.pk])
    html = client_for("alice").get(url).content.decode()
    assert "Fiona Fullname" in html
    assert "Remove words" in html
    assert "Withdraw" in html
    assert "Inside the organisation only" in html
    event = AccessEvent.objects.filter(description__contains=contribution.reference).get()
    assert "Fiona" not in event.description
    assert event.description.startswith(world["person"].reference)


def test_bob_sees_the_list_and_detail_but_cannot_act(client_for, world):
    contribution = make.contribution(world["activity"], person=world["person"], text="For bob")
    client = client_for("bob")
    detail = client.get(reverse("engagement:contribution_detail", args=[contribution.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "For bob" in html
    assert "Fiona" not in html
    assert "Remove words" not in html
    assert not AccessEvent.objects.filter(user__email__startswith="bob").exists()
    for name in ("contribution_redact", "contribution_withdraw"):
        url = reverse(f"engagement:{name}", args=[contribution.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"words": "For", "person_asked": "on"}).status_code == 404
    contribution.refresh_from_db()
    assert contribution.text == "For bob"
    assert not contribution.is_withdrawn
    assert client.get(LIST).status_code == 200
    assert client.get(EXPORT).status_code == 200


@pytest.mark.parametrize("persona", ["charlie", "nina", "erin"])
def test_other_councils_and_people_on_the_register_get_404(client_for, samples, persona):
    contribution = samples["contribution"]
    client = client_for(persona)
    for name in ("contribution_detail", "contribution_redact", "contribution_withdraw"):
        url = reverse(f"engagement:{name}", args=[contribution.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"words": "Said", "person_asked": "on"}).status_code == 404
    capture = reverse("engagement:contribution_capture", args=[samples["activity"].pk])
    assert client.get(capture).status_code == 404
    listing = client.get(LIST)
    export = client.get(EXPORT)
    if persona == "charlie":  # his own council's (empty) list
        assert listing.status_code == 200
        assert MARKER not in listing.content.decode()
        assert export.status_code == 200
        assert MARKER not in _text(export)
    else:
        assert listing.status_code == 404
        assert export.status_code == 404
    contribution.refresh_from_db()
    assert not contribution.is_withdrawn
    assert contribution.text.startswith("Said")


def test_staff_withdraw_after_confirming_and_it_leaves_every_page(client_for, world):
    contribution = make.contribution(world["activity"], person=world["person"], text="Go away")
    client = client_for("alice")
    url = reverse("engagement:contribution_withdraw", args=[contribution.pk])
    page = client.get(url).content.decode()
    assert "Withdraw this contribution? It will be removed from every page" in page
    assert "You can't undo this." in page
    response = client.post(url, {"form_token": "withdraw-1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "engagement:activity_detail", args=[world["activity"].pk]
    )
    contribution.refresh_from_db()
    assert contribution.is_withdrawn
    assert not contribution.withdrawn_by_person
    assert "Go away" not in client.get(LIST).content.decode()
    assert "Go away" not in _text(client.get(EXPORT))
    detail = reverse("engagement:contribution_detail", args=[contribution.pk])
    assert client.get(detail).status_code == 404
    assert client.get(url).status_code == 404  # nothing left to withdraw


def test_staff_can_act_for_someone_who_said_no_without_reading_their_words(client_for, world):
    contribution = make.contribution(world["activity"], person=world["person"], text="Quiet words")
    make.consent(world["person"], "quote_internal", given=False)
    client = client_for("alice")
    url = reverse("engagement:contribution_redact", args=[contribution.pk])
    page = client.get(url).content.decode()
    assert "Quiet words" not in page
    assert "has not agreed to be quoted inside the organisation" in page
    response = client.post(url, {"words": "Quiet", "person_asked": "on"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    contribution.refresh_from_db()
    assert "Quiet" not in contribution.text
    withdraw = client.get(reverse("engagement:contribution_withdraw", args=[contribution.pk]))
    assert withdraw.status_code == 200
    assert "words" not in withdraw.content.decode().split("What was said")[1].split("</dl>")[0]


# ---------------------------------------------------------------------------------------------
# Exports


def test_an_anonymised_export_leaves_out_internal_only_and_never_names_anyone(client_for, world):
    activity, person = world["activity"], world["person"]
    make.contribution(activity, person=person, text="Internal only", use_level=UseLevel.INTERNAL)
    make.contribution(activity, person=person, text="For reports", use_level=UseLevel.ANONYMISED)
    make.contribution(activity, person=person, text="With my name", use_level=UseLevel.ATTRIBUTED)
    client = client_for("alice")

    response = client.get(EXPORT, {"use": UseLevel.ANONYMISED, "format": "csv"})
    assert response.status_code == 200
    assert "contributions-anonymised-" in response["Content-Disposition"]
    rows = _csv(response)
    assert {row["What was said"] for row in rows} == {"For reports", "With my name"}
    assert all(row["Contributor"] == "Anonymous contributor" for row in rows)
    assert all(row["Shown under use"] == UseLevel.ANONYMISED.label for row in rows)
    widest = {row["What was said"]: row["Widest use agreed now"] for row in rows}
    assert widest["With my name"] == UseLevel.ATTRIBUTED.label
    assert "Fiona" not in _text(client.get(EXPORT, {"use": UseLevel.ANONYMISED}))

    attributed = _csv(client.get(EXPORT, {"use": UseLevel.ATTRIBUTED}))
    assert [(r["What was said"], r["Contributor"]) for r in attributed] == [
        ("With my name", "Fiona Fullname")
    ]
    internal = _csv(client.get(EXPORT))
    assert len(internal) == 3
    assert {r["Contributor"] for r in internal} == {"Anonymous contributor"}
    assert AccessEvent.objects.filter(action=AccessEvent.Action.EXPORTED).exists()


def test_the_export_respects_the_filters_and_a_nonsense_use_means_internal(client_for, world):
    make.contribution(world["activity"], text="Filtered in", kind="idea")
    make.contribution(world["activity"], text="Filtered out", kind="concern")
    client = client_for("alice")
    rows = _csv(client.get(EXPORT, {"kind": "idea", "use": "99"}))
    assert [r["What was said"] for r in rows] == ["Filtered in"]
    assert rows[0]["Shown under use"] == UseLevel.INTERNAL.label
    assert client.get(EXPORT, {"use": "x", "format": "pdf"}).status_code == 200


def test_the_excel_export_opens_with_openpyxl(client_for, world):
    make.consent(world["person"], "publish_public")
    make.contribution(
        world["activity"], person=world["person"], text="=SUM(A1)", use_level=UseLevel.PUBLIC
    )
    make.contribution(world["activity"], text="Group words", use_level=UseLevel.PUBLIC)
    response = client_for("alice").get(EXPORT, {"format": "xlsx", "use": UseLevel.PUBLIC})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].values)
    assert rows[0] == (
        "Reference",
        "Activity",
        "Question",
        "Kind",
        "What was said",
        "Contributor",
        "Captured on",
        "Shown under use",
        "Widest use agreed now",
    )
    texts = {row[4]: row for row in rows[1:]}
    assert set(texts) == {"'=SUM(A1)", "Group words"}  # a formula is defused
    assert texts["'=SUM(A1)"][5] == "Fiona Fullname"
    assert texts["Group words"][5] == "A group"
    assert texts["Group words"][7] == UseLevel.PUBLIC.label


def test_the_export_runs_a_fixed_number_of_queries(client_for, world):
    activity = world["activity"]

    def add(count):
        Contribution.objects.bulk_create(
            Contribution(
                organisation_id=activity.organisation_id,
                activity=activity,
                person=world["person"] if i % 2 else None,
                group_label="" if i % 2 else "A group",
                group_consent_held_by="" if i % 2 else "A partner",
                kind="idea",
                text=f"Export row {i}",
                use_level=UseLevel.ATTRIBUTED,
            )
            for i in range(count)
        )

    client = client_for("alice")
    add(10)
    _text(client.get(EXPORT))
    counts = {}
    for total, extra in ((10, 0), (1000, 990)):
        add(extra)
        for file_format in ("csv", "xlsx"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(EXPORT, {"format": file_format, "use": 3})
                body = _text(response) if file_format == "csv" else response.content
            counts[(total, file_format)] = len(queries.captured_queries)
            if file_format == "csv":
                assert body.count("Export row") == total
    assert counts[(10, "csv")] == counts[(1000, "csv")]
    assert counts[(10, "xlsx")] == counts[(1000, "xlsx")]


# ---------------------------------------------------------------------------------------------
# On the activity's page


def test_the_activity_page_part_counts_hidden_ones_without_showing_them(personas, world):
    activity, person = world["activity"], world["person"]
    for i in range(22):
        make.contribution(activity, text=f"Visible {i:02d}")
    gone = make.contribution(activity, person=person, text="Withdrawn words")
    gone.withdrawn_at = gone.created_at
    gone.save()
    never = make.person(world["a"], name="Never Asked")
    make.contribution(activity, person=never, text="Not agreed words")
    request = RequestFactory().get("/activities/")
    request.user = personas.alice
    context = activity_contributions_context(request, activity)
    assert context["contributions_count"] == 22
    assert context["contributions_hidden_count"] == 2
    assert len(context["contributions_items"]) == 20
    assert context["contributions_more_count"] == 2
    assert context["contributions_can_capture"]
    texts = {c.text for c in context["contributions_items"]}
    assert "Withdrawn words" not in texts
    assert "Not agreed words" not in texts

    from django.template.loader import render_to_string

    html = render_to_string(
        "engagement/_activity_contributions.html", {**context, "activity": activity}
    )
    assert "22 contributions (2 more withdrawn or not agreed for use)" in html
    assert "Withdrawn words" not in html
    assert "Not agreed words" not in html
    assert f"?activity={activity.pk}" in html

    request.user = personas.bob
    assert not activity_contributions_context(request, activity)["contributions_can_capture"]
