"""Sending SMS: one small interface, backends chosen by ``SMS_BACKEND``.

Like Django's e-mail backends: ``send_sms(to, body)`` picks the configured
backend; a city connects its gateway by writing a subclass of
``BaseSMSBackend`` with ``send(message)`` and naming it in ``SMS_BACKEND``.
Korean carriers take 90 bytes (EUC-KR) as an SMS; longer messages go as LMS.
"""

from __future__ import annotations

import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000


@dataclass
class SMSMessage:
    to: str
    body: str
    sender: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: A KakaoTalk 알림톡: the registered template's code, its variables and
    #: buttons (scheduling/alimtalk_templates.py); ``body`` is then the
    #: template's text with the variables filled in. A backend without
    #: 알림톡 sends ``body`` as SMS/LMS.
    template_code: str = ""
    variables: dict = field(default_factory=dict)
    buttons: list = field(default_factory=list)
    #: The outbox row this is ("meetings.Notification:42"), passed to the
    #: provider so that a delivery report can find its row.
    reference: str = ""

    @property
    def kind(self) -> str:
        """ "SMS" when the body fits 90 bytes in EUC-KR, else "LMS"."""
        return "SMS" if len(self.body.encode("euc-kr", errors="replace")) <= SMS_MAX_BYTES else "LMS"


class SMSError(Exception):
    """The gateway refused or could not be reached; the caller may retry."""


class SMSOutcomeUnknown(Exception):
    """The request reached the gateway but its answer did not reach us (a
    timeout): the message may have gone. The outbox does not retry it (that
    could send it twice); the delivery report or an operator settles it."""


@dataclass
class SendResult:
    """What a backend may return instead of a bare id: the gateway's id and
    the channel asked for ("ata", "sms", "lms")."""

    id: str
    via: str


class BaseSMSBackend:
    def send(self, message: SMSMessage) -> str:
        """Send one message and return the gateway's id for it."""
        raise NotImplementedError


class ConsoleBackend(BaseSMSBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.lock = threading.Lock()

    def send(self, message):
        kind = f"{message.kind}, 알림톡 {message.template_code}" if message.template_code else message.kind
        with self.lock:
            self.stream.write(f"[{kind} to {message.to} from {message.sender}]\n{message.body}\n{'-' * 40}\n")
            self.stream.flush()
        return message.id


class FileBackend(BaseSMSBackend):
    """One text file per message in ``SMS_FILE_PATH``."""

    def send(self, message):
        directory = Path(settings.SMS_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        (directory / f"{stamp}-{message.id}.txt").write_text(
            f"To: {message.to}\nFrom: {message.sender}\nKind: {message.kind}\n"
            f"Template: {message.template_code or '-'}\n\n{message.body}\n",
            encoding="utf-8",
        )
        return message.id


#: What the locmem backend has sent, like ``django.core.mail.outbox``.
outbox: list[SMSMessage] = []


class LocmemBackend(BaseSMSBackend):
    def send(self, message):
        outbox.append(message)
        return message.id


_ALIASES = {
    "console": "scheduling.sms.ConsoleBackend",
    "file": "scheduling.sms.FileBackend",
    "locmem": "scheduling.sms.LocmemBackend",
    # KakaoTalk 알림톡 with SMS/LMS fallback through SOLAPI (docs/notifications.md).
    "solapi": "scheduling.solapi_backend.SolapiBackend",
}


def get_backend() -> BaseSMSBackend:
    path = _ALIASES.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    return import_string(path)()


def send_sms(to: str, body: str, **alimtalk) -> str | SendResult:
    """Send ``body`` to ``to``; ``alimtalk`` (template_code, variables,
    buttons, reference) makes it an 알림톡 where the backend can."""
    return get_backend().send(SMSMessage(to=to, body=body, sender=settings.SMS_SENDER, **alimtalk))
