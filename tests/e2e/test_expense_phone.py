"""An expert by experience claims a cost back on a phone-sized screen with the keyboard alone:
she signs in, opens "Payments", claims a bus fare with a photo of the ticket and sends the
claim. Every page passes axe and nothing scrolls sideways."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from powershare.payments.models import ClaimStatus, ExpenseClaim
from tests.e2e.test_keyboard import _ACTIVE
from tests.e2e.test_portal_keyboard import _tab_until
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
RECEIPT = b"\xff\xd8\xff\xe0" + b"\x00" * 256


def _a_day_typed_the_same_either_way() -> datetime.date:
    """The latest day on or before today whose day and month are the same number (11 November):
    typed as digits, it means the same day whether the browser's date box asks for the day or
    the month first."""
    day = timezone.localdate()
    while day.day != day.month:
        day -= datetime.timedelta(days=1)
    return day


def _check_page(tab, what: str) -> None:
    violations = tab.axe_check()
    assert not violations, f"{what}: {violations}"
    width, inner = tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{what} scrolls sideways: {width}px in a {inner}px window"


def _focus_is(selector: str) -> str:
    return f"() => document.activeElement?.matches({selector!r}) === true"


def test_a_person_claims_a_bus_fare_on_a_phone_with_the_keyboard_alone(open_tab, personas):
    erin = personas.erin_person
    claims_before = set(ExpenseClaim.objects.filter(person=erin).values_list("pk", flat=True))
    tab = open_tab(None)
    page = tab.page
    page.set_viewport_size(PHONE)

    # Sign in with the keyboard.
    tab.goto("/sign-in/")
    _tab_until(page, _focus_is("#id_username"), "the email address field")
    page.keyboard.type(personas.erin.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/my/"))

    # On a phone the navigation is behind "Menu": open it, then Tab to "Payments".
    menu_links = "#mobile-navigation a[href='/my/payments/']"
    if not page.locator(menu_links).is_visible():
        _tab_until(
            page,
            _focus_is("#menu, .js-toggle-menu, [aria-controls='mobile-navigation']"),
            "the menu button",
        )
        page.keyboard.press("Space")
        expect(page.locator(menu_links)).to_be_visible()
    _tab_until(page, _focus_is("a[href='/my/payments/']"), "Payments in the menu")
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/my/payments/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your payments")
    _check_page(tab, "Your payments")

    # "Claim expenses".
    _tab_until(page, _focus_is("a[href='/my/payments/expenses/new/']"), "Claim expenses")
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/my/payments/expenses/new/"))
    _check_page(tab, "Claim expenses")

    # What the cost was for: the first Tab into the group lands on its first answer; the arrow
    # key moves to (and chooses) the next, "Bus, train or ferry".
    _tab_until(page, _focus_is("input[name='kind']"), "the first kind of cost")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Bus, train or ferry")).to_be_checked()

    # The date, typed as digits into the date box.
    day = _a_day_typed_the_same_either_way()
    page.keyboard.press("Tab")
    expect(page.locator("#id_incurred_on")).to_be_focused()
    page.keyboard.type(f"{day:%d%m%Y}")
    expect(page.locator("#id_incurred_on")).to_have_value(day.isoformat())

    # Tab steps through the date box's own parts (and its calendar button) before leaving it.
    _tab_until(page, _focus_is("#id_amount"), "the amount")
    page.keyboard.type("4.60")
    page.keyboard.press("Tab")  # miles: only for mileage
    expect(page.locator("#id_miles")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_description")).to_be_focused()
    page.keyboard.type("Bus to the town house and back")

    # The receipt: Tab to the file box. A keyboard opens the phone's or computer's own file
    # picker there, which a test can't drive, so the file is given to the focused box directly.
    page.keyboard.press("Tab")
    receipt_box = page.locator("#id_receipt")
    expect(receipt_box).to_be_focused()
    assert page.evaluate(
        "() => document.activeElement.type === 'file' && !document.activeElement.hasAttribute('capture')"
    ), page.evaluate(_ACTIVE)
    receipt_box.set_input_files(
        {"name": "bus-ticket.jpg", "mimeType": "image/jpeg", "buffer": RECEIPT}
    )

    _tab_until(page, _focus_is("main button[type='submit']"), "Save this cost")
    expect(page.locator(":focus")).to_have_text("Save this cost")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page).to_have_url(re.compile(r"/my/payments/expenses/\d+/$"))
    expect(page.locator("main")).to_contain_text("Add another cost or send your claim")
    _check_page(tab, "The claim with its first cost")

    # "Send claim", then confirm.
    _tab_until(page, _focus_is("a[href$='/send/']"), "Send claim")
    expect(page.locator(":focus")).to_have_text("Send claim")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/my/payments/expenses/\d+/send/$"))
    expect(page.locator("main")).to_contain_text("You're claiming back £4.60 for 1 cost.")
    _check_page(tab, "Send your claim?")
    _tab_until(page, _focus_is("main button[type='submit']"), "Yes, send my claim")
    expect(page.locator(":focus")).to_have_text("Yes, send my claim")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page).to_have_url(re.compile(r"/my/payments/expenses/\d+/$"))
    expect(page.locator("main")).to_contain_text("Your claim has been sent.")
    expect(page.locator("main")).to_contain_text("Sent – we're checking it")
    _check_page(tab, "The sent claim")

    # In the database: one new claim, sent, with the cost and the photo stored.
    new = ExpenseClaim.objects.filter(person=erin).exclude(pk__in=claims_before)
    assert new.count() == 1
    claim = new.get()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.submitted_at is not None
    line = claim.lines.get()
    assert line.kind == "public_transport"
    assert line.incurred_on == day
    assert str(line.amount) == "4.60"
    receipt = line.receipts.get()
    assert receipt.original_name == "bus-ticket.jpg"
    assert receipt.content_type == "image/jpeg"
    with receipt.file.open("rb") as stored:
        assert stored.read() == RECEIPT
    tab.assert_no_problems()


def test_the_other_payment_pages_pass_axe_on_a_phone(open_tab, personas):
    from powershare.payments.models import ExpenseClaim as Claim

    claim = Claim.objects.get(person=personas.erin_person, note="Bus to the library")
    line = claim.lines.get()
    tab = open_tab("erin")
    tab.page.set_viewport_size(PHONE)
    for path, what in [
        ("/my/payments/how/", "How you'd like to be paid"),
        (f"/my/payments/expenses/{claim.pk}/", "Her unsent claim"),
        (f"/my/payments/expenses/{claim.pk}/add/", "Add a cost"),
        (f"/my/payments/expenses/costs/{line.pk}/remove/", "Remove this cost?"),
        (f"/my/payments/expenses/costs/{line.pk}/receipt/", "Add a receipt"),
        (f"/my/payments/expenses/{claim.pk}/send/", "Send your claim?"),
    ]:
        tab.goto(path)
        _check_page(tab, what)
    # The choice page with its errors shown (a charity chosen, with no name).
    tab.goto("/my/payments/how/")
    tab.page.get_by_label("Give it to a charity").check(force=True)
    tab.page.get_by_label("Weekly limit (optional)").fill("not a number")
    tab.page.get_by_role("button", name="Save my choice").click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator(".ds_error-summary")).to_contain_text(
        "Say which charity should get the money."
    )
    expect(tab.page.get_by_label("Weekly limit (optional)")).to_have_value("not a number")
    _check_page(tab, "How you'd like to be paid, with errors")
    # A receipt for a saved cost, sent with no file chosen.
    tab.goto(f"/my/payments/expenses/costs/{line.pk}/receipt/")
    tab.page.get_by_role("button", name="Save the receipt").click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator(".ds_error-summary")).to_contain_text(
        "Choose a photo or a PDF of the receipt."
    )
    _check_page(tab, "Add a receipt, with errors")
    # A new claim with a cost that needs fixing.
    tab.goto("/my/payments/expenses/new/")
    tab.page.get_by_role("button", name="Save this cost").click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator(".ds_error-summary")).to_contain_text("Choose what the cost was for.")
    _check_page(tab, "Claim expenses, with errors")
    # Her receipt photo opens in the browser, without breaking the page's security policy.
    receipt = line.receipts.get()
    response = tab.goto(f"/my/payments/receipts/{receipt.pk}/")
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    tab.assert_no_problems()


def test_the_staff_claim_pages_pass_axe(open_tab, personas):
    from powershare.payments.models import ExpenseClaim as Claim

    claim = Claim.objects.get(status=ClaimStatus.SUBMITTED)
    line = claim.lines.get()
    tab = open_tab("alice")
    for path in [
        "/payments/expenses/",
        "/payments/expenses/?status=submitted",
        "/payments/expenses/new/?q=a",
        f"/payments/expenses/new/?person={claim.person_id}",
        f"/payments/expenses/{claim.pk}/",
        f"/payments/expenses/{claim.pk}/approve/",
        f"/payments/expenses/{claim.pk}/send-back/",
    ]:
        response = tab.goto(path)
        assert response.status == 200, path
        _check_page(tab, path)
    # Start a claim, add a cost with its errors shown, then one that is right.
    tab.goto(f"/payments/expenses/new/?person={claim.person_id}")
    tab.page.get_by_role("button", name="Start the claim").click()
    tab.page.wait_for_load_state("load")
    _check_page(tab, "A new claim")
    tab.page.get_by_role("link", name="Add a cost").click()
    tab.page.wait_for_load_state("load")
    _check_page(tab, "Add a cost")
    tab.page.get_by_label("Mileage").check(force=True)
    tab.page.get_by_role("button", name="Add the cost").click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator(".ds_error-summary")).to_contain_text("Enter how many miles")
    _check_page(tab, "Add a cost, with errors")
    tab.page.get_by_label("How many miles? (optional)").fill("10")
    tab.page.get_by_role("button", name="Add the cost").click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator("main")).to_contain_text("10.0 miles × £0.45")
    _check_page(tab, "A claim with a cost")
    # A receipt for the cost just saved: the form, then with its error, then added.
    tab.page.get_by_role("link", name=re.compile("^Add a receipt")).click()
    tab.page.wait_for_load_state("load")
    _check_page(tab, "Add a receipt")
    tab.page.get_by_role("button", name="Add the receipt").click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator(".ds_error-summary")).to_contain_text(
        "Choose a photo or a PDF of the receipt."
    )
    _check_page(tab, "Add a receipt, with errors")
    tab.page.get_by_label("Photo of the receipt").set_input_files(
        {"name": "mileage-log.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    tab.page.get_by_role("button", name="Add the receipt").click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator("main")).to_contain_text("mileage-log.pdf")
    expect(tab.page.get_by_role("link", name=re.compile("^Add another receipt"))).to_be_visible()
    _check_page(tab, "A claim with a cost and its receipt")
    tab.page.get_by_role("link", name=re.compile("^Remove")).click()
    tab.page.wait_for_load_state("load")
    _check_page(tab, "Remove this cost?")
    tab.goto(f"/payments/expenses/costs/{line.pk}/remove/")  # a sent claim's cost: back to it
    assert tab.page.url.endswith(f"/payments/expenses/{claim.pk}/")
    receipt = line.receipts.get()
    assert tab.goto(f"/payments/receipts/{receipt.pk}/").status == 200
    tab.assert_no_problems()
