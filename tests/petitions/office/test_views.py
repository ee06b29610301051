"""The staff pages of the petition office, from both sides: the secretariat
sees and does everything; the petition's department sees it and answers;
another department, an official and a stranger see nothing (404/403);
anonymous visitors go to the login. Contacts are masked in the inbox, whose
queries do not grow with the number of petitions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions import rules
from petitions.models import Petition, PetitionNotification
from petitions.office import services
from tests.petitions.office.conftest import receive

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def _url(petition, action=None):
    if action:
        return reverse("staff_petitions:action", args=[petition.reference, action])
    return reverse("staff_petitions:petition", args=[petition.reference])


@pytest.fixture
def assigned(petition, roads, secretariat_user):
    return services.petition_assign(petition=petition, department=roads, actor=secretariat_user)


def test_the_inbox_lists_every_petition_to_the_secretariat_with_masked_contacts(client, secretariat_user, petition):
    receive(phone="", email="citizen.kim@example.com", subject="공원 벤치")
    client.force_login(secretariat_user)
    response = client.get(reverse("staff_petitions:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert petition.reference in html and "공원 벤치" in html
    assert "010-****-5432" in html and "9876-5432" not in html and "010-9876-5432" not in html
    assert "citizen.kim@" not in html


def test_a_department_sees_only_its_own_petitions(client, roads_user, parks_user, assigned, secretariat_user):
    other = receive(subject="다른 민원")
    client.force_login(roads_user)
    html = client.get(reverse("staff_petitions:inbox")).content.decode()
    assert assigned.reference in html and other.reference not in html
    assert client.get(_url(assigned)).status_code == 200
    assert client.get(_url(other)).status_code == 404
    client.force_login(parks_user)
    assert assigned.reference not in client.get(reverse("staff_petitions:inbox")).content.decode()
    assert client.get(_url(assigned)).status_code == 404


@pytest.mark.parametrize("who", ["official_user", "stranger"])
def test_an_official_or_a_stranger_sees_nothing(client, request, who, petition):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("staff_petitions:inbox")).status_code == 403
    assert client.get(_url(petition)).status_code in (403, 404)
    response = client.post(_url(petition, "thank"), {})
    assert response.status_code in (403, 404)
    petition.refresh_from_db()
    assert petition.status == rules.RECEIVED


def test_anonymous_visitors_go_to_the_login(client, petition):
    for url in (reverse("staff_petitions:inbox"), _url(petition)):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert client.post(_url(petition, "thank"), {}).status_code == 302
    petition.refresh_from_db()
    assert petition.status == rules.RECEIVED


def test_the_inbox_filters(client, secretariat_user, assigned):
    quick = receive(kind=rules.QUICK, subject="도로 파임", channel=rules.SMS)
    client.force_login(secretariat_user)
    inbox = reverse("staff_petitions:inbox")
    html = client.get(inbox, {"kind": "quick"}).content.decode()
    assert quick.reference in html and assigned.reference not in html
    html = client.get(inbox, {"status": "assigned", "channel": "web"}).content.decode()
    assert assigned.reference in html and quick.reference not in html
    html = client.get(inbox, {"department": assigned.department_id}).content.decode()
    assert assigned.reference in html and quick.reference not in html
    assert client.get(inbox, {"status": "nonsense", "page": "x"}).status_code == 200


def test_overdue_petitions_are_marked_and_filtered(client, secretariat_user, petition, pinned_clock):
    import datetime as dt

    fresh = receive(subject="새 민원")
    Petition.objects.filter(pk=petition.pk).update(answer_due_at=petition.received_at - dt.timedelta(hours=1))
    client.force_login(secretariat_user)
    html = client.get(reverse("staff_petitions:inbox"), {"overdue": "1"}).content.decode()
    assert petition.reference in html and fresh.reference not in html
    assert "is-late" in html


def test_the_page_offers_what_the_table_allows(client, secretariat_user, roads_user, assigned, roads):
    client.force_login(secretariat_user)
    html = client.get(_url(assigned)).content.decode()
    assert _url(assigned, "reassign") in html and _url(assigned, "draft") not in html
    client.force_login(roads_user)
    html = client.get(_url(assigned)).content.decode()
    assert _url(assigned, "draft") in html and _url(assigned, "extend") in html
    assert _url(assigned, "reassign") not in html and _url(assigned, "approve") not in html


def test_the_assign_form_preselects_the_owning_department(client, secretariat_user, petition, roads):
    client.force_login(secretariat_user)
    html = client.get(_url(petition)).content.decode()
    assert f'<option value="{roads.pk}" selected>' in html


def test_the_whole_flow_through_the_pages(client, secretariat_user, roads_user, petition, roads):
    client.force_login(secretariat_user)
    response = client.post(_url(petition, "assign"), {"assign-department": roads.pk})
    assert response.status_code == 302
    client.force_login(roads_user)
    response = client.post(_url(petition, "draft"), {"draft-answer": "교체하겠습니다."})
    assert response.status_code == 302
    # The department may not approve its own answer: 403 by the table, nothing sent.
    response = client.post(_url(petition, "approve"), {"approve-answer_via": "sms"})
    assert response.status_code == 200 and "민원" in response.content.decode()
    assert not PetitionNotification.objects.filter(kind="answer").exists()
    client.force_login(secretariat_user)
    response = client.post(_url(petition, "approve"), {"approve-answer_via": "sms"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == rules.ANSWERED
    assert PetitionNotification.objects.get(kind="answer").recipient == "010-9876-5432"


def test_a_refused_action_shows_the_korean_message_and_keeps_what_was_typed(client, secretariat_user, petition):
    client.force_login(secretariat_user)
    response = client.post(_url(petition, "merge"), {"merge-into_reference": petition.reference, "merge-note": "메모"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "자기 자신에 병합할 수 없습니다" in html and "메모" in html
    petition.refresh_from_db()
    assert petition.status == rules.RECEIVED


def test_an_unknown_action_is_a_404_and_get_is_refused(client, secretariat_user, petition):
    client.force_login(secretariat_user)
    assert client.post(_url(petition, "explode"), {}).status_code == 404
    assert client.get(_url(petition, "thank")).status_code == 405


def test_the_photo_and_the_letter(client, secretariat_user, roads_user, parks_user, settings, pinned_today):
    from tests.petitions.office.test_services import _photo

    settings.PETITION_FIELD_TEAM_PHONE = "010-1111-2222"
    quick = receive(kind=rules.QUICK)
    services.petition_dispatch(petition=quick, actor=secretariat_user)
    services.petition_resolve(petition=quick, photo=_photo(), actor=secretariat_user)
    client.force_login(secretariat_user)
    photo = client.get(reverse("staff_petitions:photo", args=[quick.reference]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Cache-Control"].startswith("no-store")
    client.force_login(parks_user)
    assert client.get(reverse("staff_petitions:photo", args=[quick.reference])).status_code == 404

    letter = receive()
    services.petition_answer(petition=letter, answer="서면 답변입니다.", answer_via="letter", actor=secretariat_user)
    client.force_login(secretariat_user)
    response = client.get(reverse("staff_petitions:letter", args=[letter.reference]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(roads_user)
    assert client.get(reverse("staff_petitions:letter", args=[letter.reference])).status_code == 403


def test_a_petition_from_a_meeting_carries_the_citizen_over(client, secretariat_user, roads_user, hood):
    from tests.petitions.office.test_services import _meeting_request

    meeting_request = _meeting_request(hood)
    url = reverse("staff_petitions:from_meeting", args=[meeting_request.pk])
    client.force_login(roads_user)
    assert client.get(url).status_code == 403
    client.force_login(secretariat_user)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "홍길동" in html and "010-1234-5678" in html
    key = page.context["form"].initial["submission_key"]
    data = {
        "subject": "경로당 지붕",
        "body": "면담에서 들은 경로당 지붕 누수",
        "category": "welfare",
        "kind": "general",
        "neighborhood": hood.pk,
        "name": "홍길동",
        "phone": "010-1234-5678",
        "consent": "on",
        "submission_key": key,
    }
    response = client.post(url, data)
    petition = Petition.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(petition)
    assert petition.origin_meeting_request == meeting_request and petition.channel == rules.INTERNAL
    client.post(url, data)  # a double submit records nothing new
    assert Petition.objects.count() == 1
    assert meeting_request.reference in client.get(_url(petition)).content.decode()


def test_a_petition_from_a_visit(client, secretariat_user, hood):
    import datetime as dt

    from django.utils import timezone

    from scheduling.models import Official
    from scheduling.services import official_create
    from visits.models import FieldVisit

    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    start = timezone.now() - dt.timedelta(days=1)
    visit = FieldVisit.objects.create(neighborhood=hood, official=mayor, start=start, end=start + dt.timedelta(hours=1))
    client.force_login(secretariat_user)
    url = reverse("staff_petitions:from_visit", args=[visit.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"subject": "버스 정류장", "body": "그늘막", "category": "roads", "kind": "general", "submission_key": "v1"},
    )
    assert response.status_code == 302
    assert Petition.objects.get().origin_visit == visit


def _make(count: int):
    Petition.objects.bulk_create(
        Petition(
            reference=f"P2025-{i:05d}",
            channel=rules.WEB,
            subject=f"민원 {i}",
            body="내용",
            phone="010-9876-5432",
            received_at="2025-06-01T10:00:00+09:00",
            answer_due_at="2025-06-10T18:00:00+09:00",
        )
        for i in range(1, count + 1)
    )


@pytest.mark.parametrize("who", ["secretariat_user", "roads_user"])
def test_the_inbox_runs_the_same_queries_for_10_or_1000_petitions(client, request, who, roads):
    user = request.getfixturevalue(who)
    client.force_login(user)
    counts = []
    for total in (10, 1000):
        Petition.objects.all().delete()
        _make(total)
        Petition.objects.update(department=roads)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("staff_petitions:inbox")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_dashboard_shows_the_office_counts(client, secretariat_user, petition, roads):
    client.force_login(secretariat_user)
    html = client.get(reverse("staff:home")).content.decode()
    assert "배정할 민원 1건" in html
