"""SOLAPI's delivery-report webhook: ``POST /hooks/solapi/reports/``.

Registered in SOLAPI's console (웹훅 → 메시지 리포트) with this address and
a secret; SOLAPI sends the secret in the ``X-Solapi-Secret`` header of
every call. The secret is compared in constant time; without it (or with
``SOLAPI_WEBHOOK_SECRET`` unset, when the address answers 404) nothing is
read. The body is parsed with the SDK's own model of the payload and
applied by ``scheduling.delivery_reports`` — idempotent, so SOLAPI's
retries are harmless. Reports of messages we do not know are answered 200
and ignored: a non-2xx answer makes SOLAPI retry and, after repeated
failures, disable the webhook.
"""

from __future__ import annotations

import hmac
import json
import logging

import pydantic
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from solapi.model.webhook.single_report import SingleReportPayload

from scheduling.delivery_reports import reports_apply

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Solapi-Secret"  # noqa: S105 (a header name, not a secret)
#: The most reports one call may carry (SOLAPI batches them).
MAX_REPORTS = 1000


def secret_ok(given: str) -> bool:
    """``given`` is the configured secret (constant-time comparison)."""
    expected = settings.SOLAPI_WEBHOOK_SECRET
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@csrf_exempt  # a provider's server-to-server call: the shared secret stands in for the CSRF token
@require_POST
def solapi_reports(request):
    if not settings.SOLAPI_WEBHOOK_SECRET:
        raise Http404("delivery reports are not configured")
    if not secret_ok(request.headers.get(SECRET_HEADER, "")):
        logger.warning("SOLAPI webhook: wrong or missing secret from %s", request.META.get("REMOTE_ADDR"))
        return HttpResponseForbidden("bad secret")
    try:
        payload = json.loads(request.body.decode("utf-8"))
        reports = SingleReportPayload.model_validate(payload).root
    except (UnicodeDecodeError, json.JSONDecodeError, pydantic.ValidationError):
        return HttpResponseBadRequest("not a SOLAPI message report")
    if len(reports) > MAX_REPORTS:
        return HttpResponseBadRequest("too many reports in one call")
    outcomes = reports_apply(reports)
    return JsonResponse({"received": len(reports), **outcomes})
