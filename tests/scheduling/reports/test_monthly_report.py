"""The monthly report outside the browser: ``manage.py monthly_report`` and
the e-mail to the secretariat on the 1st (celery beat), sent once even when
two beat processes were started by mistake, retried (a bounded number of
times) when the mail server fails."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from scheduling import roles
from scheduling.models import CityClosure, ReportRun
from scheduling.reports import services
from scheduling.tasks import send_monthly_report
from tests.scheduling.reports import test_outputs as test_report_outputs
from tests.scheduling.reports.test_outputs import Workbook, _read_csv
from tests.scheduling.test_pdf import assert_fonts_embedded, pdf_text

#: The report source of our own (a fixture), shared with test_report_outputs.
fake_source = test_report_outputs.fake_source


class BrokenMailServer(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def recipients(django_user_model):
    """Two secretariat members with an address, one without, one who left,
    and a department member (who gets nothing)."""
    secretariat = Group.objects.get(name=roles.SECRETARIAT)
    people = {}
    for username, email, active, group in [
        ("kim", "kim@city.example", True, secretariat),
        ("lee", "Lee@city.example", True, secretariat),
        ("park", "", True, secretariat),
        ("choi", "choi@city.example", False, secretariat),
        ("jung", "jung@city.example", True, Group.objects.get(name=roles.DEPARTMENT_STAFF)),
    ]:
        user = django_user_model.objects.create_user(username=username, email=email, is_active=active)
        user.groups.add(group)
        people[username] = user
    return people


# --- The command --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_writes_a_month_as_pdf(tmp_path, fake_source):
    CityClosure.objects.create(date=dt.date(2026, 10, 2), name="개청기념일")
    output = tmp_path / "report-2026-10.pdf"
    out = io.StringIO()
    call_command("monthly_report", "--month", "2026-10", "--output", str(output), stdout=out)
    data = output.read_bytes()
    text = pdf_text(data)
    assert "2026년 10월" in text and "휴무일 현황" in text and "개청기념일" in text
    assert_fonts_embedded(data)
    printed = out.getvalue()
    assert "2026년 10월" in printed and str(output) in printed
    assert "휴무일 현황 · 휴무일 수: " in printed


@pytest.mark.django_db
def test_the_command_writes_xlsx_and_csv_by_extension_or_format(tmp_path, fake_source):
    xlsx = tmp_path / "report.xlsx"
    call_command("monthly_report", "--month", "2026-10", "--output", str(xlsx), stdout=io.StringIO())
    assert "휴무 사유별 일수" in Workbook(xlsx.read_bytes()).sheet_names

    archive = tmp_path / "report.zip"
    call_command("monthly_report", "--month", "2026-10", "--output", str(archive), stdout=io.StringIO())
    with zipfile.ZipFile(archive) as opened:
        assert _read_csv(opened.read("2026-10_closures_by_name.csv")) == [["사유", "일수"], ["합계", "0"]]

    odd = tmp_path / "report.bin"
    call_command("monthly_report", "--month", "2026-10", "--output", str(odd), "--format", "pdf", stdout=io.StringIO())
    assert odd.read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_the_command_defaults_to_last_month(pinned_today, tmp_path):
    output = tmp_path / "last.pdf"
    out = io.StringIO()
    call_command("monthly_report", "--output", str(output), stdout=out)
    assert "2026년 10월" in out.getvalue()  # pinned in November 2026


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-13", "2026-1", "10-2026", "2026-H1"])
def test_the_command_refuses_a_bad_month(tmp_path, month):
    output = tmp_path / "x.pdf"
    with pytest.raises(CommandError):
        call_command("monthly_report", "--month", month, "--output", str(output), stdout=io.StringIO())
    assert not output.exists()


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_extension(tmp_path):
    with pytest.raises(CommandError):
        call_command("monthly_report", "--month", "2026-10", "--output", str(tmp_path / "x.doc"), stdout=io.StringIO())


# --- The e-mail ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_report_is_emailed_to_the_secretariat_with_the_pdf(recipients, settings, fake_source):
    settings.REPORT_RECIPIENTS = ["mayor-office@city.example", "KIM@city.example"]
    run = services.monthly_report_send(month="2026-10")
    assert run.status == ReportRun.Status.SENT and run.sent_at is not None
    (message,) = mail.outbox
    assert set(message.to) == {"kim@city.example", "Lee@city.example", "mayor-office@city.example"}
    assert "2026년 10월" in message.subject
    assert "휴무일 현황 · 휴무일 수" in message.body
    ((name, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf" and name.endswith(".pdf") and "2026년 10월" in name
    assert "휴무일 현황" in pdf_text(content)


@pytest.mark.django_db
def test_sent_once_when_asked_twice(recipients):
    first = services.monthly_report_send(month="2026-10")
    second = services.monthly_report_send(month="2026-10")
    assert first.status == ReportRun.Status.SENT
    assert second is None
    assert len(mail.outbox) == 1
    # Another month is another e-mail.
    services.monthly_report_send(month="2026-11")
    assert len(mail.outbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_send_one_email(recipients):
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL (set DATABASE_URL); on SQLite see test_sent_once_when_asked_twice")
    count = 4
    barrier = threading.Barrier(count)
    results = [None] * count

    def beat(i):
        try:
            barrier.wait(timeout=30)
            results[i] = services.monthly_report_send(month="2026-10")
        finally:
            connection.close()

    threads = [threading.Thread(target=beat, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    sent = [run for run in results if run is not None]
    assert len(sent) == 1 and sent[0].status == ReportRun.Status.SENT
    assert len(mail.outbox) == 1
    assert ReportRun.objects.get().attempts == 1


@pytest.mark.django_db
def test_a_failed_sending_is_retried_a_bounded_number_of_times(recipients, settings):
    settings.EMAIL_BACKEND = "tests.scheduling.reports.test_monthly_report.BrokenMailServer"
    run = services.monthly_report_send(month="2026-10")
    assert run.status == ReportRun.Status.FAILED and "mail server down" in run.last_error
    for attempt in range(2, services.MONTHLY_EMAIL_MAX_ATTEMPTS + 1):
        run = services.monthly_report_send(month="2026-10")
        assert (run.status, run.attempts) == (ReportRun.Status.FAILED, attempt)
    # Enough: no more tries, even once the server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.monthly_report_send(month="2026-10") is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_retry_sends_a_failed_report_and_only_a_failed_one(recipients, settings):
    settings.EMAIL_BACKEND = "tests.scheduling.reports.test_monthly_report.BrokenMailServer"
    assert services.monthly_report_send(month="2026-10").status == ReportRun.Status.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run = services.monthly_report_send(month="2026-10")
    assert (run.status, run.attempts) == (ReportRun.Status.SENT, 2)
    assert len(mail.outbox) == 1
    assert services.monthly_report_send(month="2026-10") is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_with_nobody_to_send_to_the_run_fails_visibly(settings):
    settings.REPORT_RECIPIENTS = []
    run = services.monthly_report_send(month="2026-10")
    assert run.status == ReportRun.Status.FAILED and run.last_error
    assert mail.outbox == []


# --- The celery task and its schedule -------------------------------------------------------


@pytest.mark.django_db
def test_the_task_sends_last_months_report(pinned_today, recipients):
    send_monthly_report.delay()
    (message,) = mail.outbox
    assert "2026년 10월" in message.subject  # pinned in November 2026
    assert ReportRun.objects.get().period_key == "2026-10"
    # The second beat's task finds it sent.
    send_monthly_report.delay()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_task_retries_a_failed_sending_a_bounded_number_of_times(recipients, settings):
    from config.celery import app

    settings.EMAIL_BACKEND = "tests.scheduling.reports.test_monthly_report.BrokenMailServer"
    # Eager, a retry runs at once instead of 15 minutes later (and is not
    # raised to the caller as it would be with eager propagation).
    app.conf.task_eager_propagates = False
    result = send_monthly_report.apply(args=["2026-10"])
    assert result.get() == ReportRun.Status.FAILED
    run = ReportRun.objects.get()
    assert (run.status, run.attempts) == (ReportRun.Status.FAILED, services.MONTHLY_EMAIL_MAX_ATTEMPTS)


def test_beat_sends_it_on_the_first_at_eight_seoul_time():
    entry = django_settings.CELERY_BEAT_SCHEDULE["send-monthly-report"]
    assert entry["task"] == "scheduling.send_monthly_report"
    assert entry["schedule"] == crontab(minute=0, hour=8, day_of_month=1)
    assert django_settings.CELERY_TIMEZONE == "Asia/Seoul" == django_settings.TIME_ZONE
    # The schedule is due at 08:00 on the 1st in Seoul, which is 23:00 UTC the day before.
    from config.celery import app

    now = dt.datetime(2026, 10, 31, 12, 0, tzinfo=dt.UTC)  # 21:00 in Seoul
    schedule = crontab(minute=0, hour=8, day_of_month=1, app=app, nowfun=lambda: now.astimezone(app.timezone))
    due = (now + schedule.remaining_estimate(now)).astimezone(timezone.get_fixed_timezone(9 * 60))
    assert (due.month, due.day, due.hour, due.minute) == (11, 1, 8, 0)
