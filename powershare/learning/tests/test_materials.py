"""Learning materials: adding one (its file checked by name and first bytes) with the
contributions it quotes, only as far as each person agreed; the flag "needs updating" when a
quoted contribution is withdrawn, has words removed or its use narrowed below the material's,
with the product's owner told by email; clearing the flag once updated; removing; downloading;
and the list of materials that need updating. As alice, bob (reads and downloads, changes
nothing), charlie and erin."""

import datetime
import html as html_lib
import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.engagement import services as engagement_services
from powershare.engagement.models import UseLevel
from powershare.engagement.tests import factories as make
from powershare.learning import selectors, services
from powershare.learning.models import Material, MaterialKind
from powershare.lib.uploads import upload_check
from powershare.people.models import ConsentPurpose
from tests.personas import MARKER

PDF = b"%PDF-1.4 a handout about listening"
NEEDS = reverse("learning:materials_needing_update")


def _text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"</?(strong|span|a|em|b)\b[^>]*>", "", body)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _url(name, pk):
    return reverse(f"learning:{name}", args=[pk])


def _pdf(name="handout.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def world(personas):
    """A draft product owned by alice, and three contributions: from a group (usable
    anywhere), from Ruth (who agrees to be quoted anonymously, not by name) and from Sam (who
    has not agreed to be quoted at all)."""
    product = services.product_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        outcomes=["Listen well"],
        title="Listening to young people",
        aims="Aims",
        audience="Social workers",
        sessions_planned=1,
        session_minutes=120,
    )
    version = selectors.version_current(product=product)
    activity = make.activity(personas.council_a, "Young people's panel")
    ruth = make.person(personas.council_a, "Ruth Campbell", credit_as="full_name")
    make.consent(ruth, ConsentPurpose.QUOTE_INTERNAL, ConsentPurpose.QUOTE_ANONYMOUS)
    sam = make.person(personas.council_a, "Sam Reid")
    return {
        "product": product,
        "version": version,
        "group": make.contribution(
            activity, text="Knock before you come in", use_level=UseLevel.PUBLIC
        ),
        "ruth": make.contribution(
            activity, person=ruth, text="Explain the plan twice", use_level=UseLevel.ATTRIBUTED
        ),
        "sam": make.contribution(
            activity, person=sam, text="Never say this aloud", use_level=UseLevel.PUBLIC
        ),
    }


def _material(personas, world, *quotes, use_level=UseLevel.ANONYMISED, title="Handout"):
    return services.material_add(
        actor=personas.alice,
        version=world["version"],
        title=title,
        kind=MaterialKind.HANDOUT,
        upload=_pdf(),
        use_level=use_level,
        quotes=[world[name].pk for name in quotes],
    )


# ---------------------------------------------------------------------------------------------
# Adding


def test_alice_adds_a_material_quoting_what_people_agreed(client_for, personas, world):
    client = client_for("alice")
    page = client.get(_url("material_add", world["version"].pk))
    body = page.content.decode()
    assert "Knock before you come in" in body
    assert "Explain the plan twice" in body
    assert "Never say this aloud" not in body  # Sam hasn't agreed: never offered
    assert "Ruth Campbell" not in body  # anonymised: no one is named
    response = client.post(
        _url("material_add", world["version"].pk),
        {
            "title": "Listening handout",
            "kind": "handout",
            "use_level": "2",
            "quotes": [world["group"].pk, world["ruth"].pk],
            "file": _pdf(),
        },
    )
    assert response.status_code == 302
    material = Material.objects.get(title="Listening handout")
    assert material.version == world["version"]
    assert material.uploaded_by == personas.alice
    assert material.content_type == "application/pdf"
    assert set(material.quote_links.values_list("contribution_id", flat=True)) == {
        world["group"].pk,
        world["ruth"].pk,
    }
    detail = _text(client.get(_url("version_detail", world["version"].pk)))
    assert "Listening handout" in detail
    assert world["ruth"].reference in detail
    download = client.get(_url("material_download", material.pk))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"


def test_with_chosen_credit_names_only_those_who_agreed(client_for, personas, world):
    make.consent(world["ruth"].person, ConsentPurpose.QUOTE_NAMED)
    body = client_for("alice").get(_url("material_add", world["version"].pk), {"use": 3})
    assert "Ruth Campbell" in body.content.decode()


