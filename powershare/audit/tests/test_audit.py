from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.urls import reverse

from powershare.accounts.services import share_create
from powershare.support.services import support_service_create


def test_every_model_that_declares_personal_fields_is_in_the_change_log():
    declaring = [m for m in apps.get_models() if getattr(m, "personal_data_fields", None)]
    assert declaring, "expected models declaring personal_data_fields"
    missing = [m._meta.label for m in declaring if not auditlog.contains(m)]
    assert not missing, f"Register these with django-auditlog: {missing}"


def test_password_hashes_never_reach_the_change_log(personas):
    personas.alice.set_password("another-long-password")
    personas.alice.save()
    for entry in LogEntry.objects.get_for_object(personas.alice):
        assert "password" not in (entry.changes or {})


def test_sharing_is_recorded_in_the_change_log(personas, samples):
    share = share_create(
        actor=personas.alice, record=samples["support_service"], partner=personas.council_b
    )
    entry = LogEntry.objects.get_for_object(share).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.additional_data == {"organisation_id": personas.council_a.pk}


def test_administrators_browse_their_own_organisations_changes_only(client_for, personas):
    support_service_create(
        actor=personas.charlie,
        organisation_id=personas.council_b.pk,
        name="Council B only service",
        how_they_help="Help",
        phone="01632 960 999",
    )
    support_service_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        name="Council A listening service",
        how_they_help="Help",
        phone="01632 960 998",
    )
    body = client_for("admin").get(reverse("audit:change_log")).content.decode()
    assert "Council A listening service" in body
    assert "Council B only service" not in body


def test_the_change_log_filters_by_search_and_date(client_for, personas):
    support_service_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        name="Findable service",
        how_they_help="Help",
        phone="01632 960 997",
    )
    client = client_for("admin")
    found = client.get(reverse("audit:change_log"), {"q": "Findable"}).content.decode()
    assert "Findable service" in found
    none = client.get(reverse("audit:change_log"), {"q": "Findable", "date_to": "2001-01-01"})
    assert "Findable service" not in none.content.decode()
    bad = client.get(
        reverse("audit:change_log"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    ).content.decode()
    assert "must be the same as or after" in bad


def test_the_access_log_shows_who_viewed_personal_data(client_for, personas):
    client_for("bob").get(reverse("accounts:organisation_detail", args=[personas.council_a.pk]))
    body = client_for("admin").get(reverse("audit:access_log")).content.decode()
    assert "Bob Brown" in body
    assert "Member list of Aberdeen City Council" in body


def test_the_audit_pages_run_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
):
    def add(count):
        for i in range(count):
            support_service_create(
                actor=personas.alice,
                organisation_id=personas.council_a.pk,
                name=f"Service {i}",
                how_they_help="Help",
                phone="01632 960 000",
            )
            client_for("bob").get(
                reverse("accounts:organisation_detail", args=[personas.council_a.pk])
            )

    def measure():
        client = client_for("admin")
        client.get(reverse("audit:change_log"))  # warm caches (content types)
        with django_assert_max_num_queries(30) as captured:
            client.get(reverse("audit:change_log"))
            client.get(reverse("audit:access_log"))
        return len(captured.captured_queries)

    add(2)
    few = measure()
    add(70)
    assert measure() == few


def test_a_members_work_in_another_organisation_stays_out_of_our_change_log(client_for, personas):
    from auditlog.context import set_actor

    from powershare.accounts.models import Membership

    with set_actor(personas.charlie):
        support_service_create(
            actor=personas.charlie,
            organisation_id=personas.council_b.pk,
            name="Angus private service",
            how_they_help="Help",
            phone="01632 960 996",
        )
    # charlie also works with council A for a while
    Membership.objects.create(
        user=personas.charlie, organisation=personas.council_a, role="facilitator"
    )
    body = client_for("admin").get(reverse("audit:change_log")).content.decode()
    assert "Angus private service" not in body
    assert "Charlie Campbell" in body  # the membership in A is A's business


def test_administrators_see_their_members_account_and_token_changes(client_for, personas):
    from auditlog.context import set_actor

    from powershare.accounts.services import api_token_create, api_token_revoke

    with set_actor(personas.alice):
        token, _ = api_token_create(user=personas.alice, name="Nightly export")
        api_token_revoke(token=token)
    with set_actor(personas.charlie):
        api_token_create(user=personas.charlie, name="Angus export")
    body = client_for("admin").get(reverse("audit:change_log")).content.decode()
    assert "Nightly export" in body
    assert "Angus export" not in body


def test_old_access_records_can_be_pruned(client_for, personas):
    import datetime
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from powershare.audit.models import AccessEvent

    client_for("bob").get(reverse("accounts:organisation_detail", args=[personas.council_a.pk]))
    client_for("bob").get(reverse("accounts:organisation_detail", args=[personas.council_a.pk]))
    old = AccessEvent.objects.first()
    AccessEvent.objects.filter(pk=old.pk).update(
        occurred_at=timezone.now() - datetime.timedelta(days=3000)
    )
    out = StringIO()
    call_command("access_log_prune", "--before-date", str(timezone.now().date()), stdout=out)
    assert "Deleted 1 access-log record" in out.getvalue()
    assert AccessEvent.objects.count() == 1
