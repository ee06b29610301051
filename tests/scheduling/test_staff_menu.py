"""Every staff page, for every role of the demo city: people are named as the
city writes them (never by a login id), and the staff menu shows exactly the
sections the role may open, each of which opens.

The demo city (``seed_demo``) gives the people; the test adds one of each
thing a staff page shows (a meeting request with its review and history, a
meeting day, a rotation cycle with a visit, a themed tour), done by those
people, so that their names appear on the pages.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html.parser import HTMLParser
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from meetings.models import MeetingDay, ReviewRequest
from meetings.services.requests import meeting_request_submit
from meetings.services.review import review_answer, review_ask
from meetings.services.series import meeting_days_sync
from petitions.models import Instruction, RoomBooking
from petitions.office.services import petition_assign, petition_draft
from petitions.services.core import petition_receive
from scheduling.demo.data import USERS
from scheduling.models import Neighborhood, Official
from scheduling.people import staff_label
from scheduling.staff import (
    MENU_CARDS,
    MENU_MEETING_DAYS,
    MENU_MEETINGS,
    MENU_PETITIONS,
    MENU_PROFILE,
    MENU_REPORTS,
    MENU_VISITS,
)
from visits.models import FieldVisit, RotationCycle, Suggestion, ThemedTour

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

SEOUL = ZoneInfo("Asia/Seoul")
LOGINS = [spec.username for spec in USERS]
LOGIN_WORD = re.compile(r"(?<![\w-])(" + "|".join(re.escape(login) for login in LOGINS) + r")(?![\w-])")

#: Where each menu entry leads, by the section the role sees first.
QUEUE, REVIEWS, DAYS = "/staff/meetings/", "/staff/meetings/reviews/", "/staff/meetings/days/"
CYCLES, TOURS = "/staff/visits/", "/staff/visits/records/tours/"
CARDS, REPORTS, PROFILE = "/staff/cards/", "/staff/reports/", "/staff/profile/"
PETITIONS = "/staff/petitions/"

#: The menu each demo login must see: entry → the page it opens.
EXPECTED_MENU = {
    "secretariat": {
        MENU_MEETINGS: QUEUE,
        MENU_MEETING_DAYS: DAYS,
        MENU_PETITIONS: PETITIONS,
        MENU_VISITS: CYCLES,
        MENU_CARDS: CARDS,
        MENU_REPORTS: REPORTS,
        MENU_PROFILE: PROFILE,
    },
    "mayor": {
        MENU_MEETINGS: QUEUE,
        MENU_VISITS: CYCLES,
        MENU_CARDS: CARDS,
        MENU_REPORTS: REPORTS,
        MENU_PROFILE: PROFILE,
    },
    "roads-head": {
        MENU_MEETINGS: REVIEWS,
        MENU_PETITIONS: PETITIONS,
        MENU_VISITS: TOURS,
        MENU_CARDS: CARDS,
        MENU_PROFILE: PROFILE,
    },
    "department": {
        MENU_MEETINGS: REVIEWS,
        MENU_PETITIONS: PETITIONS,
        MENU_VISITS: TOURS,
        MENU_CARDS: CARDS,
        MENU_PROFILE: PROFILE,
    },
    "reviewer": {MENU_CARDS: CARDS, MENU_REPORTS: REPORTS, MENU_PROFILE: PROFILE},
    "admin": {
        MENU_MEETINGS: QUEUE,
        MENU_MEETING_DAYS: DAYS,
        MENU_PETITIONS: PETITIONS,
        MENU_VISITS: CYCLES,
        MENU_CARDS: CARDS,
        MENU_REPORTS: REPORTS,
        MENU_PROFILE: PROFILE,
    },
}

#: How each demo login is named on the pages (department, name, position;
#: an official by post and name).
EXPECTED_LABEL = {
    "secretariat": "감사관 소통민원팀 김소연 주무관",
    "mayor": "시장 한상민",
    "roads-head": "도로과장 임재훈",
    "department": "도로과 이준호 주무관",
    "reviewer": "예산법무과 박지은 주무관",
    "admin": "감사관 소통민원팀 정다운 팀장",
}

#: Staff URLs that only take a POST (their GET is a 405) or answer a file.
POST_ONLY_OR_FILES = {
    "staff:logout",
    "staff_visits:visit_publish",
    "staff_meetings:review_ask",
    "staff_meetings:review_override",
    "staff_meetings:book",
    "staff_meetings:substitute",
    "staff_meetings:answer",
    "staff_meetings:decline",
    "staff_meetings:extend",
    "staff_meetings:outcome",
    "staff_meetings:close",
    "staff_meetings:day_move",
    "staff_meetings:day_cancel",
    "staff_visits:cycle_accept",
    "staff_visits:cycle_replan",
    "staff_visits:visit_move",
    "staff_visits:visit_status",
    "staff_visit_records:visit_photo_add",
    "staff_visit_records:visit_suggestion_add",
    "staff_visit_records:photo_delete",
    "staff_visit_records:tour_photo_add",
    "staff_visit_records:tour_suggestion_add",
    "staff_cards:suggestion_action",
    "staff_cards:batch_download",
    "staff_cards:briefing",
    "staff_cards:batch",
    "staff_reports:monthly_file",
    "staff_reports:half_year_file",
    "staff_reports:plan_file",
    "staff_reports:recommendations",
    "staff:login",
    "staff_petitions:action",
    "staff_petitions:photo",
    "staff_petitions:letter",
    "staff_instructions:action",
    "staff_rooms:booking_move",
    "staff_rooms:booking_cancel",
}


class _Text(HTMLParser):
    """The page's text as a reader sees it (no tags, attributes or scripts)."""

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


