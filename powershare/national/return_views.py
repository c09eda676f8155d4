"""A council's returns to the national survey.

* "Your council's returns" and the return form are the council's survey respondent's
  (RESPOND_TO_NATIONAL_SURVEY in that council): anyone else, the national coordinator
  included, gets a 404.
* A return's page is its council's respondent's (whatever its status, with who sent it) and
  the national coordinator's of the round's body, who sees the answers only once the return is
  sent, and never who at the council sent it.
"""

import datetime
from dataclasses import dataclass, field

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
from powershare.accounts.selectors import user_can
from powershare.evaluation.models import LIKERT_LABELS, YES_NO_LABELS, QuestionType
from powershare.improvement import selectors as improvement_selectors
from powershare.lib.forms import posted
from powershare.system.submissions import submit_once

from . import selectors, services
from .models import CouncilReturn, ReturnStatus
from .return_forms import ReturnForm

PAGE_SIZE = 20
LOCKED_MESSAGE = (
    "This return has been sent, so it is locked. If something needs to change, ask the "
    "national coordinator to reopen it."
)


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "National survey", "url": reverse("national:home")},
        *items,
    ]


def _mine_crumb():
    return {"label": "Your council's returns", "url": reverse("national:my_returns")}


def _responds_for(user, council_return: CouncilReturn) -> bool:
    return user_can(
        user=user,
        capability=Capability.RESPOND_TO_NATIONAL_SURVEY,
        organisation_id=council_return.council_id,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def when_due(council_return: CouncilReturn, today: datetime.date) -> str:
    """ "due in 12 days", "due today", "was due on 31 March 2025", "sent on …", "opens on …"."""
    survey_round = council_return.round
    if council_return.is_locked:
        return f"Sent on {council_return.submitted_at:%-d %B %Y}"
    if today < survey_round.opens_on:
        return f"Opens on {survey_round.opens_on:%-d %B %Y}"
    gap = (survey_round.closes_on - today).days
    if gap < 0:
        return f"Was due on {survey_round.closes_on:%-d %B %Y}"
    if gap == 0:
        return "Due today"
    return f"Due in {_plural(gap, 'day')}"


@dataclass
class AnswerShown:
    number: int
    text: str
    type: str
    #: Labels chosen (a choose-any question may have several); empty when not answered.
    values: list[str] = field(default_factory=list)
    words: str = ""
    shareable: bool = False

    @property
    def answered(self) -> bool:
        return bool(self.values or self.words)


@dataclass
class SectionShown:
    title: str
    answers: list[AnswerShown] = field(default_factory=list)


def _answers_shown(council_return: CouncilReturn) -> list[SectionShown]:
    """The return's answers question by question, grouped by section (read-only)."""
    questions = selectors.round_questions(survey_round=council_return.round)
    answers, texts, shareable = selectors.return_answers(council_return=council_return)
    sections: list[SectionShown] = []
    last_section = object()
    number = 0
    for question in questions:
        given = answers.get(question.pk)
        if question.is_closed and given is None and question.pk not in texts:
            continue
        number += 1
        if question.section_id != last_section:
            last_section = question.section_id
            sections.append(
                SectionShown(title=question.section.title if question.section_id else "")
            )
        shown = AnswerShown(number=number, text=question.text, type=question.type)
        if question.type == QuestionType.TEXT:
            shown.words = texts.get(question.pk, "")
            shown.shareable = question.pk in shareable
        elif given is not None:
            values = given if isinstance(given, list) else [given]
            if question.type == QuestionType.YES_NO:
                labels = YES_NO_LABELS
            elif question.type == QuestionType.LIKERT:
                labels = LIKERT_LABELS
            else:
                labels = {c.value: c.label for c in question.choices.all()}
            shown.values = [str(labels.get(v, v)) for v in values]
        sections[-1].answers.append(shown)
    return sections


# ---------------------------------------------------------------------------------------------
# Pages


@login_required
@require_GET
def my_returns(request):
    user = request.user
    if not selectors.responds_to_survey(user=user):
        raise Http404("No such page")
    page = Paginator(selectors.returns_of_my_council(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    for council_return in page.object_list:
        council_return.when_due = when_due(council_return, today)
        council_return.is_open = today >= council_return.round.opens_on
    return render(
        request,
        "national/my_returns.html",
        {
            "page_title": "Your council's returns",
            "breadcrumbs": _crumbs({"label": "Your council's returns"}),
            "page_obj": page,
            "statuses": ReturnStatus,
        },
    )


@login_required
@require_GET
def return_detail(request, pk):
    user = request.user
    council_return = selectors.return_get_for(user=user, pk=pk)
    survey_round = council_return.round
    is_respondent = _responds_for(user, council_return)
    runs_round = user_can(
        user=user,
        capability=Capability.RUN_NATIONAL_SURVEY,
        organisation_id=survey_round.organisation_id,
    )
    # The coordinator sees a council's answers once it has sent them, never a draft's.
    show_answers = is_respondent or council_return.is_locked
    # The linked self-assessment is a link for whoever may open it (the council's staff who
    # see improvement records, the national team once the council shares it). The respondent
    # may not open it (their role sees no improvement records), so it is plain text to them;
    # the national team sees nothing of an assessment the council has not shared.
    assessment_url = ""
    linked = council_return.self_assessment_id
    if linked and improvement_selectors.assessments_visible(user=user).filter(pk=linked).exists():
        assessment_url = reverse("improvement:assessment_detail", args=[linked])
    title = f"{council_return.council.name}: {survey_round}"
    if is_respondent:
        crumbs = _crumbs(_mine_crumb(), {"label": str(survey_round)})
    elif runs_round:
        crumbs = _crumbs(
            {
                "label": str(survey_round),
                "url": reverse("national:round_detail", args=[survey_round.pk]),
            },
            {"label": council_return.council.name},
        )
    else:
        crumbs = _crumbs({"label": title})
    return render(
        request,
        "national/return_detail.html",
        {
            "page_title": title,
            "page_caption": f"Return to the national survey {survey_round.year}",
            "breadcrumbs": crumbs,
            "council_return": council_return,
            "survey_round": survey_round,
            "is_respondent": is_respondent,
            "when_due": when_due(council_return, timezone.localdate()),
            "show_answers": show_answers,
            "sections": _answers_shown(council_return) if show_answers else [],
            # Who at the council sent it is the council's to know, not the national team's.
            "sent_by": (
                council_return.submitted_by.full_name
                if is_respondent and council_return.submitted_by_id
                else ""
            ),
            "assessment_url": assessment_url,
            "assessment_shown": bool(assessment_url) or (is_respondent and bool(linked)),
            "can_edit": is_respondent and not council_return.is_locked,
            "can_reopen": runs_round and council_return.is_locked,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_edit(request, pk):
    user = request.user
    council_return = selectors.return_get_for(user=user, pk=pk)
    if not _responds_for(user, council_return):
        # The national coordinator reads sent returns; only the council changes its own.
        raise Http404("No such page")
    survey_round = council_return.round
    detail = reverse("national:return_detail", args=[council_return.pk])
    if council_return.is_locked:
        messages.info(request, LOCKED_MESSAGE)
        return redirect(detail)
    today = timezone.localdate()
    context = {
        "page_title": f"Your return: {survey_round}",
        "page_caption": council_return.council.name,
        "breadcrumbs": _crumbs(_mine_crumb(), {"label": str(survey_round)}),
        "council_return": council_return,
        "survey_round": survey_round,
        "detail_url": detail,
    }
    if today < survey_round.opens_on:
        return render(request, "national/return_not_open.html", context)

    questions = selectors.round_questions(survey_round=survey_round)
    assessments = improvement_selectors.plan_assessment_choices(
        organisation_ids=[council_return.council_id]
    )
    answers, texts, shareable = selectors.return_answers(council_return=council_return)
    form = ReturnForm(
        posted(request),
        questions=questions,
        self_assessments=assessments,
        initial=ReturnForm.initial_from(
            questions, answers, texts, shareable, council_return.self_assessment
        ),
    )
    kept_draft = False
    if request.method == "POST" and form.is_valid():
        send = "send" in request.POST
        values = form.values()

        def save():
            services.return_save(actor=user, council_return=council_return, submit=send, **values)
            return detail if send else reverse("national:return_edit", args=[council_return.pk])

        try:
            url, created = submit_once(request, save)
        except ValidationError as error:
            form.add_service_errors(error)
            if send:
                # Sending was refused (questions left to answer): keep what was typed as a
                # draft, so nothing is lost.
                try:
                    services.return_save(
                        actor=user, council_return=council_return, submit=False, **values
                    )
                    kept_draft = True
                except ValidationError:
                    pass
        except PermissionDenied:
            raise Http404("No such page") from None
        else:
            if created:
                messages.success(
                    request,
                    "Your return is sent. Thank you."
                    if send
                    else "Your draft is saved. You can come back and carry on at any time.",
                )
            return redirect(url)
    return render(
        request,
        "national/return_form.html",
        {
            **context,
            "form": form,
            "groups": form.groups(),
            "has_assessments": assessments.exists(),
            "late": today > survey_round.closes_on,
            "when_due": when_due(council_return, today),
            "kept_draft": kept_draft,
        },
    )
