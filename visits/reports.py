"""The field visits' and management cards' part of the reports
(``scheduling.reports.core``): neighborhood visits against the rotation plan,
themed tours, and what became of the suggestions, for a month, a half-year
and the plan against actual of a year.

Registered from ``VisitsConfig.ready`` as the report source "visits". Every
figure is a database aggregate (``COUNT(...) FILTER (WHERE ...)`` or
``GROUP BY``); listings (the month's visits and tours) are one query each.
So a function runs the same number of queries whatever the number of
suggestions or visits.

Definitions (docs/reports.md, "Figures and how they are counted"):

- *visits planned*: the visits of an accepted (or closed) rotation cycle
  whose date falls in the period, whatever became of them; a draft plan's
  visits are not counted. *Held / postponed / cancelled / still planned*:
  those visits by their status today.
- *suggestions recorded*: created in the period; *decided*, *reflected in
  the budget*, *completed*: suggestions with a status change
  (``SuggestionEvent`` of kind "transition") to selected, long-term review or
  not feasible / to budgeted / to completed in the period, each suggestion
  counted once per period; *overdue*: today, by the department inbox's rule
  (``card_selectors``), whatever the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.categories import Category
from scheduling.dates import local_date
from scheduling.reports.core import Chart, Figure, Period, Section, Series, Span, Table, months_of, rate
from visits.cards import selectors as card_selectors
from visits.cards import services as card_services
from visits.cards import workflow
from visits.models import FieldVisit, RotationCycle, Suggestion, SuggestionEvent, ThemedTour

V = FieldVisit.Status
#: A plan counts once the secretariat accepted it (and still when closed).
PLANNED_CYCLES = (RotationCycle.Status.ACCEPTED, RotationCycle.Status.CLOSED)
DECIDED = (workflow.SELECTED, workflow.LONG_TERM, workflow.NOT_FEASIBLE)
TOP = 5


# --- Periods -----------------------------------------------------------------------


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "-"


# --- Field visits -----------------------------------------------------------------------


def planned_visits():
    """The visits of the rotation plans the secretariat accepted."""
    return FieldVisit.objects.filter(cycle__status__in=PLANNED_CYCLES)


@dataclass
class VisitCounts:
    planned: int = 0
    held: int = 0
    postponed: int = 0
    cancelled: int = 0
    still_planned: int = 0


def visit_counts(spans: list[Span]) -> list[VisitCounts]:
    """Per span, the planned visits dated in it by their status today (one query)."""
    aggregates = {}
    for index, span in enumerate(spans):
        inside = span.q("start")
        aggregates[f"planned_{index}"] = Count("pk", filter=inside)
        aggregates[f"held_{index}"] = Count("pk", filter=inside & Q(status=V.HELD))
        aggregates[f"postponed_{index}"] = Count("pk", filter=inside & Q(status=V.POSTPONED))
        aggregates[f"cancelled_{index}"] = Count("pk", filter=inside & Q(status=V.CANCELLED))
        aggregates[f"still_planned_{index}"] = Count("pk", filter=inside & Q(status=V.PLANNED))
    counts = planned_visits().filter(start__gte=spans[0].since, start__lt=spans[-1].until).aggregate(**aggregates)
    return [
        VisitCounts(**{name: counts[f"{name}_{index}"] for name in VisitCounts.__dataclass_fields__})
        for index in range(len(spans))
    ]


def tours_held(span: Span) -> int:
    return ThemedTour.objects.filter(span.q("start"), status=ThemedTour.Status.HELD).count()


def _visit_figures(counts: VisitCounts) -> list[Figure]:
    return [
        Figure(label=_("Neighborhood visits planned"), value=counts.planned),
        Figure(label=_("Neighborhood visits held"), value=counts.held),
        Figure(label=_("Neighborhood visits postponed"), value=counts.postponed),
        Figure(label=_("Neighborhood visits cancelled"), value=counts.cancelled),
        Figure(label=_("Neighborhood visits still planned"), value=counts.still_planned),
    ]


def _visit_columns(first: str) -> list[str]:
    return [
        first,
        _("Visits planned"),
        _("Visits held"),
        _("Visits postponed"),
        _("Visits cancelled"),
        _("Visits still planned"),
    ]


def _visit_rows(spans: list[Span], counts: list[VisitCounts]) -> tuple[list[list], list]:
    rows = [
        [span.label, c.planned, c.held, c.postponed, c.cancelled, c.still_planned]
        for span, c in zip(spans, counts, strict=True)
    ]
    total = [_("Total")] + [sum(row[column] for row in rows) for column in range(1, 6)]
    return rows, total


def field_visits_table(span: Span) -> Table:
    visits = (
        planned_visits()
        .filter(span.q("start"))
        .annotate(suggestion_count=Count("suggestions"))
        .order_by("start", "pk")
        .values(
            "start",
            "neighborhood__name",
            "official__title",
            "official__name",
            "status",
            "attendance",
            "suggestion_count",
        )
    )
    rows = [
        [
            timezone.localdate(v["start"]),
            v["neighborhood__name"],
            f"{v['official__title']} {v['official__name']}",
            _label(V, v["status"]),
            v["attendance"],
            v["suggestion_count"],
        ]
        for v in visits
    ]
    return Table(
        key="field_visits",
        title=_("Neighborhood visits of the month"),
        columns=[
            _("Date"),
            _("Neighborhood"),
            _("Official who visited"),
            _("Status"),
            _("Residents attending"),
            _("Suggestions heard"),
        ],
        rows=rows,
        total=[_("Total"), "", "", "", sum(row[4] or 0 for row in rows), sum(row[5] for row in rows)],
    )


def themed_tours_table(span: Span) -> Table:
    tours = (
        ThemedTour.objects.filter(span.q("start"))
        .annotate(suggestion_count=Count("suggestions"))
        .order_by("start", "pk")
        .values("start", "title", "theme", "status", "suggestion_count")
    )
    rows = [
        [
            timezone.localdate(t["start"]),
            t["title"],
            _label(ThemedTour.Theme, t["theme"]),
            _label(ThemedTour.Status, t["status"]),
            t["suggestion_count"],
        ]
        for t in tours
    ]
    return Table(
        key="themed_tours",
        title=_("Themed tours of the month"),
        columns=[_("Date"), _("Title"), _("Theme"), _("Status"), _("Suggestions heard")],
        rows=rows,
        total=[_("Total"), "", "", "", sum(row[4] for row in rows)],
    )


# --- Suggestions ------------------------------------------------------------------------------


@dataclass
class SuggestionCounts:
    recorded: int = 0
    decided: int = 0
    budgeted: int = 0
    completed: int = 0


def _transitions(span_q: Q, statuses) -> Q:
    return span_q & Q(kind=SuggestionEvent.Kind.TRANSITION, to_status__in=statuses)


def suggestion_counts(spans: list[Span]) -> list[SuggestionCounts]:
    """Per span: suggestions recorded, decided, reflected in the budget and
    completed (two queries). A suggestion decided twice in a span (long-term
    review, then selected) counts once."""
    recorded = Suggestion.objects.filter(created_at__gte=spans[0].since, created_at__lt=spans[-1].until).aggregate(
        **{f"recorded_{i}": Count("pk", filter=span.q("created_at")) for i, span in enumerate(spans)}
    )
    aggregates = {}
    for index, span in enumerate(spans):
        inside = span.q("created_at")
        for name, statuses in (
            ("decided", DECIDED),
            ("budgeted", (workflow.BUDGETED,)),
            ("completed", (workflow.COMPLETED,)),
        ):
            aggregates[f"{name}_{index}"] = Count("suggestion", distinct=True, filter=_transitions(inside, statuses))
    moved = SuggestionEvent.objects.filter(
        kind=SuggestionEvent.Kind.TRANSITION, created_at__gte=spans[0].since, created_at__lt=spans[-1].until
    ).aggregate(**aggregates)
    return [
        SuggestionCounts(
            recorded=recorded[f"recorded_{index}"],
            decided=moved[f"decided_{index}"],
            budgeted=moved[f"budgeted_{index}"],
            completed=moved[f"completed_{index}"],
        )
        for index in range(len(spans))
    ]


def overdue_suggestions(now: dt.datetime):
    """Open suggestions overdue at ``now``: the department inbox's rule
    (``card_selectors.overdue_case``), as on the dashboard."""
    return (
        Suggestion.objects.exclude(status__in=workflow.CLOSED)
        .annotate(is_overdue=card_selectors.overdue_case(timezone.localdate(now), card_services.stale_before(now)))
        .filter(is_overdue=True)
    )


def overdue_table(now: dt.datetime) -> tuple[Table, int]:
    rows = [
        [name or _("No lead department yet"), n]
        for name, n in overdue_suggestions(now).order_by().values_list("lead_department__name").annotate(n=Count("pk"))
    ]
    rows.sort(key=lambda row: (-row[1], str(row[0])))
    total = sum(row[1] for row in rows)
    table = Table(
        key="suggestions_overdue",
        title=_("Overdue suggestions today, by lead department"),
        columns=[_("Lead department"), _("Overdue suggestions")],
        rows=rows,
        total=[_("Total"), total],
        note=_("Overdue: the first answer is past its due date, or nothing has happened for %(days)s days.")
        % {"days": settings.SUGGESTION_STALE_DAYS},
    )
    return table, total


def _suggestion_figures(counts: SuggestionCounts, overdue: int) -> list[Figure]:
    return [
        Figure(label=_("Suggestions recorded"), value=counts.recorded),
        Figure(label=_("Suggestions decided"), value=counts.decided),
        Figure(label=_("Suggestions reflected in the budget"), value=counts.budgeted),
        Figure(label=_("Suggestions completed"), value=counts.completed),
        Figure(label=_("Suggestions overdue today"), value=overdue, higher_is_better=False),
    ]


def _suggestion_columns(first: str) -> list[str]:
    return [first, _("Recorded"), _("Decided"), _("Reflected in the budget"), _("Completed")]


def suggestions_by_category_table(span: Span) -> Table:
    """Per category: recorded, decided, budgeted, completed in ``span``
    (two queries)."""
    groups: dict[str, list[int]] = {}
    for category, n in (
        Suggestion.objects.filter(span.q("created_at")).order_by().values_list("category").annotate(n=Count("pk"))
    ):
        groups.setdefault(category, [0, 0, 0, 0])[0] += n
    events = (
        SuggestionEvent.objects.filter(span.q("created_at"), kind=SuggestionEvent.Kind.TRANSITION)
        .order_by()
        .values_list("suggestion__category")
        .annotate(
            decided=Count("suggestion", distinct=True, filter=Q(to_status__in=DECIDED)),
            budgeted=Count("suggestion", distinct=True, filter=Q(to_status=workflow.BUDGETED)),
            completed=Count("suggestion", distinct=True, filter=Q(to_status=workflow.COMPLETED)),
        )
    )
    for category, decided, budgeted, completed in events:
        counts = groups.setdefault(category, [0, 0, 0, 0])
        counts[1] += decided
        counts[2] += budgeted
        counts[3] += completed
    rows = [[_label(Category, category), *counts] for category, counts in groups.items() if any(counts)]
    rows.sort(key=lambda row: (-row[1], -row[2], -row[3], -row[4], row[0]))
    return Table(
        key="suggestions_by_category",
        title=_("Suggestions by category"),
        columns=_suggestion_columns(_("Category")),
        rows=rows,
        total=[_("Total")] + [sum(row[c] for row in rows) for c in range(1, 5)],
    )


# --- Monthly report -------------------------------------------------------------------------


def monthly_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    span = Span(period.start, period.end)
    visits = visit_counts([span])[0]
    suggestions = suggestion_counts([span])[0]
    overdue, overdue_total = overdue_table(now)
    return [
        Section(
            key="field_visits",
            title=_("Field visits"),
            figures=[
                *_visit_figures(visits),
                Figure(label=_("Themed tours held"), value=tours_held(span)),
            ],
            tables=[field_visits_table(span), themed_tours_table(span)],
        ),
        Section(
            key="suggestions",
            title=_("Neighborhood management cards"),
            figures=_suggestion_figures(suggestions, overdue_total),
            tables=[suggestions_by_category_table(span), overdue],
        ),
    ]


# --- Half-yearly analysis -------------------------------------------------------------------


def half_year_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    span = Span(period.start, period.end)
    months = months_of(period)
    return [_half_year_suggestions(span, months, now=now), _half_year_visits(span, months)]


def _half_year_suggestions(span: Span, months: list[Span], *, now: dt.datetime) -> Section:
    """Suggestions month by month, by status, by category and month, the
    neighborhoods with the most, and the overdue ones."""
    categories = [month.short_label for month in months]
    per_month = suggestion_counts(months)
    trend_rows = [
        [month.label, c.recorded, c.decided, c.budgeted, c.completed]
        for month, c in zip(months, per_month, strict=True)
    ]
    # The half-year's own counts: a suggestion decided in two months counts once.
    whole = suggestion_counts([span])[0]
    overdue, overdue_total = overdue_table(now)

    created = Suggestion.objects.filter(span.q("created_at"))
    by_status = dict(created.order_by().values_list("status").annotate(n=Count("pk")))
    category_trend = (
        created.order_by()
        .values("category")
        .annotate(**{f"m{i}": Count("pk", filter=month.q("created_at")) for i, month in enumerate(months)})
    )
    category_rows = []
    for row in category_trend:
        values = [row[f"m{i}"] for i in range(len(months))]
        category_rows.append([_label(Category, row["category"]), *values, sum(values)])
    category_rows.sort(key=lambda row: (-row[-1], row[0]))
    ranked = sorted(
        ((name, n) for name, n in created.order_by().values_list("neighborhood__name").annotate(n=Count("pk"))),
        key=lambda row: (-row[1], row[0]),
    )[:TOP]

    suggestions = Section(
        key="suggestions_half_year",
        title=_("Neighborhood management cards: six months"),
        figures=_suggestion_figures(whole, overdue_total),
        tables=[
            Table(
                key="suggestions_trend",
                title=_("Suggestions month by month"),
                columns=_suggestion_columns(_("Month")),
                rows=trend_rows,
                total=[_("Total"), whole.recorded, whole.decided, whole.budgeted, whole.completed],
                note=_("In the total, a suggestion decided in two different months counts once."),
            ),
            Table(
                key="suggestions_by_status",
                title=_("Suggestions recorded in the period, by status today"),
                columns=[_("Status"), _("Suggestions")],
                rows=[[str(label), by_status.get(value, 0)] for value, label in Suggestion.Status.choices],
                total=[_("Total"), sum(by_status.values())],
            ),
            Table(
                key="suggestions_category_trend",
                title=_("Suggestions recorded, by category and month"),
                columns=[_("Category"), *[month.label for month in months], _("Total")],
                rows=category_rows,
                total=[_("Total")] + [sum(row[c] for row in category_rows) for c in range(1, len(months) + 2)],
            ),
            Table(
                key="top_neighborhoods_by_suggestions",
                title=_("Neighborhoods with the most suggestions"),
                columns=[_("Place"), _("Neighborhood"), _("Suggestions")],
                rows=[[place, name, n] for place, (name, n) in enumerate(ranked, start=1)],
            ),
            overdue,
        ],
        charts=[
            Chart(
                key="suggestions_trend",
                title=_("Suggestions month by month"),
                kind="bar",
                categories=categories,
                series=[
                    Series(label=_("Recorded"), values=[row[1] for row in trend_rows]),
                    Series(label=_("Decided"), values=[row[2] for row in trend_rows]),
                    Series(label=_("Reflected in the budget"), values=[row[3] for row in trend_rows]),
                    Series(label=_("Completed"), values=[row[4] for row in trend_rows]),
                ],
            )
        ],
    )

    return suggestions


def _half_year_visits(span: Span, months: list[Span]) -> Section:
    """Neighborhood visits planned and held month by month, and the tours."""
    categories = [month.short_label for month in months]
    visit_rows, visit_total = _visit_rows(months, visit_counts(months))
    visits = Section(
        key="field_visits_half_year",
        title=_("Field visits: six months"),
        figures=[
            Figure(label=_("Neighborhood visits planned"), value=visit_total[1]),
            Figure(label=_("Neighborhood visits held"), value=visit_total[2]),
            Figure(label=_("Themed tours held"), value=tours_held(span)),
        ],
        tables=[
            Table(
                key="field_visits_trend",
                title=_("Neighborhood visits month by month"),
                columns=_visit_columns(_("Month")),
                rows=visit_rows,
                total=visit_total,
            )
        ],
        charts=[
            Chart(
                key="field_visits_trend",
                title=_("Neighborhood visits planned and held"),
                kind="bar",
                categories=categories,
                series=[
                    Series(label=_("Visits planned"), values=[row[1] for row in visit_rows]),
                    Series(label=_("Visits held"), values=[row[2] for row in visit_rows]),
                ],
            )
        ],
    )
    return visits


# --- Plan against actual ----------------------------------------------------------------------


def rotation_start() -> dt.date | None:
    """The first day of the first rotation plan the secretariat accepted: the
    visits are counted from there (before it nothing was planned). None
    before any plan is accepted."""
    return RotationCycle.objects.filter(status__in=PLANNED_CYCLES).aggregate(first=Min("start"))["first"]


def plan_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    span = Span(period.start, period.end)
    start = rotation_start()
    months = (
        [Span(max(month.start, start), month.end) for month in months_of(period) if month.end > start]
        if start is not None
        else []
    )
    rows, total = _visit_rows(months, visit_counts(months)) if months else ([], [_("Total"), 0, 0, 0, 0, 0])
    # Visits still ahead cannot have been held yet: the share is of the
    # visits whose day has come (a past visit left "planned" was not recorded
    # and counts against it).
    due_so_far = (
        planned_visits().filter(start__gte=months[0].since, start__lt=min(months[-1].until, now)).count()
        if months
        else 0
    )
    if start is None:
        counted = _("No rotation plan has been accepted yet.")
    elif start >= period.end:
        counted = _("The first accepted rotation plan starts on %(date)s, after this year.") % {
            "date": local_date(start)
        }
    elif start > period.start:
        counted = _("Counted from %(date)s, the first day of the first accepted rotation plan.") % {
            "date": local_date(start)
        }
    else:
        counted = ""
    note = _(
        "Planned: the visits of the accepted rotation plans dated in the month, whatever "
        "became of them; held, postponed, cancelled and still planned: their status today."
    )
    return [
        Section(
            key="visits_plan",
            title=_("Neighborhood visits: plan against actual"),
            figures=[
                Figure(label=_("Neighborhood visits planned"), value=total[1]),
                Figure(label=_("Neighborhood visits held"), value=total[2]),
                Figure(label=_("Neighborhood visits postponed"), value=total[3]),
                Figure(label=_("Neighborhood visits cancelled"), value=total[4]),
                Figure(label=_("Neighborhood visits still planned"), value=total[5]),
                Figure(
                    label=_("Share of the visits planned so far that were held"),
                    value=rate(total[2], due_so_far),
                    unit="%",
                    target=100,
                ),
                Figure(label=_("Themed tours held"), value=tours_held(span)),
            ],
            tables=[
                Table(
                    key="plan_field_visits",
                    title=_("Neighborhood visits: plan against actual"),
                    columns=_visit_columns(_("Month")),
                    rows=rows,
                    total=total,
                    note=f"{counted} {note}" if counted else note,
                )
            ],
        )
    ]
