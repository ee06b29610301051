"""TongTong Day's part of the reports (``scheduling.reports.core``): the figures
of the meeting requests, the meetings and the meeting days, for a month, a
half-year and the plan against actual of a year.

Registered from ``MeetingsConfig.ready`` as the report source "meetings".
Every count is a database aggregate (``COUNT(...) FILTER (WHERE ...)``, or
``GROUP BY`` a category, status, neighborhood or official), so a function
runs the same number of queries whatever the number of requests. The only
values brought into Python are the two timestamps of the period's answered
requests and held meetings (one pair of columns, one period): counting the
working days between two dates needs the Korean holidays, which live in
``holidays.KR`` and not in the database, and the median is then taken over
the same values (portable to SQLite, which has no ``percentile_cont``).

The definitions are written out in docs/reports.md ("Figures and how they
are counted"); in short:

- *received*: submitted in the period; *handled*: first answered in the
  period (booked with the mayor, substituted, answered in writing or
  declined); *meeting held*: an active appointment that took place in the
  period and whose outcome is "held" or "held, follow-up needed".
- *days to the first answer*: working days elapsed from the day of receipt
  to the day of the first answer (``scheduling.clock.working_days_between``:
  the same day is 0, Friday to Monday is 1), against seed 000's 2.0 days.
- *days to the meeting*: calendar days from the day of receipt to the day
  of the meeting.
- *answer rate*: of the requests whose answer fell due in the period (and
  by now), not counting those the citizen withdrew before they were
  answered, the share answered by the due time; the target is 100%.
- *meeting days*: the rule's dates (2nd and 4th Thursday) in the period,
  held (not cancelled, already begun; a moved day counts where its regular
  date falls), moved, cancelled; *slot use*: booked / offered slots of the
  held days.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Appointment, MeetingDay, MeetingRequest, RequestEvent, Slot
from meetings.rules import due_expression, regular_meeting_dates
from scheduling.categories import Category
from scheduling.clock import working_days_between
from scheduling.dates import local_date
from scheduling.models import Official
from scheduling.reports.core import Chart, Figure, Period, Section, Series, Span, Table, months_of, rate, span_of
from scheduling.workdays import working_calendar

S = MeetingRequest.Status
ACTIVE = Appointment.Status.ACTIVE

#: Seed 000: average handling time cut from 2.6 to 2.0 days.
TARGET_DAYS = 2.0
#: Seeds 000/001: every request answered.
TARGET_ANSWER_RATE = 100
#: How many categories and neighborhoods the half-year's "top" tables show.
TOP = 5
HELD_OUTCOMES = (MeetingRequest.Outcome.HELD, MeetingRequest.Outcome.FOLLOW_UP)
RANK_ORDER = {
    Official.Rank.MAYOR: 0,
    Official.Rank.DEPUTY_MAYOR: 1,
    Official.Rank.DIRECTOR: 2,
    Official.Rank.DEPARTMENT_HEAD: 3,
}


# --- Periods -----------------------------------------------------------------------


# --- Small arithmetic -----------------------------------------------------------------


def mean(values) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def median(values) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None


def longest(values) -> int | None:
    return max(values) if values else None


def _total_row(rows: list[list], *, label_columns: int = 1) -> list:
    """A total row: the label, blanks, then each numeric column's sum."""
    width = len(rows[0]) if rows else 0
    total = [_("Total")] + [""] * (label_columns - 1)
    for column in range(label_columns, width):
        total.append(sum(row[column] or 0 for row in rows))
    return total


# --- The querysets every figure starts from ---------------------------------------------


def received(span: Span):
    return MeetingRequest.objects.filter(span.q("submitted_at"))


def meetings_held(span: Span):
    """Appointments that took place in ``span`` and were held (the citizen
    came: outcome "held" or "held, follow-up needed")."""
    return Appointment.objects.filter(span.q("start"), status=ACTIVE, request__outcome__in=HELD_OUTCOMES)


def held_with_mayor(span: Span) -> int:
    """Meetings held with the mayor himself in ``span`` (not substituted):
    the "시장 면담 M건" of the petition office's monthly line, offered to it
    as the report count ``meetings.held_with_mayor`` (one query)."""
    return meetings_held(span).filter(is_substitution=False).count()


