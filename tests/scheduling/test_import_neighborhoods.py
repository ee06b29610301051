"""``manage.py import_neighborhoods``: the city's list of 동 from a spreadsheet."""

import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from scheduling.models import Neighborhood

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "neighborhoods.csv"

VALID = """code,name,current_issue,natural_village,outlying,population
1001,중앙동,0,0,0,18420
1002,신흥1동,1,0,0,"21,305"
1003,감북동,N,Y,Y,
"""


@pytest.fixture(autouse=True)
def _english():
    # The messages are checked in English, whatever the Korean catalogue says.
    with translation.override("en"):
        yield


def write(tmp_path, text: str, *, encoding: str = "utf-8", name: str = "동목록.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_neighborhoods", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_failing(path, *args) -> tuple[str, list[str]]:
    """The command's final error and the problems it printed, one per line."""
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_neighborhoods", str(path), *args, stdout=StringIO(), stderr=err)
    return str(raised.value), err.getvalue().splitlines()


def snapshot() -> list[tuple]:
    return list(
        Neighborhood.objects.order_by("code").values_list(
            "code",
            "name",
            "is_current_issue_area",
            "is_natural_village",
            "is_outlying_area",
            "population",
            "sort_order",
        )
    )


def test_a_valid_file_creates_the_neighborhoods(tmp_path):
    output = run(write(tmp_path, VALID))

    assert "created 3, updated 0, unchanged 0" in output
    assert snapshot() == [
        ("1001", "중앙동", False, False, False, 18420, 1),
        ("1002", "신흥1동", True, False, False, 21305, 2),
        ("1003", "감북동", False, True, True, None, 3),
    ]


def test_a_second_import_updates_by_code_and_never_duplicates_or_deletes(tmp_path):
    run(write(tmp_path, VALID))
    Neighborhood.objects.create(code="9999", name="다른동", sort_order=9)
    changed = """code,name,current_issue,natural_village,outlying,population
1001,중앙동,0,0,0,18420
1002,신흥동,0,0,0,"22,000"
1004,위례동,true,false,false,42870
"""

    output = run(write(tmp_path, changed))

    assert "created 1, updated 1, unchanged 1" in output
    assert snapshot() == [
        ("1001", "중앙동", False, False, False, 18420, 1),
        ("1002", "신흥동", False, False, False, 22000, 2),
        ("1003", "감북동", False, True, True, None, 3),  # not in the file: untouched
        ("1004", "위례동", True, False, False, 42870, 10),  # after the last neighborhood
        ("9999", "다른동", False, False, False, None, 9),
    ]


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, VALID)
    run(path)
    before = snapshot()

    output = run(path)

    assert "created 0, updated 0, unchanged 3" in output
    assert snapshot() == before


def test_korean_headers_and_korean_yes_no_values(tmp_path):
    text = """코드,동명,현안지역,자연부락,외곽지역,인구
1001,중앙동,예,아니오,,"18,420"
1002,신흥1동,O,X,아니요,21305명
1003,감북동,아니오,○,예,6240
"""
    run(write(tmp_path, text))

    assert snapshot() == [
        ("1001", "중앙동", True, False, False, 18420, 1),
        ("1002", "신흥1동", True, False, False, 21305, 2),
        ("1003", "감북동", False, True, True, 6240, 3),
    ]


def test_the_short_korean_header_동_is_accepted(tmp_path):
    run(write(tmp_path, "코드,동\n1001,중앙동\n"))

    assert snapshot() == [("1001", "중앙동", False, False, False, None, 1)]


def test_a_file_saved_by_korean_excel_in_cp949(tmp_path):
    text = "코드,동명,현안지역,자연부락,외곽지역,인구\r\n1001,중앙동,1,0,0,18420\r\n1002,춘궁동,0,1,1,5180\r\n"

    run(write(tmp_path, text, encoding="cp949"))

    assert dict(Neighborhood.objects.values_list("code", "name")) == {"1001": "중앙동", "1002": "춘궁동"}


def test_a_utf8_file_with_a_byte_order_mark(tmp_path):
    run(write(tmp_path, VALID, encoding="utf-8-sig"))

    assert Neighborhood.objects.count() == 3
    assert Neighborhood.objects.get(code="1001").name == "중앙동"


