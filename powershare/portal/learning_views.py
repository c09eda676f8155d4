"""The portal's learning pages, for people with lived experience who help deliver training or
whose words are used in it:

* "Training you help deliver": the courses they co-deliver, each with its sessions (date, time,
  place or online link), the materials of the version taught (to download), their support plan
  (before, on the day, after: who, and whether it has happened) and the payment owed for it.
* "Your words in training": which learning materials quote what they said, and how they can
  change that (remove some words, or withdraw it: the material is then marked to be updated).

Everything is read through learning.selectors' *_for_person functions, for the person signed in
(never taken from the address bar), so another person's course or a material of a course they
don't help deliver is 404. Staff with a person record of their own see the same pages through
"Your own page".
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from powershare.learning import selectors as learning_selectors
from powershare.learning.models import SessionMode, SupportStage
from powershare.lib.uploads import protected_file_response
from powershare.people.services import person_read_record

from .payment_views import payment_words
from .views import _crumbs, portal_page

PAGE_SIZE = 25

#: Each support stage in the person's own words, in the order it happens.
SUPPORT_WORDS = {
    SupportStage.BEFORE: "Before: a session to get ready",
    SupportStage.DURING: "On the day: someone there for you",
    SupportStage.AFTER: "After: a chat about how it went",
}


def _training_crumbs(*items):
    return _crumbs(
        {"label": "Training you help deliver", "url": reverse("portal:training")}, *items
    )


def _commission(facilitator):
    """The commission behind a place on a team (None when they were added to the team
    without one)."""
    commission = getattr(facilitator, "commission", None)
    return commission if commission is not None and commission.cancelled_at is None else None


def _course_words(facilitator, today) -> None:
    """Dates and where-it's-at words for one course, from its prefetched sessions."""
    sessions = sorted(facilitator.delivery.sessions.all(), key=lambda s: s.number)
    facilitator.session_rows = sessions
    facilitator.first_day = sessions[0].date if sessions else None
    facilitator.last_day = sessions[-1].date if sessions else None
    facilitator.finished = bool(sessions) and sessions[-1].date < today


def _support_rows(commission) -> list:
    order = {stage: i for i, stage in enumerate(SupportStage.values)}
    rows = sorted(commission.support.all(), key=lambda row: order.get(row.stage, len(order)))
    for row in rows:
        row.words = SUPPORT_WORDS.get(row.stage, row.get_stage_display())
    return rows


# ---------------------------------------------------------------------------------------------
# The home page's section


class TrainingHomeSection:
    """The portal home's card about learning, shown only to someone who helps deliver a
    course or whose words are used in learning materials. An object the home page's
    `{% include %}` renders (portal.views.HOME_SECTIONS), so it can ask the selectors itself."""

    template_name = "portal/sections/training.html"

    def render(self, context):
        person = context.get("person")
        if person is None:
            return ""
        courses = learning_selectors.facilitating_for_person(person=person).count()
        materials = learning_selectors.materials_quoting_person(person=person).count()
        if not courses and not materials:
            return ""
        template = get_template(self.template_name).template
        with context.push(training_course_count=courses, training_material_count=materials):
            return template.render(context)


home_section = TrainingHomeSection()


# ---------------------------------------------------------------------------------------------
# Training you help deliver


@portal_page
@require_GET
def training_list(request, person):
    today = timezone.localdate()
    page = Paginator(learning_selectors.facilitating_for_person(person=person), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    courses = list(page.object_list)
    for facilitator in courses:
        _course_words(facilitator, today)
    return render(
        request,
        "portal/training.html",
        {
            "page_title": "Training you help deliver",
            "breadcrumbs": _crumbs({"label": "Training you help deliver"}),
            "person": person,
            "page_obj": page,
            "groups": [
                {"key": key, "title": title, "courses": chosen}
                for key, title, chosen in (
                    ("coming-up", "Coming up", [f for f in courses if not f.finished]),
                    ("finished", "Finished", [f for f in courses if f.finished]),
                )
                if chosen
            ],
        },
    )


@portal_page
@require_GET
def training_detail(request, person, pk):
    facilitator = learning_selectors.facilitating_get_for_person(person=person, pk=pk)
    person_read_record(
        user=request.user,
        person=person,
        what="own training (sessions, support and payment) viewed in their portal",
        path=request.get_full_path(),
    )
    today = timezone.localdate()
    _course_words(facilitator, today)
    delivery = facilitator.delivery
    commission = _commission(facilitator)
    payment = commission.payment if commission is not None else None
    if payment is not None:
        payment_words(payment)
    invitation = commission.invitation if commission is not None else None
    title = f"{delivery.product.title} at {delivery.site.name}"
    return render(
        request,
        "portal/training_detail.html",
        {
            "page_title": delivery.product.title,
            "page_caption": f"{delivery.site.name}, {delivery.cohort}",
            "breadcrumbs": _training_crumbs({"label": title}),
            "person": person,
            "facilitator": facilitator,
            "delivery": delivery,
            "sessions": facilitator.session_rows,
            "online": SessionMode.ONLINE,
            "materials": list(delivery.version.materials.all()),
            "commission": commission,
            "support": _support_rows(commission) if commission is not None else [],
            "payment": payment,
            "invitation": invitation,
            "today": today,
            # Who to ask: their own contact on the register, or whoever commissioned them.
            "contact": person.staff_contact
            or (commission.created_by if commission is not None else None)
            or delivery.product.owner,
        },
    )


@portal_page
@require_GET
def training_material(request, person, pk):
    material = learning_selectors.material_get_for_person(person=person, pk=pk)
    if not material.file:
        raise Http404("No such file")
    return protected_file_response(
        material.file,
        original_name=material.original_name or material.title,
        content_type=material.content_type or "application/octet-stream",
    )


# ---------------------------------------------------------------------------------------------
# Your words in training


def _by_course(materials) -> list[dict]:
    """Materials grouped by course, in the order given."""
    courses: list[dict] = []
    for material in materials:
        product = material.version.product
        if not courses or courses[-1]["product"].pk != product.pk:
            courses.append({"product": product, "materials": []})
        courses[-1]["materials"].append(material)
    return courses


@portal_page
@require_GET
def words_in_learning(request, person):
    page = Paginator(
        learning_selectors.words_in_learning_for_person(person=person), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    materials = list(page.object_list)
    return render(
        request,
        "portal/words_in_learning.html",
        {
            "page_title": "Your words in training",
            "breadcrumbs": _crumbs(
                {"label": "Things you've said", "url": reverse("portal:contributions")},
                {"label": "Your words in training"},
            ),
            "person": person,
            "page_obj": page,
            "courses": _by_course(materials),
        },
    )
