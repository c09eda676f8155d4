"""Safeguards found in review: emails ask consent again when they go, a group's version holds
only that group (label and partner), a response's files go with it, owners can open their work,
office files must really be office files, and a sent letter shows only what it carried."""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from powershare.accountability import selectors, services
from powershare.accountability.models import Decision, Delivery, FeedbackRecipient
from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.engagement.models import UseLevel
from powershare.people.models import ConsentPurpose

from . import factories as make


@pytest.fixture
def activity(personas):
    return make.activity(personas.council_a, created_by=personas.alice)


def _answer(personas, activity, contributions, words="We will change it."):
    return services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=contributions,
        decision=Decision.WILL_DO,
        what_will_change=words,
    )


def _send(personas, activity):
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    services.letter_send(actor=personas.alice, letter=letter)
    letter.refresh_from_db()
    return letter


def test_an_email_is_not_sent_to_someone_who_withdrew_contact_after_the_letter_went(
    personas, activity, django_capture_on_commit_callbacks
):
    person = make.person(personas.council_a, email="ailsa@example.org")
    make.consent(person, ConsentPurpose.CONTACT, ConsentPurpose.QUOTE_INTERNAL)
    said = make.contribution(activity, person=person, text="Ailsa's point")
    _answer(personas, activity, [said])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        letter = _send(personas, activity)
    assert letter.recipients.get(person=person).delivery == Delivery.EMAIL
    make.consent(
        person,
        ConsentPurpose.CONTACT,
        given=False,
        at=timezone.now() + datetime.timedelta(seconds=1),
    )
    for callback in queued:
        callback()
    assert mail.outbox == []
    assert FeedbackRecipient.objects.get(letter=letter, person=person).emailed_at is None


def test_the_email_goes_when_contact_still_stands(
    personas, activity, django_capture_on_commit_callbacks
):
    person = make.person(personas.council_a, email="bryn@example.org")
    make.consent(person, ConsentPurpose.CONTACT, ConsentPurpose.QUOTE_INTERNAL)
    _answer(personas, activity, [make.contribution(activity, person=person, text="Bryn's")])
    with django_capture_on_commit_callbacks(execute=True):
        _send(personas, activity)
    assert [m.to for m in mail.outbox] == [["bryn@example.org"]]


def test_two_groups_with_one_label_keep_their_own_version(personas, activity):
    ours = make.contribution(
        activity,
        text="zq-ours: a later bus",
        group_label="Young people",
        group_consent_held_by="Partner X",
        use_level=UseLevel.ANONYMISED,
    )
    theirs = make.contribution(
        activity,
        text="zq-theirs: a bigger room",
        group_label="Young people",
        group_consent_held_by="Partner Y",
        use_level=UseLevel.ANONYMISED,
    )
    _answer(personas, activity, [ours, theirs])
    letter = _send(personas, activity)
    x = letter.recipients.get(delivery=Delivery.PARTNER, group_consent_held_by="Partner X")
    sections = selectors.letter_sections(
        activity=activity,
        letter=letter,
        group_label=x.group_label,
        group_held_by=x.group_consent_held_by,
    )
    words = [q.text for s in sections for q in s.quotes]
    assert words == ["zq-ours: a later bus"]
    replies = services.group_replies_record(
        actor=personas.alice,
        letter=letter,
        group_label="Young people",
        group_held_by="Partner Y",
        replies=["Thanks, the room was better"],
    )
    assert replies[0].group_consent_held_by == "Partner Y"


def test_a_sent_letter_shows_only_what_it_carried(personas, activity):
    first = make.contribution(
        activity, text="zq-first", group_label="G", group_consent_held_by="P", use_level=2
    )
    _answer(personas, activity, [first], "zq-first answer")
    letter = _send(personas, activity)
    later = make.contribution(
        activity, text="zq-later", group_label="G", group_consent_held_by="P", use_level=2
    )
    _answer(personas, activity, [later], "zq-later answer")
    sections = selectors.letter_sections(activity=activity, letter=letter)
    shown = [s.response.what_will_change for s in sections]
    assert shown == ["zq-first answer"]
    draft_view = selectors.letter_sections(activity=activity)
    assert {s.response.what_will_change for s in draft_view} == {
        "zq-first answer",
        "zq-later answer",
    }


def test_removing_a_response_removes_its_files(
    personas, activity, django_capture_on_commit_callbacks
):
    said = make.contribution(activity, text="A point")
    response = _answer(personas, activity, [said])
    evidence = services.evidence_file_add(
        actor=personas.alice,
        response=response,
        upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\nminutes\n"),
    )
    stored = evidence.file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_delete(actor=personas.alice, response=response)
    assert not default_storage.exists(stored)


def test_an_owner_must_be_able_to_open_the_work(personas, activity):
    said = make.contribution(activity, text="A point")
    admin = User.objects.create_user(email="adm@a.example", password="x" * 20, full_name="Adm")
    Membership.objects.create(user=admin, organisation=personas.council_a, role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as refused:
        services.response_create(
            actor=personas.alice,
            activity=activity,
            contributions=[said],
            decision=Decision.WILL_DO,
            what_will_change="Something",
            owner=admin,
        )
    assert "owner" in refused.value.message_dict
    ok = services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=[said],
        decision=Decision.WILL_DO,
        what_will_change="Something",
        owner=personas.bob,  # a facilitator sees activities
    )
    assert ok.owner == personas.bob


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "entries", "accepted"),
    [
        ("report.docx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}, True),
        ("report.docx", {"anything.txt": "not a word file"}, False),
        ("figures.xlsx", {"evil.js": "alert(1)"}, False),
        ("notes.odt", {"mimetype": "application/vnd.oasis.opendocument.text"}, True),
    ],
)
def test_office_files_must_be_what_they_say(personas, activity, name, entries, accepted):
    response = _answer(personas, activity, [make.contribution(activity, text="A point")])
    upload = SimpleUploadedFile(name, _zip(entries))
    if accepted:
        assert services.evidence_file_add(actor=personas.alice, response=response, upload=upload)
    else:
        with pytest.raises(ValidationError) as refused:
            services.evidence_file_add(actor=personas.alice, response=response, upload=upload)
        assert "file" in refused.value.message_dict
