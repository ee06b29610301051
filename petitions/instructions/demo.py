"""The instructions' part of the demo city (receiver of
``scheduling.signals.demo_city_seeded``): a few of the mayor's instructions
in every state, one overdue, some from the field visits already held, all
through the services. Idempotent: nothing is added once the city has
instructions."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from petitions.instructions import services
from petitions.instructions.models import Instruction
from scheduling.models import Department, Neighborhood
from scheduling.workdays import working_calendar

#: (title, department code, days ago given, working days to do it, what happens next)
INSTRUCTIONS = [
    ("경로당 앞 횡단보도 신호 시간 연장 검토", "roads", 40, 10, "complete"),
    ("하천 산책로 야간 조명 보강", "parks", 30, 10, "start"),
    ("통학로 불법 주정차 집중 단속", "transport", 25, 5, ""),
    ("전통시장 아케이드 누수 보수", "local-economy", 12, 15, "start"),
    ("어린이 공원 놀이기구 안전 점검", "parks", 5, 10, ""),
    ("재개발 구역 빈집 출입 통제", "urban-planning", 20, 5, "cancel"),
]


def _working_day_after(calendar, day: dt.date, count: int) -> dt.date:
    for _turn in range(count):
        day = calendar.next_working_day(day)
    return day


def seed_instructions_demo(sender, departments=None, **kwargs) -> None:
    if Instruction.objects.exists():
        return
    users = get_user_model()._default_manager
    secretariat = users.filter(username="secretariat").first()
    roads_staff = users.filter(username="department").first()
    neighborhoods = list(Neighborhood.objects.order_by("sort_order", "code")[: len(INSTRUCTIONS)])
    if secretariat is None or not neighborhoods:
        return
    by_code = {d.code: d for d in Department.objects.filter(code__in=[row[1] for row in INSTRUCTIONS])}
    visits = Instruction._meta.get_field("origin_visit").related_model._default_manager
    today = timezone.localdate()
    calendar = working_calendar(today - dt.timedelta(days=120), today + dt.timedelta(days=120))
    for turn, (title, code, days_ago, working_days, then) in enumerate(INSTRUCTIONS):
        department = by_code.get(code)
        if department is None:
            continue
        given = calendar.next_working_day(today - dt.timedelta(days=days_ago), include_today=True)
        neighborhood = neighborhoods[turn % len(neighborhoods)]
        visit = visits.filter(neighborhood=neighborhood, start__date__lte=given).order_by("-start").first()
        instruction = services.instruction_record(
            title=title,
            text="현장에서 주민 의견을 듣고 지시함.",
            department=department,
            due_on=_working_day_after(calendar, given, working_days),
            instructed_on=given,
            neighborhood=neighborhood,
            origin_visit=visit,
            actor=secretariat,
        )
        if then in ("start", "complete"):
            services.instruction_start(instruction=instruction, actor=secretariat, note="담당자 지정, 현장 확인 예정")
            services.instruction_note(instruction=instruction, note="현장 확인을 마쳤습니다.", actor=secretariat)
        if then == "complete":
            actor = roads_staff if roads_staff is not None and code == "roads" else secretariat
            services.instruction_complete(
                instruction=instruction, report="신호 시간을 10초 연장했습니다(경찰서 협의 완료).", actor=actor
            )
        if then == "cancel":
            services.instruction_cancel(
                instruction=instruction, reason="도시계획과 정비사업으로 통합", actor=secretariat
            )
