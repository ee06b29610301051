"""``manage.py import_organisation``: the city's org chart from a spreadsheet
(bureaus, departments, officials, portfolios, category owners)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from schedule.models import Calendar

from scheduling.categories import Category
from scheduling.models import Bureau, CategoryOwner, Department, Official
from scheduling.organisation import Role, organisation_problems, owner_path, substitution_candidates

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "organisation.csv"

HEADER = "구분,코드,이름,유형,소속,직위,소관부시장,순서,전화번호,로그인ID\n"

#: A small city: two bureaus in two portfolios, three departments, the roads
#: category owned by 도로과 (lines 2 to 12).
BASE = (
    HEADER
    + """실국,planning,기획조정실,실,,,제1부시장,1,,
실국,construction,건설교통국,국,,,제2부시장,2,,
부서,communication,소통민원팀,소통민원팀,,,,,031-000-2000,
부서,budget-legal,예산법무과,예산법무과,planning,,,,031-000-2110,
부서,roads,도로과,,construction,,,,031-000-2710,
공무원,,김시장,시장,,시장,,,,
공무원,,이부시장,부시장,,제1부시장,,1,,
공무원,,박부시장,부시장,,제2부시장,,2,,
공무원,,정국장,실국소장,construction,건설교통국장,,,,
공무원,,임과장,과장,roads,도로과장,,,,
소관분야,,도로·시설물,,roads,,,,,
"""
)


@pytest.fixture(autouse=True)
def _english():
    # The messages are checked in English, whatever the Korean catalogue says.
    with translation.override("en"):
        yield


def write(tmp_path, text: str, *, encoding: str = "utf-8", name: str = "조직도.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_organisation", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_failing(path, *args) -> tuple[str, list[str]]:
    """The command's final error and the problems it printed, one per line."""
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_organisation", str(path), *args, stdout=StringIO(), stderr=err)
    return str(raised.value), err.getvalue().splitlines()


def snapshot() -> dict:
    return {
        "bureaus": list(
            Bureau.objects.order_by("code").values_list(
                "code", "name", "kind", "deputy_mayor__title", "sort_order", "is_active"
            )
        ),
        "departments": list(
            Department.objects.order_by("code").values_list(
                "code", "name", "kind", "phone", "bureau__code", "is_active"
            )
        ),
        "officials": list(
            Official.objects.order_by("title").values_list(
                "title",
                "name",
                "rank",
                "bureau__code",
                "department__code",
                "substitution_order",
                "user__username",
                "is_active",
                "calendar__name",
            )
        ),
        "owners": list(CategoryOwner.objects.order_by("category").values_list("category", "department__code")),
        "calendars": Calendar.objects.count(),
    }


@pytest.fixture
def base(tmp_path):
    run(write(tmp_path, BASE, name="base.csv"))
    return snapshot()


# --- The documented example -------------------------------------------------------


def _example_cells(row_type: str, column: int) -> set[str]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[column] for line in lines if line.startswith(row_type + ",")}


