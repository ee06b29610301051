"""The visits part of the demo city, added when ``seed_demo`` runs
(receiver of ``scheduling.signals.demo_city_seeded``): the citizen groups
invited along, the mayor's two-year rotation (planned by the real planner,
accepted by the real service, so its visits are published), its first year
held and recorded, with the suggestions heard, and a few suggestions on the
management cards at every stage of their workflow, so each page has
something to show.

Everything is relative to today, as a user running the demo sees it: the
rotation began on the first day of the month a year ago, so its first year
is over (held, recorded, results published) and its second is to come.
Each past step runs through the services as at the moment it happened
(``scheduling.demo.clock``): a visit's record and the suggestions heard the
afternoon of the visit, the department's answer a week later; so the reports
count each in its month, and the last ones are overdue as in a real city.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from scheduling.categories import Category
from scheduling.demo.clock import replaying, seoul
from scheduling.models import Department, Neighborhood, Official
from visits.cards import services as card_services
from visits.cards import workflow as card_workflow
from visits.models import BudgetEnvelope, FieldVisit, MonitorGroup, RotationCycle, Suggestion, ThemedTour
from visits.records import services as record_services
from visits.rotation import services

#: The citizen groups invited along on visits (seed 002).
DEMO_MONITOR_GROUPS = ("주부시정모니터", "소셜기자단")

#: (neighborhood order, title, category, lead department code, how far it goes)
DEMO_SUGGESTIONS = [
    (1, "경로당 앞 보행로 포장 보수", Category.ROADS, "roads", "completed"),
    (2, "어린이공원 그늘막 설치", Category.PARKS, "parks", "in_progress"),
    (3, "마을 진입로 가로등 추가 설치", Category.ROADS, "roads", "budgeted"),
    (4, "외곽 버스정류장 승강장 설치", Category.TRANSPORT, "transport", "selected"),
    (5, "하천 산책로 안전난간 보강", Category.SAFETY, "safety", "joint_review"),
    (6, "재활용 분리수거함 추가 배치", Category.CLEANING, "resource-recycling", "assigned"),
    (7, "공영주차장 확충", Category.PARKING, "transport", "long_term"),
    (8, "사유지 내 도로 개설", Category.ROADS, "roads", "not_feasible"),
    (9, "동 주민센터 앞 횡단보도 신설", Category.ROADS, None, "received"),
]
_ORDER = ["received", "assigned", "joint_review", "selected", "budgeted", "in_progress", "completed"]


#: What residents raised on a held visit, by turn (title, category, lead
#: department code): one or two a visit, assigned at once.
HEARD = [
    ("경로당 난방기 교체", Category.WELFARE, "welfare-policy"),
    ("통학로 과속방지턱 설치", Category.ROADS, "roads"),
    ("골목길 불법 주차 단속 강화", Category.PARKING, "transport"),
    ("어린이집 앞 보도 확장", Category.CHILDCARE, "women-childcare"),
    ("재활용 수거일 안내 개선", Category.CLEANING, "resource-recycling"),
    ("근린공원 운동기구 보수", Category.PARKS, "parks"),
    ("마을버스 배차 간격 단축", Category.TRANSPORT, "transport"),
    ("하천변 CCTV 설치", Category.SAFETY, "safety"),
]
ATTENDANCE = (28, 35, 42, 31, 47, 24, 39, 53, 30, 44)


def seed_visits_demo(sender, departments=None, officials=None, history=True, **kwargs):
    for name in DEMO_MONITOR_GROUPS:
        MonitorGroup.objects.get_or_create(name=name)
    departments = departments or {}
    if history:
        seed_rotation_demo(departments, officials or {})
    seed_card_demo(departments)


def _demo_actor():
    """The demo's secretariat, else its administrator: who accepts the plan and writes the records."""
    users = get_user_model()._default_manager.filter(is_active=True)
    return users.filter(username="secretariat").first() or users.filter(is_superuser=True).order_by("pk").first()


