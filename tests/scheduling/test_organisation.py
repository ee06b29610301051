"""The organisation as a city has it: bureaus above departments, deputy
mayors' portfolios, department heads; the one substitution rule read from
it (scheduling/organisation.py); the check that names every category with
no director path; the rules the database itself keeps."""

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from scheduling.calendars import calendar_for
from scheduling.categories import Category
from scheduling.models import Bureau, CategoryOwner, Department, Official
from scheduling.organisation import Role, organisation_problems, substitution_candidates
from scheduling.services import official_create

pytestmark = pytest.mark.django_db

DIRECTOR, HEAD = Official.Rank.DIRECTOR, Official.Rank.DEPARTMENT_HEAD


@pytest.fixture
def city():
    """Two deputy mayors with a bureau each; 도로과 under 건설교통국 (제2부시장),
    복지정책과 under 복지국 (제1부시장)."""
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    first = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR, substitution_order=1)
    second = official_create(name="박부시장", title="제2부시장", rank=Official.Rank.DEPUTY_MAYOR, substitution_order=2)
    welfare_bureau = Bureau.objects.create(code="welfare", name="복지국", deputy_mayor=first)
    construction = Bureau.objects.create(code="construction", name="건설교통국", deputy_mayor=second)
    welfare = Department.objects.create(code="welfare", name="복지정책과", bureau=welfare_bureau)
    roads = Department.objects.create(code="roads", name="도로과", bureau=construction)
    welfare_director = official_create(name="최국장", title="복지국장", rank=DIRECTOR, bureau=welfare_bureau)
    roads_director = official_create(name="정국장", title="건설교통국장", rank=DIRECTOR, bureau=construction)
    roads_head = official_create(name="임과장", title="도로과장", rank=HEAD, department=roads)
    CategoryOwner.objects.create(category="roads", department=roads)
    CategoryOwner.objects.create(category="welfare", department=welfare)
    return {
        "mayor": mayor,
        "first": first,
        "second": second,
        "welfare_director": welfare_director,
        "roads_director": roads_director,
        "roads_head": roads_head,
        "roads": roads,
        "construction": construction,
    }


def _who(category):
    candidates, problems = substitution_candidates(category)
    return [(c.official, c.role) for c in candidates], problems


def test_every_official_has_a_calendar_of_their_own(city):
    officials = list(Official.objects.all())
    assert len({official.calendar_id for official in officials}) == len(officials)
    assert city["mayor"].calendar.name == "시장 김시장"


def test_roads_go_mayor_then_its_deputy_then_the_other_then_the_bureau_director(city):
    who, problems = _who("roads")
    assert who == [
        (city["mayor"], Role.MAYOR),
        (city["second"], Role.PORTFOLIO_DEPUTY),  # 건설교통국 is in 제2부시장's portfolio
        (city["first"], Role.OTHER_DEPUTY),
        (city["roads_director"], Role.DIRECTOR),
    ]
    assert problems == []


def test_welfare_goes_to_the_other_deputy_first_and_its_own_director(city):
    who, _problems = _who("welfare")
    assert [official for official, _role in who] == [
        city["mayor"],
        city["first"],
        city["second"],
        city["welfare_director"],
    ]


def test_each_proposal_says_why_in_korean(city):
    candidates, _problems = substitution_candidates("roads")
    reasons = {c.role: c.reason for c in candidates}
    assert reasons[Role.DIRECTOR] == "건설교통국 소관: 도로과"
    assert "건설교통국" in reasons[Role.PORTFOLIO_DEPUTY]
    assert "통통데이" in reasons[Role.MAYOR]


def test_the_department_head_is_proposed_last_when_the_city_wants_it(city):
    with override_settings(MEETING_SUBSTITUTE_DEPARTMENT_HEADS=True):
        who, _problems = _who("roads")
    assert who[-1] == (city["roads_head"], Role.DEPARTMENT_HEAD)
    who, _problems = _who("roads")
    assert city["roads_head"] not in [official for official, _role in who]


