"""The satisfaction survey: who is asked, the private link, one answer per
link, expiry, the opt-out, the scores in the half-year report and the
comments for staff only."""

import datetime as dt
import re

import pytest
from django.utils import translation

from petitions import reports, rules
from petitions.models import SurveyInvitation, SurveyNotification, SurveyOptOut, SurveyRound
from petitions.services.core import petition_receive, transition
from petitions.surveys.services import LINK_DAYS, half_year_before, survey_round_start
from scheduling import sms
from scheduling.clock import SEOUL
from scheduling.reports.core import Period
from tests.config.test_settings import probe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

FIRST_HALF = Period(dt.date(2026, 1, 1), dt.date(2026, 7, 1), "2026년 상반기", "2026-H1")
JULY_FIRST = dt.date(2026, 7, 1)
LINK = re.compile(r"/survey/([A-Za-z0-9_-]+)/")
BOTH = {rules.SECRETARIAT, rules.DEPARTMENT}


def closed(phone, action="answer", *, month=3, **fields):
    """A petition received and closed in ``month`` of 2026 by ``action``."""
    received = dt.datetime(2026, month, 10, 10, tzinfo=SEOUL)
    petition, _new = petition_receive(
        channel=rules.SMS,
        subject="가로등 고장",
        body="골목 가로등이 꺼져 있습니다.",
        category="praise" if action == "thank" else "roads",
        phone=phone,
        received_at=received,
    )
    for name, value in fields.items():
        setattr(petition, name, value)
    return transition(petition, action, actors=BOTH, now=received + dt.timedelta(hours=2))


def tokens():
    return [LINK.search(message.body)[1] for message in sms.outbox]


@pytest.fixture
def half_year():
    """Six citizens who may be asked (one of them twice), and four who may not."""
    asked = [
        closed("010-1000-0001"),
        closed("010-1000-0001", month=5),  # the same citizen again: one invitation
        closed("010-1000-0002", "guide"),
        closed("010-1000-0003", "transfer", transfer_agency="경찰서"),
        closed("010-1000-0004", month=6),
        closed("010-1000-0005", month=1),
        closed("010-1000-0006", month=2),
    ]
    closed("010-2000-0001", "thank")  # praise: nothing to rate
    closed("010-2000-0002", "to_meeting")  # asked by the meeting's own question
    closed("010-2000-0003", month=8)  # the next half-year
    purged = closed("010-2000-0004")
    purged.purged_at = purged.closed_at
    purged.save(update_fields=["purged_at"])
    return asked


def test_the_round_of_the_half_year_just_ended_starts_in_july_and_january():
    assert half_year_before(JULY_FIRST) == ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    assert half_year_before(dt.date(2027, 1, 4)) == ("2026-H2", dt.date(2026, 7, 1), dt.date(2027, 1, 1))


def test_the_sample_asks_each_number_once_and_never_the_excluded(half_year):
    survey = survey_round_start(today=JULY_FIRST)
    assert survey.period_key == "2026-H1" and survey.eligible == 6
    invitations = SurveyInvitation.objects.filter(round=survey)
    assert invitations.count() == 6
    assert len({invitation.phone_hash for invitation in invitations}) == 6
    assert sorted(message.to for message in sms.outbox) == [f"010-1000-000{n}" for n in range(1, 7)]
    # The latest petition of a number is the one asked about.
    assert invitations.filter(petition=half_year[1]).exists() and not invitations.filter(petition=half_year[0]).exists()
    # The link goes as the registered 알림톡; only its hash is stored, and the sent copy forgets it.
    message = sms.outbox[0]
    assert message.template_code == "TT_PET_SURVEY_V1"
    assert "민원 처리는 만족스러우셨나요?" in message.body
    token = LINK.search(message.body)[1]
    assert not SurveyInvitation.objects.filter(token_hash=token).exists()
    assert all("/survey/…" in row.body for row in SurveyNotification.objects.all())


def test_the_sample_size_is_a_setting_and_a_second_run_starts_nothing(half_year, settings):
    settings.SURVEY_SAMPLE_SIZE = 2
    assert SurveyInvitation.objects.filter(round=survey_round_start(today=JULY_FIRST)).count() == 2
    assert survey_round_start(today=JULY_FIRST + dt.timedelta(days=1)) is None
    assert SurveyRound.objects.count() == 1 and len(sms.outbox) == 2


def test_no_round_outside_the_survey_months(half_year, settings):
    assert survey_round_start(today=dt.date(2026, 8, 3)) is None
    settings.SURVEY_MONTHS = (8,)
    assert survey_round_start(today=dt.date(2026, 8, 3)).period_key == "2026-H1"


def test_an_opted_out_number_is_never_asked_again(half_year, client):
    survey_round_start(today=JULY_FIRST)
    token = tokens()[0]
    response = client.post(f"/survey/{token}/stop/")
    assert response.status_code == 200
    assert SurveyOptOut.objects.count() == 1
    SurveyRound.objects.all().delete()
    sms.outbox.clear()
    survey_round_start(today=JULY_FIRST)
    assert len(sms.outbox) == 5