def test_the_documented_example_gives_every_category_a_full_substitution_path(settings):
    settings.MEETING_SUBSTITUTE_DEPARTMENT_HEADS = False

    output = run(EXAMPLE)

    assert "bureaus: created 7, updated 0, unchanged 0" in output
    assert "departments: created 18, updated 0, unchanged 0" in output
    assert "officials: created 24, updated 0, unchanged 0" in output
    assert "category owners: created 20, updated 0, unchanged 0" in output
    assert "Every category has an owning department with a head, a director and a deputy mayor." in output
    assert organisation_problems() == []
    mayor = Official.objects.get(rank=Official.Rank.MAYOR)
    deputies = list(Official.objects.filter(rank=Official.Rank.DEPUTY_MAYOR).order_by("substitution_order"))
    assert [deputy.title for deputy in deputies] == ["제1부시장", "제2부시장"]
    for category in Category.values:
        candidates, problems = substitution_candidates(category)
        path = owner_path(category)
        assert problems == [], category
        assert path.department_head is not None, category
        # The rule's order: the mayor, the deputy whose portfolio holds the
        # owning bureau, the other deputy, the owning bureau's director.
        assert [(c.official, c.role) for c in candidates] == [
            (mayor, Role.MAYOR),
            (path.bureau.deputy_mayor, Role.PORTFOLIO_DEPUTY),
            *((deputy, Role.OTHER_DEPUTY) for deputy in deputies if deputy != path.bureau.deputy_mayor),
            (Official.objects.get(rank=Official.Rank.DIRECTOR, bureau=path.bureau), Role.DIRECTOR),
        ], category
    # Each official has a calendar of their own, named after them.
    assert Calendar.objects.filter(official__isnull=False).count() == Official.objects.count() == 24
    assert Official.objects.get(title="제1부시장").calendar.name == "제1부시장 이정민"
    assert set(Department.objects.exclude(kind="regular").values_list("kind", flat=True)) == {
        "secretariat",
        "budget_legal",
        "policy_officer",
    }


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("cp949", "\r\n")],
    ids=["utf-8", "utf-8 with BOM (Excel's CSV UTF-8)", "cp949 (Korean Excel's CSV)"],
)
def test_the_example_reads_the_same_in_every_encoding_excel_saves(tmp_path, encoding, newline):
    text = EXAMPLE.read_text(encoding="utf-8").replace("\n", newline)

    run(write(tmp_path, text, encoding=encoding))

    assert set(Bureau.objects.values_list("name", flat=True)) == _example_cells("실국", 2)
    assert set(Department.objects.values_list("name", flat=True)) == _example_cells("부서", 2)
    assert set(Official.objects.values_list("title", flat=True)) == _example_cells("공무원", 5)
    assert CategoryOwner.objects.count() == len(Category.values)
    assert organisation_problems() == []


def test_importing_the_same_file_again_changes_nothing():
    run(EXAMPLE)
    before = snapshot()

    output = run(EXAMPLE)

    assert "bureaus: created 0, updated 0, unchanged 7" in output
    assert "officials: created 0, updated 0, unchanged 24" in output
    assert "category owners: created 0, updated 0, unchanged 20" in output
    assert snapshot() == before


# --- Updating ---------------------------------------------------------------------


def test_names_are_updated_by_code_and_title_and_nothing_else_is_touched(tmp_path, base):
    changed = (
        HEADER
        + """실국,construction,도시건설국,국,,,제2부시장,2,,
부서,roads,도로관리과,,construction,,,,031-000-2711,
공무원,,임새롬,과장,roads,도로과장,,,,
"""
    )

    output = run(write(tmp_path, changed))

    assert "bureaus: created 0, updated 1, unchanged 0" in output
    assert "departments: created 0, updated 1, unchanged 0" in output
    assert "officials: created 0, updated 1, unchanged 0" in output
    after = snapshot()
    assert Bureau.objects.get(code="construction").name == "도시건설국"
    assert Department.objects.values_list("name", "phone").get(code="roads") == ("도로관리과", "031-000-2711")
    head = Official.objects.get(title="도로과장")
    assert (head.name, head.calendar.name) == ("임새롬", "도로과장 임새롬")
    assert after["calendars"] == base["calendars"]  # the same official, the same calendar
    # What the file does not list is left as it was.
    assert after["bureaus"][1] == base["bureaus"][1]  # planning
    assert after["owners"] == base["owners"]
    assert len(after["officials"]) == len(base["officials"])


def test_a_file_without_the_optional_columns_keeps_their_values(tmp_path, base):
    text = "구분,코드,이름,유형,소속,직위\n실국,construction,건설교통국,국,,\n부서,roads,도로과,,construction,\n"

    output = run(write(tmp_path, text))

    assert "unchanged 1" in output
    assert snapshot() == base  # the phone and the portfolio are still there


def test_units_and_people_may_swap_names_kinds_posts_and_portfolios(tmp_path, base):
    swapped = (
        HEADER
        + """실국,planning,기획조정실,실,,,제2부시장,1,,
실국,construction,건설교통국,국,,,제1부시장,2,,
부서,communication,예산법무과,예산법무과,planning,,,,031-000-2000,
부서,budget-legal,소통민원팀,소통민원팀,,,,,031-000-2110,
공무원,,이부시장,부시장,,제1부시장,,2,,
공무원,,박부시장,부시장,,제2부시장,,1,,
공무원,,정국장,실국소장,planning,건설교통국장,,,,
공무원,,한국장,실국소장,construction,기획조정실장,,,,
"""
    )

    run(write(tmp_path, swapped))

    assert Department.objects.get(kind="secretariat").code == "budget-legal"
    assert Department.objects.get(kind="budget_legal").name == "예산법무과"
    assert Official.objects.get(title="건설교통국장").bureau.code == "planning"
    assert Official.objects.get(title="기획조정실장").bureau.code == "construction"
    assert Bureau.objects.get(code="planning").deputy_mayor.title == "제2부시장"
    assert [d.title for d in Official.objects.filter(rank="deputy_mayor").order_by("substitution_order")] == [
        "제2부시장",
        "제1부시장",
    ]
    assert Official.objects.filter(is_active=True).count() == 6


