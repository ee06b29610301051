"""The public side of the management cards: /neighborhoods/ counts each
neighborhood's suggestions by status; /neighborhoods/<code>/ shows the
public fields of every suggestion and nothing internal or personal; both
run the same number of queries however many suggestions there are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scheduling.categories import Category
from visits.cards import public as card_public
from visits.cards import services as cs
from visits.models import JointReviewOpinion, Suggestion, SuggestionEvent, SuggestionPhoto

pytestmark = pytest.mark.django_db

SECRETS = {
    "department opinion": "부서내부의견-토지보상문제",
    "joint-review opinion": "공동검토비공개의견-우선순위낮음",
    "decision note": "결정메모-시장님관심사업",
    "progress note": "내부메모-업체선정지연",
    "reopen reason": "재개사유-내부검토",
}
PHONE = "010-9876-5432"
EMAIL = "resident@example.kr"


def full_story(card_org) -> Suggestion:
    """A suggestion driven from recording to completion with an internal
    text at every step where staff can write one."""
    users, departments = card_org["users"], card_org["departments"]
    roads = users["roads_staff"]
    suggestion = cs.suggestion_record(
        neighborhood=card_org["neighborhoods"]["N01"],
        source=Suggestion.Source.FIELD_VISIT,
        title="중앙동 3길 가로등 설치",
        description="상세설명-비공개",
        category=Category.ROADS,
        raised_by="중앙동 주민자치회",
        location_text="중앙동 3길 12",
        lead_department=departments["roads"],
        contact_phone=PHONE,
        contact_email=EMAIL,
        contact_consent=True,
        actor=users["secretariat"],
    )
    cs.suggestion_department_review(
        suggestion=suggestion,
        actor=roads,
        feasibility="feasible",
        opinion=SECRETS["department opinion"],
        estimated_cost=4_500_000,
        public_answer="내년 예산에 반영하여 설치하겠습니다.",
    )
    for party, user in (
        ("budget_legal", users["budget_staff"]),
        ("policy_officer", users["policy_staff"]),
        ("lead_department", roads),
    ):
        cs.suggestion_opinion_record(
            suggestion=suggestion,
            actor=user,
            party=party,
            recommendation="select",
            opinion=SECRETS["joint-review opinion"],
            score=Decimal("70"),
        )
    cs.suggestion_decide(
        suggestion=suggestion,
        actor=users["budget_staff"],
        decision="select",
        reason=SECRETS["decision note"],
        priority_score=Decimal("82.5"),
    )
    year = timezone.localdate().year + 1
    cs.suggestion_budget(
        suggestion=suggestion, actor=users["budget_staff"], fiscal_year=year, amount=4_321_000, budget_line="도로유지"
    )
    cs.suggestion_start(suggestion=suggestion, actor=roads, public_note="공사를 시작했습니다.")
    cs.suggestion_progress(
        suggestion=suggestion, actor=roads, progress=60, public_note="기초 공사 완료", note=SECRETS["progress note"]
    )
    suggestion.refresh_from_db()
    return suggestion


def page(client, code="N01"):
    response = client.get(reverse("cards:card", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_counts_each_neighborhoods_suggestions_by_status(client, suggestion_at):
    suggestion_at("received")
    suggestion_at("assigned")
    suggestion_at("assigned", title="보도 정비")
    suggestion_at("not_feasible", title="주차장 신설")
    suggestion_at("in_progress", neighborhood="N02", title="놀이터 보수")

    response = client.get(reverse("cards:list"))
    assert response.status_code == 200
    overview = response.context["overview"]
    rows = {row.code: row for row in overview.neighborhoods}
    assert len(rows) == 6  # every neighborhood, with or without suggestions
    assert {c.status: c.count for c in rows["N01"].counts} == {"received": 1, "assigned": 2, "not_feasible": 1}
    assert (rows["N01"].total, rows["N01"].open) == (4, 3)
    assert {c.status: c.count for c in rows["N02"].counts} == {"in_progress": 1}
    assert rows["N03"].total == 0 and rows["N03"].counts == ()
    assert {c.status: c.count for c in overview.totals if c.count} == {
        "received": 1,
        "assigned": 2,
        "not_feasible": 1,
        "in_progress": 1,
    }
    html = response.content.decode()
    for code in ("N01", "N02", "N06"):
        assert reverse("cards:card", args=[code]) in html
    assert "중앙동" in html and "새솔동" in html


def test_the_card_shows_the_public_fields(client, card_org):
    suggestion = full_story(card_org)
    html = page(client)
    assert "중앙동 3길 가로등 설치" in html
    assert "중앙동 주민자치회" in html  # raised by a group: public by design
    assert "내년 예산에 반영하여 설치하겠습니다." in html  # the public answer
    assert "기초 공사 완료" in html and "공사를 시작했습니다." in html  # dated public notes
    assert 'value="60"' in html  # progress
    assert str(suggestion.budget_fiscal_year) in html
    assert reverse("visit_feeds:neighborhood", args=["N01"]) in html  # the visits calendar of the neighborhood
    card = client.get(reverse("cards:card", args=["N01"])).context["card"]
    (group,) = card.groups
    assert group.status == "in_progress" and group.suggestions[0].progress == 60


def test_the_card_never_shows_internal_opinions_notes_or_personal_data(client, card_org):
    suggestion = full_story(card_org)
    assert JointReviewOpinion.objects.filter(opinion=SECRETS["joint-review opinion"]).count() == 3
    # Completed, then reopened by the secretariat with an internal reason.
    cs.suggestion_complete(
        suggestion=suggestion,
        actor=card_org["users"]["roads_staff"],
        completed_on=timezone.localdate(),
        result="가로등 3개를 설치했습니다.",
    )
    cs.suggestion_reopen(suggestion=suggestion, actor=card_org["users"]["secretariat"], reason=SECRETS["reopen reason"])
    html = page(client)
    assert "중앙동 3길 가로등 설치" in html
    for what, text in SECRETS.items():
        assert text not in html, what
    for personal in (PHONE, PHONE.replace("-", ""), "9876", EMAIL, "card_secretariat", "roads_staff"):
        assert personal not in html, personal
    for internal in ("상세설명-비공개", "4,321,000", "4321000", "4,500,000", "82.5", "도로유지"):
        assert internal not in html, internal


def test_the_completed_works_show_their_date_result_photo_and_the_residents_answer(client, card_org):
    suggestion = full_story(card_org)
    cs.suggestion_complete(
        suggestion=suggestion,
        actor=card_org["users"]["roads_staff"],
        completed_on=timezone.localdate(),
        result="가로등 3개를 설치했습니다.",
    )
    done = SuggestionPhoto.objects.create(
        suggestion=suggestion, image="photos/suggestions/done.jpg", is_result=True, caption="완공"
    )
    place = SuggestionPhoto.objects.create(suggestion=suggestion, image="photos/suggestions/place.jpg")
    cs.suggestion_resident_answer(suggestion=suggestion, resolved=True, comment="주민의견-비공개 010-1111-2222")
    html = page(client)
    assert "가로등 3개를 설치했습니다." in html
    # Only photos of the result, through the photo view (photos are private files).
    assert done.get_absolute_url() in html and place.get_absolute_url() not in html
    card = client.get(reverse("cards:card", args=["N01"])).context["card"]
    shown = card.groups[0].suggestions[0]
    assert (shown.status, shown.resolved_answer, shown.progress) == ("completed", "yes", 100)
    assert shown.completed_on and shown.resolved_label
    assert "주민의견-비공개" not in html and "010-1111-2222" not in html  # the resident's comment is for staff


def test_an_unknown_neighborhood_is_a_404(client, city):
    assert client.get("/neighborhoods/N99/").status_code == 404
    assert card_public.public_card("N99") is None


def many_suggestions(card_org, count: int) -> None:
    """``count`` suggestions over two neighborhoods, in every status, each
    with events, some with result photos (straight into the database)."""
    statuses = list(Suggestion.Status.values)
    roads = card_org["departments"]["roads"]
    now = timezone.now()
    rows = Suggestion.objects.bulk_create(
        [
            Suggestion(
                neighborhood=card_org["neighborhoods"]["N01" if i % 3 else "N02"],
                source=Suggestion.Source.OTHER,
                title=f"건의 {i}",
                category=Category.ROADS,
                status=statuses[i % len(statuses)],
                lead_department=roads,
                decision_reason="사유" if statuses[i % len(statuses)] == "not_feasible" else "",
                public_answer=f"답변 {i}",
                budget_fiscal_year=2027 if i % 2 else None,
                progress=i % 100,
                completed_on=dt.date(2026, 5, 1) if statuses[i % len(statuses)] == "completed" else None,
                result="완료" if statuses[i % len(statuses)] == "completed" else "",
                created_at=now,
            )
            for i in range(count)
        ]
    )
    SuggestionEvent.objects.bulk_create(
        [
            SuggestionEvent(suggestion=row, kind=kind, from_status="assigned", to_status=row.status, public_note="알림")
            for row in rows
            for kind in (SuggestionEvent.Kind.TRANSITION, SuggestionEvent.Kind.PROGRESS, SuggestionEvent.Kind.OPINION)
        ]
    )
    SuggestionPhoto.objects.bulk_create(
        [SuggestionPhoto(suggestion=row, image=f"suggestions/{row.pk}/r.jpg", is_result=True) for row in rows[::5]]
    )


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/neighborhoods/", "/neighborhoods/N01/"], ids=["list", "card"])
def test_the_pages_run_as_many_queries_for_100_suggestions_as_for_10(client, card_org, url):
    many_suggestions(card_org, 10)
    with_ten = queries_of(client, url)
    many_suggestions(card_org, 90)
    assert Suggestion.objects.count() == 100
    assert queries_of(client, url) == with_ten
    assert with_ten <= 5
