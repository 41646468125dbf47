"""Surveys (needs assessments, questionnaires): who may answer, the answer itself, results.

The rules, in one place (the `SurveyPage` routes, the templates and the seeder call these):

- `answer_state(page=, user=)`: whether the form is shown, and if not, why: not open yet,
  closed, sign-in needed, members only, already answered;
- `survey_answer(*, page, user, data)`: stores one answer, refusing it (nothing stored)
  unless the state is `open`; a second answer on a one-answer-per-member survey is also
  refused by the database (a conditional unique constraint), whatever the race;
- `may_view_results(user)`: DPS staff and network managers; results are anonymous.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from library.models import SurveyAudience, SurveyPage, SurveyResponse
from network.charts import Chart, bar_chart, number
from network.permissions import can_manage_any_network, is_dps_staff, is_member, is_vetted_member

CHOICE_TYPES = ("dropdown", "radio", "checkboxes", "multiselect")
ANSWER_LIST_LIMIT = 100
CSV_NEUTRALISE = ("=", "+", "-", "@", "\t", "\r")


class AnswerState:
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    LOGIN_REQUIRED = "login_required"
    MEMBERS_ONLY = "members_only"
    ANSWERED = "answered"


class SurveyRefused(Exception):
    """An answer that may not be stored; `state` says why (an `AnswerState`)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


# --- selectors ---------------------------------------------------------------------------------


def may_answer_audience(page: SurveyPage, user) -> bool:
    return page.audience == SurveyAudience.EVERYONE or is_vetted_member(user)


def may_view_results(user) -> bool:
    return is_dps_staff(user) or can_manage_any_network(user)


def has_answered(page: SurveyPage, user) -> bool:
    if not is_member(user):
        return False
    return SurveyResponse.objects.filter(page=page, user=user).exists()


