"""The petition office's part of the reports (``scheduling.reports.core``),
registered as the report source "petitions" with order 0, so that the
monthly report opens with the office's line over all channels (seed 001:
"32건 처리 / 구청장 면담 4건").

Every count is a database aggregate (``COUNT(...) FILTER``, or ``GROUP BY``
category, channel, status, agency), so a month costs the same number of
queries with 10 petitions or 10,000. The only values brought into Python
are the two timestamps of the petitions closed in the period: handling
time is counted in working hours (``scheduling.clock.working_hours_between``)
with the Korean holidays of ``holidays.KR``, which the database does not
know; the median is then taken over the same values (SQLite has no
``percentile_cont``).

The figures, exactly (docs/petitions.md, "Reports and the satisfaction
survey", says the same in words):

- *handled* (처리): the petitions **closed** in the period, whatever the
  channel and the outcome (answered, guided, transferred, merged, thanked),
  **plus the meeting requests first answered** in the period (seed 001
  counts the office's meeting requests among its 직소민원). A petition closed
  because it *became* a meeting request is not counted itself: it is
  counted once, as that meeting request, when the request is answered.
- *meetings with the mayor* (시장 면담): meetings held in the period with the
  mayor himself (not a substitute), as ``meetings`` counts them.
  Both meeting figures are read through the report counts ``meetings``
  registers (``scheduling.reports.core.report_count``); petitions never
  imports meetings.
- *handling days*: ``working_hours_between(received_at, closed_at) / 8`` of
  each petition closed in the period, except the merged repeats (answered
  by their original) and the thanked praise (nothing to handle), which
  would flatter the average; average and median against the 2.0-day target.
- *answer rate* (답변율): of the petitions whose answer fell **due** in the
  period (the extended due time when there is one, and only up to now),
  leaving out those transferred to another agency or merged into another
  petition (this office owes them no answer of its own), the share closed
  as answered, guided, thanked or made a meeting request **by the due
  time**; against 100 % (seed 000's 답변율 target). Counting by due time
  settles every month on the 1st, like the meeting requests' rate.
- *transfers* (이첩): petitions closed as transferred in the period, by agency.
- *quick-service compliance*: of the quick petitions (생활불편 신속처리)
  **received** in the period, the share closed within 30 minutes of receipt
  (``closed_at <= answer_due_at``, which for this kind is the receipt plus
  30 minutes); one still open counts against it.
- *open / overdue at the end of the month*: received before the end and not
  closed by then (``closed_at`` empty or later); overdue if its due time
  (extended, if it was) had passed by then. For the month still running,
  "the end" is now.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from petitions import rules
from petitions.categories import PetitionCategory
from petitions.models import Petition
from scheduling.clock import HOURS_PER_DAY, working_hours_between
from scheduling.reports.core import (
    Chart,
    Figure,
    Period,
    Section,
    Series,
    Span,
    Table,
    months_of,
    rate,
    report_count,
    span_of,
)
from scheduling.workdays import working_calendar

#: Seed 000: average handling time 2.6 days in 2022, target 2.0 from 2023.
TARGET_DAYS = 2.0
#: Seed 000: 답변율 100 % every year.
TARGET_ANSWER_RATE = 100
#: The quick service's promise (seed 003): every one within 30 minutes.
TARGET_QUICK_RATE = 100
#: The report's place: first, before meetings (10) and visits (20).
ORDER = 0
#: The overdue petitions the monthly report lists (the longest overdue).
OVERDUE_SHOWN = 30

#: Closed as an answer from this office (the answer rate's numerator).
ANSWERED_STATUSES = (rules.ANSWERED, rules.GUIDED, rules.THANKED, rules.MEETING)
#: Closed without an answer owed by this office (left out of the answer rate).
NOT_OWED_STATUSES = (rules.TRANSFERRED, rules.MERGED)
#: Closed petitions whose handling time is not counted.
NOT_TIMED_STATUSES = (rules.MERGED, rules.THANKED)
CHANNELS = tuple(rules.CHANNEL_LABELS)
#: Count keys registered by ``meetings`` (meetings/apps.py).
MEETINGS_HANDLED = "meetings.handled_by_category"
MEETINGS_WITH_MAYOR = "meetings.held_with_mayor"


# --- Small arithmetic -------------------------------------------------------------------


def mean(values) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def median(values) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None


def longest(values) -> float | None:
    return round(max(values), 2) if values else None


def due_expression():
    """The due time that counts: the extended one when there is one."""
    return Coalesce("extended_due_at", "answer_due_at")


def _cut(span: Span, now: dt.datetime) -> dt.datetime:
    """The end of ``span``, or now while it runs."""
    return min(span.until, now)


def _channel_label(value: str) -> str:
    return str(rules.CHANNEL_LABELS.get(value, value))


def _category_label(value: str) -> str:
    try:
        return str(PetitionCategory(value).label)
    except ValueError:
        return value or "-"


# --- The figures ------------------------------------------------------------------------------


def meetings_handled(span: Span) -> dict[str, int]:
    """{category: meeting requests first answered in ``span``} (from meetings)."""
    return dict(report_count(MEETINGS_HANDLED, span, {}) or {})


def meetings_with_mayor(span: Span) -> int:
    return int(report_count(MEETINGS_WITH_MAYOR, span, 0) or 0)


def closed_groups(span: Span) -> dict[tuple[str, str, str], int]:
    """{(category, channel, status): petitions closed in ``span``}: one query
    that gives the category table, the handled count and the outcomes."""
    rows = (
        Petition.objects.filter(span.q("closed_at"))
        .order_by()
        .values_list("category", "channel", "status")
        .annotate(n=Count("pk"))
    )
    return {(category, channel, status): n for category, channel, status, n in rows}


def handled_petitions(groups: dict[tuple[str, str, str], int]) -> int:
    return sum(n for (_category, _channel, status), n in groups.items() if status != rules.MEETING)


def handling_days(span: Span) -> list[tuple[dt.date, str, float]]:
    """(day closed, channel, working days from receipt to closing) of each
    petition closed in ``span`` whose handling is timed."""
    rows = list(
        Petition.objects.filter(span.q("closed_at"))
        .exclude(status__in=NOT_TIMED_STATUSES)
        .values_list("received_at", "closed_at", "channel")
    )
    if not rows:
        return []
    first = min(timezone.localdate(received) for received, _closed, _channel in rows)
    last = max(timezone.localdate(closed) for _received, closed, _channel in rows)
    calendar = working_calendar(first, last)
    return [
        (
            timezone.localdate(closed),
            channel,
            working_hours_between(received, closed, calendar=calendar) / HOURS_PER_DAY,
        )
        for received, closed, channel in rows
    ]


class AnswerCounts:
    """The petitions whose answer fell due in a span (and by now)."""

    def __init__(self, due=0, not_owed=0, on_time=0, late=0):
        self.due, self.not_owed, self.on_time, self.late = due, not_owed, on_time, late

    @property
    def owed(self) -> int:
        return self.due - self.not_owed

    @property
    def unanswered(self) -> int:
        return self.owed - self.on_time - self.late

    @property
    def rate(self) -> float | None:
        return rate(self.on_time, self.owed)

    def __add__(self, other):
        return AnswerCounts(
            self.due + other.due, self.not_owed + other.not_owed, self.on_time + other.on_time, self.late + other.late
        )


def answers_due(spans: list[Span], *, now: dt.datetime) -> list[AnswerCounts]:
    """One ``AnswerCounts`` per span, in one query."""
    if not spans:
        return []
    rows = Petition.objects.annotate(due=due_expression()).filter(
        due__gte=spans[0].since, due__lt=min(spans[-1].until, now)
    )
    answered = Q(status__in=ANSWERED_STATUSES)
    aggregates = {}
    for index, span in enumerate(spans):
        due = Q(due__gte=span.since, due__lt=min(span.until, now))
        aggregates[f"due_{index}"] = Count("pk", filter=due)
        aggregates[f"not_owed_{index}"] = Count("pk", filter=due & Q(status__in=NOT_OWED_STATUSES))
        aggregates[f"on_time_{index}"] = Count("pk", filter=due & answered & Q(closed_at__lte=F("due")))
        aggregates[f"late_{index}"] = Count("pk", filter=due & answered & Q(closed_at__gt=F("due")))
    counts = rows.aggregate(**aggregates)
    return [
        AnswerCounts(
            counts[f"due_{index}"], counts[f"not_owed_{index}"], counts[f"on_time_{index}"], counts[f"late_{index}"]
        )
        for index in range(len(spans))
    ]


def flow_counts(spans: list[Span], *, now: dt.datetime) -> list[dict[str, int]]:
    """Per span, in one query: received, quick received / within 30 minutes,
    transferred, open and overdue at the end."""
    aggregates = {}
    for index, span in enumerate(spans):
        cut = _cut(span, now)
        received = span.q("received_at")
        quick = received & Q(kind=rules.QUICK)
        still_open = Q(received_at__lt=cut) & (Q(closed_at__isnull=True) | Q(closed_at__gte=cut))
        aggregates[f"received_{index}"] = Count("pk", filter=received)
        aggregates[f"quick_{index}"] = Count("pk", filter=quick)
        aggregates[f"quick_in_time_{index}"] = Count("pk", filter=quick & Q(closed_at__lte=F("answer_due_at")))
        aggregates[f"transferred_{index}"] = Count("pk", filter=span.q("closed_at") & Q(status=rules.TRANSFERRED))
        aggregates[f"open_{index}"] = Count("pk", filter=still_open)
        aggregates[f"overdue_{index}"] = Count("pk", filter=still_open & Q(due__lt=cut))
    counts = Petition.objects.annotate(due=due_expression()).aggregate(**aggregates)
    keys = ("received", "quick", "quick_in_time", "transferred", "open", "overdue")
    return [{key: counts[f"{key}_{index}"] for key in keys} for index in range(len(spans))]


# --- Tables -----------------------------------------------------------------------------------


def category_table(span: Span, groups, meetings: dict[str, int], *, key: str = "petitions_by_category") -> Table:
    """Seed 000's category table, per channel: the petitions handled (closed,
    not as a meeting request) in ``span`` by category and channel, and the
    meeting requests handled, by category; every category of the office,
    praise (칭찬) and guidance (안내) included."""
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (category, channel, status), n in groups.items():
        if status != rules.MEETING:
            cells[category][channel] += n
    rows = []
    for category in PetitionCategory.values:
        counts = [cells[category][channel] for channel in CHANNELS]
        requests = meetings.get(category, 0)
        rows.append([_category_label(category), *counts, requests, sum(counts) + requests])
    width = len(CHANNELS) + 2
    total = [_("Total")] + [sum(row[1 + column] for row in rows) for column in range(width)]
    return Table(
        key=key,
        title=_("Petitions handled, by category and channel"),
        columns=[_("Category"), *(_channel_label(channel) for channel in CHANNELS), _("Meeting requests"), _("Total")],
        rows=rows,
        total=total,
        note=_(
            "Handled: petitions closed in the period (answered, guided, transferred, merged or thanked) and "
            "meeting requests first answered in the period. A petition that became a meeting request is counted "
            "once, as that request."
        ),
    )


def channel_table(span: Span, groups, *, now: dt.datetime) -> Table:
    """Per channel: received, handled, made meeting requests, open and
    overdue at the end of the period (two queries)."""
    cut = _cut(span, now)
    handled: dict[str, int] = defaultdict(int)
    to_meeting: dict[str, int] = defaultdict(int)
    for (_category, channel, status), n in groups.items():
        (to_meeting if status == rules.MEETING else handled)[channel] += n
    still_open = Q(received_at__lt=cut) & (Q(closed_at__isnull=True) | Q(closed_at__gte=cut))
    rows_by_channel = {
        row["channel"]: row
        for row in Petition.objects.annotate(due=due_expression())
        .filter(span.q("received_at") | still_open)
        .order_by()
        .values("channel")
        .annotate(
            received=Count("pk", filter=span.q("received_at")),
            open=Count("pk", filter=still_open),
            overdue=Count("pk", filter=still_open & Q(due__lt=cut)),
        )
    }
    rows = []
    for channel in CHANNELS:
        row = rows_by_channel.get(channel, {})
        rows.append(
            [
                _channel_label(channel),
                row.get("received", 0),
                handled[channel],
                to_meeting[channel],
                row.get("open", 0),
                row.get("overdue", 0),
            ]
        )
    total = [_("Total")] + [sum(row[column] for row in rows) for column in range(1, 6)]
    return Table(
        key="petitions_by_channel",
        title=_("Petitions by channel"),
        columns=[
            _("Channel"),
            _("Received"),
            _("Handled"),
            _("Made meeting requests"),
            _("Open at the end"),
            _("Overdue at the end"),
        ],
        rows=rows,
        total=total,
        note=_("Open and overdue: as at the end of the period (for the running month, now)."),
    )


def outcome_table(groups) -> Table:
    by_status: dict[str, int] = defaultdict(int)
    for (_category, _channel, status), n in groups.items():
        by_status[status] += n
    rows = [
        [str(rules.STATUS_LABELS[status]), by_status[status]] for status in rules.STATUS_ORDER if status in rules.CLOSED
    ]
    return Table(
        key="petition_outcomes",
        title=_("Petitions closed, by outcome"),
        columns=[_("Outcome"), _("Petitions")],
        rows=rows,
        total=[_("Total"), sum(row[1] for row in rows)],
    )


def days_table(values: list[tuple[dt.date, str, float]], *, key: str = "petition_handling_days") -> Table:
    rows = []
    for channel in CHANNELS:
        days = [value for _day, each, value in values if each == channel]
        rows.append([_channel_label(channel), len(days), mean(days), median(days), longest(days)])
    every = [value for _day, _channel, value in values]
    return Table(
        key=key,
        title=_("Handling time (working days), by channel"),
        columns=[_("Channel"), _("Counted"), _("Average"), _("Median"), _("Longest")],
        rows=rows,
        total=[_("Total"), len(every), mean(every), median(every), longest(every)],
        note=_(
            "Working hours (09–12, 13–18 on working days) from receipt to closing, divided by 8, for the "
            "petitions closed in the period; merged repeats and thanked praise are not counted. Target: "
            "%(days)s days on average."
        )
        % {"days": TARGET_DAYS},
    )


def answers_table(counts: AnswerCounts, *, key: str = "petition_answers_due") -> Table:
    return Table(
        key=key,
        title=_("Answers due in the period"),
        columns=[_("Petitions whose answer was due"), _("Petitions")],
        rows=[
            [_("Answers due"), counts.due],
            [_("Transferred or merged (not counted)"), counts.not_owed],
            [_("Answered on time"), counts.on_time],
            [_("Answered late"), counts.late],
            [_("Not answered"), counts.unanswered],
        ],
        total=[_("Answer rate (%)"), counts.rate],
        note=_(
            "Answered: closed as answered, guided, thanked or made a meeting request, by the due time "
            "(the extended one when it was extended)."
        ),
    )


def transfers_table(span: Span) -> Table:
    rows = [
        [agency or "-", n]
        for agency, n in Petition.objects.filter(span.q("closed_at"), status=rules.TRANSFERRED)
        .order_by()
        .values_list("transfer_agency")
        .annotate(n=Count("pk"))
        .order_by("-n", "transfer_agency")
    ]
    return Table(
        key="petition_transfers",
        title=_("Transfers to other agencies"),
        columns=[_("Agency"), _("Petitions")],
        rows=rows,
        total=[_("Total"), sum(row[1] for row in rows)],
    )


def quick_table(flow: dict[str, int]) -> Table:
    quick, in_time = flow["quick"], flow["quick_in_time"]
    return Table(
        key="petition_quick_service",
        title=_("Quick service (30 minutes)"),
        columns=[_("Quick petitions received"), _("Petitions")],
        rows=[
            [_("Received"), quick],
            [_("Closed within 30 minutes"), in_time],
            [_("Closed later or still open"), quick - in_time],
        ],
        total=[_("Compliance (%)"), rate(in_time, quick)],
    )


def overdue_table(span: Span, *, now: dt.datetime, overdue: int) -> Table:
    """The petitions still open and overdue at the end of the period, the
    longest overdue first: the first ``OVERDUE_SHOWN`` (one query); the
    figure counts them all, the inbox lists them all."""
    cut = _cut(span, now)
    rows = (
        Petition.objects.annotate(due=due_expression())
        .filter(Q(received_at__lt=cut), Q(closed_at__isnull=True) | Q(closed_at__gte=cut), due__lt=cut)
        .order_by("due", "pk")
        .values_list("reference", "channel", "category", "department__name", "received_at", "due")[:OVERDUE_SHOWN]
    )
    note = ""
    if overdue > OVERDUE_SHOWN:
        note = _("The %(shown)s longest overdue of %(count)s; the inbox lists them all.") % {
            "shown": OVERDUE_SHOWN,
            "count": f"{overdue:,}",
        }
    return Table(
        key="petitions_overdue",
        title=_("Open and overdue at the end of the period"),
        columns=[_("Reference"), _("Channel"), _("Category"), _("Department"), _("Received"), _("Due")],
        rows=[
            [
                reference,
                _channel_label(channel),
                _category_label(category),
                department or "-",
                timezone.localtime(received),
                timezone.localtime(due),
            ]
            for reference, channel, category, department, received, due in rows
        ],
        note=note,
    )


# --- Figures --------------------------------------------------------------------------------


def _days_figure(label: str, value) -> Figure:
    return Figure(label=label, value=value, unit=_("days"), target=TARGET_DAYS, higher_is_better=False)


def office_line(handled: int, meetings: int) -> str:
    """Seed 001's line: "32건 처리 / 시장 면담 4건"."""
    return _("%(handled)s handled / %(meetings)s meetings with the mayor") % {
        "handled": f"{handled:,}",
        "meetings": f"{meetings:,}",
    }