def handled_by_category(span: Span) -> dict[str, int]:
    """{category: requests first answered in ``span``}: the meeting requests
    the petition office counts as handled (report count
    ``meetings.handled_by_category``, one query)."""
    return dict(
        MeetingRequest.objects.filter(span.q("first_answered_at"))
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
    )


# --- Durations (the one place values come to Python) --------------------------------------


def answer_days(span: Span) -> list[tuple[dt.date, int]]:
    """(day of the answer, working days from receipt to the first answer) of
    each request first answered in ``span``."""
    pairs = [
        (timezone.localdate(submitted), timezone.localdate(answered))
        for submitted, answered in MeetingRequest.objects.filter(span.q("first_answered_at")).values_list(
            "submitted_at", "first_answered_at"
        )
    ]
    if not pairs:
        return []
    calendar = working_calendar(min(p[0] for p in pairs), max(p[1] for p in pairs))
    return [(answered, working_days_between(submitted, answered, calendar=calendar)) for submitted, answered in pairs]


def meeting_waits(span: Span) -> list[tuple[dt.date, int]]:
    """(day of the meeting, calendar days from receipt to the meeting) of
    each meeting held in ``span``."""
    rows = meetings_held(span).values_list("request__submitted_at", "start")
    return [
        (timezone.localdate(start), max((timezone.localdate(start) - timezone.localdate(submitted)).days, 0))
        for submitted, start in rows
    ]


def _in_month(values: list[tuple[dt.date, int]], month: Span) -> list[int]:
    return [days for day, days in values if month.start <= day < month.end]


# --- Answers due --------------------------------------------------------------------------


@dataclass
class AnswerCounts:
    """The requests whose first answer fell due in a span (and by now)."""

    due: int = 0
    #: Withdrawn by the citizen before any answer and before the due time: no
    #: answer was owed, so they are left out of the rate.
    withdrawn: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def owed(self) -> int:
        return self.due - self.withdrawn

    @property
    def unanswered(self) -> int:
        return self.owed - self.on_time - self.late

    @property
    def rate(self) -> float | None:
        return rate(self.on_time, self.owed)


def answers_due(spans: list[Span], *, now: dt.datetime | None = None) -> list[AnswerCounts]:
    """One ``AnswerCounts`` per span, in one query. The due time is the
    extended one when the secretariat extended it."""
    now = now or timezone.now()
    cancelled_before_due = RequestEvent.objects.filter(
        request=OuterRef("pk"), to_status=S.CANCELLED, at__lte=OuterRef("due")
    )
    rows = (
        MeetingRequest.objects.annotate(due=due_expression())
        .annotate(withdrawn=Exists(cancelled_before_due))
        .filter(due__gte=spans[0].since, due__lt=min(spans[-1].until, now))
    )
    aggregates = {}
    for index, span in enumerate(spans):
        due = Q(due__gte=span.since, due__lt=min(span.until, now))
        aggregates[f"due_{index}"] = Count("pk", filter=due)
        aggregates[f"withdrawn_{index}"] = Count("pk", filter=due & Q(first_answered_at__isnull=True, withdrawn=True))
        aggregates[f"on_time_{index}"] = Count("pk", filter=due & Q(first_answered_at__lte=F("due")))
        aggregates[f"late_{index}"] = Count("pk", filter=due & Q(first_answered_at__gt=F("due")))
    counts = rows.aggregate(**aggregates)
    return [
        AnswerCounts(
            due=counts[f"due_{index}"],
            withdrawn=counts[f"withdrawn_{index}"],
            on_time=counts[f"on_time_{index}"],
            late=counts[f"late_{index}"],
        )
        for index in range(len(spans))
    ]


# --- Meeting days ---------------------------------------------------------------------------


@dataclass
class DayCounts:
    planned: int = 0
    held: int = 0
    moved: int = 0
    cancelled: int = 0
    upcoming: int = 0


def series_start() -> dt.date | None:
    """The regular date of the first TongTong Day Tongtong holds: the series
    is counted from there. The rule itself (and its django-scheduler event)
    reaches back to seed 002's first plan of 2018, but a city that started
    using Tongtong in August had no TongTong Days to plan in January; counting
    the rule's dates before the first day made a year look "33.3% · target
    not met" when every day since the start was held. None before any day."""
    return MeetingDay.objects.aggregate(first=Min("original_date"))["first"]


