"""A citizen's mobile number and e-mail address never show in full in a
row's text (``__str__``: the admin's titles, "recent actions", any list of
rows) nor in the admin's list columns and pages (issue 14, docs/privacy.md):
the full contact is on the request's and the suggestion's staff pages only,
where each view is logged.

Generic on purpose: the models that hold a citizen's contact are found by
their fields (``phone``, ``email``, ``recipient`` in the name) over
``apps.get_models()``, and each must have a builder below, so a new model
with a contact fails here until it is covered. Every row in the database
(whatever its model) is then rendered with ``str``, and every admin list and
every change and history page of those models is read as a superuser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from scheduling.categories import Category
from scheduling.models import Neighborhood

pytestmark = pytest.mark.django_db

PHONE = "010-9876-5432"
EMAIL = "citizen.kim@example.com"
#: Every form the full contact could take on a page.
FULL = (PHONE, "01098765432", "9876-5432", "98765432", EMAIL, "citizen.kim")

CONTACT_FIELD = re.compile(r"phone|e_?mail|recipient|^contact$")
#: Contacts that are not a citizen's: staff accounts, a department's office
#: line, the staff who receive the monthly report, the staff member told
#: that their calendar feed's address expires.
NOT_A_CITIZENS = frozenset(
    {
        "auth.User.email",
        "scheduling.Department.phone",
        "scheduling.StaffProfile.phone",
        "scheduling.ReportRun.recipients",
        "scheduling.FeedNotification.recipient",
        # The overdue reminder to a department's staff; building security's own contact.
        "petitions.InstructionNotification.recipient",
        "petitions.RoomNotification.recipient",
        # The satisfaction survey knows a number only by its SHA-256.
        "petitions.SurveyInvitation.phone_hash",
        "petitions.SurveyOptOut.phone_hash",
    }
)


def contact_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and CONTACT_FIELD.search(field.name)
        and f"{model._meta.label}.{field.name}" not in NOT_A_CITIZENS
    ]


def models_with_a_citizen_contact() -> set[str]:
    return {model._meta.label for model in apps.get_models() if contact_fields(model)}


# --- One row of each, with the distinctive contact ------------------------------------


def _meeting_request():
    from meetings.models import MeetingRequest

    now = timezone.now()
    neighborhood = Neighborhood.objects.create(name="중앙동", code="N01")
    return MeetingRequest.objects.create(
        reference="2026-0042",
        name="김시민",
        phone=PHONE,
        email=EMAIL,
        neighborhood=neighborhood,
        category=Category.ROADS,
        subject="골목 가로등",
        description="밤에 어둡습니다.",
        consent_at=now,
        token_hash="a" * 64,
        submitted_at=now,
        answer_due_at=now + dt.timedelta(days=7),
    )


def _suggestion():
    from visits.models import Suggestion

    neighborhood = Neighborhood.objects.get_or_create(code="N01", defaults={"name": "중앙동"})[0]
    return Suggestion.objects.create(
        neighborhood=neighborhood,
        source=Suggestion.Source.OTHER,
        title="버스 정류장 그늘막",
        category=Category.ROADS,
        contact_phone=PHONE,
        contact_email=EMAIL,
        contact_consent_at=timezone.now(),
    )


def _petition():
    from petitions.models import InboundMessage, Petition

    now = timezone.now()
    petition = Petition.objects.create(
        reference="P2026-00042",
        channel="sms",
        subject="골목 가로등",
        body="밤에 어둡습니다.",
        name="김시민",
        phone=PHONE,
        email=EMAIL,
        received_at=now,
        answer_due_at=now + dt.timedelta(days=7),
    )
    inbound = InboundMessage.objects.create(
        provider="solapi", message_id="m-1", phone=PHONE, text="가로등", received_at=now, petition=petition
    )
    return petition, inbound


def _outbox(model, about: dict) -> list:
    return [
        model.objects.create(
            **about, kind="submitted", channel=channel, recipient=recipient, body="안내", dedupe_key=f"t-{channel}"
        )
        for channel, recipient in (("sms", PHONE), ("email", EMAIL))
    ]


def build_rows() -> dict[str, list]:
    """Model label → the rows holding the contact (history rows included)."""
    from meetings.models import Notification
    from petitions.models import PetitionNotification, SurveyNotification
    from scheduling.models import PhoneVerification, VerificationMessage
    from visits.models import FollowNotification, NeighborhoodFollow, SuggestionNotification

    request = _meeting_request()
    suggestion = _suggestion()
    petition, inbound = _petition()
    verification = PhoneVerification.objects.create(
        purpose=PhoneVerification.Purpose.MEETING_REQUEST,
        phone=PHONE,
        code_hash="0" * 64,
        code_sent_at=timezone.now(),
        expires_at=timezone.now(),
    )
    follow = NeighborhoodFollow.objects.create(
        neighborhood=Neighborhood.objects.get(code="N01"), channel="sms", contact=PHONE, confirmed_at=timezone.now()
    )
    return {
        "meetings.MeetingRequest": [request],
        "meetings.HistoricalMeetingRequest": list(request.audit_history.all()),
        "meetings.Notification": _outbox(Notification, {"request": request}),
        "visits.Suggestion": [suggestion],
        "visits.HistoricalSuggestion": list(suggestion.audit_history.all()),
        "visits.SuggestionNotification": _outbox(SuggestionNotification, {"suggestion": suggestion}),
        "scheduling.PhoneVerification": [verification],
        "scheduling.VerificationMessage": _outbox(VerificationMessage, {"verification": verification})[:1],
        "visits.NeighborhoodFollow": [follow],
        "visits.FollowNotification": _outbox(FollowNotification, {"follow": follow})[:1],
        "petitions.Petition": [petition],
        "petitions.HistoricalPetition": list(petition.audit_history.all()),
        "petitions.InboundMessage": [inbound],
        "petitions.PetitionNotification": _outbox(PetitionNotification, {"petition": petition}),
        "petitions.SurveyNotification": _outbox(SurveyNotification, {"invitation": None})[:1],
    }


def assert_no_full_contact(text: str, where: str) -> None:
    for full in FULL:
        assert full not in text, f"{full!r} in {where}"


@pytest.fixture
def rows():
    built = build_rows()
    assert set(built) == models_with_a_citizen_contact(), "give every model with a citizen's contact a builder"
    for label, instances in built.items():
        assert instances, label
        for row in instances:
            row.refresh_from_db()
            # The row really holds the full contact: what is tested is its display.
            assert {getattr(row, name) for name in contact_fields(type(row))} & {PHONE, EMAIL}, label
    return built


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@city.example.kr", "pw"))
    return client


def test_no_row_of_any_model_shows_a_citizens_full_contact_in_its_text(rows):
    shown = 0
    for model in apps.get_models():
        for row in model._default_manager.all():
            assert_no_full_contact(str(row), f"str() of {model._meta.label} {row.pk}")
            shown += 1
    assert shown >= sum(len(instances) for instances in rows.values())


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "page without a title"
    return match.group(1)


def _result_list(html: str) -> str:
    match = re.search(r'<table id="result_list".*?</table>', html, re.S)
    return match.group(0) if match else ""


def test_the_admin_never_shows_a_citizens_full_contact(rows, superuser_client):
    """Every admin list (a column may show a related row's text), and the
    change and history page of every row that holds a contact."""
    pages = 0
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        response = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, opts.label
        html = response.content.decode()
        assert_no_full_contact(_title(html), f"the title of {opts.label}'s list")
        assert_no_full_contact(_result_list(html), f"the columns of {opts.label}'s list")
        assert_no_full_contact(html, f"{opts.label}'s list")
        pages += 1
        for row in rows.get(opts.label, []):
            for view in ("change", "history"):
                try:
                    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[row.pk])
                except NoReverseMatch:
                    continue
                response = superuser_client.get(url)
                assert response.status_code == 200, url
                html = response.content.decode()
                assert "***" in html or view == "history", url  # the contact is there, masked
                assert_no_full_contact(_title(html), f"the title of {url}")
                assert_no_full_contact(html, url)
                pages += 1
    # The six kinds of row with a contact that the admin lists (history rows
    # have their own page under their row) and their pages were all read.
    assert pages >= len(admin.site._registry) + 2 * 4
    print(f"\n{pages} admin pages read")


def test_the_masking_helpers():
    from scheduling.phones import mask_contact, mask_email, mask_phone

    assert mask_phone(PHONE) == "010-****-5432"
    assert mask_email(EMAIL) == "ci***@example.com"
    assert mask_contact(PHONE) == "010-****-5432" and mask_contact(EMAIL) == "ci***@example.com"
    assert mask_contact("") == ""
