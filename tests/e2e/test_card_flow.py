"""From the field to the budget, in Chromium: the secretariat records a
suggestion heard on a field visit; the lead department reviews it; the
budget & legal department, the policy officer and the lead department each
write their joint-review opinion; the budget department selects it and
reflects it in next year's budget; a resident then reads on the public
card that it is in the budget — and nothing internal. Each person uses their
own browser session, as they would at their own desks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from scheduling import roles
from scheduling.models import Department, Neighborhood, Official, StaffProfile
from scheduling.services import official_create
from tests.e2e.conftest import axe_findings
from visits.models import BudgetEnvelope, FieldVisit, Suggestion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEOUL = ZoneInfo("Asia/Seoul")
DESKTOP = {"width": 1366, "height": 900}
TITLE = "산성동 경로당 앞 횡단보도 설치"
OPINION_SECRET = "내부 검토: 교통안전시설 예산 잔액 부족 가능성"


@pytest.fixture
def town(db):
    roles.sync_roles()  # a transactional test starts from a flushed database
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    neighborhood = Neighborhood.objects.create(code="E02", name="산성동", sort_order=1, is_current_issue_area=True)
    departments = {
        "roads": Department.objects.create(code="roads", name="도로과"),
        "budget": Department.objects.create(code="budget", name="예산법무과", kind=Department.Kind.BUDGET_LEGAL),
        "policy": Department.objects.create(code="policy", name="정책담당관", kind=Department.Kind.POLICY_OFFICER),
    }
    user_model = get_user_model()
    for username, role, department in (
        ("secretariat", roles.SECRETARIAT, None),
        ("roads", roles.DEPARTMENT_STAFF, "roads"),
        ("budget", roles.BUDGET_POLICY_REVIEWER, "budget"),
        ("policy", roles.BUDGET_POLICY_REVIEWER, "policy"),
    ):
        user = user_model.objects.create_user(username=username, password=f"pw-{username}")
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.create(user=user, department=departments.get(department))
    start = timezone.now().astimezone(SEOUL).replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(days=2)
    visit = FieldVisit.objects.create(
        neighborhood=neighborhood,
        official=mayor,
        start=start,
        end=start + dt.timedelta(hours=2),
        status=FieldVisit.Status.HELD,
    )
    BudgetEnvelope.objects.create(fiscal_year=timezone.localdate().year + 1, amount=500_000_000)
    return {"visit": visit, "neighborhood": neighborhood, "departments": departments}


@pytest.fixture
def desk(browser, live_server):
    """Opens a logged-in desktop session for a user; closes them all after."""
    contexts = []

    def open_for(username):
        context = browser.new_context(viewport=DESKTOP, locale="ko-KR", base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/staff/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", f"pw-{username}")
        page.locator('form.tt-form button[type="submit"]').click()
        page.wait_for_url("**/staff/")
        return page

    yield open_for
    for context in contexts:
        context.close()


def _act(page, action: str):
    """Open the action's form on the suggestion page; returns its form."""
    details = page.locator(f"#action-{action}")
    details.locator("summary").click()
    return details.locator("form")


def _choose(form, name: str, value: str):
    """Tick a radio button the way a person does: by its label (KRDS hides
    the native input behind a styled one)."""
    radio = form.locator(f'[name="{name}"][value="{value}"]')
    form.locator(f'label[for="{radio.get_attribute("id")}"]').click()
    assert radio.is_checked()


def _opinion(page, party: str, text: str, score: str):
    form = _act(page, "opinion")
    form.locator('[name="opinion-party"]').select_option(party)
    _choose(form, "opinion-recommendation", "select")
    form.locator('[name="opinion-score"]').fill(score)
    form.locator('[name="opinion-opinion"]').fill(text)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()