def counted_months(period: Period, start: dt.date | None) -> list[Span]:
    """The months of ``period`` from ``start`` on (the first one cut at
    ``start``); none when nothing has started yet or it starts later."""
    if start is None:
        return []
    return [Span(max(month.start, start), month.end) for month in months_of(period) if month.end > start]


def meeting_day_counts(spans: list[Span], *, now: dt.datetime | None = None) -> list[DayCounts]:
    """Per span: the rule's dates (planned) and the meeting days whose
    regular date falls in it, held / moved / cancelled / still to come, in
    two queries. A rule date still ahead whose day is not built yet (beyond
    the booking horizon) is still to come, so that the columns add up to the
    days planned."""
    now = now or timezone.now()
    if not spans:
        return []
    not_cancelled = ~Q(status=MeetingDay.Status.CANCELLED)
    aggregates = {}
    for index, span in enumerate(spans):
        inside = span.q_date("original_date")
        aggregates[f"held_{index}"] = Count("pk", filter=inside & not_cancelled & Q(start__lt=now))
        aggregates[f"moved_{index}"] = Count("pk", filter=inside & Q(status=MeetingDay.Status.MOVED))
        aggregates[f"cancelled_{index}"] = Count("pk", filter=inside & Q(status=MeetingDay.Status.CANCELLED))
        aggregates[f"upcoming_{index}"] = Count("pk", filter=inside & not_cancelled & Q(start__gte=now))
    in_range = MeetingDay.objects.filter(original_date__gte=spans[0].start, original_date__lt=spans[-1].end)
    counts = in_range.aggregate(**aggregates)
    built = set(in_range.values_list("original_date", flat=True))
    today = timezone.localdate(now)
    result = []
    for index, span in enumerate(spans):
        rule_dates = regular_meeting_dates(span.start, span.end - dt.timedelta(days=1))
        not_built_yet = sum(1 for day in rule_dates if day not in built and day >= today)
        result.append(
            DayCounts(
                planned=len(rule_dates),
                held=counts[f"held_{index}"],
                moved=counts[f"moved_{index}"],
                cancelled=counts[f"cancelled_{index}"],
                upcoming=counts[f"upcoming_{index}"] + not_built_yet,
            )
        )
    return result


def slot_use(span: Span, *, now: dt.datetime | None = None) -> tuple[int, int]:
    """(booked, offered) slots of the meeting days held in ``span``."""
    now = now or timezone.now()
    counts = (
        Slot.objects.filter(
            meeting_day__original_date__gte=span.start,
            meeting_day__original_date__lt=span.end,
            meeting_day__start__lt=now,
        )
        .exclude(meeting_day__status=MeetingDay.Status.CANCELLED)
        .aggregate(
            offered=Count("pk", distinct=True),
            booked=Count("appointments", filter=Q(appointments__status=ACTIVE), distinct=True),
        )
    )
    return counts["booked"], counts["offered"]


# --- Tables ---------------------------------------------------------------------------------


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "-"


def _grouped(span: Span, fields: tuple[str, ...]) -> dict[tuple, list[int]]:
    """{group: [received, handled, meetings held]} for requests grouped by
    ``fields`` (e.g. ("category",)): two queries."""
    groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    requests = (
        MeetingRequest.objects.filter(span.q("submitted_at") | span.q("first_answered_at"))
        .order_by()
        .values(*fields)
        .annotate(
            received=Count("pk", filter=span.q("submitted_at")),
            handled=Count("pk", filter=span.q("first_answered_at")),
        )
    )
    for row in requests:
        key = tuple(row[f] for f in fields)
        groups[key][0] += row["received"]
        groups[key][1] += row["handled"]
    held = meetings_held(span).order_by().values(*(f"request__{f}" for f in fields)).annotate(n=Count("pk"))
    for row in held:
        groups[tuple(row[f"request__{f}"] for f in fields)][2] += row["n"]
    return groups


def _sorted_rows(groups: dict[tuple, list[int]], label) -> list[list]:
    rows = [[label(key), *counts] for key, counts in groups.items()]
    rows.sort(key=lambda row: (-row[1], -row[2], -row[3], row[0]))
    return rows


def _flow_columns(first: str) -> list[str]:
    return [first, _("Received"), _("Handled"), _("Meetings held")]


