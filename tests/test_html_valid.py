"""HTML stays valid: the public pages and the main staff pages, rendered
through the test client over a demo-like city, checked by the Nu HTML
Checker (npm ``vnu-jar``, the W3C validator) in one java run — it takes
seconds to start, so every page goes to the same run. Any error fails the
test; warnings are allowed.

Java and the jar: ``scripts/ensure-system-packages.sh`` installs Java
(``default-jre-headless``) and ``npm ci`` the jar. Without them the test is
skipped, except under ``CI``, where a skip would hide a gap.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from meetings.selectors import bookable_meeting_days
from meetings.services import booking
from meetings.services import review as review_service
from meetings.services.requests import meeting_request_submit
from petitions.models import Instruction, RoomBooking
from petitions.office.services import petition_assign, petition_draft
from petitions.services.core import petition_receive
from scheduling.demo.seed import demo_city_seed
from scheduling.models import CategoryOwner, Neighborhood, Official
from tests.meetings.conftest import sent_code
from visits.cards import services as card_services
from visits.models import Suggestion
from visits.rotation.services import cycle_accept, rotation_plan

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _checker() -> list[str]:
    java = shutil.which("java")
    missing = [what for what, ok in (("java", java), (str(VNU_JAR), VNU_JAR.exists())) if not ok]
    if missing:
        message = f"the Nu HTML Checker needs {', '.join(missing)} (scripts/ensure-system-packages.sh, npm ci)"
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-Xss4m", "-jar", str(VNU_JAR)]


def _submit(days, **overrides):
    data = {
        "name": "홍길동",
        "phone": "010-1234-5678",
        "neighborhood": Neighborhood.objects.order_by("code").first(),
        "category": "roads",
        "subject": "골목길 보수",
        "description": "3길 포장이 깨졌습니다.",
        "consent": True,
        "submission_key": uuid.uuid4(),
        "preferred_days": list(days),
    }
    data.update(overrides)
    return meeting_request_submit(**data)


@pytest.fixture
def demo_city(pinned_today, settings):
    """The demo city of ``seed_demo`` and a little life in it: requests in
    several states (help asked for, booked, refused, under review), an
    accepted rotation with its visits, a suggestion on a card."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_city_seed(password="tongtong-demo-2026", history=False)  # its own life below
    users = {u.username: u for u in get_user_model().objects.all()}
    days = list(bookable_meeting_days())
    assert len(days) >= 3, "the demo city offers meeting days"

    waiting = _submit(days[:2], name="김민원", email="kim@example.kr", needs_wheelchair=True, other_needs="보조견")
    booked = _submit(days[:1], name="이예약", subject="공원 조명", category="parks")
    review_service.review_override(request=booked.request, reason="긴급 민원")
    booking.slot_book(request=booked.request, slot=booked.request.preferences.get().meeting_day.slots.first())
    refused = _submit(days[1:2], name="박거절", subject="다른 기관 소관")
    booking.request_decline(request=refused.request, reason="국가 소관 사무입니다.")
    owner = CategoryOwner.objects.get(category="roads").department
    asked = review_service.review_ask(request=waiting.request, department=owner, question="보수 가능 여부")
    # The answer is due after the first preferred day: the status page explains it.
    type(waiting.request).objects.filter(pk=waiting.request.pk).update(
        answer_due_at=days[0].start + dt.timedelta(days=1)
    )

    mayor = Official.objects.get(rank=Official.Rank.MAYOR)
    monday = pinned_today + dt.timedelta(days=7 - pinned_today.weekday())
    cycle, _planned = rotation_plan(official=mayor, start=monday, years=2, actor=users["secretariat"])
    cycle_accept(cycle=cycle, actor=users["secretariat"])
    visit = cycle.visits.order_by("start").first()
    suggestion = card_services.suggestion_record(
        neighborhood=visit.neighborhood,
        source=Suggestion.Source.FIELD_VISIT,
        visit=visit,
        title="경로당 앞 횡단보도",
        description="어르신들이 길을 건너기 어렵습니다.",
        category="roads",
        lead_department=owner,
        actor=users["secretariat"],
    )
    # The petition office: one to route, one answered by the department and awaiting approval.
    to_route, _new = petition_receive(
        channel="web", subject="가로등 고장", body="골목 가로등이 꺼졌습니다.", category="roads", phone="010-2222-3333"
    )
    drafted, _new = petition_receive(
        channel="sms", subject="보도 파손", body="보도블록이 깨졌습니다.", category="roads"
    )
    petition_assign(petition=drafted, department=owner, actor=users["secretariat"])
    petition_draft(petition=drafted, answer="이번 주 안에 보수하겠습니다.", actor=users["roads-head"])
    survey_token = _survey_invitation()
    return {
        "survey_token": survey_token,
        "users": users,
        "days": days,
        "to_route": to_route,
        "drafted": drafted,
        "waiting": waiting,
        "booked": booked,
        "refused": refused,
        "review": asked,
        "cycle": cycle,
        "visit": visit,
        "suggestion": suggestion,
    }


