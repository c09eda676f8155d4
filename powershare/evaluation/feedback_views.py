"""The feedback loop of a summary of learning: telling the people who co-designed a learning
product what came of it, in plain English, and hearing what they think.

It reuses issue 5's "you said, we did" letters (powershare.accountability) rather than a
mechanism of its own: one letter per co-design activity, whose opening carries the
plain-English summary and its headline figures. So the letters reach exactly the people, and
the partner organisations of anonymous groups, that any feedback letter reaches, as each
person agreed; the date each was sent is recorded; and replies are recorded as contributions
of the activity (in the person's portal, by staff, or as a group's replies to the letter).

Needs MANAGE_LEARNING in the product's organisation; anyone else gets 404. Counts only: the
page names nobody.
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.accountability.letter_views import DeliverySummary
from powershare.accountability.models import Delivery
from powershare.accounts.roles import Capability
from powershare.accounts.security import email_link_base
from powershare.learning import selectors as learning_selectors
from powershare.lib.forms import form_errors_to_fields, posted
from powershare.system.submissions import submit_once

from . import selectors, services
from .feedback_forms import SummaryFeedbackForm


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _reach(item) -> DeliverySummary:
    """Who a letter to this co-design activity reaches now, in accountability's words."""
    partners = Counter(group["group_consent_held_by"] for group in item.groups)
    return DeliverySummary(counts=Counter(item.reaches), partners=sorted(partners.items()))


def _sent_message(result) -> str:
    recipients = [r for _activity, _letter, sent in result.sent for r in sent]
    people = sum(1 for r in recipients if r.person_id and r.delivery != Delivery.NOT_CONTACTED)
    groups = sum(1 for r in recipients if r.delivery == Delivery.PARTNER)
    reached = _plural(people, "person", "people")
    if groups:
        reached += f" and {_plural(groups, 'group', 'groups')}"
    letters = _plural(len(result.sent), "letter", "letters")
    return (
        f"The summary was sent: {letters}, reaching {reached}. The date is recorded for each of "
        "them, and their replies will be recorded as contributions."
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_feedback(request, pk):
    user = request.user
    product = learning_selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    here = reverse("evaluation:summary_feedback", args=[product.pk])
    form = SummaryFeedbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        domain, use_https = email_link_base(request)
        done = {}

        def send():
            done["result"] = services.summary_feedback_send(
                actor=user, product=product, domain=domain, use_https=use_https
            )
            return here + "#sent"

        try:
            url, created = submit_once(request, send)
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "Your role can't send feedback letters here.")
        else:
            if created:
                result = done["result"]
                messages.success(request, _sent_message(result))
                for activity, why in result.skipped:
                    messages.info(request, f"Not sent for {activity.title}: {why}")
            return redirect(url)
    plan = selectors.summary_feedback_for(product=product)
    rows = [{"item": item, "reach": _reach(item)} for item in plan.activities]
    return render(
        request,
        "evaluation/summary_feedback.html",
        {
            "page_title": "Tell the people who shaped it what you learned",
            "page_caption": product.title,
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Learning", "url": reverse("learning:home")},
                {"label": "Learning products", "url": reverse("learning:product_list")},
                {
                    "label": product.title,
                    "url": reverse("learning:product_detail", args=[product.pk]),
                },
                {
                    "label": "Summary of learning",
                    "url": reverse("evaluation:summary", args=[product.pk]),
                },
                {"label": "Feedback"},
            ],
            "product": product,
            "plan": plan,
            "rows": rows,
            "ready_count": len(plan.ready),
            "all_sent": bool(rows) and all(item.already_sent for item in plan.activities),
            "letters": plan.letters,
            "form": form,
        },
    )
