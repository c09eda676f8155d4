"""The ladder of participation report: per organisation and year, where staff placed the
activities and how much say the people who took part felt they had, as a table, a chart and a
sentence, all from the same numbers."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from powershare.engagement.models import (
    Activity,
    ActivityKind,
    ActivitySetting,
    Invitation,
    InvitationStatus,
    Ladder,
)
from powershare.people.models import Person

SVG = "{http://www.w3.org/2000/svg}"
YEAR = 2025


def _arnstein():
    return Ladder.objects.get(organisation=None, slug="arnstein")


def _activity(organisation, position, *, year=YEAR, title="An activity", **extra):
    ladder = extra.pop("ladder", None) or _arnstein()
    day = datetime.date(year, 3, 10)
    return Activity.objects.create(
        organisation=organisation,
        title=title,
        purpose="To learn",
        kind=ActivityKind.FOCUS_GROUP,
        starts_on=day,
        ends_on=day,
        setting=ActivitySetting.ONLINE,
        feedback_due_on=day + datetime.timedelta(days=28),
        ladder=ladder,
        rung=ladder.rungs.get(position=position),
        **extra,
    )


def _felt(activity, position, name):
    person = Person.objects.create(organisation=activity.organisation, full_name=name)
    return Invitation.objects.create(
        activity=activity,
        person=person,
        status=InvitationStatus.ACCEPTED,
        felt_rung=activity.ladder.rungs.get(position=position),
    )


@pytest.fixture
def year_of_activities(personas):
    """Council A in 2025: three activities at Consultation, one at Partnership; two people
    who took part said Informing. A cancelled one, one from 2024 and council B's are left out."""
    a = personas.council_a
    consultations = [_activity(a, 4, title=f"Consultation {n}") for n in range(3)]
    _activity(a, 6, title="Partnership")
    _felt(consultations[0], 3, "Ailsa")
    _felt(consultations[1], 3, "Brodie")
    _activity(
        a, 1, title="Cancelled", cancelled_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    )
    _activity(a, 8, year=2024, title="Last year")
    _activity(personas.council_b, 8, title="Council B's")
    return consultations


def _report(client, personas, **params):
    return client.get(
        reverse("engagement:ladder_report"),
        {"organisation": personas.council_a.pk, "year": YEAR, **params},
    )


def _row(page, rung_label):
    return page.split(f">{rung_label}</th>")[1].split("</tr>")[0]


def test_the_table_counts_each_rung_from_the_data(client_for, personas, year_of_activities):
    page = _report(client_for("alice"), personas).content.decode()
    assert "Arnstein&#x27;s ladder of citizen participation" in page
    assert "3 of 4 (75%)" in _row(page, "4. Consultation")
    assert "1 of 4 (25%)" in _row(page, "6. Partnership")
    assert "2 of 2 (100%)" in _row(page, "3. Informing")
    # Nothing from the cancelled activity, last year's or council B's.
    assert "0 of 4 (0%)" in _row(page, "8. Citizen control")
    assert "0 of 4 (0%)" in _row(page, "1. Manipulation")
    assert "4 activities and 2 answers" in page
    assert (
        "Most activities (3 of 4) sat at Consultation; people who took part most often said "
        "Informing (2 of 2)." in page
    )
    # The top of the ladder first, as a ladder reads.
    assert page.index("8. Citizen control") < page.index("1. Manipulation")
    assert "Hart" not in page  # only ladders used that year


def test_the_chart_is_linked_with_the_same_question_and_a_summary_for_alt_text(
    client_for, personas, year_of_activities
):
    page = _report(client_for("alice"), personas).content.decode()
    chart = (
        f"{reverse('engagement:ladder_chart')}?organisation={personas.council_a.pk}"
        f"&amp;year={YEAR}&amp;ladder={_arnstein().pk}"
    )
    assert f'<img src="{chart}"' in page
    alt = page.split(f'<img src="{chart}" alt="')[1].split('"')[0]
    assert "Most activities (3 of 4) sat at Consultation" in alt


