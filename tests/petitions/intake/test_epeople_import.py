"""국민신문고 petitions imported from a CSV file as the portal exports it
(the staff page and ``manage.py import_epeople``): every encoding Korean
Excel saves, every bad row reported by line and nothing imported, a
re-import records nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from petitions import rules
from petitions.intake.epeople import epeople_import, parse_date
from petitions.models import Petition
from scheduling.errors import TongtongError

pytestmark = pytest.mark.django_db

GOOD = """신청번호,신청일,처리기한,제목,내용,신청인,휴대전화,이메일,분야,동
1AA-2611-0000001,2026-11-10,2026-11-19,가로등 고장,가로등이 꺼져 있습니다.,김가로,010-1111-2222,,도로·시설물,중앙동
1AA-2611-0000002,2026.11.12,,소음 민원,"공사 소음이 심합니다,
밤늦게까지 계속됩니다.",이소음,,noise@example.kr,기타,
1AA-2611-0000003,20261113,,감사합니다,친절하게 안내해 주셔서 고맙습니다.,,,,칭찬,N01
"""


def _bytes(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_a_good_file_in_every_encoding_korean_excel_saves(pinned_today, neighborhood, secretariat_user, encoding):
    result = epeople_import(data=_bytes(GOOD, encoding), actor=secretariat_user)
    assert len(result.created) == 3 and result.skipped == []
    first, second, third = Petition.objects.order_by("epeople_number")
    assert first.channel == rules.EPEOPLE
    assert first.category == "roads" and first.neighborhood == neighborhood
    assert first.phone == "010-1111-2222" and first.name == "김가로"
    assert first.epeople_received_on == dt.date(2026, 11, 10)
    assert timezone.localtime(first.answer_due_at) == timezone.make_aware(dt.datetime(2026, 11, 19, 18, 0))
    assert first.created_by == secretariat_user
    assert second.body == "공사 소음이 심합니다,\n밤늦게까지 계속됩니다."
    assert second.email == "noise@example.kr" and second.category == "other"
    assert third.category == "praise" and third.neighborhood == neighborhood  # by the code N01
    # No 처리기한: the kind's limit (7 working days) from 09:00 of the received day.
    assert timezone.localtime(second.answer_due_at).date() == dt.date(2026, 11, 20)


def test_reimporting_the_same_file_records_nothing(pinned_today, neighborhood):
    epeople_import(data=GOOD.encode())
    again = epeople_import(data=GOOD.encode())
    assert again.created == [] and len(again.skipped) == 3
    assert Petition.objects.count() == 3


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line(pinned_today, neighborhood):
    bad = (
        GOOD
        + "1AA-2611-0000004,2026-13-01,,제목,내용,,,,,\n"
        + "1AA-2611-0000005,2026-11-10,,,내용,,02-123-4567,x@y,없는분야,없는동\n"
        + "1AA-2611-0000001,2026-11-10,,중복,내용,,,,,\n"
        + "1AA-2611-0000006,2026-11-30,,미래,내용,,,,,\n"
    )
    with pytest.raises(TongtongError) as failure:
        epeople_import(data=bad.encode("cp949"))
    problems = failure.value.errors
    text = "\n".join(problems)
    assert "파일을 가져오지 않았습니다" in str(failure.value) or "가져오지" in str(failure.value)
    assert "6번째 줄: 신청일 ‘2026-13-01’은(는) 날짜가 아닙니다" in text
    assert "7번째 줄: 제목이 비어 있습니다." in text
    assert "7번째 줄: ‘02-123-4567’은(는) 휴대전화번호가 아닙니다." in text
    assert "7번째 줄: ‘x@y’은(는) 이메일 주소가 아닙니다." in text
    assert "7번째 줄: 분야 ‘없는분야’은(는) 목록에 없습니다." in text
    assert "7번째 줄: 동 ‘없는동’은(는) 우리 시의 동이 아닙니다." in text
    assert "8번째 줄: 신청번호 1AA-2611-0000001이(가) 2번째 줄에도 있습니다." in text
    assert "9번째 줄: 신청일은 미래 날짜일 수 없습니다." in text
    assert not Petition.objects.exists()


def test_a_missing_column_or_an_unknown_header_is_refused(pinned_today):
    with pytest.raises(TongtongError) as failure:
        epeople_import(data="신청번호,제목,내용,비고\nA-1,제목,내용,x\n".encode())
    text = "\n".join(failure.value.errors)
    assert "received on / 신청일" in text and "비고" in text
    assert not Petition.objects.exists()


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2026-11-17", dt.date(2026, 11, 17)),
        ("2026.11.17", dt.date(2026, 11, 17)),
        ("2026. 11. 17.", dt.date(2026, 11, 17)),
        ("2026/1/7", dt.date(2026, 1, 7)),
        ("20261117", dt.date(2026, 11, 17)),
        ("2026-11-17 14:35", dt.date(2026, 11, 17)),
        ("2026년 11월 17일", dt.date(2026, 11, 17)),
        ("2026-02-30", None),
        ("17/11/2026", None),
    ],
)
def test_dates_as_the_portal_and_excel_write_them(raw, day):
    assert parse_date(raw) == day


def test_the_import_page_shows_the_problems_or_the_counts(client, secretariat_user, pinned_today, neighborhood):
    client.force_login(secretariat_user)
    assert "신청번호" in client.get("/staff/petitions/intake/import/").content.decode()
    bad = SimpleUploadedFile("epeople.csv", (GOOD + "X-9,어제,,제목,내용,,,,,\n").encode("cp949"))
    response = client.post("/staff/petitions/intake/import/", {"file": bad})
    assert response.status_code == 400
    assert "6번째 줄" in response.content.decode()
    assert not Petition.objects.exists()
    good = SimpleUploadedFile("epeople.csv", GOOD.encode("utf-8-sig"))
    page = client.post("/staff/petitions/intake/import/", {"file": good}).content.decode()
    assert "민원 3건을 가져왔습니다" in page
    again = SimpleUploadedFile("epeople.csv", GOOD.encode("utf-8-sig"))
    page = client.post("/staff/petitions/intake/import/", {"file": again}).content.decode()
    assert "민원 0건을 가져왔습니다. 이미 등록된 3건은 건너뛰었습니다." in page
    assert Petition.objects.count() == 3


def test_the_command_imports_and_reports(tmp_path, pinned_today, neighborhood, secretariat_user):
    path = tmp_path / "epeople.csv"
    path.write_bytes(GOOD.encode("euc-kr"))
    out = io.StringIO()
    call_command("import_epeople", str(path), "--dry-run", stdout=out)
    assert not Petition.objects.exists()
    call_command("import_epeople", str(path), "--user", secretariat_user.username, stdout=out)
    assert "신규 3건" in out.getvalue()
    assert Petition.objects.filter(created_by=secretariat_user).count() == 3
    path.write_bytes(b"\xef\xbb\xbf" + "신청번호,신청일,제목,내용\nA-1,내일,제목,내용\n".encode())
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_epeople", str(path), stderr=errors)
    assert "2번째 줄" in errors.getvalue()