def test_a_suggestion_heard_on_a_visit_reaches_the_budget_and_the_public_card(
    desk, town, browser, live_server, axe_script
):
    visit = town["visit"]

    # 1. The secretariat records what residents asked for on the visit.
    secretariat = desk("secretariat")
    secretariat.goto(f"/staff/visits/records/{visit.pk}/")
    details = secretariat.locator("#action-suggestion")
    details.locator("summary").click()
    details.locator('[name="suggestion-title"]').fill(TITLE)
    details.locator('[name="suggestion-description"]').fill("어르신들이 길을 건너기 위험합니다.")
    details.locator('[name="suggestion-category"]').select_option("roads")
    details.locator('[name="suggestion-raised_by"]').fill("경로당 어르신들")
    details.locator('[name="suggestion-lead_department"]').select_option(str(town["departments"]["roads"].pk))
    details.locator('button[type="submit"]').click()
    secretariat.get_by_role("link", name=TITLE).click()
    suggestion = Suggestion.objects.get(title=TITLE)
    assert suggestion.visit == visit and suggestion.status == Suggestion.Status.ASSIGNED
    secretariat.wait_for_url(f"**/staff/cards/suggestions/{suggestion.pk}/")

    # 2. The lead department finds it in its inbox and gives its review.
    roads = desk("roads")
    roads.goto("/staff/cards/inbox/")
    roads.get_by_role("link", name=TITLE).first.click()
    form = _act(roads, "review")
    _choose(form, "review-feasibility", "feasible")
    form.locator('[name="review-opinion"]').fill("현장 확인 결과 설치 가능합니다.")
    form.locator('[name="review-estimated_cost"]').fill("25000000")
    form.locator('[name="review-estimated_period"]').fill("2개월")
    form.locator('[name="review-public_answer"]').fill("설치를 검토하고 있습니다.")
    form.locator('button[type="submit"]').click()
    roads.wait_for_load_state()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.JOINT_REVIEW
    _opinion(roads, "lead_department", "주관 부서로서 선정을 권고합니다.", "85")

    # 3. Budget & legal and the policy officer write theirs from the board.
    budget = desk("budget")
    budget.goto("/staff/cards/board/")
    budget.get_by_role("link", name=TITLE).first.click()
    _opinion(budget, "budget_legal", OPINION_SECRET, "80")
    policy = desk("policy")
    policy.goto(f"/staff/cards/suggestions/{suggestion.pk}/")
    _opinion(policy, "policy_officer", "시정 방향과 부합합니다.", "90")

    # 4. The budget department selects it and reflects it in next year's budget.
    budget.reload()
    form = _act(budget, "decide")
    _choose(form, "decide-decision", "select")
    form.locator('[name="decide-priority_score"]').fill("85")
    form.locator('button[type="submit"]').click()
    budget.wait_for_load_state()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.SELECTED
    form = _act(budget, "budget")
    next_year = timezone.localdate().year + 1
    form.locator('[name="budget-fiscal_year"]').fill(str(next_year))
    form.locator('[name="budget-amount"]').fill("25000000")
    form.locator('[name="budget-budget_line"]').fill("교통안전시설 설치")
    form.locator('button[type="submit"]').click()
    budget.wait_for_load_state()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.BUDGETED
    assert suggestion.budget_fiscal_year == next_year
    assert list(suggestion.events.filter(kind="transition").values_list("to_status", flat=True)) == [
        "assigned",
        "joint_review",
        "selected",
        "budgeted",
    ]

    # 5. A resident reads the public card on a phone: in the budget, nothing internal.
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="ko-KR", base_url=live_server.url
    )
    try:
        public = context.new_page()
        public.goto("/neighborhoods/")
        public.get_by_role("link", name="산성동").first.click()
        public.wait_for_url("**/neighborhoods/E02/")
        card = public.locator("main").inner_text()
        assert TITLE in card
        assert "예산 반영" in card
        assert str(next_year) in card
        assert "설치를 검토하고 있습니다." in card
        assert OPINION_SECRET not in card
        assert "현장 확인 결과 설치 가능합니다." not in card
        findings = axe_findings(public, axe_script)
        assert not findings, [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in findings]
    finally:
        context.close()
