"""The TongTong Day part of the demo city, added when ``seed_demo`` runs
(receiver of ``scheduling.signals.demo_city_seeded``): a year of meeting
days lived through, and requests waiting in every state, so that the queue,
the run sheets and every report have something to show.

Everything goes through the real services, which refuse a slot in the past
or an outcome before the meeting, as they should. So the past year is
*replayed*: the clock is set (``scheduling.demo.clock``) to each moment a citizen or
the secretariat acted — a request ten days before its meeting day, the
booking a few days later, the outcome after the meeting, the citizen's
satisfaction answer the next morning — and the services run as they would
have then. Relative to today, as a user running the demo sees it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from meetings.models import MeetingDay, MeetingRequest, Notification, ReviewRequest
from meetings.services import booking, feedback, requests, review, series
from scheduling.demo.clock import replaying as _at
from scheduling.demo.clock import seoul as _moment
from scheduling.models import Neighborhood, Official

#: (subject, category, description): what citizens ask about, by turn.
TOPICS = [
    ("통학로 안전 문제", "roads", "아이들 통학로에 보도가 없어 위험합니다. 보도 설치를 건의합니다."),
    ("경로당 운영 지원", "welfare", "경로당 운영비가 부족해 겨울 난방이 어렵습니다."),
    ("공영주차장 부족", "parking", "저녁마다 골목에 주차할 곳이 없어 이웃 간 다툼이 잦습니다."),
    ("어린이집 대기 해소", "childcare", "국공립 어린이집 대기가 길어 복직을 미루고 있습니다."),
    ("전통시장 활성화", "markets", "시장 상인회가 주차장과 아케이드 보수를 요청합니다."),
    ("재개발 구역 안전", "urban_development", "철거 중인 빈집 주변이 어둡고 위험합니다."),
    ("마을버스 노선 신설", "transport", "새 아파트 단지에 버스 노선이 없어 불편합니다."),
    ("공원 화장실 개선", "parks", "근린공원 화장실이 낡아 어르신들이 이용하기 어렵습니다."),
]
NAMES = ["김민수", "이영희", "박정호", "최수진", "정대현", "강미란", "조성훈", "윤혜원", "장동건", "임소라"]
SCORES = [5, 4, 5, 3, 4, 5, 2, 4, 5, 4]
COMMENTS = {
    5: "시장님이 끝까지 들어 주셔서 고마웠습니다.",
    2: "시간이 너무 짧았습니다.",
    3: "답변이 조금 원론적이었습니다.",
}
QUESTION = "면담 필요 여부 의견 부탁드립니다."


class _City:
    """The demo's people and places, and a counter for the citizens' turns."""

    def __init__(self, officials: dict[str, Official]):
        users = get_user_model()._default_manager
        self.secretariat = users.filter(username="secretariat").first()
        self.roads_head = users.filter(username="roads-head").first()
        self.deputy = officials.get("제1부시장") or Official.objects.filter(rank=Official.Rank.DEPUTY_MAYOR).first()
        self.neighborhoods = list(Neighborhood.objects.order_by("sort_order", "code"))
        self.turn = 0

    def submit(self, day: MeetingDay | None, channel: str = MeetingRequest.Channel.WEB) -> MeetingRequest:
        """A citizen asks for a meeting on ``day`` (as at the clock's time)."""
        turn = self.turn
        self.turn += 1
        subject, category, description = TOPICS[turn % len(TOPICS)]
        return requests.meeting_request_submit(
            name=NAMES[turn % len(NAMES)],
            phone=f"010-{5100 + turn % 800:04d}-{1000 + (turn * 37) % 9000:04d}",
            neighborhood=self.neighborhoods[(turn * 7) % len(self.neighborhoods)],
            category=category,
            subject=subject,
            description=description,
            consent=True,
            submission_key=uuid.uuid4(),
            group_size=1 + turn % 3,
            preferred_days=[day] if day else [],
            needs_wheelchair=turn % 9 == 4,
            channel=channel if turn % 5 else MeetingRequest.Channel.PHONE,
            actor=self.secretariat if channel != MeetingRequest.Channel.WEB else None,
        ).request

    def clear_review(self, request: MeetingRequest) -> None:
        """The department head's opinion (the roads head answers from their
        inbox), or the secretariat books without it, saying why."""
        if request.category == "roads" and self.roads_head is not None:
            asked = review.review_ask(request=request, question=QUESTION, actor=self.secretariat)
            review.review_answer(
                review=asked,
                opinion="현장 확인 결과 시장 면담이 필요합니다.",
                meeting_needed=ReviewRequest.MeetingNeeded.YES,
                actor=self.roads_head,
            )
        else:
            review.review_override(
                request=request, reason="소관부서 의견은 면담 자리에서 직접 듣기로 함", actor=self.secretariat
            )


def seed_meetings_demo(sender, officials=None, history=True, **kwargs) -> None:
    """A year of TongTong Days and the requests of now, once (nothing is
    added when any request exists, or without ``history``)."""
    if not history or MeetingRequest.objects.exists() or not Neighborhood.objects.exists():
        return
    officials = officials or {}
    mayor = officials.get("시장") or Official.objects.filter(rank=Official.Rank.MAYOR).order_by("pk").first()
    if mayor is None:
        return
    city = _City(officials)
    if city.secretariat is None:
        return
    now = timezone.now()
    today = timezone.localdate(now)
    year_ago = today.replace(day=1).replace(year=today.year - 1)
    with _at(_moment(year_ago, 9) - dt.timedelta(days=30)):
        series.series_get_or_create(official=mayor)
    series.meeting_days_sync(start=year_ago, end=today + dt.timedelta(days=70))
    days = list(
        MeetingDay.objects.exclude(status=MeetingDay.Status.CANCELLED)
        .filter(start__gte=_moment(year_ago, 0))
        .order_by("start")
    )
    past = [day for day in days if day.end + dt.timedelta(days=1) < now]
    future = [day for day in days if day.start > now + dt.timedelta(days=3)]
    for index, day in enumerate(past):
        _replay(city, day, index)
    _now_waiting(city, future)
    _quiet_outbox()


def _replay(city: _City, day: MeetingDay, index: int) -> None:
    """One past meeting day as it happened: three requests, their booking,
    substitution or answer, the meeting, the satisfaction answers."""
    local = timezone.localtime(day.start).date()
    slots = list(day.slots.order_by("start"))
    with _at(_moment(local - dt.timedelta(days=12), 10)):
        first, second, third = (city.submit(day) for _ in range(3))
    met = []
    with _at(_moment(local - dt.timedelta(days=8), 11)):
        city.clear_review(first)
        booking.slot_book(request=first, slot=slots[0], actor=city.secretariat)
        met.append(first)
        kind = index % 4
        if kind == 0 and city.deputy is not None:
            city.clear_review(second)
            booking.request_substitute(
                request=second,
                official=city.deputy,
                start=_moment(local + dt.timedelta(days=1), 10),
                reason="시장님 국외 출장 일정과 겹쳐 소관 부시장이 면담합니다.",
                actor=city.secretariat,
            )
            met.append(second)
        elif kind == 1:
            booking.request_answer_in_writing(
                request=second, answer="담당 부서에서 검토한 결과를 서면으로 답변드립니다.", actor=city.secretariat
            )
        elif kind == 2:
            city.clear_review(second)
            booking.slot_book(request=second, slot=slots[1 % len(slots)], actor=city.secretariat)
            met.append(second)
        else:
            booking.request_decline(
                request=second, reason="소송이 진행 중인 사안이라 면담으로 다룰 수 없습니다.", actor=city.secretariat
            )
        if index % 3 == 0:
            booking.request_answer_in_writing(
                request=third, answer="이미 추진 중인 사업으로, 진행 상황을 안내드립니다.", actor=city.secretariat
            )
        else:
            city.clear_review(third)
            booking.slot_book(request=third, slot=slots[2 % len(slots)], actor=city.secretariat)
            if index % 3 == 1:
                with _at(_moment(local - dt.timedelta(days=3), 15)):
                    booking.citizen_cancel(request=third)
            else:
                met.append(third)
    for turn, request in enumerate(met):
        appointment = request.active_appointment
        with _at(appointment.end + dt.timedelta(hours=1)):
            no_show = (index + turn) % 7 == 6
            booking.outcome_record(
                request=request,
                outcome=MeetingRequest.Outcome.NO_SHOW if no_show else MeetingRequest.Outcome.HELD,
                notes="" if no_show else "주민 의견을 듣고 관련 부서에 검토를 지시함",
                actor=city.secretariat,
            )
        if not no_show and (index + turn) % 4 != 3:  # about three in four answer
            score = SCORES[(index * 3 + turn) % len(SCORES)]
            with _at(appointment.end + dt.timedelta(hours=18)):
                feedback.feedback_submit(request=request, score=score, comment=COMMENTS.get(score, ""))
        if index % 2 == 0:
            with _at(appointment.end + dt.timedelta(days=14)):
                booking.request_close(request=request, actor=city.secretariat, note="후속 조치 완료")


def _now_waiting(city: _City, future: list[MeetingDay]) -> None:
    """Requests of the last days, waiting in every open state."""
    if not future:
        return
    near = future[0]
    later = future[1] if len(future) > 1 else near
    slots = list(near.slots.order_by("start"))
    for _ in range(2):  # new: the queue's top
        city.submit(near)
    under_review = city.submit(later)
    review.review_ask(request=under_review, question=QUESTION, actor=city.secretariat)
    for slot in slots:  # the near day is booked full…
        request = city.submit(near)
        city.clear_review(request)
        booking.slot_book(request=request, slot=slot, actor=city.secretariat)
    city.submit(near)  # …so the next request for it waits on the list
    if city.deputy is not None:  # met by the deputy mayor instead, with the reason
        substituted = city.submit(later)
        city.clear_review(substituted)
        local = timezone.localtime(later.start).date()
        booking.request_substitute(
            request=substituted,
            official=city.deputy,
            start=_moment(local + dt.timedelta(days=1), 10),
            reason="시장님 일정이 이미 차 있어 소관 부시장이 면담합니다.",
            actor=city.secretariat,
        )
    cancelled = city.submit(later)
    booking.citizen_cancel(request=cancelled)
    answered = city.submit(None, channel=MeetingRequest.Channel.WALK_IN)
    booking.request_answer_in_writing(
        request=answered, answer="관련 부서에서 처리 계획을 서면으로 안내드립니다.", actor=city.secretariat
    )


def _quiet_outbox() -> None:
    """The demo's citizens are made up: their messages are recorded as not
    sent on purpose instead of being printed (or texted) when the seed
    commits; their private links are redacted as after any sending."""
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    for pk, body in pending.values_list("pk", "body"):
        Notification.objects.filter(pk=pk).update(
            status=Notification.Status.SENT,
            sent_at=timezone.now(),
            last_error="demo city: not sent",
            body=Notification.redact(body),
        )
