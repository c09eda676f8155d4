"""Portal pages: what happened to what you said, and the letters and updates you were sent.

Everything is read through accountability.selectors' *_for_person functions, for the person
signed in (never taken from the address bar), so someone else's letter is 404. A letter is
assembled live: the person's own words are shown to them as theirs, and other people's words
only as far as those people agreed.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import selectors as accountability_selectors
from powershare.accountability import services as accountability_services

from .views import _crumbs, portal_page

#: How many of your contributions are listed on one page, and how many updates are shown.
PAGE_SIZE = 25
NOTICES_SHOWN = 20


def _feedback_crumbs(*items):
    return _crumbs({"label": "What happened", "url": reverse("portal:feedback")}, *items)


@portal_page
def feedback_list(request, person):
    letters = list(accountability_selectors.letters_for_person(person=person))
    notices = list(
        accountability_selectors.change_notices_for_person(person=person)[:NOTICES_SHOWN]
    )
    page = Paginator(
        accountability_selectors.outcomes_for_person(person=person), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/feedback_list.html",
        {
            "page_title": "What happened",
            "breadcrumbs": _crumbs({"label": "What happened"}),
            "person": person,
            "letters": letters,
            "unread_count": sum(1 for recipient in letters if recipient.read_at is None),
            "notices": notices,
            "outcomes": list(page.object_list),
            "page_obj": page,
            "today": timezone.localdate(),
        },
    )


@portal_page
def feedback_letter(request, person, pk):
    recipient = accountability_selectors.letter_get_for_person(person=person, pk=pk)
    letter = recipient.letter
    sections = accountability_selectors.letter_sections(
        activity=letter.activity, letter=letter, person=person
    )
    accountability_services.letter_read_mark(person=person, recipient=recipient)
    return render(
        request,
        "portal/feedback_letter.html",
        {
            "page_title": letter.subject,
            "page_caption": letter.activity.title,
            "breadcrumbs": _feedback_crumbs({"label": letter.activity.title}),
            "person": person,
            "recipient": recipient,
            "letter": letter,
            "sections": sections,
            "greeting": f"Dear {person.first_name}," if person.first_name else "",
        },
    )
