"""Bulk capture: staff type up many contributions after a session, like sticky notes. Nothing
is recorded until every row is right, and nothing typed is lost when one row has a problem."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from powershare.engagement.contribution_forms import CAPTURE_MAX_ROWS
from powershare.engagement.models import Contribution, ContributionSource, UseLevel

from . import factories as make


@pytest.fixture
def world(personas):
    a = personas.council_a
    activity = make.activity(a, title="Co-design session for the new leaflet")
    question = activity.questions.create(text="What would help you feel welcome?", position=1)
    agreed = make.person(a, name="Morag Agreed")
    make.consent(agreed, "quote_internal", "quote_anonymous")
    internal_only = make.person(a, name="Iain Internal")
    make.consent(internal_only, "quote_internal")
    make.invitation(activity, agreed)
    make.invitation(activity, internal_only)
    outsider = make.person(a, name="Nora Notthere")
    make.consent(outsider, "quote_internal")
    return {
        "activity": activity,
        "question": question,
        "agreed": agreed,
        "internal_only": internal_only,
        "outsider": outsider,
    }


def _url(activity):
    return reverse("engagement:contribution_capture", args=[activity.pk])


def _row(*, person="", group_label="", held_by="", kind="idea", question="", text="", use=""):
    return {
        "person": str(person),
        "group_label": group_label,
        "group_consent_held_by": held_by,
        "kind": kind,
        "question": str(question),
        "text": text,
        "use_level": str(use),
    }


def _post_data(rows, *, total=30, submission="capture-form-1", **extra):
    data = {
        "rows-TOTAL_FORMS": str(total),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "200",
        "form_token": submission,
        **extra,
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"rows-{index}-{name}"] = value
    for index in range(len(rows), total):
        for name in ("person", "group_label", "group_consent_held_by", "question", "text"):
            data[f"rows-{index}-{name}"] = ""
        data[f"rows-{index}-kind"] = ""
        data[f"rows-{index}-use_level"] = ""
    return data


def _thirty_rows(world, *, bad_row=None):
    rows = []
    for number in range(1, 31):
        text = f"Sticky note number {number:02d}: the waiting room felt cold"
        if number % 3 == 0:
            row = _row(person=world["agreed"].pk, text=text, question=world["question"].pk)
        elif number % 3 == 1:
            row = _row(
                group_label="Young people, school session 2",
                held_by="Partner youth project",
                use=UseLevel.ANONYMISED,
                text=text,
            )
        else:
            row = _row(person=world["internal_only"].pk, text=text, kind="concern")
        rows.append(row)
    if bad_row:
        # Iain agreed to be quoted inside the organisation only, not anonymously in reports.
        rows[bad_row - 1] = _row(
            person=world["internal_only"].pk,
            use=UseLevel.ANONYMISED,
            text=f"Sticky note number {bad_row:02d}: the waiting room felt cold",
        )
    return rows


def test_the_page_offers_thirty_labelled_rows(client_for, world):
    response = client_for("alice").get(_url(world["activity"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="rows-TOTAL_FORMS" value="30"' in html
    assert 'id="id_rows-29-text"' in html
    assert 'id="id_rows-30-text"' not in html
    assert "<caption>" in html
    # Every input is labelled with its row.
    assert (
        '<label class="visually-hidden" for="id_rows-6-text">Row 7, what was said</label>' in html
    )
    # Only people who took part are offered, with what they agreed to.
    assert "Morag Agreed (widest use agreed: anonymised in reports and training)" in html
    assert "Nora Notthere" not in html
    assert "An anonymous group" in html
    assert "As their consent allows (widest)" in html


def test_thirty_rows_with_one_bad_row_keep_every_value_and_save_nothing_then_all_save(
    client_for, world
):
    client = client_for("alice")
    before = Contribution.objects.count()
    response = client.post(_url(world["activity"]), _post_data(_thirty_rows(world, bad_row=17)))

    assert response.status_code == 200
    html = response.content.decode()
    for number in range(1, 31):
        assert f"Sticky note number {number:02d}: the waiting room felt cold" in html
    # The summary names the row and links to its field; the row shows its own message.
    assert re.search(r'<a href="#id_rows-16-use_level">Row 17: Iain Internal has not agreed', html)
    assert 'id="id_rows-16-use_level-error"' in html
    assert html.count("ds_question__error-message") == 1
    assert 'aria-invalid="true"' in html
    assert "Error:" in html.split("</title>")[0]
    assert Contribution.objects.count() == before

    # Fix row 17 (leave the use to their consent) and send again: all 30 are recorded.
    rows = _thirty_rows(world, bad_row=17)
    rows[16]["use_level"] = ""
    response = client.post(_url(world["activity"]), _post_data(rows), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "engagement:activity_detail", args=[world["activity"].pk]
    )
    assert "30 contributions recorded." in [str(m) for m in response.context["messages"]]
    saved = Contribution.objects.filter(activity=world["activity"])
    assert saved.count() == 30
    row_17 = saved.get(text__startswith="Sticky note number 17")
    assert row_17.person == world["internal_only"]
    assert row_17.use_level == UseLevel.INTERNAL  # the widest Iain agreed to
    morag = saved.filter(person=world["agreed"]).first()
    assert morag.use_level == UseLevel.ANONYMISED
    assert morag.question == world["question"]
    assert morag.source == ContributionSource.STAFF
    group = saved.filter(person=None).first()
    assert group.group_label == "Young people, school session 2"
    assert group.group_consent_held_by == "Partner youth project"


def test_empty_rows_are_ignored(client_for, world):
    rows = [_row() for _ in range(30)]
    rows[2] = _row(group_label="Carers' group", held_by="Carers' centre", use=1, text="One")
    rows[10] = _row(person=world["agreed"].pk, text="Two")
    # A kind and a use chosen, nothing typed: still an empty row.
    rows[20] = _row(kind="view", use=UseLevel.INTERNAL)
    response = client_for("alice").post(_url(world["activity"]), _post_data(rows), follow=True)
    assert "2 contributions recorded." in [str(m) for m in response.context["messages"]]
    assert Contribution.objects.filter(activity=world["activity"]).count() == 2


def test_a_form_with_every_row_empty_asks_for_one(client_for, world):
    response = client_for("alice").post(_url(world["activity"]), _post_data([]))
    assert response.status_code == 200
    assert "Type at least one contribution" in response.content.decode()
    assert not Contribution.objects.filter(activity=world["activity"]).exists()


def test_a_use_level_above_consent_is_refused_with_a_clear_message(client_for, world):
    rows = [_row(person=world["agreed"].pk, use=UseLevel.ATTRIBUTED, text="Use my name")]
    response = client_for("alice").post(_url(world["activity"]), _post_data(rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Row 1: Morag Agreed has not agreed to this use (with the person&#x27;s chosen credit). "
        in (html)
    )
    assert "Choose a narrower use: inside the organisation only, anonymised in reports" in html
    assert not Contribution.objects.filter(activity=world["activity"]).exists()


def test_a_group_needs_someone_holding_its_consents(client_for, world):
    rows = [_row(group_label="Young people", use=UseLevel.INTERNAL, text="Said in a group")]
    rows.append(_row(person="group", text="Nobody named"))
    html = client_for("alice").post(_url(world["activity"]), _post_data(rows)).content.decode()
    assert "Row 1: Say who holds each member" in html
    assert 'href="#id_rows-0-group_consent_held_by"' in html
    assert "Row 2: Choose who said it, or name the group" in html
    assert not Contribution.objects.filter(activity=world["activity"]).exists()


def test_someone_who_did_not_take_part_cannot_be_chosen(client_for, world):
    rows = [_row(person=world["outsider"].pk, text="Not there")]
    response = client_for("alice").post(_url(world["activity"]), _post_data(rows))
    assert response.status_code == 200
    assert 'id="id_rows-0-person-error"' in response.content.decode()
    assert not Contribution.objects.filter(activity=world["activity"]).exists()


def test_adding_ten_more_rows_keeps_everything_typed(client_for, world):
    rows = _thirty_rows(world)
    response = client_for("alice").post(_url(world["activity"]), _post_data(rows, more_rows="10"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="rows-TOTAL_FORMS" value="40"' in html
    assert 'id="id_rows-39-text"' in html
    for number in range(1, 31):
        assert f"Sticky note number {number:02d}" in html
    assert "There is a problem" not in html
    assert not Contribution.objects.filter(activity=world["activity"]).exists()


def test_rows_stop_at_the_most_one_form_can_send(client_for, world):
    most = CAPTURE_MAX_ROWS
    assert most == min(200, (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS - 10) // 7)
    response = client_for("alice").post(
        _url(world["activity"]), _post_data([], total=most - 5, more_rows="10")
    )
    html = response.content.decode()
    assert f'name="rows-TOTAL_FORMS" value="{most}"' in html
    assert "Add 10 more rows" not in html
    assert f"You can add up to {most} rows at once" in html
    # A full form is still accepted (not refused for having too many fields).
    rows = [_row() for _ in range(most)]
    rows[-1] = _row(group_label="Last group", held_by="Partner", use=1, text="The last row")
    response = client_for("alice").post(_url(world["activity"]), _post_data(rows, total=most))
    assert response.status_code == 302
    assert Contribution.objects.filter(text="The last row").exists()


def test_sending_the_same_form_twice_records_it_once(client_for, world):
    client = client_for("alice")
    data = _post_data(_thirty_rows(world))
    client.post(_url(world["activity"]), data)
    response = client.post(_url(world["activity"]), data, follow=True)
    assert Contribution.objects.filter(activity=world["activity"]).count() == 30
    assert "nothing new was saved" in " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("persona", ["bob", "charlie", "nina", "erin"])
def test_only_people_who_manage_engagement_in_its_organisation_may_capture(
    client_for, world, persona
):
    client = client_for(persona)
    assert client.get(_url(world["activity"])).status_code == 404
    rows = [_row(group_label="Group", held_by="Partner", use=1, text="Sneaked in")]
    assert client.post(_url(world["activity"]), _post_data(rows)).status_code == 404
    assert not Contribution.objects.filter(activity=world["activity"]).exists()


def test_staff_who_cannot_see_the_register_choose_people_by_reference(client_for, personas, world):
    """A learning lead captures contributions but may not see the register."""
    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role

    Membership.objects.filter(user=personas.bob, organisation=personas.council_a).update(
        role=Role.LEARNING_LEAD
    )
    client = client_for("bob")
    html = client.get(_url(world["activity"])).content.decode()
    assert "Iain Internal" not in html
    assert f"Person {world['internal_only'].reference} (widest use agreed" in html
    rows = [_row(person=world["internal_only"].pk, use=UseLevel.ANONYMISED, text="Too wide")]
    html = client.post(_url(world["activity"]), _post_data(rows)).content.decode()
    assert f"Row 1: Person {world['internal_only'].reference} has not agreed" in html
    assert "Iain" not in html


def test_listing_people_by_name_to_choose_from_is_recorded(client_for, world):
    from powershare.audit.models import AccessEvent

    client_for("alice").get(_url(world["activity"]))
    event = AccessEvent.objects.get(subject_id=str(world["activity"].pk))
    assert "listed to add contributions" in event.description


def test_recording_rows_takes_about_the_same_queries_for_3_rows_as_for_30(client_for, world):
    """Consent is looked up once per use level for all the rows' people, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("alice")
    counts = []
    for number, rows in ((1, _thirty_rows(world)[:3]), (2, _thirty_rows(world))):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                _url(world["activity"]), _post_data(rows, submission=f"capture-queries-{number}")
            )
        assert response.status_code == 302
        counts.append(len(queries))
    few, many = counts
    # The rows go in with one batched insert; allow a small margin for the batches.
    assert many <= few + 5, f"3 rows took {few} queries, 30 rows took {many}"


