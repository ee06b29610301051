"""The visits part of the demo city, added when ``seed_demo`` runs
(receiver of ``scheduling.signals.demo_city_seeded``): the citizen groups
invited along, and a few suggestions on the management cards at every
stage of their workflow, so each page has something to show."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from scheduling.categories import Category
from scheduling.models import Neighborhood
from visits import card_services, card_workflow
from visits.models import BudgetEnvelope, MonitorGroup, Suggestion

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


def seed_visits_demo(sender, departments=None, **kwargs):
    for name in DEMO_MONITOR_GROUPS:
        MonitorGroup.objects.get_or_create(name=name)
    seed_card_demo(departments or {})


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
    """Demo suggestions, once (nothing is added if any suggestion exists).
    They go through the real services, each step done by a demo staff
    member who holds its role (``_People``)."""
    actor = get_user_model()._default_manager.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if actor is None or Suggestion.objects.exists():
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