def rotation_start(today: dt.date) -> dt.date:
    """The demo rotation's first day: the first of this month a year ago."""
    first = today.replace(day=1)
    return first.replace(year=first.year - 1)


def seed_rotation_demo(departments: dict[str, Department], officials: dict[str, Official]) -> None:
    """The mayor's two-year rotation, once (nothing is added if the mayor has
    a rotation): planned and accepted through the services, which publishes
    it; every visit already past is held and its record completed (results
    published), with the suggestions heard there."""
    mayor = officials.get("시장") or Official.objects.filter(rank=Official.Rank.MAYOR).order_by("pk").first()
    actor = _demo_actor()
    if mayor is None or actor is None or RotationCycle.objects.filter(official=mayor).exists():
        return
    if not Neighborhood.objects.exists():
        return
    today = timezone.localdate()
    cycle, _planned = services.rotation_plan(
        official=mayor,
        start=rotation_start(today),
        years=2,
        name=f"{mayor.title} 동방문 {rotation_start(today).year}–{rotation_start(today).year + 2}",
        actor=actor,
    )
    services.cycle_accept(cycle=cycle, actor=actor)
    groups = list(MonitorGroup.objects.filter(name__in=DEMO_MONITOR_GROUPS))
    community = departments.get("community-autonomy")
    now = timezone.now()
    past = list(cycle.visits.filter(end__lte=now).select_related("neighborhood").order_by("start", "pk"))
    heard = 0
    for turn, visit in enumerate(past):
        # The record is written the afternoon of the visit, as it happened.
        with replaying(visit.end + dt.timedelta(hours=4)):
            _hold(visit, turn, actor, groups, [community] if community else [])
            suggestions = []
            for _ in range(1 + turn % 2):
                title, category, code = HEARD[heard % len(HEARD)]
                heard += 1
                suggestions.append(
                    card_services.suggestion_record(
                        neighborhood=visit.neighborhood,
                        source=Suggestion.Source.FIELD_VISIT,
                        visit=visit,
                        title=title,
                        description=f"{visit.neighborhood.name} 동방문에서 주민이 건의했습니다.",
                        category=category,
                        raised_by=f"{visit.neighborhood.name} 주민",
                        lead_department=departments.get(code),
                        actor=actor,
                    )
                )
        # Most departments answer within the week; the last ones (and one in
        # four) are still waiting, some of them overdue.
        if visit.end < now - dt.timedelta(days=45) and turn % 4 != 3:
            with replaying(visit.end + dt.timedelta(days=7)):
                for suggestion in suggestions:
                    if suggestion.status == Suggestion.Status.ASSIGNED:
                        card_services.suggestion_department_review(
                            suggestion=suggestion,
                            actor=_card_actor(),
                            feasibility=Suggestion.Feasibility.FEASIBLE,
                            opinion="현장을 확인했고 내년 사업으로 추진할 수 있습니다.",
                            estimated_cost=30_000_000,
                            estimated_period="6개월",
                        )
    _seed_tours(mayor, departments, actor, today)


def _hold(visit: FieldVisit, turn: int, actor, groups, along) -> None:
    """The visit was held; its record is completed, which publishes its results."""
    attendance = ATTENDANCE[turn % len(ATTENDANCE)]
    name = visit.neighborhood.name
    record_services.visit_record_update(
        visit=visit,
        actor=actor,
        status=FieldVisit.Status.HELD,
        agenda_dialogue=True,
        agenda_current_issues=True,
        agenda_encourage_staff=True,
        agenda_site_tour=turn % 2 == 0,
        departments=along,
        monitor_groups=groups[: turn % 3],
        attendance=attendance,
        notes=f"{name} 주민자치위원회와 사전 협의. 건의사항은 해당 부서에 배정.",
        public_summary=f"{name} 주민 {attendance}명과 만나 생활 불편과 동네 현안을 들었습니다.",
        record_complete=True,
    )


