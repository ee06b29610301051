"""A petition from the inbox to the citizen's phone, in Chromium: the
secretariat assigns it to the department that owns its category (already
chosen on the page), the department writes the answer from its own inbox,
the secretariat approves it, and the answer is in the outbox as a text to
the citizen. Each person uses their own browser session."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from petitions import rules
from petitions.models import Petition, PetitionNotification
from petitions.services.core import petition_receive
from scheduling import roles
from scheduling.models import CategoryOwner, Department, StaffProfile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
ANSWER = "중앙로 3길 가로등은 이번 주 금요일까지 교체하겠습니다."


@pytest.fixture
def office(db):
    roles.sync_roles()  # a transactional test starts from a flushed database
    roads = Department.objects.create(code="roads", name="도로과")
    CategoryOwner.objects.create(category="roads", department=roads)
    user_model = get_user_model()
    for username, role, department in (
        ("secretariat", roles.SECRETARIAT, None),
        ("roads", roles.DEPARTMENT_STAFF, roads),
    ):
        user = user_model.objects.create_user(username=username, password=f"pw-{username}")
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.create(user=user, department=department)
    petition, _created = petition_receive(
        channel=rules.SMS,
        subject="가로등 고장",
        body="중앙로 3길 가로등이 일주일째 꺼져 있습니다.",
        category="roads",
        phone="010-9876-5432",
    )
    return {"petition": petition, "roads": roads}


@pytest.fixture
def desk(browser, live_server):
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
    details = page.locator(f"#action-{action}")
    details.locator("summary").click()
    return details.locator("form")


def test_assigned_drafted_approved_and_texted(desk, office):
    petition = office["petition"]

    # 1. The secretariat opens it from the inbox and sends it to the owning department (pre-selected).
    secretariat = desk("secretariat")
    secretariat.goto("/staff/petitions/")
    secretariat.get_by_role("link", name=petition.reference).click()
    form = _act(secretariat, "assign")
    assert form.locator('[name="assign-department"]').input_value() == str(office["roads"].pk)
    form.locator('button[type="submit"]').click()
    secretariat.wait_for_load_state()
    assert "도로과에 배정했습니다" in secretariat.content()

    # 2. The department finds it in its own inbox and writes the answer.
    roads = desk("roads")
    roads.goto("/staff/petitions/")
    roads.get_by_role("link", name=petition.reference).click()
    form = _act(roads, "draft")
    form.locator('[name="draft-answer"]').fill(ANSWER)
    form.locator('button[type="submit"]').click()
    roads.wait_for_load_state()
    assert "소통민원팀에 보냈습니다" in roads.content()
    assert roads.locator("#action-approve").count() == 0  # not theirs to approve

    # 3. The secretariat approves it; the answer goes to the citizen by text message.
    secretariat.goto(f"/staff/petitions/{petition.reference}/")
    form = _act(secretariat, "approve")
    assert form.locator('[name="approve-answer"]').input_value() == ANSWER
    form.locator('button[type="submit"]').click()
    secretariat.wait_for_load_state()
    assert "답변을 보냈습니다" in secretariat.content()

    petition.refresh_from_db()
    assert petition.status == rules.ANSWERED and petition.answer_via == "sms"
    sms = PetitionNotification.objects.get(petition=petition, kind="answer")
    assert sms.channel == "sms" and sms.recipient == "010-9876-5432" and ANSWER in sms.body
    assert Petition.objects.count() == 1