def test_quoting_words_the_person_has_not_agreed_to_is_refused(client_for, personas, world):
    client = client_for("alice")
    response = client.post(
        _url("material_add", world["version"].pk),
        {
            "title": "Typed title",
            "kind": "slides",
            "use_level": "2",
            "quotes": [world["sam"].pk],
            "file": _pdf(),
        },
    )
    assert response.status_code == 200
    page = _text(response)
    assert world["sam"].reference in page
    assert "The person hasn't agreed, or the words were withdrawn." in page
    assert 'href="#id_quotes_0"' in response.content.decode()
    assert "Never say this aloud" not in response.content.decode()
    assert 'value="Typed title"' in response.content.decode()
    assert not Material.objects.filter(title="Typed title").exists()


def test_a_quote_agreed_anonymously_cannot_carry_a_name(client_for, personas, world):
    response = client_for("alice").post(
        _url("material_add", world["version"].pk),
        {
            "title": "Named slides",
            "kind": "slides",
            "use_level": "3",
            "quotes": [world["ruth"].pk],
            "file": _pdf(),
        },
    )
    assert response.status_code == 200
    assert f"with the person's chosen credit): {world['ruth'].reference}" in _text(response)
    assert not Material.objects.filter(title="Named slides").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("slides.exe", b"MZ\x90\x00", "is not one of those"),
        ("handout.pdf", b"\x89PNG\r\n\x1a\n....", "doesn't look like a .pdf file"),
        ("slides.pptx", _zip({"other.xml": "<x/>"}), "doesn't look like a .pptx file"),
    ],
)
def test_a_wrong_file_gives_a_kind_message_and_keeps_what_was_typed(
    client_for, personas, world, name, data, message
):
    response = client_for("alice").post(
        _url("material_add", world["version"].pk),
        {
            "title": "Our slides",
            "kind": "slides",
            "use_level": "2",
            "quotes": [world["group"].pk],
            "file": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in html_lib.unescape(body)
    assert 'href="#id_file"' in body
    assert 'value="Our slides"' in body
    assert re.search(r'value="slides" id="id_kind_0" checked', body)
    assert re.search(rf'value="{world["group"].pk}" id="id_quotes_0" checked', body)
    assert not Material.objects.filter(title="Our slides").exists()


def test_a_missing_title_and_file_are_named(client_for, personas, world):
    response = client_for("alice").post(
        _url("material_add", world["version"].pk), {"kind": "audio", "use_level": "2"}
    )
    page = _text(response)
    assert "Give the material a title" in page
    assert "Choose the file to upload" in page


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        (
            "slides.pptx",
            _zip({"[Content_Types].xml": "<Types/>"}),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            "slides.odp",
            _zip({"mimetype": "application/vnd.oasis.opendocument.presentation"}),
            "application/vnd.oasis.opendocument.presentation",
        ),
        ("film.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "video/mp4"),
        ("voice.m4a", b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00", "audio/mp4"),
        ("voice.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        ("voice.mp3", b"\xff\xfb\x90\x64\x00\x00\x00\x00", "audio/mpeg"),
    ],
)
def test_slides_video_and_audio_are_recognised(name, data, content_type):
    upload = SimpleUploadedFile(name, data)
    _, found = upload_check(
        upload,
        extensions=services.MATERIAL_EXTENSIONS,
        described="a material",
        max_bytes=services.MATERIAL_MAX_BYTES,
    )
    assert found == content_type


@pytest.mark.parametrize(
    ("name", "data"),
    [("film.mp4", b"\x00\x00\x00\x18moov\x00\x00"), ("voice.mp3", b"RIFF\x00\x00\x00\x00WAVE")],
)
def test_media_with_the_wrong_contents_is_refused(name, data):
    with pytest.raises(ValidationError):
        upload_check(
            SimpleUploadedFile(name, data),
            extensions=services.MATERIAL_EXTENSIONS,
            described="a material",
            max_bytes=services.MATERIAL_MAX_BYTES,
        )


# ---------------------------------------------------------------------------------------------
# Needs updating


def _owner_emails():
    return [m for m in mail.outbox if "need" in m.subject and "updating" in m.subject]


def test_withdrawing_a_quoted_contribution_flags_the_material_and_tells_the_owner(
    client_for, personas, world, django_capture_on_commit_callbacks
):
    material = _material(personas, world, "ruth", "group")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.contribution_withdraw(
            user=personas.alice, contribution=world["ruth"], by_person=False
        )
    material.refresh_from_db()
    assert material.needs_updating
    assert "withdrawn" in material.needs_updating_reason
    sent = _owner_emails()
    assert len(sent) == 1
    assert sent[0].to == [personas.alice.email]
    assert "Handout" in sent[0].body
    assert _url("material_edit", material.pk) in sent[0].body
    html = sent[0].alternatives[0][0]
    assert "Handout" in html
    page = _text(client_for("alice").get(_url("product_detail", world["product"].pk)))
    assert "Needs updating" in page
    # The edit page names the withdrawn quote without its words.
    edit = client_for("alice").get(_url("material_edit", material.pk)).content.decode()
    assert world["ruth"].reference in edit
    assert "Explain the plan twice" not in edit
    assert "Knock before you come in" in edit


def test_the_contributor_withdrawing_in_her_portal_flags_the_material_too(
    client_for, personas, samples, django_capture_on_commit_callbacks
):
    """erin withdraws her own words (quoted by the sample handout of her course)."""
    material = samples["erin_material"]
    contribution = material.quote_links.get().contribution
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("erin").post(
            reverse("portal:contribution_withdraw", args=[contribution.pk])
        )
    assert response.status_code in (200, 302)
    material.refresh_from_db()
    assert material.needs_updating
    assert [m.to for m in _owner_emails()] == [[personas.alice.email]]


def test_removing_words_from_a_quote_flags_the_material(
    personas, world, django_capture_on_commit_callbacks
):
    material = _material(personas, world, "group")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.contribution_redact(
            user=personas.alice,
            contribution=world["group"],
            words="Knock",
            reason="Asked",
            by_person=False,
        )
    material.refresh_from_db()
    assert material.needs_updating
    assert "Words were removed" in material.needs_updating_reason
    assert len(_owner_emails()) == 1


def test_narrowing_use_below_the_material_flags_it_and_within_it_does_not(
    personas, world, django_capture_on_commit_callbacks
):
    credited = _material(personas, world, "group", use_level=UseLevel.ATTRIBUTED, title="Named")
    with django_capture_on_commit_callbacks(execute=True):
        # Public to "with chosen credit": still as wide as the material uses it.
        engagement_services.contribution_use_change(
            user=personas.alice,
            contribution=world["group"],
            use_level=UseLevel.ATTRIBUTED,
            by_person=False,
        )
    credited.refresh_from_db()
    assert not credited.needs_updating
    assert _owner_emails() == []
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.contribution_use_change(
            user=personas.alice,
            contribution=world["group"],
            use_level=UseLevel.ANONYMISED,
            by_person=False,
        )
    credited.refresh_from_db()
    assert credited.needs_updating
    assert "no longer be used this widely" in credited.needs_updating_reason
    assert len(_owner_emails()) == 1


def test_updating_the_material_clears_the_flag(
    client_for, personas, world, django_capture_on_commit_callbacks
):
    material = _material(personas, world, "ruth", "group")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.contribution_withdraw(
            user=personas.alice, contribution=world["ruth"], by_person=False
        )
    client = client_for("alice")
    edit = _url("material_edit", material.pk)
    assert "I've updated it" in _text(client.get(edit))
    # Still quoting the withdrawn contribution: refused, by name.
    refused = client.post(
        edit,
        {
            "title": "Handout",
            "kind": "handout",
            "use_level": "2",
            "quotes": [world["ruth"].pk, world["group"].pk],
            "updated": "on",
        },
    )
    assert refused.status_code == 200
    assert world["ruth"].reference in _text(refused)
    material.refresh_from_db()
    assert material.needs_updating
    response = client.post(
        edit,
        {
            "title": "Handout, second edition",
            "kind": "handout",
            "use_level": "2",
            "quotes": [world["group"].pk],
            "updated": "on",
            "file": _pdf("handout-2.pdf", b"%PDF-1.4 without those words"),
        },
    )
    assert response.status_code == 302
    material.refresh_from_db()
    assert not material.needs_updating
    assert material.title == "Handout, second edition"
    assert material.original_name == "handout-2.pdf"
    assert list(material.quote_links.values_list("contribution_id", flat=True)) == [
        world["group"].pk
    ]


def test_showing_the_choices_again_saves_nothing_and_keeps_what_was_typed(
    client_for, personas, world
):
    material = _material(personas, world, "group")
    response = client_for("alice").post(
        _url("material_edit", material.pk),
        {
            "title": "Typed but not saved",
            "kind": "video",
            "use_level": "4",
            "quotes": [world["group"].pk],
            "q": "knock",
            "refresh": "1",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Typed but not saved"' in body
    assert "Nothing is saved yet" in _text(response)
    assert "Knock before you come in" in body
    assert "Explain the plan twice" not in body  # Ruth's words may not be public
    material.refresh_from_db()
    assert material.title == "Handout"


def test_alice_removes_a_material_after_confirming(client_for, personas, world):
    material = _material(personas, world, "group")
    client = client_for("alice")
    assert "You can't undo this." in _text(client.get(_url("material_remove", material.pk)))
    assert Material.objects.filter(pk=material.pk).exists()
    response = client.post(_url("material_remove", material.pk))
    assert response["Location"].startswith(_url("version_detail", world["version"].pk))
    assert not Material.objects.filter(pk=material.pk).exists()


# ---------------------------------------------------------------------------------------------
# The list of materials that need updating


def _flag(material, when):
    Material.objects.filter(pk=material.pk).update(
        needs_updating_since=when, needs_updating_reason="A quoted contribution was withdrawn."
    )


def test_the_list_puts_the_longest_waiting_first(client_for, personas, world):
    newer = _material(personas, world, title="Newer flag")
    older = _material(personas, world, title="Older flag")
    fine = _material(personas, world, title="Up to date")
    _flag(newer, datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC))
    _flag(older, datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    page = _text(client_for("alice").get(NEEDS))
    assert "2 materials need updating" in page
    assert page.index("Older flag") < page.index("Newer flag")
    assert fine.title not in page
    home = _text(client_for("alice").get(reverse("home")))
    assert "2 learning materials need updating" in home


def test_the_list_runs_the_same_queries_for_3_or_30(client_for, personas, world):
    client = client_for("alice")
    when = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for n in range(3):
        _flag(_material(personas, world, title=f"M{n:02d}"), when)
    client.get(NEEDS)
    with CaptureQueriesContext(connection) as few:
        client.get(NEEDS)
    for n in range(3, 30):
        _flag(_material(personas, world, title=f"M{n:02d}"), when)
    with CaptureQueriesContext(connection) as many:
        response = client.get(NEEDS)
    assert "30 materials need updating" in _text(response)
    assert len(many) == len(few)


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_bob_reads_and_downloads_and_gets_404_on_every_change(client_for, personas, samples):
    material = samples["material"]
    version = samples["version"]
    client = client_for("bob")
    assert client.get(NEEDS).status_code == 200
    download = client.get(_url("material_download", material.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    for url, data in [
        (_url("material_add", version.pk), {"title": "Bob's", "kind": "other", "use_level": 2}),
        (_url("material_edit", material.pk), {"title": "Bob's", "kind": "other", "use_level": 2}),
        (_url("material_remove", material.pk), {}),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    material.refresh_from_db()
    assert material.title == f"Handout {MARKER}"
    assert version.materials.count() == 1


@pytest.mark.parametrize("persona", ["charlie", "erin"])
def test_others_get_404(client_for, samples, persona):
    material = samples["material"]
    client = client_for(persona)
    for url in [
        _url("material_add", samples["version"].pk),
        _url("material_edit", material.pk),
        _url("material_remove", material.pk),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x"}).status_code == 404, url
    assert client.get(_url("material_download", material.pk)).status_code == 404
    needs = client.get(NEEDS)
    assert needs.status_code == (200 if persona == "charlie" else 404)
    assert MARKER not in needs.content.decode()
    assert Material.objects.filter(pk=material.pk, title=f"Handout {MARKER}").exists()
