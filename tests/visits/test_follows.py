"""Following a neighborhood (issue 15, item 5), as a resident uses it: from
the public card, by SMS (the phone verified by a code) or e-mail (confirmed
by a link), the news of its visits, results and suggestions, and a link in
every message that stops them and deletes the contact."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from scheduling.sms import outbox as sms_outbox
from tests.meetings.conftest import sent_code
from visits.follows.services import follow_news_send, follows_purge
from visits.models import FieldVisit, FollowNotification, NeighborhoodFollow, RotationCycle

pytestmark = pytest.mark.django_db

PHONE = "010-3333-4444"
UNFOLLOW = re.compile(r"https?://[^/\s]+(/neighborhoods/unfollow/[^/\s]+/)")


def _follow_by_sms(client, code="N01", phone=PHONE, **headers):
    answer = client.post(
        f"/neighborhoods/{code}/follow/", {"channel": "sms", "phone": phone, "consent": "on"}, **headers
    )
    assert answer["Location"] == f"/neighborhoods/{code}/follow/verify/"
    done = client.post(answer["Location"], {"action": "verify", "code": sent_code(phone)}, **headers)
    assert done.status_code == 200
    return done.content.decode()


def _visit(neighborhood, official, start, *, status=FieldVisit.Status.PLANNED, cycle=None, **fields):
    return FieldVisit.objects.create(
        neighborhood=neighborhood,
        official=official,
        start=start,
        end=start + dt.timedelta(hours=2),
        status=status,
        cycle=cycle,
        **fields,
    )


@pytest.fixture
def now():
    moment = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))
    with time_machine.travel(moment, tick=False) as traveller:
        traveller.moment = moment
        yield traveller


def test_a_resident_follows_by_sms_once_the_phone_is_verified(client, card_org, now):
    page = client.get("/neighborhoods/N01/").content.decode()
    assert "/neighborhoods/N01/follow/" in page
    assert NeighborhoodFollow.objects.count() == 0
    refused = client.post("/neighborhoods/N01/follow/", {"channel": "sms", "phone": "010-33", "consent": "on"})
    assert "휴대전화 번호를 입력해 주세요" in refused.content.decode()
    assert 'value="010-33"' in refused.content.decode()
    no_consent = client.post("/neighborhoods/N01/follow/", {"channel": "sms", "phone": PHONE})
    assert "동의해 주셔야" in no_consent.content.decode()
    assert sms_outbox == []
    done = _follow_by_sms(client)
    follow = NeighborhoodFollow.objects.get()
    assert follow.contact == PHONE and follow.confirmed_at is not None
    assert follow.neighborhood.code == "N01"
    assert "소식" in done


def test_by_e_mail_nothing_is_sent_until_the_link_is_opened(client, card_org, now):
    neighborhood = card_org["neighborhoods"]["N01"]
    answer = client.post("/neighborhoods/N01/follow/", {"channel": "email", "email": "Kim@Example.kr", "consent": "on"})
    assert answer.status_code == 200
    follow = NeighborhoodFollow.objects.get()
    assert follow.contact == "kim@example.kr" and follow.confirmed_at is None
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/neighborhoods/follow/confirm/[^/\s]+/)", mail.outbox[0].body).group(1)
    _visit(neighborhood, card_org["mayor"], now.moment + dt.timedelta(days=3))
    assert follow_news_send() == 0  # unconfirmed: no news
    assert client.get(link).status_code == 200
    follow.refresh_from_db()
    assert follow.confirmed_at is not None
    assert follow_news_send() == 1
    assert "방문" in mail.outbox[-1].body
    # A made-up or tampered link confirms nothing.
    assert client.get("/neighborhoods/follow/confirm/abc/").status_code == 404


def test_an_unconfirmed_e_mail_is_deleted_after_a_week(client, card_org, now):
    client.post("/neighborhoods/N01/follow/", {"channel": "email", "email": "kim@example.kr", "consent": "on"})
    link = re.search(r"(/neighborhoods/follow/confirm/[^/\s]+/)", mail.outbox[0].body).group(1)
    now.shift(dt.timedelta(days=8))
    assert client.get(link).status_code == 404  # too late
    assert follows_purge() == 1
    assert NeighborhoodFollow.objects.count() == 0


def test_the_news_of_a_visit_its_results_and_its_suggestions_each_once(client, card_org, suggestion_at, now):
    neighborhood = card_org["neighborhoods"]["N01"]
    mayor = card_org["mayor"]
    _follow_by_sms(client)
    draft = RotationCycle.objects.create(
        name="초안",
        official=mayor,
        start=now.moment.date(),
        end=now.moment.date() + dt.timedelta(days=700),
        status=RotationCycle.Status.DRAFT,
    )
    _visit(neighborhood, mayor, now.moment + dt.timedelta(days=2), cycle=draft)  # a draft: not public
    _visit(card_org["neighborhoods"]["N02"], mayor, now.moment + dt.timedelta(days=2))  # another neighborhood
    _visit(neighborhood, mayor, now.moment + dt.timedelta(days=30))  # too far ahead yet
    visit = _visit(neighborhood, mayor, now.moment + dt.timedelta(days=3))
    assert follow_news_send() == 1
    assert follow_news_send() == 0  # the next run finds nothing new
    (message,) = sms_outbox
    assert message.to == PHONE
    assert "방문" in message.body and "12. 10." in message.body
    assert UNFOLLOW.search(message.body)

    # Moved: announced again with its new date.
    visit.start += dt.timedelta(days=1)
    visit.end += dt.timedelta(days=1)
    visit.save()
    assert follow_news_send() == 1 and "12. 11." in sms_outbox[-1].body

    # Held and its results published.
    visit.status = FieldVisit.Status.HELD
    visit.results_published_at = now.moment
    visit.save()
    assert follow_news_send() == 1 and "결과" in sms_outbox[-1].body

    # A suggestion heard there is decided (public), then only edited (not news).
    sms_outbox.clear()
    suggestion_at("selected", title="경로당 앞 횡단보도")
    sent = follow_news_send()
    assert sent >= 1
    assert any("경로당 앞 횡단보도" in message.body for message in sms_outbox)
    assert follow_news_send() == 0


def test_every_message_stops_the_news_and_deletes_the_contact(client, card_org, now):
    _follow_by_sms(client)
    _visit(card_org["neighborhoods"]["N01"], card_org["mayor"], now.moment + dt.timedelta(days=3))
    follow_news_send()
    link = UNFOLLOW.search(sms_outbox[-1].body).group(1)
    # Opening the link (a preview, a scanner) asks first.
    page = client.get(link)
    assert (page.status_code == 200 and "그만 받기" in page.content.decode()) or "중단" in page.content.decode()
    assert NeighborhoodFollow.objects.count() == 1
    client.post(link)
    assert NeighborhoodFollow.objects.count() == 0
    assert client.get(link).status_code == 200  # already stopped: says so, no error
    assert FollowNotification.objects.get().follow is None
    # The stored copy keeps no working link.
    assert "/neighborhoods/unfollow/…" in FollowNotification.objects.get().body


def test_a_follow_lapses_after_its_retention_period(client, card_org, now):
    _follow_by_sms(client)
    now.shift(dt.timedelta(days=729))
    assert follows_purge() == 0
    now.shift(dt.timedelta(days=2))
    assert follows_purge() == 1


def test_the_news_is_written_in_the_language_the_resident_used(client, card_org, now):
    client.cookies["tongtong_language"] = "en"
    _follow_by_sms(client, HTTP_ACCEPT_LANGUAGE="en")
    _visit(card_org["neighborhoods"]["N01"], card_org["mayor"], now.moment + dt.timedelta(days=3))
    follow_news_send()
    assert "The mayor visits" in sms_outbox[-1].body
