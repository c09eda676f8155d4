"""The staff pages about learning products: the list, adding and changing a product with its
ordered outcomes and session plan, its status, versions (a published or taught one keeps its
outcomes; a new one copies outcomes and materials), the co-design record shown through the
consent rule, and attendance totals per site computed from the registers. As alice (runs
learning), bob (a facilitator: reads, changes nothing), charlie (another council) and erin (an
expert by experience)."""

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.engagement import services as engagement_services
from powershare.engagement.tests import factories as make
from powershare.learning import selectors, services
from powershare.learning.models import (
    Attendance,
    Booking,
    BookingSource,
    BookingStatus,
    Delivery,
    DeliverySession,
    Learner,
    LearningOutcome,
    LearningProduct,
    Material,
    ProductStatus,
    ProductVersion,
    SessionMode,
)
from powershare.people.models import ConsentPurpose
from tests.personas import MARKER

LIST = reverse("learning:product_list")
CREATE = reverse("learning:product_create")


def _text(response) -> str:
    """The page's words as a reader sees them: no tags, entities unescaped, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"</?(strong|span|a|em|b)\b[^>]*>", "", body)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _url(name, pk):
    return reverse(f"learning:{name}", args=[pk])


def _form(owner=None, **changes) -> dict:
    data = {
        "title": "Sharing power in practice",
        "aims": "Help social workers share power with people with lived experience.",
        "audience": "Social workers and team leaders",
        "prerequisite_learning": "Trauma-informed practice, level 2",
        "sessions_planned": "2",
        "session_length": "3",
        "session_length_unit": "hours",
        "interval_min_weeks": "2",
        "interval_max_weeks": "4",
        "outcome_1": "Explain what sharing power means",
        "outcome_2": "",
        "outcome_3": "Plan one change with a person with lived experience",
        "owner": owner.pk if owner else "",
    }
    data.update(changes)
    return data


def _product(personas, title="Listening to young people", outcomes=("First", "Second")):
    return services.product_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        outcomes=list(outcomes),
        title=title,
        aims="Aims",
        audience="Social workers",
        sessions_planned=2,
        session_minutes=180,
        interval_min_weeks=2,
        interval_max_weeks=4,
    )


def _delivery(product, site, cohort, people_there: list[int], booked: int):
    """A delivery at `site` with one session per entry of `people_there`, `booked` learners,
    and the first N of them marked there at each session (the rest marked not there)."""
    version = selectors.version_current(product=product)
    delivery = Delivery.objects.create(
        organisation=product.organisation,
        product=product,
        version=version,
        site=site,
        cohort=cohort,
        capacity=max(booked, 1),
    )
    bookings = [
        Booking.objects.create(
            delivery=delivery,
            learner=Learner.objects.create(
                organisation=product.organisation, name=f"{cohort} learner {n}", email=f"{n}@x.org"
            ),
            status=BookingStatus.BOOKED,
            source=BookingSource.STAFF,
        )
        for n in range(booked)
    ]
    for number, there in enumerate(people_there, 1):
        session = DeliverySession.objects.create(
            delivery=delivery,
            number=number,
            date=datetime.date(2025, 3, 1) + datetime.timedelta(weeks=3 * number),
            starts_at=datetime.time(9, 30),
            ends_at=datetime.time(12, 30),
            mode=SessionMode.IN_PERSON,
            venue="Council offices",
        )
        Attendance.objects.bulk_create(
            Attendance(session=session, booking=booking, attended=index < there)
            for index, booking in enumerate(bookings)
        )
    return delivery


# ---------------------------------------------------------------------------------------------
# Adding and changing a product


def test_alice_adds_a_product_with_its_session_plan_and_ordered_outcomes(client_for, personas):
    client = client_for("alice")
    form = client.get(CREATE)
    assert form.status_code == 200
    assert 'name="outcome_8"' in form.content.decode()  # eight boxes, no JavaScript needed
    response = client.post(CREATE, _form(owner=personas.alice))
    product = LearningProduct.objects.get(title="Sharing power in practice")
    assert response.status_code == 302
    assert response["Location"] == _url("product_detail", product.pk)
    assert product.status == ProductStatus.DRAFT
    assert product.owner == personas.alice
    assert product.session_minutes == 180
    assert product.session_plan == "Two 3-hour sessions, two to four weeks apart"
    version = product.versions.get()
    # The blank middle box is ignored: the outcomes keep their order.
    assert [(o.position, o.text) for o in version.outcomes.all()] == [
        (1, "Explain what sharing power means"),
        (2, "Plan one change with a person with lived experience"),
    ]
    page = _text(client.get(response["Location"]))
    assert "Two 3-hour sessions, two to four weeks apart" in page
    assert "Draft" in page
    assert "Trauma-informed practice, level 2" in page
    assert page.index("Explain what sharing power means") < page.index("Plan one change")


def test_a_length_in_minutes_and_a_single_gap(client_for, personas):
    client_for("alice").post(
        CREATE,
        _form(
            owner=personas.alice,
            title="Short course",
            session_length="90",
            session_length_unit="minutes",
            interval_min_weeks="",
            interval_max_weeks="3",
        ),
    )
    product = LearningProduct.objects.get(title="Short course")
    assert product.session_minutes == 90
    assert (product.interval_min_weeks, product.interval_max_weeks) == (3, None)
    assert product.session_plan == "Two 90-minute sessions, three weeks apart"


def test_mistakes_get_kind_messages_and_nothing_typed_is_lost(client_for, personas):
    client = client_for("alice")
    response = client.post(
        CREATE,
        _form(
            owner=personas.alice,
            title="",
            session_length="three",
            interval_min_weeks="4",
            interval_max_weeks="2",
            outcome_1="",
            outcome_3="",
            aims="Aims we typed",
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    page = _text(response)
    assert "There is a problem" in page
    assert 'href="#id_title"' in body
    assert "Enter the product&#x27;s title" in body
    assert 'href="#id_session_length"' in body
    assert "Enter the length as a number, like 3 or 2.5" in page
    assert 'href="#id_interval_max_weeks"' in body
    assert 'href="#id_outcome_1"' in body
    assert "Add at least one intended learning outcome." in page
    assert "Aims we typed" in body
    assert 'value="three"' in body
    assert not LearningProduct.objects.filter(aims="Aims we typed").exists()


def test_a_length_beyond_ten_hours_is_refused(client_for, personas):
    response = client_for("alice").post(CREATE, _form(owner=personas.alice, session_length="11"))
    assert response.status_code == 200
    assert "Enter a session length from 15 minutes to 10 hours" in _text(response)
    assert not LearningProduct.objects.filter(title="Sharing power in practice").exists()


def test_the_owner_must_run_learning(client_for, personas):
    response = client_for("alice").post(CREATE, _form(owner=personas.bob))
    assert response.status_code == 200
    assert "Choose someone from the list who runs learning" in _text(response)
    page = client_for("alice").get(CREATE).content.decode()
    assert f'<option value="{personas.alice.pk}" selected>' in page
    assert f'<option value="{personas.bob.pk}"' not in page  # bob is a facilitator


def test_a_double_submit_makes_one_product(client_for, personas):
    client = client_for("alice")
    data = _form(owner=personas.alice, form_token="one-form")
    first = client.post(CREATE, data)
    second = client.post(CREATE, data)
    assert first["Location"] == second["Location"]
    assert LearningProduct.objects.filter(title="Sharing power in practice").count() == 1


def test_editing_a_draft_changes_its_outcomes_too(client_for, personas):
    product = _product(personas)
    client = client_for("alice")
    form = client.get(_url("product_edit", product.pk)).content.decode()
    assert 'value="First"' in form
    assert 'value="3"' in form  # the length, in hours
    response = client.post(
        _url("product_edit", product.pk),
        _form(
            owner=personas.alice,
            title="Renamed",
            outcome_1="New first",
            outcome_2="",
            outcome_3="Third",
        ),
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.title == "Renamed"
    texts = [o.text for o in selectors.version_current(product=product).outcomes.all()]
    assert texts == ["New first", "Third"]


def test_editing_a_published_product_leaves_its_outcomes(client_for, personas):
    product = _product(personas)
    services.product_status_set(actor=personas.alice, product=product, status="published")
    client = client_for("alice")
    page = _text(client.get(_url("product_edit", product.pk)))
    assert "Version 1 has been published or taught, so its outcomes stay as they were" in page
    response = client.post(
        _url("product_edit", product.pk),
        _form(owner=personas.alice, title="Renamed", outcome_1="Sneaked in"),
    )
    assert response.status_code == 302
    texts = [o.text for o in selectors.version_current(product=product).outcomes.all()]
    assert texts == ["First", "Second"]


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_searches_filters_and_counts_deliveries(client_for, personas, samples):
    draft = _product(personas, title="Draft about listening")
    client = client_for("alice")
    page = _text(client.get(LIST))
    assert samples["product"].title in page
    assert "Draft about listening" in page
    assert "3 learning products" in page
    found = _text(client.get(LIST, {"q": "listening", "status": "draft"}))
    assert "Draft about listening" in found
    assert samples["product"].title not in found
    assert "1 learning product match" in found
    # The sample product has one delivery: the count is computed, not typed.
    expected = selectors.product_list_for(user=personas.alice).get(pk=samples["product"].pk)
    body = client.get(LIST, {"q": MARKER}).content.decode()
    assert f'data-label="Deliveries" class="ps-numeric">{expected.delivery_count}</td>' in body
    assert expected.delivery_count == 1
    # Nonsense in the filters is ignored, never a 500.
    assert client.get(LIST, {"status": "nonsense", "q": "\x00", "page": "x"}).status_code == 200
    assert draft.pk


def test_the_list_runs_the_same_queries_for_3_or_30_products(client_for, personas):
    client = client_for("alice")
    for n in range(3):
        _product(personas, title=f"Course {n:02d}")
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for n in range(3, 30):
        _product(personas, title=f"Course {n:02d}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert "30 learning products" in _text(response)
    assert len(many) == len(few)


def test_the_list_paginates_at_50(client_for, personas):
    for n in range(51):
        LearningProduct.objects.create(
            organisation=personas.council_a,
            slug=f"course-{n}",
            title=f"Course {n:02d}",
            aims="Aims",
            audience="Everyone",
        )
    client = client_for("alice")
    first = _text(client.get(LIST))
    assert "Course 49" in first
    assert "Course 50" not in first
    assert "Course 50" in _text(client.get(LIST, {"page": 2}))


# ---------------------------------------------------------------------------------------------
# One product


def test_the_product_page_shows_everything_about_it(client_for, personas, samples):
    product = samples["product"]
    material = samples["material"]
    material.needs_updating_since = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    material.needs_updating_reason = "A quoted contribution was withdrawn."
    material.save()
    response = client_for("alice").get(_url("product_detail", product.pk))
    body = response.content.decode()
    page = _text(response)
    assert "Published" in page
    assert product.aims in page
    assert product.session_plan in page
    assert "Alice Anderson" in page
    assert f"Outcome of {product.title}" in page
    assert "Needs updating" in page
    assert "ds_tag--red" in body
    assert "A quoted contribution was withdrawn." in page
    assert _url("delivery_detail", samples["delivery"].pk) in body
    assert _url("delivery_create", product.pk) in body
    assert _url("material_download", material.pk) in body
    assert _url("version_detail", samples["version"].pk) in body


def test_the_attendance_table_counts_each_site_and_the_total(client_for, personas):
    """Site | Session 1 | Session 2, and a total row, from the attendance records."""
    product = _product(personas)
    sites = [personas.council_a, personas.council_b]
    _delivery(product, sites[0], "Spring", people_there=[4, 3], booked=5)
    _delivery(product, sites[1], "Autumn", people_there=[2, 2], booked=3)
    table = selectors.product_attendance_totals(user=personas.alice, product=product)
    assert [(row.site, row.attended) for row in table.rows] == sorted(
        [(sites[0].name, {1: 4, 2: 3}), (sites[1].name, {1: 2, 2: 2})]
    )
    assert table.totals == {1: 6, 2: 5}
    body = client_for("alice").get(_url("product_detail", product.pk)).content.decode()
    total_row = body[body.index("<tfoot>") : body.index("</tfoot>")]
    assert re.findall(r"<strong>(\d+)</strong>", total_row) == ["6", "5"]
    full = client_for("alice").get(_url("product_attendance", product.pk))
    page = _text(full)
    assert "6 of 8 (75%)" in page  # session 1: 6 there of 8 booked
    assert "5 of 8 (62%)" in page
    assert "session 1: 6 people there; session 2: 5 people there" in page
    assert f"{_url('product_attendance_export', product.pk)}?format=xlsx" in full.content.decode()
    chart = client_for("alice").get(_url("product_attendance", product.pk), {"chart": "svg"})
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert b'role="img"' in chart.content
    assert b"Session 2" in chart.content


def test_a_product_never_taught_has_no_table_or_chart(client_for, personas):
    product = _product(personas)
    client = client_for("alice")
    assert "has not been delivered yet" in _text(client.get(_url("product_attendance", product.pk)))
    response = client.get(_url("product_attendance", product.pk), {"chart": "svg"})
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Status and versions


@pytest.mark.parametrize(
    ("start", "to", "expected"),
    [("draft", "published", "published"), ("published", "retired", "retired")],
)
def test_alice_changes_the_status_after_confirming(client_for, personas, start, to, expected):
    product = _product(personas)
    if start == "published":
        services.product_status_set(actor=personas.alice, product=product, status="published")
    client = client_for("alice")
    confirm = _text(client.get(_url("product_status", product.pk), {"to": to}))
    assert "What would you like to do?" in confirm
    response = client.post(_url("product_status", product.pk), {"status": to})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == expected
    if expected == "published":
        assert selectors.version_current(product=product).published_at is not None


def test_choosing_no_status_is_a_kind_message(client_for, personas):
    product = _product(personas)
    response = client_for("alice").post(_url("product_status", product.pk), {})
    assert "Choose what to do with the product" in _text(response)
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT


def test_a_new_version_copies_the_outcomes_and_materials(client_for, personas, samples):
    product = samples["product"]
    version = samples["version"]
    services.version_publish(actor=personas.alice, version=version)
    client = client_for("alice")
    assert "What will change in this version?" in _text(
        client.get(_url("version_create", product.pk))
    )
    response = client.post(
        _url("version_create", product.pk), {"changes": "Outcome 1 reworded after feedback"}
    )
    new = ProductVersion.objects.get(product=product, number=2)
    assert response["Location"] == _url("version_detail", new.pk)
    assert new.changes == "Outcome 1 reworded after feedback"
    assert new.published_at is None
    assert [o.text for o in new.outcomes.all()] == [o.text for o in version.outcomes.all()]
    copy = new.materials.get()
    original = samples["material"]
    assert copy.title == original.title
    assert copy.pk != original.pk
    assert set(copy.quote_links.values_list("contribution_id", flat=True)) == set(
        original.quote_links.values_list("contribution_id", flat=True)
    )
    # The version before is untouched, and the product page lists both.
    assert version.materials.get() == original
    page = _text(client.get(_url("product_detail", product.pk)))
    assert "Outcome 1 reworded after feedback" in page
    assert "Version 2" in page


def test_no_second_draft_version_while_one_is_a_draft(client_for, personas):
    product = _product(personas)
    client = client_for("alice")
    page = _text(client.get(_url("version_create", product.pk)))
    assert "Version 1 is still a draft" in page
    response = client.post(_url("version_create", product.pk), {"changes": "More"})
    assert response.status_code == 200
    assert "Version 1 is still a draft: change it, or publish it first." in _text(response)
    assert product.versions.count() == 1


def test_a_locked_version_refuses_outcome_changes(client_for, personas, samples):
    """The sample version has been taught (it has a delivery): its outcomes stay."""
    version = samples["version"]
    before = [o.text for o in version.outcomes.all()]
    client = client_for("alice")
    page = _text(client.get(_url("version_outcomes", version.pk)))
    assert "has been published or taught, so its outcomes stay as they were" in page
    assert (
        _url("version_create", samples["product"].pk)
        in client.get(_url("version_outcomes", version.pk)).content.decode()
    )
    response = client.post(_url("version_outcomes", version.pk), {"outcome_1": "Changed"})
    assert response.status_code == 200
    assert "Nothing was changed" in _text(response)
    assert [o.text for o in version.outcomes.all()] == before


def test_a_draft_version_takes_new_outcomes_in_order(client_for, personas):
    product = _product(personas, outcomes=["One"])
    version = selectors.version_current(product=product)
    client = client_for("alice")
    response = client.post(
        _url("version_outcomes", version.pk),
        {"outcome_1": "", "outcome_2": "Alpha", "outcome_5": "Beta"},
    )
    assert response.status_code == 302
    saved = LearningOutcome.objects.filter(version=version)
    assert [(o.position, o.text) for o in saved] == [(1, "Alpha"), (2, "Beta")]
    empty = client.post(_url("version_outcomes", version.pk), {"outcome_1": " "})
    assert "Add at least one intended learning outcome." in _text(empty)
    assert LearningOutcome.objects.filter(version=version).count() == 2


def test_publishing_a_version_asks_first(client_for, personas):
    product = _product(personas)
    version = selectors.version_current(product=product)
    client = client_for("alice")
    assert "Publish version 1?" in _text(client.get(_url("version_publish", version.pk)))
    version.refresh_from_db()
    assert version.published_at is None
    assert client.post(_url("version_publish", version.pk)).status_code == 302
    version.refresh_from_db()
    product.refresh_from_db()
    assert version.published_at is not None
    assert product.status == ProductStatus.PUBLISHED
    again = client.get(_url("version_publish", version.pk))
    assert again.status_code == 302


# ---------------------------------------------------------------------------------------------
# The co-design record


@pytest.fixture
def shaped(personas, samples):
    """An activity with two contributions: Ruth's (she agrees to be quoted inside the
    organisation) and one from a group."""
    activity = make.activity(personas.council_a, "Co-design day")
    ruth = make.person(personas.council_a, "Ruth Campbell")
    make.consent(ruth, ConsentPurpose.QUOTE_INTERNAL)
    said = make.contribution(activity, person=ruth, text="Tell us what happens next")
    group = make.contribution(activity, text="Use plain words")
    return {"activity": activity, "ruth": ruth, "said": said, "group": group}


def test_alice_records_who_shaped_the_product(client_for, personas, samples, shaped):
    product = samples["product"]
    client = client_for("alice")
    page = client.get(_url("product_co_design", product.pk)).content.decode()
    assert "Tell us what happens next" in page
    assert "Use plain words" in page
    response = client.post(
        _url("product_co_design", product.pk),
        {
            "activities": [shaped["activity"].pk],
            "contributions": [shaped["said"].pk, shaped["group"].pk],
        },
    )
    assert response.status_code == 302
    assert list(product.shaped_by_activities.all()) == [shaped["activity"]]
    detail = client.get(_url("product_detail", product.pk))
    text = _text(detail)
    assert "Co-design day" in text
    assert "Tell us what happens next" in text
    assert "Use plain words" in text
    assert reverse("engagement:activity_detail", args=[shaped["activity"].pk]) in (
        detail.content.decode()
    )
    # Search finds one, and the ticked ones stay on the page.
    found = _text(client.get(_url("product_co_design", product.pk), {"q": "plain"}))
    assert "Use plain words" in found


def test_contributions_that_can_no_longer_be_shown_are_counted_not_shown(
    client_for, personas, samples, shaped
):
    product = samples["product"]
    services.co_design_set(
        actor=personas.alice, product=product, contributions=[shaped["said"], shaped["group"]]
    )
    engagement_services.contribution_withdraw(
        user=personas.alice, contribution=shaped["said"], by_person=False
    )
    client = client_for("alice")
    page = _text(client.get(_url("product_detail", product.pk)))
    assert "Tell us what happens next" not in page
    assert "1 contribution recorded can no longer be shown" in page
    assert "Use plain words" in page
    # Saving the record keeps the hidden one, unseen.
    form = client.get(_url("product_co_design", product.pk)).content.decode()
    assert "Tell us what happens next" not in form
    client.post(_url("product_co_design", product.pk), {"contributions": [shaped["group"].pk]})
    assert set(product.shaped_by_contributions.values_list("pk", flat=True)) == {
        shaped["said"].pk,
        shaped["group"].pk,
    }


def test_a_contribution_not_agreed_for_use_cannot_be_added(client_for, personas, samples):
    activity = make.activity(personas.council_a, "Another day")
    sam = make.person(personas.council_a, "Sam Reid")  # no consent to be quoted at all
    unagreed = make.contribution(activity, person=sam, text="Not for sharing")
    client = client_for("alice")
    assert (
        "Not for sharing"
        not in client.get(_url("product_co_design", samples["product"].pk)).content.decode()
    )
    response = client.post(
        _url("product_co_design", samples["product"].pk), {"contributions": [unagreed.pk]}
    )
    assert response.status_code == 200
    assert unagreed.reference in _text(response)
    assert not samples["product"].shaped_by_contributions.exists()


def test_another_councils_contribution_cannot_be_added(client_for, personas, samples):
    theirs = make.contribution(make.activity(personas.council_b, "B's day"), text="From B")
    response = client_for("alice").post(
        _url("product_co_design", samples["product"].pk), {"contributions": [theirs.pk]}
    )
    assert "Choose your organisation's own contributions." in _text(response)
    assert not samples["product"].shaped_by_contributions.exists()


# ---------------------------------------------------------------------------------------------
# Who may do what


CHANGE_PAGES = [
    ("product_edit", "product", _form(title="Bob changed it")),
    ("product_status", "product", {"status": "retired"}),
    ("product_co_design", "product", {"activities": []}),
    ("version_create", "product", {"changes": "Bob's version"}),
    ("version_outcomes", "version", {"outcome_1": "Bob's outcome"}),
    ("version_publish", "version", {}),
]
READ_PAGES = [
    ("product_list", None),
    ("product_detail", "product"),
    ("product_attendance", "product"),
    ("version_detail", "version"),
]


def _page_url(name, key, samples):
    return reverse(f"learning:{name}", args=[samples[key].pk] if key else [])


def test_bob_reads_products_and_gets_404_on_every_change_page(client_for, personas, samples):
    client = client_for("bob")
    for name, key in READ_PAGES:
        response = client.get(_page_url(name, key, samples))
        assert response.status_code == 200, name
    detail = client.get(_url("product_detail", samples["product"].pk)).content.decode()
    assert _url("product_edit", samples["product"].pk) not in detail
    assert client.get(CREATE).status_code == 404
    assert client.post(CREATE, _form(owner=personas.bob)).status_code == 404
    for name, key, data in CHANGE_PAGES:
        url = _page_url(name, key, samples)
        assert client.get(url).status_code == 404, name
        assert client.post(url, data).status_code == 404, name
    _nothing_changed(samples)


@pytest.mark.parametrize("persona", ["charlie", "erin"])
def test_other_councils_and_experts_by_experience_get_404(client_for, samples, persona):
    client = client_for(persona)
    for name, key in READ_PAGES:
        if key is None and persona == "charlie":
            page = client.get(_page_url(name, key, samples))
            assert page.status_code == 200  # his own council's list: none of council A's
            assert MARKER not in page.content.decode()
            continue
        assert client.get(_page_url(name, key, samples)).status_code == 404, name
    for name, key, data in CHANGE_PAGES:
        url = _page_url(name, key, samples)
        assert client.get(url).status_code == 404, name
        assert client.post(url, data).status_code == 404, name
    _nothing_changed(samples)


def _nothing_changed(samples):
    product = LearningProduct.objects.get(pk=samples["product"].pk)
    assert product.title == samples["product"].title
    assert product.status == ProductStatus.PUBLISHED
    assert product.versions.count() == 1
    assert not product.shaped_by_activities.exists()
    assert [o.text for o in samples["version"].outcomes.all()] == [f"Outcome of {product.title}"]
    assert ProductVersion.objects.get(pk=samples["version"].pk).published_at is None
    assert not LearningProduct.objects.filter(title="Sharing power in practice").exists()
    assert Material.objects.filter(pk=samples["material"].pk).exists()
