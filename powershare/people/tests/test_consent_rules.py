"""The rules behind "may we?": one answer for one person, the same answer for lists, ages,
statuses and the single-use, week-long portal invitation link."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powershare.people import services
from powershare.people.models import (
    ConsentMethod,
    ConsentPurpose,
    Person,
    PersonStatus,
)
from powershare.people.selectors import may_we, people_who_may
from powershare.privacy.services import consent_statement_publish


def _person(personas, **fields):
    values = {"full_name": "Rowan Test", "age_band": "26_64"} | fields
    return services.person_create(
        actor=personas.alice, organisation_id=personas.council_a.pk, **values
    )


def _record(personas, person, purpose="contact", decision="given", given_by="person", **extra):
    return services.consent_record_create(
        actor=personas.alice,
        person=person,
        purpose=purpose,
        decision=decision,
        method=ConsentMethod.WRITTEN,
        given_by=given_by,
        guardian_name="A Guardian" if given_by == "guardian" else "",
        **extra,
    )


def test_nobody_may_be_contacted_until_they_agree(personas):
    person = _person(personas)
    answer = may_we(person=person, purpose="contact")
    assert not answer
    assert "not been asked" in answer.reason
    _record(personas, person)
    assert may_we(person=person, purpose="contact")
    assert not may_we(person=person, purpose="quote_named")


def test_the_latest_decision_counts_and_history_is_kept(personas):
    person = _person(personas)
    _record(personas, person, decision="given")
    _record(personas, person, decision="withdrawn")
    answer = may_we(person=person, purpose="contact")
    assert not answer
    assert "withdrawn" in answer.reason
    _record(personas, person, decision="given")
    assert may_we(person=person, purpose="contact")
    assert person.consent_records.count() == 3


def test_resting_and_left_pause_contact_but_not_what_was_agreed_about_quotes(personas):
    person = _person(personas)
    for purpose in ("contact", "take_part", "quote_anonymous"):
        _record(personas, person, purpose=purpose)
    back = timezone.localdate() + datetime.timedelta(days=10)
    services.person_update(
        actor=personas.alice, person=person, status=PersonStatus.RESTING, resting_until=back
    )
    answer = may_we(person=person, purpose="contact")
    assert not answer
    assert "resting until" in answer.reason
    assert not may_we(person=person, purpose="take_part")
    assert may_we(person=person, purpose="quote_anonymous")
    # The day after their rest ends, they may be contacted again.
    assert may_we(person=person, purpose="contact", on=back + datetime.timedelta(days=1))
    services.person_update(actor=personas.alice, person=person, status=PersonStatus.LEFT)
    assert not may_we(person=person, purpose="contact", on=back + datetime.timedelta(days=1))


def test_under_16s_need_their_guardian_to_agree_as_well(personas):
    fourteen = timezone.localdate().replace(
        year=timezone.localdate().year - 14
    ) - datetime.timedelta(days=3)
    person = _person(personas, date_of_birth=fourteen, age_band="")
    assert person.age_band == "13_15"
    assert person.needs_guardian_consent
    _record(personas, person)
    answer = may_we(person=person, purpose="contact")
    assert not answer
    assert "guardian" in answer.reason
    _record(personas, person, given_by="guardian")
    assert may_we(person=person, purpose="contact")
    _record(personas, person, given_by="guardian", decision="withdrawn")
    assert not may_we(person=person, purpose="contact")


def test_a_guardian_must_be_named(personas):
    person = _person(personas, age_band="13_15")
    with pytest.raises(ValidationError) as error:
        services.consent_record_create(
            actor=personas.alice,
            person=person,
            purpose="contact",
            decision="given",
            method="written",
            given_by="guardian",
        )
    assert "guardian_name" in error.value.message_dict


def test_staff_cannot_record_online_decisions_for_someone(personas):
    person = _person(personas)
    with pytest.raises(ValidationError) as error:
        services.consent_record_create(
            actor=personas.alice,
            person=person,
            purpose="contact",
            decision="given",
            method="online",
        )
    assert "method" in error.value.message_dict


def test_a_check_with_the_support_contact_comes_with_the_answer(personas):
    person = _person(personas, check_with_support_contact=True)
    _record(personas, person)
    answer = may_we(person=person, purpose="contact")
    assert answer
    assert any("support contact" in condition for condition in answer.conditions)


def test_records_keep_the_statement_version_they_were_made_against(personas):
    person = _person(personas)
    first = _record(personas, person)
    new = consent_statement_publish(
        actor=personas.admin,
        organisation_id=personas.council_a.pk,
        purpose="contact",
        title="Contact me",
        text="You may contact me about chances to take part, as I have asked.",
    )
    second = _record(personas, person, decision="withdrawn")
    first.refresh_from_db()
    assert first.statement.version == 1
    assert first.statement.organisation_id is None
    assert second.statement == new
    assert new.version == 2


def test_facilitators_and_other_councils_cannot_record_consent(personas):
    person = _person(personas)
    for actor in (personas.bob, personas.charlie, personas.admin):
        with pytest.raises(PermissionDenied):
            _record_as(actor, person)


def _record_as(actor, person):
    return services.consent_record_create(
        actor=actor, person=person, purpose="contact", decision="given", method="written"
    )


def test_staff_never_change_their_own_record_through_their_staff_role(personas):
    own = _person(personas, full_name="Alice Anderson")
    own.user = personas.alice
    own.save()
    with pytest.raises(PermissionDenied):
        services.person_update(actor=personas.alice, person=own, pronouns="she/her")
    with pytest.raises(PermissionDenied):
        _record_as(personas.alice, own)
    # In the portal, as herself, she can.
    assert services.person_update_by_self(user=personas.alice, person=own, pronouns="she/her") == [
        "pronouns"
    ]


@pytest.mark.parametrize(
    ("age_band", "may_have_login"),
    [("under_13", False), ("13_15", True), ("16_17", True), ("26_64", True), ("", False)],
)
def test_children_under_13_never_get_a_login(personas, age_band, may_have_login):
    person = _person(personas, age_band=age_band, email="young@people.example")
    assert person.may_have_login is may_have_login
    if may_have_login:
        services.portal_invitation_send(actor=personas.alice, person=person)
        assert person.user is not None
    else:
        with pytest.raises(ValidationError):
            services.portal_invitation_send(actor=personas.alice, person=person)
        assert Person.objects.get(pk=person.pk).user is None


def test_the_invitation_link_works_once_and_for_a_week(personas):
    person = _person(personas, email="new.portal@people.example")
    user = services.portal_invitation_send(actor=personas.alice, person=person)
    tokens = services.portal_invitation_tokens
    token = tokens.make_token(user)
    assert tokens.check_token(user, token)
    six_days = timezone.now() + datetime.timedelta(days=6)
    eight_days = timezone.now() + datetime.timedelta(days=8)
    tokens._now = lambda: six_days.replace(tzinfo=None)
    try:
        assert tokens.check_token(user, token)
        tokens._now = lambda: eight_days.replace(tzinfo=None)
        assert not tokens.check_token(user, token)
    finally:
        del tokens._now
    user.set_password("a-new-password-123")
    user.save()
    assert not tokens.check_token(user, token), "a used link must stop working"
    # A password reset token is not an invitation token, and the other way round.
    from django.contrib.auth.tokens import default_token_generator

    assert not tokens.check_token(user, default_token_generator.make_token(user))


_decisions = st.lists(
    st.tuples(st.sampled_from(["given", "withdrawn"]), st.sampled_from(["person", "guardian"])),
    max_size=4,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(["under_13", "13_15", "16_17", "26_64"]),
            st.sampled_from(PersonStatus.values),
            _decisions,
        ),
        min_size=1,
        max_size=5,
    ),
    purpose=st.sampled_from(ConsentPurpose.values),
)
def test_the_list_answer_always_agrees_with_the_one_person_answer(personas, people, purpose):
    from powershare.people.models import ConsentRecord
    from powershare.privacy.selectors import consent_statement_current

    Person.objects.filter(full_name__startswith="Prop ").delete()
    statement = consent_statement_current(organisation_id=personas.council_a.pk, purpose=purpose)
    made = []
    moment = timezone.now() - datetime.timedelta(days=1)
    for number, (band, status, decisions) in enumerate(people):
        person = Person.objects.create(
            organisation=personas.council_a,
            full_name=f"Prop {number}",
            age_band=band,
            status=status,
            resting_until=timezone.localdate() + datetime.timedelta(days=3)
            if status == PersonStatus.RESTING
            else None,
        )
        for step, (decision, given_by) in enumerate(decisions):
            ConsentRecord.objects.create(
                person=person,
                purpose=purpose,
                statement=statement,
                decision=decision,
                given_by=given_by,
                method="written",
                recorded_at=moment + datetime.timedelta(minutes=step),
            )
        made.append(person)
    listed = set(
        people_who_may(
            Person.objects.filter(full_name__startswith="Prop "), purpose=purpose
        ).values_list("pk", flat=True)
    )
    for person in made:
        assert (person.pk in listed) == may_we(person=person, purpose=purpose).allowed, (
            person.age_band,
            person.status,
            list(person.consent_records.values_list("decision", "given_by")),
        )


def test_a_rest_that_has_ended_shows_as_available_again(personas, client_for):
    person = _person(personas)
    Person.objects.filter(pk=person.pk).update(
        status=PersonStatus.RESTING,
        resting_until=timezone.localdate() - datetime.timedelta(days=2),
    )
    person.refresh_from_db()
    assert person.rest_is_over
    page = client_for("alice").get(f"/people/{person.pk}/").content.decode()
    assert "Available again: their rest ended on" in page