def _card_actor():
    """Who acts for the departments and the joint review in the demo: its
    administrator, who holds every role."""
    return get_user_model()._default_manager.filter(is_superuser=True, is_active=True).order_by("pk").first()


def _seed_tours(mayor: Official, departments: dict[str, Department], actor, today: dt.date) -> None:
    """Two themed tours (민생탐방): one held last month, one next month."""
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    next_month = (today.replace(day=28) + dt.timedelta(days=7)).replace(day=1)
    tours = [
        (last_month, "전통시장 상인 간담회", ThemedTour.Group.FIELD, ThemedTour.Theme.ECONOMY_JOBS, "local-economy"),
        (next_month, "취약계층 겨울나기 현장 점검", ThemedTour.Group.SEASON, ThemedTour.Theme.SNOW, "welfare-policy"),
    ]
    neighborhoods = list(Neighborhood.objects.order_by("sort_order", "code")[:2])
    for first, title, group, theme, code in tours:
        day = _second_friday(first)
        with replaying(seoul(day - dt.timedelta(days=14), 10)):
            tour = record_services.tour_create(
                title=title,
                group=group,
                theme=theme,
                official=mayor,
                day=day,
                start_time=dt.time(14),
                end_time=dt.time(16),
                neighborhoods=neighborhoods,
                sites="전통시장 상인회 사무실\n동 행정복지센터",
                departments=[departments[code]] if code in departments else [],
                actor=actor,
            )
        if day < today:
            with replaying(seoul(day, 18)):
                record_services.tour_record_update(
                    tour=tour,
                    actor=actor,
                    status=ThemedTour.Status.HELD,
                    notes="상인회 건의 5건 접수",
                    public_summary=f"{title}: 상인 20여 명과 주차장과 아케이드 보수를 이야기했습니다.",
                    is_published=True,
                )


def _second_friday(first: dt.date) -> dt.date:
    friday = first + dt.timedelta(days=(4 - first.weekday()) % 7)
    return friday + dt.timedelta(days=7)


class _People:
    """Who does each step of the demo's suggestions, so that their histories
    name the people who would really act ("감사관 소통민원팀 김소연 주무관"
    assigns, "도로과장 임재훈" reviews, 예산법무과 writes its opinion): the
    first demo staff member who holds the step's role, else the
    administrator (who holds every role)."""

    def __init__(self, admin):
        users = get_user_model()._default_manager
        self.admin = admin
        self.staff = list(
            users.filter(is_active=True, is_superuser=False, groups__isnull=False)
            .select_related("staff_profile")
            .distinct()
            .order_by("pk")
        )

    def step(self, suggestion: Suggestion, action: str):
        if suggestion.pk:
            # The services act on a locked copy: read where it stands now.
            suggestion.refresh_from_db(fields=["status", "lead_department"])
        transition = card_workflow.find(action, suggestion.status)
        wanted = transition.actors if transition else frozenset({card_workflow.LEAD_DEPARTMENT})
        for user in self.staff:
            if card_services.actor_roles(user, suggestion) & wanted:
                return user
        return self.admin

    def opinion(self, suggestion: Suggestion, party: str):
        suggestion.refresh_from_db(fields=["status", "lead_department"])
        for user in self.staff:
            if party in card_services.opinion_parties(user, suggestion):
                return user
        return self.admin