class _Menu(HTMLParser):
    """The staff menu's links: (href, aria-current) in order."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[tuple[str, str | None]] = []
        self._in_menu = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "tt-staff-menu" in (attrs.get("class") or ""):
            self._in_menu = True
        elif tag == "a" and self._in_menu:
            self.links.append((attrs.get("href") or "", attrs.get("aria-current")))

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_menu = False


def _staff_url_names() -> set[str]:
    """Every named URL under /staff/ (namespaced), found by walking the URLconf."""
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str | None):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name and route.startswith("staff/"):
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "", None)
    return names


@pytest.fixture
def demo_city(settings, pinned_today):
    """The demo city, and one of everything the staff pages list, done by its people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--force", stdout=StringIO())
    users = {user.username: user for user in get_user_model().objects.all()}
    days = meeting_days_sync(start=pinned_today, end=pinned_today + dt.timedelta(days=60))
    day = next(d for d in days if d.status != MeetingDay.Status.CANCELLED)
    submission = meeting_request_submit(
        name="홍길동",
        phone="010-1234-5678",
        neighborhood=Neighborhood.objects.order_by("sort_order").first(),
        category="roads",
        subject="골목길 보수",
        description="3길 포장이 깨졌습니다.",
        consent=True,
        submission_key=uuid.uuid4(),
        preferred_days=[day],
    )
    review = review_ask(request=submission.request, actor=users["secretariat"])
    review_answer(review=review, opinion="현장을 확인했습니다.", actor=users["roads-head"], meeting_needed="yes")
    mayor = Official.objects.get(rank=Official.Rank.MAYOR)
    hood = Neighborhood.objects.order_by("sort_order").first()
    cycle = RotationCycle.objects.create(
        name="2027–2028 동방문", official=mayor, start=dt.date(2027, 1, 4), end=dt.date(2028, 12, 29)
    )
    start = dt.datetime(2027, 3, 9, 10, tzinfo=SEOUL)
    visit = FieldVisit.objects.create(
        cycle=cycle, neighborhood=hood, official=mayor, start=start, end=start + dt.timedelta(hours=1)
    )
    tour = ThemedTour.objects.create(
        title="여름철 침수 취약지역",
        group=ThemedTour.Group.SEASON,
        theme=ThemedTour.Theme.COLLECTIVE_COMPLAINTS,
        official=mayor,
        start=start,
        end=start + dt.timedelta(hours=2),
    )
    petition, _created = petition_receive(
        channel="web", subject="가로등 고장", body="골목 가로등이 꺼졌습니다.", category="roads", name="김시민"
    )
    petition_assign(petition=petition, department=review.department, actor=users["secretariat"])
    petition_draft(petition=petition, answer="교체하겠습니다.", actor=users["roads-head"])
    return {
        "users": users,
        "petition": petition,
        "day": day,
        "request": submission.request,
        "review": review,
        "cycle": cycle,
        "visit": visit,
        "tour": tour,
        # A card-demo suggestion that went through the joint review (opinions by each party).
        "suggestion": Suggestion.objects.get(title="경로당 앞 보행로 포장 보수"),
        "hood": hood,
        # The demo's instructions (one for the roads department) and room bookings.
        "instruction": Instruction.objects.filter(department__code="roads").first(),
        "room_booking": RoomBooking.objects.first(),
    }