def test_english_headers_and_values_are_accepted(tmp_path):
    text = """type,code,name,kind,unit,title,deputy_mayor,order
bureau,welfare,복지국,bureau,,,제1부시장,
department,welfare-policy,복지정책과,regular,welfare,,,
official,,김시장,mayor,,시장,,
official,,이부시장,deputy_mayor,,제1부시장,,1
official,,최국장,director,welfare,복지국장,,
official,,장과장,department_head,welfare-policy,복지정책과장,,
category,,welfare,,welfare-policy,,,
"""

    run(write(tmp_path, text))

    assert owner_path("welfare").director.title == "복지국장"
    assert owner_path("welfare").deputy_mayor.title == "제1부시장"
    assert owner_path("welfare").department_head.title == "복지정책과장"


def test_a_login_links_an_existing_account_and_a_blank_one_keeps_it(tmp_path, base, django_user_model):
    lim = django_user_model.objects.create_user(username="lim")
    linked = HEADER + "공무원,,임과장,과장,roads,도로과장,,,,lim\n"

    output = run(write(tmp_path, linked))

    assert "officials: created 0, updated 1, unchanged 0" in output
    assert Official.objects.get(title="도로과장").user == lim

    run(write(tmp_path, BASE))

    assert Official.objects.get(title="도로과장").user == lim


def test_an_inactive_unit_or_official_in_the_file_is_active_again(tmp_path, base):
    Department.objects.filter(code="roads").update(is_active=False)
    Official.objects.filter(title="도로과장").update(is_active=False)

    output = run(write(tmp_path, BASE))

    assert "departments: created 0, updated 1, unchanged 2" in output
    assert Department.objects.get(code="roads").is_active
    assert Official.objects.get(title="도로과장").is_active
    assert snapshot() == base


# --- Problems: every one with its line, and nothing written -----------------------


def test_every_bad_bureau_and_department_row_is_reported_with_its_line(tmp_path, base):
    bad = (
        HEADER
        + f"""실국,,새국,국,,,,,,
실국,environment,환경국,청,,,,,,
실국,new bureau,새국2,국,,,,,,
실국,{"b" * 41},새국3,국,,,,,,
부서,parks,공원녹지과,,construction,,,,,
부서,parks,공원과,,construction,,,,,
부서,green,{"녹" * 101},,construction,,,,,
부서,forest,산림과,녹지팀,construction,,,,,
부서,river,하천과,,construction,,,,031-000-0000-0000-0000-0000-0000,
부서,plaza,광장과,,,,,3,,
부서,roads,도로과,,construction,,,,,
"""
    )

    error, problems = run_failing(write(tmp_path, bad))

    assert "9 problems were found" in error
    assert "Nothing was changed" in error
    assert problems == [
        "Line 2: the code is empty.",
        "Line 3: “청” is not a kind of bureau (write 실, 국, 본부, 보건소 or 사업소).",
        "Line 4: the code “new bureau” may contain only letters, digits, - and _.",
        f"Line 5: the code “{'b' * 41}” is longer than 40 characters.",
        "Line 7: the code “parks” is already used on line 6.",
        f"Line 8: the name “{'녹' * 101}” is longer than 100 characters.",
        "Line 9: “녹지팀” is not a kind of department (write 소통민원팀, 예산법무과 or 정책담당관, "
        "or leave it blank for a regular department).",
        "Line 10: the phone number “031-000-0000-0000-0000-0000-0000” is longer than 30 characters.",
        "Line 11: the column “순서” is not used on a “부서” row; leave it blank.",
    ]
    assert snapshot() == base