def _survey_invitation() -> str:
    """A satisfaction survey link of the petition office, answered once
    (the page with the form, and one thank-you page)."""
    from petitions import rules
    from petitions.models import SurveyInvitation, SurveyRound
    from petitions.services.core import petition_receive, transition
    from petitions.surveys.services import hash_token, survey_answer

    petition, _new = petition_receive(channel=rules.SMS, subject="가로등", body="꺼졌습니다.", phone="010-5555-0001")
    transition(petition, "answer", actors={rules.SECRETARIAT})
    now = timezone.now()
    survey = SurveyRound.objects.create(
        period_key="2026-H1", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 7, 1), started_at=now
    )
    for token in ("survey-demo-token", "survey-demo-answered"):
        invitation = SurveyInvitation.objects.create(
            round=survey,
            petition=petition,
            phone_hash=token,
            token_hash=hash_token(token),
            sent_at=now,
            expires_at=now + dt.timedelta(days=30),
        )
    survey_answer(
        invitation=invitation,
        scores={"kindness": 5, "handling": 4, "convenience": 4, "environment": 3},
        comment="친절했습니다.",
    )
    return "survey-demo-token"


def _pages(city) -> list[tuple[str | None, str]]:
    """(the user who opens it — None for a citizen —, the address)."""
    day = city["booked"].request.preferences.get().meeting_day  # saved when chosen
    code = city["visit"].neighborhood.code
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    public = [
        "/",
        "/meetings/request/",
        "/meetings/request/verify/",
        "/meetings/my/",
        "/meetings/my/?verified",
        f"/meetings/status/{city['waiting'].token}/",
        f"/meetings/status/{city['booked'].token}/",
        f"/meetings/status/{city['refused'].token}/",
        f"/meetings/status/{city['booked'].token}/cancel/",
        "/visits/",
        "/neighborhoods/",
        f"/neighborhoods/{code}/",
        f"/neighborhoods/{code}/follow/",
        "/privacy/",
        "/petitions/",
        "/petitions/verify/",
        "/staff/login/",
        "/no-such-page/",
        f"/survey/{city['survey_token']}/",
        "/survey/survey-demo-answered/",
    ]
    secretariat = [
        "/staff/",
        "/staff/meetings/",
        "/staff/meetings/new/",
        f"/staff/meetings/{city['waiting'].request.pk}/",
        f"/staff/meetings/{city['booked'].request.pk}/",
        f"/staff/meetings/{city['refused'].request.pk}/",
        "/staff/meetings/days/",
        f"/staff/meetings/days/{day.pk}/",
        f"/staff/meetings/days/{day.pk}/run-sheet/",
        "/staff/meetings/reviews/",
        "/staff/visits/",
        f"/staff/visits/cycles/{city['cycle'].pk}/",
        f"/staff/visits/cycles/{city['cycle'].pk}/visits/{city['visit'].pk}/",
        f"/staff/visits/records/{city['visit'].pk}/",
        "/staff/visits/records/tours/",
        "/staff/cards/",
        "/staff/cards/board/",
        "/staff/cards/ranking/",
        "/staff/cards/suggestions/new/",
        f"/staff/cards/suggestions/{city['suggestion'].pk}/",
        f"/staff/cards/{code}/",
        "/staff/reports/",
        f"/staff/reports/monthly/{last_month}/",
        f"/staff/reports/half-year/{today.year}-H{1 if today.month <= 6 else 2}/",
        "/staff/reports/surveys/",
        "/staff/profile/",
        "/staff/petitions/",
        f"/staff/petitions/{city['to_route'].reference}/",
        f"/staff/petitions/{city['drafted'].reference}/",
        f"/staff/petitions/new/from-meeting/{city['booked'].request.pk}/",
        f"/staff/petitions/new/from-visit/{city['visit'].pk}/",
        "/staff/petitions/intake/",
        "/staff/petitions/intake/import/",
        "/staff/instructions/",
        "/staff/instructions/?group=status&overdue=1",
        f"/staff/instructions/new/?visit={city['visit'].pk}",
        f"/staff/instructions/new/?meeting_request={city['booked'].request.pk}",
        f"/staff/instructions/{Instruction.objects.order_by('pk').first().pk}/",
        "/staff/rooms/",
        "/staff/rooms/book/",
        "/staff/rooms/new/",
        f"/staff/rooms/bookings/{RoomBooking.objects.order_by('pk').first().pk}/",
    ]
    department = ["/staff/", "/staff/meetings/reviews/", f"/staff/meetings/reviews/{city['review'].pk}/"]
    department += ["/staff/cards/inbox/", "/staff/petitions/", f"/staff/petitions/{city['drafted'].reference}/"]
    department += ["/staff/instructions/"]
    return (
        [(None, url) for url in public]
        + [("secretariat", url) for url in secretariat]
        + [("roads-head", url) for url in department]
    )


