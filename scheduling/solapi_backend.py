"""KakaoTalk 알림톡 with SMS/LMS fallback through SOLAPI (``SMS_BACKEND=solapi``).

Built on SOLAPI's own SDK (``solapi`` on PyPI, ``SolapiMessageService``),
behind the project's message backend interface (``scheduling.sms``). Why
SOLAPI and not NHN Cloud: docs/decisions.md.

A message with a registered template (``SMSMessage.template_code``) goes
as an 알림톡 (type ATA) on the city's KakaoTalk channel
(``SOLAPI_KAKAO_PFID``), with the template's variables (SOLAPI fills the
registered buttons' links from them too), and
``disableSms`` false: when Kakao cannot deliver it (no KakaoTalk on that
number, the channel blocked, …) SOLAPI itself sends the same text as an
SMS/LMS from ``SMS_SENDER`` — one request, one message id, one message to
the citizen. The delivery report (``scheduling.delivery_reports``) then
tells which channel carried it.

Fallback happens at most once, in one of two places, never both:

- Kakao refuses it later (after SOLAPI accepted it): SOLAPI's automatic
  replacement (``disableSms=false``);
- SOLAPI refuses the 알림톡 itself when it is handed in (an unknown
  template, text that does not match it, a bad button: status 1033, 1041–
  1053): nothing was accepted, so nothing can be replaced; this backend
  then sends the text once as SMS/LMS in the same attempt.

Everything else is an ``SMSError`` (nothing was sent: the outbox retries it
later) or an ``SMSOutcomeUnknown`` (the request went out but its answer was
lost, e.g. a timeout: the outbox never retries that by itself — see
docs/notifications.md).

The SDK talks to ``SOLAPI_BASE_URL`` (``https://api.solapi.com``; tests
point it at a local server), signs each request (HMAC-SHA256 of date + salt
with the API secret) and waits at most 5 seconds for an answer (httpx's
default, which the SDK keeps).
"""

from __future__ import annotations

import logging

import httpx
import pydantic
from django.conf import settings
from solapi import SolapiMessageService
from solapi.error.MessageNotReceiveError import MessageNotReceivedError
from solapi.model.kakao.kakao_option import KakaoOption
from solapi.model.message_type import MessageType
from solapi.model.request.message import Message
from solapi.model.request.send_message_request import SendRequestConfig

from scheduling.sms import BaseSMSBackend, SendResult, SMSError, SMSMessage, SMSOutcomeUnknown

logger = logging.getLogger(__name__)

#: SOLAPI's status codes for an 알림톡 refused when handed in because of
#: the template or the channel (docs: 메시지 상태 코드): kakaoOptions on a
#: non-Kakao message, invalid channel (pfId), invalid template, text not the
#: template's, buttons. Nothing was accepted; the text goes as SMS/LMS.
KAKAO_REFUSALS = frozenset({"1033", *(str(code) for code in range(1041, 1054))})


class _Refused(Exception):
    def __init__(self, code: str, text: str):
        super().__init__(f"{code} {text}")
        self.code = code


class SolapiBackend(BaseSMSBackend):
    def __init__(self):
        self.service = SolapiMessageService(api_key=settings.SOLAPI_API_KEY, api_secret=settings.SOLAPI_API_SECRET)
        # The SDK's one place for the address (tests: a local server).
        self.service.base_url = settings.SOLAPI_BASE_URL

    def send(self, message: SMSMessage) -> SendResult:
        custom_fields = {"outbox": message.reference} if message.reference else None
        if message.template_code and settings.SOLAPI_KAKAO_PFID:
            alimtalk = Message(
                from_=message.sender,
                to=message.to,
                text=message.body,  # the template's text filled in; also the text of SOLAPI's SMS/LMS fallback
                type=MessageType.ATA,
                custom_fields=custom_fields,
                # The buttons are the registered template's: SOLAPI fills
                # their links' #{variables} from the same variables.
                kakao_options=KakaoOption(
                    pf_id=settings.SOLAPI_KAKAO_PFID,
                    template_id=message.template_code,
                    variables={f"#{{{name}}}": str(value) for name, value in message.variables.items()},
                    disable_sms=False,
                ),
            )
            try:
                return self._send(alimtalk, via="ata")
            except _Refused as refusal:
                if refusal.code not in KAKAO_REFUSALS:
                    raise SMSError(f"SOLAPI refused the 알림톡: {refusal}") from None
                logger.warning(
                    "SOLAPI refused 알림톡 %s for %s (%s); sending it once as %s",
                    message.template_code,
                    message.reference or message.id,
                    refusal,
                    message.kind,
                )
        text = Message(
            from_=message.sender,
            to=message.to,
            text=message.body,
            type=MessageType.LMS if message.kind == "LMS" else MessageType.SMS,
            custom_fields=custom_fields,
        )
        try:
            return self._send(text, via=message.kind.lower())
        except _Refused as refusal:
            raise SMSError(f"SOLAPI refused the {message.kind}: {refusal}") from None

    def _send(self, request: Message, *, via: str) -> SendResult:
        try:
            response = self.service.send(request, SendRequestConfig(show_message_list=True))
        except MessageNotReceivedError as error:
            failed = error.failed_messages[0]
            raise _Refused(failed.status_code, failed.status_message) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise SMSError(f"SOLAPI unreachable: {error!r}") from None  # never reached it: safe to retry
        except (httpx.TimeoutException, httpx.TransportError) as error:
            # Sent, but no (whole) answer: it may have been accepted.
            raise SMSOutcomeUnknown(f"no answer from SOLAPI: {error!r}") from None
        except pydantic.ValidationError as error:
            raise SMSOutcomeUnknown(f"SOLAPI's answer could not be read: {error}") from None
        except Exception as error:  # the SDK raises Exception(errorCode, errorMessage) for 4xx and 5xx
            raise SMSError("SOLAPI: " + " ".join(str(part) for part in error.args)[:300]) from None
        accepted = response.message_list or []
        if not accepted:
            raise SMSOutcomeUnknown(f"SOLAPI accepted group {response.group_info.group_id} without a message id")
        return SendResult(id=accepted[0].message_id, via=via)
