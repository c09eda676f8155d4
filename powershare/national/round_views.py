"""The national coordinator's pages for survey rounds: the list of rounds, starting one, a
round's page with "N of M councils have sent their return" kept up to date and the chasing
list, reminders, the round's dates, councils, narrative and questions, copying it to the next
year, and reopening a sent return.

Everything here needs RUN_NATIONAL_SURVEY in the body running the round (selectors scope it):
anyone else gets 404, except that a council's survey respondent opening the national survey's
home is sent to their council's returns. The coordinator sees each council's status and dates,
never a draft's answers and never who at a council sent a return.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.evaluation import selectors as evaluation_selectors
from powershare.evaluation import services as evaluation_services
from powershare.evaluation.models import QuestionType
from powershare.lib.forms import posted, save_or_show
from powershare.system.submissions import submit_form_once_or_404

from . import selectors, services
from .models import ReturnStatus
from .round_forms import (
    NarrativeForm,
    QuestionForm,
    ReopenForm,
    RoundCouncilsForm,
    RoundCreateForm,
    RoundEditForm,
)

PAGE_SIZE = 25
#: The chasing list shows every council of a usual round on one page.
RETURNS_PAGE_SIZE = 50
#: A new round's returns are due this long after it opens, unless the coordinator says.
DEFAULT_WEEKS_OPEN = 8


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "National survey", "url": reverse("national:home")},
        *items,
    ]


def _round_crumbs(survey_round, *items):
    return _crumbs(
        {
            "label": f"Round {survey_round.year}",
            "url": reverse("national:round_detail", args=[survey_round.pk]),
        },
        *items,
    )


def _detail_url(survey_round, anchor: str = "") -> str:
    url = reverse("national:round_detail", args=[survey_round.pk])
    return f"{url}#{anchor}" if anchor else url


def _questions_url(survey_round_id: int, anchor: str = "") -> str:
    url = reverse("national:round_questions", args=[survey_round_id])
    return f"{url}#{anchor}" if anchor else url


def _require_runs(user) -> None:
    if not selectors.runs_survey(user=user):
        raise Http404("No such page")


# ---------------------------------------------------------------------------------------------
# Rounds


@login_required
@require_GET
def home(request):
    user = request.user
    if not selectors.runs_survey(user=user):
        if selectors.responds_to_survey(user=user):
            return redirect("national:my_returns")
        raise Http404("No such page")
    page = Paginator(selectors.round_list_for(user=user).order_by("-year"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "national/home.html",
        {
            "page_title": "National survey",
            "breadcrumbs": _crumbs()[:1] + [{"label": "National survey"}],
            "page_obj": page,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    user = request.user
    _require_runs(user)
    councils = services.council_choices()
    today = timezone.localdate()
    latest = selectors.round_list_for(user=user).order_by("-year").values_list("year", flat=True)
    latest_year = latest.first()
    form = RoundCreateForm(
        posted(request),
        councils=councils,
        initial={
            "year": (latest_year + 1) if latest_year else today.year,
            "opens_on": today,
            "closes_on": today + datetime.timedelta(weeks=DEFAULT_WEEKS_OPEN),
            "councils": [c.pk for c in councils if c.is_reference],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            survey_round = services.round_create(
                actor=user,
                year=data["year"],
                title=data["title"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                council_ids=data["councils"],
            )
            return _detail_url(survey_round)

        done = submit_form_once_or_404(
            request,
            form,
            create,
            success="The round is ready, with the standard questions. Check its questions "
            "before councils start their returns.",
        )
        if done is not None:
            return done
    return render(
        request,
        "national/round_form.html",
        {
            "page_title": "Start a survey round",
            "breadcrumbs": _crumbs({"label": "Start a round"}),
            "form": form,
            "creating": True,
            "button": "Start the round",
            "cancel_url": reverse("national:home"),
        },
    )


def _progress_context(survey_round) -> dict:
    progress = selectors.round_progress(survey_round=survey_round)
    return {
        "survey_round": survey_round,
        "progress": progress,
        # The counts as the page shows them: htmx sends them back when it asks again.
        "progress_seen": (
            f"{progress.invited}-{progress.sent}-{progress.drafts}-{progress.not_started}"
        ),
    }


@login_required
@require_GET
def round_detail(request, pk):
    user = request.user
    survey_round = selectors.round_get_for(user=user, pk=pk)
    status = request.GET.get("status", "")
    if status not in ReturnStatus.values:
        status = ""
    returns = selectors.round_returns(survey_round=survey_round, status=status)
    page = Paginator(returns, RETURNS_PAGE_SIZE).get_page(request.GET.get("page"))
    respondents = selectors.councils_with_respondents(
        council_ids=[r.council_id for r in page.object_list]
    )
    for council_return in page.object_list:
        council_return.respondents = respondents.get(council_return.council_id, 0)
    return render(
        request,
        "national/round_detail.html",
        {
            "page_title": str(survey_round),
            "page_caption": f"Round {survey_round.year}, covering {survey_round.period}",
            "breadcrumbs": _crumbs({"label": f"Round {survey_round.year}"}),
            "page_obj": page,
            "status": status,
            "statuses": ReturnStatus.choices,
            "today": timezone.localdate(),
            **_progress_context(survey_round),
        },
    )


@login_required
@require_GET
def round_progress(request, pk):
    """ "N of M councils have sent their return": the part of the round's page htmx asks for
    every 30 seconds. Without htmx, the round's page itself. While the counts are those the
    page shows (`seen`), the answer is 204 No Content, so htmx changes nothing and a screen
    reader announces nothing; when they change, the headline is announced once."""
    survey_round = selectors.round_get_for(user=request.user, pk=pk)
    if not request.headers.get("HX-Request"):
        return redirect(_detail_url(survey_round, "progress"))
    context = _progress_context(survey_round)
    seen = request.GET.get("seen", "")
    if seen == context["progress_seen"]:
        response = HttpResponse(status=204)
    else:
        # The headline ("N of M") is sent, and so announced, only when it changed: a new draft
        # changes the counts under it, not the headline.
        progress = context["progress"]
        context["headline_changed"] = seen.split("-")[:2] != [
            str(progress.invited),
            str(progress.sent),
        ]
        response = render(request, "national/round_progress.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    user = request.user
    survey_round = selectors.round_get_for(user=user, pk=pk)
    form = RoundEditForm(
        posted(request),
        initial={
            "title": survey_round.title,
            "opens_on": survey_round.opens_on,
            "closes_on": survey_round.closes_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if save_or_show(
            form,
            lambda: services.round_update(
                actor=user,
                survey_round=survey_round,
                title=data["title"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
            ),
        ):
            messages.success(request, "The round's title and dates are saved.")
            return redirect(_detail_url(survey_round))
    return render(
        request,
        "national/round_form.html",
        {
            "page_title": "Change the title and dates",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(survey_round, {"label": "Title and dates"}),
            "form": form,
            "button": "Save changes",
            "cancel_url": _detail_url(survey_round),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_narrative(request, pk):
    user = request.user
    survey_round = selectors.round_get_for(user=user, pk=pk)
    form = NarrativeForm(
        posted(request),
        initial={
            "key_messages": survey_round.key_messages,
            "recommendations": survey_round.recommendations,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if save_or_show(
            form,
            lambda: services.round_update(
                actor=user,
                survey_round=survey_round,
                key_messages=data["key_messages"],
                recommendations=data["recommendations"],
            ),
        ):
            messages.success(request, "The key messages and recommendations are saved.")
            return redirect(_detail_url(survey_round, "report"))
    return render(
        request,
        "national/round_narrative.html",
        {
            "page_title": "Key messages and recommendations",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(survey_round, {"label": "Key messages"}),
            "survey_round": survey_round,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_councils(request, pk):
    user = request.user
    survey_round = selectors.round_get_for(user=user, pk=pk)
    statuses = dict(
        selectors.round_returns(survey_round=survey_round).values_list("council_id", "status")
    )
    form = RoundCouncilsForm(
        posted(request),
        councils=services.council_choices(),
        statuses=statuses,
        initial={"councils": list(statuses)},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["councils"]
        if save_or_show(
            form,
            lambda: services.round_councils_set(
                actor=user, survey_round=survey_round, council_ids=chosen
            ),
        ):
            messages.success(
                request,
                f"{len(chosen)} council{'s' if len(chosen) != 1 else ''} "
                f"{'are' if len(chosen) != 1 else 'is'} taking part.",
            )
            return redirect(_detail_url(survey_round, "returns"))
    return render(
        request,
        "national/round_councils.html",
        {
            "page_title": "Councils taking part",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(survey_round, {"label": "Councils"}),
            "survey_round": survey_round,
            "form": form,
            "invited": len(statuses),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_copy(request, pk):
    user = request.user
    survey_round = selectors.round_get_for(user=user, pk=pk)
    year = survey_round.year + 1
    error = ""
    if request.method == "POST":

        def create():
            new = services.round_copy(actor=user, survey_round=survey_round)
            return _detail_url(new)

        done = submit_form_once_or_404(
            request,
            None,
            create,
            success=f"Round {year} is ready, with the same councils and questions. Check its "
            "dates before councils start.",
        )
        if isinstance(done, str):
            error = done
        else:
            return done
    existing = selectors.round_for_year(year=year)
    return render(
        request,
        "national/round_copy.html",
        {
            "page_title": f"Copy to round {year}",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(survey_round, {"label": "Copy to the next year"}),
            "survey_round": survey_round,
            "year": year,
            "period": f"{year - 1}/{str(year)[-2:]}",
            "existing": existing
            if existing and existing.organisation_id == survey_round.organisation_id
            else None,
            "taken": existing is not None,
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminders_send(request, pk):
    """Ask once, then email every survey respondent of each council still to send its
    return. The page counts councils and emails; councils without a survey respondent are
    named so the coordinator can ask them to nominate one (never a person's name)."""
    user = request.user
    survey_round = selectors.round_get_for(user=user, pk=pk)
    error = ""
    if request.method == "POST":

        def create():
            result = services.reminders_send(actor=user, survey_round=survey_round)
            text = (
                f"Reminders sent: {result.emails} email{'s' if result.emails != 1 else ''} to "
                f"the survey respondents of {result.councils} "
                f"council{'s' if result.councils != 1 else ''}."
            )
            if result.without_respondent:
                text += (
                    f" {len(result.without_respondent)} "
                    f"council{'s have' if len(result.without_respondent) != 1 else ' has'} "
                    "no survey respondent to remind."
                )
            messages.success(request, text)
            if result.failed:
                messages.warning(
                    request,
                    f"The emails to {result.failed} council"
                    f"{'s' if result.failed != 1 else ''} could not be sent just now. "
                    "Try again later.",
                )
            return _detail_url(survey_round, "returns")

        done = submit_form_once_or_404(request, None, create)
        if isinstance(done, str):
            error = done
        else:
            return done
    targets = selectors.reminder_targets(survey_round=survey_round)
    with_people = [(r, people) for r, people in targets if people]
    return render(
        request,
        "national/round_reminders.html",
        {
            "page_title": "Send reminders",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(survey_round, {"label": "Send reminders"}),
            "survey_round": survey_round,
            "pending": len(targets),
            "councils": len(with_people),
            "emails": sum(len(people) for _, people in with_people),
            "without_respondent": [r.council.name for r, people in targets if not people],
            "error": error,
        },
    )


# ---------------------------------------------------------------------------------------------
# Reopening a sent return


@login_required
@require_http_methods(["GET", "POST"])
def return_reopen(request, pk):
    user = request.user
    council_return = selectors.return_get_for(user=user, pk=pk)
    # Only the coordinator running the round: a council's respondent gets 404 here.
    survey_round = selectors.round_get_for(user=user, pk=council_return.round_id)
    if not council_return.is_locked:
        messages.info(
            request,
            f"{council_return.council.name}'s return has not been sent, so the council "
            "can already change it.",
        )
        return redirect(_detail_url(survey_round, "returns"))
    form = ReopenForm(posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_show(
            form,
            lambda: services.return_reopen(
                actor=user, council_return=council_return, reason=form.cleaned_data["reason"]
            ),
        )
    ):
        messages.success(
            request,
            f"{council_return.council.name}'s return is open again: the council "
            "can change it and send it again.",
        )
        return redirect(_detail_url(survey_round, "returns"))
    return render(
        request,
        "national/reopen.html",
        {
            "page_title": f"Reopen {council_return.council.name}'s return",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(survey_round, {"label": "Reopen a return"}),
            "survey_round": survey_round,
            "council_return": council_return,
            "form": form,
        },
    )


# ---------------------------------------------------------------------------------------------
# Questions


@login_required
@require_GET
def round_questions(request, pk):
    survey_round = selectors.round_get_for(user=request.user, pk=pk)
    questions = selectors.round_questions(survey_round=survey_round)
    answered = evaluation_selectors.answered_question_ids(questionnaire=survey_round.questionnaire)
    sections: list[dict] = []
    by_section: dict = {}
    for question in questions:
        question.answered = question.pk in answered
        question.has_options = question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE)
        key = question.section_id
        if key not in by_section:
            by_section[key] = {"section": question.section, "questions": []}
            sections.append(by_section[key])
        by_section[key]["questions"].append(question)
    for group in sections:
        shown = group["questions"]
        for number, question in enumerate(shown):
            question.first, question.last = number == 0, number == len(shown) - 1
    return render(
        request,
        "national/round_questions.html",
        {
            "page_title": "Questions",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(survey_round, {"label": "Questions"}),
            "survey_round": survey_round,
            "sections": sections,
            "question_count": len(questions),
        },
    )