def _code_asked(client, city):
    """The code page needs a form sent first."""
    page = client.get("/meetings/request/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    client.post(
        "/meetings/request/",
        {
            "name": "김인증",
            "phone": "010-4321-8765",
            "neighborhood": Neighborhood.objects.order_by("pk").first().pk,
            "category": "roads",
            "subject": "보도 턱",
            "description": "보도 턱이 높습니다.",
            "group_size": "1",
            "consent": "on",
            "submission_key": key,
        },
    )


def _phone_verified(client, city):
    """My requests' list needs the phone verified first."""
    phone = city["booked"].request.phone
    client.post("/meetings/my/", {"phone": phone})
    client.post("/meetings/my/verify/", {"action": "verify", "code": sent_code(phone)})


def _petition_code_asked(client, city):
    """The board's code page needs its form sent first."""
    page = client.get("/petitions/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    client.post(
        "/petitions/",
        {
            "name": "김민원",
            "phone": "010-4321-8766",
            "category": "roads",
            "subject": "보도 턱",
            "text": "보도 턱이 높습니다.",
            "consent": "on",
            "submission_key": key,
        },
    )


PREPARE = {
    "/meetings/request/verify/": _code_asked,
    "/meetings/my/?verified": _phone_verified,
    "/petitions/verify/": _petition_code_asked,
}


def test_the_pages_are_valid_html(client, demo_city, tmp_path, capsys):
    command = _checker()
    files = []
    for index, (username, url) in enumerate(_pages(demo_city)):
        client.logout()
        if username:
            client.force_login(demo_city["users"][username])
        if url in PREPARE:
            PREPARE[url](client, demo_city)
        response = client.get(url)
        expected = 404 if url == "/no-such-page/" else 200
        assert response.status_code == expected, (username, url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), url
        path = tmp_path / f"{index:02d}-{(username or 'citizen')}.html"
        path.write_bytes(response.content)
        files.append((path, username, url))

    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", *(str(path) for path, _u, _url in files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    # The checker names a file "file:/tmp/…" (one slash).
    where = {f"file:{path}": f"{url} ({username or 'citizen'})" for path, username, url in files}
    errors = [
        f"{where.get(m.get('url'), m.get('url'))}:{m.get('lastLine', '?')}: {m.get('message')} "
        f"[{(m.get('extract') or '').strip()[:120]}]"
        for m in report.get("messages", [])
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    with capsys.disabled():
        print(f"\nNu HTML Checker: {len(files)} pages checked, {len(errors)} errors")
    assert not errors, "\n".join(errors)
    assert result.returncode == 0, f"the checker failed without naming an error: {result.stderr[:2000]}"


def test_a_time_element_has_at_most_three_fractional_digits(client, demo_city):
    """The status page's history wrote microseconds (…T16:25:00.752979+09:00),
    which the HTML standard does not allow (at most three digits)."""
    page = client.get(f"/meetings/status/{demo_city['booked'].token}/").content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', page)
    assert len(values) >= 3  # the meeting, the preferred day, the history
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", value), value
