"""Shared fixtures for the visits tests: a small city.

``city``
    An active mayor (``city["mayor"]``, an ``Official`` with a calendar) and
    six neighborhoods (``city["neighborhoods"]``, by code):

    ====  ======  ===============================================
    code  name    flags
    ====  ======  ===============================================
    N01   중앙동    none
    N02   산성동    current-issue area (priority)
    N03   송림동    natural village (priority)
    N04   하늘동    outlying area (priority)
    N05   강변동    none, last visited 2025-03-04
    N06   새솔동    none
    ====  ======  ===============================================

``meeting_series``
    Optional: the TongTong Day series (2nd and 4th Thursday, 14:00, one
    hour), created as the meetings app does on first use. Without it the
    meeting days are still there (a fresh install reads them from the rule
    the series will be created with): in March 2027 Thu 11 and Thu 25.
    The visits code never imports ``meetings``; its tests may.

``WINDOW``
    A spring window, 2027-03-02 (Tue) to 2027-06-30: room for the six
    neighborhoods at one visit a week. 2027-03-01 is a public holiday
    (삼일절); 2027-05-05 is Children's Day.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scheduling.models import Neighborhood, Official
from scheduling.services import official_create

SEOUL = ZoneInfo("Asia/Seoul")
WINDOW = (dt.date(2027, 3, 2), dt.date(2027, 6, 30))

NEIGHBORHOODS = [
    # code, name, flags, last visited
    ("N01", "중앙동", {}, None),
    ("N02", "산성동", {"is_current_issue_area": True}, None),
    ("N03", "송림동", {"is_natural_village": True}, None),
    ("N04", "하늘동", {"is_outlying_area": True}, None),
    ("N05", "강변동", {}, dt.date(2025, 3, 4)),
    ("N06", "새솔동", {}, None),
]


def seoul(year, month, day, hour=0, minute=0) -> dt.datetime:
    """An aware Asia/Seoul datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def city(db):
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    neighborhoods = {}
    for order, (code, name, flags, last) in enumerate(NEIGHBORHOODS, start=1):
        neighborhoods[code] = Neighborhood.objects.create(
            code=code, name=name, sort_order=order, last_visited_on=last, **flags
        )
    return {"mayor": mayor, "neighborhoods": neighborhoods}


@pytest.fixture
def meeting_series(city):
    from meetings.services.series import series_get_or_create

    return series_get_or_create(official=city["mayor"])


# --- Management cards -----------------------------------------------------------------
#
# ``card_org``: the departments and people of the joint review, each user
# with a StaffProfile in their department:
#   departments: "roads" 도로과 (a lead department), "parks" 공원과 (another
#   department), "budget" 예산법무과 (kind budget_legal), "policy"
#   정책담당관 (kind policy_officer);
#   users: "secretariat" (role secretariat), "roads_staff" and "parks_staff"
#   (role department_staff, in 도로과 / 공원과), "budget_staff" and
#   "policy_staff" (role budget_policy_reviewer, in 예산법무과 / 정책담당관).
# ``suggestion_at(status, **fields)``: a suggestion of 중앙동 led by 도로과,
#   driven through the real services up to ``status``.


@pytest.fixture
def card_org(city, django_user_model):
    from django.contrib.auth.models import Group

    from scheduling import roles
    from scheduling.models import Department, StaffProfile

    departments = {
        "roads": Department.objects.create(code="roads", name="도로과"),
        "parks": Department.objects.create(code="parks", name="공원과"),
        "budget": Department.objects.create(code="budget", name="예산법무과", kind=Department.Kind.BUDGET_LEGAL),
        "policy": Department.objects.create(code="policy", name="정책담당관", kind=Department.Kind.POLICY_OFFICER),
    }

    def person(username, role, department=None):
        user = django_user_model.objects.create_user(username=username, password="pw-" + username)
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.create(user=user, department=departments.get(department))
        return user

    users = {
        "secretariat": person("card_secretariat", roles.SECRETARIAT),
        "roads_staff": person("roads_staff", roles.DEPARTMENT_STAFF, "roads"),
        "parks_staff": person("parks_staff", roles.DEPARTMENT_STAFF, "parks"),
        "budget_staff": person("budget_staff", roles.BUDGET_POLICY_REVIEWER, "budget"),
        "policy_staff": person("policy_staff", roles.BUDGET_POLICY_REVIEWER, "policy"),
    }
    return {"departments": departments, "users": users, **city}


@pytest.fixture
def suggestion_at(card_org):
    """Make a suggestion and drive it through the workflow's services."""
    from decimal import Decimal

    from django.utils import timezone

    from scheduling.categories import Category
    from visits.cards import services as cs
    from visits.models import Suggestion

    users = card_org["users"]
    order = ["received", "assigned", "joint_review", "selected", "budgeted", "in_progress", "completed"]

    def make(status="assigned", *, title="가로등 설치", neighborhood="N01", department="roads", **fields):
        suggestion = cs.suggestion_record(
            neighborhood=card_org["neighborhoods"][neighborhood],
            source=Suggestion.Source.OTHER,
            title=title,
            category=Category.ROADS,
            actor=users["secretariat"],
            **fields,
        )
        if status == "received":
            return suggestion
        cs.suggestion_assign(
            suggestion=suggestion, lead_department=card_org["departments"][department], actor=users["secretariat"]
        )
        lead = users["roads_staff"] if department == "roads" else users["parks_staff"]
        if department not in ("roads", "parks"):
            lead = users["secretariat"]
        target = order.index(status) if status in order else order.index("joint_review")
        if target >= 2:
            cs.suggestion_department_review(
                suggestion=suggestion, actor=lead, feasibility="feasible", opinion="시행 가능", estimated_cost=3_000_000
            )
        if status in ("long_term", "not_feasible") or target >= 3:
            for party, user in (
                ("budget_legal", users["budget_staff"]),
                ("policy_officer", users["policy_staff"]),
                ("lead_department", lead),
            ):
                cs.suggestion_opinion_record(
                    suggestion=suggestion, actor=user, party=party, recommendation="select", opinion="타당함"
                )
        if status == "long_term":
            cs.suggestion_decide(suggestion=suggestion, actor=users["budget_staff"], decision="long_term")
        elif status == "not_feasible":
            cs.suggestion_decide(
                suggestion=suggestion, actor=users["budget_staff"], decision="reject", reason="사유지입니다."
            )
        elif target >= 3:
            cs.suggestion_decide(
                suggestion=suggestion, actor=users["budget_staff"], decision="select", priority_score=Decimal("80")
            )
        if status in order and target >= 4:
            cs.suggestion_budget(
                suggestion=suggestion,
                actor=users["budget_staff"],
                fiscal_year=timezone.localdate().year + 1,
                amount=3_000_000,
                budget_line="도로유지보수",
            )
        if status in order and target >= 5:
            cs.suggestion_start(suggestion=suggestion, actor=lead)
        if status == "completed":
            cs.suggestion_complete(
                suggestion=suggestion, actor=lead, completed_on=timezone.localdate(), result="가로등 3개 설치"
            )
        suggestion.refresh_from_db()
        assert suggestion.status == status, suggestion.status
        return suggestion

    return make
