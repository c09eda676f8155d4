"""The rules the accountability services keep, whatever page or API calls them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from powershare.accountability import services
from powershare.accountability.models import (
    Decision,
    Delivery,
    EvidenceFile,
    FeedbackLetter,
    GroupReply,
    PublicPage,
    Response,
    ResponseProgress,
    ResponseStatus,
)
from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.engagement.models import Contribution, UseLevel
from powershare.engagement.services import contribution_withdraw
from powershare.people.models import ConsentPurpose

from . import factories as make

DAYS = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n%fake but the first bytes are right\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def activity(personas):
    return make.activity(personas.council_a, created_by=personas.alice)


@pytest.fixture
def said(activity):
    return [make.contribution(activity, text=f"Point {n}") for n in range(3)]


def _create(actor, activity, contributions, **fields):
    fields.setdefault("decision", Decision.WILL_DO)
    fields.setdefault("what_will_change", "Meetings move to the library.")
    return services.response_create(
        actor=actor, activity=activity, contributions=contributions, **fields
    )


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# ---------------------------------------------------------------------------------------------
# Responses


def test_one_response_answers_many_contributions_at_once(personas, activity, said):
    response = _create(
        personas.alice,
        activity,
        said,
        owner=personas.bob,
        due_on=timezone.localdate() + 30 * DAYS,
        reason="  \x00 ",
        evidence="\x00Minutes of the meeting ",
    )
    assert set(response.contributions.all()) == set(said)
    assert response.organisation == personas.council_a
    assert response.created_by == personas.alice
    assert response.owner == personas.bob
    assert (response.reason, response.evidence) == ("", "Minutes of the meeting")
    assert response.status == ResponseStatus.NOT_STARTED


@pytest.mark.parametrize("who", ["bob", "charlie", "nina", "erin"])
def test_only_those_who_manage_engagement_here_respond(personas, activity, said, who):
    with pytest.raises(PermissionDenied):
        _create(personas.by_name(who), activity, said)
    assert not Response.objects.exists()


def test_a_response_answers_contributions_of_its_own_activity_that_still_count(
    personas, activity, said
):
    other = make.activity(personas.council_a)
    elsewhere = make.contribution(other)
    with pytest.raises(ValidationError) as refused:
        _create(personas.alice, activity, [said[0], elsewhere])
    assert "contributions" in _errors(refused)

    contribution_withdraw(user=personas.alice, contribution=said[1], by_person=False)
    said[1].refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _create(personas.alice, activity, [said[1]])
    assert "contributions" in _errors(refused)

    with pytest.raises(ValidationError) as refused:
        _create(personas.alice, activity, [])
    assert "contributions" in _errors(refused)
    assert not Response.objects.exists()


def test_will_not_do_needs_the_reason(personas, activity, said):
    with pytest.raises(ValidationError) as refused:
        _create(personas.alice, activity, said, decision=Decision.WILL_NOT_DO, reason="   ")
    assert "People who took part deserve to know the reason" in _errors(refused)["reason"][0]
    response = _create(
        personas.alice,
        activity,
        said,
        decision=Decision.WILL_NOT_DO,
        reason="The building is not ours to change.",
    )
    assert response.reason == "The building is not ours to change."


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"what_will_change": " \x00 "}, "what_will_change"),
        ({"status": "finished"}, "status"),
        ({"due_on": datetime.date(1999, 12, 31)}, "due_on"),
        ({"evidence": "x" * 10_001}, "evidence"),
    ],
)
def test_a_response_is_checked_field_by_field(personas, activity, said, fields, field):
    with pytest.raises(ValidationError) as refused:
        _create(personas.alice, activity, said, **fields)
    assert set(_errors(refused)) == {field}


def test_the_owner_is_a_current_member_of_the_organisation(personas, activity, said):
    with pytest.raises(ValidationError) as refused:
        _create(personas.alice, activity, said, owner=personas.charlie)
    assert "owner" in _errors(refused)
    leaver = User.objects.create_user(email="left@a.example", password="x" * 20, full_name="L")
    Membership.objects.create(
        user=leaver, organisation=personas.council_a, role=Role.FACILITATOR, ended_at=timezone.now()
    )
    with pytest.raises(ValidationError) as refused:
        _create(personas.alice, activity, said, owner=leaver)
    assert "owner" in _errors(refused)


def test_response_update_changes_fields_and_links(personas, activity, said):
    response = _create(personas.alice, activity, said[:2])
    services.response_update(
        actor=personas.alice,
        response=response,
        contributions=[said[1], said[2]],
        what_will_change="  Meetings in the library from May. ",
    )
    response.refresh_from_db()
    assert set(response.contributions.all()) == {said[1], said[2]}
    assert response.what_will_change == "Meetings in the library from May."
    with pytest.raises(ValueError, match="Unknown response fields"):
        services.response_update(actor=personas.alice, response=response, activity=activity)
    with pytest.raises(ValidationError):
        services.response_update(
            actor=personas.alice, response=response, decision=Decision.WILL_NOT_DO
        )
    with pytest.raises(PermissionDenied):
        services.response_update(actor=personas.bob, response=response, status="complete")
    response.refresh_from_db()
    assert response.decision == Decision.WILL_DO


def test_a_response_may_be_deleted_until_it_was_reported_back(personas, activity, said):
    mistake = _create(personas.alice, activity, said[:1])
    with pytest.raises(PermissionDenied):
        services.response_delete(actor=personas.bob, response=mistake)
    services.response_delete(actor=personas.alice, response=mistake)
    assert not Response.objects.filter(pk=mistake.pk).exists()

    reported = _create(personas.alice, activity, said)
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    services.letter_send(actor=personas.alice, letter=letter)
    with pytest.raises(ValidationError) as refused:
        services.response_delete(actor=personas.alice, response=reported)
    assert "already sent" in refused.value.messages[0]
    assert Response.objects.filter(pk=reported.pk).exists()


def test_progress_is_added_by_the_owner_or_a_lead_never_for_the_future(personas, activity, said):
    response = _create(personas.alice, activity, said, owner=personas.bob)
    progress = services.response_progress_add(
        actor=personas.bob,
        response=response,
        text="Booked the library.",
        status=ResponseStatus.IN_PROGRESS,
        happened_on=timezone.localdate() - 2 * DAYS,
    )
    assert (progress.written_by, progress.happened_on) == (
        personas.bob,
        timezone.localdate() - 2 * DAYS,
    )
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_PROGRESS
    with pytest.raises(ValidationError) as refused:
        services.response_progress_add(
            actor=personas.alice,
            response=response,
            text="Tomorrow",
            happened_on=timezone.localdate() + DAYS,
        )
    assert set(_errors(refused)) == {"happened_on"}
    with pytest.raises(ValidationError) as refused:
        services.response_progress_add(actor=personas.alice, response=response, text=" ")
    assert set(_errors(refused)) == {"text"}
    with pytest.raises(ValidationError):
        services.response_progress_add(
            actor=personas.alice, response=response, text="x", status="nearly"
        )
    # Bob may not add progress to a response he does not own; charlie to nothing of A's.
    not_bobs = _create(personas.alice, activity, said[:1])
    for someone, theirs in ((personas.bob, not_bobs), (personas.charlie, response)):
        with pytest.raises(PermissionDenied):
            services.response_progress_add(actor=someone, response=theirs, text="Hello")
    assert ResponseProgress.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Evidence files


def test_evidence_is_stored_under_a_random_name(personas, activity, said):
    response = _create(personas.alice, activity, said, owner=personas.bob)
    upload = SimpleUploadedFile("Minutes for Jo Bloggs.pdf", PDF, content_type="text/plain")
    evidence = services.evidence_file_add(actor=personas.bob, response=response, upload=upload)
    assert evidence.original_name == "Minutes for Jo Bloggs.pdf"
    assert evidence.content_type == "application/pdf"  # from the checked kind, not the browser
    assert evidence.size == len(PDF)
    assert evidence.file.name.startswith("evidence/")
    assert "Bloggs" not in evidence.file.name
    assert evidence.key in evidence.file.name
    assert default_storage.open(evidence.file.name).read() == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("minutes.exe", PDF),
        ("minutes.pdf", PNG),  # the contents don't match the name
        ("photo.png", PDF),
        ("notes.txt", b"hello\x00world"),
        ("notes.txt", b""),
        ("no-extension", PDF),
    ],
)
def test_evidence_files_are_checked_by_name_and_contents(personas, activity, said, name, content):
    response = _create(personas.alice, activity, said)
    with pytest.raises(ValidationError) as refused:
        services.evidence_file_add(
            actor=personas.alice, response=response, upload=SimpleUploadedFile(name, content)
        )
    assert set(_errors(refused)) == {"file"}
    assert not EvidenceFile.objects.exists()


def test_evidence_files_over_ten_megabytes_are_refused(personas, activity, said, monkeypatch):
    response = _create(personas.alice, activity, said)
    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 1024)
    services.evidence_file_add(
        actor=personas.alice,
        response=response,
        upload=SimpleUploadedFile("ok.pdf", PDF.ljust(1024, b" ")),
    )
    with pytest.raises(ValidationError) as refused:
        services.evidence_file_add(
            actor=personas.alice,
            response=response,
            upload=SimpleUploadedFile("big.pdf", PDF.ljust(1025, b" ")),
        )
    assert "The limit is 1 KB" in _errors(refused)["file"][0]
    assert EvidenceFile.objects.count() == 1


def test_only_the_owner_or_a_lead_adds_or_removes_evidence(
    personas, activity, said, django_capture_on_commit_callbacks
):
    response = _create(personas.alice, activity, said)
    for someone in (personas.bob, personas.charlie):
        with pytest.raises(PermissionDenied):
            services.evidence_file_add(
                actor=someone, response=response, upload=SimpleUploadedFile("a.txt", b"notes")
            )
    evidence = services.evidence_file_add(
        actor=personas.alice, response=response, upload=SimpleUploadedFile("a.txt", b"notes")
    )
    with pytest.raises(PermissionDenied):
        services.evidence_file_remove(actor=personas.bob, evidence=evidence)
    stored = evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_file_remove(actor=personas.alice, evidence=evidence)
    assert not EvidenceFile.objects.exists()
    assert not default_storage.exists(stored)


# ---------------------------------------------------------------------------------------------
# How a letter reaches each person


def _portal(person):
    person.user = User.objects.create_user(
        email=f"portal.{person.pk}@people.example", password="x" * 20, full_name=person.full_name
    )
    person.save()
    return person


@pytest.mark.parametrize(
    ("fields", "contact", "portal", "expected"),
    [
        ({}, True, False, Delivery.EMAIL),
        ({}, True, True, Delivery.EMAIL),
        ({"contact_channel": "phone"}, True, False, Delivery.POST),
        ({"contact_channel": "post"}, True, True, Delivery.POST),
        ({"email": ""}, True, False, Delivery.POST),
        ({"email": ""}, True, True, Delivery.PORTAL),
        # "Check with my support contact first": never straight to their inbox.
        ({"check_with_support_contact": True}, True, False, Delivery.POST),
        ({"check_with_support_contact": True}, True, True, Delivery.PORTAL),
        # No agreement to be contacted: their portal if they have one, else nothing.
        ({}, False, True, Delivery.PORTAL),
        ({}, False, False, Delivery.NOT_CONTACTED),
        ({"status": "resting"}, True, False, Delivery.NOT_CONTACTED),
        ({"status": "resting"}, True, True, Delivery.PORTAL),
        ({"status": "left"}, True, False, Delivery.NOT_CONTACTED),
    ],
)
def test_delivery_for(personas, fields, contact, portal, expected):
    person = make.person(personas.council_a, **fields)
    if contact:
        make.consent(person, ConsentPurpose.CONTACT)
    if portal:
        _portal(person)
    assert services.delivery_for(person) == expected


def test_withdrawing_contact_consent_stops_email(personas):
    person = make.person(personas.council_a)
    make.consent(person, ConsentPurpose.CONTACT)
    assert services.delivery_for(person) == Delivery.EMAIL
    make.consent(
        person,
        ConsentPurpose.CONTACT,
        given=False,
        at=timezone.now() + datetime.timedelta(seconds=1),
    )
    assert services.delivery_for(person) == Delivery.NOT_CONTACTED


# ---------------------------------------------------------------------------------------------
# Letters


@pytest.fixture
def group_letter(personas, activity):
    said = make.contribution(
        activity,
        group_label="Youth club",
        group_consent_held_by="YMCA",
        use_level=UseLevel.ANONYMISED,
    )
    _create(personas.alice, activity, [said])
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    services.letter_send(actor=personas.alice, letter=letter)
    letter.refresh_from_db()
    return letter


def test_a_group_s_replies_become_contributions_of_the_activity(personas, group_letter):
    replies = services.group_replies_record(
        actor=personas.alice,
        letter=group_letter,
        group_label="Youth club",
        replies=["  Thanks for telling us. ", "", "Can we see the new room?"],
    )
    assert [r.text for r in replies] == ["Thanks for telling us.", "Can we see the new room?"]
    for reply in replies:
        assert reply.activity == group_letter.activity
        assert reply.person is None
        assert (reply.group_label, reply.group_consent_held_by) == ("Youth club", "YMCA")
        # The use the group agreed to last time, unless told otherwise.
        assert reply.use_level == UseLevel.ANONYMISED
        assert reply.created_by == personas.alice
        assert reply.reply_to_letter.letter == group_letter
    assert GroupReply.objects.filter(letter=group_letter).count() == 2


def test_a_group_s_replies_are_recorded_all_or_nothing(personas, group_letter):
    before = Contribution.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.group_replies_record(
            actor=personas.alice,
            letter=group_letter,
            group_label="Youth club",
            replies=["Fine", "x" * 10_001, "Also fine"],
        )
    assert any(m.startswith("Reply 2:") for m in _errors(refused)["replies"])
    assert Contribution.objects.count() == before
    assert not GroupReply.objects.exists()


@pytest.mark.parametrize(
    ("group_label", "replies", "field"),
    [
        ("Another group", ["Hello"], "group_label"),
        ("Youth club", ["", "  "], "replies"),
        ("Youth club", ["One"] * 101, "replies"),
    ],
)
def test_group_replies_are_checked(personas, group_letter, group_label, replies, field):
    with pytest.raises(ValidationError) as refused:
        services.group_replies_record(
            actor=personas.alice, letter=group_letter, group_label=group_label, replies=replies
        )
    assert field in _errors(refused)
    assert not GroupReply.objects.exists()


def test_group_replies_need_a_sent_letter_and_a_lead(personas, group_letter, activity):
    with pytest.raises(PermissionDenied):
        services.group_replies_record(
            actor=personas.bob, letter=group_letter, group_label="Youth club", replies=["Hi"]
        )
    make.contribution(activity, group_label="Youth club", group_consent_held_by="YMCA")
    draft = services.letter_draft_start(actor=personas.alice, activity=activity)
    with pytest.raises(ValidationError):
        services.group_replies_record(
            actor=personas.alice, letter=draft, group_label="Youth club", replies=["Hi"]
        )


def test_a_letter_is_edited_only_while_a_draft(personas, activity, said):
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    assert services.letter_draft_start(actor=personas.alice, activity=activity) == letter
    assert activity.title in letter.subject
    with pytest.raises(ValidationError) as refused:
        services.letter_update(
            actor=personas.alice, letter=letter, subject=" ", opening="", closing=""
        )
    assert set(_errors(refused)) == {"subject", "opening"}
    with pytest.raises(PermissionDenied):
        services.letter_update(
            actor=personas.bob, letter=letter, subject="S", opening="O", closing=""
        )
    services.letter_update(
        actor=personas.alice, letter=letter, subject=" What we did ", opening="Hello", closing=""
    )
    letter.refresh_from_db()
    assert (letter.subject, letter.opening) == ("What we did", "Hello")
    _create(personas.alice, activity, said)
    services.letter_send(actor=personas.alice, letter=letter)
    letter.refresh_from_db()
    with pytest.raises(ValidationError):
        services.letter_update(
            actor=personas.alice, letter=letter, subject="Later", opening="Hi", closing=""
        )
    # A new draft may start for a second round.
    second = services.letter_draft_start(actor=personas.alice, activity=activity)
    assert second.pk != letter.pk
    assert FeedbackLetter.objects.filter(activity=activity).count() == 2


def test_printed_letters_are_marked_posted_and_portal_letters_read_once(personas, activity):
    posted = make.person(personas.council_a, contact_channel="post")
    make.consent(posted, ConsentPurpose.CONTACT)
    reader = _portal(make.person(personas.council_a))
    _create(
        personas.alice,
        activity,
        [make.contribution(activity, person=p) for p in (posted, reader)],
    )
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    recipients = {r.person: r for r in services.letter_send(actor=personas.alice, letter=letter)}
    printed, portal = recipients[posted], recipients[reader]
    assert (printed.delivery, portal.delivery) == (Delivery.POST, Delivery.PORTAL)

    services.letter_posted_mark(actor=personas.alice, recipient=printed)
    printed.refresh_from_db()
    assert printed.posted_on == timezone.localdate()
    services.letter_posted_mark(actor=personas.alice, recipient=printed, posted=False)
    printed.refresh_from_db()
    assert printed.posted_on is None
    with pytest.raises(ValidationError):
        services.letter_posted_mark(actor=personas.alice, recipient=portal)
    with pytest.raises(PermissionDenied):
        services.letter_posted_mark(actor=personas.bob, recipient=printed)

    services.letter_read_mark(person=posted, recipient=portal)  # not theirs: nothing
    portal.refresh_from_db()
    assert portal.read_at is None
    services.letter_read_mark(person=reader, recipient=portal)
    portal.refresh_from_db()
    first = portal.read_at
    assert first is not None
    services.letter_read_mark(person=reader, recipient=portal)
    portal.refresh_from_db()
    assert portal.read_at == first


# ---------------------------------------------------------------------------------------------
# The public page


def test_the_public_page_is_opt_in_and_remembers_when_it_was_first_published(personas):
    a = personas.council_a
    PublicPage.objects.filter(organisation=a).delete()
    page = services.public_page_update(
        actor=personas.alice, organisation=a, is_published=False, introduction=" Hello "
    )
    assert (page.is_published, page.published_at, page.introduction) == (False, None, "Hello")
    page = services.public_page_update(
        actor=personas.alice, organisation=a, is_published=True, introduction="Hello"
    )
    first = page.published_at
    assert page.is_published
    assert first is not None
    page = services.public_page_update(
        actor=personas.alice, organisation=a, is_published=True, introduction="Changed"
    )
    assert page.published_at == first
    with pytest.raises(ValidationError):
        services.public_page_update(
            actor=personas.alice, organisation=a, is_published=True, introduction="x" * 3001
        )
    for someone in (personas.bob, personas.charlie):
        with pytest.raises(PermissionDenied):
            services.public_page_update(
                actor=someone, organisation=a, is_published=False, introduction=""
            )
    assert PublicPage.objects.get(organisation=a).is_published


def test_an_edit_begun_before_the_letter_was_sent_cannot_change_it(personas, activity, said):
    """Two tabs: one sends the letter while the other still has the draft open. The late edit
    must not change the words of a letter people have already been sent."""
    _create(personas.alice, activity, said)
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    open_in_other_tab = FeedbackLetter.objects.get(pk=letter.pk)
    services.letter_send(actor=personas.alice, letter=letter)
    with pytest.raises(ValidationError):
        services.letter_update(
            actor=personas.alice,
            letter=open_in_other_tab,
            subject="Changed after sending",
            opening="Hi",
            closing="",
        )
    letter.refresh_from_db()
    assert letter.subject != "Changed after sending"
