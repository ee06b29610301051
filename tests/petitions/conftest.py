"""What the petition tests share: a neighborhood, the board's form as a
citizen fills it, and the code texted to a phone."""

from __future__ import annotations

import re

import pytest

from scheduling.models import Neighborhood
from tests.meetings.conftest import sent_code  # noqa: F401 (re-exported for the petition tests)

PHONE = "010-2345-6789"


@pytest.fixture
def neighborhood(db):
    return Neighborhood.objects.create(code="N01", name="중앙동")


def board_key(client) -> str:
    """The board's form as served, its submission key."""
    page = client.get("/petitions/").content.decode()
    return re.search(r'name="submission_key" value="([^"]+)"', page).group(1)


def board_form(client, **changes) -> dict:
    data = {
        "name": "김민원",
        "phone": PHONE,
        "email": "",
        "neighborhood": "",
        "category": "roads",
        "subject": "보도블록이 깨졌습니다",
        "text": "중앙로 3번 출구 앞 보도블록이 깨져 넘어질 뻔했습니다. 고쳐 주세요.",
        "consent": "on",
        "submission_key": board_key(client),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
