"""The audit trails (scheduling/audit.py, docs/privacy.md): every change to
a request, a meeting day, a visit or a suggestion leaves a history row with
the user who made it, which admins can read; viewing or exporting a
citizen's record leaves an access-log row."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Appointment, MeetingDay, MeetingRequest
from meetings.services import booking, review
from meetings.services.series import meeting_day_cancel
from scheduling.audit import acting_as
from scheduling.categories import Category
from scheduling.models import AccessLog, Neighborhood
from tests.meetings import conftest as meetings_fixtures
from visits.cards import services as cs
from visits.models import Suggestion

pytestmark = pytest.mark.django_db

# The meetings tests' small city (a mayor, the series, meeting days ahead).
city = meetings_fixtures.city
future_days = meetings_fixtures.future_days
submitted = meetings_fixtures.submitted
submit = meetings_fixtures.submit

PHONE = "010-1234-5678"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="admin", password="pw-admin")


def history_of(obj):
    return list(type(obj).audit_history.filter(id=obj.pk).order_by("history_date", "history_id"))


# --- Change history ----------------------------------------------------------------


def test_a_change_made_from_the_back_office_names_the_staff_member(client, submitted, secretariat_user):
    request = submitted.request
    client.force_login(secretariat_user)
    response = client.post(f"/staff/meetings/{request.pk}/decline/", {"decline-reason": "동일 민원 처리 중"})
    assert response.status_code == 302
    first, last = history_of(request)[0], history_of(request)[-1]
    assert (first.history_type, first.history_user, first.status) == ("+", None, "submitted")  # the citizen
    assert (last.history_type, last.history_user, last.status) == ("~", secretariat_user, "declined")
    assert last.decline_reason == "동일 민원 처리 중"


def test_a_task_leaves_history_without_a_user_unless_it_acts_for_someone(
    submitted, future_days, secretariat_user, city
):
    request = submitted.request
    review.review_ask(request=request, department=city["roads"])  # e.g. a task: nobody
    assert history_of(request)[-1].history_user is None
    with acting_as(secretariat_user):  # a command run for a member of staff
        appointment = booking.slot_book(request=request, slot=future_days[0].slots.first(), actor=secretariat_user)
    assert history_of(request)[-1].history_user == secretariat_user
    assert history_of(appointment)[0].history_user == secretariat_user
    assert history_of(request)[-1].status == "scheduled"


def test_cancelling_a_meeting_day_leaves_history_on_the_day_the_booking_and_the_request(
    submitted, future_days, secretariat_user
):
    request = submitted.request
    day = future_days[0]
    appointment = booking.slot_book(request=request, slot=day.slots.first())
    with acting_as(secretariat_user):
        meeting_day_cancel(day=day, reason="태풍 예보")
    assert [(h.status, h.history_user) for h in history_of(MeetingDay.objects.get(pk=day.pk))][-1] == (
        "cancelled",
        secretariat_user,
    )
    assert history_of(Appointment.objects.get(pk=appointment.pk))[-1].status == "cancelled"
    assert [h.status for h in history_of(request)][-2:] == ["scheduled", "under_review"]


def test_a_suggestion_keeps_a_history_row_per_change(db, secretariat_user):
    neighborhood = Neighborhood.objects.create(code="N09", name="새동")
    suggestion = cs.suggestion_record(
        neighborhood=neighborhood, source="other", title="벤치 설치", category=Category.PARKS, actor=secretariat_user
    )
    assert [h.history_type for h in history_of(suggestion)] == ["+"]
    assert history_of(suggestion)[0].title == "벤치 설치"


# --- The admin shows the history, masked, read only ------------------------------------


def test_the_admin_history_of_a_request_names_who_and_masks_the_phone(client, submitted, secretariat_user, superuser):
    request = submitted.request
    client.force_login(secretariat_user)
    client.post(f"/staff/meetings/{request.pk}/decline/", {"decline-reason": "동일 민원 처리 중"})
    # A phone corrected in the database (a data fix): the change shows masked.
    fixed = MeetingRequest.objects.get(pk=request.pk)
    fixed.phone = "010-9999-8888"
    fixed.save()

    client.force_login(superuser)
    page = client.get(reverse("admin:meetings_meetingrequest_history", args=[request.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "secretariat" in html and "동일 민원 처리 중" in html
    assert "010-****-5678" in html and "010-****-8888" in html
    assert PHONE not in html and "010-9999-8888" not in html
    change = client.get(reverse("admin:meetings_meetingrequest_change", args=[request.pk])).content.decode()
    assert "010-****-8888" in change and "010-9999-8888" not in change


def test_history_is_for_superusers_and_auditors_and_never_reverts(client, submitted, secretariat_user, superuser):
    request = submitted.request
    url = reverse("admin:meetings_meetingrequest_history", args=[request.pk])
    secretariat_user.is_staff = True
    secretariat_user.save()
    client.force_login(secretariat_user)  # sees the request in the admin, not its history
    assert client.get(reverse("admin:meetings_meetingrequest_change", args=[request.pk])).status_code == 200
    assert client.get(url).status_code == 403

    client.force_login(superuser)
    version = history_of(request)[0]
    form_url = reverse("admin:meetings_meetingrequest_simple_history", args=[request.pk, version.history_id])
    assert client.get(form_url).status_code == 403
    assert client.post(form_url, {"name": "바꾼 이름"}).status_code == 403
    assert MeetingRequest.objects.get(pk=request.pk).name == "홍길동"


# --- Access log -------------------------------------------------------------------------


def test_viewing_a_request_writes_one_access_row_with_the_user(client, submitted, secretariat_user):
    request = submitted.request
    client.force_login(secretariat_user)
    assert client.get("/staff/meetings/").status_code == 200  # a list with masked phones: not a record
    assert not AccessLog.objects.exists()
    response = client.get(f"/staff/meetings/{request.pk}/")
    assert response.status_code == 200 and PHONE in response.content.decode()
    (row,) = AccessLog.objects.all()
    assert (row.user, row.action, row.object_label) == (
        secretariat_user,
        "view",
        f"meetings.MeetingRequest:{request.pk}",
    )
    assert row.path == f"/staff/meetings/{request.pk}/" and row.remote_addr == "127.0.0.1"
    assert abs(row.at - timezone.now()) < dt.timedelta(minutes=1)
    assert "홍길동" not in str(row.__dict__), "the log names the record, not the citizen"


def test_a_stranger_who_is_refused_the_page_leaves_no_access_row(client, submitted, stranger):
    client.force_login(stranger)
    assert client.get(f"/staff/meetings/{submitted.request.pk}/").status_code == 403
    assert not AccessLog.objects.exists()


def test_printing_a_run_sheet_logs_each_citizen_on_it_as_exported(client, future_days, secretariat_user):
    day = future_days[0]
    first, second = submit(future_days[:1]).request, submit(future_days[:1], name="김철수").request
    slots = list(day.slots.all())
    booking.slot_book(request=first, slot=slots[0])
    booking.slot_book(request=second, slot=slots[1])
    client.force_login(secretariat_user)
    assert client.get(f"/staff/meetings/days/{day.pk}/run-sheet/").status_code == 200
    assert sorted(AccessLog.objects.values_list("action", "object_label")) == sorted(
        [("export", f"meetings.MeetingRequest:{first.pk}"), ("export", f"meetings.MeetingRequest:{second.pk}")]
    )


def test_a_suggestion_page_is_logged_when_it_shows_a_contact(client, db, secretariat_user):
    neighborhood = Neighborhood.objects.create(code="N09", name="새동")

    def record(**contact):
        return cs.suggestion_record(
            neighborhood=neighborhood,
            source=Suggestion.Source.OTHER,
            title="가로등",
            category=Category.ROADS,
            actor=secretariat_user,
            **contact,
        )

    with_contact = record(contact_phone=PHONE, contact_consent=True)
    without = record()
    client.force_login(secretariat_user)
    assert client.get(reverse("staff_cards:suggestion", args=[without.pk])).status_code == 200
    assert not AccessLog.objects.exists()
    page = client.get(reverse("staff_cards:suggestion", args=[with_contact.pk]))
    assert page.status_code == 200 and PHONE in page.content.decode()
    (row,) = AccessLog.objects.all()
    assert (row.user, row.object_label) == (secretariat_user, f"visits.Suggestion:{with_contact.pk}")


def test_the_access_log_is_for_superusers_only_and_read_only(client, submitted, secretariat_user, superuser):
    client.force_login(secretariat_user)
    client.get(f"/staff/meetings/{submitted.request.pk}/")
    url = reverse("admin:scheduling_accesslog_changelist")
    secretariat_user.is_staff = True
    secretariat_user.save()
    assert client.get(url).status_code == 403
    client.force_login(superuser)
    page = client.get(url)
    assert page.status_code == 200 and f"meetings.MeetingRequest:{submitted.request.pk}" in page.content.decode()
    row = AccessLog.objects.get()
    assert client.get(reverse("admin:scheduling_accesslog_delete", args=[row.pk])).status_code == 403
    assert client.get(reverse("admin:scheduling_accesslog_add")).status_code == 403
