"""The demo city that ``manage.py seed_demo`` creates (see
``scheduling.demo.seed.demo_city_seed``).

Plain data, no database access. Everything here is fictitious: the
neighborhood codes follow the shape of a 행정동 code (10 digits) under a
city code (41990) that does not exist, and the officials' names are made up.
The organisation is a believable Korean city hall: bureaus and offices
(기획조정실, 행정국, 복지국, …, 보건소, 상하수도사업소) under two deputy
mayors' portfolios, and departments that own the complaint categories of the
source documents (seeds 000 and 002), each with its head.

Natural keys, used to find a row again on a second run: neighborhood
``code``, bureau ``code``, department ``code`` (the three special offices also by ``kind``),
official ``title``, closure ``date``, user ``username``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from scheduling import roles

#: Published on purpose: seed_demo refuses to run when DEBUG is off.
DEFAULT_PASSWORD = "tongtong-demo-2026"  # noqa: S105
CITY_CODE = "41990"


@dataclass(frozen=True)
class DemoNeighborhood:
    name: str
    population: int
    current_issue: bool = False
    natural_village: bool = False
    outlying: bool = False


@dataclass(frozen=True)
class DemoBureau:
    code: str
    name: str
    kind: str
    deputy_title: str  # the deputy mayor whose portfolio holds it


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name: str
    kind: str
    phone: str
    bureau_code: str | None = None


@dataclass(frozen=True)
class DemoOfficial:
    title: str
    name: str
    rank: str
    bureau_code: str | None = None  # a director: the bureau they head
    department_code: str | None = None  # a department head: the department they head
    substitution_order: int = 1


@dataclass(frozen=True)
class DemoUser:
    username: str
    role_label: object  # a lazy translated label for the logins table
    group: str | None  # one of scheduling.roles.ROLE_NAMES, or None
    is_staff: bool = False
    is_superuser: bool = False
    official_title: str | None = None  # the Official this account belongs to
    department_code: str | None = None  # the department this account works for
    full_name: str = ""  # as the city writes it: family name first
    position: str = ""  # 직위·직급, shown after the name: "감사관 소통민원팀 김소연 주무관"


# Some areas with current issues or collective complaints (redevelopment,
# a new town, an industrial area), natural villages (자연부락) and outlying
# areas on the city's edge; most neighborhoods carry no flag.
_I, _V, _O = "current_issue", "natural_village", "outlying"


def _n(name: str, population: int, *flags: str) -> DemoNeighborhood:
    return DemoNeighborhood(
        name=name,
        population=population,
        current_issue=_I in flags,
        natural_village=_V in flags,
        outlying=_O in flags,
    )


_NEIGHBORHOODS = [
    _n("중앙동", 18420),
    _n("신흥1동", 21305),
    _n("신흥2동", 26880, _I),  # redevelopment: collective complaints
    _n("신흥3동", 15730),
    _n("태평1동", 19240),
    _n("태평2동", 22115),
    _n("수진1동", 17960),
    _n("수진2동", 20470),
    _n("단대동", 24390, _I),  # traditional market parking
    _n("산성동", 16210),
    _n("양지동", 14680),
    _n("은행1동", 19850),
    _n("은행2동", 23540),
    _n("금광1동", 27310),
    _n("금광2동", 18090),
    _n("상대원1동", 31460, _I),  # industrial complex traffic
    _n("상대원2동", 22780),
    _n("상대원3동", 17340),
    _n("하대원동", 25620),
    _n("도촌동", 12950),
    _n("위례동", 42870, _I),  # new town: schools and buses
    _n("복정동", 13420, _O),
    _n("성내동", 20150),
    _n("신장동", 18760),
    _n("덕풍1동", 21930),
    _n("덕풍2동", 19480),
    _n("풍산동", 28640),
    _n("미사1동", 44310, _I),  # new town: childcare and roads
    _n("미사2동", 39870),
    _n("감북동", 6240, _V, _O),
    _n("춘궁동", 5180, _V, _O),
    _n("초이동", 4370, _V),
    _n("천현동", 9860, _O),
    _n("교산동", 3920, _V),
    _n("송정동", 11540),
    _n("월곡동", 7610, _O),
    _n("고봉동", 5730, _V, _O),
    _n("송포동", 8290, _V, _O),
    _n("매산동", 13080),
]

#: (code, sort_order, neighborhood): codes 4199051000, 4199052000, … are
#: stable because they follow the list's order, which never changes.
NEIGHBORHOODS: list[tuple[str, int, DemoNeighborhood]] = [
    (f"{CITY_CODE}{510 + 10 * index:03d}00", index + 1, neighborhood)
    for index, neighborhood in enumerate(_NEIGHBORHOODS)
]

_SECRETARIAT, _BUDGET, _POLICY, _REGULAR = "secretariat", "budget_legal", "policy_officer", "regular"
_MAYOR, _DEPUTY, _DIRECTOR, _HEAD = "mayor", "deputy_mayor", "director", "department_head"
_FIRST, _SECOND = "제1부시장", "제2부시장"

#: The bureaus and offices (실·국·소) above the departments, and the deputy
#: mayor whose portfolio holds each: 제1부시장 the administration and
#: welfare side, 제2부시장 the economy, city and construction side.
BUREAUS: list[DemoBureau] = [
    DemoBureau("planning-office", "기획조정실", "office", _FIRST),
    DemoBureau("administration", "행정국", "bureau", _FIRST),
    DemoBureau("welfare", "복지국", "bureau", _FIRST),
    DemoBureau("culture-economy", "문화경제국", "bureau", _SECOND),
    DemoBureau("urban", "도시국", "bureau", _SECOND),
    DemoBureau("construction-transport", "건설교통국", "bureau", _SECOND),
    DemoBureau("environment", "환경국", "bureau", _SECOND),
    DemoBureau("health-center", "보건소", "health_center", _FIRST),
    DemoBureau("waterworks", "상하수도사업소", "agency", _SECOND),
]

DEPARTMENTS: list[DemoDepartment] = [
    # 감사관 and its 소통민원팀 answer to the mayor directly, under no bureau.
    DemoDepartment("communication", "감사관 소통민원팀", _SECRETARIAT, "031-000-2155"),
    DemoDepartment("budget-legal", "예산법무과", _BUDGET, "031-000-2210", "planning-office"),
    DemoDepartment("policy-officer", "정책담당관", _POLICY, "031-000-2230", "planning-office"),
    DemoDepartment("community-autonomy", "주민자치과", _REGULAR, "031-000-2440", "administration"),  # 동 행정, 동방문
    DemoDepartment("safety", "안전총괄과", _REGULAR, "031-000-2810", "administration"),  # 안전·재난
    DemoDepartment("welfare-policy", "복지정책과", _REGULAR, "031-000-2310", "welfare"),  # 복지 (노인, 장애인)
    DemoDepartment("women-childcare", "여성보육과", _REGULAR, "031-000-2340", "welfare"),  # 가족보육, 어린이집
    DemoDepartment("education-youth", "교육청소년과", _REGULAR, "031-000-2360", "welfare"),  # 교육, 청소년
    DemoDepartment("local-economy", "지역경제과", _REGULAR, "031-000-2410", "culture-economy"),  # 시장, 노점
    DemoDepartment("culture-arts", "문화예술과", _REGULAR, "031-000-2450", "culture-economy"),  # 문화, 체육
    DemoDepartment("urban-planning", "도시계획과", _REGULAR, "031-000-2610", "urban"),  # 도심개발, 재개발
    DemoDepartment("building", "건축과", _REGULAR, "031-000-2630", "urban"),  # 건축
    DemoDepartment("roads", "도로과", _REGULAR, "031-000-2710", "construction-transport"),  # 도로·시설물
    DemoDepartment("transport", "교통행정과", _REGULAR, "031-000-2750", "construction-transport"),  # 주차, 교통
    DemoDepartment("resource-recycling", "자원순환과", _REGULAR, "031-000-2570", "environment"),  # 청소, 쓰레기
    DemoDepartment("parks", "공원녹지과", _REGULAR, "031-000-2680", "environment"),  # 공원
    DemoDepartment("public-health", "보건정책과", _REGULAR, "031-000-5010", "health-center"),  # 보건·건강
    DemoDepartment("water-supply", "수도과", _REGULAR, "031-000-5210", "waterworks"),
]

#: Which department owns each category: its head reviews the requests, its
#: bureau's director and deputy mayor are proposed as substitutes.
CATEGORY_OWNERS: dict[str, str] = {
    "welfare": "welfare-policy",
    "roads": "roads",
    "parking": "transport",
    "education": "education-youth",
    "street_stalls": "local-economy",
    "building": "building",
    "cleaning": "resource-recycling",
    "childcare": "women-childcare",
    "health": "public-health",
    "markets": "local-economy",
    "parks": "parks",
    "culture": "culture-arts",
    "urban_development": "urban-planning",
    "transport": "transport",
    "safety": "safety",
    "sports": "culture-arts",
    # The demo city has no public-relations office of its own (공보관).
    "planning_pr": "community-autonomy",
    "community": "community-autonomy",
    "redevelopment": "urban-planning",
    "other": "community-autonomy",
}

OFFICIALS: list[DemoOfficial] = [
    DemoOfficial("시장", "한상민", _MAYOR),
    DemoOfficial(_FIRST, "오정희", _DEPUTY, substitution_order=1),
    DemoOfficial(_SECOND, "박재현", _DEPUTY, substitution_order=2),
    DemoOfficial("기획조정실장", "이수진", _DIRECTOR, bureau_code="planning-office"),
    DemoOfficial("행정국장", "김도윤", _DIRECTOR, bureau_code="administration"),
    DemoOfficial("복지국장", "최민호", _DIRECTOR, bureau_code="welfare"),
    DemoOfficial("문화경제국장", "서준영", _DIRECTOR, bureau_code="culture-economy"),
    DemoOfficial("도시국장", "정해원", _DIRECTOR, bureau_code="urban"),
    DemoOfficial("건설교통국장", "강태식", _DIRECTOR, bureau_code="construction-transport"),
    DemoOfficial("환경국장", "문지현", _DIRECTOR, bureau_code="environment"),
    DemoOfficial("보건소장", "윤미경", _DIRECTOR, bureau_code="health-center"),
    DemoOfficial("상하수도사업소장", "배성우", _DIRECTOR, bureau_code="waterworks"),
    # The heads (과장) of the departments that own categories: they review
    # the requests of their topics (소관부서장 검토).
    DemoOfficial("주민자치과장", "송민재", _HEAD, department_code="community-autonomy"),
    DemoOfficial("안전총괄과장", "홍성훈", _HEAD, department_code="safety"),
    DemoOfficial("복지정책과장", "장은영", _HEAD, department_code="welfare-policy"),
    DemoOfficial("여성보육과장", "권나래", _HEAD, department_code="women-childcare"),
    DemoOfficial("교육청소년과장", "조현우", _HEAD, department_code="education-youth"),
    DemoOfficial("지역경제과장", "유상철", _HEAD, department_code="local-economy"),
    DemoOfficial("문화예술과장", "남궁연", _HEAD, department_code="culture-arts"),
    DemoOfficial("도시계획과장", "황보석", _HEAD, department_code="urban-planning"),
    DemoOfficial("건축과장", "신동혁", _HEAD, department_code="building"),
    DemoOfficial("도로과장", "임재훈", _HEAD, department_code="roads"),
    DemoOfficial("교통행정과장", "백지훈", _HEAD, department_code="transport"),
    DemoOfficial("자원순환과장", "안혜진", _HEAD, department_code="resource-recycling"),
    DemoOfficial("공원녹지과장", "구본석", _HEAD, department_code="parks"),
    DemoOfficial("보건정책과장", "노은비", _HEAD, department_code="public-health"),
]

#: Days the city office closes beyond the public holidays. 2026-11-12 is a
#: 2nd Thursday, so the demo shows a TongTong Day that has to move.
CLOSURES: list[tuple[dt.date, str]] = [
    (dt.date(2026, 7, 1), "시 개청 기념일"),
    (dt.date(2026, 11, 12), "청사 전기설비 정기점검 (전 청사 휴무)"),
    (dt.date(2027, 7, 1), "시 개청 기념일"),
]

#: One login per staff role, plus the superuser.
USERS: list[DemoUser] = [
    DemoUser(
        "secretariat",
        _("Secretariat staff"),
        roles.SECRETARIAT,
        is_staff=True,
        department_code="communication",
        full_name="김소연",
        position="주무관",
    ),
    DemoUser("mayor", _("Mayor"), roles.OFFICIAL, official_title="시장", full_name="한상민"),
    DemoUser(
        "roads-head",
        _("Department head (reviews requests)"),
        roles.DEPARTMENT_STAFF,
        official_title="도로과장",
        department_code="roads",
        full_name="임재훈",
        position="과장",
    ),
    DemoUser(
        "department",
        _("Department staff"),
        roles.DEPARTMENT_STAFF,
        department_code="roads",
        full_name="이준호",
        position="주무관",
    ),
    DemoUser(
        "reviewer",
        _("Budget & policy reviewer"),
        roles.BUDGET_POLICY_REVIEWER,
        department_code="budget-legal",
        full_name="박지은",
        position="주무관",
    ),
    # The administrator works in the secretariat's office, so that what the
    # demo records as them reads as a person: "감사관 소통민원팀 정다운 팀장".
    DemoUser(
        "admin",
        _("System administrator"),
        None,
        is_staff=True,
        is_superuser=True,
        department_code="communication",
        full_name="정다운",
        position="팀장",
    ),
]
