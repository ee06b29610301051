"""The back office of the management cards (/staff/cards/): who sees and
does what (one test per rule), the inbox with the overdue first, the
joint-review board's running total against the envelope, the forms of
each action (a refused one keeps what was typed), the links from the
meetings and visits pages, and constant query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scheduling.categories import Category
from visits.cards import services as cs
from visits.models import BudgetEnvelope, FieldVisit, JointReviewOpinion, Suggestion, SuggestionEvent

pytestmark = pytest.mark.django_db

PARTIES = (("budget_legal", "budget_staff"), ("policy_officer", "policy_staff"), ("lead_department", "roads_staff"))


def detail(suggestion):
    return reverse("staff_cards:suggestion", args=[suggestion.pk])


def act(suggestion, action):
    return reverse("staff_cards:suggestion_action", args=[suggestion.pk, action])


def as_user(client, card_org, username):
    client.force_login(card_org["users"][username])
    return client


def opinions(suggestion, users, score=Decimal(70), lead="roads_staff"):
    for party, username in PARTIES:
        cs.suggestion_opinion_record(
            suggestion=suggestion,
            actor=users[lead if party == "lead_department" else username],
            party=party,
            recommendation="select",
            opinion="의견",
            score=score,
        )


@pytest.fixture
def two_departments(suggestion_at, card_org):
    """A suggestion led by 도로과 and one led by 공원과 with 도로과 as
    co-department, both of 중앙동, both assigned."""
    roads = suggestion_at("assigned", title="도로 보수")
    parks = suggestion_at("assigned", title="공원 벤치", department="parks")
    parks.co_departments.add(card_org["departments"]["roads"])
    alone = suggestion_at("assigned", title="놀이터 그늘막", department="parks")
    return {"roads": roads, "parks_with_roads": parks, "parks_alone": alone}


# --- Who sees and does what --------------------------------------------------------


def test_anonymous_visitors_go_to_the_login(client, two_departments):
    for url in (
        reverse("staff_cards:index"),
        reverse("staff_cards:card", args=["N01"]),
        reverse("staff_cards:inbox"),
        reverse("staff_cards:board"),
        reverse("staff_cards:ranking"),
        reverse("staff_cards:suggestion_new"),
        detail(two_departments["roads"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    response = client.post(act(two_departments["roads"], "review"), {})
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_stranger_gets_403(client, stranger, two_departments):
    client.force_login(stranger)
    for url in (
        reverse("staff_cards:index"),
        reverse("staff_cards:card", args=["N01"]),
        reverse("staff_cards:board"),
        detail(two_departments["roads"]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(act(two_departments["roads"], "review"), {}).status_code == 403


def test_a_department_sees_only_its_own_and_its_shared_suggestions(client, card_org, two_departments):
    as_user(client, card_org, "roads_staff")

    assert client.get(detail(two_departments["roads"])).status_code == 200
    assert client.get(detail(two_departments["parks_with_roads"])).status_code == 200  # co-department: reads
    # Another department's suggestion is not theirs to see.
    assert client.get(detail(two_departments["parks_alone"])).status_code == 404

    card = client.get(reverse("staff_cards:card", args=["N01"]))
    shown = {item["s"].pk for item in card.context["suggestions"]}
    assert shown == {two_departments["roads"].pk, two_departments["parks_with_roads"].pk}
    assert "놀이터 그늘막" not in card.content.decode()
    index = client.get(reverse("staff_cards:index"))
    assert index.context["grand_total"] == 2


def test_a_department_edits_only_its_own_suggestions(client, card_org, two_departments):
    as_user(client, card_org, "roads_staff")
    review = {"review-feasibility": "feasible", "review-opinion": "시행 가능", "review-estimated_cost": "2000000"}

    # Another department's suggestion: not found, nothing changes.
    assert client.post(act(two_departments["parks_alone"], "review"), review).status_code == 404
    # A co-department reads but does not act.
    assert client.post(act(two_departments["parks_with_roads"], "review"), review).status_code == 403
    assert client.post(act(two_departments["parks_with_roads"], "details"), {}).status_code == 403
    for key in ("parks_alone", "parks_with_roads"):
        assert Suggestion.objects.get(pk=two_departments[key].pk).status == "assigned"

    # Its own: the review goes through.
    response = client.post(act(two_departments["roads"], "review"), review)
    assert response.status_code == 302
    roads = Suggestion.objects.get(pk=two_departments["roads"].pk)
    assert (roads.status, roads.estimated_cost, roads.department_opinion) == ("joint_review", 2_000_000, "시행 가능")


@pytest.mark.parametrize("username", ["budget_staff", "policy_staff", "secretariat"])
def test_budget_policy_and_the_secretariat_see_everything(client, card_org, two_departments, username):
    as_user(client, card_org, username)
    for suggestion in two_departments.values():
        assert client.get(detail(suggestion)).status_code == 200
    card = client.get(reverse("staff_cards:card", args=["N01"]))
    assert len(card.context["suggestions"]) == 3
    assert client.get(reverse("staff_cards:index")).context["grand_total"] == 3


def test_an_official_reads_everything_and_acts_on_nothing(client, official_user, two_departments):
    client.force_login(official_user)
    for suggestion in two_departments.values():
        response = client.get(detail(suggestion))
        assert response.status_code == 200
        assert response.context["actions"] == []
    assert client.post(act(two_departments["roads"], "assign"), {}).status_code == 403


def test_the_wrong_role_gets_403_from_the_service(client, card_org, suggestion_at):
    suggestion = suggestion_at("joint_review")
    opinions(suggestion, card_org["users"])
    as_user(client, card_org, "roads_staff")  # the lead department does not decide
    response = client.post(act(suggestion, "decide"), {"decide-decision": "select", "decide-priority_score": "90"})
    assert response.status_code == 403
    assert Suggestion.objects.get(pk=suggestion.pk).status == "joint_review"


def test_actions_only_by_post(client, card_org, two_departments):
    as_user(client, card_org, "roads_staff")
    assert client.get(act(two_departments["roads"], "review")).status_code == 405
    assert client.post(act(two_departments["roads"], "no-such-action"), {}).status_code == 404


# --- Each suggestion's page: the forms this user may use now ---------------------------


def action_names(response):
    return [action["name"] for action in response.context["actions"]]


def test_the_page_offers_only_what_this_user_may_do_now(client, card_org, suggestion_at):
    users = card_org["users"]
    assigned = suggestion_at("assigned")
    review = suggestion_at("joint_review", title="심의 중")

    assert action_names(as_user(client, card_org, "roads_staff").get(detail(assigned))) == [
        "review",
        "details",
        "photo",
    ]
    assert action_names(as_user(client, card_org, "secretariat").get(detail(assigned))) == [
        "assign",
        "details",
        "photo",
    ]
    budget_page = as_user(client, card_org, "budget_staff").get(detail(review))
    assert action_names(budget_page) == ["opinion", "decide", "details", "photo"]
    # The budget department writes only its own opinion; the decisions are the table's.
    opinion_form = budget_page.context["actions"][0]["form"]
    assert [value for value, _label in opinion_form.fields["party"].choices] == ["budget_legal"]
    decide_form = budget_page.context["actions"][1]["form"]
    assert [value for value, _label in decide_form.fields["decision"].choices] == ["select", "long_term", "reject"]
    # Missing opinions are listed until every party wrote.
    assert len(budget_page.context["missing_opinions"]) == 3
    opinions(review, users)
    assert as_user(client, card_org, "budget_staff").get(detail(review)).context["missing_opinions"] == []

    parks_page = as_user(client, card_org, "parks_staff").get(detail(suggestion_at("assigned", department="parks")))
    assert action_names(parks_page) == ["review", "details", "photo"]


def test_the_page_shows_the_timeline_and_the_opinions_of_each_round(client, card_org, suggestion_at):
    users = card_org["users"]
    suggestion = suggestion_at("long_term")  # round 1 opinions written, decided long-term
    cs.suggestion_rereview(suggestion=suggestion, actor=users["budget_staff"], note="내년 재검토")
    cs.suggestion_opinion_record(
        suggestion=suggestion, actor=users["budget_staff"], party="budget_legal", recommendation="select", opinion="2차"
    )
    response = as_user(client, card_org, "secretariat").get(detail(suggestion))

    assert [row["opinion"].review_round for row in response.context["current_opinions"]] == [2]
    assert {row["opinion"].review_round for row in response.context["earlier_opinions"]} == {1}
    timeline = response.context["timeline"]
    assert [row["event"].to_status for row in timeline if row["event"].kind == "transition"] == [
        "assigned",
        "joint_review",
        "long_term",
        "joint_review",
    ]
    assert all(row["who"] and row["when"] for row in timeline)
    assert "내년 재검토" in response.content.decode()


def test_a_refused_decision_keeps_what_was_typed_and_changes_nothing(client, card_org, suggestion_at):
    suggestion = suggestion_at("joint_review")
    opinions(suggestion, card_org["users"])
    before = SuggestionEvent.objects.filter(suggestion=suggestion).count()
    as_user(client, card_org, "budget_staff")

    response = client.post(
        act(suggestion, "decide"),
        {"decide-decision": "reject", "decide-reason": "", "decide-public_answer": "주민께 드릴 답변 초안"},
    )

    assert response.status_code == 200
    assert response.context["failed"] == "decide"
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "decide")
    assert form.non_field_errors()
    html = response.content.decode()
    assert "주민께 드릴 답변 초안" in html and 'id="action-decide" open' in html
    assert Suggestion.objects.get(pk=suggestion.pk).status == "joint_review"
    assert SuggestionEvent.objects.filter(suggestion=suggestion).count() == before


def test_a_stale_page_gets_the_message_not_an_error(client, card_org, suggestion_at):
    """Someone decided since the page was shown: the second decision is
    refused with the message, in the form."""
    suggestion = suggestion_at("joint_review")
    opinions(suggestion, card_org["users"])
    cs.suggestion_decide(suggestion=suggestion, actor=card_org["users"]["policy_staff"], decision="long_term")
    response = as_user(client, card_org, "budget_staff").post(
        act(suggestion, "decide"), {"decide-decision": "select", "decide-priority_score": "88"}
    )
    assert response.status_code == 200 and response.context["failed"] == "decide"
    assert Suggestion.objects.get(pk=suggestion.pk).status == "long_term"


def test_the_whole_way_through_the_pages(client, card_org, suggestion_at):
    suggestion = suggestion_at("assigned")
    year = timezone.localdate().year + 1

    def post(username, action, data):
        response = as_user(client, card_org, username).post(act(suggestion, action), data)
        assert response.status_code == 302, (action, response.context and response.context.get("failed"))

    post(
        "roads_staff",
        "review",
        {"review-feasibility": "feasible", "review-opinion": "가능", "review-estimated_cost": "5000000"},
    )
    for party, username in PARTIES:
        post(
            username,
            "opinion",
            {
                "opinion-party": party,
                "opinion-recommendation": "select",
                "opinion-opinion": "찬성",
                "opinion-score": "80",
            },
        )
    post("budget_staff", "decide", {"decide-decision": "select", "decide-priority_score": "80"})
    post(
        "budget_staff",
        "budget",
        {"budget-fiscal_year": str(year), "budget-amount": "5000000", "budget-budget_line": "주민숙원"},
    )
    post("roads_staff", "start", {"start-public_note": "착공"})
    post("roads_staff", "progress", {"progress-progress": "50", "progress-public_note": "절반 완료"})
    post(
        "roads_staff",
        "complete",
        {"complete-completed_on": timezone.localdate().isoformat(), "complete-result": "보수 완료"},
    )
    post("secretariat", "reopen", {"reopen-reason": "주민 재민원"})

    suggestion.refresh_from_db()
    assert suggestion.status == "in_progress"
    assert (suggestion.budget_fiscal_year, suggestion.budget_amount) == (year, 5_000_000)
    assert suggestion.events.filter(kind="transition").count() == 7


# --- Recording a suggestion ----------------------------------------------------------


def test_the_new_suggestion_form_is_prefilled_from_a_meeting_link(client, card_org):
    as_user(client, card_org, "secretariat")
    url = reverse("staff_cards:suggestion_new") + "?source=meeting&meeting_reference=2026-0012&neighborhood=N02"
    form = client.get(url).context["form"]
    assert form.initial["source"] == "meeting"
    assert form.initial["meeting_reference"] == "2026-0012"
    assert form.initial["neighborhood"] == card_org["neighborhoods"]["N02"].pk


def test_a_suggestion_is_recorded_with_every_field(client, card_org):
    as_user(client, card_org, "secretariat")
    departments = card_org["departments"]
    response = client.post(
        reverse("staff_cards:suggestion_new"),
        {
            "suggestion-neighborhood": card_org["neighborhoods"]["N02"].pk,
            "suggestion-source": "meeting",
            "suggestion-meeting_reference": "2026-0012",
            "suggestion-title": "통학로 보도 설치",
            "suggestion-description": "초등학교 앞 보도가 없습니다.",
            "suggestion-category": Category.SAFETY,
            "suggestion-lead_department": departments["roads"].pk,
            "suggestion-co_departments": [departments["parks"].pk],
            "suggestion-location_text": "산성초등학교 정문",
            "suggestion-latitude": "37.123456",
            "suggestion-longitude": "127.123456",
            "suggestion-raised_by": "산성동 주민자치회",
            "suggestion-estimated_cost": "30000000",
            "suggestion-contact_phone": "01012345678",
            "suggestion-contact_consent": "on",
        },
    )
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(suggestion)
    assert (suggestion.status, suggestion.lead_department, suggestion.meeting_reference) == (
        "assigned",
        departments["roads"],
        "2026-0012",
    )
    assert list(suggestion.co_departments.all()) == [departments["parks"]]
    assert suggestion.contact_phone == "010-1234-5678" and suggestion.has_contact
    assert suggestion.latitude == Decimal("37.123456") and suggestion.estimated_cost == 30_000_000


@pytest.mark.parametrize(
    "change",
    [
        {"suggestion-title": ""},  # the form's own check
        {"suggestion-contact_consent": ""},  # the service's: a contact needs consent
        {"suggestion-longitude": ""},  # the service's: both coordinates or neither
    ],
)
def test_a_mistyped_suggestion_keeps_what_was_typed(client, card_org, change):
    as_user(client, card_org, "secretariat")
    data = {
        "suggestion-neighborhood": card_org["neighborhoods"]["N01"].pk,
        "suggestion-source": "other",
        "suggestion-title": "가로등 교체",
        "suggestion-description": "밤길이 너무 어둡다는 이야기를 여러 번 들었습니다.",
        "suggestion-category": Category.SAFETY,
        "suggestion-latitude": "37.5",
        "suggestion-longitude": "127.1",
        "suggestion-contact_phone": "010-2222-3333",
        "suggestion-contact_consent": "on",
    }
    data.update(change)
    response = client.post(reverse("staff_cards:suggestion_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "밤길이 너무 어둡다는 이야기를 여러 번 들었습니다." in response.content.decode()
    assert not Suggestion.objects.exists()


def test_only_who_records_suggestions_gets_the_form(client, card_org):
    assert as_user(client, card_org, "roads_staff").get(reverse("staff_cards:suggestion_new")).status_code == 403


# --- The inbox, the board, the ranking ----------------------------------------------------


def test_the_inbox_shows_the_overdue_first(client, card_org, suggestion_at):
    today = timezone.localdate()
    suggestion_at("assigned", title="새 건의")
    late = suggestion_at("assigned", title="답변 늦음")
    Suggestion.objects.filter(pk=late.pk).update(first_answer_due=today - dt.timedelta(days=2))
    stale = suggestion_at("joint_review", title="오래 멈춤")
    Suggestion.objects.filter(pk=stale.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=40))
    suggestion_at("completed", title="끝난 건의")  # closed: not in the inbox
    suggestion_at("assigned", title="공원과 것", department="parks")  # another department's

    response = as_user(client, card_org, "roads_staff").get(reverse("staff_cards:inbox"))

    rows = response.context["rows"]
    assert [row.title for row in rows] == ["답변 늦음", "오래 멈춤", "새 건의"]
    assert [row.is_overdue for row in rows] == [True, True, False]
    assert response.context["overdue_count"] == 2
    html = response.content.decode()
    assert html.count('class="is-late"') == 2  # and a text badge, not only colour
    assert html.count("krds-badge bg-danger") == 2
    # A department's staff cannot look into another department's inbox.
    other = client.get(reverse("staff_cards:inbox") + f"?department={card_org['departments']['parks'].pk}")
    assert other.context["department"] == card_org["departments"]["roads"]


def test_the_secretariat_picks_a_departments_inbox(client, card_org, suggestion_at):
    suggestion_at("assigned", title="공원과 것", department="parks")
    response = as_user(client, card_org, "secretariat").get(
        reverse("staff_cards:inbox") + f"?department={card_org['departments']['parks'].pk}"
    )
    assert [row.title for row in response.context["rows"]] == ["공원과 것"]
    assert response.context["choices"]


@pytest.fixture
def board_city(card_org, suggestion_at):
    """Envelope 10,000,000 for next year; 6,000,000 already committed (one
    selected at 3,000,000 estimated, one budgeted at 3,000,000); three
    suggestions awaiting a decision and one in long-term review."""
    users = card_org["users"]
    year = timezone.localdate().year + 1
    BudgetEnvelope.objects.create(fiscal_year=year, amount=10_000_000)
    suggestion_at("selected", title="선정됨")
    suggestion_at("budgeted", title="예산 반영됨")
    awaiting = {}
    for title, cost, score in (("4백만", 4_000_000, 90), ("1백만", 1_000_000, 80), ("2백만", 2_000_000, 60)):
        suggestion = suggestion_at("joint_review", title=title)
        Suggestion.objects.filter(pk=suggestion.pk).update(estimated_cost=cost)
        opinions(suggestion, users, score=Decimal(score))
        awaiting[title] = suggestion
    long_term = suggestion_at("long_term", title="장기")  # opinions at no score
    Suggestion.objects.filter(pk=long_term.pk).update(estimated_cost=None)
    return {"year": year, "awaiting": awaiting}


def board_rows(board):
    return [
        (row.suggestion.title, row.cost, row.running_total, row.with_committed, row.remaining) for row in board.rows
    ]


def test_the_board_totals_down_the_list_against_the_envelope(client, card_org, board_city):
    response = as_user(client, card_org, "budget_staff").get(
        reverse("staff_cards:board") + f"?year={board_city['year']}&order=score"
    )
    board = response.context["board"]
    assert (board.envelope_amount, board.committed, board.committed_count, board.available) == (
        10_000_000,
        6_000_000,
        2,
        4_000_000,
    )
    assert board_rows(board) == [
        ("4백만", 4_000_000, 4_000_000, 10_000_000, 0),
        ("1백만", 1_000_000, 5_000_000, 11_000_000, -1_000_000),
        ("2백만", 2_000_000, 7_000_000, 13_000_000, -3_000_000),
        ("장기", None, 7_000_000, 13_000_000, -3_000_000),  # no score, no estimate: last
    ]
    assert [row.fits for row in board.rows] == [True, False, False, False]
    html = response.content.decode()
    assert "4,000,000" in html and "13,000,000" in html

    by_cost = client.get(reverse("staff_cards:board") + f"?year={board_city['year']}&order=cost").context["board"]
    assert [(title, running) for title, _c, running, _w, _r in board_rows(by_cost)] == [
        ("1백만", 1_000_000),
        ("2백만", 3_000_000),
        ("4백만", 7_000_000),
        ("장기", 7_000_000),
    ]


def test_the_board_score_is_the_mean_of_this_rounds_scores(client, card_org, suggestion_at):
    users = card_org["users"]
    suggestion = suggestion_at("joint_review")
    for (party, username), score in zip(PARTIES, (60, 70, 95), strict=True):
        cs.suggestion_opinion_record(
            suggestion=suggestion,
            actor=users[username],
            party=party,
            recommendation="select",
            opinion="의견",
            score=Decimal(score),
        )
    board = as_user(client, card_org, "policy_staff").get(reverse("staff_cards:board")).context["board"]
    assert board.rows[0].score == Decimal("75")
    assert JointReviewOpinion.objects.filter(suggestion=suggestion).count() == 3


def test_the_ranking_lists_the_selected_by_rank(client, card_org, suggestion_at):
    first = suggestion_at("selected", title="첫째")
    second = suggestion_at("budgeted", title="둘째")
    suggestion_at("joint_review", title="심의 중")
    suggestion_at("not_feasible", title="불가")
    response = as_user(client, card_org, "secretariat").get(reverse("staff_cards:ranking"))
    assert [s.pk for s in response.context["rows"]] == [first.pk, second.pk]
    assert [s.priority_rank for s in response.context["rows"]] == [1, 2]


def test_the_ranking_gives_real_places_ties_sharing_one(client, card_org, suggestion_at):
    """Scores 90, 80, 80, 70 with no rank set by hand: places 1, 2, 2, 4
    (every row read "1" when each selection restarted the numbering)."""
    made = [suggestion_at("selected", title=f"건의 {n}") for n in range(4)]
    for suggestion, score in zip(made, (90, 80, 80, 70), strict=True):
        Suggestion.objects.filter(pk=suggestion.pk).update(priority_rank=None, priority_score=Decimal(score))
    response = as_user(client, card_org, "secretariat").get(reverse("staff_cards:ranking"))
    assert [(s.title, s.rank) for s in response.context["rows"]] == [
        ("건의 0", 1),
        ("건의 1", 2),
        ("건의 2", 2),
        ("건의 3", 4),
    ]
    cells = re.findall(r"<tr[^>]*>\s*<td>(\d+)</td>", response.content.decode())
    assert cells == ["1", "2", "2", "4"]


def test_a_new_selection_ranks_after_those_already_budgeted(card_org, suggestion_at):
    budgeted = suggestion_at("budgeted", title="예산 반영")
    selected = suggestion_at("selected", title="새로 선정")
    assert budgeted.priority_rank == 1
    selected.refresh_from_db()
    assert selected.priority_rank == 2


def test_the_index_total_row_counts_the_open_suggestions_too(client, card_org, suggestion_at):
    suggestion_at("assigned")
    suggestion_at("selected", title="선정")
    suggestion_at("completed", title="완료")
    response = as_user(client, card_org, "secretariat").get(reverse("staff_cards:index"))
    foot = response.content.decode().split("<tfoot>")[1].split("</tfoot>")[0]
    cells = re.findall(r"<td[^>]*>(\d*)</td>", foot)
    # one cell per status, then 진행 중 (open), then the grand total: none empty
    assert len(cells) == len(Suggestion.Status.choices) + 2
    assert all(cells)
    assert cells[-2:] == [str(response.context["open_total"]), "3"]
    assert response.context["open_total"] == 2


def test_the_index_counts_each_neighborhood_by_status(client, card_org, suggestion_at):
    suggestion_at("assigned")
    suggestion_at("selected", title="선정")
    suggestion_at("assigned", title="산성동 것", neighborhood="N02")
    response = as_user(client, card_org, "secretariat").get(reverse("staff_cards:index"))
    rows = {item["row"].neighborhood.code: item["row"] for item in response.context["rows"]}
    assert len(rows) == 6
    assert rows["N01"].by_status == {"assigned": 1, "selected": 1}
    assert rows["N02"].total == 1 and rows["N03"].total == 0
    html = response.content.decode()
    assert reverse("staff_cards:batches") in html and reverse("staff_cards:suggestion_new") in html


def test_the_staff_card_shows_internal_opinions_and_links_the_pdf(client, card_org, suggestion_at):
    suggestion_at("selected", contact_phone="010-9876-5432", contact_consent=True)
    html = as_user(client, card_org, "secretariat").get(reverse("staff_cards:card", args=["N01"])).content.decode()
    assert "타당함" in html  # the joint review's opinions (internal)
    assert "시행 가능" in html  # the department's opinion (internal)
    assert reverse("cards:card_pdf", args=["N01"]) in html
    assert "010-****-5432" in html and "010-9876-5432" not in html  # masked in the list


# --- Links from the meetings and visits pages -----------------------------------------------


def test_a_meeting_requests_page_links_to_recording_a_suggestion(client, card_org):
    from meetings.models import MeetingRequest
    from tests.meetings.conftest import submit

    submission = submit(subject="골목 포장")
    MeetingRequest.objects.filter(pk=submission.request.pk).update(status="held", outcome="follow_up")
    response = as_user(client, card_org, "secretariat").get(f"/staff/meetings/{submission.request.pk}/")
    reference = submission.request.reference
    link = (
        f"{reverse('staff_cards:suggestion_new')}?source=meeting&amp;meeting_reference={reference}&amp;neighborhood=N01"
    )
    assert link in response.content.decode()


def test_a_visit_record_links_each_suggestion_to_its_page(client, card_org):
    start = timezone.make_aware(dt.datetime(2026, 12, 8, 10, 0))
    visit = FieldVisit.objects.create(
        neighborhood=card_org["neighborhoods"]["N01"],
        official=card_org["mayor"],
        start=start,
        end=start + dt.timedelta(hours=2),
    )
    suggestion = cs.suggestion_record(
        neighborhood=visit.neighborhood,
        source="field_visit",
        visit=visit,
        title="횡단보도",
        category="roads",
        actor=card_org["users"]["secretariat"],
    )
    response = as_user(client, card_org, "secretariat").get(
        reverse("staff_visit_records:visit", kwargs={"visit_pk": visit.pk})
    )
    assert detail(suggestion) in response.content.decode()
    # And the card's form comes prefilled from the visit.
    form = client.get(reverse("staff_cards:suggestion_new") + f"?visit={visit.pk}").context["form"]
    assert (form.initial["source"], form.initial["visit"], form.initial["neighborhood"]) == (
        "field_visit",
        visit.pk,
        visit.neighborhood_id,
    )


# --- Query counts: the same with 10 and with 1,000 suggestions --------------------------------


def add_suggestions(count: int, card_org, *, status="joint_review"):
    """``count`` suggestions of 중앙동 led by 도로과, each with two events,
    three scored opinions and a co-department, made with bulk_create."""
    roads, parks = card_org["departments"]["roads"], card_org["departments"]["parks"]
    users = card_org["users"]
    now = timezone.now()
    made = Suggestion.objects.bulk_create(
        [
            Suggestion(
                neighborhood=card_org["neighborhoods"]["N01"],
                source="other",
                title=f"건의 {i}",
                category="roads",
                status=status,
                lead_department=roads,
                review_round=1,
                estimated_cost=1_000_000 + i,
                first_answer_due=timezone.localdate(),
                contact_phone="010-1234-5678",
                contact_consent_at=now,
                last_activity_at=now,
                created_by=users["secretariat"],
            )
            for i in range(count)
        ]
    )
    SuggestionEvent.objects.bulk_create(
        [
            SuggestionEvent(
                suggestion=s, kind=kind, from_status=a, to_status=b, actor=users["roads_staff"], note="메모"
            )
            for s in made
            for kind, a, b in (("created", "", "received"), ("transition", "assigned", "joint_review"))
        ]
    )
    JointReviewOpinion.objects.bulk_create(
        [
            JointReviewOpinion(
                suggestion=s,
                review_round=1,
                party=party,
                recommendation="select",
                opinion="의견",
                score=Decimal(50 + (s.pk % 40)),
                author=users[username],
            )
            for s in made
            for party, username in PARTIES
        ]
    )
    Suggestion.co_departments.through.objects.bulk_create(
        [Suggestion.co_departments.through(suggestion_id=s.pk, department_id=parks.pk) for s in made]
    )
    return made


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        reverse("staff_cards:board"),
        reverse("staff_cards:card", args=["N01"]),
        reverse("staff_cards:inbox"),
        reverse("staff_cards:ranking"),
        reverse("staff_cards:index"),
    ],
)
def test_pages_run_the_same_queries_for_10_and_1000_suggestions(client, card_org, url):
    BudgetEnvelope.objects.create(fiscal_year=timezone.localdate().year + 1, amount=500_000_000)
    add_suggestions(10, card_org)
    add_suggestions(2, card_org, status="selected")
    as_user(client, card_org, "budget_staff" if "inbox" not in url else "roads_staff")
    client.get(url)  # warm the caches (content types, session)
    with_ten = queries_for(client, url)

    add_suggestions(990, card_org)
    add_suggestions(10, card_org, status="selected")
    with_thousand = queries_for(client, url)

    assert with_ten == with_thousand, (with_ten, with_thousand)
    if "board" in url:
        assert len(client.get(url).context["board"].rows) == 1000


# --- The admin ---------------------------------------------------------------------------


def test_the_admin_lists_suggestions_read_only_with_the_phone_masked(client, suggestion_at, django_user_model):
    suggestion = suggestion_at("selected", contact_phone="010-9876-5432", contact_consent=True)
    BudgetEnvelope.objects.create(fiscal_year=timezone.localdate().year + 1, amount=50_000_000)
    client.force_login(django_user_model.objects.create_superuser("admin", password="pw-admin"))
    for url in (
        "/admin/visits/suggestion/",
        f"/admin/visits/suggestion/{suggestion.pk}/change/",
        "/admin/visits/budgetenvelope/",
        "/admin/visits/budgetenvelope/add/",
        "/admin/visits/cardbatch/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "010-9876-5432" not in response.content.decode(), url
    assert "010-****-5432" in client.get("/admin/visits/suggestion/").content.decode()
    assert client.get("/admin/visits/suggestion/add/").status_code == 403
