"""Reads for a person's own portal. The person is always the signed-in user's own record
(people.selectors.person_for_user): nothing here takes an id from the address bar."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from powershare.accounts.models import Share
from powershare.people.models import ConsentGivenBy, Person
from powershare.people.selectors import consent_state
from powershare.support.models import SupportService


def support_service_list_for_person(*, person: Person) -> QuerySet[SupportService]:
    """The support services a person can turn to: their organisation's own directory and the
    entries partners share with it, urgent help first. People with a portal hold no staff
    role, so support.selectors (scoped by staff capability) would show them nothing."""
    shared_ids = Share.objects.active().filter(
        content_type=ContentType.objects.get_for_model(SupportService),
        partner_id=person.organisation_id,
    )
    return (
        SupportService.objects.filter(
            Q(organisation_id=person.organisation_id) | Q(pk__in=shared_ids.values("object_id")),
            is_active=True,
        )
        .select_related("organisation")
        .order_by("-is_crisis_support", "name", "pk")
    )


def consent_agreed_count(*, person: Person) -> tuple[int, int]:
    """How many things the person has agreed to (their own latest decision is yes), of how
    many we ask about."""
    state = consent_state(person=person)
    agreed = sum(
        1
        for records in state.values()
        if (record := records[ConsentGivenBy.PERSON]) is not None and record.is_given
    )
    return agreed, len(state)
