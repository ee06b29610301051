"""The request forms refuse HTML in free text, at the counter as online."""

import uuid

import pytest

from meetings.public.forms import FeedbackForm, OtherDayForm, PublicRequestForm, StaffIntakeForm
from meetings.selectors import bookable_meeting_days
from meetings.staff.forms import IntakeForm
from tests.scheduling.test_form_renderer import both_renderers, widgets_html


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


@pytest.mark.django_db
def test_the_request_forms_are_written_as_djangos_templates_write_them(city, pinned_today):
    days = bookable_meeting_days()
    key = {"submission_key": "2b1e4a52-8a39-4a43-9d3c-0b6f0b8a0f11"}  # else a new one for each form
    bad = {**key, "name": "", "phone": "12", "preferred_days": [days[0].original_date.isoformat()], "consent": ""}
    for data in (None, bad):
        for make in (
            lambda r, d=data: PublicRequestForm(d, bookable_days=days, initial=key, renderer=r),
            lambda r, d=data: IntakeForm(d, bookable_days=days, initial=key, renderer=r),
            lambda r, d=data: OtherDayForm(d, days=days, renderer=r),
            lambda r, d=data: FeedbackForm(d, renderer=r),
        ):
            quick, django_ = both_renderers(make)
            assert widgets_html(quick) == widgets_html(django_)
