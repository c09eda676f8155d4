"""Frameworks and their versions: who reads which version, publishing a new one from the form
(rename, reorder, move, retire, add), its error messages, and the rule that matters most:
editing the framework never changes a past self-assessment."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from powershare.improvement import selectors, services
from powershare.improvement.framework_forms import VersionPublishForm
from powershare.improvement.models import Driver, FrameworkVersion, SelfAssessment
from tests.personas import MARKER

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def _default(samples) -> FrameworkVersion:
    return (
        FrameworkVersion.objects.filter(framework=samples["framework"], organisation=None)
        .order_by("-number")
        .first()
    )


def _form_data(version: FrameworkVersion, **changes) -> dict:
    """What the publish form sends unchanged (every field as prefilled), with changes."""
    form = VersionPublishForm(version=selectors.version_with_content(version.pk))
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    data["change_note"] = "Changed for the test."
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def _row(version, key: str, kind: str = "driver") -> str:
    """The form prefix of a kept row: its position in the version, as the form numbers it."""
    version = selectors.version_with_content(version.pk)
    if kind == "driver":
        keys = [d.key for s in version.stages.all() for d in s.drivers.all()]
        return f"d{keys.index(key) + 1}"
    if kind == "stage":
        return f"s{[s.key for s in version.stages.all()].index(key) + 1}"
    return f"p{[p.key for p in version.principles.all()].index(key) + 1}"


def _publish_url(samples) -> str:
    return reverse("improvement:version_publish", args=[samples["framework"].pk])


# ---------------------------------------------------------------------------------------------
# Who reads what


def test_staff_who_see_improvement_read_the_frameworks(client_for, samples):
    for persona in ("alice", "bob", "admin", "nina"):
        client = client_for(persona)
        listing = client.get(reverse("improvement:framework_list"))
        assert listing.status_code == 200, persona
        assert "Roadmap for trauma-informed and responsive change" in _text(listing)
        detail = client.get(reverse("improvement:framework_detail", args=[samples["framework"].pk]))
        assert detail.status_code == 200, persona


def test_council_a_sees_its_own_version_in_use_with_stages_drivers_and_principles(
    client_for, samples
):
    page = _text(
        client_for("bob").get(
            reverse("improvement:framework_detail", args=[samples["framework"].pk])
        )
    )
    version = samples["framework_version"]
    assert f"Version {version.number}</a> (your organisation's own)" in page
    assert f"Budget {MARKER}" in page
    assert "Creating the right conditions" in page
    assert "Trustworthiness" in page
    # The history lists the shipped default and council A's own.
    assert "PowerShare (everyone's starting point)" in page
    assert f"Renamed budget {MARKER}" in page


def test_charlie_reads_the_shipped_roadmap_but_never_council_a_version(client_for, samples):
    client = client_for("charlie")
    detail = client.get(reverse("improvement:framework_detail", args=[samples["framework"].pk]))
    assert detail.status_code == 200
    assert MARKER not in _text(detail)
    assert ">Budget<" in _text(detail)
    own = client.get(reverse("improvement:version_detail", args=[samples["framework_version"].pk]))
    assert own.status_code == 404
    shipped = client.get(reverse("improvement:version_detail", args=[_default(samples).pk]))
    assert shipped.status_code == 200


def test_an_expert_by_experience_sees_no_framework_pages(client_for, samples):
    client = client_for("erin")
    assert client.get(reverse("improvement:framework_list")).status_code == 404
    assert (
        client.get(
            reverse("improvement:framework_detail", args=[samples["framework"].pk])
        ).status_code
        == 404
    )


def test_only_administrators_are_offered_and_may_open_the_publish_page(client_for, samples):
    detail = reverse("improvement:framework_detail", args=[samples["framework"].pk])
    for persona in ("alice", "bob", "charlie", "nina"):
        client = client_for(persona)
        assert "Publish a new version" not in _text(client.get(detail)), persona
        assert client.get(_publish_url(samples)).status_code == 404, persona
        assert client.post(_publish_url(samples), {"change_note": "x"}).status_code == 404
    admin = client_for("admin")
    assert "Publish a new version" in _text(admin.get(detail))
    form = admin.get(_publish_url(samples))
    assert form.status_code == 200
    # Prefilled from council A's own current version.
    assert f'value="Budget {MARKER}"' in _text(form)


def test_another_councils_administrator_starts_from_the_shipped_version(client_for, samples):
    form = client_for("dora").get(_publish_url(samples))
    assert form.status_code == 200
    assert MARKER not in _text(form)
    assert 'value="Budget"' in _text(form)


# ---------------------------------------------------------------------------------------------
# Publishing


def test_publishing_renames_reorders_moves_retires_and_adds(client_for, samples, personas):
    current = samples["framework_version"]
    leadership = _row(current, "leadership-culture")
    budget = _row(current, "budget")
    design = _row(current, "service-design")
    sustaining = _row(current, "sustaining-change", "stage")
    data = _form_data(
        current,
        **{
            f"{leadership}-name": "Leaders and culture",
            f"{budget}-retire": "on",
            # Moved to the third stage, and put first there.
            f"{design}-stage": "sustaining-change",
            f"{design}-order": "1",
            # A new stage at the end, with a new driver in it.
            "sx1-name": "Looking outwards",
            "sx1-order": "9",
            "dx1-name": "Housing and partners",
            "dx1-stage": "new-1",
            "px1-name": "Cultural humility",
            f"{sustaining}-name": "Keeping change going",
        },
    )
    response = client_for("admin").post(_publish_url(samples), data)
    assert response.status_code == 302, _text(response)[:2000]
    new = FrameworkVersion.objects.get(framework=samples["framework"], number=current.number + 1)
    assert new.organisation == personas.council_a
    assert new.change_note == "Changed for the test."
    assert response["Location"] == reverse("improvement:version_detail", args=[new.pk])
    stages = list(new.stages.order_by("order").values_list("key", "name"))
    assert stages[-1] == ("looking-outwards", "Looking outwards")
    assert ("sustaining-change", "Keeping change going") in stages
    drivers = {d.key: d for d in new.drivers.select_related("stage")}
    assert "budget" not in drivers
    assert drivers["leadership-culture"].name == "Leaders and culture"
    assert drivers["service-design"].stage.key == "sustaining-change"
    assert drivers["service-design"].order == 1
    assert drivers["feedback-improvement"].order == 2
    assert drivers["housing-and-partners"].stage.key == "looking-outwards"
    assert len(drivers) == 8  # 8 - 1 retired + 1 new
    assert new.principles.filter(name="Cultural humility").exists()
    # The version it came from is untouched.
    assert Driver.objects.filter(version=current, key="budget", name=f"Budget {MARKER}").exists()
    assert (
        selectors.version_current(
            framework=samples["framework"], organisation_id=personas.council_a.pk
        )
        == new
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"d1-name": ""},
            "Driver 1: enter its name, or tick “Retire this driver” to leave it out.",
        ),
        ({"dx1-name": "Housing"}, "New driver 1: choose the stage it belongs to."),
        (
            {"s3-retire": "on"},
            "its stage is being retired or has no name. Choose another stage.",
        ),
        ({"dx1-name": "housing", "dx1-stage": "new-1"}, "its stage is being retired or has"),
        ({"d2-name": "Budget " + MARKER}, "already has this name. Give each a different name."),
        ({"change_note": ""}, "Say in a sentence what changed in this version."),
        ({"d1-order": "many"}, "Driver 1: enter the position as a whole number."),
        ({"d1-stage": "nowhere"}, "Driver 1: choose a stage from the list."),
        ({"dx2-description": "No name"}, "New driver 2: enter its name, or clear the row."),
    ],
)
def test_a_mistake_is_explained_on_its_row_and_nothing_typed_is_lost(
    client_for, samples, changes, message
):
    current = samples["framework_version"]
    data = _form_data(current, **changes, **{"d4-description": "Typed and kept"})
    before = FrameworkVersion.objects.count()
    response = client_for("admin").post(_publish_url(samples), data)
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert message in page
    assert "Typed and kept" in page
    assert FrameworkVersion.objects.count() == before


def test_every_driver_retired_is_refused(client_for, samples):
    current = samples["framework_version"]
    data = _form_data(current, **{f"d{n}-retire": "on" for n in range(1, 9)})
    response = client_for("admin").post(_publish_url(samples), data)
    assert response.status_code == 200
    assert "Keep at least one driver" in _text(response)


def test_a_version_published_meanwhile_is_not_overwritten(client_for, samples, personas):
    current = samples["framework_version"]
    data = _form_data(current, **{"d1-name": "Mine"})
    client = client_for("admin")
    assert client.post(_publish_url(samples), _form_data(current)).status_code == 302
    response = client.post(_publish_url(samples), data)
    assert response.status_code == 200
    assert "was published while you were making changes" in _text(response)
    assert not Driver.objects.filter(name="Mine").exists()


def test_sending_the_form_twice_publishes_one_version(client_for, samples):
    current = samples["framework_version"]
    data = _form_data(current, form_token="same-token-123")
    client = client_for("admin")
    first = client.post(_publish_url(samples), data)
    second = client.post(_publish_url(samples), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert FrameworkVersion.objects.filter(number=current.number + 1).count() == 1


def test_a_new_driver_never_takes_the_key_of_one_kept(samples, personas):
    """A new driver whose name makes the same key as a kept one, listed first, gets a key of
    its own: the kept driver stays comparable with past assessments."""
    current = samples["framework_version"]
    stages = [{"key": s.key, "name": s.name} for s in current.stages.all()]
    drivers = [{"key": "", "name": "Budget!", "stage_key": stages[0]["key"]}] + [
        {"key": d.key, "name": d.name, "stage_key": d.stage.key}
        for d in current.drivers.select_related("stage")
    ]
    version = services.framework_version_publish(
        actor=personas.admin,
        framework=samples["framework"],
        organisation=personas.council_a,
        stages=stages,
        drivers=drivers,
        principles=[{"key": p.key, "name": p.name} for p in current.principles.all()],
    )
    assert version.drivers.get(key="budget").name == f"Budget {MARKER}"
    assert version.drivers.get(name="Budget!").key == "budget-2"


# ---------------------------------------------------------------------------------------------
# Past assessments keep their version


def _rate_all(assessment, personas, rating_for=lambda n: n % 5):
    services.ratings_record(
        actor=personas.alice,
        assessment=assessment,
        ratings={
            r.pk: {"rating": rating_for(n), "evidence": f"Seen {n}"}
            for n, r in enumerate(
                assessment.ratings.order_by("driver__stage__order", "driver__order")
            )
        },
    )


def test_editing_the_framework_does_not_change_a_past_assessment(client_for, samples, personas):
    alice = client_for("alice")
    today = timezone.localdate()
    past = services.assessment_start(
        actor=personas.alice,
        organisation=personas.council_a,
        period="2025/26 before the change",
        assessed_on=today - datetime.timedelta(days=10),
    )
    _rate_all(past, personas)
    services.assessment_agree(actor=personas.alice, assessment=past)
    past_url = reverse("improvement:assessment_detail", args=[past.pk])
    before = _text(alice.get(past_url))
    assert "8 of 8 drivers" in before
    assert "Leadership and organisational culture" in before
    assert f"Budget {MARKER}" in before
    ratings_before = list(
        past.ratings.order_by("pk").values_list("driver__name", "rating", "evidence")
    )

    # The administrator renames one driver and retires another.
    current = samples["framework_version"]
    data = _form_data(
        current,
        **{
            f"{_row(current, 'leadership-culture')}-name": "Leaders and culture",
            f"{_row(current, 'budget')}-retire": "on",
        },
    )
    assert client_for("admin").post(_publish_url(samples), data).status_code == 302
    new_version = FrameworkVersion.objects.get(number=current.number + 1)
    alice = client_for("alice")  # the same test client, signed in as alice again

    # The past assessment reads exactly as it did.
    past.refresh_from_db()
    assert past.version_id == current.pk
    after = _text(alice.get(past_url))
    assert "8 of 8 drivers" in after
    assert "Leadership and organisational culture" in after
    assert f"Budget {MARKER}" in after
    assert "Leaders and culture" not in after.split('id="heat-map"')[0]
    assert (
        list(past.ratings.order_by("pk").values_list("driver__name", "rating", "evidence"))
        == ratings_before
    )

    # A new assessment uses the new version: 7 drivers, the new name, no budget.
    response = alice.post(
        reverse("improvement:assessment_create"),
        {"period": "2026/27 after the change", "assessed_on": today.isoformat()},
    )
    assert response.status_code == 302
    new = SelfAssessment.objects.get(period="2026/27 after the change")
    assert new.version == new_version
    names = set(new.ratings.values_list("driver__name", flat=True))
    assert len(names) == 7
    assert "Leaders and culture" in names
    assert f"Budget {MARKER}" not in names
    # Compared by key across versions: leadership carries on, budget is retired.
    page = _text(alice.get(reverse("improvement:assessment_detail", args=[new.pk])))
    comparison = page.split('id="comparison"')[1].split('id="heat-map"')[0]
    assert "2025/26 before the change" in comparison
    assert "Leaders and culture" in comparison
    assert f"Budget {MARKER}" in comparison
    assert "Retired driver" in comparison


def test_a_retired_row_may_be_left_without_a_name_and_a_kept_one_is_explained_once(
    client_for, samples
):
    current = samples["framework_version"]
    client = client_for("admin")
    unnamed = _form_data(current, **{"d1-name": ""})
    page = _text(client.post(_publish_url(samples), unnamed))
    message = "Driver 1: enter its name, or tick “Retire this driver” to leave it out."
    assert page.count(message) == 2  # the summary and the field
    retired = _form_data(current, **{"d1-name": "", "d1-retire": "on"})
    assert client.post(_publish_url(samples), retired).status_code == 302
