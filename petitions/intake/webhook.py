"""The mayor's SMS phone's inbound webhook: ``POST /hooks/solapi/inbound/``.

The messages texted to the mayor's number (소통문자폰) reach us as SOLAPI
forwards them. SOLAPI documents no signature for this call (the stored
documentation of its webhooks shows only the delivery reports, whose
secret header ``scheduling.solapi_webhook`` checks), so the project signs
it itself: the sender — SOLAPI's webhook with a shared secret, or the
relay that forwards its calls — puts the hex HMAC-SHA256 of the raw body
under ``SOLAPI_INBOUND_SECRET`` in the ``X-Tongtong-Signature`` header
(``sha256=`` before it is accepted too). A missing or wrong signature is
answered 403 and logged; nothing is read. With no secret set the address
answers 404.

The body is JSON: one message, or a list of at most ``MAX_MESSAGES``
(docs/petitions.md, "The mayor's SMS phone")::

    {"messageId": "M4V2026…", "from": "01012345678", "to": "0310000000",
     "text": "…", "type": "SMS", "dateReceived": "2026-11-17T10:00:00+09:00"}

Each is recorded by ``petitions.intake.inbound.inbound_receive``,
idempotent by ``messageId``: a redelivery is answered 200 and records
nothing. A message whose sender is not a mobile number is answered 200 and
ignored (a non-2xx answer only makes the provider retry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from petitions.intake.inbound import SOLAPI, inbound_receive
from scheduling.client_ip import client_ip

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tongtong-Signature"
MAX_MESSAGES = 1000
MAX_BODY = 4 * 1024 * 1024
#: A message's text longer than an LMS/MMS can carry is not a message.
MAX_TEXT = 4000


def signature(body: bytes, secret: str | None = None) -> str:
    """The hex HMAC-SHA256 of ``body`` under the inbound secret."""
    key = (secret if secret is not None else settings.SOLAPI_INBOUND_SECRET).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, given: str) -> bool:
    given = given.strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256=") :]
    return bool(given) and hmac.compare_digest(given.lower().encode("ascii", "replace"), signature(body).encode())


def _messages(payload) -> list[dict] | None:
    """The messages of a payload, each with its id, sender, text and time; None if it is not one."""
    items = payload if isinstance(payload, list) else [payload]
    if not items or len(items) > MAX_MESSAGES:
        return None
    messages = []
    for item in items:
        if not isinstance(item, dict):
            return None
        message_id, sender, text = item.get("messageId"), item.get("from"), item.get("text", "")
        if not isinstance(message_id, str) or not message_id.strip() or len(message_id) > 100:
            return None
        if not isinstance(sender, str) or len(sender) > 30 or not isinstance(text, str) or len(text) > MAX_TEXT:
            return None
        received_at = _moment(item.get("dateReceived"))
        if received_at is False:
            return None
        messages.append({"message_id": message_id.strip(), "phone": sender, "text": text, "received_at": received_at})
    return messages


def _moment(value) -> dt.datetime | bool | None:
    """The time the phone received it; None when not given (now), False when unreadable."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        return False
    try:
        moment = parse_datetime(value.strip().replace(" ", "T", 1))
    except ValueError:
        return False
    if moment is None:
        return False
    if timezone.is_naive(moment):  # SOLAPI writes Korean time without an offset
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


@csrf_exempt  # a provider's server-to-server call: the signature stands in for the CSRF token
@require_POST
def solapi_inbound(request):
    if not settings.SOLAPI_INBOUND_SECRET:
        raise Http404("the SMS phone's webhook is not configured")
    body = request.body
    if not signature_ok(body, request.headers.get(SIGNATURE_HEADER, "")):
        logger.warning(
            "SOLAPI inbound webhook: %s signature from %s",
            "wrong" if request.headers.get(SIGNATURE_HEADER) else "missing",
            client_ip(request),
        )
        return HttpResponseForbidden("bad signature")
    if len(body) > MAX_BODY:
        return HttpResponseBadRequest("too large")
    try:
        messages = _messages(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        messages = None
    if messages is None:
        return HttpResponseBadRequest("not an inbound message")
    outcomes: dict[str, int] = {}
    for message in messages:
        outcome = inbound_receive(provider=SOLAPI, **message).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return JsonResponse({"received": len(messages), **outcomes})
