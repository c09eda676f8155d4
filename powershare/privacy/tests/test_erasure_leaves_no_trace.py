"""THE erasure test: after an approved erasure, the person's name, email address and phone
number are nowhere in the database, and every anonymous count is what it was before."""

import datetime

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import User
from powershare.audit.services import access_event_record
from powershare.payments.models import ExpenseLine, Payment, Receipt
from powershare.people.models import ConsentRecord, Person
from powershare.people.services import (
    consent_change_by_self,
    person_update_by_self,
    portal_invitation_send,
)
from powershare.privacy.models import ErasureRequest, SubjectAccessRequest
from powershare.privacy.services import subject_access_request_create
from tests.personas import PASSWORD

from .builders import RICH_PERSON, make_rich_person

TEXT_TYPES = {
    "CharField",
    "TextField",
    "JSONField",
    "EmailField",
    "SlugField",
    "URLField",
    "GenericIPAddressField",
}
#: Tables whose row counts erasure (or the pages used to ask for it) is expected to change.
COUNTS_MAY_CHANGE = {
    "auditlog_logentry": "the request and the decision are themselves recorded",
    "audit_accessevent": "looking at the request pages is recorded",
    "axes_accessattempt": "sign-in attempts with the person's email address are removed",
    "axes_accessfailurelog": "failed sign-ins with the person's email address are removed",
    "axes_accesslog": "sign-ins with the person's email address are removed",
    "django_session": "alice and the administrator sign in to ask for and approve it",
    "system_formsubmission": "the erasure request form is sent once",
    "privacy_erasurerequest": "the erasure request itself",
    "payments_receipt": "receipts are photos that may show who they were: they go",
    "payments_paymentchoice": "how they wanted to be paid, and the charity they chose, go",
}
SELF_UPDATED_PHONE = "07700 900 111"
SELF_UPDATED_CONTACT_TIMES = "Thistlewhistle evenings only, not before seven"


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def _text_columns() -> list[tuple[str, str]]:
    columns = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                try:
                    kind = connection.introspection.get_field_type(column.type_code, column)
                except KeyError:
                    kind = str(column.type_code)
                declared = str(column.type_code).lower()
                if kind in TEXT_TYPES or any(t in declared for t in ("char", "text", "json")):
                    columns.append((table, column.name))
    return columns