def _answer(client, token, **overrides):
    data = {"kindness": "5", "handling": "4", "convenience": "3", "environment": "4", "comment": "친절했습니다."}
    data.update(overrides)
    return client.post(f"/survey/{token}/", data)


def test_one_answer_per_link_and_the_page_says_thank_you(half_year, client):
    survey_round_start(today=JULY_FIRST)
    token = tokens()[0]
    with translation.override("ko"):
        page = client.get(f"/survey/{token}/", HTTP_ACCEPT_LANGUAGE="ko")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('type="radio"') == 20 and "<legend>" in html and "<fieldset" in html
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    assert _answer(client, token).status_code == 302
    answered = SurveyInvitation.objects.get(answered_at__isnull=False)
    assert (answered.kindness, answered.handling, answered.convenience, answered.environment) == (5, 4, 3, 4)
    thanks = client.get(f"/survey/{token}/")
    assert thanks.status_code == 200 and "radio" not in thanks.content.decode()
    again = _answer(client, token, kindness="1", comment="두 번째")
    assert again.status_code == 200
    assert SurveyInvitation.objects.get(pk=answered.pk).kindness == 5  # the second answer is refused
    assert SurveyInvitation.objects.filter(answered_at__isnull=False).count() == 1


def test_an_incomplete_answer_is_refused_in_korean(half_year, client):
    survey_round_start(today=JULY_FIRST)
    with translation.override("ko"):
        response = _answer(client, tokens()[0], environment="", kindness="9", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    assert "1점부터 5점" in response.content.decode()
    assert not SurveyInvitation.objects.filter(answered_at__isnull=False).exists()


def test_the_link_expires_after_thirty_days(half_year, client, pinned_clock):
    pinned_clock.move_to(dt.datetime(2026, 7, 1, 10, tzinfo=SEOUL))
    survey_round_start(today=JULY_FIRST)
    token = tokens()[0]
    pinned_clock.move_to(dt.datetime(2026, 7, 1, 10, tzinfo=SEOUL) + dt.timedelta(days=LINK_DAYS, minutes=1))
    assert client.get(f"/survey/{token}/").status_code == 410
    assert _answer(client, token).status_code == 410
    assert not SurveyInvitation.objects.filter(answered_at__isnull=False).exists()


def test_a_wrong_token_is_404_and_the_pages_are_rate_limited(client, settings, half_year):
    assert client.get("/survey/not-a-token/").status_code == 404
    assert client.post("/survey/not-a-token/stop/").status_code == 404
    settings.RATELIMIT_STATUS = "3/m"
    answers = [client.get(f"/survey/forged-{n}/").status_code for n in range(5)]
    assert answers == [404] * 3 + [429] * 2


def test_the_page_speaks_vietnamese_and_chinese(half_year, client):
    survey_round_start(today=JULY_FIRST)
    token = tokens()[0]
    client.cookies["tongtong_language"] = "vi"
    vietnamese = client.get(f"/survey/{token}/").content.decode()
    client.cookies["tongtong_language"] = "zh-hans"
    chinese = client.get(f"/survey/{token}/").content.decode()
    assert 'lang="vi"' in vietnamese and "Quý vị" in vietnamese
    assert 'lang="zh-Hans"' in chinese and "您" in chinese


def test_the_scores_and_response_rate_are_in_the_half_year_report(half_year, client):
    survey_round_start(today=JULY_FIRST)
    links = tokens()
    _answer(client, links[0])
    _answer(client, links[1], kindness="3", handling="2", convenience="5", environment="2", comment="")
    with translation.override("en"):
        survey = reports.survey_section(FIRST_HALF)
    figures = {figure.label: figure.value for figure in survey.figures}
    assert figures["Citizens asked"] == 6
    assert figures["Answers"] == 2
    assert figures["Response rate"] == 33.3
    # (5+3)/2, (4+2)/2, (3+5)/2, (4+2)/2 → 4, 3, 4, 3; all four 3.5
    assert [row[1] for row in survey.tables[0].rows] == [4.0, 3.0, 4.0, 3.0]
    assert figures["Average of the four questions (1–5)"] == 3.5
    # The comments are not in the report (nor its files).
    assert "친절했습니다" not in repr(survey)


def test_the_comments_are_for_the_secretariat_only(half_year, client, secretariat_user, department_user, stranger):
    survey_round_start(today=JULY_FIRST)
    _answer(client, tokens()[0])
    assert client.get("/staff/reports/surveys/").status_code == 302  # to the staff login
    client.force_login(department_user)
    assert client.get("/staff/reports/surveys/").status_code == 403
    client.force_login(stranger)
    assert client.get("/staff/reports/surveys/").status_code == 403
    client.force_login(secretariat_user)
    page = client.get("/staff/reports/surveys/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "친절했습니다." in html and "2026-H1" in html
    assert "010-1000" not in html


@pytest.mark.parametrize(
    ("value", "message"),
    [("13", "SURVEY_MONTHS: '13' is not a month"), ("1,1", "given twice"), ("jan", "is not a month")],
)
def test_a_bad_survey_months_value_stops_the_start_up(value, message):
    result = probe(SURVEY_MONTHS=value)
    assert result.returncode != 0
    assert message in result.stderr
