"""A small city for the instructions: two departments, a neighborhood, the
secretariat, a member of the roads department and one of the parks
department (each with an e-mail), on the pinned day (Tue 17 Nov 2026)."""

from __future__ import annotations

import datetime as dt

import pytest

from petitions.instructions import services
from scheduling.models import Department, Neighborhood, StaffProfile

pytestmark = pytest.mark.usefixtures("pinned_today")

DUE = dt.date(2026, 11, 27)  # a Friday, two weeks after nothing in particular


@pytest.fixture
def roads(db):
    return Department.objects.create(code="roads", name="도로과")


@pytest.fixture
def parks(db):
    return Department.objects.create(code="parks", name="공원녹지과")


@pytest.fixture
def hood(db):
    return Neighborhood.objects.create(code="1101", name="중앙동")


@pytest.fixture
def roads_user(department_user, roads):
    department_user.email = "roads@city.example"
    department_user.save()
    StaffProfile.objects.create(user=department_user, department=roads, position="주무관")
    return department_user


@pytest.fixture
def parks_user(django_user_model, parks):
    from django.contrib.auth.models import Group

    from scheduling import roles

    user = django_user_model.objects.create_user(username="parks", password="pw-parks", email="parks@city.example")
    user.groups.add(Group.objects.get(name=roles.DEPARTMENT_STAFF))
    StaffProfile.objects.create(user=user, department=parks, position="주무관")
    return user


@pytest.fixture
def record(secretariat_user, roads, hood):
    def make(**overrides):
        values = {
            "title": "횡단보도 신호 시간 연장",
            "text": "경로당 앞 신호가 짧습니다.",
            "department": roads,
            "due_on": DUE,
            "neighborhood": hood,
            "actor": secretariat_user,
        }
        values.update(overrides)
        return services.instruction_record(**values)

    return make


@pytest.fixture
def instruction(record):
    return record()
