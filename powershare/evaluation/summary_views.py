"""A learning product's summary of learning: the page, its words, and its PDF.

Anyone who may see learning in the product's organisation (VIEW_LEARNING) may read the page
and download the PDF; the learning leads (MANAGE_LEARNING) write its words and ask for the PDF
to be made. Every figure is counted from the records (report.summary_context); the PDF is made
in the background (tasks.learning_summary_make) and the page shows how it is going, polling
every 2 seconds with htmx, or on a reload without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.learning import selectors as learning_selectors
from powershare.lib.forms import act_then_go, posted
from powershare.lib.pdf import pdf_response

from . import report, selectors, services
from .models import LearningSummary, SummaryStatus
from .results_views import svg_response
from .summary_forms import SummaryForm, summary_initial

BUSY = (SummaryStatus.QUEUED, SummaryStatus.MAKING)


def _crumbs(product, *items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        {"label": "Learning products", "url": reverse("learning:product_list")},
        {"label": product.title, "url": reverse("learning:product_detail", args=[product.pk])},
        *items,
    ]


def _summary_url(product, anchor: str = "") -> str:
    return reverse("evaluation:summary", args=[product.pk]) + (f"#{anchor}" if anchor else "")


def _can_manage(user, product) -> bool:
    return user_can(
        user=user, capability=Capability.MANAGE_LEARNING, organisation_id=product.organisation_id
    )


def _pdf_state(summary: LearningSummary | None, product, can_manage: bool) -> dict:
    """What the PDF part of the page shows (the page and the htmx partial)."""
    status = summary.status if summary else SummaryStatus.NOT_MADE
    return {
        "product": product,
        "summary": summary,
        "status": status,
        "busy": status in BUSY,
        "has_pdf": bool(summary and summary.pdf),
        "stale": selectors.summary_is_stale(summary=summary),
        "progress": summary.progress if summary else 0,
        "can_manage": can_manage,
    }


@login_required
@require_GET
def summary(request, pk):
    """The summary of learning as a page, with the state of its PDF. `?chart=svg` draws
    agreement with each intended learning outcome before and after."""
    user = request.user
    product = learning_selectors.product_get_for(user=user, pk=pk)
    if request.GET.get("chart") == "svg":
        evaluation = selectors.product_evaluation(product=product)
        svg = report.outcome_chart(
            evaluation,
            title=f"Agreement with each intended learning outcome: {product.title}",
        )
        if not svg:
            raise Http404("No chart yet")
        return svg_response(request, svg)
    found = selectors.summary_get(product=product)
    context = report.summary_context(product=product, summary=found)
    can_manage = _can_manage(user, product)
    has_chart = any(
        result is not None and result.answered
        for change in context["evaluation"].outcomes
        for result in (change.pre, change.post)
    )
    return render(
        request,
        "evaluation/summary.html",
        {
            **context,
            **_pdf_state(found, product, can_manage),
            "page_title": "Summary of learning",
            "page_caption": product.title,
            "breadcrumbs": _crumbs(product, {"label": "Summary of learning"}),
            "chart_url": f"{_summary_url(product)}?chart=svg" if has_chart else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_edit(request, pk):
    """The summary's words. Saving them marks the PDF to be made again."""
    user = request.user
    product = learning_selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    found = selectors.summary_get(product=product)
    form = SummaryForm(posted(request), initial=summary_initial(found))
    if request.method == "POST" and form.is_valid():

        def act():
            services.summary_update(actor=user, product=product, **form.narrative())
            return "The summary's words have been saved." + (
                " The PDF will be made again with them." if found and found.pdf else ""
            )

        done, _ = act_then_go(
            request, act, to=_summary_url(product), form=form, not_found="No such product"
        )
        if done:
            return done
    return render(
        request,
        "evaluation/summary_edit.html",
        {
            "page_title": "Change the summary's words",
            "page_caption": product.title,
            "breadcrumbs": _crumbs(
                product,
                {"label": "Summary of learning", "url": _summary_url(product)},
                {"label": "Change the words"},
            ),
            "product": product,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_make(request, pk):
    """Ask for the PDF to be made (or made again) in the background. A GET goes to the page."""
    user = request.user
    product = learning_selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    if request.method != "POST":
        return redirect(_summary_url(product))

    def act():
        made = services.summary_request(actor=user, product=product)
        if made.status == SummaryStatus.READY:
            return "The PDF is ready."
        return "The PDF is being made. This page shows how it is going."

    done, problem = act_then_go(
        request, act, to=_summary_url(product, "pdf"), not_found="No such product"
    )
    if done:
        return done
    messages.error(request, problem)
    return redirect(_summary_url(product, "pdf"))


@login_required
@require_GET
def summary_progress(request, pk):
    """How the PDF is going: the part of the page htmx asks for every 2 seconds while it is
    being made (which stops asking once it is ready). Without htmx, the page itself."""
    user = request.user
    product = learning_selectors.product_get_for(user=user, pk=pk)
    if not request.headers.get("HX-Request"):
        return redirect(_summary_url(product, "pdf"))
    found = selectors.summary_get(product=product)
    state = _pdf_state(found, product, _can_manage(user, product))
    response = render(request, "evaluation/summary_progress.html", state)
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_GET
def summary_pdf(request, pk):
    """The PDF last made (served even when a new one is being made: the page says so)."""
    product = learning_selectors.product_get_for(user=request.user, pk=pk)
    found = selectors.summary_get(product=product)
    pdf = None
    if found is not None and found.pdf:
        try:
            with found.pdf.open("rb") as stored:
                pdf = stored.read()
        except (FileNotFoundError, OSError):
            pdf = None
    if pdf is None:
        messages.info(
            request,
            "There is no PDF of this summary yet."
            + (" Make it below." if _can_manage(request.user, product) else ""),
        )
        return redirect(_summary_url(product, "pdf"))
    return pdf_response(filename=f"summary-of-learning-{product.slug}", pdf=pdf)
