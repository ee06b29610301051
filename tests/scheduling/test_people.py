"""``staff_label``: how pages, PDFs and messages name a staff member or an
official, and what it falls back to when parts are missing."""

import pytest
from django.template import Context, Template

from scheduling.models import Department, Official, ReportNote, StaffProfile
from scheduling.people import staff_label
from scheduling.services import official_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def roads(db):
    return Department.objects.create(code="roads", name="도로과")


def test_department_name_and_position_in_the_citys_order(django_user_model, roads):
    user = django_user_model.objects.create_user("hong", last_name="홍", first_name="길동")
    StaffProfile.objects.create(user=user, department=roads, position="주무관")
    assert staff_label(user) == "도로과 홍길동 주무관"
    assert staff_label(user, with_department=False) == "홍길동 주무관"


def test_an_official_is_named_by_post_and_name(django_user_model, roads):
    user = django_user_model.objects.create_user("mayor", last_name="김", first_name="통통")
    StaffProfile.objects.create(user=user, department=roads, position="시장")
    official_create(name="김통통", title="시장", rank=Official.Rank.MAYOR, user=user)
    assert staff_label(user) == "시장 김통통"


def test_an_inactive_official_is_named_as_staff(django_user_model, roads):
    user = django_user_model.objects.create_user("former", last_name="박", first_name="전임")
    official = official_create(name="박전임", title="도로과장", rank=Official.Rank.DEPARTMENT_HEAD, department=roads)
    official.user, official.is_active = user, False
    official.save()
    assert staff_label(user) == "박전임"


@pytest.mark.parametrize(
    ("names", "department", "position", "expected"),
    [
        (("", ""), True, "", "도로과"),
        (("", ""), True, "주무관", "도로과 주무관"),
        (("길동", "홍"), False, "", "홍길동"),
        (("Jane", "Doe"), False, "", "Jane Doe"),
        (("", ""), False, "", "login-only"),
    ],
)
def test_parts_left_out_when_missing_and_the_login_id_only_as_a_last_resort(
    django_user_model, roads, names, department, position, expected
):
    first, last = names
    user = django_user_model.objects.create_user("login-only", first_name=first, last_name=last)
    if department or position:
        StaffProfile.objects.create(user=user, department=roads if department else None, position=position)
    assert staff_label(user) == expected


def test_no_user_is_an_empty_label_and_the_filter_is_a_builtin(django_user_model, roads):
    assert staff_label(None) == ""
    user = django_user_model.objects.create_user("hong", last_name="홍", first_name="길동")
    StaffProfile.objects.create(user=user, department=roads, position="팀장")
    assert Template("{{ who|staff_label }}").render(Context({"who": user})) == "도로과 홍길동 팀장"


def test_the_label_needs_no_query_when_selected_with_label_related(django_user_model, roads, django_assert_num_queries):
    from scheduling.people import label_related

    user = django_user_model.objects.create_user("hong", last_name="홍", first_name="길동")
    StaffProfile.objects.create(user=user, department=roads, position="주무관")
    ReportNote.objects.create(period_key="2026-11", text="-", updated_by=user)
    note = ReportNote.objects.select_related(*label_related("updated_by")).get()
    with django_assert_num_queries(0):
        assert staff_label(note.updated_by) == "도로과 홍길동 주무관"
