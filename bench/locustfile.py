"""The locust scenario of ``bench/load.py`` (run by it; not on its own).

Three kinds of visitor share the server, each also asking for ``/healthz``
(the trivial view: one ``SELECT 1``), so that every endpoint is measured
beside it in the same run:

- **citizens** (weight 30): open the request form, submit it (GET the form
  for the CSRF cookie and token and a fresh ``submission_key``, then POST;
  a success is the 302 to the done page), and read a status page;
- **calendar apps** (weight 12): fetch the public feeds
  (``/calendar/meeting-days.ics``, ``/calendar/visits.ics``) and the
  secretariat's private feed (``/calendar/feeds/<token>.ics``), in full
  (no ``If-None-Match``);
- **secretariat staff** (weight 8): log in once, then read the request
  queue ``/staff/meetings/``.

``load.py`` passes the fixtures (status tokens, the private feed token, the
staff login) as a JSON file in ``BENCH_FIXTURES`` and the think time as
``BENCH_WAIT`` (``"min,max"`` seconds).

With ``DEBUG=0`` the server marks its cookies ``Secure``; over plain HTTP a
cookie jar would not send them back, so each visitor keeps its
``csrftoken`` and ``sessionid`` itself and sends them in a ``Cookie`` header.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

FIXTURES = json.loads(Path(os.environ["BENCH_FIXTURES"]).read_text())
WAIT_MIN, WAIT_MAX = (float(part) for part in os.environ.get("BENCH_WAIT", "1,3").split(","))

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
PREFERRED_DAY = re.compile(r'name="preferred_days" value="(\d+)"')
NEIGHBORHOOD_SELECT = re.compile(r'<select name="neighborhood".*?</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
ALERT = re.compile(r'role="alert"[^>]*>(.*?)</div>', re.S)

#: One phone prefix per simulated citizen: 010-5UUU-NNNN (UUU < 970: libphonenumber
#: knows 010-597x…599x as unassigned), so no two submissions share a number.
_citizen_numbers = itertools.count()


#: The subjects of the submissions the server accepted (302), written to
#: BENCH_TALLY at the end: load.py finds each exactly once in the database.
accepted_subjects: list[str] = []


@events.quitting.add_listener
def _write_tally(environment, **_kwargs):
    if os.environ.get("BENCH_TALLY"):
        Path(os.environ["BENCH_TALLY"]).write_text(json.dumps(accepted_subjects, ensure_ascii=False))


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class Visitor(HttpUser):
    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict | None = None) -> dict:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def _keep_cookies(self, response) -> None:
        for name in ("csrftoken", "sessionid"):
            value = response.cookies.get(name)
            if value:
                self.cookies[name] = value

    def get(self, path: str, name: str, *, must_contain: str = ""):
        """GET ``path``; a success is a 200 whose body contains ``must_contain``."""
        with self.client.get(
            path, name=name, headers=self._headers(), allow_redirects=False, catch_response=True
        ) as response:
            self._keep_cookies(response)
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}".strip())
            elif must_contain and must_contain not in response.text:
                response.failure(f"200 without {must_contain!r}")
            else:
                response.success()
            return response

    @task(2)
    def healthz(self):
        self.get("/healthz", "GET /healthz", must_contain='"ok"')


class Citizen(Visitor):
    weight = 30

    def on_start(self):
        super().on_start()
        self.number = next(_citizen_numbers) % 970
        self.sent = itertools.count(1)

    @task(4)
    def request_form(self):
        self.get("/meetings/request/", "GET /meetings/request/", must_contain='name="submission_key"')

    @task(2)
    def submit(self):
        form = self.get("/meetings/request/", "GET /meetings/request/", must_contain='name="submission_key"')
        if form.status_code != 200:
            return
        html = form.text
        token, key, select = CSRF_INPUT.search(html), SUBMISSION_KEY.search(html), NEIGHBORHOOD_SELECT.search(html)
        if not (token and key and select and "csrftoken" in self.cookies):
            return  # counted as a failure of the GET above when the form is broken
        days = PREFERRED_DAY.findall(html)
        sent = next(self.sent)
        subject = f"골목길 보수 요청 {self.number}-{sent}"
        fields = [
            ("csrfmiddlewaretoken", token.group(1)),
            ("submission_key", key.group(1) or str(uuid.uuid4())),
            ("name", "홍길동"),
            ("phone", f"010-{5000 + self.number:04d}-{sent % 10000:04d}"),
            ("email", ""),
            ("neighborhood", random.choice(OPTION.findall(select.group(0)))),
            ("category", "roads"),
            ("subject", subject),
            ("description", "중앙동 3길 포장이 깨져 비 오는 날 물웅덩이가 생깁니다. 보수를 부탁드립니다."),
            ("group_size", "1"),
            ("consent", "on"),
        ]
        if days and random.random() < 0.5:  # half choose a day (joining its waiting list if it is full)
            fields += [("preferred_days", random.choice(days)), ("join_waitlist", "on")]
        with self.client.post(
            "/meetings/request/",
            name="POST /meetings/request/",
            data=fields,
            headers=self._headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._keep_cookies(response)
            if response.status_code == 302 and "/meetings/request/done/" in response.headers.get("Location", ""):
                response.success()
                accepted_subjects.append(subject)
            elif response.status_code == 429:
                response.failure("HTTP 429: rate limited (is RATELIMIT_ENABLE=0 honoured?)")
            elif response.status_code == 200:
                alert = ALERT.search(response.text)
                response.failure(f"form again: {_text_of(alert.group(1))[:200] if alert else '?'}")
            else:
                response.failure(f"HTTP {response.status_code}")

    @task(4)
    def status_page(self):
        token, reference = random.choice(FIXTURES["status_tokens"])  # the page must show the request's number
        self.get(f"/meetings/status/{token}/", "GET /meetings/status/<token>/", must_contain=reference)


class CalendarApp(Visitor):
    weight = 12

    @task(3)
    def meeting_days(self):
        self.get("/calendar/meeting-days.ics", "GET /calendar/meeting-days.ics", must_contain="BEGIN:VCALENDAR")

    @task(3)
    def visits(self):
        self.get("/calendar/visits.ics", "GET /calendar/visits.ics", must_contain="BEGIN:VCALENDAR")

    @task(3)
    def private_feed(self):
        self.get(
            f"/calendar/feeds/{FIXTURES['feed_token']}.ics",
            "GET /calendar/feeds/<token>.ics",
            must_contain="BEGIN:VEVENT",
        )


class Secretariat(Visitor):
    weight = 8

    def on_start(self):
        super().on_start()
        login = self.get("/staff/login/", "GET /staff/login/ (once per user)", must_contain="csrfmiddlewaretoken")
        token = CSRF_INPUT.search(login.text or "")
        with self.client.post(
            "/staff/login/",
            name="POST /staff/login/ (once per user)",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": FIXTURES["staff"]["username"],
                "password": FIXTURES["staff"]["password"],
            },
            headers=self._headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._keep_cookies(response)
            if response.status_code == 302 and "sessionid" in self.cookies:
                response.success()
            else:
                response.failure(f"login refused: HTTP {response.status_code}")

    @task(6)
    def queue(self):
        self.get("/staff/meetings/", "GET /staff/meetings/", must_contain='class="tt-filters"')
