"""The monthly report's section on messages: how many went by which
channel (KakaoTalk 알림톡, SMS, LMS, e-mail), how many arrived, and what they
cost — over every outbox table (``scheduling.outbox.outbox_models``), by
database aggregation.

A message counts in the month it was sent (``sent_at``, Seoul time), under
the channel that actually carried it (``via``: an 알림톡 that SOLAPI replaced
by a text message counts as that SMS/LMS). Its cost is the unit price of
that channel (``MESSAGE_PRICE_*`` in the settings; docs/notifications.md);
a message the delivery report calls undelivered costs nothing (SOLAPI
refunds it). Rows sent before the channel was recorded count as SMS.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils.translation import gettext as _

from scheduling import outbox
from scheduling.models import OutboxMessage
from scheduling.reports.core import Chart, Figure, Period, Section, Series, Table, rate, span_of

Via = OutboxMessage.Via
Status = OutboxMessage.Status

ORDER = (Via.ALIMTALK, Via.SMS, Via.LMS, Via.EMAIL)


def unit_prices() -> dict[str, Decimal]:
    return {
        Via.ALIMTALK: settings.MESSAGE_PRICE_ALIMTALK,
        Via.SMS: settings.MESSAGE_PRICE_SMS,
        Via.LMS: settings.MESSAGE_PRICE_LMS,
        Via.EMAIL: settings.MESSAGE_PRICE_EMAIL,
    }


def channel_counts(period: Period) -> dict[str, dict[str, int]]:
    """For each channel: messages sent in ``period``, delivered, not
    delivered, and (알림톡 asked for) fallbacks to a text message."""
    span = span_of(period)
    channel = Case(
        When(~Q(via=""), then=F("via")),
        When(channel=OutboxMessage.Channel.EMAIL, then=Value(Via.EMAIL)),
        default=Value(Via.SMS),
        output_field=CharField(),
    )
    counts = {via: {"sent": 0, "delivered": 0, "failed": 0, "fallback": 0} for via in ORDER}
    for model in outbox.outbox_models():
        rows = (
            model.objects.filter(span.q("sent_at"))
            .annotate(used=channel)
            .order_by()
            .values("used")
            .annotate(
                sent=Count("pk"),
                delivered=Count("pk", filter=Q(status=Status.DELIVERED)),
                failed=Count("pk", filter=Q(status=Status.FAILED)),
                fallback=Count("pk", filter=~Q(template_code="") & Q(via__in=[Via.SMS, Via.LMS])),
            )
        )
        for row in rows:
            bucket = counts.setdefault(row["used"], {"sent": 0, "delivered": 0, "failed": 0, "fallback": 0})
            for key in ("sent", "delivered", "failed", "fallback"):
                bucket[key] += row[key]
    return counts


def monthly_sections(period: Period) -> list[Section]:
    counts = channel_counts(period)
    prices = unit_prices()
    labels = dict(Via.choices)
    rows, total_cost = [], Decimal(0)
    for via in ORDER:
        figures = counts[via]
        cost = prices[via] * (figures["sent"] - figures["failed"])
        total_cost += cost
        rows.append([str(labels[via]), figures["sent"], figures["delivered"], figures["failed"], prices[via], cost])
    sent = sum(counts[via]["sent"] for via in ORDER)
    texts = sum(counts[via]["sent"] for via in ORDER if via != Via.EMAIL)
    fallbacks = sum(counts[via]["fallback"] for via in ORDER)
    return [
        Section(
            key="messages",
            title=_("Messages to citizens and staff"),
            figures=[
                Figure(label=_("Messages sent"), value=sent),
                Figure(
                    label=_("Text messages sent as KakaoTalk AlimTalk"),
                    value=rate(counts[Via.ALIMTALK]["sent"], texts),
                    unit="%",
                ),
                Figure(label=_("AlimTalk messages sent as SMS/LMS instead"), value=fallbacks),
                Figure(label=_("Cost of the messages"), value=total_cost, unit=_("won"), higher_is_better=False),
            ],
            tables=[
                Table(
                    key="messages_by_channel",
                    title=_("Messages by channel"),
                    columns=[
                        _("Channel"),
                        _("Sent"),
                        _("Delivered"),
                        _("Not delivered"),
                        _("Unit price (won)"),
                        _("Cost (won)"),
                    ],
                    rows=rows,
                    total=[
                        _("Total"),
                        sent,
                        sum(counts[via]["delivered"] for via in ORDER),
                        sum(counts[via]["failed"] for via in ORDER),
                        None,
                        total_cost,
                    ],
                    note=_(
                        "Counted in the month sent, under the channel that carried the message: a KakaoTalk "
                        "AlimTalk the provider sent as SMS/LMS instead counts as that SMS/LMS. Delivered and not "
                        "delivered as the provider's delivery reports say; a message not delivered costs "
                        "nothing. Unit prices are the settings' MESSAGE_PRICE_* (the contract's prices)."
                    ),
                )
            ],
            charts=[
                Chart(
                    key="messages_by_channel",
                    title=_("Messages by channel"),
                    kind="bar",
                    categories=[str(labels[via]) for via in ORDER],
                    series=[Series(label=_("Sent"), values=[counts[via]["sent"] for via in ORDER])],
                )
            ],
        )
    ]
