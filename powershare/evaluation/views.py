"""Staff pages that build questionnaires: the list (the evaluation home, under Learning), a
questionnaire's page with its sections, questions, answer links and imports, the forms that
make and change them, and a learning product's standard pre and post pair.

Seeing questionnaires needs VIEW_LEARNING in their organisation; changing them
MANAGE_LEARNING there. Anything else answers 404, never 403. Once people have answered a
question, what its answers mean stays fixed (services.question_update): the page shows those
parts as they are, with the reason, and offers what can still be done.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import (
    organisation_ids_where,
    organisation_list_where,
    user_can,
)
from powershare.learning import selectors as learning_selectors
from powershare.lib.forms import add_organisation_choice, posted, save_or_show, search_term
from powershare.system.submissions import submit_form_once_or_404

from . import selectors, services
from .forms import QuestionForm, QuestionnaireForm, SectionForm, StandardQuestionnairesForm
from .models import QuestionnaireKind, QuestionPurpose, QuestionType

PAGE_SIZE = 50
#: How many imports a questionnaire's page lists (the newest first).
IMPORTS_SHOWN = 50
#: How many products without standard questionnaires the list offers to make them for.
STANDARD_OFFERS = 20


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        {"label": "Evaluation", "url": reverse("evaluation:questionnaire_list")},
        *items,
    ]


def questionnaire_crumbs(questionnaire, *items):
    return _crumbs(
        {
            "label": questionnaire.title,
            "url": reverse("evaluation:questionnaire_detail", args=[questionnaire.pk]),
        },
        *items,
    )


def _require(user, capability=Capability.VIEW_LEARNING):
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _can_manage(user, organisation_id) -> bool:
    return user_can(
        user=user, capability=Capability.MANAGE_LEARNING, organisation_id=organisation_id
    )


def _detail_url(questionnaire_id, anchor: str = "") -> str:
    url = reverse("evaluation:questionnaire_detail", args=[questionnaire_id])
    return f"{url}#{anchor}" if anchor else url


def _several_organisations(user) -> bool:
    return len(organisation_ids_where(user=user, capability=Capability.VIEW_LEARNING)) > 1


# ---------------------------------------------------------------------------------------------
# The list: the evaluation home


@login_required
@require_GET
def questionnaire_list(request, **kwargs):
    user = request.user
    _require(user)
    search = search_term(request)
    kind = request.GET.get("kind", "")
    if kind not in QuestionnaireKind.values or kind == QuestionnaireKind.NATIONAL:
        kind = ""
    products = selectors.questionnaire_product_choices(user=user)
    chosen = request.GET.get("product", "")
    product_id = next((pk for pk, _title in products if str(pk) == chosen), None)
    rows = selectors.questionnaire_list_for(user=user, search=search).order_by("title", "pk")
    if product_id:
        rows = rows.filter(product_id=product_id)
    if kind:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = user_can(user=user, capability=Capability.MANAGE_LEARNING)
    without_standard = (
        list(
            selectors.product_choices(
                organisation_ids=organisation_ids_where(
                    user=user, capability=Capability.MANAGE_LEARNING
                )
            ).exclude(questionnaires__is_standard=True)[:STANDARD_OFFERS]
        )
        if can_manage
        else []
    )
    return render(
        request,
        "evaluation/questionnaire_list.html",
        {
            "page_title": "Evaluation",
            "breadcrumbs": _crumbs()[:-1] + [{"label": "Evaluation"}],
            "page_obj": page,
            "search": search,
            "kind": kind,
            # The national survey's questionnaires live on the national pages, never here.
            "kinds": [c for c in QuestionnaireKind.choices if c[0] != QuestionnaireKind.NATIONAL],
            "products": products,
            "product_id": product_id,
            "filtered": bool(search or kind or product_id),
            "several_organisations": _several_organisations(user),
            "can_manage": can_manage,
            "without_standard": without_standard,
        },
    )


# ---------------------------------------------------------------------------------------------
# A questionnaire's page


def _grouped(sections, questions):
    """[(section or None, [questions])]: questions not in a section first, then each section
    in order, each question knowing whether it can move up or down within its group."""
    by_section = {None: []} | {section.pk: [] for section in sections}
    for question in questions:
        by_section.setdefault(question.section_id, []).append(question)
    groups = [(None, by_section[None])] if by_section[None] else []
    groups += [(section, by_section[section.pk]) for section in sections]
    for _section, members in groups:
        for index, question in enumerate(members):
            question.can_move_up = index > 0
            question.can_move_down = index < len(members) - 1
    return groups


@login_required
@require_GET
def questionnaire_detail(request, pk, **kwargs):
    user = request.user
    questionnaire = selectors.questionnaire_get_for(user=user, pk=pk)
    can_manage = _can_manage(user, questionnaire.organisation_id)
    sections = list(questionnaire.sections.all())
    questions = list(selectors.question_list(questionnaire=questionnaire))
    answered = selectors.answered_question_ids(questionnaire=questionnaire)
    for question in questions:
        question.is_answered = question.pk in answered
    today = timezone.localdate()
    links = list(selectors.link_list(questionnaire=questionnaire))
    for link in links:
        link.open_now = link.is_open_on(today)
    imports = list(selectors.import_list(questionnaire=questionnaire)[:IMPORTS_SHOWN])
    return render(
        request,
        "evaluation/questionnaire_detail.html",
        {
            "page_title": questionnaire.title,
            "page_caption": "Questionnaire",
            "breadcrumbs": _crumbs({"label": questionnaire.title}),
            "questionnaire": questionnaire,
            "groups": _grouped(sections, questions),
            "question_count": len(questions),
            "sections": sections,
            "response_count": questionnaire.responses.count(),
            "links": links,
            "imports": imports,
            "can_manage": can_manage,
            "several_organisations": _several_organisations(user),
            "today": today,
        },
    )


# ---------------------------------------------------------------------------------------------
# Making and changing a questionnaire


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_create(request, **kwargs):
    user = request.user
    _require(user, Capability.MANAGE_LEARNING)
    manage_ids = organisation_ids_where(user=user, capability=Capability.MANAGE_LEARNING)
    products = selectors.product_choices(organisation_ids=manage_ids)
    initial = {"kind": QuestionnaireKind.CUSTOM, "small_group_threshold": 5}
    wanted = request.GET.get("product", "")
    if wanted.isdigit() and len(wanted) < 19:
        initial["product"] = products.filter(pk=int(wanted)).first()
    form = QuestionnaireForm(
        posted(request),
        products=products,
        questionnaires=selectors.pairing_choices(organisation_ids=manage_ids),
        initial=initial,
    )
    add_organisation_choice(
        form,
        organisation_list_where(user=user, capability=Capability.MANAGE_LEARNING).order_by("name"),
        label="Which organisation is it for?",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.get("organisation")

        def create():
            questionnaire = services.questionnaire_create(
                actor=user,
                organisation_id=organisation.pk if organisation else manage_ids[0],
                code=data["code"],
                title=data["title"],
                kind=data["kind"],
                product=data["product"],
                intro=data["intro"],
                thank_you=data["thank_you"],
                paired_with=data["paired_with"],
                ask_pairing_code=data["ask_pairing_code"],
                small_group_threshold=data["small_group_threshold"],
            )
            return _detail_url(questionnaire.pk)

        done = submit_form_once_or_404(
            request,
            form,
            create,
            success="The questionnaire is saved. Add its questions, then a link for people "
            "to answer.",
        )
        if done is not None:
            return done
    return render(
        request,
        "evaluation/questionnaire_form.html",
        {
            "page_title": "New questionnaire",
            "breadcrumbs": _crumbs({"label": "New questionnaire"}),
            "form": form,
            "button": "Save the questionnaire",
            "cancel_url": reverse("evaluation:questionnaire_list"),
            "creating": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request, pk, **kwargs):
    user = request.user
    questionnaire = selectors.questionnaire_get_for(
        user=user, pk=pk, may=Capability.MANAGE_LEARNING
    )
    answered = services.questionnaire_has_answers(questionnaire)
    kind_fixed = answered or questionnaire.is_standard
    form = QuestionnaireForm(
        posted(request),
        products=selectors.product_choices(organisation_ids=[]),
        questionnaires=selectors.pairing_choices(
            organisation_ids=[questionnaire.organisation_id], exclude_pk=questionnaire.pk
        ),
        editing=questionnaire,
        kind_fixed=kind_fixed,
        initial={
            "title": questionnaire.title,
            "kind": questionnaire.kind,
            "intro": questionnaire.intro,
            "thank_you": questionnaire.thank_you,
            "paired_with": questionnaire.paired_with,
            "ask_pairing_code": questionnaire.ask_pairing_code,
            "small_group_threshold": questionnaire.small_group_threshold,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def act():
            services.questionnaire_update(
                actor=user,
                questionnaire=questionnaire,
                title=data["title"],
                kind=data["kind"],
                intro=data["intro"],
                thank_you=data["thank_you"],
                paired_with=data["paired_with"],
                ask_pairing_code=data["ask_pairing_code"],
                small_group_threshold=data["small_group_threshold"],
            )

        if save_or_show(form, act):
            messages.success(request, "The questionnaire has been changed.")
            return redirect(_detail_url(questionnaire.pk))
    return render(
        request,
        "evaluation/questionnaire_form.html",
        {
            "page_title": "Change the questionnaire",
            "page_caption": questionnaire.title,
            "breadcrumbs": questionnaire_crumbs(questionnaire, {"label": "Change"}),
            "form": form,
            "questionnaire": questionnaire,
            "kind_reason": (
                "People have answered already, so what it is for stays as it is."
                if answered
                else "It is its learning product's standard questionnaire, so what it is for "
                "stays as it is."
                if questionnaire.is_standard
                else ""
            ),
            "button": "Save changes",
            "cancel_url": _detail_url(questionnaire.pk),
        },
    )


# ---------------------------------------------------------------------------------------------
# Sections


@login_required
@require_http_methods(["GET", "POST"])
def section_add(request, pk, **kwargs):
    user = request.user
    questionnaire = selectors.questionnaire_get_for(
        user=user, pk=pk, may=Capability.MANAGE_LEARNING
    )
    form = SectionForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def create():
            section = services.section_add(
                actor=user, questionnaire=questionnaire, **form.cleaned_data
            )
            return _detail_url(questionnaire.pk, f"section-{section.pk}")

        done = submit_form_once_or_404(request, form, create, success="The section has been added.")
        if done is not None:
            return done
    return render(
        request,
        "evaluation/section_form.html",
        {
            "page_title": "Add a section",
            "page_caption": questionnaire.title,
            "breadcrumbs": questionnaire_crumbs(questionnaire, {"label": "Add a section"}),
            "form": form,
            "button": "Add the section",
            "cancel_url": _detail_url(questionnaire.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk, **kwargs):
    user = request.user
    section = selectors.section_get_for(user=user, pk=pk)
    questionnaire = section.questionnaire
    form = SectionForm(posted(request), initial={"title": section.title, "intro": section.intro})
    if request.method == "POST" and form.is_valid():

        def act():
            services.section_update(actor=user, section=section, **form.cleaned_data)

        if save_or_show(form, act):
            messages.success(request, "The section has been changed.")
            return redirect(_detail_url(questionnaire.pk, f"section-{section.pk}"))
    return render(
        request,
        "evaluation/section_form.html",
        {
            "page_title": "Change the section",
            "page_caption": questionnaire.title,
            "breadcrumbs": questionnaire_crumbs(questionnaire, {"label": "Change a section"}),
            "form": form,
            "button": "Save changes",
            "cancel_url": _detail_url(questionnaire.pk, f"section-{section.pk}"),
        },
    )


# ---------------------------------------------------------------------------------------------
# Questions


def _question_form(request, questionnaire, *, question=None, answered=False, initial=None):
    return QuestionForm(
        posted(request),
        sections=questionnaire.sections.all(),
        outcomes=selectors.outcome_choices(
            questionnaire=questionnaire, include_id=question.outcome_id if question else None
        ),
        answered=answered,
        initial=initial,
    )


def _question_page(request, questionnaire, form, **context):
    return render(
        request,
        "evaluation/question_form.html",
        {
            "page_caption": questionnaire.title,
            "questionnaire": questionnaire,
            "form": form,
            "has_product": questionnaire.product_id is not None,
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request, pk, **kwargs):
    user = request.user
    questionnaire = selectors.questionnaire_get_for(
        user=user, pk=pk, may=Capability.MANAGE_LEARNING
    )
    initial = {"type": QuestionType.LIKERT, "purpose": QuestionPurpose.OTHER}
    wanted = request.GET.get("section", "")
    if wanted.isdigit() and len(wanted) < 19:
        initial["section"] = questionnaire.sections.filter(pk=int(wanted)).first()
    form = _question_form(request, questionnaire, initial=initial)
    if request.method == "POST" and form.is_valid():

        def create():
            question = services.question_add(
                actor=user,
                questionnaire=questionnaire,
                choices=form.option_lines(),
                **form.service_values(),
            )
            return _detail_url(questionnaire.pk, f"question-{question.pk}")

        done = submit_form_once_or_404(
            request, form, create, success="The question has been added."
        )
        if done is not None:
            return done
    return _question_page(
        request,
        questionnaire,
        form,
        page_title="Add a question",
        breadcrumbs=questionnaire_crumbs(questionnaire, {"label": "Add a question"}),
        button="Add the question",
        cancel_url=_detail_url(questionnaire.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, **kwargs):
    user = request.user
    question = selectors.question_get_for(user=user, pk=pk)
    questionnaire = question.questionnaire
    answered = services.question_has_answers(question)
    form = _question_form(
        request,
        questionnaire,
        question=question,
        answered=answered,
        initial={
            "code": question.code,
            "text": question.text,
            "help_text": question.help_text,
            "type": question.type,
            "purpose": question.purpose,
            "section": question.section,
            "required": question.required,
            "allow_prefer_not": question.allow_prefer_not,
            "outcome": question.outcome,
            "quotable": question.quotable,
            "choices": "\n".join(choice.label for choice in question.choices.all()),
        },
    )
    if request.method == "POST" and form.is_valid():

        def act():
            services.question_update(
                actor=user,
                question=question,
                choices=form.option_lines(),
                **form.service_values(),
            )

        if save_or_show(form, act):
            messages.success(request, "The question has been changed.")
            return redirect(_detail_url(questionnaire.pk, f"question-{question.pk}"))
    return _question_page(
        request,
        questionnaire,
        form,
        question=question,
        answered=answered,
        page_title="Change the question",
        breadcrumbs=questionnaire_crumbs(questionnaire, {"label": "Change a question"}),
        button="Save changes",
        cancel_url=_detail_url(questionnaire.pk, f"question-{question.pk}"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_close(request, pk, **kwargs):
    """Close a question (it takes no more answers; its answers stay) or open it again.
    A GET (a link followed, say) goes back to the questionnaire's page."""
    user = request.user
    question = selectors.question_get_for(user=user, pk=pk)
    back = _detail_url(question.questionnaire_id, f"question-{question.pk}")
    if request.method != "POST":
        return redirect(back)
    closing = request.POST.get("closed", "1") != "0"
    try:
        services.question_close(actor=user, question=question, closed=closing)
    except PermissionDenied:
        raise Http404("No such question") from None
    messages.success(
        request,
        "The question is closed: it takes no more answers, and its answers stay in the results."
        if closing
        else "The question is open again.",
    )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def question_remove(request, pk, **kwargs):
    """Take out a question nobody has answered, after asking once. One with answers can only
    be closed: the page says so."""
    user = request.user
    question = selectors.question_get_for(user=user, pk=pk)
    questionnaire = question.questionnaire
    answered = services.question_has_answers(question)
    problem = ""
    if request.method == "POST" and not answered:
        try:
            services.question_remove(actor=user, question=question)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such question") from None
        else:
            messages.success(request, "The question has been taken out.")
            return redirect(_detail_url(questionnaire.pk, "questions"))
    return render(
        request,
        "evaluation/question_remove.html",
        {
            "page_title": "Take out this question?",
            "page_caption": questionnaire.title,
            "breadcrumbs": questionnaire_crumbs(questionnaire, {"label": "Take out a question"}),
            "questionnaire": questionnaire,
            "question": question,
            "answered": answered,
            "error": problem,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_move(request, pk, **kwargs):
    """Move a question up or down within its section. A GET goes back to the page."""
    user = request.user
    question = selectors.question_get_for(user=user, pk=pk)
    back = _detail_url(question.questionnaire_id, f"question-{question.pk}")
    if request.method == "POST":
        try:
            services.question_move(
                actor=user, question=question, up=request.POST.get("direction") != "down"
            )
        except PermissionDenied:
            raise Http404("No such question") from None
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# A product's standard pre and post questionnaires


@login_required
@require_http_methods(["GET", "POST"])
def standard_make(request, pk, **kwargs):
    user = request.user
    product = learning_selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    existing = [q for q in selectors.product_questionnaires(product=product) if q.is_standard]
    version = learning_selectors.version_current(product=product)
    outcomes = list(version.outcomes.all()) if version else []
    form = StandardQuestionnairesForm(posted(request))
    if request.method == "POST" and existing:
        messages.info(request, "This product already has its standard questionnaires.")
        return redirect(_detail_url(existing[0].pk))
    if request.method == "POST" and outcomes and form.is_valid():

        def create():
            pre, _post = services.standard_questionnaires_make(
                actor=user,
                product=product,
                about_you=form.about_you(),
                pairing=form.cleaned_data["pairing"],
            )
            return _detail_url(pre.pk)

        done = submit_form_once_or_404(
            request,
            form,
            create,
            success="The standard questionnaires are made. Each delivery's first session has a "
            "link to the one before the learning, and its last session a link to the one after.",
        )
        if done is not None:
            return done
    return render(
        request,
        "evaluation/standard_make.html",
        {
            "page_title": "Make the standard questionnaires",
            "page_caption": product.title,
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Learning", "url": reverse("learning:home")},
                {"label": "Learning products", "url": reverse("learning:product_list")},
                {
                    "label": product.title,
                    "url": reverse("learning:product_detail", args=[product.pk]),
                },
                {"label": "Standard questionnaires"},
            ],
            "product": product,
            "existing": existing,
            "version": version,
            "outcomes": outcomes,
            "reactions": services.REACTION_STATEMENTS,
            "own_words": services.NEXT_STEPS_QUESTIONS,
            "pre_days": services.PRE_OPENS_DAYS_BEFORE,
            "post_days": services.POST_CLOSES_DAYS_AFTER,
            "form": form,
        },
    )
