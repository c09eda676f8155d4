from django.urls import reverse

from powershare.accounts.models import Share
from powershare.support.models import SupportService
from powershare.support.services import support_service_create


def _service_form(**overrides):
    data = {
        "name": "Harbour Helpline",
        "how_they_help": "Listens, day or night.",
        "phone": "0808 157 0000",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_participation_lead_adds_a_service_to_their_councils_directory(client_for, personas):
    response = client_for("alice").post(reverse("support:create"), _service_form())
    service = SupportService.objects.get(name="Harbour Helpline")
    assert response["Location"] == reverse("support:detail", args=[service.pk])
    assert service.organisation == personas.council_a
    assert service.created_by == personas.alice


def test_mistakes_are_explained_and_nothing_typed_is_lost(client_for, personas):
    response = client_for("alice").post(
        reverse("support:create"),
        _service_form(phone="", website="not a website", who_it_is_for="Young carers"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a web address like https://www.example.org" in body
    assert 'value="Young carers"' in body
    assert "Listens, day or night." in body
    assert not SupportService.objects.exists()


def test_at_least_one_way_to_reach_the_service_is_needed(client_for, personas):
    body = (
        client_for("alice")
        .post(reverse("support:create"), _service_form(phone=""))
        .content.decode()
    )
    assert "Give at least one way to reach the service" in body


def test_facilitators_can_read_but_not_add(client_for, personas, samples):
    client = client_for("bob")
    assert client.get(reverse("support:list")).status_code == 200
    assert client.get(reverse("support:create")).status_code == 404
    assert "Add a support service" not in client.get(reverse("support:list")).content.decode()


def test_the_owner_shares_and_stops_sharing(client_for, personas, samples):
    service = samples["support_service"]
    client = client_for("alice")
    client.post(reverse("support:sharing", args=[service.pk]), {"partner": personas.council_b.pk})
    share = Share.objects.active().get(partner=personas.council_b)
    charlie = client_for("charlie")
    assert charlie.get(reverse("support:detail", args=[service.pk])).status_code == 200

    client = client_for("alice")
    client.post(reverse("support:share_end", args=[service.pk, share.pk]))
    assert (
        client_for("charlie").get(reverse("support:detail", args=[service.pk])).status_code == 404
    )
    share.refresh_from_db()
    assert share.ended_by == personas.alice


def test_sharing_twice_with_the_same_partner_is_explained(client_for, personas, samples):
    service = samples["support_service"]
    client = client_for("alice")
    client.post(reverse("support:sharing", args=[service.pk]), {"partner": personas.council_b.pk})
    body = client.post(
        reverse("support:sharing", args=[service.pk]), {"partner": personas.council_b.pk}
    ).content.decode()
    assert "Choose an organisation from the list" in body
    assert Share.objects.active().filter(partner=personas.council_b).count() == 1


def test_the_list_searches_and_filters_in_the_url(client_for, personas, samples):
    support_service_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        name="Quayside Advocacy",
        how_they_help="Comes to meetings with you",
        phone="01632 960 555",
    )
    client = client_for("alice")
    body = client.get(reverse("support:list"), {"q": "quayside"}).content.decode()
    assert "Quayside Advocacy" in body
    assert samples["support_service"].name not in body
    assert "1 service" in body
    shared_only = client.get(reverse("support:list"), {"source": "shared"}).content.decode()
    assert "Quayside Advocacy" not in shared_only


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
):
    def add(count):
        SupportService.objects.bulk_create(
            SupportService(
                organisation=personas.council_a,
                name=f"Service {i:03}",
                how_they_help="x",
                phone="1",
            )
            for i in range(count)
        )

    add(1)
    client = client_for("alice")
    client.get(reverse("support:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("support:list"))
    add(79)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("support:list"), {"page": 2})
    assert "80 services" in response.content.decode()


def test_odd_search_text_is_handled_kindly(client_for, personas):
    client = client_for("alice")
    for query in ["a\x00b", "%", "'; drop table", "x" * 5000]:
        response = client.get(reverse("support:list"), {"q": query, "source": "nonsense"})
        assert response.status_code == 200
    assert client.get(reverse("support:list"), {"page": "last"}).status_code == 200
    assert client.get(reverse("support:list"), {"page": "99999999999999999999"}).status_code == 200


def test_someone_in_two_organisations_chooses_whose_directory(client_for, personas):
    from powershare.accounts.models import Membership

    Membership.objects.create(
        user=personas.alice, organisation=personas.council_b, role="learning_lead"
    )
    client = client_for("alice")
    page = client.get(reverse("support:create")).content.decode()
    assert "Which organisation&#x27;s directory is this for?" in page
    empty = client.post(reverse("support:create"), {}).content.decode()
    assert empty.count('id="error-summary"') == 1
    client.post(reverse("support:create"), _service_form(organisation=personas.council_b.pk))
    assert SupportService.objects.get(name="Harbour Helpline").organisation == personas.council_b


def test_sending_the_same_form_twice_saves_one_service(client_for, personas):
    client = client_for("alice")
    data = _service_form(form_token="one-time-token-1")
    first = client.post(reverse("support:create"), data)
    second = client.post(reverse("support:create"), data, follow=True)
    assert SupportService.objects.filter(name="Harbour Helpline").count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "nothing new was saved" in second.content.decode()
    client.post(reverse("support:create"), _service_form(form_token="another-token"))
    assert SupportService.objects.filter(name="Harbour Helpline").count() == 2


def test_a_form_shown_again_with_errors_keeps_its_token(client_for, personas):
    body = (
        client_for("alice")
        .post(reverse("support:create"), {"name": "", "form_token": "keep-me"})
        .content.decode()
    )
    assert 'name="form_token" value="keep-me"' in body


def test_a_hidden_service_can_be_found_again(client_for, personas):
    service = support_service_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        name="Resting Service",
        how_they_help="x",
        phone="1",
        is_active=False,
    )
    client = client_for("alice")
    assert service.name not in client.get(reverse("support:list")).content.decode()
    hidden = client.get(reverse("support:list"), {"source": "hidden"}).content.decode()
    assert service.name in hidden
    assert "1 service" in hidden