def _month(city) -> dt.datetime:
    return city["day"].start.astimezone(SEOUL)


#: Every staff page that answers a GET: url name → its URL's arguments in the demo city.
PAGES = {
    "staff:home": lambda c: {},
    "staff_profile": lambda c: {},
    "busy_import": lambda c: {"pk": c["cycle"].official_id},
    "staff_meetings:queue": lambda c: {},
    "staff_meetings:intake": lambda c: {},
    "staff_meetings:request": lambda c: {"pk": c["request"].pk},
    "staff_meetings:days": lambda c: {},
    "staff_meetings:day": lambda c: {"pk": c["day"].pk},
    "staff_meetings:run_sheet": lambda c: {"pk": c["day"].pk},
    "staff_meetings:reviews": lambda c: {},
    "staff_meetings:review": lambda c: {"pk": c["review"].pk},
    "staff_visits:cycles": lambda c: {},
    "staff_visits:cycle": lambda c: {"pk": c["cycle"].pk},
    "staff_visits:visit": lambda c: {"pk": c["cycle"].pk, "visit_pk": c["visit"].pk},
    "staff_visit_records:visit": lambda c: {"visit_pk": c["visit"].pk},
    "staff_visit_records:tours": lambda c: {},
    "staff_visit_records:tour_create": lambda c: {},
    "staff_visit_records:tour": lambda c: {"pk": c["tour"].pk},
    "staff_visit_records:tour_edit": lambda c: {"pk": c["tour"].pk},
    "staff_cards:index": lambda c: {},
    "staff_cards:inbox": lambda c: {},
    "staff_cards:board": lambda c: {},
    "staff_cards:ranking": lambda c: {},
    "staff_cards:suggestion_new": lambda c: {},
    "staff_cards:suggestion": lambda c: {"pk": c["suggestion"].pk},
    "staff_cards:batches": lambda c: {},
    "staff_cards:card": lambda c: {"code": c["hood"].code},
    "staff_reports:index": lambda c: {},
    "staff_reports:monthly": lambda c: {"key": f"{_month(c):%Y-%m}"},
    "staff_reports:half_year": lambda c: {"key": f"{_month(c):%Y}-H{1 if _month(c).month <= 6 else 2}"},
    "staff_reports:plan": lambda c: {"key": f"{_month(c):%Y}"},
    "staff_petitions:inbox": lambda c: {},
    "staff_petitions:petition": lambda c: {"reference": c["petition"].reference},
    "staff_petitions:from_meeting": lambda c: {"pk": c["request"].pk},
    "staff_petitions:from_visit": lambda c: {"pk": c["visit"].pk},
    "petition_intake:intake": lambda c: {},
    "petition_intake:import": lambda c: {},
    "staff_surveys:comments": lambda c: {},
    "staff_instructions:board": lambda c: {},
    "staff_instructions:new": lambda c: {},
    "staff_instructions:detail": lambda c: {"pk": c["instruction"].pk},
    "staff_rooms:week": lambda c: {},
    "staff_rooms:book": lambda c: {},
    "staff_rooms:room_new": lambda c: {},
    "staff_rooms:booking": lambda c: {"pk": c["room_booking"].pk},
}