def test_every_bad_official_row_is_reported_with_its_line(tmp_path, base):
    bad = (
        HEADER
        + """공무원,,홍길동,주무관,roads,도로주무관,,,,
공무원,,,과장,roads,도로과장,,,,
공무원,,김과장,과장,roads,,,,,
공무원,,도로과장,과장,roads,도로과장,,,,
공무원,,최국장,실국소장,,새국장,,,,
공무원,,박부시장,부시장,planning,제2부시장,,x,,
공무원,,오과장,,roads,오과장,,,,
공무원,,김시장,시장,,시장,,,031-000-1000,
공무원,,김시장,시장,,시장,,,,,extra
"""
    )

    error, problems = run_failing(write(tmp_path, bad))

    assert problems == [
        "Line 2: “주무관” is not a rank (write 시장, 부시장, 실국소장 or 과장).",
        "Line 3: the name is empty.",
        "Line 4: the title (직위) is empty.",
        "Line 4: the department “roads” already has a head on line 3.",
        "Line 5: the title “도로과장” is already used on line 3.",
        "Line 5: the department “roads” already has a head on line 3.",
        "Line 6: a director (실국소장) heads a bureau: write its code in the column “소속”.",
        "Line 7: the mayor and the deputy mayors head no bureau or department: leave the column “소속” blank.",
        "Line 7: the order “x” is not a whole number from 1 to 999.",
        "Line 8: the rank is empty (write 시장, 부시장, 실국소장 or 과장).",
        "Line 9: the column “전화번호” is not used on a “공무원” row; leave it blank.",
        "Line 10: there are values to the right of the last column, under no header.",
        "Line 10: the title “시장” is already used on line 9.",
        "Line 10: there is already a mayor on line 9.",
    ]
    assert "14 problems were found" in error
    assert snapshot() == base


def test_bad_types_and_categories_are_reported_with_their_line(tmp_path, base):
    bad = (
        HEADER
        + """소관분야,,날씨,,roads,,,,,
소관분야,,주차,,,,,,,
소관분야,,,,roads,,,,,
소관분야,,주차,,roads,,,,,
소관분야,,parking,,roads,,,,,
소관분야,,교통,,nowhere,,,,,
과목,,,,,,,,,
,x,,,,,,,,
"""
    )

    _error, problems = run_failing(write(tmp_path, bad))

    categories = ", ".join(_korean_labels())
    assert categories.startswith("복지, 도로·시설물, 주차, ")
    assert problems == [
        f"Line 2: “날씨” is not a category (write one of: {categories}).",
        "Line 3: the owning department is empty (write its code in the column “소속”).",
        "Line 4: the category is empty (write it in the column “이름”).",
        "Line 6: the category “Parking” already has an owner on line 5.",
        "Line 7: there is no department with the code “nowhere” in the file or in the database.",
        "Line 8: “과목” is not a type of row (write 실국, 부서, 공무원 or 소관분야).",
        "Line 9: the type (구분) is empty (write 실국, 부서, 공무원 or 소관분야).",
    ]
    assert snapshot() == base


def test_references_are_checked_against_the_file_and_the_database(tmp_path, base):
    bad = (
        HEADER
        + """부서,parks,공원녹지과,,environment,,,,,
공무원,,김과장,과장,parks-x,공원과장,,,,
실국,environment2,환경국,국,,,제3부시장,,,
실국,environment3,환경2국,국,,,건설교통국장,,,
공무원,,새국장,실국소장,construction,새건설교통국장,,,,
공무원,,갑국장,실국소장,planning,기획조정실장,,,,
공무원,,을국장,실국소장,planning,기획조정실장2,,,,
부서,policy,정책담당관,예산법무과,planning,,,,,
부서,policy2,정책2,정책담당관,,,,,,
부서,policy3,정책3,정책담당관,,,,,,
공무원,,무명,과장,roads,도로과장2,,,,
공무원,,김시장2,시장,,새시장,,,,
부서,building,도로과,,construction,,,,,
실국,construction2,건설교통국,국,,,,,,
부서,building2,건축과,,,,,,,
부서,building3,건축과,,,,,,,
"""
    )

    error, problems = run_failing(write(tmp_path, bad))

    assert problems == [
        "Line 2: there is no bureau with the code “environment” in the file or in the database.",
        "Line 3: there is no department with the code “parks-x” in the file or in the database.",
        "Line 4: there is no official with the title “제3부시장” in the file or in the database "
        "to oversee this bureau.",
        "Line 5: “건설교통국장” is not a deputy mayor (부시장), so no bureau can be in their portfolio.",
        "Line 6: the bureau “construction” is already headed by 건설교통국장 정국장, who is not in the file; "
        "list them with another bureau, or deactivate them in the admin.",
        "Line 8: the bureau “planning” already has a director on line 7.",
        "Line 9: there can be only one Budget & legal affairs, and 예산법무과 (code “budget-legal”) already is one; "
        "give it another kind in the file or in the admin.",
        "Line 11: there can be only one Policy officer, and line 10 already is one.",
        "Line 12: the department “roads” is already headed by 도로과장 임과장, who is not in the file; "
        "list them with another department, or deactivate them in the admin.",
        "Line 13: the mayor is already 시장 김시장, who is not in the file; write their title (직위) on this line, "
        "or deactivate them in the admin.",
        "Line 14: the name “도로과” already belongs to the department with code “roads”.",
        "Line 15: the name “건설교통국” already belongs to the bureau with code “construction”.",
        "Line 17: the name “건축과” is already used on line 16.",
    ]
    assert "13 problems" in error
    assert snapshot() == base