def requests_by_category_table(span: Span) -> Table:
    rows = _sorted_rows(_grouped(span, ("category",)), lambda key: _label(Category, key[0]))
    return Table(
        key="requests_by_category",
        title=_("Requests by category"),
        columns=_flow_columns(_("Category")),
        rows=rows,
        total=_total_row(rows) if rows else [_("Total"), 0, 0, 0],
        note=_(
            "Received: submitted in the period. Handled: first answered in the period. "
            "Meetings held: meetings that took place in the period."
        ),
    )


def requests_by_neighborhood_table(span: Span) -> Table:
    rows = _sorted_rows(_grouped(span, ("neighborhood__code", "neighborhood__name")), lambda key: key[1])
    return Table(
        key="requests_by_neighborhood",
        title=_("Requests by neighborhood"),
        columns=_flow_columns(_("Neighborhood")),
        rows=rows,
        total=_total_row(rows) if rows else [_("Total"), 0, 0, 0],
    )


def requests_by_status_table(span: Span) -> Table:
    counts = dict(received(span).order_by().values_list("status").annotate(n=Count("pk")))
    rows = [[str(label), counts.get(value, 0)] for value, label in S.choices]
    return Table(
        key="requests_by_status",
        title=_("Requests received, by status today"),
        columns=[_("Status"), _("Requests")],
        rows=rows,
        total=[_("Total"), sum(counts.values())],
    )


def answers_table(counts: AnswerCounts) -> Table:
    return Table(
        key="answers_due",
        title=_("Answers due in the period"),
        columns=[_("Requests whose answer was due"), _("Requests")],
        rows=[
            [_("Answers due"), counts.due],
            [_("Withdrawn by the citizen before an answer (not counted)"), counts.withdrawn],
            [_("Answered on time"), counts.on_time],
            [_("Answered late"), counts.late],
            [_("Not answered"), counts.unanswered],
        ],
        total=[_("Answer rate (%)"), counts.rate],
    )


def durations_table(key: str, answers: list[int], waits: list[int]) -> Table:
    return Table(
        key=key,
        title=_("Handling and waiting times"),
        columns=[_("Measure"), _("Counted"), _("Average"), _("Median"), _("Longest")],
        rows=[
            [
                _("From the request to the first answer (working days)"),
                len(answers),
                mean(answers),
                median(answers),
                longest(answers),
            ],
            [_("From the request to the meeting (days)"), len(waits), mean(waits), median(waits), longest(waits)],
        ],
    )


