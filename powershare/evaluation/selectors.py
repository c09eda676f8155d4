"""Every read of evaluation that leaves the app: questionnaires the user may see, the answer
page's questionnaire, and the results, counted in SQL.

Results are computed by GROUP BY over the answers (small integers), never by looping over
answer rows in Python: one query for the number of responses (per site), one for the counts
of each value of each question (per site), one for choose-any and free-text questions'
"answered", one for numbers' averages. The Python that follows only turns those few hundred
aggregate rows into percentages.

Percentages are of the people who answered the question: a blank, and "prefer not to say", are
not in the denominator. They are rounded half up (62.5 becomes 63), in whole numbers.
A breakdown (by site) leaves out any group with fewer responses than the questionnaire's
small-group threshold (5 unless set higher; never below 3), so nobody can be picked out.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from powershare.accounts.models import Organisation, User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.learning.models import Attendance, Delivery, LearningProduct

from . import tallies
from .models import (
    LIKERT_LABELS,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    YES,
    YES_NO_LABELS,
    Answer,
    AnswerLink,
    ImportBatch,
    LearningSummary,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireResponse,
    QuestionPurpose,
    QuestionType,
    ResultTally,
    Section,
    TallyKind,
    TextAnswer,
)

AGREE_VALUES = (4, 5)
MIN_THRESHOLD = 3
NO_SITE = "No site given"


def percent(part: int, whole: int) -> int | None:
    """part/whole as a whole-number percentage, rounded half up (62.5 -> 63)."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def _ids(user: User, capability: Capability) -> list[int]:
    return organisation_ids_where(user=user, capability=capability)


def _kinds_for(may: Capability, prefix: str = "") -> Q:
    """National survey questionnaires are named council returns (powershare.national), reached
    only with RUN_NATIONAL_SURVEY; the learning team's pages never show them."""
    national = Q(**{prefix + "kind": QuestionnaireKind.NATIONAL})
    return national if may == Capability.RUN_NATIONAL_SURVEY else ~national


# ---------------------------------------------------------------------------------------------
# Questionnaires


