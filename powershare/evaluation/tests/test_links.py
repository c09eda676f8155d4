"""Staff pages for answer links: making one, seeing it with its address and QR code, changing
or closing it, QR downloads, and paper codes. alice (participation lead) may do everything;
bob (facilitator in the same council) sees the link and its QR code only; charlie (another
council) gets 404 everywhere; staff at the delivery's site see the link but can't change it."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from powershare.evaluation import services
from powershare.evaluation.models import AnswerLink, PaperCode
from powershare.learning.models import Delivery, DeliverySession, SessionMode


def _url(name, link):
    return reverse(f"evaluation:{name}", args=[link.pk])


VIEW_PAGES = ("link_detail", "link_qr_svg", "link_qr_png")
MANAGE_PAGES = ("link_edit", "paper_codes")


# ---------------------------------------------------------------------------------------------
# Who may see what


def test_alice_may_open_every_link_page(client_for, samples):
    client = client_for("alice")
    link = samples["answer_link"]
    for name in VIEW_PAGES + MANAGE_PAGES:
        assert client.get(_url(name, link)).status_code == 200, name
    create = reverse("evaluation:link_create", args=[samples["questionnaire"].pk])
    assert client.get(create).status_code == 200


def test_bob_sees_the_link_and_its_qr_code_but_cannot_change_it(client_for, samples):
    client = client_for("bob")
    link = samples["answer_link"]
    for name in VIEW_PAGES:
        assert client.get(_url(name, link)).status_code == 200, name
    body = client.get(_url("link_detail", link)).content.decode()
    assert link.token in body
    assert _url("link_edit", link) not in body
    assert _url("paper_codes", link) not in body
    for name in MANAGE_PAGES:
        assert client.get(_url(name, link)).status_code == 404, name
        assert client.post(_url(name, link), {"count": "5", "close_now": "1"}).status_code == 404
    create = reverse("evaluation:link_create", args=[samples["questionnaire"].pk])
    assert client.get(create).status_code == 404
    assert client.post(create, {"opens_on": "2030-01-01"}).status_code == 404
    assert PaperCode.objects.filter(link=link).count() == 1
    link.refresh_from_db()
    assert link.closes_on >= timezone.localdate()


def test_charlie_gets_404_everywhere(client_for, samples):
    client = client_for("charlie")
    link = samples["answer_link"]
    for name in VIEW_PAGES + MANAGE_PAGES:
        assert client.get(_url(name, link)).status_code == 404, name
    create = reverse("evaluation:link_create", args=[samples["questionnaire"].pk])
    assert client.get(create).status_code == 404
    assert client.post(_url("paper_codes", link), {"count": "5"}).status_code == 404
    assert client.post(_url("link_edit", link), {"close_now": "1"}).status_code == 404
    assert PaperCode.objects.filter(link=link).count() == 1


def test_staff_at_the_delivery_s_site_see_its_link_but_cannot_change_it(
    client_for, personas, samples
):
    """Council A runs a delivery at council B's site: charlie (council B) sees its link and QR
    code to show in the room; nothing else of council A's."""
    delivery = Delivery.objects.create(
        organisation=personas.council_a,
        product=samples["product"],
        version=samples["version"],
        site=personas.council_b,
        cohort="At council B",
        capacity=10,
        created_by=personas.alice,
    )
    session = DeliverySession.objects.create(
        delivery=delivery,
        number=1,
        date=timezone.localdate(),
        starts_at=datetime.time(10),
        ends_at=datetime.time(12),
        mode=SessionMode.IN_PERSON,
        venue="Council B offices",
    )
    link = services.link_create(
        actor=personas.alice,
        questionnaire=samples["questionnaire"],
        session=session,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
    )
    client = client_for("charlie")
    for name in VIEW_PAGES:
        assert client.get(_url(name, link)).status_code == 200, name
    body = client.get(_url("link_detail", link)).content.decode()
    # The questionnaire's own pages are council A's: no breadcrumb to them.
    assert f'href="{reverse("evaluation:questionnaire_list")}"' not in body
    assert samples["questionnaire"].title in body  # the title only, as the caption
    for name in MANAGE_PAGES:
        assert client.get(_url(name, link)).status_code == 404, name


def test_anonymous_visitors_are_sent_to_sign_in(client, samples):
    link = samples["answer_link"]
    for name in VIEW_PAGES + MANAGE_PAGES:
        response = client.get(_url(name, link))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# ---------------------------------------------------------------------------------------------
# The link's page and its QR code


def test_the_link_page_shows_the_full_address_dates_and_figures(client_for, samples):
    client = client_for("alice")
    link = samples["answer_link"]
    body = client.get(_url("link_detail", link)).content.decode()
    address = f"http://testserver{reverse('answer:form', args=[link.token])}"
    assert f'value="{address}"' in body
    assert re.search(r'<img src="[^"]*/qr\.svg" alt="QR code[^"]+"', body)
    assert _url("link_qr_png", link) in body
    assert "Open now." in body
    assert "1 response through this link" in body
    assert "1 made, 0 used." in body
    assert _url("link_edit", link) in body
    assert _url("paper_codes", link) in body