# --- Monthly report -------------------------------------------------------------------------


def monthly_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    span = span_of(period)
    groups = closed_groups(span)
    meetings = meetings_handled(span)
    with_mayor = meetings_with_mayor(span)
    handled = handled_petitions(groups) + sum(meetings.values())
    flow = flow_counts([span], now=now)[0]
    answers = answers_due([span], now=now)[0]
    timed = handling_days(span)
    days = [value for _day, _channel, value in timed]
    line = office_line(handled, with_mayor)
    return [
        Section(
            key="petitions_office",
            title=_("Direct petitions: %(line)s") % {"line": line},
            figures=[
                Figure(label=_("Handled (all channels and meeting requests)"), value=handled, unit=_("cases")),
                Figure(label=_("Meetings held with the mayor"), value=with_mayor, unit=_("cases")),
                Figure(label=_("Petitions received"), value=flow["received"], unit=_("cases")),
                _days_figure(_("Average handling time (working days)"), mean(days)),
                _days_figure(_("Median handling time (working days)"), median(days)),
                Figure(
                    label=_("Answer rate (answered by the due time)"),
                    value=answers.rate,
                    unit="%",
                    target=TARGET_ANSWER_RATE,
                ),
                Figure(label=_("Transferred to other agencies"), value=flow["transferred"], unit=_("cases")),
                Figure(
                    label=_("Quick service closed within 30 minutes"),
                    value=rate(flow["quick_in_time"], flow["quick"]),
                    unit="%",
                    target=TARGET_QUICK_RATE,
                ),
                Figure(label=_("Open at the end of the month"), value=flow["open"], unit=_("cases")),
                Figure(
                    label=_("Overdue at the end of the month"),
                    value=flow["overdue"],
                    unit=_("cases"),
                    target=0,
                    higher_is_better=False,
                ),
            ],
            tables=[
                category_table(span, groups, meetings),
                channel_table(span, groups, now=now),
                outcome_table(groups),
                days_table(timed),
                answers_table(answers),
                transfers_table(span),
                quick_table(flow),
                overdue_table(span, now=now, overdue=flow["overdue"]),
            ],
        )
    ]


