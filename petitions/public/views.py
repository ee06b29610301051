"""The public web board "시장에게 바란다" at ``/petitions/``: what it is for,
the form, the code texted to the phone, and the done page with the
reference and the answer's due date.

Views parse the form, call one service from ``petitions.intake.web``, turn
its error into a form error, and redirect. The petition is recorded only
once the code is right (``scheduling.verification``, as the meeting request
form does it); until then what was typed waits with the code.

``PETITION_WEB_BOARD`` off: the page says that the city receives petitions
through 국민신문고 and links there; the form's POST and the code page
redirect there.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from petitions.errors import PetitionError
from petitions.intake.web import petition_code_send, petition_web_submit
from petitions.models import Petition
from petitions.public.forms import PetitionForm
from scheduling.client_ip import client_ip
from scheduling.http import private_page
from scheduling.rate_limits import submission_limit, token_lookup_limit
from scheduling.verification import Purpose, VerificationError
from scheduling.views import (
    pending_verification,
    typed_as_post,
    typed_fields,
    verification_code_page,
    verification_code_posted,
)

logger = logging.getLogger(__name__)

EPEOPLE_URL = "https://www.epeople.go.kr/"
#: The petitions sent from this browser, so that a reload or a second tap
#: shows the same done page: ``{reference: the form's submission key}``.
SESSION_KEY = "tongtong.petitions.submitted"
SESSION_KEEP = 10
#: The phone verification this browser is in the middle of (its key).
PENDING_KEY = "tongtong.petitions.pending_verification"

verify_limit = token_lookup_limit("petitions-verify")


def _board_off(request):
    if request.method == "POST":
        return redirect(EPEOPLE_URL)
    return render(request, "petitions/public/board_off.html", {"epeople_url": EPEOPLE_URL})


def _submitted(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _remember(request, petition: Petition, form_key) -> None:
    """Note ``petition`` as sent from this browser, under the form's own
    submission key (the form sent again finds it)."""
    submitted = {ref: key for ref, key in _submitted(request).items() if ref != petition.reference}
    submitted[petition.reference] = str(form_key)
    request.session[SESSION_KEY] = dict(list(submitted.items())[-SESSION_KEEP:])


def _reference_for_key(request, key: str) -> str | None:
    if not key:
        return None
    for reference, submitted_key in _submitted(request).items():
        if submitted_key == key:
            return reference
    return None


def _pending(request, *, done_too: bool = False):
    return pending_verification(request, session_key=PENDING_KEY, purpose=Purpose.PETITION, done_too=done_too)


def _form_page(request, form, status=200):
    return render(
        request,
        "petitions/public/board.html",
        {
            "form": form,
            "retention_years": settings.PETITION_RETENTION_YEARS,
            "phone_verification": settings.PHONE_VERIFICATION,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@submission_limit
def board(request):
    if not settings.PETITION_WEB_BOARD:
        return _board_off(request)
    if request.method == "POST":
        reference = _reference_for_key(request, request.POST.get("submission_key", ""))
        if reference:  # sent again from this browser (double tap, back + resend)
            return redirect("petitions:done", reference=reference)
        form = PetitionForm(request.POST)
        if form.honeypot_filled:  # a robot: looks sent, nothing stored, nothing sent
            logger.info("petition board honeypot filled: submission dropped (client %s)", client_ip(request))
            return redirect("petitions:received")
        if form.is_valid():
            pending = _pending(request)
            if pending and pending.payload == typed_fields(request.POST):
                return redirect("petitions:verify")  # sent twice: the code is on its way already
            if settings.PHONE_VERIFICATION:
                try:
                    verification = petition_code_send(
                        arguments=form.service_arguments(),
                        typed=typed_fields(request.POST),
                        client_address=client_ip(request),
                    )
                except PetitionError as error:
                    form.add_error(None, str(error))
                except VerificationError as error:
                    form.add_error("phone", str(error))
                else:
                    request.session[PENDING_KEY] = str(verification.key)
                    return redirect("petitions:verify")
            else:
                try:
                    petition, _created = petition_web_submit(**form.service_arguments(), language=request.LANGUAGE_CODE)
                except PetitionError as error:
                    form.add_error(None, str(error))
                else:
                    _remember(request, petition, form.cleaned_data["submission_key"])
                    return redirect("petitions:done", reference=petition.reference)
        return _form_page(request, form)
    if (pending := _pending(request)) is not None:
        # Back from the code page (or a reload): everything typed is still there.
        form = PetitionForm(typed_as_post(pending.payload))
        form.errors  # noqa: B018 (shown as typed, checked again)
        return _form_page(request, form)
    return _form_page(request, PetitionForm())


@private_page
@verify_limit
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """The code sent to the citizen's phone: typed here, the petition is
    recorded; until then nothing is saved as a petition."""
    if not settings.PETITION_WEB_BOARD:
        return redirect(EPEOPLE_URL)
    verification = _pending(request, done_too=True)
    if verification is None:
        return redirect("petitions:board")
    if verification.result:  # a second tap on "verify": the petition is recorded, its done page again
        return redirect("petitions:done", reference=verification.result)
    error = ""
    if request.method == "POST":
        verified, error = verification_code_posted(request, verification)
        if verified:
            return _submit_verified(request, verified)
        if not error:  # a new code was sent
            return redirect("petitions:verify")
    return verification_code_page(
        request,
        verification,
        error,
        verify_url=reverse("petitions:verify"),
        note=_(
            "Your petition is not sent yet: it is sent, and gets its reference number, once the code is right. "
            "Nothing you typed is lost."
        ),
        button=_("Verify and send my petition"),
        back_url=reverse("petitions:board"),
        back_label=_("Wrong number? Go back to the form and correct it"),
    )


def _submit_verified(request, verification):
    """The form again, as typed, checked again, then the one petition."""
    form = PetitionForm(typed_as_post(verification.payload))
    if not form.is_valid():
        return _form_page(request, form)
    try:
        # The citizen's messages go out in the language of the page they used.
        petition, _created = petition_web_submit(
            **form.service_arguments(), verification=verification, language=request.LANGUAGE_CODE
        )
    except PetitionError as error:
        form.add_error(None, str(error))
        return _form_page(request, form)
    _remember(request, petition, form.cleaned_data["submission_key"])
    return redirect("petitions:done", reference=petition.reference)


@private_page
@require_http_methods(["GET", "HEAD"])
def done(request, reference):
    if reference not in _submitted(request):
        raise Http404("not submitted from this browser")
    petition = (
        Petition.objects.filter(reference=reference).only("reference", "answer_due_at", "extended_due_at").first()
    )
    if petition is None:
        raise Http404("no such petition")
    return render(request, "petitions/public/done.html", {"petition": petition})


@private_page
@require_http_methods(["GET", "HEAD"])
def received(request):
    """Where a submission caught by the honeypot lands: the done page as a
    robot would expect it, with no reference."""
    return render(request, "petitions/public/done.html", {"petition": None})
