"""The Content-Security-Policy breaks nothing: every public and staff page,
loaded in Chromium with the policy the site sends everywhere (scripts,
styles, fonts and images from our own origin only; no inline <script>,
<style> or style="..."), raises no ``securitypolicyviolation`` event and no
CSP error in the console — and still looks and works as designed (the
styles moved out of the templates apply; the "copy the link" button, now a
static script, appears).

A last test shows the watch works: an inline style slipped into a page is
reported."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from meetings.models import MeetingDay, MeetingRequest
from scheduling import roles
from scheduling.categories import Category
from scheduling.models import Department, Neighborhood, Official
from scheduling.services import official_create
from tests.e2e.test_citizen_flow import _fill_the_form, _open_the_form, _send, _tap_label
from visits.cards import services as card_services
from visits.models import FieldVisit, Suggestion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEOUL = ZoneInfo("Asia/Seoul")
DESKTOP = {"width": 1366, "height": 900}

WATCH_JS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
        + ` at ${e.sourceFile || document.location.pathname}:${e.lineNumber} ${e.sample || ''}`);
});
"""


@pytest.fixture
def city(db, django_user_model):
    roles.sync_roles()  # a transactional test starts from a flushed database
    secretariat = django_user_model.objects.create_user(username="secretariat", password="pw-secretariat")
    secretariat.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    central = Neighborhood.objects.create(code="N01", name="중앙동", sort_order=1)
    Neighborhood.objects.create(code="N02", name="산골동", sort_order=2, is_natural_village=True)
    roads = Department.objects.create(code="roads", name="도로과")
    now = timezone.now().astimezone(SEOUL).replace(hour=10, minute=0, second=0, microsecond=0)
    for start, status in ((now + dt.timedelta(days=9), "planned"), (now - dt.timedelta(days=3), "held")):
        FieldVisit.objects.create(
            neighborhood=central,
            official=mayor,
            start=start,
            end=start + dt.timedelta(hours=2),
            status=status,
            is_published=True,
            results_published_at=timezone.now() if status == "held" else None,
        )
    card_services.suggestion_record(
        neighborhood=central,
        source=Suggestion.Source.FIELD_VISIT,
        title="중앙동 3길 가로등 설치",
        category=Category.ROADS,
        lead_department=roads,
        actor=secretariat,
    )