def questionnaire_list_for(
    *, user: User, product: LearningProduct | None = None, search: str = ""
) -> QuerySet[Questionnaire]:
    questionnaires = Questionnaire.objects.filter(
        _kinds_for(Capability.VIEW_LEARNING),
        organisation_id__in=_ids(user, Capability.VIEW_LEARNING),
    )
    if product is not None:
        questionnaires = questionnaires.filter(product=product)
    if search:
        questionnaires = questionnaires.filter(
            Q(title__icontains=search) | Q(code__icontains=search)
        )
    # Two subqueries, not two joins: joined, every response would meet every question.
    return questionnaires.select_related("product", "organisation").annotate(
        response_count=Coalesce(
            Subquery(
                QuestionnaireResponse.objects.filter(questionnaire=OuterRef("pk"))
                .values("questionnaire")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
        question_count=Coalesce(
            Subquery(
                Question.objects.filter(questionnaire=OuterRef("pk"))
                .values("questionnaire")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
    )


def questionnaire_get_for(
    *, user: User, pk=None, code: str | None = None, may: Capability = Capability.VIEW_LEARNING
) -> Questionnaire:
    """One questionnaire the user may see (or change, with may=MANAGE_LEARNING), by id or
    code. Any other answers 404, never 403."""
    lookup = {"pk": pk} if code is None else {"code": code}
    try:
        return Questionnaire.objects.select_related("product", "organisation", "paired_with").get(
            _kinds_for(may), organisation_id__in=_ids(user, may), **lookup
        )
    except (Questionnaire.DoesNotExist, ValueError, TypeError):
        raise Http404("No such questionnaire") from None


def questionnaire_by_code(*, code: str) -> Questionnaire | None:
    """For the command line (administrators on the server)."""
    return Questionnaire.objects.select_related("product").filter(code=code).first()


def question_list(*, questionnaire: Questionnaire) -> list[Question]:
    """The questionnaire's questions in order, with their section, outcome and options. Only
    choose-one and choose-any questions have options: they are fetched in one more query when
    there are any, and the others get none without asking (a questionnaire without such
    questions, like a product's standard ones, costs one query: the anonymous answer page)."""
    from django.db.models import prefetch_related_objects

    from .models import Choice

    with_options = (QuestionType.SINGLE, QuestionType.MULTIPLE)
    questions = list(questionnaire.questions.select_related("section", "outcome"))
    prefetch_related_objects([q for q in questions if q.type in with_options], "choices")
    none = Choice.objects.none()  # as prefetching leaves it, found empty
    none._result_cache, none._prefetch_done = [], True
    for question in questions:
        if question.type not in with_options:
            question._prefetched_objects_cache = {"choices": none}
    return questions


def question_get_for(*, user: User, pk, may: Capability = Capability.MANAGE_LEARNING) -> Question:
    try:
        return Question.objects.select_related("questionnaire", "section", "outcome").get(
            _kinds_for(may, "questionnaire__"),
            pk=pk,
            questionnaire__organisation_id__in=_ids(user, may),
        )
    except (Question.DoesNotExist, ValueError, TypeError):
        raise Http404("No such question") from None


def section_get_for(*, user: User, pk, may: Capability = Capability.MANAGE_LEARNING) -> Section:
    try:
        return Section.objects.select_related("questionnaire").get(
            _kinds_for(may, "questionnaire__"),
            pk=pk,
            questionnaire__organisation_id__in=_ids(user, may),
        )
    except (Section.DoesNotExist, ValueError, TypeError):
        raise Http404("No such section") from None


def questionnaire_product_choices(*, user: User) -> list[tuple[int, str]]:
    """(id, title) of the products that have questionnaires the user may see (a filter)."""
    visible = Questionnaire.objects.filter(
        _kinds_for(Capability.VIEW_LEARNING),
        organisation_id__in=_ids(user, Capability.VIEW_LEARNING),
    )
    return list(
        LearningProduct.objects.filter(pk__in=visible.values("product_id"))
        .order_by("title", "pk")
        .values_list("pk", "title")
    )


def product_choices(*, organisation_ids: list[int]) -> QuerySet[LearningProduct]:
    """Learning products a questionnaire made in these organisations may evaluate."""
    return LearningProduct.objects.filter(organisation_id__in=organisation_ids).order_by(
        "title", "pk"
    )


def pairing_choices(*, organisation_ids: list[int], exclude_pk=None) -> QuerySet[Questionnaire]:
    """Questionnaires another one may be paired with (its organisation's own)."""
    return (
        Questionnaire.objects.filter(organisation_id__in=organisation_ids)
        .exclude(kind=QuestionnaireKind.NATIONAL)
        .exclude(pk=exclude_pk)
        .order_by("title", "pk")
    )


def outcome_choices(*, questionnaire: Questionnaire, include_id=None):
    """The intended learning outcomes a question of this questionnaire may measure: those of
    its product's current version (and the one it measures already, if older)."""
    from powershare.learning.models import LearningOutcome
    from powershare.learning.selectors import version_current

    if questionnaire.product_id is None:
        return LearningOutcome.objects.none()
    version = version_current(product=questionnaire.product)
    scope = Q(version=version) if version else Q(pk__in=[])
    if include_id:
        scope |= Q(pk=include_id, version__product_id=questionnaire.product_id)
    return (
        LearningOutcome.objects.filter(scope)
        .select_related("version")
        .order_by("-version__number", "position")
    )


def answered_question_ids(*, questionnaire: Questionnaire) -> set[int]:
    """Questions with at least one answer (their meaning is fixed)."""
    ids = set(
        Answer.objects.filter(question__questionnaire=questionnaire)
        .values_list("question_id", flat=True)
        .distinct()
    )
    ids |= set(
        TextAnswer.objects.filter(question__questionnaire=questionnaire)
        .values_list("question_id", flat=True)
        .distinct()
    )
    return ids


def link_list(*, questionnaire: Questionnaire) -> QuerySet[AnswerLink]:
    return (
        questionnaire.links.select_related("delivery__site", "session")
        .annotate(response_count=Count("responses"))
        .order_by("opens_on", "pk")
    )


def link_get_for(*, user: User, pk, may: Capability = Capability.VIEW_LEARNING) -> AnswerLink:
    """A link for staff: the questionnaire's organisation, or (to show the QR code in the
    room) the delivery's site."""
    scope = Q(questionnaire__organisation_id__in=_ids(user, may))
    if may != Capability.MANAGE_LEARNING:
        scope |= Q(delivery__site_id__in=_ids(user, may))
    try:
        return AnswerLink.objects.select_related("questionnaire", "delivery__site", "session").get(
            scope, pk=pk
        )
    except (AnswerLink.DoesNotExist, ValueError, TypeError):
        raise Http404("No such link") from None


def link_by_token(*, token: str) -> AnswerLink:
    """The public answer page's link (no sign-in)."""
    try:
        # Only what the answer pages use: the questionnaire (and its pair's secret, for the
        # pairing code) and the delivery (cancelled or not, its site for the response).
        return AnswerLink.objects.select_related("questionnaire__paired_with", "delivery").get(
            token=token
        )
    except (AnswerLink.DoesNotExist, ValueError, TypeError):
        raise Http404("No such questionnaire") from None


def link_figures(*, link: AnswerLink) -> dict[str, int]:
    """A link's number of responses and of paper codes made and used (two queries)."""
    unused = link.paper_codes.count()
    return {
        "responses": link.responses.count(),
        "codes_made": unused + link.paper_codes_used,
        "codes_used": link.paper_codes_used,
    }


def paper_codes_unused(*, link: AnswerLink) -> QuerySet:
    """The link's paper codes nobody has used yet, for the handout."""
    return link.paper_codes.order_by("code")


def sessions_for_new_link(*, questionnaire: Questionnaire) -> QuerySet:
    """Sessions a new link to this questionnaire may open on: those of its product's
    deliveries in its organisation (not cancelled) that have no link to it yet. None for a
    questionnaire of its own."""
    from powershare.learning.models import DeliverySession

    if questionnaire.product_id is None:
        return DeliverySession.objects.none()
    return (
        DeliverySession.objects.filter(
            delivery__product_id=questionnaire.product_id,
            delivery__organisation_id=questionnaire.organisation_id,
            delivery__cancelled_at__isnull=True,
        )
        .exclude(answer_links__questionnaire=questionnaire)
        .select_related("delivery__site")
        .order_by("delivery__site__name", "delivery__cohort", "delivery_id", "number")
    )


def links_for_session(*, session) -> QuerySet[AnswerLink]:
    return session.answer_links.select_related("questionnaire").order_by("questionnaire__kind")


def links_for_delivery(*, delivery: Delivery) -> QuerySet[AnswerLink]:
    return (
        delivery.answer_links.select_related("questionnaire", "session")
        .annotate(response_count=Count("responses"))
        .order_by("session__number", "questionnaire__kind")
    )


def import_list(*, questionnaire: Questionnaire) -> QuerySet[ImportBatch]:
    return questionnaire.imports.select_related("imported_by")


def import_get_for(*, user: User, pk) -> ImportBatch:
    try:
        return ImportBatch.objects.select_related("questionnaire").get(
            pk=pk, questionnaire__organisation_id__in=_ids(user, Capability.MANAGE_LEARNING)
        )
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import") from None


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    agree: int | None = None
    agree_pct: int | None = None
    prefer_not: int | None = None
    yes: int | None = None
    yes_pct: int | None = None
    mean: float | None = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def percentages(self) -> dict[str, int | None]:
        """Each label's share of those who answered (for tables and charts)."""
        return {
            label: percent(n, self.answered)
            for label, n in self.counts.items()
            if label != PREFER_NOT_LABEL
        }

    def as_dict(self) -> dict:
        q = self.question
        data = {"code": q.code, "text": q.text, "type": q.type, "answered": self.answered}
        if q.type == QuestionType.LIKERT:
            data |= {"counts": self.counts, "agree": self.agree, "agree_pct": self.agree_pct}
            if q.allow_prefer_not:
                data["prefer_not_to_say"] = self.prefer_not
        elif q.type == QuestionType.YES_NO:
            data |= {"counts": self.counts, "yes": self.yes, "yes_pct": self.yes_pct}
        elif q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            data["counts"] = self.counts
        elif q.type == QuestionType.NUMBER:
            data |= {"mean": self.mean, "min": self.minimum, "max": self.maximum}
        return data


@dataclass
class SiteResults:
    site: str
    site_id: int | None
    responses: int
    suppressed: bool
    questions: list[QuestionResult] = field(default_factory=list)

    def as_dict(self, threshold: int) -> dict:
        if self.suppressed:
            return {
                "site": self.site,
                "responses": self.responses
                if self.responses >= threshold
                else f"fewer than {threshold}",
                "suppressed": True,
                "questions": [],
            }
        return {
            "site": self.site,
            "responses": self.responses,
            "suppressed": False,
            "questions": [r.as_dict() for r in self.questions],
        }


@dataclass
class Results:
    questionnaire: Questionnaire
    responses: int
    questions: list[QuestionResult]
    threshold: int
    by_site: list[SiteResults] | None = None
    #: Narrowed to some deliveries whose answers (or the answers left out) are too few to
    #: show without letting a small group be worked out: no question results are given.
    suppressed: bool = False

    def as_dict(self) -> dict:
        data = {
            "questionnaire": self.questionnaire.code,
            "responses": self.responses,
            "questions": [r.as_dict() for r in self.questions],
        }
        if self.suppressed:
            data["suppressed"] = True
        if self.by_site is not None:
            data["threshold"] = self.threshold
            data["by_site"] = [s.as_dict(self.threshold) for s in self.by_site]
        return data

    def question(self, code: str) -> QuestionResult:
        return next(r for r in self.questions if r.question.code == code)


def _labels(question: Question) -> dict[int, str]:
    if question.type == QuestionType.LIKERT:
        labels = dict(LIKERT_LABELS)
        if question.allow_prefer_not:
            labels[PREFER_NOT] = PREFER_NOT_LABEL
        return labels
    if question.type == QuestionType.YES_NO:
        return {YES: YES_NO_LABELS[YES], 0: YES_NO_LABELS[0]}
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return {c.value: c.label for c in question.choices.all()}
    return {}


def _finish(
    question: Question,
    value_counts: dict[int, int],
    distinct_answered: int | None,
    text_answered: int | None,
    numbers: dict | None,
) -> QuestionResult:
    result = QuestionResult(question=question)
    labels = _labels(question)
    if question.type == QuestionType.TEXT:
        result.answered = text_answered or 0
        return result
    if question.type == QuestionType.NUMBER:
        numbers = numbers or {}
        result.answered = numbers.get("n") or 0
        mean = numbers.get("mean")
        result.mean = round(float(mean), 1) if mean is not None else None
        result.minimum, result.maximum = numbers.get("min"), numbers.get("max")
        return result
    result.counts = {label: value_counts.get(value, 0) for value, label in labels.items()}
    if question.type == QuestionType.LIKERT:
        result.prefer_not = value_counts.get(PREFER_NOT, 0)
        result.answered = sum(value_counts.get(v, 0) for v in LIKERT_LABELS)
        result.agree = sum(value_counts.get(v, 0) for v in AGREE_VALUES)
        result.agree_pct = percent(result.agree, result.answered)
    elif question.type == QuestionType.YES_NO:
        result.answered = value_counts.get(YES, 0) + value_counts.get(0, 0)
        result.yes = value_counts.get(YES, 0)
        result.yes_pct = percent(result.yes, result.answered)
    elif question.type == QuestionType.MULTIPLE:
        result.answered = distinct_answered or 0
    else:
        result.answered = sum(value_counts.get(v, 0) for v in labels)
    return result


def hide_small_groups(groups: list, threshold: int) -> None:
    """Mark groups (anything with `responses`, `suppressed`, `site` and `questions`) with
    fewer responses than the threshold as suppressed, then keep hiding the next smallest
    group while the hidden ones add up to fewer than the threshold: otherwise the overall
    figures minus the groups shown would give a small group's answers away."""
    for group in groups:
        if group.responses < threshold:
            group.suppressed, group.questions = True, []
    hidden = sum(g.responses for g in groups if g.suppressed)
    while 0 < hidden < threshold:
        shown = [g for g in groups if not g.suppressed]
        if not shown:
            break
        smallest = min(shown, key=lambda g: (g.responses, g.site.casefold()))
        smallest.suppressed, smallest.questions = True, []
        hidden += smallest.responses


def _too_few_left(questionnaire, responses, delivery_ids: list[int], threshold: int) -> bool:
    """Whether results narrowed to some deliveries must be hidden: too few answers in them,
    or too few left out of them (overall, or at one of their sites), since the results shown
    elsewhere minus these would give the rest away."""
    chosen = responses.count()
    if chosen < threshold:
        return True
    everyone = QuestionnaireResponse.objects.filter(questionnaire=questionnaire)
    left_out = everyone.exclude(delivery_id__in=delivery_ids)
    if 0 < left_out.count() < threshold:
        return True
    site_ids = set(responses.values_list("site_id", flat=True).distinct())
    rest_by_site = (
        left_out.filter(site_id__in=[s for s in site_ids if s])
        .values("site_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return any(0 < row["n"] < threshold for row in rest_by_site)


def _group_key(row: dict, prefix: str) -> tuple[int | None, str]:
    site_id = row[f"{prefix}site_id"]
    return (site_id, "" if site_id else (row[f"{prefix}site_label"] or ""))


def _counted_live(answers, texts, by_site, multiple_ids, text_ids, number_ids) -> tuple:
    """Counts of the answers given (some deliveries' answers), in SQL: by value, responses
    that answered choose-any and free-text questions, and numbers' mean, lowest and highest;
    by group key when by_site, else under None."""
    # Answers carry their response's site (copied when stored), so grouping by site reads
    # the (question, site, site_label, value) index alone, without joining the responses.
    group = ("site_id", "site_label") if by_site else ()
    text_group = ("response__site_id", "response__site_label") if by_site else ()
    counts: dict[tuple, dict[int, dict[int, int]]] = {}
    # COUNT(*), not COUNT(id): the index (question, [site, site_label,] value) answers it alone.
    for row in answers.values(*group, "question_id", "value").annotate(n=Count("*")).order_by():
        key = _group_key(row, "") if by_site else None
        counts.setdefault(key, {}).setdefault(row["question_id"], {})[row["value"]] = row["n"]
    distinct: dict[tuple, dict[int, int]] = {}
    if multiple_ids:
        for row in (
            answers.filter(question_id__in=multiple_ids)
            .values(*group, "question_id")
            .annotate(n=Count("response_id", distinct=True))
            .order_by()
        ):
            key = _group_key(row, "") if by_site else None
            distinct.setdefault(key, {})[row["question_id"]] = row["n"]
    text_counts: dict[tuple, dict[int, int]] = {}
    if text_ids:
        for row in texts.values(*text_group, "question_id").annotate(n=Count("pk")).order_by():
            key = _group_key(row, "response__") if by_site else None
            text_counts.setdefault(key, {})[row["question_id"]] = row["n"]
    numbers: dict[tuple, dict[int, dict]] = {}
    if number_ids:
        for row in (
            answers.filter(question_id__in=number_ids)
            .values(*group, "question_id")
            .annotate(n=Count("pk"), mean=Avg("value"), min=Min("value"), max=Max("value"))
            .order_by()
        ):
            key = _group_key(row, "") if by_site else None
            numbers.setdefault(key, {})[row["question_id"]] = row

    return counts, distinct, text_counts, numbers


def questionnaire_results(
    *,
    questionnaire: Questionnaire,
    by_site: bool = False,
    delivery_ids: Iterable[int] | None = None,
    threshold: int | None = None,
) -> Results:
    """The questionnaire's results, overall and (with by_site) for each site, computed by
    SQL aggregation. `delivery_ids` narrows them to some deliveries."""
    threshold = max(MIN_THRESHOLD, threshold or questionnaire.small_group_threshold)
    questions = list(question_list(questionnaire=questionnaire))
    responses = QuestionnaireResponse.objects.filter(questionnaire=questionnaire)
    # By question id, not through a join: only this questionnaire's part of the index is read.
    answers = Answer.objects.filter(question_id__in=[q.pk for q in questions])
    texts = TextAnswer.objects.filter(question_id__in=[q.pk for q in questions])
    if delivery_ids is not None:
        delivery_ids = list(delivery_ids)
        responses = responses.filter(delivery_id__in=delivery_ids)
        answers = answers.filter(response__delivery_id__in=delivery_ids)
        texts = texts.filter(response__delivery_id__in=delivery_ids)

    multiple_ids = [q.pk for q in questions if q.type == QuestionType.MULTIPLE]
    text_ids = [q.pk for q in questions if q.type == QuestionType.TEXT]
    number_ids = [q.pk for q in questions if q.type == QuestionType.NUMBER]
    tallied: tallies.Tallies | None = None
    if delivery_ids is None:
        # The whole questionnaire: read from the tallies the services keep (one query of a
        # few hundred rows, however many responses), not counted afresh.
        tallied = tallies.tallies_read(questionnaire_id=questionnaire.pk, by_site=by_site)
        counts = tallied.counts
        distinct = {
            key: {pk: n for pk, n in answered.items() if pk in multiple_ids}
            for key, answered in tallied.answered.items()
        }
        text_counts = {
            key: {pk: n for pk, n in answered.items() if pk in text_ids}
            for key, answered in tallied.answered.items()
        }
        numbers = {
            key: {
                pk: tallies.number_summary(by_question[pk])
                for pk in number_ids
                if pk in by_question
            }
            for key, by_question in counts.items()
        }
    else:
        counts, distinct, text_counts, numbers = _counted_live(
            answers, texts, by_site, multiple_ids, text_ids, number_ids
        )

    def results_for(key) -> list[QuestionResult]:
        return [
            _finish(
                q,
                counts.get(key, {}).get(q.pk, {}),
                distinct.get(key, {}).get(q.pk),
                text_counts.get(key, {}).get(q.pk),
                numbers.get(key, {}).get(q.pk),
            )
            for q in questions
        ]

    if delivery_ids is not None and _too_few_left(
        questionnaire, responses, delivery_ids, threshold
    ):
        return Results(
            questionnaire=questionnaire,
            responses=responses.count(),
            questions=[],
            threshold=threshold,
            by_site=[] if by_site else None,
            suppressed=True,
        )
    if not by_site:
        return Results(
            questionnaire=questionnaire,
            responses=tallied.responses.get(None, 0) if tallied else responses.count(),
            questions=results_for(None),
            threshold=threshold,
        )

    # Per site: the overall figures are the sums of the groups' counts (no second query).
    if tallied is not None:
        per_site = tallied.responses
    else:
        per_site = {
            _group_key(row, ""): row["n"]
            for row in responses.values("site_id", "site_label").annotate(n=Count("*")).order_by()
        }
    names = dict(
        Organisation.objects.filter(pk__in=[k[0] for k in per_site if k[0]]).values_list(
            "pk", "name"
        )
    )
    overall_counts: dict[int, dict[int, int]] = {}
    for by_question in counts.values():
        for question_id, values in by_question.items():
            into = overall_counts.setdefault(question_id, {})
            for value, n in values.items():
                into[value] = into.get(value, 0) + n
    counts[None] = overall_counts
    for table in (distinct, text_counts):
        total: dict[int, int] = {}
        for by_question in list(table.values()):
            for question_id, n in by_question.items():
                total[question_id] = total.get(question_id, 0) + n
        table[None] = total
    if tallied is not None and number_ids:
        # Averages don't add up across groups: from the counts by value, added up.
        numbers[None] = {
            pk: tallies.number_summary(overall_counts[pk])
            for pk in number_ids
            if pk in overall_counts
        }
    elif numbers:
        # Averages don't add up across groups: ask once more, without the grouping.
        numbers[None] = {
            row["question_id"]: row
            for row in answers.filter(question_id__in=number_ids)
            .values("question_id")
            .annotate(n=Count("pk"), mean=Avg("value"), min=Min("value"), max=Max("value"))
            .order_by()
        }
    sites = []
    for key, n in per_site.items():
        site_id, label = key
        # A site's organisation taken out since (rare) shows as no site.
        name = names.get(site_id) or NO_SITE if site_id else (label or NO_SITE)
        sites.append(
            SiteResults(
                site=name,
                site_id=site_id,
                responses=n,
                suppressed=False,
                questions=results_for(key),
            )
        )
    hide_small_groups(sites, threshold)
    sites.sort(key=lambda s: (s.site == NO_SITE, s.site.casefold()))
    return Results(
        questionnaire=questionnaire,
        responses=sum(per_site.values()),
        questions=results_for(None),
        threshold=threshold,
        by_site=sites,
    )


def free_text_answers(
    *, question: Question, quotable_only: bool = True, limit: int | None = None
) -> list[str]:
    """A question's free-text answers, in alphabetical order (never the order given, which
    could hint at who wrote what). Only quotable questions' answers, unless asked."""
    if quotable_only and not question.quotable:
        return []
    texts = question.text_answers.order_by("text").values_list("text", flat=True)
    return list(texts[:limit] if limit else texts)


def free_text_answer_list(*, question: Question, quotable_only: bool = True) -> QuerySet:
    """free_text_answers as a lazy query of the words alone (alphabetical), for a page of
    them at a time."""
    if quotable_only and not question.quotable:
        return TextAnswer.objects.none().values_list("text", flat=True)
    return question.text_answers.order_by("text", "pk").values_list("text", flat=True)


# ---------------------------------------------------------------------------------------------
# Response rates and pre/post pairs


@dataclass
class SiteRate:
    site: str
    site_id: int | None
    responses: int
    attended: int
    suppressed: bool

    @property
    def rate_pct(self) -> int | None:
        return None if self.suppressed else percent(self.responses, self.attended)


@dataclass
class ResponseRate:
    responses: int
    attended: int
    by_site: list[SiteRate]

    @property
    def rate_pct(self) -> int | None:
        return percent(self.responses, self.attended)


def response_rate(*, questionnaire: Questionnaire, threshold: int | None = None) -> ResponseRate:
    """Responses ÷ the people there at the sessions the questionnaire was linked to (the
    first session for a pre questionnaire, the last for a post), overall and per site."""
    threshold = max(MIN_THRESHOLD, threshold or questionnaire.small_group_threshold)
    attended = {
        row["session__delivery__site_id"]: row["n"]
        for row in Attendance.objects.filter(
            session__answer_links__questionnaire=questionnaire,
            attended=True,
            session__delivery__cancelled_at__isnull=True,
        )
        .values("session__delivery__site_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    # Responses per site, and in all, from the tallies the services keep (one short query,
    # not two counts over the responses).
    responses: dict[int, int] = {}
    total_responses = 0
    for site_key, n in ResultTally.objects.filter(
        questionnaire=questionnaire, kind=TallyKind.RESPONSES
    ).values_list("site_key", "n"):
        total_responses += n
        if site_key:
            responses[site_key] = responses.get(site_key, 0) + n
    site_ids = set(attended) | set(responses)
    names = dict(Organisation.objects.filter(pk__in=site_ids).values_list("pk", "name"))
    # A site removed since keeps its number in the tallies: counted in all, not by site.
    responses = {pk: n for pk, n in responses.items() if pk in names and n}
    site_ids = set(attended) | set(responses)
    by_site = sorted(
        (
            SiteRate(
                site=names.get(site_id, ""),
                site_id=site_id,
                responses=responses.get(site_id, 0),
                attended=attended.get(site_id, 0),
                suppressed=responses.get(site_id, 0) < threshold,
            )
            for site_id in site_ids
        ),
        key=lambda r: r.site.casefold(),
    )
    return ResponseRate(responses=total_responses, attended=sum(attended.values()), by_site=by_site)


@dataclass
class PairedChange:
    matched: int
    #: Per outcome question code: (agreeing before, agreeing after) among the matched pairs.
    outcomes: dict[str, tuple[int, int]]


def paired_change(*, post: Questionnaire) -> PairedChange | None:
    """How many before and after responses share a made-up code, and among those pairs how
    many agreed with each outcome before and after. Only counts: codes are never shown."""
    pre = post.paired_with
    if pre is None:
        return None
    keys = QuestionnaireResponse.objects.filter(questionnaire=pre).exclude(pair_key="")
    matched_keys = (
        QuestionnaireResponse.objects.filter(
            questionnaire=post, pair_key__in=keys.values("pair_key")
        )
        .values("pair_key")
        .distinct()
    )
    matched = matched_keys.count()
    if matched < max(MIN_THRESHOLD, pre.small_group_threshold):
        # Too few pairs to say how they changed without pointing at someone.
        return PairedChange(matched=matched, outcomes={})
    outcomes = {}
    if matched:
        for questionnaire, index in ((pre, 0), (post, 1)):
            rows = (
                Answer.objects.filter(
                    question__questionnaire=questionnaire,
                    question__outcome__isnull=False,
                    response__pair_key__in=matched_keys,
                    value__in=AGREE_VALUES,
                )
                .values("question__outcome__position")
                .annotate(n=Count("response__pair_key", distinct=True))
                .order_by()
            )
            for row in rows:
                key = f"ilo-{row['question__outcome__position']}"
                pair = list(outcomes.get(key, (0, 0)))
                pair[index] = row["n"]
                outcomes[key] = tuple(pair)
    return PairedChange(matched=matched, outcomes=outcomes)


# ---------------------------------------------------------------------------------------------
# A learning product's evaluation (the summary of learning)


def product_questionnaires(*, product: LearningProduct) -> list[Questionnaire]:
    order = {QuestionnaireKind.PRE: 0, QuestionnaireKind.POST: 1, QuestionnaireKind.REACTION: 2}
    return sorted(
        Questionnaire.objects.filter(product=product).select_related("paired_with"),
        key=lambda q: (order.get(q.kind, 3), not q.is_standard, q.code),
    )


def _attendance_by_site(product: LearningProduct) -> tuple[list[dict], list[int], list[int]]:
    from powershare.learning.selectors import attendance_totals

    table = attendance_totals(deliveries=Delivery.objects.filter(product=product))
    sites: dict[str, dict[int, int]] = {}
    for row in table.rows:
        into = sites.setdefault(row.site, {})
        for number, n in row.attended.items():
            into[number] = into.get(number, 0) + n
    numbers = table.session_numbers
    return (
        [{"site": name, "sessions": [per[n] for n in numbers]} for name, per in sites.items()],
        numbers,
        [table.totals.get(n, 0) for n in numbers],
    )


@dataclass
class QuestionnaireEvaluation:
    questionnaire: Questionnaire
    results: Results
    rate: ResponseRate
    paired: PairedChange | None

    def as_dict(self) -> dict:
        return {
            "code": self.questionnaire.code,
            "kind": self.questionnaire.kind,
            "responses": self.results.responses,
            "response_rate_pct": self.rate.rate_pct,
            "by_site": [
                {
                    "site": r.site,
                    "responses": r.responses
                    if not r.suppressed
                    else f"fewer than {self.results.threshold}",
                    "response_rate_pct": r.rate_pct,
                }
                for r in self.rate.by_site
            ],
            "questions": [q.as_dict() for q in self.results.questions],
        }


@dataclass
class OutcomeChange:
    number: int
    text: str
    pre: QuestionResult | None
    post: QuestionResult | None

    def as_dict(self) -> dict:
        return {
            "ilo": self.number,
            "text": self.text,
            "pre_agree_pct": self.pre.agree_pct if self.pre else None,
            "post_agree_pct": self.post.agree_pct if self.post else None,
        }


@dataclass
class ProductEvaluation:
    product: LearningProduct
    attendance_sites: list[dict]
    session_numbers: list[int]
    attendance_totals: list[int]
    questionnaires: list[QuestionnaireEvaluation]
    outcomes: list[OutcomeChange]

    def as_dict(self) -> dict:
        return {
            "product": self.product.slug,
            "attendance": {"sites": self.attendance_sites, "totals": self.attendance_totals},
            "questionnaires": [q.as_dict() for q in self.questionnaires],
            "outcomes": [o.as_dict() for o in self.outcomes],
        }

    def of_kind(self, kind: str) -> QuestionnaireEvaluation | None:
        return next((q for q in self.questionnaires if q.questionnaire.kind == kind), None)

    def by_purpose(self, purpose: str) -> list[QuestionResult]:
        return [
            r
            for q in self.questionnaires
            for r in q.results.questions
            if r.question.purpose == purpose
        ]


def product_evaluation(*, product: LearningProduct) -> ProductEvaluation:
    """Everything the summary of learning reports, computed from the records: attendance per
    site and session, each questionnaire's results and response rates, and agreement with
    each intended learning outcome before and after."""
    sites, numbers, totals = _attendance_by_site(product)
    evaluations = [
        QuestionnaireEvaluation(
            questionnaire=q,
            results=questionnaire_results(questionnaire=q),
            rate=response_rate(questionnaire=q),
            paired=paired_change(post=q) if q.paired_with_id else None,
        )
        for q in product_questionnaires(product=product)
    ]
    pre = next((e for e in evaluations if e.questionnaire.kind == QuestionnaireKind.PRE), None)
    post = next((e for e in evaluations if e.questionnaire.kind == QuestionnaireKind.POST), None)
    by_position: dict[int, OutcomeChange] = {}
    for evaluation, slot in ((pre, "pre"), (post, "post")):
        if evaluation is None:
            continue
        for result in evaluation.results.questions:
            outcome = result.question.outcome
            if result.question.purpose != QuestionPurpose.OUTCOME or outcome is None:
                continue
            change = by_position.setdefault(
                outcome.position, OutcomeChange(outcome.position, outcome.text, None, None)
            )
            setattr(change, slot, result)
    return ProductEvaluation(
        product=product,
        attendance_sites=sites,
        session_numbers=numbers,
        attendance_totals=totals,
        questionnaires=evaluations,
        outcomes=[by_position[k] for k in sorted(by_position)],
    )


@dataclass
class TeamMix:
    deliveries: int
    people: int
    lived: int
    professional: int
    leadership: int


def team_mix(*, product: LearningProduct) -> TeamMix:
    """Who delivered the product, counted across its deliveries (not cancelled): how many
    places on the teams, and how many brought lived, professional or leadership experience
    (one person may bring more than one). Counts only, in one query."""
    from powershare.learning.models import Facilitator

    row = Facilitator.objects.filter(
        delivery__product=product, delivery__cancelled_at__isnull=True
    ).aggregate(
        deliveries=Count("delivery", distinct=True),
        people=Count("pk"),
        lived=Count("pk", filter=Q(lived=True)),
        professional=Count("pk", filter=Q(professional=True)),
        leadership=Count("pk", filter=Q(leadership=True)),
    )
    return TeamMix(**row)


def summary_get(*, product: LearningProduct) -> LearningSummary | None:
    return LearningSummary.objects.filter(product=product).first()


def summaries_stale() -> QuerySet[LearningSummary]:
    """Summaries whose PDF is out of date and not being made: their words or data changed
    (needs_remaking), or the count of responses differs from the count when it was made."""
    return (
        LearningSummary.objects.alias(responses_now=tallies.product_responses())
        .filter(
            Q(needs_remaking=True)
            | (Q(responses_when_made__isnull=False) & ~Q(responses_when_made=F("responses_now")))
        )
        .exclude(status__in=["queued", "making", "not_made"])
    )


def summary_is_stale(*, summary: LearningSummary | None) -> bool:
    """Whether a made PDF is out of date (the page says a new one is on its way)."""
    if not (summary and summary.pdf):
        return False
    return summary.needs_remaking or summaries_stale().filter(pk=summary.pk).exists()


# ---------------------------------------------------------------------------------------------
# The feedback loop: the plain-English summary, sent to the people who shaped the product
# (through accountability's "you said, we did" letters; see services.summary_feedback_send)


def _feedback_people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def _feedback_figures(evaluation: ProductEvaluation) -> list[str]:
    """The headline figures in plain words, computed from the records (never typed)."""
    lines = []
    totals = evaluation.attendance_totals
    if totals and totals[0]:
        sites = len(evaluation.attendance_sites)
        where = f", at {sites} places" if sites > 1 else ""
        if len(totals) > 1:
            lines.append(
                f"{_feedback_people(totals[0])} came to the first session{where}, and "
                f"{_feedback_people(totals[-1])} to the last."
            )
        else:
            lines.append(f"{_feedback_people(totals[0])} came{where}.")
    pre = evaluation.of_kind(QuestionnaireKind.PRE)
    post = evaluation.of_kind(QuestionnaireKind.POST)
    before = pre.results.responses if pre else 0
    after = post.results.responses if post else 0
    if before and after:
        lines.append(
            f"{_feedback_people(before)} answered our questions before the learning, and "
            f"{_feedback_people(after)} after it."
        )
    elif before or after:
        lines.append(
            f"{_feedback_people(before or after)} answered our questions "
            f"{'before' if before else 'after'} the learning."
        )
    for outcome in evaluation.outcomes:
        was = outcome.pre.agree_pct if outcome.pre else None
        now = outcome.post.agree_pct if outcome.post else None
        if was is not None and now is not None:
            lines.append(f"“{outcome.text}”: {was}% agreed before the learning, and {now}% after.")
        elif now is not None:
            lines.append(f"“{outcome.text}”: {now}% agreed after the learning.")
        elif was is not None:
            lines.append(f"“{outcome.text}”: {was}% agreed before the learning.")
    for result in evaluation.by_purpose(QuestionPurpose.REACTION):
        if result.question.type == QuestionType.LIKERT and result.agree_pct is not None:
            lines.append(f"“{result.question.text}”: {result.agree_pct}% agreed.")
        elif result.question.type == QuestionType.YES_NO and result.yes_pct is not None:
            lines.append(f"“{result.question.text}”: {result.yes_pct}% said yes.")
    return lines


@dataclass
class FeedbackActivity:
    """One co-design activity: who a letter would reach now, and where its loop stands."""

    #: Annotated with accountability's loop status (without_response and the rest).
    activity: object
    #: People by how the letter would reach them (accountability.models.Delivery values).
    reaches: dict[str, int]
    #: Anonymous groups, each reached through the partner holding its consent.
    groups: list[dict]
    draft_id: int | None = None
    #: Summary letters already sent for it, newest first.
    letters: list = field(default_factory=list)
    #: These exact words already went to it.
    already_sent: bool = False
    #: Contributions recorded since the summary was first sent (replies among them).
    recorded_since: int = 0

    @property
    def people(self) -> int:
        return sum(n for delivery, n in self.reaches.items() if delivery != "not_contacted")

    @property
    def not_contacted(self) -> int:
        return self.reaches.get("not_contacted", 0)

    @property
    def problem(self) -> str:
        """Why the summary can't go to this activity's people now ("" when it can)."""
        activity = self.activity
        if activity.cancelled_at is not None:
            return "The activity was cancelled, so nobody is sent anything about it."
        if self.already_sent:
            return "This summary, as it stands, has already been sent to them."
        waiting = activity.without_response
        if waiting:
            return (
                f"{waiting} contribution{' still has' if waiting == 1 else 's still have'} no "
                "response. Answer every contribution first, so nobody is left without an answer."
            )
        if self.draft_id:
            return (
                "A feedback letter for this activity is being written. Send it (or finish it) "
                "first: an activity has one letter in progress at a time."
            )
        return ""


@dataclass
class SummaryFeedback:
    product: LearningProduct
    plain_summary: str
    figures: list[str]
    subject: str
    opening: str
    closing: str
    activities: list[FeedbackActivity]

    @property
    def ready(self) -> list[FeedbackActivity]:
        return [a for a in self.activities if not a.problem]

    @property
    def letters(self) -> list:
        """Every summary letter sent so far, newest first."""
        return sorted(
            (letter for a in self.activities for letter in a.letters),
            key=lambda letter: (letter.sent_at, letter.pk),
            reverse=True,
        )


FEEDBACK_CLOSING = (
    "We would like to know what you think of this. If you use your PowerShare portal, open the "
    "activity and add what you want to say; or tell the person who usually contacts you, or "
    "the person who supports you. We will record what you say and answer it, as we did before. "
    "You can change your mind about how we use what you said at any time."
)


def summary_feedback_for(*, product: LearningProduct) -> SummaryFeedback:
    """The letter that carries the plain-English summary of learning to the people who
    co-designed the product, and, for each activity in its co-design record, who it would
    reach now (by accountability's rules: consent to contact, how each person likes to hear,
    partners for anonymous groups), whether it can go, and the summary letters already sent.
    Counts only: nobody is named. A few queries per co-design activity."""
    from django.db.models import Prefetch

    from powershare.accountability import selectors as loop
    from powershare.accountability.models import Delivery as LetterDelivery
    from powershare.accountability.models import FeedbackLetter, FeedbackRecipient, LetterStatus
    from powershare.accountability.services import deliveries_for
    from powershare.engagement.models import Contribution

    summary = summary_get(product=product)
    plain = (summary.plain_summary if summary else "").strip()
    figures = _feedback_figures(product_evaluation(product=product))
    opening = (
        f"Thank you for helping to shape {product.title}. We promised to tell you what came "
        "of it, so here is what we learned from running it."
    )
    if plain:
        opening += "\n\n" + plain
    if figures:
        opening += "\n\nWhat the numbers say:\n" + "\n".join(f"- {line}" for line in figures)
    subject = f"What we learned from {product.title}"[:200]
    activities = list(
        loop.with_loop_status(product.shaped_by_activities.all()).order_by("starts_on", "pk")
    )
    ids = [a.pk for a in activities]
    drafts = dict(
        FeedbackLetter.objects.filter(activity_id__in=ids, status=LetterStatus.DRAFT).values_list(
            "activity_id", "pk"
        )
    )
    sent = list(
        FeedbackLetter.objects.filter(
            activity_id__in=ids, status=LetterStatus.SENT, subject=subject
        )
        .select_related("sent_by")
        .annotate(
            recipient_count=Count(
                "recipients",
                filter=~Q(recipients__delivery=LetterDelivery.NOT_CONTACTED),
                distinct=True,
            ),
            reply_count=Count("replies", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=FeedbackRecipient.objects.filter(delivery=LetterDelivery.PARTNER),
                to_attr="groups",
            )
        )
        .order_by("-sent_at", "-pk")
    )
    first_sent: dict[int, object] = {}
    for letter in sent:
        first_sent[letter.activity_id] = letter.sent_at  # newest first: the last is the first
    since: dict[int, int] = {}
    if first_sent:
        after = Q()
        for activity_id, sent_at in first_sent.items():
            after |= Q(activity_id=activity_id, created_at__gte=sent_at)
        since = dict(
            Contribution.objects.filter(after, withdrawn_at__isnull=True, purged_at__isnull=True)
            .values("activity_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("activity_id", "n")
        )
    rows = []
    for activity in activities:
        people = list(loop.letter_audience(activity=activity))
        reaches: dict[str, int] = {}
        for delivery in deliveries_for(people).values():
            reaches[delivery] = reaches.get(delivery, 0) + 1
        letters = [letter for letter in sent if letter.activity_id == activity.pk]
        rows.append(
            FeedbackActivity(
                activity=activity,
                reaches=reaches,
                groups=loop.group_labels_for(activity=activity),
                draft_id=drafts.get(activity.pk),
                letters=letters,
                already_sent=any(letter.opening == opening for letter in letters),
                recorded_since=since.get(activity.pk, 0),
            )
        )
    return SummaryFeedback(
        product=product,
        plain_summary=plain,
        figures=figures,
        subject=subject,
        opening=opening,
        closing=FEEDBACK_CLOSING,
        activities=rows,
    )