# --- Half-yearly analysis -------------------------------------------------------------------


def half_year_sections(period: Period, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    span = span_of(period)
    months = months_of(period)
    return [_trends(span, months, now=now), _by_channel_and_category(span, months), survey_section(period)]


def _trends(span: Span, months: list[Span], *, now: dt.datetime) -> Section:
    """Received, handled, days and rates month by month."""
    flows = flow_counts(months, now=now)
    answers = answers_due(months, now=now)
    timed = handling_days(span)
    handled_by_month = _closed_by_month(span, months)
    rows = []
    for index, month in enumerate(months):
        meetings = sum(meetings_handled(month).values())
        days = [value for day, _channel, value in timed if month.start <= day < month.end]
        rows.append(
            [
                month.label,
                flows[index]["received"],
                handled_by_month[index] + meetings,
                meetings_with_mayor(month),
                mean(days),
                answers[index].rate,
                rate(flows[index]["quick_in_time"], flows[index]["quick"]),
                flows[index]["transferred"],
            ]
        )
    every = [value for _day, _channel, value in timed]
    total_answers = sum(answers, AnswerCounts())
    quick = sum(flow["quick"] for flow in flows)
    quick_in_time = sum(flow["quick_in_time"] for flow in flows)
    total = [
        _("Total"),
        sum(row[1] for row in rows),
        sum(row[2] for row in rows),
        sum(row[3] for row in rows),
        mean(every),
        total_answers.rate,
        rate(quick_in_time, quick),
        sum(row[7] for row in rows),
    ]
    categories = [month.short_label for month in months]
    return Section(
        key="petitions_trends",
        title=_("Direct petitions: six-month trends"),
        figures=[
            Figure(label=_("Petitions received"), value=total[1], unit=_("cases")),
            Figure(label=_("Handled (all channels and meeting requests)"), value=total[2], unit=_("cases")),
            Figure(label=_("Meetings held with the mayor"), value=total[3], unit=_("cases")),
            _days_figure(_("Average handling time (working days)"), mean(every)),
            _days_figure(_("Median handling time (working days)"), median(every)),
            Figure(
                label=_("Answer rate (answered by the due time)"),
                value=total_answers.rate,
                unit="%",
                target=TARGET_ANSWER_RATE,
            ),
            Figure(
                label=_("Quick service closed within 30 minutes"),
                value=total[6],
                unit="%",
                target=TARGET_QUICK_RATE,
            ),
        ],
        tables=[
            Table(
                key="petitions_trend",
                title=_("Direct petitions month by month"),
                columns=[
                    _("Month"),
                    _("Received"),
                    _("Handled"),
                    _("Meetings with the mayor"),
                    _("Average handling days"),
                    _("Answer rate (%)"),
                    _("Quick service in 30 minutes (%)"),
                    _("Transferred"),
                ],
                rows=rows,
                total=total,
            )
        ],
        charts=[
            Chart(
                key="petitions_trend",
                title=_("Petitions received and handled"),
                kind="bar",
                categories=categories,
                series=[
                    Series(label=_("Received"), values=[row[1] for row in rows]),
                    Series(label=_("Handled"), values=[row[2] for row in rows]),
                ],
            ),
            Chart(
                key="petition_days_trend",
                title=_("Average handling time (working days)"),
                kind="line",
                categories=categories,
                series=[Series(label=_("Average handling days"), values=[row[4] for row in rows])],
                unit=_("days"),
                target=TARGET_DAYS,
                target_label=_("Target: %(days)s days") % {"days": TARGET_DAYS},
            ),
        ],
    )


def _closed_by_month(span: Span, months: list[Span]) -> list[int]:
    """Petitions handled (closed, not as a meeting request) per month, one query."""
    aggregates = {f"m{index}": Count("pk", filter=month.q("closed_at")) for index, month in enumerate(months)}
    counts = Petition.objects.filter(span.q("closed_at")).exclude(status=rules.MEETING).aggregate(**aggregates)
    return [counts[f"m{index}"] for index in range(len(months))]


def _by_channel_and_category(span: Span, months: list[Span]) -> Section:
    """Received per month by channel, and the half-year's category table."""
    aggregates = {}
    for index, month in enumerate(months):
        for channel in CHANNELS:
            aggregates[f"{channel}_{index}"] = Count("pk", filter=month.q("received_at") & Q(channel=channel))
    counts = Petition.objects.filter(span.q("received_at")).aggregate(**aggregates)
    rows = []
    for index, month in enumerate(months):
        values = [counts[f"{channel}_{index}"] for channel in CHANNELS]
        rows.append([month.label, *values, sum(values)])
    total = [_("Total")] + [sum(row[column] for row in rows) for column in range(1, len(CHANNELS) + 2)]
    by_channel = Table(
        key="petitions_received_by_channel",
        title=_("Petitions received, by month and channel"),
        columns=[_("Month"), *(_channel_label(channel) for channel in CHANNELS), _("Total")],
        rows=rows,
        total=total,
    )
    groups = closed_groups(span)
    categories = category_table(span, groups, meetings_handled(span), key="petitions_by_category_half_year")
    return Section(
        key="petitions_channels",
        title=_("Direct petitions by channel and category"),
        tables=[by_channel, categories],
        charts=[
            Chart(
                key="petitions_received_by_channel",
                title=_("Petitions received, by channel"),
                kind="bar",
                categories=[_channel_label(channel) for channel in CHANNELS],
                series=[Series(label=_("Received"), values=total[1:-1])],
            )
        ],
    )


def survey_section(period: Period) -> Section:
    """The satisfaction survey of the half-year (sent in the month after it):
    response rate and the mean score of each question. The comments are on
    the staff page (/staff/reports/surveys/), not in the report's files."""
    from petitions.surveys.models import QUESTIONS
    from petitions.surveys.selectors import round_results

    results = round_results(period.key)
    means = results.means if results else {}
    rows = [[str(label), means.get(name)] for name, label in QUESTIONS]
    if results is None:
        note = _("The survey of this half-year has not been sent yet: it goes out in the month after the half-year.")
    else:
        note = _(
            "Asked: a random sample of the citizens whose petition was closed in the half-year (one per mobile "
            "number). Scores from 1 (very dissatisfied) to 5 (very satisfied). The citizens' comments are on the "
            "staff page of the surveys, not in this report."
        )
    return Section(
        key="petitions_survey",
        title=_("Satisfaction survey of the petition office"),
        figures=[
            Figure(label=_("Citizens asked"), value=results.asked if results else None, unit=_("people")),
            Figure(label=_("Answers"), value=results.answered if results else None, unit=_("people")),
            Figure(label=_("Response rate"), value=results.response_rate if results else None, unit="%"),
            Figure(
                label=_("Average of the four questions (1–5)"),
                value=results.overall if results else None,
                unit=_("points"),
            ),
        ],
        tables=[
            Table(
                key="petitions_survey_scores",
                title=_("Average score per question (1–5)"),
                columns=[_("Question"), _("Average")],
                rows=rows,
                total=[_("All four"), results.overall if results else None],
                note=note,
            )
        ],
        charts=[
            Chart(
                key="petitions_survey_scores",
                title=_("Average score per question (1–5)"),
                kind="bar",
                categories=[str(label) for _name, label in QUESTIONS],
                series=[Series(label=_("Average"), values=[row[1] for row in rows])],
                unit=_("points"),
            )
        ],
    )


# --- Registration -----------------------------------------------------------------------------


def register() -> None:
    """The reports part of the petition office (called from
    ``PetitionsConfig.ready``): the report source, the survey's staff page
    in the menu, its permissions, its beat task, the demo petitions."""
    from petitions.demo import seed_petitions_demo
    from petitions.surveys import tasks  # noqa: F401  (the beat task's name)
    from scheduling import roles
    from scheduling.reports.core import ReportSource, register_report_source
    from scheduling.signals import demo_city_seeded
    from scheduling.staff import MENU_REPORTS, StaffSection, register_section

    register_report_source(
        ReportSource(key="petitions", order=ORDER, monthly=monthly_sections, half_year=half_year_sections)
    )
    roles.grant(roles.SECRETARIAT, *SURVEY_PERMISSIONS)
    register_section(
        StaffSection(
            key="petitions.surveys",
            title=gettext_lazy("Satisfaction surveys"),
            description=gettext_lazy(
                "The petition office's survey twice a year: the rounds and the citizens' comments."
            ),
            url_name="staff_surveys:comments",
            permission="petitions.view_surveyinvitation",
            order=45,
            menu=MENU_REPORTS,
        )
    )
    demo_city_seeded.connect(seed_petitions_demo, dispatch_uid="petitions_demo")


#: The secretariat reads the survey's rounds and comments.
SURVEY_PERMISSIONS = (
    "petitions.view_surveyround",
    "petitions.view_surveyinvitation",
)