def test_an_inactive_deputy_is_skipped_and_the_path_says_so(city):
    city["second"].is_active = False
    city["second"].save()
    who, problems = _who("roads")
    assert city["second"] not in [official for official, _role in who]
    assert any("건설교통국" in problem and "부시장" in problem for problem in problems)


def test_a_category_whose_owner_was_removed_gets_a_clear_problem_not_an_empty_list(city):
    CategoryOwner.objects.filter(category="roads").delete()
    who, problems = _who("roads")
    # The deputies are still offered; the missing director is explained.
    assert [role for _official, role in who] == [Role.MAYOR, Role.OTHER_DEPUTY, Role.OTHER_DEPUTY]
    assert problems == ["“도로·시설물” 분야의 소관 부서가 없습니다. ‘분야별 소관 부서’에서 지정하세요."]


def test_the_check_names_every_category_without_a_director_path(city):
    messages = checks.run_checks()
    texts = [m.msg for m in messages if m.id == "tongtong.W001"]
    # 20 categories, two owned with a full path: the other 18 are named.
    unowned = [c for c in Category.values if c not in ("roads", "welfare")]
    assert len([t for t in texts if "소관 부서가 없습니다" in t]) == len(unowned)
    for category in unowned:
        assert any(str(Category(category).label) in t for t in texts), category
    # 복지정책과 has no head to review requests: said too.
    assert any("복지정책과" in t and "부서장" in t for t in texts)
    assert not any("도로·시설물" in t for t in texts)


def test_a_department_outside_any_bureau_and_a_bureau_without_a_director_are_named(city):
    parks = Department.objects.create(code="parks", name="공원녹지과")
    CategoryOwner.objects.create(category="parks", department=parks)
    city["roads_director"].is_active = False
    city["roads_director"].save()
    problems = organisation_problems()
    assert any("공원녹지과" in p and "실·국·소" in p for p in problems)
    assert any("건설교통국의 장이 지정되어 있지 않습니다" in p and "도로·시설물" in p for p in problems)


def test_a_fresh_install_without_an_organisation_has_no_problems_to_report(db):
    assert organisation_problems() == []


def test_only_one_active_mayor(city):
    # The service refuses with a validation message...
    with pytest.raises(ValidationError):
        official_create(name="또시장", title="시장(2)", rank=Official.Rank.MAYOR)
    # ...and the database refuses even a write that skips the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Official.objects.create(
            name="또시장", title="시장(2)", rank=Official.Rank.MAYOR, calendar=calendar_for(name="x", slug="x")
        )


def test_one_active_director_per_bureau_and_one_head_per_department(city):
    with pytest.raises(ValidationError):
        official_create(name="또국장", title="건설교통국장(2)", rank=DIRECTOR, bureau=city["construction"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Official.objects.create(
            name="또과장",
            title="도로과장(2)",
            rank=Official.Rank.DEPARTMENT_HEAD,
            department=city["roads"],
            calendar=calendar_for(name="y", slug="y"),
        )


def test_a_department_head_needs_a_department_and_only_directors_head_bureaus(city):
    with pytest.raises(ValidationError):
        official_create(name="과장", title="무소속과장", rank=Official.Rank.DEPARTMENT_HEAD)
    with pytest.raises(ValidationError):
        official_create(name="부시장", title="제3부시장", rank=Official.Rank.DEPUTY_MAYOR, bureau=city["construction"])


def test_only_one_secretariat_department(db):
    Department.objects.create(code="sotong", name="감사관 소통민원팀", kind=Department.Kind.SECRETARIAT)
    Department.objects.create(code="r1", name="도로과")
    Department.objects.create(code="r2", name="건축과")  # many regular ones are fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(code="sotong2", name="소통팀2", kind=Department.Kind.SECRETARIAT)