def test_staff_without_the_register_are_told_what_to_choose_not_why(client, personas, world):
    """A learning lead runs activities but does not see the register: a refused row names the
    person by reference and says which uses are open, never why (a guardian's agreement
    missing would tell them the person is under 16)."""
    import datetime

    from django.utils import timezone

    from powershare.accounts.models import Membership, User
    from powershare.accounts.roles import Role
    from powershare.people.models import ConsentGivenBy
    from tests.personas import PASSWORD, sign_in

    young = make.person(
        personas.council_a,
        name="Kirsty Young",
        date_of_birth=timezone.localdate() - datetime.timedelta(days=365 * 14),
        age_band="",
    )
    make.consent(young, "quote_internal", "quote_anonymous")
    make.consent(young, "quote_internal", given_by=ConsentGivenBy.GUARDIAN)
    make.invitation(world["activity"], young)
    lead = User.objects.create_user(email="lena@a.example", password=PASSWORD, full_name="Lena")
    Membership.objects.create(user=lead, organisation=personas.council_a, role=Role.LEARNING_LEAD)
    sign_in(client, lead)
    rows = [_row(person=young.pk, use=UseLevel.ANONYMISED, text="Said by a young person")]
    html = client.post(_url(world["activity"]), _post_data(rows)).content.decode()
    assert f"Row 1: Person {young.reference} has not agreed to this use" in html
    assert "Choose a narrower use: inside the organisation only" in html
    assert "under 16" not in html
    assert "guardian" not in html
    assert "Kirsty" not in html
    # A participation lead, who sees the register, is told why.
    client.logout()
    sign_in(client, personas.alice)
    html = client.post(
        _url(world["activity"]), _post_data(rows, submission="capture-form-2")
    ).content.decode()
    assert "under 16" in html