def seed_card_demo(departments) -> None:
    """Demo suggestions, once (nothing is added if one of them exists).
    They go through the real services, each step done by a demo staff
    member who holds its role (``_People``)."""
    actor = get_user_model()._default_manager.filter(is_superuser=True, is_active=True).order_by("pk").first()
    titles = [title for _order, title, *_rest in DEMO_SUGGESTIONS]
    if actor is None or Suggestion.objects.filter(title__in=titles).exists():
        return
    people = _People(actor)
    year = timezone.localdate().year
    for fiscal_year, amount in ((year, 800_000_000), (year + 1, 1_000_000_000)):
        BudgetEnvelope.objects.get_or_create(fiscal_year=fiscal_year, defaults={"amount": amount})
    neighborhoods = list(Neighborhood.objects.order_by("sort_order", "name"))
    if not neighborhoods:
        return
    for rank, (order, title, category, department_code, target) in enumerate(DEMO_SUGGESTIONS, start=1):
        neighborhood = neighborhoods[(order - 1) % len(neighborhoods)]
        suggestion = card_services.suggestion_record(
            neighborhood=neighborhood,
            source=Suggestion.Source.FIELD_VISIT,
            title=title,
            description=f"{neighborhood.name} 주민 간담회에서 나온 건의입니다.",
            category=category,
            raised_by="주민자치위원회",
            estimated_cost=20_000_000 + rank * 5_000_000,
            actor=people.step(suggestion=Suggestion(status=Suggestion.Status.RECEIVED), action="assign"),
        )
        department = departments.get(department_code) if department_code else None
        if department is not None:
            _drive(suggestion, department, target, people, rank, year)


def _drive(suggestion, department, target, people: _People, rank, year) -> None:
    cs = card_services
    cs.suggestion_assign(suggestion=suggestion, lead_department=department, actor=people.step(suggestion, "assign"))
    if target == "assigned":
        return
    cs.suggestion_department_review(
        suggestion=suggestion,
        actor=people.step(suggestion, "review"),
        feasibility=Suggestion.Feasibility.NOT_FEASIBLE
        if target == "not_feasible"
        else Suggestion.Feasibility.FEASIBLE,
        opinion="현장 확인 결과를 바탕으로 검토했습니다.",
        estimated_cost=suggestion.estimated_cost,
        estimated_period="3개월",
    )
    if target == "joint_review":
        return
    for party in ("budget_legal", "policy_officer", "lead_department"):
        cs.suggestion_opinion_record(
            suggestion=suggestion,
            actor=people.opinion(suggestion, party),
            party=party,
            recommendation={"long_term": "long_term", "not_feasible": "not_feasible"}.get(target, "select"),
            opinion="주민 불편이 크고 사업비가 적정합니다.",
            score=Decimal(90 - rank),
        )
    if target == "long_term":
        cs.suggestion_decide(
            suggestion=suggestion,
            actor=people.step(suggestion, "long_term"),
            decision="long_term",
            reason="중기 재정계획에 반영 검토",
        )
        return
    if target == "not_feasible":
        cs.suggestion_decide(
            suggestion=suggestion,
            actor=people.step(suggestion, "reject"),
            decision="reject",
            reason="사유지로 시 예산을 들여 도로를 개설할 수 없습니다. 소유자 동의 시 재검토합니다.",
        )
        return
    cs.suggestion_decide(
        suggestion=suggestion,
        actor=people.step(suggestion, "select"),
        decision="select",
        priority_score=Decimal(90 - rank),
    )
    if _ORDER.index(target) < _ORDER.index("budgeted"):
        return
    cs.suggestion_budget(
        suggestion=suggestion,
        actor=people.step(suggestion, "budget"),
        fiscal_year=year,
        amount=suggestion.estimated_cost,
        budget_line="주민숙원사업비",
    )
    if target == "budgeted":
        return
    cs.suggestion_start(
        suggestion=suggestion, actor=people.step(suggestion, "start"), public_note="공사를 시작했습니다."
    )
    cs.suggestion_progress(
        suggestion=suggestion,
        actor=people.step(suggestion, "progress"),
        progress=60,
        public_note="자재 반입 및 기초 공사 완료",
    )
    if target == "completed":
        cs.suggestion_complete(
            suggestion=suggestion,
            actor=people.step(suggestion, "complete"),
            completed_on=timezone.localdate(),
            result="보수 공사를 마쳤습니다.",
        )