def _pages(city) -> dict[str, str]:
    return {name: reverse(name, kwargs=kwargs(city)) for name, kwargs in PAGES.items()}


def test_every_staff_page_is_in_this_test():
    """A new staff page must be added here (or to the POST-only list), so that
    it too is checked for login ids and for the menu."""
    listed = set(PAGES) | POST_ONLY_OR_FILES
    missing = {name for name in _staff_url_names() if name not in listed}
    assert not missing, f"staff pages this test does not open: {sorted(missing)}"


def test_every_staff_page_names_people_and_shows_the_role_menu(client, demo_city):
    """One demo city (seeding takes seconds), every role in turn."""
    for login in LOGINS:
        _check_role(client, demo_city, login)


def _check_role(client, demo_city, login):
    user = demo_city["users"][login]
    assert staff_label(user) == EXPECTED_LABEL[login]
    client.force_login(user)
    expected = EXPECTED_MENU[login]
    opened = 0
    for name, url in _pages(demo_city).items():
        response = client.get(url)
        assert response.status_code in {200, 403, 404}, (name, url, response.status_code)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        opened += 1
        html = response.content.decode()
        text = _Text(html).text
        found = LOGIN_WORD.findall(text)
        assert not found, f"{name} ({url}) shows the login id(s) {found} to {login}"
        # The menu: exactly the role's sections, in order, the current one marked.
        links = _Menu(html).links
        assert [href for href, _current in links] == list(expected.values()), (name, url)
        current = [href for href, marked in links if marked == "page"]
        owning = [target for target in expected.values() if url.startswith(target)]
        assert current == ([max(owning, key=len)] if owning else []), (name, url, current)
        # Who is logged in, with their department, on every staff page.
        assert f"{EXPECTED_LABEL[login]}" in text, (name, url)
    assert opened >= len(expected)
    # Each entry of the menu opens for this role; a section not in it does not.
    for target in expected.values():
        assert client.get(target).status_code == 200, (login, target)
    for target in {QUEUE, REVIEWS, DAYS, CYCLES, TOURS, CARDS, REPORTS, PROFILE} - set(expected.values()):
        if target == REVIEWS and QUEUE in expected.values():
            continue  # the secretariat's review list is part of its 면담 신청 entry
        if target == TOURS and CYCLES in expected.values():
            continue  # the themed tours are part of 동방문, reached from the cycles page
        assert client.get(target).status_code in {403, 404}, (login, target)


def test_people_are_named_where_they_acted_and_each_inbox_has_one_link(client, demo_city):
    """The request's history and its review show who acted by department,
    name and position; a department user's pages name the department; "우리
    부서 처리함" and "부서별 처리함" (once two links to the same page) are
    each shown to the one who has that inbox."""
    assert ReviewRequest.objects.filter(answered_by=demo_city["users"]["roads-head"]).exists()
    client.force_login(demo_city["users"]["secretariat"])
    text = _Text(client.get(reverse("staff_meetings:request", kwargs={"pk": demo_city["request"].pk})).content.decode())
    assert "감사관 소통민원팀 김소연 주무관" in text.text  # asked for the review
    assert "도로과장 임재훈" in text.text  # answered it
    suggestion = reverse("staff_cards:suggestion", kwargs={"pk": demo_city["suggestion"].pk})
    text = _Text(client.get(suggestion).content.decode()).text
    assert "감사관 소통민원팀 김소연 주무관" in text  # recorded it
    assert "예산법무과 박지은 주무관" in text  # the budget department's opinion
    home = client.get(reverse("staff:home")).content.decode()
    assert "부서별 처리함" in home
    assert "우리 부서 처리함" not in home

    client.force_login(demo_city["users"]["department"])
    home = client.get(reverse("staff:home")).content.decode()
    assert "도로과 이준호 주무관" in _Text(home).text
    assert "우리 부서 처리함" in home
    assert "부서별 처리함" not in home
