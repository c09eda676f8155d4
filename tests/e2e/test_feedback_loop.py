"""The accountability loop with the keyboard alone: a participation lead answers three
contributions in one response, writes and sends the "you said, we did" letter, and the person
who made them reads it in her portal, her own words marked as hers. Every page on the way
passes axe."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from powershare.accountability.models import FeedbackLetter, LetterStatus, Response
from powershare.engagement import services as engagement_services
from powershare.engagement.models import UseLevel
from powershare.engagement.tests import factories as make
from tests.e2e.harness import describe_violations
from tests.e2e.test_portal_keyboard import _tab_until

pytestmark = pytest.mark.browser

TITLE = "Evening drop-in at the community hub"
SAID = [
    "The bus stops running before the drop-in finishes, so I leave early.",
    "A quiet corner would help when the room gets busy.",
    "Please send the date by text as well as by letter.",
]
WHAT_WILL_CHANGE = "From next month the drop-in ends at half past seven, before the last bus."
OPENING = "Thank you, Erin and everyone, for the evening at the hub. Here is what we did."
MESSAGE = ".ds_notification-panel, [role=status], .ps-message"


def _focused(css: str) -> str:
    """JavaScript: is the focused element the one `css` matches?"""
    return f"() => document.activeElement?.matches({css!r}) === true"


def _press(page, css: str, what: str, key: str = "Enter") -> None:
    """Tab to the element `css` matches, then press `key` on it."""
    _tab_until(page, _focused(css), what)
    page.keyboard.press(key)


def _at(tab, path: str) -> None:
    """The tab shows `path`. A redirect after a form posted from a page opened at a #fragment
    keeps that fragment (browsers do), so any fragment is allowed."""
    expect(tab.page).to_have_url(re.compile(re.escape(tab.url(path)) + r"(#[\w-]*)?$"))


def _axe(tab) -> None:
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)


def _ended_activity_with_three_of_erins_words(personas):
    """A council A activity that ended last week, where every contribution is erin's."""
    erin = personas.erin_person
    # Quoted inside the organisation (staff read them to respond) and without her name (the
    # letter's use); her contact consent is one of her persona's own.
    make.consent(erin, "quote_internal", "quote_anonymous")
    today = datetime.date.today()
    activity = make.activity(
        personas.council_a,
        TITLE,
        days_ago=10,
        feedback_due_on=today + datetime.timedelta(days=7),
        created_by=personas.alice,
    )
    make.invitation(activity, erin, invited_by=personas.alice)
    contributions = [
        engagement_services.contribution_create(
            actor=personas.alice,
            activity=activity,
            person=erin,
            use_level=UseLevel.ANONYMISED,
            text=words,
            kind="view",
        )
        for words in SAID
    ]
    assert list(activity.contributions.values_list("person", flat=True)) == [erin.pk] * 3
    return activity, contributions


