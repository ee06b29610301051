"""The petition office's people and petitions: the secretariat, staff of
the roads department (which owns "roads") and of the parks department, an
official, a stranger; a petition received on the web board."""

from __future__ import annotations

import pytest

from petitions import rules
from petitions.services.core import petition_receive
from scheduling.models import CategoryOwner, Department, Neighborhood, StaffProfile


@pytest.fixture
def roads(db):
    department = Department.objects.create(code="roads", name="도로과")
    CategoryOwner.objects.create(category="roads", department=department)
    return department


@pytest.fixture
def parks(db):
    return Department.objects.create(code="parks", name="공원녹지과")


@pytest.fixture
def hood(db):
    return Neighborhood.objects.create(code="N01", name="중앙동", sort_order=1)


@pytest.fixture
def roads_user(department_user, roads):
    StaffProfile.objects.create(user=department_user, department=roads)
    return department_user


@pytest.fixture
def parks_user(db, django_user_model, parks):
    from django.contrib.auth.models import Group

    from scheduling import roles

    user = django_user_model.objects.create_user(username="parks", password="pw-parks")
    user.groups.add(Group.objects.get(name=roles.DEPARTMENT_STAFF))
    StaffProfile.objects.create(user=user, department=parks)
    return user


def receive(**overrides):
    values = {
        "channel": rules.WEB,
        "subject": "가로등 고장",
        "body": "중앙로 3길 가로등이 일주일째 꺼져 있습니다.",
        "category": "roads",
        "name": "김시민",
        "phone": "010-9876-5432",
    }
    values.update(overrides)
    petition, _created = petition_receive(**values)
    return petition


@pytest.fixture
def petition(pinned_today, hood):
    return receive(neighborhood=hood)