class Watch:
    """Collects CSP violations of a browser page: the DOM event (through an
    init script, in every document the page loads) and the console errors
    Chromium writes for a blocked resource."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH_JS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Content-Security-Policy" in text):
            self.console.append(text)

    def visit(self, url: str):
        response = self.page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        self.assert_policy_sent(response, url)
        self.assert_clean(url)

    def assert_policy_sent(self, response, url):
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "style-src 'self'" in policy, f"{url}: no policy ({policy!r})"
        assert "unsafe-inline" not in policy
        assert "content-security-policy-report-only" not in response.headers

    def violations(self) -> list[str]:
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)  # violation events are queued as tasks
        return self.page.evaluate("window.__csp || []") + self.console

    def assert_clean(self, url: str):
        found = self.violations()
        assert not found, f"{url}: " + "\n".join(found)


def _new_page(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="ko-KR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _display(page, selector):
    return page.evaluate(f"getComputedStyle(document.querySelector({selector!r})).display")


def test_the_citizen_pages_run_under_the_policy(phone_page, city, krds_installed):
    page = phone_page
    watch = Watch(page)
    watch.visit("/")
    assert "Pretendard GOV" in page.evaluate("getComputedStyle(document.body).fontFamily"), "KRDS font loaded"

    _open_the_form(page)
    watch.assert_clean("/meetings/request/")
    _fill_the_form(page)
    _send(page)  # without the consent: the form comes back with its errors
    assert page.locator("#id_consent").get_attribute("aria-invalid") == "true"
    watch.assert_clean("/meetings/request/ (with errors)")
    _tap_label(page, "id_consent")
    _send(page)
    page.wait_for_url("**/meetings/request/done/**")
    watch.assert_clean(page.url)
    # The "copy the link" button comes from static/js/copy-link.js (where
    # the browser offers a clipboard: localhost is a secure context).
    assert page.evaluate("!!navigator.clipboard")
    assert page.locator("#copy-status-area button").count() == 1
    status_link = page.locator("#status-link").inner_text().strip()

    watch.visit(status_link)
    assert MeetingRequest.objects.count() == 1

    watch.visit("/visits/")
    assert _display(page, ".tt-visit-list") == "grid"  # static/css/visits.css applies
    watch.visit("/neighborhoods/")
    assert _display(page, ".tt-card-list") == "grid"  # static/css/cards.css applies
    watch.visit("/neighborhoods/N01/")
    assert _display(page, ".tt-suggestions") == "grid"
    watch.visit("/staff/login/")


def test_the_staff_pages_run_under_the_policy(browser, live_server, city, krds_installed):
    context, page = _new_page(browser, live_server, DESKTOP)
    try:
        watch = Watch(page)
        watch.visit("/staff/login/")
        page.fill("#id_username", "secretariat")
        page.fill("#id_password", "pw-secretariat")
        page.locator('form.tt-form button[type="submit"]').click()
        page.wait_for_url("**/staff/")
        watch.assert_clean("/staff/")

        # Pages only read; the sync (beat's job) saves the days a page links to.
        from meetings.tasks import sync_meeting_days

        sync_meeting_days()
        day = MeetingDay.objects.order_by("start").first()
        month = timezone.localdate().strftime("%Y-%m")
        for url in [
            "/staff/meetings/",
            "/staff/meetings/days/",
            f"/staff/meetings/days/{day.pk}/",
            f"/staff/meetings/days/{day.pk}/run-sheet/",
            "/staff/cards/",
            "/staff/cards/N01/",
            f"/staff/reports/monthly/{month}/",
        ]:
            watch.visit(url)
            if url.endswith("run-sheet/"):
                # static/css/run_sheet.css applies: the big print of the run sheet.
                assert page.evaluate("getComputedStyle(document.querySelector('.tt-run-sheet .tbl')).fontSize") == (
                    "15px"
                )
    finally:
        context.close()


def test_the_watch_reports_an_inline_style(phone_page, city):
    """The check above can fail: an inline <style> and an inline script
    added to a page are blocked, and reported."""
    page = phone_page
    watch = Watch(page)
    watch.visit("/")
    page.evaluate(
        """() => {
        const style = document.createElement('style');
        style.textContent = 'body { background: red; }';
        document.head.append(style);
        const script = document.createElement('script');
        script.textContent = 'window.__ran = true;';
        document.body.append(script);
    }"""
    )
    found = watch.violations()
    assert any(v.startswith("style-src") for v in found), found
    assert any(v.startswith("script-src") for v in found), found
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"


def test_the_admin_runs_under_the_policy(browser, live_server, city, django_user_model):
    """Django's admin is under the same policy: its pages (a list with
    editable rows and autocomplete, a change form, a record's history, the
    login attempts of django-axes) load their scripts and styles from files."""
    django_user_model.objects.create_superuser("admin", password="pw-admin")
    from meetings.tasks import sync_meeting_days

    sync_meeting_days()
    day_pk = MeetingDay.objects.order_by("start").first().pk
    context, page = _new_page(browser, live_server, DESKTOP)
    try:
        watch = Watch(page)
        watch.visit("/admin/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "pw-admin")
        page.locator('input[type="submit"]').click()
        page.wait_for_url("**/admin/")
        watch.assert_clean("/admin/")
        for url in [
            "/admin/scheduling/categoryowner/",
            "/admin/meetings/meetingseries/",
            f"/admin/meetings/meetingday/{day_pk}/change/",
            f"/admin/meetings/meetingday/{day_pk}/history/",
            "/admin/axes/accessattempt/",
        ]:
            watch.visit(url)
    finally:
        context.close()