def test_a_lead_answers_and_sends_feedback_and_the_contributor_reads_it(open_tab, personas):
    activity, contributions = _ended_activity_with_three_of_erins_words(personas)
    staff = open_tab("alice")
    page = staff.page

    # The activity's loop: three contributions wait for a response.
    loop_url = staff.url(f"/feedback/activities/{activity.pk}/")
    staff.goto(loop_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    _axe(staff)
    respond = f"/feedback/activities/{activity.pk}/respond/"
    _press(page, f'main a[href="{respond}"]', "the link to respond to contributions")
    expect(page).to_have_url(staff.url(respond))
    _axe(staff)

    # Select: tick each of the three contributions with the space bar.
    for contribution in contributions:
        box = page.locator(f'input[name="contributions"][value="{contribution.pk}"]')
        expect(box).not_to_be_checked()
        _press(
            page,
            f'input[name="contributions"][value="{contribution.pk}"]',
            f"the box for {contribution.reference}",
            key="Space",
        )
        expect(box).to_be_checked()

    # Then respond: the decision is a group of radios (Tab reaches the first, "We will do
    # this"; Space chooses it), what will change is typed, and Enter on the button saves.
    _press(page, 'input[name="decision"]', "the decision radios", key="Space")
    will_do = page.locator('input[name="decision"][value="will_do"]')
    expect(will_do).to_be_focused()
    expect(will_do).to_be_checked()
    _tab_until(page, _focused("#id_what_will_change"), "the box for what will change")
    page.keyboard.type(WHAT_WILL_CHANGE)
    _press(page, 'main form button[type="submit"]', "the Save response button")
    expect(page).to_have_url(loop_url)
    expect(page.locator(MESSAGE).first).to_contain_text(
        "Your response has been saved. It answers 3 contributions."
    )
    response = Response.objects.get(activity=activity)
    assert response.decision == "will_do"
    assert response.what_will_change == WHAT_WILL_CHANGE
    assert set(response.contributions.values_list("pk", flat=True)) == {c.pk for c in contributions}
    expect(page.locator("#waiting ~ p").first).to_have_text("Every contribution has a response.")
    _axe(staff)

    # Compose: open the letter page and start the draft.
    compose = f"/feedback/activities/{activity.pk}/letter/"
    _press(page, f'main a[href="{compose}"]', "the link to write the feedback letter")
    expect(page).to_have_url(staff.url(compose))
    _axe(staff)
    _press(page, 'main button[name="start"]', "the Start the letter button")
    expect(page).to_have_url(staff.url(compose))
    expect(page.locator(MESSAGE).first).to_contain_text("Letter started.")
    draft = FeedbackLetter.objects.get(activity=activity, status=LetterStatus.DRAFT)
    _axe(staff)

    # Change the opening: select what is in the box and type over it.
    _tab_until(page, _focused("#id_opening"), "the opening of the letter")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(OPENING)
    # Preview shows the change without saving it.
    _press(page, 'main button[name="preview"]', "the Preview button")
    expect(page).to_have_url(staff.url(compose))
    expect(page.locator("main")).to_contain_text("They are not saved yet")
    preview = page.locator(".ps-card .ps-letter")
    expect(preview).to_contain_text(OPENING)
    expect(preview).to_contain_text(WHAT_WILL_CHANGE)
    for words in SAID:
        expect(preview).to_contain_text(words)
    draft.refresh_from_db()
    assert draft.opening != OPENING, "Preview must not save"
    expect(page.locator("#id_opening")).to_have_value(OPENING)
    _axe(staff)

    # Save.
    _press(page, 'main button[name="save"]', "the Save button")
    expect(page).to_have_url(staff.url(f"{compose}#preview"))
    expect(page.locator(MESSAGE).first).to_contain_text("Saved.")
    draft.refresh_from_db()
    assert draft.opening == OPENING
    expect(page.locator(".ps-card .ps-letter")).to_contain_text(OPENING)
    _axe(staff)

    # Send: save and send, then confirm.
    send = f"/feedback/letters/{draft.pk}/send/"
    _press(page, 'main button[name="send"]', "the Save and send button")
    _at(staff, send)
    expect(page.get_by_role("heading", level=1)).to_have_text("Send this letter to 1 person?")
    _axe(staff)
    _press(page, 'main form button[type="submit"]', "the Send the letter button")
    detail = f"/feedback/letters/{draft.pk}/"
    _at(staff, detail)
    expect(page.locator(MESSAGE).first).to_contain_text("Letter sent to 1 person")
    draft.refresh_from_db()
    assert draft.status == LetterStatus.SENT
    assert draft.sent_on == datetime.date.today()
    assert list(draft.recipients.values_list("person", flat=True)) == [personas.erin_person.pk]
    expect(page.locator("main dl")).to_contain_text("Sent")
    sent_to = page.locator("#sent-to + .ds_table-wrapper table tbody tr")
    expect(sent_to).to_have_count(1)
    expect(sent_to.first.locator("td").first).to_have_text(personas.erin_person.name)
    _axe(staff)
    staff.assert_no_problems()

    # erin, in her portal, with the keyboard alone.
    tab = open_tab("erin")
    page = tab.page
    expect(page).to_have_url(tab.url("/my/"))
    _axe(tab)
    _press(page, 'main a[href="/my/heard-back/"]', "the link to what happened")
    expect(page).to_have_url(tab.url("/my/heard-back/"))
    letter_link = page.locator(f'a[href="/my/heard-back/{draft.pk}/"]')
    expect(letter_link).to_have_text(draft.subject)
    _axe(tab)
    _press(page, f'main a[href="/my/heard-back/{draft.pk}/"]', "the link to the new letter")
    expect(page).to_have_url(tab.url(f"/my/heard-back/{draft.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(draft.subject)
    letter = page.locator(".ps-letter")
    expect(letter).to_contain_text(OPENING)
    expect(letter).to_contain_text(f"Dear {personas.erin_person.first_name},")
    # Each of her three contributions is quoted and marked "You said".
    said = letter.locator(".ps-letter__said")
    quotes = letter.locator("blockquote")
    expect(said).to_have_count(3)
    expect(said).to_have_text(["You said:"] * 3)
    expect(quotes).to_have_count(3)
    assert sorted(t.strip() for t in quotes.all_inner_texts()) == sorted(SAID)
    expect(letter).to_contain_text(
        re.compile(r"What will change:\s*" + re.escape(WHAT_WILL_CHANGE))
    )
    _axe(tab)
    assert draft.recipients.get().read_at is not None, "Opening it marks it read"
    tab.assert_no_problems()
