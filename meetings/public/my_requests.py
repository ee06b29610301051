"""내 신청 조회 ("my requests"): a citizen who verifies their phone sees
every request made with it, and opens any of them on its status page (to
follow it, cancel it or ask for another day). A lost link is not a lost
request.

Opening a request from here issues a new private status link
(``status_link_renew``): the status page works only by its link, and the old
one, lost or perhaps in someone else's hands, stops working. The verified
phone is remembered in the session for ``VERIFIED_PHONE_SESSION_MINUTES``;
every page counts against the status pages' rate limit.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetings.public.views import status_limit
from meetings.selectors import requests_of_phone
from meetings.services.requests import status_link_renew
from scheduling.client_ip import client_ip
from scheduling.http import private_page
from scheduling.phones import mask_phone
from scheduling.verification import (
    Purpose,
    VerificationError,
    verification_for_key,
    verification_start,
)
from scheduling.views import verification_code_page, verification_code_posted

#: The verification in progress (its key) and, once done, the phone and until when.
PENDING_KEY = "tongtong.meetings.my_requests_pending"
VERIFIED_KEY = "tongtong.meetings.my_requests_phone"


def verified_phone(request) -> str | None:
    """The phone this browser verified for "my requests", while it lasts."""
    entry = request.session.get(VERIFIED_KEY) or {}
    until = parse_datetime(entry.get("until", ""))
    if not entry.get("phone") or until is None or until <= timezone.now():
        return None
    return entry["phone"]


def _pending(request):
    key = request.session.get(PENDING_KEY)
    verification = verification_for_key(key) if key else None
    if verification is None or verification.purpose != Purpose.MY_REQUESTS:
        return None
    return verification


@private_page
@status_limit
@require_http_methods(["GET", "HEAD", "POST"])
def my_requests(request):
    """The phone number (to send the code to), or the requests of the phone
    verified."""
    phone = verified_phone(request)
    if phone:
        return render(
            request,
            "meetings/my_requests.html",
            {"phone": mask_phone(phone), "requests": requests_of_phone(phone)},
        )
    typed, error = "", ""
    if request.method == "POST":
        typed = request.POST.get("phone", "")[:40]
        try:
            verification = verification_start(
                purpose=Purpose.MY_REQUESTS, phone=typed, client_address=client_ip(request)
            )
        except VerificationError as problem:
            error = str(problem)
        else:
            request.session[PENDING_KEY] = str(verification.key)
            return redirect("meetings:my_requests_verify")
    return render(request, "meetings/my_requests_phone.html", {"typed": typed, "error": error})


@private_page
@status_limit
@require_http_methods(["GET", "HEAD", "POST"])
def my_requests_verify(request):
    verification = _pending(request)
    if verification is None:
        return redirect("meetings:my_requests")
    error = ""
    if request.method == "POST":
        verified, error = verification_code_posted(request, verification)
        if verified:
            until = timezone.now() + dt.timedelta(minutes=settings.VERIFIED_PHONE_SESSION_MINUTES)
            request.session[VERIFIED_KEY] = {"phone": verified.phone, "until": until.isoformat()}
            request.session.pop(PENDING_KEY, None)
            return redirect("meetings:my_requests")
        if not error:  # a new code was sent
            return redirect("meetings:my_requests_verify")
    return verification_code_page(
        request,
        verification,
        error,
        verify_url=reverse("meetings:my_requests_verify"),
        note=_("Once the code is right, you see every request made with this number."),
        button=_("Verify and see my requests"),
        back_url=reverse("meetings:my_requests"),
        back_label=_("Wrong number? Type it again"),
    )


@private_page
@status_limit
@require_POST
def my_request_open(request, reference: str):
    """A new private link for one of the verified phone's requests, and its
    status page."""
    phone = verified_phone(request)
    if phone is None:
        return redirect("meetings:my_requests")
    meeting_request = requests_of_phone(phone).filter(reference=reference).first()
    if meeting_request is None:
        return redirect("meetings:my_requests")
    token = status_link_renew(meeting_request)
    return redirect("meetings:status", token=token)


@private_page
@require_POST
def my_requests_leave(request):
    """Forget the verified phone on this browser (a shared computer)."""
    request.session.pop(VERIFIED_KEY, None)
    return redirect("meetings:my_requests")