def test_the_chart_draws_the_same_numbers(client_for, personas, year_of_activities):
    response = client_for("alice").get(
        reverse("engagement:ladder_chart"),
        {"organisation": personas.council_a.pk, "year": YEAR, "ladder": _arnstein().pk},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "private" in response["Cache-Control"]
    root = ET.fromstring(response.content)  # noqa: S314 - our own drawing
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title").text
    assert title == f"Arnstein's ladder of citizen participation: Aberdeen City, {YEAR}"
    assert "Most activities (3 of 4) sat at Consultation" in root.find(f"{SVG}desc").text
    texts = [t.text for t in root.iter(f"{SVG}text") if t.text]
    for label in (
        "3 of 4 (75%)",
        "1 of 4 (25%)",
        "2 of 2 (100%)",
        "4. Consultation",
        "8. Citizen control",
        "Activities, as staff placed them (4)",
        "What people who took part said (2)",
    ):
        assert label in texts, label
    assert texts.index("8. Citizen control") < texts.index("1. Manipulation")


def test_another_year_is_empty_and_says_so(client_for, personas, year_of_activities):
    page = _report(client_for("alice"), personas, year=2019).content.decode()
    assert "No activities of Aberdeen City Council started in 2019" in page
    assert "<img" not in page


def test_the_year_list_offers_years_with_activities(client_for, personas, year_of_activities):
    page = _report(client_for("alice"), personas).content.decode()
    assert '<option value="2025" selected>' in page
    assert '<option value="2024">' in page


def test_ties_are_named_together(personas, year_of_activities):
    from powershare.engagement import selectors
    from powershare.engagement.views import ladder_summary

    _activity(personas.council_a, 6, title="Another partnership")
    _activity(personas.council_a, 6, title="A third partnership")
    report = selectors.ladder_report(
        user=personas.alice, organisation_id=personas.council_a.pk, year=YEAR
    )[0]
    assert ladder_summary(report).startswith(
        "Activities sat most often at Consultation and Partnership (3 of 6 each)"
    )


def test_bob_may_read_the_report(client_for, personas, year_of_activities):
    client = client_for("bob")
    assert "3 of 4 (75%)" in _report(client, personas).content.decode()
    chart = client.get(
        reverse("engagement:ladder_chart"),
        {"organisation": personas.council_a.pk, "year": YEAR, "ladder": _arnstein().pk},
    )
    assert chart.status_code == 200


def test_charlie_gets_404_for_council_as_report_and_chart(client_for, personas, year_of_activities):
    client = client_for("charlie")
    assert _report(client, personas).status_code == 404
    chart = client.get(
        reverse("engagement:ladder_chart"),
        {"organisation": personas.council_a.pk, "year": YEAR, "ladder": _arnstein().pk},
    )
    assert chart.status_code == 404
    # His own council's report shows his own activity only.
    own = client.get(reverse("engagement:ladder_report"), {"year": YEAR}).content.decode()
    assert "1 activity and 0 answers" in own
    assert "The only activity sat at Citizen control;" in own


@pytest.mark.parametrize("persona", ["nina", "erin"])
def test_people_without_activities_get_404(client_for, personas, year_of_activities, persona):
    client = client_for(persona)
    assert client.get(reverse("engagement:ladder_report")).status_code == 404
    chart = client.get(
        reverse("engagement:ladder_chart"),
        {"organisation": personas.council_a.pk, "year": YEAR, "ladder": _arnstein().pk},
    )
    assert chart.status_code == 404


def test_bad_parameters_are_404_never_an_error(client_for, personas, year_of_activities):
    client = client_for("alice")
    url = reverse("engagement:ladder_chart")
    a = personas.council_a.pk
    ladder = _arnstein().pk
    hart = Ladder.objects.get(organisation=None, slug="hart").pk
    for params in (
        {},
        {"organisation": a, "year": YEAR},
        {"organisation": a, "year": YEAR, "ladder": "abc"},
        {"organisation": a, "year": YEAR, "ladder": hart},  # not used that year
        {"organisation": a, "year": "20x5", "ladder": ladder},
        {"organisation": a, "year": "99999999999999999999", "ladder": ladder},
        {"organisation": "abc", "year": YEAR, "ladder": ladder},
        {"organisation": personas.council_b.pk, "year": YEAR, "ladder": ladder},
        {"organisation": a, "year": 2019, "ladder": ladder},
    ):
        assert client.get(url, params).status_code == 404, params
    report = reverse("engagement:ladder_report")
    for params in ({"year": "abc"}, {"organisation": "999999"}, {"organisation": "-1"}):
        assert client.get(report, params).status_code == 404, params