def _where_found(needles: list[str]) -> list[str]:
    """Every table.column whose text holds any needle, whatever its case."""
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for needle in needles:
                sql = (
                    f"SELECT COUNT(*) FROM {_quoted(table)} "  # noqa: S608 - introspected names
                    f"WHERE LOWER(CAST({_quoted(column)} AS TEXT)) LIKE LOWER(%s)"
                )
                cursor.execute(sql, [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} holds {needle!r}")
    return found


def _in_order(rows) -> list:
    return sorted(rows, key=lambda row: tuple("" if v is None else str(v) for v in row))


def _aggregates(organisation) -> dict:
    people = Person.objects.filter(organisation=organisation)
    return {
        "people": people.count(),
        "by_status": _in_order(people.values_list("status").annotate(n=Count("pk"))),
        "by_age_band": _in_order(people.values_list("age_band").annotate(n=Count("pk"))),
        "by_area": _in_order(people.values_list("areas__name").annotate(n=Count("pk"))),
        "consent_by_purpose": _in_order(
            ConsentRecord.objects.filter(person__organisation=organisation)
            .values_list("purpose", "decision", "given_by")
            .annotate(n=Count("pk"))
        ),
        "subject_access_requests": SubjectAccessRequest.objects.filter(
            organisation=organisation
        ).count(),
        # The accounts still add up.
        "payments_by_status": _in_order(
            Payment.objects.filter(organisation=organisation)
            .values_list("status", "method")
            .annotate(n=Count("pk"), total=Sum("amount"))
        ),
        "expenses_by_status": _in_order(
            ExpenseLine.objects.filter(claim__organisation=organisation)
            .values_list("claim__status")
            .annotate(n=Count("pk"), total=Sum("amount"))
        ),
    }


def _paid_and_claimed(client_for, personas, person, login):
    """Their pay: a charity they chose, a payment and a correction that name them, and a claim
    they sent from their portal with a receipt photo named after them; staff open both."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role
    from powershare.payments import services as payments

    leader = User.objects.create_user(
        email="lena.leader@a.example", password=PASSWORD, full_name="Lena Lewis"
    )
    Membership.objects.create(user=leader, organisation=person.organisation, role=Role.LEADER)
    name = RICH_PERSON["full_name"]
    payments.payment_choice_update(
        actor=login,
        person=person,
        method="donate",
        charity=f"The {name} Memorial Fund",
        weekly_limit="100",
    )
    today = timezone.localdate()
    payment = payments.payment_create(
        actor=personas.alice,
        person=person,
        kind="task",
        description=f"Reading the leaflet with {name}",
        worked_on=today,
        quantity="2",
        note=f"Ring {RICH_PERSON['email']} first",
    )
    payments.payment_approve(actor=leader, payment=payment)
    payments.payment_mark_paid(
        actor=personas.alice, payment=payment, paid_on=today, finance_reference="BACS-1"
    )
    payments.payment_adjust(
        actor=personas.alice,
        payment=Payment.objects.get(pk=payment.pk),
        amount="5.00",
        reason=f"{RICH_PERSON['preferred_name']} stayed longer",
    )
    claim = payments.claim_create(actor=login, person=person)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    payments.claim_line_add(
        actor=login,
        claim=claim,
        kind="taxi",
        incurred_on=today,
        amount="14.20",
        description=f"Taxi from {RICH_PERSON['postal_address']}",
        receipt=SimpleUploadedFile(f"{name}.png", png, content_type="image/png"),
    )
    payments.claim_submit(actor=login, claim=claim)
    payments.claim_return(
        actor=leader, claim=claim, reason=f"{RICH_PERSON['preferred_name']}, please add the date"
    )
    receipt = Receipt.objects.get(line__claim=claim)
    alice = client_for("alice")
    assert alice.get(reverse("payments:person_payments", args=[person.pk])).status_code == 200
    assert alice.get(reverse("payments:claim_detail", args=[claim.pk])).status_code == 200
    assert alice.get(reverse("payments:receipt_download", args=[receipt.pk])).status_code == 200
    return receipt.file


def test_an_approved_erasure_leaves_no_trace_of_who_the_person_was(
    client, client_for, personas, samples, django_capture_on_commit_callbacks
):
    person = make_rich_person(personas)
    first_phone = person.phone

    # Their own portal login, with which they changed their details and a consent choice.
    with django_capture_on_commit_callbacks(execute=True):
        login = portal_invitation_send(actor=personas.alice, person=person)
    login.refresh_from_db()
    assert login.email == RICH_PERSON["email"]
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        person_update_by_self(
            user=login,
            person=person,
            phone=SELF_UPDATED_PHONE,
            contact_times=SELF_UPDATED_CONTACT_TIMES,
        )
    consent_change_by_self(user=login, person=person, purpose="quote_named", decision="given")

    # They signed in once with their password; someone (perhaps them) later got it wrong.
    # django-axes keeps the email typed both times.
    login.set_password(PASSWORD)
    login.save(update_fields=["password"])
    client.logout()
    signed_in = client.post(
        reverse("accounts:login"), {"username": RICH_PERSON["email"], "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    client.logout()
    client.post(reverse("accounts:login"), {"username": RICH_PERSON["email"], "password": "not-it"})
    with connection.cursor() as cursor:
        for table in ("axes_accessattempt", "axes_accesslog"):
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE LOWER(username) = %s",  # noqa: S608
                [RICH_PERSON["email"]],
            )
            assert cursor.fetchone()[0] >= 1, f"the sign-in should be in {table}"

    # A subject access request, with its export prepared.
    with django_capture_on_commit_callbacks(execute=True):
        subject_access = subject_access_request_create(
            actor=personas.alice,
            person=person,
            received_on=timezone.localdate() - datetime.timedelta(days=3),
            how_received=f"Letter from {RICH_PERSON['full_name']}",
        )
    subject_access.refresh_from_db()
    assert subject_access.export_status == SubjectAccessRequest.ExportStatus.READY
    export_file = subject_access.export_file
    assert default_storage.exists(export_file)

    # Staff looked at their data; one careless description even named them.
    alice = client_for("alice")
    alice.get(reverse("people:detail", args=[person.pk]))
    assert (
        alice.get(reverse("privacy:subject_access_detail", args=[subject_access.pk])).status_code
        == 200
    )
    download = alice.get(reverse("privacy:subject_access_download", args=[subject_access.pk]))
    assert download.status_code == 200
    b"".join(download.streaming_content)
    access_event_record(
        user=personas.alice,
        organisation_id=person.organisation_id,
        subject=person,
        description=f"{person.reference}: phoned {RICH_PERSON['email']}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        receipt_file = _paid_and_claimed(client_for, personas, person, login)

    needles = [
        RICH_PERSON["full_name"],
        RICH_PERSON["preferred_name"],
        RICH_PERSON["email"],
        first_phone,
        SELF_UPDATED_PHONE,
        RICH_PERSON["postal_address"],
        RICH_PERSON["support_contact_name"],
        RICH_PERSON["support_contact_email"],
        RICH_PERSON["support_contact_phone"],
        "Isobel Quillfeather-Marlowe",
        "Thistlewhistle",
        "Zephyrine",
    ]
    # The search works: before erasure it finds them wherever they were written down.
    found_before = {place.split(".")[0] for place in _where_found(needles)}
    assert {
        "people_person",
        "people_consentrecord",
        "accounts_user",
        "auditlog_logentry",
        "audit_accessevent",
        "axes_accessattempt",
        "axes_accesslog",
        "privacy_subjectaccessrequest",
        "payments_payment",
        "payments_paymentchoice",
        "payments_expenseclaim",
        "payments_expenseline",
        "payments_receipt",
    } <= found_before, found_before
    counts_before = _row_counts()
    aggregates_before = _aggregates(personas.council_a)

    # Alice asks; an administrator approves.
    response = client_for("alice").post(
        reverse("privacy:erasure_create", args=[person.pk]),
        {"reason": f"{RICH_PERSON['full_name']} asked us by letter to delete everything"},
    )
    erasure = ErasureRequest.objects.get(person=person)
    assert response["Location"] == reverse("privacy:erasure_detail", args=[erasure.pk])
    admin = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):  # stored files go once it commits
        response = admin.post(
            reverse("privacy:erasure_detail", args=[erasure.pk]),
            {"action": "approve", "note": ""},
        )
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.APPROVED
    assert erasure.decided_by == personas.admin
    page = admin.get(reverse("privacy:erasure_detail", args=[erasure.pk])).content.decode()
    assert f"Erased person {person.reference}" in page

    # Nothing, in any text column of any table, says who they were.
    found = _where_found(needles)
    assert not found, "Erasure left the person's identity behind:\n" + "\n".join(found)

    # The counts stay right.
    assert _aggregates(personas.council_a) == aggregates_before
    counts_after = _row_counts()
    changed = {
        table: (counts_before.get(table), counts_after.get(table))
        for table in set(counts_before) | set(counts_after)
        if counts_before.get(table) != counts_after.get(table) and table not in COUNTS_MAY_CHANGE
    }
    assert not changed, f"Erasure changed how many rows these tables hold: {changed}"
    assert counts_after["privacy_erasurerequest"] == counts_before["privacy_erasurerequest"] + 1

    person.refresh_from_db()
    assert person.full_name == f"Erased person {person.reference}"
    assert person.is_erased
    assert person.user is None
    assert person.areas.count() == 2
    assert person.consent_records.count() == 4
    login.refresh_from_db()
    assert not login.is_active
    assert not login.has_usable_password()
    assert not User.objects.filter(email__iexact=RICH_PERSON["email"]).exists()
    assert not default_storage.exists(export_file)
    assert not receipt_file.storage.exists(receipt_file.name)


def test_the_erased_record_no_longer_opens_anywhere(client_for, personas, samples):
    person = samples["person"]
    erasure = samples["erasure_request"]
    client_for("admin").post(
        reverse("privacy:erasure_detail", args=[erasure.pk]), {"action": "approve"}
    )
    alice = client_for("alice")
    assert alice.get(reverse("privacy:erasure_create", args=[person.pk])).status_code == 404
    assert alice.get(reverse("privacy:subject_access_create", args=[person.pk])).status_code == 404
    assert (
        alice.get(
            reverse("privacy:subject_access_detail", args=[samples["subject_access_request"].pk])
        ).status_code
        == 404
    )
    # The erasure request itself stays, naming no one.
    page = alice.get(reverse("privacy:erasure_detail", args=[erasure.pk])).content.decode()
    assert f"Erased person {person.reference}" in page
    assert "Approved and erased" in page
