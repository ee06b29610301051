"""A small city with a mayor, two deputies, the bureau that owns roads
(건설교통국, in the second deputy's portfolio) and its director, a few
neighborhoods and the meeting-day series, for the meetings tests."""

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import MeetingDay
from meetings.services.requests import meeting_request_submit
from meetings.services.review import review_override
from meetings.services.series import meeting_days_sync, series_get_or_create
from scheduling.models import Bureau, CategoryOwner, Department, Neighborhood, Official
from scheduling.services import official_create
from scheduling.workdays import working_calendar

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def city(db):
    bureau = Bureau.objects.create(code="construction", name="건설교통국")
    roads = Department.objects.create(code="roads", name="도로과", bureau=bureau)
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    first = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR, substitution_order=1)
    second = official_create(name="박부시장", title="제2부시장", rank=Official.Rank.DEPUTY_MAYOR, substitution_order=2)
    bureau.deputy_mayor = second
    bureau.save()
    director = official_create(name="정국장", title="건설교통국장", rank=Official.Rank.DIRECTOR, bureau=bureau)
    CategoryOwner.objects.create(category="roads", department=roads)
    Neighborhood.objects.create(code="N01", name="중앙동")
    series = series_get_or_create()
    return {
        "mayor": mayor,
        "first": first,
        "second": second,
        "director": director,
        "roads": roads,
        "bureau": bureau,
        "series": series,
    }


@pytest.fixture
def future_days(city):
    """Meeting days from next week for three months."""
    today = timezone.localdate()
    return [
        d
        for d in meeting_days_sync(start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=80))
        if d.status != "cancelled"
    ]


def another_working_day(day: MeetingDay) -> dt.datetime:
    """Where a test can always move ``day`` to, whatever today is: its start
    time on the first working day after it that holds no other meeting day.
    ("The next weekday" is not enough: after Thu 24 December comes Christmas.)"""
    local = timezone.localtime(day.start)
    calendar = working_calendar(local.date(), local.date() + dt.timedelta(days=60))
    taken = {
        timezone.localtime(start).date()
        for start in MeetingDay.objects.filter(series=day.series, start__gt=day.start)
        .exclude(pk=day.pk)
        .exclude(status=MeetingDay.Status.CANCELLED)
        .values_list("start", flat=True)
    }
    target = calendar.next_working_day(local.date())
    while target in taken:
        target = calendar.next_working_day(target)
    return dt.datetime.combine(target, local.time(), tzinfo=SEOUL)


def submit(days=(), *, clear=True, **overrides):
    """Submit a request as the citizen's form would. ``clear``: the secretariat
    also allows booking it without the department head's review (see
    ``cleared``), as most tests are about what comes after; the review gate's
    own tests pass ``clear=False``."""
    data = {
        "name": "홍길동",
        "phone": "010-1234-5678",
        "neighborhood": Neighborhood.objects.get(code="N01"),
        "category": "roads",
        "subject": "골목길 보수",
        "description": "중앙동 3길 포장이 깨졌습니다.",
        "consent": True,
        "submission_key": uuid.uuid4(),
        "preferred_days": list(days),
    }
    data.update(overrides)
    submission = meeting_request_submit(**data)
    return cleared(submission) if clear and submission.created else submission


def cleared(submission):
    """Let the secretariat book ``submission`` without the department head's
    review (the gate has its own tests in test_review.py): for tests of what
    comes after."""
    review_override(request=submission.request, reason="시험: 검토 생략")
    submission.request.refresh_from_db()
    return submission


@pytest.fixture
def submitted(future_days):
    """A submitted request that may be booked (see ``cleared``)."""
    return submit(future_days[:2])


def free_times(request, official):
    """The free times the substitution proposals give ``official``."""
    from meetings.services.booking import substitute_proposals

    proposals, _problems = substitute_proposals(request)
    return next(p.times for p in proposals if p.official == official)


def first_substitute(request):
    """The first official proposed in the mayor's place, and their free times."""
    from meetings.services.booking import substitute_proposals

    proposals, _problems = substitute_proposals(request)
    proposal = next(p for p in proposals if p.role != "mayor")
    return proposal.official, proposal.times


VERIFY_URL = "/meetings/request/verify/"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
#: The code's message in each language (a Vietnamese SMS loses its marks).
CODE_MESSAGE = re.compile(r"인증번호|verification code|验证码|m[aã] x[aá]c minh", re.IGNORECASE)


def sent_code(phone: str, *, take: bool = True) -> str | None:
    """The verification code last texted to ``phone`` (as the citizen reads
    it on their phone), or None. ``take`` removes that message from the SMS
    outbox, so that a test about the request counts only the messages about
    the request."""
    from scheduling.phones import normalize_mobile
    from scheduling.sms import outbox

    to = normalize_mobile(phone)
    for index in range(len(outbox) - 1, -1, -1):
        message = outbox[index]
        match = CODE.search(message.body)
        if message.to == to and match and CODE_MESSAGE.search(message.body):
            if take:
                del outbox[index]
            return match.group(1)
    return None


def post_request_form(client, data, **kwargs):
    """The request form as a citizen sends it: the form, then the code texted
    to their phone (the one already on it when the form was sent twice).
    Returns the last response: the form again when it has errors, else the
    page the code led to (``follow`` as for ``client.post``)."""
    follow = kwargs.pop("follow", False)
    response = client.post("/meetings/request/", data, **kwargs)
    if response.status_code == 302 and response["Location"] == VERIFY_URL:
        code = sent_code(data["phone"]) or client.last_code
        client.last_code = code
        return client.post(VERIFY_URL, {"action": "verify", "code": code}, follow=follow, **kwargs)
    if follow and response.status_code == 302:
        return client.get(response["Location"], follow=True, **kwargs)
    return response
