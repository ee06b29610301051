"""The organisation: officials with their calendars and who substitutes
for whom; the rules the database itself keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scheduling.models import Department, Official
from scheduling.services import calendar_for, official_create, substitution_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    welfare = Department.objects.create(code="welfare", name="복지정책과")
    roads = Department.objects.create(code="roads", name="도로과")
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    first = official_create(
        name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR, substitutes_for=mayor, substitution_order=1
    )
    second = official_create(
        name="박부시장", title="제2부시장", rank=Official.Rank.DEPUTY_MAYOR, substitutes_for=mayor, substitution_order=2
    )
    welfare_director = official_create(
        name="최국장", title="복지국장", rank=Official.Rank.DIRECTOR, department=welfare, substitutes_for=first
    )
    roads_director = official_create(
        name="정국장", title="안전건설국장", rank=Official.Rank.DIRECTOR, department=roads, substitutes_for=second
    )
    return mayor, first, second, welfare_director, roads_director


def test_every_official_has_a_calendar_of_their_own(city):
    calendars = {official.calendar_id for official in city}
    assert len(calendars) == len(city)
    assert city[0].calendar.name == "시장 김시장"


def test_substitution_goes_mayor_then_deputies_then_directors(city):
    mayor, first, second, welfare_director, roads_director = city
    assert substitution_chain(mayor) == [first, second, welfare_director, roads_director]
    assert substitution_chain(first) == [welfare_director]


def test_an_inactive_substitute_is_skipped(city):
    mayor, first, *_ = city
    first.is_active = False
    first.save()
    assert first not in substitution_chain(mayor)


def test_only_one_active_mayor(city):
    # The service refuses with a validation message...
    with pytest.raises(ValidationError):
        official_create(name="또시장", title="시장(2)", rank=Official.Rank.MAYOR)
    # ...and the database refuses even a write that skips the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Official.objects.create(
            name="또시장", title="시장(2)", rank=Official.Rank.MAYOR, calendar=calendar_for(name="x", slug="x")
        )


def test_only_one_secretariat_department(db):
    Department.objects.create(code="sotong", name="감사관 소통민원팀", kind=Department.Kind.SECRETARIAT)
    Department.objects.create(code="r1", name="도로과")
    Department.objects.create(code="r2", name="건축과")  # many regular ones are fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(code="sotong2", name="소통팀2", kind=Department.Kind.SECRETARIAT)


def test_an_official_cannot_substitute_for_themselves(city):
    mayor = city[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Official.objects.filter(pk=mayor.pk).update(substitutes_for=mayor)
