"""A local stand-in for SOLAPI's message API, on 127.0.0.1, for tests that
run the real ``solapi`` SDK (``scheduling/solapi_backend.py``) end to end.

It implements what the SDK calls and what SOLAPI documents for it:

- ``POST /messages/v4/send-many/detail`` (the SDK's ``send``), answering
  ``{groupInfo, failedMessageList, messageList}``;
- the API-key authentication (docs: 인증 → API Key): ``Authorization:
  HMAC-SHA256 apiKey=…, date=<ISO 8601>, salt=<12–64 chars>,
  signature=<hex HMAC-SHA256 of date+salt with the API secret>``; a wrong
  key or signature, a date more than 15 minutes off, or a signature used
  twice answers 403 with SOLAPI's error codes (InvalidAPIKey,
  SignatureDoesNotMatch, RequestTimeTooSkewed, DuplicatedSignature);
- 알림톡 (type ATA) checked as Kakao does: the channel (pfId), a registered
  template code, the text equal to the registered text with the variables
  filled in, every variable of the registered buttons' links given — else
  refused when handed in (status 1041 / 1042 / 1043 / 1044 in
  ``failedMessageList``);
- SMS up to 90 bytes (EUC-KR), LMS up to 2,000 (status 1031 beyond);
- delivery reports in the webhook's format (``single_report`` below).

A test steers it: ``plan`` (what the next requests meet: "500", "timeout"),
``no_kakao`` (numbers without KakaoTalk: the 알림톡 is accepted, and its
reports say SOLAPI replaced it by SMS/LMS) and ``registered`` (the
templates Kakao approved).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEND_PATH = "/messages/v4/send-many/detail"
VARIABLE = re.compile(r"#\{(\w+)\}")
#: How long a "timeout" answer waits: more than the SDK's 5 seconds.
SLOW_ANSWER_SECONDS = 6.5


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


class FakeSolapi:
    def __init__(self, *, api_key: str, api_secret: str, pf_id: str, registered: dict, site: str):
        self.api_key, self.api_secret, self.pf_id = api_key, api_secret, pf_id
        #: template code → the registered Template (scheduling.alimtalk_templates)
        self.registered = dict(registered)
        self.site = site
        self.plan: list[str] = []
        self.no_kakao: set[str] = set()
        #: Every request that reached the API (after authentication or not).
        self.requests: list[dict] = []
        #: Every message SOLAPI accepted (and would deliver or replace).
        self.accepted: list[dict] = []
        self._signatures: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeSolapi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- Authentication ----------------------------------------------------------

    def check_auth(self, header: str) -> tuple[int, dict] | None:
        """None when ``header`` is a valid SOLAPI API-key signature, else
        the error answer."""
        method, _, rest = header.partition(" ")
        fields = {}
        for part in rest.split(","):
            key, _, value = part.strip().partition("=")
            fields[key.strip().lower()] = value.strip()
        if method != "HMAC-SHA256" or not {"apikey", "date", "salt", "signature"} <= fields.keys():
            return 403, {"errorCode": "InvalidAuthorizationHeader", "errorMessage": "bad Authorization header"}
        if fields["apikey"] != self.api_key:
            return 403, {"errorCode": "InvalidAPIKey", "errorMessage": "유효한 API Key가 아님"}
        try:
            moment = dt.datetime.fromisoformat(fields["date"].replace("Z", "+00:00"))
        except ValueError:
            return 403, {"errorCode": "InvalidDate", "errorMessage": "not ISO 8601"}
        if moment.tzinfo is None or abs(dt.datetime.now(dt.UTC) - moment) > dt.timedelta(minutes=15):
            return 403, {"errorCode": "RequestTimeTooSkewed", "errorMessage": "시간 값이 15분 이상 벗어남"}
        if not 12 <= len(fields["salt"]) <= 64:
            return 403, {"errorCode": "InvalidSalt", "errorMessage": "salt: 12 ~ 64 bytes"}
        expected = hmac.new(
            self.api_secret.encode(), (fields["date"] + fields["salt"]).encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, fields["signature"]):
            return 403, {"errorCode": "SignatureDoesNotMatch", "errorMessage": "Signature가 일치하지 않음"}
        with self._lock:
            if fields["signature"] in self._signatures:
                return 403, {"errorCode": "DuplicatedSignature", "errorMessage": "15분 안에 동일한 signature"}
            self._signatures.add(fields["signature"])
        return None

    # --- One message ----------------------------------------------------------------

    def refusal(self, message: dict) -> tuple[str, str] | None:
        """Why SOLAPI would not accept ``message`` (status code, text), or None."""
        kind = message.get("type")
        text = message.get("text") or ""
        if kind == "ATA":
            options = message.get("kakaoOptions") or {}
            if options.get("pfId") != self.pf_id:
                return "1041", "유효한 플러스 친구 값이 아닙니다."
            template = self.registered.get(options.get("templateId"))
            if template is None:
                return "1042", "유효한 템플릿 아이디가 아닙니다."
            variables = {key[2:-1]: value for key, value in (options.get("variables") or {}).items()}
            try:
                expected = VARIABLE.sub(lambda match: variables[match[1]], template.text)
            except KeyError:
                return "1043", "등록한 템플릿과 내용이 다릅니다."
            if text != expected:
                return "1043", "등록한 템플릿과 내용이 다릅니다."
            try:  # the registered buttons, their links filled from the same variables
                message["_buttons"] = [
                    {
                        "name": button.name,
                        "type": button.type,
                        "link": VARIABLE.sub(
                            lambda match: variables[match[1]], button.link.replace("{site}", self.site)
                        ),
                    }
                    for button in template.buttons
                ]
            except KeyError:
                return "1044", "유효한 버튼 값이 아닙니다."
            return None
        size = len(text.encode("euc-kr", errors="replace"))
        if (kind == "SMS" and size > 90) or (kind == "LMS" and size > 2000) or kind not in ("SMS", "LMS"):
            return "1031", "SMS는 90byte LMS, MMS는 2000byte까지 사용 가능합니다."
        return None

    def send_many(self, body: dict) -> dict:
        group_id = "G4V" + uuid.uuid4().hex[:20].upper()
        accepted, failed = [], []
        for message in body.get("messages", []):
            message_id = "M4V" + uuid.uuid4().hex[:20].upper()
            refusal = self.refusal(message)
            record = {
                "messageId": message_id,
                "to": message.get("to"),
                "from": message.get("from"),
                "type": message.get("type"),
                "customFields": message.get("customFields") or {},
            }
            if refusal:
                code, text = refusal
                failed.append({**record, "statusCode": code, "statusMessage": text, "country": "82", "accountId": "A1"})
            else:
                with self._lock:
                    self.accepted.append(
                        {
                            **record,
                            "groupId": group_id,
                            "text": message.get("text"),
                            "buttons": message.get("_buttons", []),
                            "raw": message,
                        }
                    )
                accepted.append({**record, "statusCode": "2000", "statusMessage": "정상 접수(이통사로 접수 예정)"})
        cash = {"requested": 0, "replacement": 0, "refund": 0, "sum": 0}
        answer = {
            "groupInfo": {
                "count": {
                    "total": len(accepted) + len(failed),
                    "sentTotal": 0,
                    "sentSuccess": 0,
                    "sentPending": 0,
                    "sentReplacement": 0,
                    "refund": 0,
                    "registeredFailed": len(failed),
                    "registeredSuccess": len(accepted),
                },
                "countForCharge": {},
                "balance": cash,
                "point": cash,
                "app": {"profit": {}, "appId": None},
                "log": [],
                "status": "SENDING",
                "allowDuplicates": bool(body.get("allowDuplicates")),
                "isRefunded": False,
                "accountId": "A1",
                "masterAccountId": None,
                "apiVersion": "4",
                "groupId": group_id,
                "price": {},
                "dateCreated": _now_iso(),
                "dateUpdated": _now_iso(),
            },
            "failedMessageList": failed,
        }
        if body.get("showMessageList"):
            answer["messageList"] = [
                {k: item[k] for k in ("messageId", "statusCode", "statusMessage", "customFields")} for item in accepted
            ]
        return answer

    # --- Delivery reports (the webhook's payload) ------------------------------------

    def single_report(self, accepted: dict, *, status_code: str, type: str | None = None, message: str = "") -> list:
        """The body SOLAPI posts to the report webhook for ``accepted``."""
        return [
            {
                "eventDataId": "WH" + uuid.uuid4().hex[:20],
                "retryCount": 0,
                "data": {
                    "messageId": accepted["messageId"],
                    "groupId": accepted["groupId"],
                    "type": type or accepted["type"],
                    "to": accepted["to"],
                    "from": accepted["from"],
                    "statusCode": status_code,
                    "statusMessage": message or ("발송 처리 완료" if status_code == "4000" else "실패"),
                    "dateProcessed": _now_iso(),
                    "dateReported": _now_iso(),
                    "dateReceived": _now_iso(),
                    "networkCode": "SKT",
                    "customFields": accepted["customFields"],
                },
            }
        ]

    def reports_for(self, accepted: dict) -> list[list]:
        """What SOLAPI reports for an accepted message, in order: an 알림톡 to
        a number without KakaoTalk fails (3104) and is replaced by SMS/LMS,
        which is delivered; anything else is delivered as sent."""
        if accepted["type"] == "ATA" and accepted["to"] in self.no_kakao:
            text = accepted["text"] or ""
            replacement = "SMS" if len(text.encode("euc-kr", errors="replace")) <= 90 else "LMS"
            return [
                self.single_report(accepted, status_code="3104", message="카카오톡 미사용자"),
                self.single_report(accepted, status_code="4000", type=replacement),
            ]
        return [self.single_report(accepted, status_code="4000")]

    # --- HTTP ----------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, payload) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    step = fake.plan.pop(0) if fake.plan else "ok"
                    fake.requests.append({"path": self.path, "headers": dict(self.headers), "step": step})
                if self.path != SEND_PATH:
                    return self._answer(404, {"errorCode": "NotFound", "errorMessage": self.path})
                problem = fake.check_auth(self.headers.get("Authorization", ""))
                if problem:
                    return self._answer(*problem)
                if step == "500":
                    return self._answer(500, {"errorCode": "InternalError", "errorMessage": "서버 오류"})
                body = json.loads(raw.decode("utf-8"))
                answer = fake.send_many(body)  # accepted: it will go out, whatever happens to the answer
                if step == "timeout":
                    time.sleep(SLOW_ANSWER_SECONDS)
                self._answer(200, answer)

        return Handler