def test_the_address_uses_the_site_s_public_address_when_set(client_for, samples, settings):
    settings.SITE_URL = "https://powershare.example.scot"
    link = samples["answer_link"]
    body = client_for("alice").get(_url("link_detail", link)).content.decode()
    assert f'value="https://powershare.example.scot/answer/{link.token}/"' in body


def test_the_qr_code_svg_has_a_title_and_downloads_with_a_name(client_for, samples):
    link = samples["answer_link"]
    response = client_for("bob").get(_url("link_qr_svg", link))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == (
        'attachment; filename="a-sample-pre-aberdeen-city-council-session-1-qr.svg"'
    )
    svg = response.content.decode()
    assert "<svg" in svg
    assert "<title>QR code for " in svg
    assert link.token in svg


def test_the_qr_code_png_decodes_and_is_big_enough_for_slides(client_for, samples):
    import segno

    link = samples["answer_link"]
    response = client_for("alice").get(_url("link_qr_png", link))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith('-session-1-qr.png"')
    image = Image.open(io.BytesIO(response.content))
    image.load()
    address = f"http://testserver{reverse('answer:form', args=[link.token])}"
    expected = segno.make(address, error="m")
    assert expected.error == "M"
    side = (expected.symbol_size(scale=1, border=0)[0] + 2 * 4) * 10
    assert image.size == (side, side)
    assert side >= 300
    # The same code as segno makes for the address (the quiet zone white all round).
    out = io.BytesIO()
    expected.save(out, kind="png", scale=10, border=4)
    assert Image.open(out).convert("1").tobytes() == image.convert("1").tobytes()
    assert image.convert("L").getpixel((5, 5)) == 255


def test_a_link_of_its_own_names_its_files_by_its_number(client_for, personas, samples):
    link = services.link_create(
        actor=personas.alice,
        questionnaire=samples["questionnaire"],
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
    )
    response = client_for("alice").get(_url("link_qr_svg", link))
    assert f'filename="a-sample-pre-link-{link.pk}-qr.svg"' in response["Content-Disposition"]
    body = client_for("alice").get(_url("link_detail", link)).content.decode()
    assert "a link of its own" in body


def test_the_link_page_runs_a_fixed_number_of_queries(client_for, samples, personas):
    client = client_for("alice")
    link = samples["answer_link"]
    client.get(_url("link_detail", link))
    with CaptureQueriesContext(connection) as few:
        client.get(_url("link_detail", link))
    services.paper_codes_make(actor=personas.alice, link=link, count=50)
    with CaptureQueriesContext(connection) as many:
        client.get(_url("link_detail", link))
    assert len(many) == len(few)


# ---------------------------------------------------------------------------------------------
# Making and changing links


def test_alice_makes_a_link_for_a_session(client_for, personas, samples):
    questionnaire = samples["questionnaire"]
    delivery = samples["delivery"]
    second = DeliverySession.objects.create(
        delivery=delivery,
        number=2,
        date=timezone.localdate() + datetime.timedelta(days=30),
        starts_at=datetime.time(10),
        ends_at=datetime.time(12),
        mode=SessionMode.IN_PERSON,
        venue="Room 2",
    )
    client = client_for("alice")
    create = reverse("evaluation:link_create", args=[questionnaire.pk])
    page = client.get(create).content.decode()
    # Session 1 already has a link to this questionnaire: only session 2 is offered.
    assert f'<option value="{second.pk}">' in page
    assert f'<option value="{samples["session"].pk}">' not in page
    assert "No session: a link of its own" in page
    response = client.post(
        create,
        {
            "session": second.pk,
            "opens_on": "2030-03-14",
            "closes_on": "04/04/2030",
            "needs_code": "on",
            "form_token": "tok-1",
        },
    )
    link = AnswerLink.objects.get(questionnaire=questionnaire, session=second)
    assert response["Location"] == _url("link_detail", link)
    assert link.delivery == delivery
    assert link.opens_on == datetime.date(2030, 3, 14)
    assert link.closes_on == datetime.date(2030, 4, 4)
    assert link.needs_code
    # Sent twice, one link.
    client.post(
        create,
        {
            "session": second.pk,
            "opens_on": "2030-03-14",
            "closes_on": "04/04/2030",
            "needs_code": "on",
            "form_token": "tok-1",
        },
    )
    assert AnswerLink.objects.filter(questionnaire=questionnaire, session=second).count() == 1


