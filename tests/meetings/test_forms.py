"""The request forms refuse HTML in free text, at the counter as online."""

import uuid

import pytest

from meetings.forms import PublicRequestForm, StaffIntakeForm


@pytest.mark.parametrize("form_class", [PublicRequestForm, StaffIntakeForm])
def test_html_in_free_text_is_refused_in_korean(city, form_class):
    from scheduling.models import Neighborhood

    data = {
        "name": "홍길동",
        "phone": "010-1234-5678",
        "neighborhood": Neighborhood.objects.get(code="N01").pk,
        "category": "roads",
        "subject": "<script>alert(1)</script>",
        "description": "골목길 포장",
        "group_size": 1,
        "consent": "on",
        "submission_key": str(uuid.uuid4()),
        "channel": "phone",
    }
    form = form_class(data)
    assert not form.is_valid()
    assert "일반 글자로 입력해 주세요" in str(form.errors["subject"])