def answer_state(*, page: SurveyPage, user, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if page.opens_at and now < page.opens_at:
        return AnswerState.NOT_YET_OPEN
    if page.closes_at and now >= page.closes_at:
        return AnswerState.CLOSED
    if not is_member(user):
        if page.audience == SurveyAudience.MEMBERS or page.one_answer_per_member:
            return AnswerState.LOGIN_REQUIRED
        return AnswerState.OPEN
    if not may_answer_audience(page, user):
        return AnswerState.MEMBERS_ONLY
    if page.one_answer_per_member and has_answered(page, user):
        return AnswerState.ANSWERED
    return AnswerState.OPEN


# --- services ----------------------------------------------------------------------------------


@transaction.atomic
def survey_answer(*, page: SurveyPage, user, data: dict[str, Any]) -> SurveyResponse:
    """Store one answer (`data`: a valid form's cleaned_data). Raises `SurveyRefused` and
    stores nothing when the user may not answer now. Runs in one transaction."""
    state = answer_state(page=page, user=user)
    if state != AnswerState.OPEN:
        raise SurveyRefused(state)
    respondent = user if is_member(user) else None
    try:
        with transaction.atomic():  # a savepoint: PostgreSQL stays usable after the conflict
            return SurveyResponse.objects.create(
                page=page,
                user=respondent,
                one_per_member=bool(page.one_answer_per_member and respondent),
                form_data=data,
            )
    except IntegrityError as error:
        raise SurveyRefused(AnswerState.ANSWERED) from error


# --- results -----------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    label: str
    clean_name: str
    field_type: str
    answered: int = 0
    chart: Chart | None = None
    answers: list[str] = field(default_factory=list)
    numbers: dict[str, str] = field(default_factory=dict)

    @property
    def more_answers(self) -> int:
        return max(0, self.answered - len(self.answers))


@dataclass
class SurveyResults:
    total: int
    questions: list[QuestionResult]
    first: datetime.datetime | None
    last: datetime.datetime | None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def _options(page: SurveyPage, questions) -> dict[str, list[str]]:
    base_fields = page.get_form_class().base_fields
    options = {}
    for question in questions:
        formfield = base_fields.get(question.clean_name)
        options[question.clean_name] = [str(value) for value, _label in getattr(formfield, "choices", [])]
    return options


def survey_results(*, page: SurveyPage) -> SurveyResults:
    """Counts per option of each choice question (with a bar chart and its data table), and
    the answers to the other questions (the newest `ANSWER_LIST_LIMIT`; the CSV has all).
    Two queries, whatever the number of answers."""
    questions = list(page.form_fields.all())
    options = _options(page, questions)
    results = [
        QuestionResult(label=q.label, clean_name=q.clean_name, field_type=q.field_type) for q in questions
    ]
    counts: list[dict[str, int]] = [dict.fromkeys(options[q.clean_name], 0) for q in questions]
    numbers: list[list[Decimal]] = [[] for _q in questions]
    total, first, last = 0, None, None
    rows = SurveyResponse.objects.filter(page=page).order_by("-submit_time", "-pk")
    for data, submitted in rows.values_list("form_data", "submit_time").iterator(chunk_size=500):
        total += 1
        last = last or submitted
        first = submitted
        for position, result in enumerate(results):
            value = (data or {}).get(result.clean_name)
            if result.field_type == "checkbox":
                key = str(_("Yes") if value else _("No"))
                counts[position][key] = counts[position].get(key, 0) + 1
                result.answered += 1
                continue
            if _is_blank(value):
                continue
            result.answered += 1
            if result.field_type in CHOICE_TYPES:
                for item in value if isinstance(value, list) else [value]:
                    counts[position][str(item)] = counts[position].get(str(item), 0) + 1
            else:
                if result.field_type == "number":
                    with contextlib.suppress(InvalidOperation):
                        numbers[position].append(Decimal(str(value)))
                if len(result.answers) < ANSWER_LIST_LIMIT:
                    result.answers.append(_as_text(value))
    for position, result in enumerate(results):
        if result.field_type in (*CHOICE_TYPES, "checkbox"):
            result.chart = bar_chart(
                counts[position].items(),
                title=result.label,
                label_header=_("Answer"),
                value_label=_("Answers"),
                chart_id=f"survey-{page.pk}-q{position + 1}",
            )
        if numbers[position]:
            values = numbers[position]
            result.numbers = {
                "minimum": number(float(min(values))),
                "average": number(round(float(sum(values) / len(values)), 2)),
                "maximum": number(float(max(values))),
            }
    return SurveyResults(total=total, questions=results, first=first, last=last)


# --- CSV export --------------------------------------------------------------------------------


def neutralise(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = _as_text(value)
    return "'" + text if text.startswith(CSV_NEUTRALISE) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def results_csv_rows(*, page: SurveyPage) -> Iterator[str]:
    """The CSV lines (UTF-8 BOM first): submit time, then one column per question; anonymous."""
    questions = list(page.form_fields.all())
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([neutralise(_("Submitted at")), *(neutralise(q.label) for q in questions)])
    rows = SurveyResponse.objects.filter(page=page).order_by("submit_time", "pk")
    for data, submitted in rows.values_list("form_data", "submit_time").iterator(chunk_size=500):
        data = data or {}
        yield writer.writerow(
            [
                timezone.localtime(submitted).isoformat(timespec="seconds"),
                *(neutralise(data.get(q.clean_name)) for q in questions),
            ]
        )


# --- views (called by the SurveyPage routes) ---------------------------------------------------


def _render(request, page: SurveyPage, template: str, status: int = 200, **context) -> TemplateResponse:
    full = page.get_context(request)
    full.update(context)
    return TemplateResponse(request, template, full, status=status)


def _sibling_url(request, route: str, target: str) -> str:
    """The URL of another route of the same page, under the request's language prefix."""
    base = request.path[: len(request.path) - len(route)] if route else request.path
    return base + target


def serve_survey(*, page: SurveyPage, request, preview: bool = False):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    user = request.user
    state = AnswerState.OPEN if preview else answer_state(page=page, user=user)
    if state == AnswerState.LOGIN_REQUIRED and (
        page.audience == SurveyAudience.MEMBERS or request.method == "POST"
    ):
        return redirect_to_login(request.get_full_path())
    if state == AnswerState.MEMBERS_ONLY:
        return _render(request, page, "library/survey_page_forbidden.html", status=403)
    form = None
    status = 200
    if state == AnswerState.OPEN:
        if request.method == "POST" and not preview:
            form = page.get_form(request.POST, request.FILES, page=page, user=user)
            if form.is_valid():
                try:
                    submission = survey_answer(page=page, user=user, data=form.cleaned_data)
                except SurveyRefused as refused:
                    state, form = refused.state, None
                else:
                    return page.render_landing_page(request, submission)
        else:
            form = page.get_form(page=page, user=user)
    if request.method == "POST" and form is None:
        status = 409 if state == AnswerState.ANSWERED else 403
    return _render(
        request,
        page,
        page.get_template(request),
        status=status,
        form=form,
        state=state,
        results_url=_sibling_url(request, "", "results/") if may_view_results(user) and not preview else "",
    )


def _results_access(request):
    if not is_member(request.user):
        return redirect_to_login(request.get_full_path())
    if not may_view_results(request.user):
        raise PermissionDenied
    return None


def serve_results(*, page: SurveyPage, request):
    if (denied := _results_access(request)) is not None:
        return denied
    return _render(
        request,
        page,
        "library/survey_page_results.html",
        results=survey_results(page=page),
        survey_url=_sibling_url(request, "results/", ""),
        csv_url=_sibling_url(request, "results/", "results/csv/"),
    )


def serve_results_csv(*, page: SurveyPage, request):
    if (denied := _results_access(request)) is not None:
        return denied
    response = StreamingHttpResponse(results_csv_rows(page=page), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{page.pk}-results.csv"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
