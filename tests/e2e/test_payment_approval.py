"""Approving a payment in the browser, with the keyboard: alice records a payment for Sam, who
gets benefits and is near her weekly limit; alice herself can't approve it. Lena, a leader of the
same council, opens the approval page: the benefits warning with Sam's totals comes before the
button, approval without ticking the box is refused with a named error, and with it the payment
is approved. Every page passes axe."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.engagement.tests import factories as make
from powershare.payments import services
from powershare.payments.models import Payment, PaymentStatus
from tests.e2e.harness import PersonaTab, describe_violations
from tests.e2e.test_portal_keyboard import _tab_until
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser

#: A Wednesday: its week runs from Monday 3 to Sunday 9 March 2025.
DAY = datetime.date(2025, 3, 5)
MESSAGE = ".ds_notification-panel, [role=status], .ps-message"


def _focused(css: str) -> str:
    return f"() => document.activeElement?.matches({css!r}) === true"


def _press(page, css: str, what: str, key: str = "Enter") -> None:
    _tab_until(page, _focused(css), what)
    page.keyboard.press(key)


def _axe(tab) -> None:
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)


def _sam_near_her_weekly_limit(personas):
    """Sam gets benefits and chose a £50 weekly limit; £40 is already owed that week, and
    alice has just recorded £20 more (council A's rate card: £20 an hour)."""
    sam = make.person(
        personas.council_a, "Samira Shah", preferred_name="Sam", receives_benefits=True
    )
    services.payment_choice_update(
        actor=personas.alice, person=sam, method="bank_transfer", weekly_limit="50"
    )
    for quantity, description in (("2", "Read the draft leaflet"), ("1", "Checked the easy read")):
        payment = services.payment_create(
            actor=personas.alice,
            person=sam,
            kind="task",
            description=description,
            worked_on=DAY,
            quantity=quantity,
        )
    assert payment.amount == Decimal("20.00")
    return sam, payment


@pytest.fixture
def lena_tab(browser, live_server, personas, axe_js):
    """Lena, a leader of council A (she approves payments), signed in in her own tab."""
    lena = User.objects.create_user(
        email="lena@a.example", password=PASSWORD, full_name="Lena Lindsay"
    )
    Membership.objects.create(user=lena, organisation=personas.council_a, role=Role.LEADER)
    tab = PersonaTab(browser, live_server.url, "lena", axe_js)
    tab.sign_in(lena)
    yield tab
    tab.close()


def test_the_warning_comes_before_approval_by_a_second_person(open_tab, personas, lena_tab):
    sam, payment = _sam_near_her_weekly_limit(personas)
    detail = f"/payments/{payment.pk}/"
    approve = f"/payments/{payment.pk}/approve/"

    # alice recorded it: no approve button for her, on the payment or the approval page.
    alice = open_tab("alice")
    alice.goto(detail)
    expect(alice.page.locator("#second-person")).to_contain_text(
        "You recorded or changed this payment, so someone else must approve it"
    )
    expect(alice.page.locator(f'main a[href="{approve}"]')).to_have_count(0)
    _axe(alice)
    alice.goto(approve)
    expect(alice.page.locator("#second-person")).to_be_visible()
    expect(alice.page.get_by_role("button", name="Approve the payment")).to_have_count(0)
    _axe(alice)
    alice.assert_no_problems()

    # Lena opens the payment and goes to approve it with the keyboard.
    page = lena_tab.page
    lena_tab.goto(detail)
    _axe(lena_tab)
    _press(page, f'main a[href="{approve}"]', "the Approve button")
    expect(page).to_have_url(lena_tab.url(approve))

    warning = page.locator("#benefits-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("This payment would take Sam's fees over their weekly limit")
    crossed = page.locator("#crossed-limits li")
    expect(crossed).to_have_count(1)
    expect(crossed.first).to_contain_text(
        re.compile(
            r"Week, 3 March 2025 to 9 March 2025:\s*fees so far £40\.00, this payment £20\.00, "
            r"fees after it £60\.00, limit £50\.00"
        )
    )
    expect(warning).to_contain_text("voucher")
    expect(warning).to_contain_text("This is information, not advice.")
    button = page.get_by_role("button", name="Approve the payment")
    box = page.get_by_label("I have seen these totals and talked the options through with Sam")
    # The warning, then the box, then the button: nobody reaches the button without passing them.
    assert warning.bounding_box()["y"] < box.bounding_box()["y"] < button.bounding_box()["y"]
    _axe(lena_tab)

    # Without ticking the box: refused, with the reason named, and still owed.
    _press(page, 'main form button[type="submit"]', "the Approve the payment button")
    expect(page).to_have_url(lena_tab.url(approve))
    summary = page.locator(".ds_error-summary")
    expect(summary).to_contain_text("Confirm you have seen the totals")
    expect(page.locator("#benefits-warning")).to_be_visible()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED
    _axe(lena_tab)

    # Tick it with the space bar, then approve.
    _press(page, 'input[name="acknowledged"]', "the box saying the totals were seen", key="Space")
    expect(page.locator('input[name="acknowledged"]')).to_be_checked()
    _press(page, 'main form button[type="submit"]', "the Approve the payment button")
    expect(page).to_have_url(lena_tab.url(detail))
    expect(page.locator(MESSAGE).first).to_contain_text(f"Payment {payment.reference} approved.")
    expect(page.locator("main dl .ds_tag").first).to_have_text("Approved")
    expect(page.locator("#warning-at-approval")).to_be_visible()
    _axe(lena_tab)
    lena_tab.assert_no_problems()

    payment = Payment.objects.get(pk=payment.pk)
    assert payment.status == PaymentStatus.APPROVED
    assert payment.approved_by.email == "lena@a.example"
    assert [shown["fees_after"] for shown in payment.warning_at_approval] == ["60.00"]
    assert sam.payments.filter(status=PaymentStatus.OWED).count() == 1


def _submit_and_check(tab, path: str, fill: dict, button: str) -> None:
    """Open `path`, fill in some fields wrongly, press `button`: the error summary shows, and
    the page still passes axe."""
    tab.goto(path)
    _axe(tab)
    for label, value in fill.items():
        tab.page.get_by_label(label, exact=True).fill(value)
    tab.page.get_by_role("button", name=button).click()
    tab.page.wait_for_load_state("load")
    expect(tab.page.locator(".ds_error-summary")).to_be_visible()
    assert tab.page.title().startswith("Error:"), f"{path}: the title does not say Error"
    _axe(tab)


def test_every_payment_page_passes_axe_with_and_without_errors(open_tab, personas, lena_tab):
    sam, payment = _sam_near_her_weekly_limit(personas)
    activity = make.activity(personas.council_a, "Bus routes workshop", days_ago=3)
    make.invitation(activity, make.person(personas.council_a, "Rona Reid"), attended=True)
    lena = User.objects.get(email="lena@a.example")
    approved = services.payment_approve(
        actor=lena, payment=personas.samples["payment"], acknowledged=True
    )
    paid = services.payment_mark_paid(
        actor=personas.alice,
        payment=services.payment_approve(
            actor=lena, payment=personas.samples["erin_payment"], acknowledged=True
        ),
        paid_on=DAY,
        finance_reference="BACS-1",
    )
    correction = services.payment_adjust(
        actor=personas.alice, payment=paid, amount="-5.00", reason="Paid for too long"
    )

    alice = open_tab("alice")
    for path in (
        "/payments/",
        "/payments/?status=owed",
        f"/payments/activities/{activity.pk}/",
        f"/payments/{payment.pk}/",
        f"/payments/{payment.pk}/approve/",
        f"/payments/{paid.pk}/",
        f"/payments/{correction.pk}/",
        f"/payments/people/{sam.pk}/",
        "/payments/rates/",
    ):
        alice.goto(path)
        _axe(alice)
    _submit_and_check(alice, "/payments/new/", {"How much time": "two"}, "Record the payment")
    alice.goto(f"/payments/new/?person={sam.pk}")
    alice.page.get_by_label("A task (for example preparing training materials)").check(
        force=True  # the design system's label covers its radio
    )
    alice.page.get_by_label("Description (optional)").fill("Checked a leaflet")
    alice.page.get_by_label("How much time").fill("1.5")
    alice.page.get_by_role("button", name="Work out the amount").click()
    alice.page.wait_for_load_state("load")
    expect(alice.page.locator("#preview")).to_contain_text("This payment would be £30.00")
    _axe(alice)
    _submit_and_check(
        alice,
        f"/payments/{payment.pk}/change/",
        {"How much time": "lots"},
        "Save changes",
    )
    alice.goto(f"/payments/{payment.pk}/method/")
    _axe(alice)
    alice.page.get_by_label("Give it to a charity").check(force=True)
    alice.page.get_by_role("button", name="Save").click()
    alice.page.wait_for_load_state("load")
    expect(alice.page.locator(".ds_error-summary")).to_contain_text("Say which charity")
    _axe(alice)
    _submit_and_check(
        alice,
        f"/payments/{payment.pk}/cancel/",
        {"Why is it being cancelled?": ""},
        "Cancel the payment",
    )
    _submit_and_check(
        alice,
        f"/payments/{approved.pk}/paid/",
        {"Finance reference": ""},
        "Mark as paid",
    )
    _submit_and_check(
        alice,
        f"/payments/{paid.pk}/correct/",
        {"Amount of the correction": "ten"},
        "Record the correction",
    )
    _submit_and_check(
        alice,
        f"/payments/people/{sam.pk}/choices/",
        {"Weekly limit (optional)": "fifty"},
        "Save",
    )
    _submit_and_check(
        alice,
        f"/payments/activities/{activity.pk}/",
        {"How much time": ""},
        "Record payments owed",
    )
    alice.assert_no_problems()

    admin = open_tab("admin")
    card = personas.samples["rate_card"]
    for path in ("/payments/", "/payments/rates/", f"/payments/rates/{card.pk}/change/"):
        admin.goto(path)
        _axe(admin)
    _submit_and_check(admin, "/payments/rates/new/", {"Hourly rate": "twenty"}, "Add the rate card")
    _submit_and_check(
        admin,
        "/payments/settings/",
        {"Weekly limit (optional)": "fifty"},
        "Save settings",
    )
    admin.assert_no_problems()
