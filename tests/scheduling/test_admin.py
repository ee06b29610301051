"""The organisation data in the admin: searchable and filterable, and only
for those allowed."""

import pytest

from scheduling.models import CityClosure, Department, Neighborhood, Official
from scheduling.services import official_create


@pytest.fixture
def data(db):
    Department.objects.create(code="roads", name="도로과")
    Neighborhood.objects.create(code="N01", name="중앙동", is_outlying_area=True)
    Neighborhood.objects.create(code="N02", name="신흥동")
    CityClosure.objects.create(date="2026-07-01", name="시 개청 기념일")
    official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


@pytest.fixture
def secretariat_admin(secretariat_user):
    secretariat_user.is_staff = True
    secretariat_user.save()
    return secretariat_user


@pytest.mark.parametrize(
    ("url", "expected", "absent"),
    [
        ("/admin/scheduling/neighborhood/?q=중앙", "중앙동", "신흥동"),
        ("/admin/scheduling/neighborhood/?priority=yes", "중앙동", "신흥동"),
        ("/admin/scheduling/neighborhood/?priority=no", "신흥동", "중앙동"),
        ("/admin/scheduling/department/?q=도로", "도로과", None),
        ("/admin/scheduling/official/?rank__exact=mayor", "김시장", None),
        ("/admin/scheduling/cityclosure/?q=개청", "시 개청 기념일", None),
    ],
)
def test_secretariat_searches_and_filters(client, data, secretariat_admin, url, expected, absent):
    client.force_login(secretariat_admin)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    if absent:
        assert absent not in page


def test_secretariat_adds_an_official_who_gets_a_calendar(client, data, secretariat_admin):
    client.force_login(secretariat_admin)
    response = client.post(
        "/admin/scheduling/official/add/",
        {"name": "이부시장", "title": "제1부시장", "rank": "deputy_mayor", "substitution_order": 1, "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    deputy = Official.objects.get(title="제1부시장")
    assert deputy.calendar_id is not None


def test_department_staff_cannot_change_neighborhoods(client, data, department_user):
    department_user.is_staff = True
    department_user.save()
    client.force_login(department_user)
    assert client.get("/admin/scheduling/neighborhood/").status_code == 200  # may look
    assert client.get(f"/admin/scheduling/neighborhood/{Neighborhood.objects.first().pk}/change/").status_code == 200
    response = client.post(
        f"/admin/scheduling/neighborhood/{Neighborhood.objects.first().pk}/change/", {"code": "N01", "name": "바뀜"}
    )
    assert response.status_code == 403
    assert not Neighborhood.objects.filter(name="바뀜").exists()
