"""The demo city includes TongTong Day's category owners, so substitution
proposals work out of the box."""

from io import StringIO

import pytest
from django.core.management import call_command

from scheduling.categories import Category
from scheduling.models import CategoryOwner


@pytest.mark.django_db
def test_seed_demo_maps_every_category_to_a_department_once():
    call_command("seed_demo", force=True, no_history=True, stdout=StringIO())
    call_command("seed_demo", force=True, no_history=True, stdout=StringIO())
    owners = dict(CategoryOwner.objects.values_list("category", "department__name"))
    assert set(owners) == set(Category.values)
    assert owners["roads"] == "도로과"
    assert owners["parking"] == "교통행정과"