def test_a_second_secretariat_beside_the_one_in_the_database(tmp_path, base):
    _error, problems = run_failing(write(tmp_path, HEADER + "부서,complaints,민원팀,소통민원팀,,,,,,\n"))

    assert problems == [
        "Line 2: there can be only one Secretariat (citizen communication team), and 소통민원팀 "
        "(code “communication”) already is one; give it another kind in the file or in the admin."
    ]


def test_login_problems(tmp_path, base, django_user_model):
    django_user_model.objects.create_user(username="kim")
    django_user_model.objects.create_user(username="lee")
    Official.objects.filter(title="시장").update(user=django_user_model.objects.get(username="kim"))
    before = snapshot()
    bad = (
        HEADER
        + """공무원,,임과장,과장,roads,도로과장,,,,kim
공무원,,정국장,실국소장,construction,건설교통국장,,,,nobody
공무원,,이부시장,부시장,,제1부시장,,1,,lee
공무원,,박부시장,부시장,,제2부시장,,2,,lee
"""
    )

    _error, problems = run_failing(write(tmp_path, bad))

    assert problems == [
        "Line 2: the user account “kim” already belongs to 시장 김시장; link another account to them in the file, "
        "or unlink it in the admin.",
        "Line 3: there is no user account “nobody”.",
        "Line 5: the user account “lee” is already linked on line 4.",
    ]
    assert snapshot() == before

    # Listed with another account, the mayor gives "kim" up.
    moved = HEADER + "공무원,,김시장,시장,,시장,,,,lee\n공무원,,임과장,과장,roads,도로과장,,,,kim\n"
    run(write(tmp_path, moved))
    assert dict(Official.objects.filter(user__isnull=False).values_list("title", "user__username")) == {
        "시장": "lee",
        "도로과장": "kim",
    }


def test_a_deputy_mayor_who_would_leave_a_portfolio_behind(tmp_path, base):
    demoted = HEADER + "실국,environment,환경국,국,,,,,,\n공무원,,박부시장,실국소장,environment,제2부시장,,,,\n"

    _error, problems = run_failing(write(tmp_path, demoted))

    assert problems == [
        "Line 3: “제2부시장” would no longer be a deputy mayor, but 건설교통국 would still be in their portfolio: "
        "give it another deputy mayor in the column “소관부시장”."
    ]
    assert snapshot() == base


def test_the_problems_are_in_korean_for_a_korean_clerk(tmp_path, base):
    with translation.override("ko"):
        error, problems = run_failing(write(tmp_path, HEADER + "공무원,,홍길동,주무관,roads,도로주무관,,,,\n"))

    assert problems == ["2번째 줄: ‘주무관’은(는) 직급이 아닙니다(시장, 부시장, 실국소장, 과장 중 하나로 쓰십시오)."]
    assert "아무것도 바꾸지 않았습니다" in error


