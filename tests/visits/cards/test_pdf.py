"""The management cards as PDFs: one neighborhood's staff card, every card in
one file built by the celery task with progress on the page, and the
briefing before a field visit. Read back with poppler's tools (see
tests/scheduling/test_pdf.py)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.scheduling.test_pdf import (
    assert_fonts_embedded,
    assert_tagged,
    page_count,
    pdf_image_count,
    pdf_structure,
    pdf_text,
)
from visits.cards import pdf as card_pdf
from visits.cards import services as cs
from visits.models import CardBatch, FieldVisit, Suggestion

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '<img src="file:///etc/passwd">'
HOSTILE_DESCRIPTION = (
    '<img src="http://example.com/x.png"> <div style="background: url(file:///etc/passwd)">x</div> '
    '<link rel=stylesheet href="file:///etc/passwd"> 가로등이 없어 밤길이 위험합니다'
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def users(card_org, secretariat_user, official_user, stranger):
    return {
        **card_org["users"],
        "official": official_user,
        "stranger": stranger,
    }


@pytest.fixture
def card(card_org, suggestion_at):
    """중앙동 (N01) with suggestions at several points of the workflow,
    one led by 공원과 and one with hostile citizen text."""
    return {
        "received": suggestion_at("received", title="버스정류장 그늘막"),
        "review": suggestion_at("joint_review", title="인도 정비"),
        "budgeted": suggestion_at("budgeted", title="가로등 설치"),
        "rejected": suggestion_at("not_feasible", title="사유지 주차장"),
        "parks": suggestion_at("assigned", title="어린이공원 놀이터 보수", department="parks"),
        "hostile": suggestion_at("assigned", title=HOSTILE_TITLE, description=HOSTILE_DESCRIPTION),
        "elsewhere": suggestion_at("assigned", title="산성동 배수로", neighborhood="N02"),
    }


def get_pdf(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def card_url(code="N01"):
    return reverse("cards:card_pdf", kwargs={"code": code})


# --- One neighborhood's card ------------------------------------------------------------


def test_the_staff_card_pdf_holds_the_card_in_korean_with_embedded_fonts(client, card_org, card, settings):
    response = get_pdf(client, card_org["users"]["secretariat"], card_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="card-N01-')
    assert "; filename*=UTF-8''" in response["Content-Disposition"]
    assert ".pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in (
        "중앙동",
        "가로등 설치",
        "버스정류장 그늘막",
        "어린이공원 놀이터 보수",
        "도로과",
        "도로유지보수",  # the budget line
        "3,000,000",  # the estimated cost / budget amount
        "시행 가능",  # the department's opinion: internal, fine for staff
        "타당함",  # a joint-review opinion
        "사유지입니다.",  # the reason it is not feasible
    ):
        assert expected in text, expected
    assert "산성동 배수로" not in text  # another neighborhood's card
    assert_fonts_embedded(response.content)
    assert_tagged(response.content, title=f"중앙동 관리카드 | {settings.CITY_NAME}")
    # A screen reader finds each suggestion by its heading and reads the
    # summary as a table with its column headers.
    structure = pdf_structure(response.content)
    assert len(re.findall(r"^\s*H3\b", structure, re.M)) == 6
    assert len(re.findall(r"^\s*Table\b", structure, re.M)) == 1
    assert len(re.findall(r"^\s*TH\b", structure, re.M)) == 5


def test_citizen_text_with_images_and_stylesheets_embeds_nothing(client, card_org, card, caplog):
    with caplog.at_level(logging.WARNING, logger="scheduling.pdf"):
        response = get_pdf(client, card_org["users"]["secretariat"], card_url())

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert HOSTILE_TITLE in text  # printed as text
    assert "http://example.com/x.png" in text
    assert "root:" not in text
    assert pdf_image_count(response.content) == 0
    assert not [r for r in caplog.records if r.name == "scheduling.pdf"]  # nothing was even asked for


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("secretariat", 200),
        ("budget_staff", 200),
        ("official", 200),
        ("roads_staff", 200),
    ],
)
def test_who_may_get_the_card_pdf(client, users, card, who, status):
    response = get_pdf(client, users.get(who), card_url())

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("staff:login"))


def test_a_department_gets_only_its_own_suggestions_on_the_card(client, card_org, card):
    roads = pdf_text(get_pdf(client, card_org["users"]["roads_staff"], card_url()).content)
    parks = pdf_text(get_pdf(client, card_org["users"]["parks_staff"], card_url()).content)
    everything = pdf_text(get_pdf(client, card_org["users"]["budget_staff"], card_url()).content)

    assert "가로등 설치" in roads and "어린이공원 놀이터 보수" not in roads
    assert "어린이공원 놀이터 보수" in parks and "가로등 설치" not in parks
    assert "가로등 설치" in everything and "어린이공원 놀이터 보수" in everything


def test_a_co_department_sees_the_suggestion_it_works_on(client, card_org, suggestion_at):
    suggestion_at("assigned", title="하천변 산책로 조명", co_departments=[card_org["departments"]["parks"]])

    text = pdf_text(get_pdf(client, card_org["users"]["parks_staff"], card_url()).content)

    assert "하천변 산책로 조명" in text


def test_a_department_never_gets_another_departments_suggestion_into_a_pdf(client, card_org, suggestion_at, visits):
    """Every PDF a department's staff may download (the card, the briefing)
    holds its own and co-led suggestions and nothing led by another
    department; the all-cards file, which holds everything, is refused."""
    parks = card_org["departments"]["parks"]
    suggestion_at("assigned", title="공원 산책로 포장", department="parks")
    suggestion_at("joint_review", title="공원 화장실 신축", department="parks", visit=visits["held"])
    suggestion_at("assigned", title="도로 재포장")
    suggestion_at("assigned", title="하천변 산책로 조명", co_departments=[parks])
    roads_staff = card_org["users"]["roads_staff"]

    for url in (card_url(), briefing_url(visits["upcoming"])):
        text = pdf_text(get_pdf(client, roads_staff, url).content)
        assert "도로 재포장" in text and "하천변 산책로 조명" in text, url
        assert "공원 산책로 포장" not in text and "공원 화장실 신축" not in text, url
    assert client.post(reverse("staff_cards:batches")).status_code == 403


def _printed_titles(data: bytes, titles: set[str]) -> set[str]:
    text = pdf_text(data)
    return {title for title in titles if title in text}


def test_the_pdfs_print_exactly_the_suggestions_the_card_pages_show(
    card_org, suggestion_at, visits, django_user_model, secretariat_user, official_user, stranger
):
    """One rule for who sees which suggestions: the card and the briefing
    print what ``selectors.suggestions_visible_to`` gives the same user,
    whoever asks, including someone who works in a department but holds no
    department-staff role (they see none)."""
    from scheduling.models import StaffProfile
    from visits.cards import selectors

    parks = card_org["departments"]["parks"]
    titles = {
        suggestion_at("assigned", title="도로 재포장").title,
        suggestion_at("budgeted", title="가로등 설치", visit=visits["held"]).title,
        suggestion_at("assigned", title="공원 산책로 포장", department="parks").title,
        suggestion_at("assigned", title="하천변 산책로 조명", co_departments=[parks]).title,
        suggestion_at("received", title="버스정류장 그늘막").title,
    }
    no_role = django_user_model.objects.create_user(username="roads_no_role", password="pw")
    StaffProfile.objects.create(user=no_role, department=card_org["departments"]["roads"])
    viewers = {**card_org["users"], "official": official_user, "stranger": stranger, "no_role": no_role}
    n01 = card_org["neighborhoods"]["N01"]

    for name, viewer in viewers.items():
        shown = set(selectors.suggestions_visible_to(viewer).filter(neighborhood=n01).values_list("title", flat=True))
        card = card_pdf.card_pdf_render(neighborhood=n01, viewer=viewer)
        briefing = card_pdf.visit_briefing_render(visit=visits["upcoming"], viewer=viewer)
        assert _printed_titles(card, titles) == shown, name
        assert _printed_titles(briefing, titles) == shown, name
    assert _printed_titles(card_pdf.card_pdf_render(neighborhood=n01, viewer=no_role), titles) == set()


def test_an_unknown_neighborhood_is_404(client, card_org):
    assert get_pdf(client, card_org["users"]["secretariat"], card_url("N99")).status_code == 404


def _suggestions(card_org, suggestion_at, count):
    statuses = ["received", "assigned", "joint_review", "budgeted", "not_feasible", "in_progress"]
    made = []
    for number in range(count):
        status = statuses[number % len(statuses)]
        suggestion = suggestion_at(
            status, title=f"건의 {number}", co_departments=[card_org["departments"]["parks"]] if number % 2 else []
        )
        if status == "in_progress":
            cs.suggestion_progress(
                suggestion=suggestion, actor=card_org["users"]["roads_staff"], progress=40, public_note="기초 공사"
            )
        made.append(suggestion)
    return made


def _queries_for_card(neighborhood) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        data = card_pdf.card_pdf_render(neighborhood=neighborhood)
    return len(captured.captured_queries), data


def test_the_card_reads_the_same_number_of_queries_with_3_and_30_suggestions(card_org, suggestion_at):
    n01, n02 = card_org["neighborhoods"]["N01"], card_org["neighborhoods"]["N02"]
    _suggestions(card_org, suggestion_at, 3)
    few, _data = _queries_for_card(n01)
    # Thirty more, on another neighborhood's card.
    for suggestion in _suggestions(card_org, suggestion_at, 30):
        Suggestion.objects.filter(pk=suggestion.pk).update(neighborhood=n02)
    many, data = _queries_for_card(n02)

    assert few == many
    assert "건의 29" in pdf_text(data)


def test_the_department_card_reads_a_constant_number_of_queries_too(card_org, suggestion_at):
    n01 = card_org["neighborhoods"]["N01"]
    _suggestions(card_org, suggestion_at, 2)

    def viewer():  # as each request loads its user afresh (roles are kept on the object for one request)
        return type(card_org["users"]["roads_staff"]).objects.get(pk=card_org["users"]["roads_staff"].pk)

    with CaptureQueriesContext(connection) as few:
        card_pdf.card_pdf_render(neighborhood=n01, viewer=viewer())
    _suggestions(card_org, suggestion_at, 12)
    with CaptureQueriesContext(connection) as many:
        card_pdf.card_pdf_render(neighborhood=n01, viewer=viewer())

    assert len(few.captured_queries) == len(many.captured_queries)


# --- Every card in one file --------------------------------------------------------------


def test_building_all_cards_makes_one_pdf_with_every_neighborhood(client, card_org, card, settings):
    client.force_login(card_org["users"]["secretariat"])

    response = client.post(reverse("staff_cards:batches"))

    batch = CardBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_cards:batch", kwargs={"pk": batch.pk})
    assert batch.status == CardBatch.Status.DONE
    assert batch.done == batch.total == 6
    assert batch.requested_by == card_org["users"]["secretariat"]
    assert batch.finished_at is not None

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "6 / 6" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()
    download_url = reverse("staff_cards:batch_download", kwargs={"pk": batch.pk})
    assert download_url in page.content.decode()

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    text = pdf_text(data)
    for name in ("중앙동", "산성동", "송림동", "하늘동", "강변동", "새솔동"):
        assert f"{name} " in text, name
    assert "가로등 설치" in text and "산성동 배수로" in text
    assert text.index("중앙동") < text.index("산성동 ") < text.index("새솔동")  # in the neighborhoods' order
    assert page_count(data) >= 6
    assert_fonts_embedded(data)
    assert pdf_image_count(data) == 0
    assert_tagged(data, title=f"전체 동 관리카드 | {settings.CITY_NAME}")


def test_the_progress_page_refreshes_while_the_batch_is_running(client, card_org):
    batch = CardBatch.objects.create(status=CardBatch.Status.RUNNING, total=39, done=12)
    client.force_login(card_org["users"]["budget_staff"])

    page = client.get(reverse("staff_cards:batch", kwargs={"pk": batch.pk})).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert "12 / 39" in page
    assert reverse("staff_cards:batch_download", kwargs={"pk": batch.pk}) not in page
    assert client.get(reverse("staff_cards:batch_download", kwargs={"pk": batch.pk})).status_code == 404


def test_the_build_counts_progress_on_the_row_as_it_goes(card_org, card, monkeypatch):
    """What the page sees between two cards: ``done`` is written per card."""
    from scheduling import pdf

    seen = []
    real = pdf.render_document
    batch = CardBatch.objects.create(total=6)

    def spy(*args, **kwargs):
        seen.append(CardBatch.objects.values_list("status", "done").get(pk=batch.pk))
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_document", spy)
    card_pdf.all_cards_build(batch_id=batch.pk)

    assert seen == [("running", done) for done in range(6)]
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 6, 6)


def test_running_the_build_twice_leaves_the_finished_file_alone(card_org, card):
    batch = card_pdf.card_batch_start(actor=card_org["users"]["secretariat"])
    batch.refresh_from_db()
    first = batch.pdf.name

    card_pdf.all_cards_build(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.status == CardBatch.Status.DONE
    assert batch.pdf.name == first
    assert batch.done == 6


def test_a_batch_left_running_by_a_dead_worker_is_built_again(card_org, card):
    batch = CardBatch.objects.create(status=CardBatch.Status.RUNNING, total=6, done=4)

    card_pdf.all_cards_build(batch_id=batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.done) == (CardBatch.Status.DONE, 6)
    assert batch.pdf


def test_a_second_request_while_one_is_building_joins_it(card_org):
    building = CardBatch.objects.create(status=CardBatch.Status.RUNNING, total=6, done=2)

    again = card_pdf.card_batch_start(actor=card_org["users"]["secretariat"])

    assert again == building
    assert CardBatch.objects.count() == 1


def test_a_failing_build_marks_the_batch_failed_with_a_message(client, card_org, card, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("the private directory is a file: nothing can be saved under it")
    settings.PRIVATE_MEDIA_ROOT = blocked
    client.force_login(card_org["users"]["secretariat"])

    response = client.post(reverse("staff_cards:batches"))

    batch = CardBatch.objects.get()
    assert batch.status == CardBatch.Status.FAILED
    assert batch.error
    assert batch.finished_at is not None
    assert not batch.pdf
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert reverse("staff_cards:batch_download", kwargs={"pk": batch.pk}) not in page
    assert client.get(reverse("staff_cards:batch_download", kwargs={"pk": batch.pk})).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("roads_staff", 403),  # the file holds every department's suggestions
        ("official", 200),
        ("budget_staff", 200),
        ("secretariat", 200),
    ],
)
def test_who_may_see_and_build_the_all_cards_pdf(client, users, card_org, who, status):
    done = CardBatch.objects.create(status=CardBatch.Status.DONE, total=6, done=6, finished_at=timezone.now())
    done.pdf.save("all.pdf", ContentFile(b"%PDF-1.7 test"))
    user = users.get(who)
    if user is not None:
        client.force_login(user)

    for url in (
        reverse("staff_cards:batches"),
        reverse("staff_cards:batch", kwargs={"pk": done.pk}),
        reverse("staff_cards:batch_download", kwargs={"pk": done.pk}),
    ):
        assert client.get(url).status_code == status, url
    before = CardBatch.objects.count()
    posted = client.post(reverse("staff_cards:batches"))
    assert posted.status_code == (302 if status in (200, 302) else status)
    assert CardBatch.objects.count() == before + (1 if status == 200 else 0)


# --- The visit briefing -----------------------------------------------------------------


@pytest.fixture
def visits(card_org):
    n01, mayor = card_org["neighborhoods"]["N01"], card_org["mayor"]
    held_start = timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0))
    held = FieldVisit.objects.create(
        neighborhood=n01,
        official=mayor,
        start=held_start,
        end=held_start + dt.timedelta(hours=2),
        status=FieldVisit.Status.HELD,
        attendance=25,
        notes="주민 25명과 대화, 가로등과 주차 문제 제기",
        public_summary="시장이 중앙동 주민과 대화했습니다.",
    )
    next_start = timezone.make_aware(dt.datetime(2027, 4, 6, 10, 0))
    upcoming = FieldVisit.objects.create(
        neighborhood=n01,
        official=mayor,
        start=next_start,
        end=next_start + dt.timedelta(hours=2),
        plan_reason="2년 주기 두 번째 방문",
    )
    return {"held": held, "upcoming": upcoming}


@pytest.fixture
def briefing_card(card_org, suggestion_at, visits):
    heard = suggestion_at("budgeted", title="가로등 설치", visit=visits["held"])
    return {
        "heard": heard,
        "open": suggestion_at("joint_review", title="인도 정비"),
        "rejected": suggestion_at("not_feasible", title="사유지 주차장"),
        "long_term": suggestion_at("long_term", title="주민센터 증축"),
        "parks": suggestion_at("assigned", title="어린이공원 놀이터 보수", department="parks"),
    }


def briefing_url(visit):
    return reverse("staff_cards:briefing", kwargs={"pk": visit.pk})


def test_the_briefing_tells_the_official_what_is_open_decided_and_heard_last_time(
    client, users, visits, briefing_card, settings
):
    response = get_pdf(client, users["official"], briefing_url(visits["upcoming"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "중앙동" in text and "김시장" in text
    assert "2년 주기 두 번째 방문" in text
    # What the last visit heard.
    assert "주민 25명과 대화" in text and "시장이 중앙동 주민과 대화했습니다." in text
    assert "가로등 설치" in text
    # Open and decided, with the reason for "not feasible".
    assert "인도 정비" in text
    assert "사유지 주차장" in text and "사유지입니다." in text
    assert "주민센터 증축" in text
    assert "도로유지보수" in text  # the budget line of the budgeted one
    assert_fonts_embedded(response.content)
    assert_tagged(response.content, title=f"동방문 사전 보고: 중앙동 | {settings.CITY_NAME}")


def test_the_briefing_without_an_earlier_visit_says_so(client, users, card_org):
    start = timezone.make_aware(dt.datetime(2027, 4, 6, 10, 0))
    first = FieldVisit.objects.create(
        neighborhood=card_org["neighborhoods"]["N03"],
        official=card_org["mayor"],
        start=start,
        end=start + dt.timedelta(hours=1),
    )

    response = get_pdf(client, users["secretariat"], briefing_url(first))

    assert response.status_code == 200
    assert "송림동" in pdf_text(response.content)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("budget_staff", 403),  # reviewers hold no field-visit permission
        ("roads_staff", 200),
        ("official", 200),
        ("secretariat", 200),
    ],
)
def test_who_may_get_the_briefing(client, users, visits, who, status):
    assert get_pdf(client, users.get(who), briefing_url(visits["upcoming"])).status_code == status


def test_a_department_briefing_holds_only_its_suggestions(client, users, visits, briefing_card):
    text = pdf_text(get_pdf(client, users["parks_staff"], briefing_url(visits["upcoming"])).content)

    assert "어린이공원 놀이터 보수" in text
    assert "인도 정비" not in text


def test_the_briefing_reads_a_constant_number_of_queries(card_org, suggestion_at, visits):
    upcoming = visits["upcoming"]
    suggestion_at("assigned", title="하나", visit=visits["held"])
    with CaptureQueriesContext(connection) as few:
        card_pdf.visit_briefing_render(visit=upcoming)
    for number in range(8):
        suggestion_at(["assigned", "not_feasible"][number % 2], title=f"건의 {number}", visit=visits["held"])
    with CaptureQueriesContext(connection) as many:
        card_pdf.visit_briefing_render(visit=upcoming)

    assert len(few.captured_queries) == len(many.captured_queries)


def test_priority_score_and_rank_show_on_the_card(card_org, suggestion_at):
    selected = suggestion_at("selected", title="보안등 교체")
    Suggestion.objects.filter(pk=selected.pk).update(priority_rank=2, priority_score=Decimal("87.5"))

    text = pdf_text(card_pdf.card_pdf_render(neighborhood=card_org["neighborhoods"]["N01"]))

    assert "87.5" in text


# --- Korean typography ------------------------------------------------------------------


def _broken_inside(text: str, word: str) -> bool:
    """Whether ``word`` appears cut over two lines somewhere in ``text``."""
    return any(f"{word[:i]}\n{word[i:]}" in text for i in range(1, len(word)))


def test_the_pdfs_keep_korean_words_whole_and_write_figures_the_korean_way(client, users, visits, briefing_card):
    """Headers and cells break between words, never inside one ("번/호",
    "진행 단/계", "주민/숙원사업비" before); the population has its thousands
    separator and unit; the briefing's budget column says what it holds."""
    Suggestion.objects.filter(pk=briefing_card["heard"].pk).update(budget_line="주민숙원사업비")
    neighborhood = briefing_card["heard"].neighborhood
    type(neighborhood).objects.filter(pk=neighborhood.pk).update(population=26880)

    card_text = pdf_text(get_pdf(client, users["secretariat"], card_url()).content)
    for word in ("번호", "진행", "단계", "주민숙원사업비", "예상", "사업비", "담당", "부서"):
        assert not _broken_inside(card_text, word), word
    assert "번호" in card_text and "주민숙원사업비" in card_text
    assert "인구 26,880명" in card_text and "26880" not in card_text

    briefing = pdf_text(get_pdf(client, users["official"], briefing_url(visits["upcoming"])).content)
    assert "인구 26,880명" in briefing
    assert "사유·예산·추진 현황" in " ".join(briefing.split()).replace("사유·예산· 추진", "사유·예산·추진")
    assert "면담 내용" not in briefing
    assert not _broken_inside(briefing, "주민숙원사업비")