def test_making_a_link_with_mistakes_says_what_to_fix_and_keeps_what_was_typed(client_for, samples):
    questionnaire = samples["questionnaire"]
    client = client_for("alice")
    create = reverse("evaluation:link_create", args=[questionnaire.pk])
    before = AnswerLink.objects.count()
    response = client.post(
        create, {"session": "99999999999999999999", "opens_on": "2030-05-01", "closes_on": "x"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a session from the list" in body
    assert "Closes on: enter a real date, like 14/03/2026" in body
    assert 'value="2030-05-01"' in body
    response = client.post(create, {"opens_on": "2030-05-01", "closes_on": "2030-04-01"})
    assert "The closing date must be on or after the opening date" in response.content.decode()
    assert AnswerLink.objects.count() == before


def test_a_questionnaire_of_its_own_gets_a_link_of_its_own(client_for, personas):
    questionnaire = services.questionnaire_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        code="staff-wellbeing",
        title="Staff wellbeing",
    )
    client = client_for("alice")
    create = reverse("evaluation:link_create", args=[questionnaire.pk])
    assert 'name="session"' not in client.get(create).content.decode()
    client.post(create, {"opens_on": "2030-05-01", "closes_on": "2030-05-31"})
    link = AnswerLink.objects.get(questionnaire=questionnaire)
    assert link.session is None
    assert not link.needs_code


def test_alice_changes_the_dates_and_closes_the_link_now(client_for, samples):
    client = client_for("alice")
    link = samples["answer_link"]
    edit = _url("link_edit", link)
    page = client.get(edit).content.decode()
    assert "Close the link now" in page
    response = client.post(
        edit, {"opens_on": "2030-01-10", "closes_on": "2030-01-01", "needs_code": "on"}
    )
    body = response.content.decode()
    assert "The closing date must be on or after the opening date" in body
    assert 'value="2030-01-10"' in body
    response = client.post(edit, {"opens_on": "2030-01-10", "closes_on": "2030-02-01"})
    assert response["Location"] == _url("link_detail", link)
    link.refresh_from_db()
    assert (link.opens_on, link.closes_on, link.needs_code) == (
        datetime.date(2030, 1, 10),
        datetime.date(2030, 2, 1),
        False,
    )
    assert link.dates_set_by_hand
    # Open again today, then closed now.
    today = timezone.localdate()
    client.post(edit, {"opens_on": today.isoformat(), "closes_on": "2030-02-01"})
    response = client.post(edit, {"close_now": "1"})
    assert response["Location"] == _url("link_detail", link)
    link.refresh_from_db()
    assert link.closes_on < today
    assert not link.is_open_on(today)
    page = client.get(edit).content.decode()
    assert "Close the link now" not in page
    detail = client.get(_url("link_detail", link)).content.decode()
    assert "Closed." in detail


# ---------------------------------------------------------------------------------------------
# Paper codes


def test_alice_makes_paper_codes_and_prints_them(client_for, samples):
    client = client_for("alice")
    link = samples["answer_link"]
    page = _url("paper_codes", link)
    response = client.post(page, {"count": "5", "form_token": "codes-1"})
    assert response["Location"] == page
    assert PaperCode.objects.filter(link=link).count() == 6
    # Sent twice, made once.
    client.post(page, {"count": "5", "form_token": "codes-1"})
    assert PaperCode.objects.filter(link=link).count() == 6
    body = client.get(page).content.decode()
    for code in PaperCode.objects.filter(link=link):
        assert code.code in body
    assert f"/answer/{link.token}/" in body
    assert "It works once." in body
    assert body.count('class="ps-slip"') == 6
    # A used code is not printed again.
    PaperCode.objects.filter(link=link, code="SAMPLE23").delete()
    AnswerLink.objects.filter(pk=link.pk).update(paper_codes_used=1)
    body = client.get(page).content.decode()
    assert "SAMPLE23" not in body
    assert "6 codes made, 1 used, 5 not used yet." in body


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter how many codes to make, like 20"),
        ("0", "Enter a number of codes from 1 to 500"),
        ("501", "Enter a number of codes from 1 to 500"),
        ("lots", "Enter how many codes to make as a whole number, like 20"),
    ],
)
def test_a_wrong_number_of_codes_is_explained(client_for, samples, typed, message):
    client = client_for("alice")
    link = samples["answer_link"]
    response = client.post(_url("paper_codes", link), {"count": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert PaperCode.objects.filter(link=link).count() == 1


def test_the_handout_runs_a_fixed_number_of_queries_and_pages(client_for, samples, personas):
    client = client_for("alice")
    link = samples["answer_link"]
    page = _url("paper_codes", link)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    services.paper_codes_make(actor=personas.alice, link=link, count=200)
    with CaptureQueriesContext(connection) as many:
        body = client.get(page).content.decode()
    assert len(many) == len(few)
    assert body.count('class="ps-slip"') == 120
    body = client.get(page + "?page=2").content.decode()
    assert body.count('class="ps-slip"') == 81