def meetings_by_official_table(span: Span) -> tuple[Table, int, int]:
    """Meetings held by official (the mayor first), and the numbers held by
    the mayor and by a substitute."""
    per_official: dict[int, list] = {}
    by_mayor = by_substitute = 0
    rows = (
        meetings_held(span)
        .order_by()
        .values("official_id", "official__title", "official__name", "official__rank", "is_substitution")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        entry = per_official.setdefault(
            row["official_id"],
            [f"{row['official__title']} {row['official__name']}", row["official__rank"], 0],
        )
        entry[2] += row["n"]
        if row["is_substitution"]:
            by_substitute += row["n"]
        else:
            by_mayor += row["n"]
    ordered = sorted(per_official.values(), key=lambda e: (RANK_ORDER.get(e[1], 9), -e[2], e[0]))
    table_rows = [[name, _label(Official.Rank, rank), n] for name, rank, n in ordered]
    table = Table(
        key="meetings_by_official",
        title=_("Meetings held, by who met the citizen"),
        columns=[_("Who met the citizen"), _("Rank of the official"), _("Meetings held")],
        rows=table_rows,
        total=[_("Total"), "", by_mayor + by_substitute],
        note=_("A meeting with anyone but the mayor is a substitution."),
    )
    return table, by_mayor, by_substitute


def meeting_days_table(span: Span, *, now: dt.datetime) -> Table:
    days = (
        MeetingDay.objects.filter(span.q_date("original_date"))
        .annotate(
            slot_count=Count("slots", distinct=True),
            booked=Count("slots__appointments", filter=Q(slots__appointments__status=ACTIVE), distinct=True),
        )
        .order_by("start", "pk")
        .values("original_date", "start", "status", "reason", "slot_count", "booked")
    )
    rows = []
    for day in days:
        status = _label(MeetingDay.Status, day["status"])
        if day["status"] != MeetingDay.Status.CANCELLED and day["start"] >= now:
            status = _("%(status)s, still to come") % {"status": status}
        rows.append(
            [
                timezone.localdate(day["start"]),
                day["original_date"],
                status,
                day["reason"],
                day["slot_count"],
                day["booked"],
            ]
        )
    return Table(
        key="meeting_days",
        title=_("TongTong Days of the period"),
        columns=[_("Date"), _("Regular date"), _("Status"), _("Reason"), _("Slots offered"), _("Slots booked")],
        rows=rows,
        total=[_("Total"), "", "", "", sum(row[4] for row in rows), sum(row[5] for row in rows)],
    )


# --- Satisfaction ---------------------------------------------------------------------------

SCORES = (5, 4, 3, 2, 1)


@dataclass
class SatisfactionCounts:
    """The one-minute question after each meeting held (1–5 and a comment):
    asked of every meeting held in the span, answered by ``answered``."""

    asked: int = 0
    answered: int = 0
    average: float | None = None
    #: {score: answers}
    by_score: dict[int, int] | None = None

    @property
    def response_rate(self) -> float | None:
        return rate(self.answered, self.asked)


def satisfaction_counts(spans: list[Span]) -> list[SatisfactionCounts]:
    """Per span, the satisfaction answers of the meetings held in it (one
    query): the question goes out when a meeting is recorded as held, so a
    meeting's answer counts in the month of the meeting."""
    if not spans:
        return []
    aggregates = {}
    answered = Q(request__satisfaction_score__isnull=False)
    for index, span in enumerate(spans):
        inside = span.q("start")
        aggregates[f"asked_{index}"] = Count("request", distinct=True, filter=inside)
        aggregates[f"answered_{index}"] = Count("request", distinct=True, filter=inside & answered)
        aggregates[f"average_{index}"] = Avg("request__satisfaction_score", filter=inside & answered)
        for score in SCORES:
            aggregates[f"s{score}_{index}"] = Count(
                "request", distinct=True, filter=inside & Q(request__satisfaction_score=score)
            )
    whole = Span(spans[0].start, spans[-1].end)
    counts = meetings_held(whole).aggregate(**aggregates)
    return [
        SatisfactionCounts(
            asked=counts[f"asked_{index}"],
            answered=counts[f"answered_{index}"],
            average=None if counts[f"average_{index}"] is None else round(float(counts[f"average_{index}"]), 2),
            by_score={score: counts[f"s{score}_{index}"] for score in SCORES},
        )
        for index in range(len(spans))
    ]


def satisfaction_comments_table(span: Span) -> Table:
    """The citizens' comments, as they wrote them, with the meeting's date
    and score. For staff only: the reports are not public, and a comment may
    name people (the retention purge removes it with the request's other
    personal data)."""
    rows = [
        [timezone.localdate(start), reference, score, comment]
        for start, reference, score, comment in meetings_held(span)
        .filter(request__satisfaction_score__isnull=False)
        .exclude(request__satisfaction_comment="")
        .order_by("start", "pk")
        .values_list("start", "request__reference", "request__satisfaction_score", "request__satisfaction_comment")
    ]
    return Table(
        key="satisfaction_comments",
        title=_("Citizens' comments (for staff only)"),
        columns=[_("Meeting date"), _("Reference"), _("Score"), _("Comment")],
        rows=rows,
        note=_("For staff only: not to be published or passed on outside the city office."),
    )


def satisfaction_section(span: Span, counts: SatisfactionCounts, *, key: str) -> Section:
    by_score = counts.by_score or {}
    rows = [
        [
            _("%(score)s points") % {"score": score},
            by_score.get(score, 0),
            rate(by_score.get(score, 0), counts.answered),
        ]
        for score in SCORES
    ]
    return Section(
        key=key,
        title=_("Satisfaction of the citizens met"),
        figures=[
            Figure(label=_("Average satisfaction (1–5)"), value=counts.average, unit=_("points")),
            Figure(label=_("Answers to the satisfaction question"), value=counts.answered),
            Figure(label=_("Response rate (answers per meeting held)"), value=counts.response_rate, unit="%"),
        ],
        tables=[
            Table(
                key=f"{key}_distribution",
                title=_("Satisfaction scores"),
                columns=[_("Score"), _("Answers"), _("Share (%)")],
                rows=rows,
                total=[_("Total"), counts.answered, 100.0 if counts.answered else None],
                note=_(
                    "After each meeting held, the citizen is asked one question (1 = very dissatisfied, "
                    "5 = very satisfied). Counted in the month of the meeting."
                ),
            ),
            satisfaction_comments_table(span),
        ],
        charts=[
            Chart(
                key=f"{key}_distribution",
                title=_("Satisfaction scores"),
                kind="bar",
                categories=[_("%(score)s points") % {"score": score} for score in SCORES],
                series=[Series(label=_("Answers"), values=[by_score.get(score, 0) for score in SCORES])],
            )
        ],
    )


# --- Figures --------------------------------------------------------------------------------


def _days_figure(label: str, value) -> Figure:
    return Figure(label=label, value=value, unit=_("days"), target=TARGET_DAYS, higher_is_better=False)


def _answer_rate_figure(value) -> Figure:
    return Figure(label=_("Answer rate (answered on time)"), value=value, unit="%", target=TARGET_ANSWER_RATE)


# --- Monthly report -------------------------------------------------------------------------


def monthly_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    span = span_of(period)
    flow = MeetingRequest.objects.filter(span.q("submitted_at") | span.q("first_answered_at")).aggregate(
        received=Count("pk", filter=span.q("submitted_at")),
        handled=Count("pk", filter=span.q("first_answered_at")),
    )
    answers = answers_due([span], now=now)[0]
    days_to_answer = [days for _day, days in answer_days(span)]
    waits = [days for _day, days in meeting_waits(span)]
    officials, by_mayor, by_substitute = meetings_by_official_table(span)
    day_counts = meeting_day_counts([span], now=now)[0]
    booked, offered = slot_use(span, now=now)

    requests = Section(
        key="meetings_requests",
        title=_("Meeting requests"),
        figures=[
            Figure(label=_("Requests received"), value=flow["received"]),
            Figure(label=_("Requests handled"), value=flow["handled"]),
            _answer_rate_figure(answers.rate),
            _days_figure(_("Average working days to the first answer"), mean(days_to_answer)),
            _days_figure(_("Median working days to the first answer"), median(days_to_answer)),
        ],
        tables=[
            requests_by_category_table(span),
            requests_by_status_table(span),
            requests_by_neighborhood_table(span),
            answers_table(answers),
            durations_table("handling_times", days_to_answer, waits),
        ],
    )
    meetings = Section(
        key="meetings_held",
        title=_("Meetings and TongTong Days"),
        figures=[
            Figure(label=_("Meetings held with the mayor"), value=by_mayor),
            Figure(label=_("Meetings held by a substitute"), value=by_substitute),
            Figure(label=_("Average days from the request to the meeting"), value=mean(waits), unit=_("days")),
            Figure(label=_("Median days from the request to the meeting"), value=median(waits), unit=_("days")),
            Figure(label=_("TongTong Days held"), value=day_counts.held),
            Figure(label=_("TongTong Days moved"), value=day_counts.moved),
            Figure(label=_("TongTong Days cancelled"), value=day_counts.cancelled),
            Figure(label=_("Slot use"), value=rate(booked, offered), unit="%"),
        ],
        tables=[officials, meeting_days_table(span, now=now)],
    )
    satisfaction = satisfaction_section(span, satisfaction_counts([span])[0], key="satisfaction")
    return [requests, meetings, satisfaction]


# --- Half-yearly analysis -------------------------------------------------------------------


def half_year_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    span = span_of(period)
    months = months_of(period)
    days_to_answer = answer_days(span)
    return [
        _half_year_trends(span, months, days_to_answer, now=now),
        _half_year_analysis(span, days_to_answer),
        _half_year_satisfaction(span, months),
    ]


def _half_year_trends(span: Span, months: list[Span], days_to_answer, *, now: dt.datetime) -> Section:
    """Received, handled, held and substituted month by month, with the
    working days to the first answer and the answer rate."""
    flow = {}
    for index, month in enumerate(months):
        flow[f"received_{index}"] = Count("pk", filter=month.q("submitted_at"))
        flow[f"handled_{index}"] = Count("pk", filter=month.q("first_answered_at"))
    flow_counts = MeetingRequest.objects.filter(span.q("submitted_at") | span.q("first_answered_at")).aggregate(**flow)
    held = {}
    for index, month in enumerate(months):
        held[f"held_{index}"] = Count("pk", filter=month.q("start"))
        held[f"substituted_{index}"] = Count("pk", filter=month.q("start") & Q(is_substitution=True))
    held_counts = meetings_held(span).aggregate(**held)
    answers = answers_due(months, now=now)

    rows = []
    for index, month in enumerate(months):
        rows.append(
            [
                month.label,
                flow_counts[f"received_{index}"],
                flow_counts[f"handled_{index}"],
                held_counts[f"held_{index}"],
                held_counts[f"substituted_{index}"],
                mean(_in_month(days_to_answer, month)),
                answers[index].rate,
            ]
        )
    all_answer_days = [days for _day, days in days_to_answer]
    total_answers = AnswerCounts(
        due=sum(a.due for a in answers),
        withdrawn=sum(a.withdrawn for a in answers),
        on_time=sum(a.on_time for a in answers),
        late=sum(a.late for a in answers),
    )
    received_total = sum(row[1] for row in rows)
    handled_total = sum(row[2] for row in rows)
    held_total = sum(row[3] for row in rows)
    substituted_total = sum(row[4] for row in rows)
    trend = Table(
        key="requests_trend",
        title=_("Month by month"),
        columns=[
            _("Month"),
            _("Received"),
            _("Handled"),
            _("Meetings held"),
            _("By a substitute"),
            _("Average days to the first answer"),
            _("Answer rate (%)"),
        ],
        rows=rows,
        total=[
            _("Total"),
            received_total,
            handled_total,
            held_total,
            substituted_total,
            mean(all_answer_days),
            total_answers.rate,
        ],
        note=_("Days to the first answer are working days; the answer rate counts the answers due in each month."),
    )
    categories = [month.short_label for month in months]
    trends = Section(
        key="meetings_trends",
        title=_("Meeting requests: six-month trends"),
        figures=[
            Figure(label=_("Requests received"), value=received_total),
            Figure(label=_("Requests handled"), value=handled_total),
            Figure(label=_("Meetings held"), value=held_total),
            Figure(
                label=_("Substitution rate"),
                value=rate(substituted_total, held_total),
                unit="%",
                higher_is_better=False,
            ),
            _days_figure(_("Average working days to the first answer"), mean(all_answer_days)),
            _answer_rate_figure(total_answers.rate),
        ],
        tables=[trend],
        charts=[
            Chart(
                key="requests_trend",
                title=_("Requests received and handled, meetings held"),
                kind="bar",
                categories=categories,
                series=[
                    Series(label=_("Received"), values=[row[1] for row in rows]),
                    Series(label=_("Handled"), values=[row[2] for row in rows]),
                    Series(label=_("Meetings held"), values=[row[3] for row in rows]),
                ],
            ),
            Chart(
                key="answer_days_trend",
                title=_("Average working days to the first answer"),
                kind="line",
                categories=categories,
                series=[Series(label=_("Average working days to the first answer"), values=[row[5] for row in rows])],
                unit=_("days"),
                target=TARGET_DAYS,
                target_label=_("Target: %(days)s days") % {"days": TARGET_DAYS},
            ),
        ],
    )

    return trends


def _half_year_analysis(span: Span, days_to_answer) -> Section:
    """Waiting times, the top categories and neighborhoods, who met."""
    all_answer_days = [days for _day, days in days_to_answer]
    all_waits = [days for _day, days in meeting_waits(span)]
    officials, _by_mayor, _by_substitute = meetings_by_official_table(span)
    analysis = Section(
        key="meetings_analysis",
        title=_("Meeting requests: analysis"),
        figures=[
            Figure(label=_("Average days from the request to the meeting"), value=mean(all_waits), unit=_("days")),
            Figure(label=_("Median days from the request to the meeting"), value=median(all_waits), unit=_("days")),
            Figure(label=_("Longest wait from the request to the meeting"), value=longest(all_waits), unit=_("days")),
        ],
        tables=[
            _top_table(
                "top_categories",
                _("Top categories"),
                _("Category"),
                received(span).order_by().values_list("category").annotate(n=Count("pk")),
                lambda value: _label(Category, value),
            ),
            _top_table(
                "top_neighborhoods",
                _("Top neighborhoods"),
                _("Neighborhood"),
                received(span).order_by().values_list("neighborhood__name").annotate(n=Count("pk")),
                str,
            ),
            durations_table("waiting_times", all_answer_days, all_waits),
            officials,
        ],
    )
    return analysis


def _half_year_satisfaction(span: Span, months: list[Span]) -> Section:
    """The satisfaction section with its month-by-month table and chart first."""
    categories = [month.short_label for month in months]
    satisfaction_months = satisfaction_counts(months)
    satisfaction_whole = satisfaction_counts([span])[0]
    satisfaction = satisfaction_section(span, satisfaction_whole, key="satisfaction_half_year")
    satisfaction_rows = [
        [month.label, c.asked, c.answered, c.response_rate, c.average]
        for month, c in zip(months, satisfaction_months, strict=True)
    ]
    satisfaction.tables.insert(
        0,
        Table(
            key="satisfaction_trend",
            title=_("Satisfaction month by month"),
            columns=[
                _("Month"),
                _("Meetings held"),
                _("Answers"),
                _("Response rate (%)"),
                _("Average satisfaction (1–5)"),
            ],
            rows=satisfaction_rows,
            total=[
                _("Total"),
                satisfaction_whole.asked,
                satisfaction_whole.answered,
                satisfaction_whole.response_rate,
                satisfaction_whole.average,
            ],
        ),
    )
    satisfaction.charts.insert(
        0,
        Chart(
            key="satisfaction_trend",
            title=_("Average satisfaction (1–5)"),
            kind="line",
            categories=categories,
            series=[Series(label=_("Average satisfaction (1–5)"), values=[c.average for c in satisfaction_months])],
            unit=_("points"),
        ),
    )
    return satisfaction


def _top_table(key: str, title: str, first_column: str, grouped, label) -> Table:
    """The ``TOP`` largest groups of ``grouped`` ((value, count) rows), the
    largest first (ties by name)."""
    ranked = sorted(((label(value), n) for value, n in grouped), key=lambda row: (-row[1], row[0]))[:TOP]
    return Table(
        key=key,
        title=title,
        columns=[_("Place"), first_column, _("Requests")],
        rows=[[place, name, n] for place, (name, n) in enumerate(ranked, start=1)],
    )


# --- Plan against actual ----------------------------------------------------------------------


def plan_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    start = series_start()
    months = counted_months(period, start)
    counts = meeting_day_counts(months, now=now)
    rows = [
        [month.label, c.planned, c.held, c.moved, c.cancelled, c.upcoming]
        for month, c in zip(months, counts, strict=True)
    ]
    total = [_("Total"), 0, 0, 0, 0, 0] if not rows else _total_row(rows)
    due_so_far = total[1] - total[5]
    if start is None:
        counted = _("No TongTong Day has been held with Tongtong yet.")
    elif start >= period.end:
        counted = _("The series starts on %(date)s, after this year.") % {"date": local_date(start)}
    elif start > period.start:
        counted = _("Counted from %(date)s, the first TongTong Day held with Tongtong.") % {"date": local_date(start)}
    else:
        counted = ""
    note = _("Planned: the 2nd and 4th Thursdays of the month. A moved day counts in the month of its regular date.")
    return [
        Section(
            key="meetings_plan",
            title=_("TongTong Days: plan against actual"),
            figures=[
                Figure(label=_("TongTong Days planned"), value=total[1]),
                Figure(label=_("TongTong Days held"), value=total[2]),
                Figure(label=_("TongTong Days moved"), value=total[3]),
                Figure(label=_("TongTong Days cancelled"), value=total[4]),
                Figure(label=_("TongTong Days still to come"), value=total[5]),
                Figure(
                    label=_("Share of the days planned so far that were held"),
                    value=rate(total[2], due_so_far),
                    unit="%",
                    target=100,
                ),
            ],
            tables=[
                Table(
                    key="plan_meeting_days",
                    title=_("TongTong Days: plan against actual"),
                    columns=[
                        _("Month"),
                        _("Days planned"),
                        _("Days held"),
                        _("Of which moved"),
                        _("Days cancelled"),
                        _("Days still to come"),
                    ],
                    rows=rows,
                    total=total,
                    note=f"{counted} {note}" if counted else note,
                )
            ],
        )
    ]