def test_hangul_written_decomposed_on_a_mac_matches_the_database(tmp_path):
    Neighborhood.objects.create(code="1001", name="중앙동")
    decomposed = unicodedata.normalize("NFD", "code,name,population\n1001,중앙동,100\n")

    output = run(write(tmp_path, decomposed))

    assert "created 0, updated 1" in output
    assert Neighborhood.objects.get(code="1001").name == "중앙동"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(tmp_path):
    run(write(tmp_path, VALID))
    Neighborhood.objects.create(code="2000", name="태평동", sort_order=4)
    before = snapshot()
    bad = """code,name,current_issue,natural_village,outlying,population
1001,중앙동 (새 이름),1,0,0,100
,빈칸동,0,0,0,1
1001,중복코드동,0,0,0,1
1005,중앙동 (새 이름),0,0,0,1
1006,태평동,0,0,0,1
1007,다섯째동,maybe,0,0,1
1008,여섯째동,0,0,0,-5
1009,,0,0,0,1
10 10,일곱째동,0,0,0,1
"""

    error, problems = run_failing(write(tmp_path, bad))

    assert "8 problems" in error
    assert "Nothing was changed" in error
    assert problems == [
        "Line 3: the code is empty.",
        "Line 4: the code “1001” is already used on line 2.",
        "Line 5: the name “중앙동 (새 이름)” is already used on line 2.",
        "Line 6: the name “태평동” already belongs to the neighborhood with code “2000”.",
        "Line 7: “maybe” in the column “current-issue area” is not a yes/no value "
        "(write 1/0, Y/N, O/X or 예/아니오, or leave it blank for no).",
        "Line 8: the population “-5” is not a whole number of 0 or more "
        "(write e.g. 12345 or 12,345, or leave it blank).",
        "Line 9: the neighborhood name is empty.",
        "Line 10: the code “10 10” may contain only letters, digits, - and _.",
    ]
    # The valid first row, which renames 1001, was not applied either.
    assert snapshot() == before
    assert Neighborhood.objects.get(code="1001").name == "중앙동"


def test_the_line_numbers_are_the_files_own_even_with_blank_lines(tmp_path):
    text = "code,name\n1001,중앙동\n\n\n1002,\n"

    _error, problems = run_failing(write(tmp_path, text))

    assert problems == ["Line 5: the neighborhood name is empty."]


def test_two_codes_may_swap_their_names(tmp_path):
    Neighborhood.objects.create(code="1001", name="갑동")
    Neighborhood.objects.create(code="1002", name="을동")

    run(write(tmp_path, "code,name\n1001,을동\n1002,갑동\n"))

    assert dict(Neighborhood.objects.values_list("code", "name")) == {"1001": "을동", "1002": "갑동"}


def test_a_missing_required_column_is_named(tmp_path):
    error, problems = run_failing(write(tmp_path, "코드,현안지역\n1001,1\n"))

    assert "The required column “name / 동명” is missing." in problems
    assert any("The first line must name the columns" in problem for problem in problems)
    assert "1 problem was found" in error
    assert not Neighborhood.objects.exists()


def test_an_unknown_column_is_refused_rather_than_ignored(tmp_path):
    _error, problems = run_failing(write(tmp_path, "code,name,현안 여부\n1001,중앙동,1\n"))

    assert problems[0] == "Line 1: the column “현안 여부” is not a known column."
    assert not Neighborhood.objects.exists()


def test_an_empty_file_and_a_file_with_only_a_header(tmp_path):
    error, problems = run_failing(write(tmp_path, "", name="empty.csv"))
    assert problems == ["The file is empty."]
    assert "Nothing was changed" in error

    _error, problems = run_failing(write(tmp_path, "code,name\n", name="header.csv"))
    assert problems == ["The file has a header line but no neighborhoods below it."]


def test_an_excel_workbook_is_recognised(tmp_path):
    path = tmp_path / "동목록.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)

    _error, problems = run_failing(path)

    assert "This is an Excel workbook, not a CSV file" in problems[0]


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_neighborhoods", str(tmp_path / "nowhere.csv"))


def test_dry_run_reports_and_writes_nothing(tmp_path):
    run(write(tmp_path, VALID))
    before = snapshot()
    changed = VALID.replace("신흥1동,1,0,0", "신흥동,1,0,0") + "1004,위례동,1,0,0,42870\n"

    output = run(write(tmp_path, changed), "--dry-run")

    assert "nothing was written" in output
    assert "would give: created 1, updated 1, unchanged 2" in output
    assert snapshot() == before


def test_dry_run_of_a_bad_file_reports_the_problems(tmp_path):
    _error, problems = run_failing(write(tmp_path, "code,name\n1001,\n"), "--dry-run")

    assert problems == ["Line 2: the neighborhood name is empty."]


def test_the_documented_example_imports(tmp_path):
    output = run(EXAMPLE)

    assert "created 5," in output
    assert Neighborhood.objects.filter(is_current_issue_area=True).exists()
    assert Neighborhood.objects.filter(is_natural_village=True, is_outlying_area=True).exists()


def test_the_help_can_be_shown():
    from scheduling.management.commands.import_neighborhoods import Command

    assert "--dry-run" in Command().create_parser("manage.py", "import_neighborhoods").format_help()