def test_the_counts_and_what_is_missing_in_korean(tmp_path):
    with translation.override("ko"):
        output = run(write(tmp_path, BASE))

    assert "조직을 가져왔습니다:" in output
    assert "부서: 신규 3개, 수정 0개, 변경 없음 0개" in output
    assert "조직에 아직 빠진 것" in output


# --- The file as a whole ---------------------------------------------------------------


def test_a_missing_required_column_is_named_with_the_accepted_headers(tmp_path):
    error, problems = run_failing(write(tmp_path, "구분,코드,이름\n실국,x,엑스국\n"))

    assert problems[:3] == [
        "The required column “kind / 유형” is missing.",
        "The required column “unit / 소속” is missing.",
        "The required column “title / 직위” is missing.",
    ]
    assert "The first line must name the columns: 구분, 코드, 이름, 유형, 소속, 직위" in problems[3]
    assert "3 problems were found" in error
    assert not Bureau.objects.exists()


def test_an_empty_file_a_header_only_file_and_an_excel_workbook(tmp_path):
    _error, problems = run_failing(write(tmp_path, "", name="empty.csv"))
    assert problems == ["The file is empty."]

    _error, problems = run_failing(write(tmp_path, HEADER, name="header.csv"))
    assert problems == ["The file has a header line but no rows below it."]

    workbook = tmp_path / "조직도.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    _error, problems = run_failing(workbook)
    assert "This is an Excel workbook, not a CSV file" in problems[0]


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_organisation", str(tmp_path / "nowhere.csv"))


# --- What is still missing, and the dry run -------------------------------------------


def test_after_an_import_what_is_still_missing_is_listed(tmp_path):
    output = run(write(tmp_path, BASE))

    assert "Still missing in the organisation" in output
    assert "  - “Welfare” has no owning department: choose one under “category owners”." in output
    assert "“Roads and facilities”" not in output  # its path is complete


def test_dry_run_shows_the_counts_and_what_would_be_missing_and_writes_nothing(tmp_path, base):
    changed = HEADER + "부서,roads,도로관리과,,construction,,,,,\n공무원,,새과장,과장,roads,도로과장,,,,\n"
    changed += "부서,parks,공원녹지과,,construction,,,,,\n소관분야,,공원,,parks,,,,,\n"

    output = run(write(tmp_path, changed), "--dry-run")

    assert "Dry run, nothing was written" in output
    assert "departments: created 1, updated 1, unchanged 0" in output
    assert "officials: created 0, updated 1, unchanged 0" in output
    assert "category owners: created 1, updated 0, unchanged 0" in output
    assert "공원녹지과 owns categories but has no active department head" in output
    assert snapshot() == base


def test_dry_run_of_a_bad_file_reports_the_problems(tmp_path, base):
    _error, problems = run_failing(write(tmp_path, HEADER + "부서,roads,,,,,,,,\n"), "--dry-run")

    assert problems == ["Line 2: the name is empty."]
    assert snapshot() == base


def test_the_help_can_be_shown():
    from scheduling.management.commands.import_organisation import Command

    assert "--dry-run" in Command().create_parser("manage.py", "import_organisation").format_help()


@pytest.mark.django_db(transaction=True)
def test_all_or_nothing_with_real_commits(tmp_path):
    """On a real transaction (the test does not wrap one): a swap of posts
    that the database's unique constraints check row by row is written
    whole, and a file with one problem at its end leaves nothing behind."""
    run(write(tmp_path, BASE))
    swap = (
        HEADER
        + "공무원,,정국장,실국소장,planning,건설교통국장,,,,\n공무원,,한국장,실국소장,construction,기획조정실장,,,,\n"
    )
    run(write(tmp_path, swap, name="swap.csv"))
    assert Official.objects.get(title="건설교통국장").bureau.code == "planning"
    before = snapshot()

    bad = HEADER + "실국,environment,환경국,국,,,제2부시장,,,\n공무원,,문국장,실국소장,environment,환경국장,,,,\n"
    bad += "소관분야,,날씨,,roads,,,,,\n"
    _error, problems = run_failing(write(tmp_path, bad, name="bad.csv"))

    assert problems == [f"Line 4: “날씨” is not a category (write one of: {', '.join(_korean_labels())})."]
    assert snapshot() == before
    assert not Bureau.objects.filter(code="environment").exists()


def _korean_labels() -> list[str]:
    with translation.override("ko"):
        return [str(label) for label in Category.labels]