def _question_page(request, survey_round, form, **context):
    return render(
        request,
        "national/question_form.html",
        {
            "page_caption": str(survey_round),
            "survey_round": survey_round,
            "form": form,
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request, pk):
    user = request.user
    survey_round = selectors.round_get_for(user=user, pk=pk)
    questionnaire = survey_round.questionnaire
    sections = questionnaire.sections.all()
    initial = {"type": QuestionType.YES_NO}
    wanted = request.GET.get("section", "")
    if wanted.isdigit() and len(wanted) < 19:
        initial["section"] = sections.filter(pk=int(wanted)).first()
    form = QuestionForm(posted(request), sections=sections, initial=initial)
    if request.method == "POST" and form.is_valid():

        def create():
            question = evaluation_services.question_add(
                actor=user,
                questionnaire=questionnaire,
                choices=form.option_lines(),
                **form.service_values(),
            )
            return _questions_url(survey_round.pk, f"question-{question.pk}")

        done = submit_form_once_or_404(request, form, create, success="The question is added.")
        if done is not None:
            return done
    return _question_page(
        request,
        survey_round,
        form,
        page_title="Add a question",
        breadcrumbs=_round_crumbs(
            survey_round,
            {"label": "Questions", "url": _questions_url(survey_round.pk)},
            {"label": "Add a question"},
        ),
        creating=True,
        button="Add the question",
        cancel_url=_questions_url(survey_round.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    user = request.user
    question = selectors.question_get_for(user=user, pk=pk)
    survey_round = question.questionnaire.survey_round
    answered = evaluation_services.question_has_answers(question)
    form = QuestionForm(
        posted(request),
        sections=question.questionnaire.sections.all(),
        answered=answered,
        initial={
            "code": question.code,
            "text": question.text,
            "help_text": question.help_text,
            "type": question.type,
            "section": question.section,
            "required": question.required,
            "choices": "\n".join(choice.label for choice in question.choices.all()),
        },
    )
    back = _questions_url(survey_round.pk, f"question-{question.pk}")
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_show(
            form,
            lambda: evaluation_services.question_update(
                actor=user,
                question=question,
                choices=form.option_lines(),
                **form.service_values(),
            ),
        )
    ):
        messages.success(request, "The question is saved.")
        return redirect(back)
    return _question_page(
        request,
        survey_round,
        form,
        question=question,
        answered=answered,
        page_title="Change the question",
        breadcrumbs=_round_crumbs(
            survey_round,
            {"label": "Questions", "url": _questions_url(survey_round.pk)},
            {"label": "Change a question"},
        ),
        button="Save changes",
        cancel_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_remove(request, pk):
    """Take out a question no council has answered, after asking once. One with answers can
    only stop being asked (closed; its answers stay): the page says so and offers that."""
    user = request.user
    question = selectors.question_get_for(user=user, pk=pk)
    survey_round = question.questionnaire.survey_round
    answered = evaluation_services.question_has_answers(question)
    error = ""
    if request.method == "POST":
        closing = request.POST.get("closed")
        try:
            if closing in ("0", "1"):
                evaluation_services.question_close(
                    actor=user, question=question, closed=closing == "1"
                )
                messages.success(
                    request,
                    "The question is no longer asked: the answers councils gave stay."
                    if closing == "1"
                    else "The question is asked again.",
                )
                return redirect(_questions_url(survey_round.pk, f"question-{question.pk}"))
            evaluation_services.question_remove(actor=user, question=question)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        except PermissionDenied:
            raise Http404("No such question") from None
        else:
            messages.success(request, "The question is taken out.")
            return redirect(_questions_url(survey_round.pk))
    return render(
        request,
        "national/question_remove.html",
        {
            "page_title": "Take out this question?",
            "page_caption": str(survey_round),
            "breadcrumbs": _round_crumbs(
                survey_round,
                {"label": "Questions", "url": _questions_url(survey_round.pk)},
                {"label": "Take out a question"},
            ),
            "survey_round": survey_round,
            "question": question,
            "answered": answered,
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_move(request, pk):
    """Move a question up or down within its section. A GET goes back to the questions."""
    user = request.user
    question = selectors.question_get_for(user=user, pk=pk)
    if request.method == "POST":
        try:
            evaluation_services.question_move(
                actor=user, question=question, up=request.POST.get("direction") != "down"
            )
        except PermissionDenied:
            raise Http404("No such question") from None
    return redirect(
        _questions_url(question.questionnaire.survey_round.pk, f"question-{question.pk}")
    )
