"""The petition office's part of the demo city, added when ``seed_demo``
runs with its lived year (receiver of ``scheduling.signals.demo_city_seeded``):
about six months of petitions from every channel — the mayor's SMS phone,
the web board, 국민신문고, phone calls and walk-ins — most closed, some still
with their department and a few overdue, quick fixes by the field team,
transfers, repeats merged, praise thanked, so that the inbox and the monthly
report have something to show.

Each petition walks the core's one transition table (``petitions.rules``,
checked step by step, an illegal step is an error), its due time from
``rules.answer_due`` as the service computes it, its history as events at
the moments they happened; then everything is written in bulk, because the
services, which validate every constraint on every step, took 20 s for six
months (``_save``). Nothing is sent. Idempotent: nothing is added when any
petition exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from petitions import rules
from petitions.models import Petition, PetitionCounter, PetitionEvent
from scheduling.clock import SEOUL
from scheduling.models import CategoryOwner, Department, Neighborhood
from scheduling.workdays import working_calendar

#: Months of petitions before today.
MONTHS = 6
#: Petitions a working day, on average (seed 000: about 6 a day on the SMS
#: phone alone in a bigger district; a smaller city's office, all channels).
PER_DAY = 2.2

#: (category, subject, text): what citizens write about.
TOPICS = [
    (
        "roads",
        "도로 포트홀 보수 요청",
        "버스정류장 앞 도로에 큰 구멍이 생겨 차량이 피해 다닙니다. 빠른 보수 부탁드립니다.",
    ),
    ("roads", "보도블록 파손", "초등학교 앞 보도블록이 들떠 아이들이 넘어질 뻔했습니다."),
    ("roads", "가로등 고장", "골목 가로등이 일주일째 꺼져 있어 밤길이 무섭습니다."),
    ("parking", "불법 주정차 단속 요청", "교차로 모퉁이 불법 주차로 시야가 가려 사고가 날 뻔했습니다."),
    ("parking", "거주자 우선주차 구역 문의", "이사 후 거주자 우선주차 신청 방법을 알고 싶습니다."),
    ("street_stalls", "노점 적치물 정비", "시장 입구 인도에 노점 물건이 쌓여 유모차가 지나갈 수 없습니다."),
    ("street_stalls", "상가 앞 적치물", "상가 앞 인도에 상자와 화분이 늘 놓여 있어 통행이 어렵습니다."),
    ("cleaning", "무단투기 쓰레기", "공터에 대형 폐기물이 계속 버려지고 있습니다. 단속 부탁드립니다."),
    ("cleaning", "음식물 수거 지연", "음식물 쓰레기 수거가 늦어져 냄새가 심합니다."),
    ("welfare", "독거 어르신 돌봄", "옆집 어르신이 혼자 지내시는데 도움이 필요해 보입니다."),
    ("welfare", "기초생활수급 상담", "실직 후 생계가 어려워 지원 제도를 알고 싶습니다."),
    ("childcare", "어린이집 대기", "국공립 어린이집 대기가 너무 길어 복직이 어렵습니다."),
    ("education", "방과후 돌봄교실 확대", "초등 돌봄교실 정원이 부족해 추첨에서 떨어졌습니다."),
    ("health", "야간 소음", "새벽까지 이어지는 공사 소음으로 잠을 잘 수 없습니다."),
    ("health", "방역 요청", "하천변에 모기가 많아 방역을 요청합니다."),
    ("building", "불법 증축 신고", "옆 건물 옥상에 허가 없이 구조물을 올리고 있습니다."),
    ("parks", "공원 운동기구 고장", "근린공원 운동기구가 부서져 위험합니다."),
    ("markets", "전통시장 주차장", "시장 이용객 주차 공간이 부족합니다."),
    ("transport", "버스 배차 간격", "출근 시간 마을버스 배차 간격이 너무 깁니다."),
    ("safety", "통학로 CCTV 설치", "통학로에 CCTV가 없어 아이들 안전이 걱정됩니다."),
    ("culture", "도서관 운영시간 연장", "주말 도서관 운영시간을 늘려 주세요."),
    ("urban_development", "재개발 구역 빈집 관리", "철거 예정 빈집에 사람이 드나들어 불안합니다."),
    ("other", "유기견 신고", "동네에 유기견이 돌아다녀 아이들이 무서워합니다."),
]
QUICK_TOPICS = [
    ("roads", "맨홀 뚜껑 이탈", "횡단보도 옆 맨홀 뚜껑이 어긋나 있습니다. 바로 조치 부탁드립니다."),
    ("cleaning", "도로 위 낙하물", "간선도로 2차로에 적재물이 떨어져 있습니다."),
    ("roads", "신호등 고장", "사거리 보행 신호등이 꺼져 있습니다."),
]
PRAISE = [
    ("praise", "주민센터 직원 칭찬", "민원 처리 과정에서 친절하게 안내해 주신 직원분께 감사드립니다."),
    ("praise", "시장님 응원합니다", "늘 현장을 챙겨 주셔서 감사합니다. 응원합니다."),
]
GUIDANCE = [
    ("guidance", "여권 발급 문의", "여권 재발급에 필요한 서류가 무엇인지 궁금합니다."),
    ("guidance", "전입신고 방법", "전입신고를 온라인으로 할 수 있나요?"),
]
NAMES = ["김민수", "이영희", "박정호", "최수진", "정대현", "강미란", "조성훈", "윤혜원", "한지민", "임소라"]
AGENCIES = ["경찰서", "교육지원청", "국토교통부", "한국전력공사", "도로교통공단"]
ANSWER = "현장을 확인하고 조치했습니다. 불편을 드려 죄송하며 앞으로도 살피겠습니다."
CHANNEL_WEIGHTS = [(rules.SMS, 40), (rules.WEB, 25), (rules.EPEOPLE, 15), (rules.PHONE, 10), (rules.VISIT, 10)]


def seed_petitions_demo(sender=None, history=True, **kwargs) -> int:
    """About six months of petitions up to today, once. Returns how many."""
    if not history or Petition.objects.exists() or not Department.objects.exists():
        return 0
    users = get_user_model()._default_manager
    city = _City(
        secretariat=users.filter(username="secretariat").first(),
        department_user=users.filter(username="department").first(),
        owners=dict(CategoryOwner.objects.values_list("category", "department_id")),
        departments={department.pk: department for department in Department.objects.filter(is_active=True)},
        neighborhoods=list(Neighborhood.objects.order_by("sort_order", "code")),
    )
    rng = random.Random(17)  # noqa: S311 (demo data, not a secret)
    now = timezone.now()
    today = timezone.localdate(now)
    first = (today.replace(day=1) - dt.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    calendar = working_calendar(first, today + dt.timedelta(days=60))
    moments = []
    for day in _days(first, today):
        if calendar.is_working_day(day):
            for _index in range(_poisson(rng, PER_DAY)):
                moment = dt.datetime.combine(day, dt.time(8), tzinfo=SEOUL) + dt.timedelta(
                    minutes=rng.randrange(0, 10 * 60)
                )
                if moment < now - dt.timedelta(hours=1):
                    moments.append(moment)
    moments.sort()
    lives = [_life(number, received_at, rng, now, city, calendar) for number, received_at in enumerate(moments)]
    with transaction.atomic():
        _save(lives, city, rng)
    return len(lives)


class _City:
    def __init__(self, *, secretariat, department_user, owners, departments, neighborhoods):
        self.secretariat, self.department_user = secretariat, department_user
        self.owners, self.departments, self.neighborhoods = owners, departments, neighborhoods
        self.fallback = next(iter(departments.values()), None)
        self.epeople = 0

    def department_for(self, category: str):
        return self.departments.get(self.owners.get(category)) or self.fallback


class _Life:
    """One petition as received, and the steps it has taken since."""

    def __init__(self, petition: Petition, steps: list[tuple[dt.datetime, str, dict]], merge: bool):
        self.petition, self.steps, self.merge = petition, steps, merge
        self.events: list[PetitionEvent] = []


def _life(number: int, received_at: dt.datetime, rng, now, city: _City, calendar) -> _Life:
    """What petition ``number`` says and what became of it (not saved yet)."""
    kind_roll = rng.random()
    if kind_roll < 0.05:
        category, subject, body = rng.choice(QUICK_TOPICS)
        kind = rules.QUICK
    elif kind_roll < 0.09:
        category, subject, body = rng.choice(PRAISE)
        kind = rules.GENERAL
    elif kind_roll < 0.14:
        category, subject, body = rng.choice(GUIDANCE)
        kind = rules.QUESTION
    else:
        category, subject, body = rng.choice(TOPICS)
        kind = rng.choice([rules.GENERAL] * 6 + [rules.PROPOSAL, rules.GRIEVANCE, rules.QUESTION])
    channel = rng.choice([rules.SMS, rules.PHONE]) if kind == rules.QUICK else _weighted(rng, CHANNEL_WEIGHTS)
    petition = Petition(
        kind=kind,
        channel=channel,
        category=category,
        neighborhood=city.neighborhoods[number % len(city.neighborhoods)] if city.neighborhoods else None,
        subject=subject,
        body=body,
        name=NAMES[number % len(NAMES)],
        phone=f"010{5000 + number % 4000:04d}{(number * 37) % 10000:04d}",
        received_at=received_at,
        answer_due_at=rules.answer_due(received_at, kind, calendar=calendar),
        created_by=city.secretariat if channel in (rules.PHONE, rules.VISIT, rules.EPEOPLE) else None,
    )
    if channel == rules.EPEOPLE:
        city.epeople += 1
        petition.epeople_number = f"1AA-{received_at:%y%m}-{city.epeople:07d}"
        petition.epeople_received_on = timezone.localdate(received_at)
    elif channel in (rules.WEB, rules.PHONE, rules.VISIT):
        petition.consent_at = received_at
    steps, merge = _steps(petition, rng, now, city)
    return _Life(petition, [step for step in steps if step[0] < now], merge)


def _steps(petition: Petition, rng, now, city: _City) -> tuple[list, bool]:
    """The petition's life after receipt, (moment, action, fields) each; the
    younger it is, the likelier it is still open."""
    received = petition.received_at
    age_days = (now - received).days
    if petition.kind == rules.QUICK:
        dispatched = received + dt.timedelta(minutes=rng.randrange(3, 10))
        fixed = received + dt.timedelta(minutes=rng.choice([14, 18, 22, 26, 29, 34, 52]))
        return [
            (dispatched, "dispatch", {"field_team": "도로 현장기동반", "dispatched_at": dispatched}),
            (fixed, "resolve", {"answer": "현장기동반이 바로 조치했습니다.", "answer_via": "sms"}),
        ], False
    if petition.category == "praise":
        return [(received + dt.timedelta(hours=2), "thank", {"closing_note": "감사 인사를 전했습니다."})], False
    if petition.category == "guidance":
        answered = received + dt.timedelta(hours=rng.choice([1, 3, 20]))
        return [(answered, "answer", {"answer": "필요한 서류와 절차를 안내해 드렸습니다.", "answer_via": "sms"})], False
    roll = rng.random()
    if roll < 0.06:
        agency = rng.choice(AGENCIES)
        return [
            (
                received + dt.timedelta(hours=4),
                "transfer",
                {"transfer_agency": agency, "closing_note": f"소관 기관({agency})으로 이첩했습니다."},
            )
        ], False
    if roll < 0.10:
        return [(received + dt.timedelta(hours=3), "merge", {"closing_note": "같은 내용의 민원에 병합했습니다."})], True
    if roll < 0.16:
        guided = received + dt.timedelta(hours=5)
        return [(guided, "guide", {"answer": "관련 제도와 신청 방법을 안내해 드렸습니다.", "answer_via": "sms"})], False
    assigned = received + dt.timedelta(hours=rng.choice([1, 2, 3, 20]))
    drafted = assigned + dt.timedelta(days=rng.choice([0.5, 1, 1, 1.5, 2, 2, 2.5, 3, 4, 6, 9]) * 1.4)
    approved = drafted + dt.timedelta(hours=rng.choice([1, 2, 5]))
    steps = [
        (assigned, "assign", {"department": city.department_for(petition.category), "assigned_at": assigned}),
        (drafted, "draft", {"answer": ANSWER, "drafted_at": drafted, "drafted_by": city.department_user}),
        (approved, "approve", {"answer_via": rng.choice(["sms", "sms", "email", "epeople"])}),
    ]
    # Younger petitions stop where they stand today; a few old ones are overdue.
    if (age_days < 12 and rng.random() < 0.6) or (age_days >= 12 and rng.random() < 0.03):
        steps = steps[: rng.choice([1, 1, 2])]
    return steps, False


def _save(lives: list[_Life], city: _City, rng) -> None:
    """Walk each life along ``rules.TRANSITIONS`` (the table the services
    use: an illegal step is a bug here, not data), then write the petitions,
    their history and the reference counters in bulk. The services validate
    every constraint on every step (some 20 ms each): six months of
    petitions through them took 20 s; this takes well under one."""
    counters: dict[int, int] = {}
    for life in lives:
        petition = life.petition
        year = timezone.localtime(petition.received_at).year
        counters[year] = counters.get(year, 0) + 1
        petition.reference = f"P{year}-{counters[year]:05d}"
        life.events.append(_event(petition, "receive", "", petition.received_at, petition.created_by))
        for moment, action, fields in life.steps:
            step = rules.find(action, petition.status)
            if step is None:
                raise AssertionError(f"demo: {action} from {petition.status}")
            for name, value in fields.items():
                setattr(petition, name, value)
            previous, petition.status = petition.status, step.target
            if step.target in rules.CLOSED:
                petition.closed_at = moment
            actor = city.department_user if action == "draft" else city.secretariat
            life.events.append(_event(petition, action, previous, moment, actor))
    # Originals first: a repeat is merged into an answered petition older than it.
    firsts = [life for life in lives if not (life.merge and life.steps)]
    bulk_create_with_history([life.petition for life in firsts], Petition, default_user=city.secretariat)
    answered = [life.petition for life in firsts if life.petition.status == rules.ANSWERED]
    repeats = [life for life in lives if life.merge and life.steps]
    for life in repeats:
        older = [p for p in answered if p.received_at < life.petition.received_at] or answered
        life.petition.merged_into = rng.choice(older[-30:])
    bulk_create_with_history([life.petition for life in repeats], Petition, default_user=city.secretariat)
    saved = {petition.reference: petition.pk for petition in Petition.objects.only("pk", "reference")}
    events = []
    for life in lives:
        for event in life.events:
            event.petition_id = saved[life.petition.reference]
            events.append(event)
    at = PetitionEvent._meta.get_field("at")
    at.auto_now_add = False
    try:
        PetitionEvent.objects.bulk_create(events, batch_size=500)
    finally:
        at.auto_now_add = True
    for year, last in counters.items():
        PetitionCounter.objects.update_or_create(year=year, defaults={"last_number": last})


def _event(petition: Petition, action: str, previous: str, at: dt.datetime, actor) -> PetitionEvent:
    return PetitionEvent(at=at, actor=actor, action=action, from_status=previous, to_status=petition.status, note="")


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _poisson(rng: random.Random, mean: float) -> int:
    """A small Poisson draw (Knuth)."""
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]
