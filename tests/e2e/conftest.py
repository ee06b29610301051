"""Browser tests: Playwright (Python, sync API) driving Debian's Chromium.

Playwright's own browser download does not work here, so the tests use
``/usr/bin/chromium`` (``apt-get install chromium``). Without it they are
skipped, except when ``CI`` is set: CI must never pass by skipping them. The
same holds for axe-core, which comes from ``npm ci`` (node_modules/).

Playwright's sync API runs an asyncio event loop in the test thread, and
Django refuses database work from a thread with a running loop unless told
it is safe; here it is (the loop only drives the browser).
"""

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
KRDS_DIR = BASE_DIR / "node_modules" / "krds-uiux" / "resources"
BUILT_STATIC_DIR = BASE_DIR / "build" / "static"
PHONE = {"width": 390, "height": 844}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def skip_or_fail(reason: str):
    """Skip on a developer's machine; fail in CI, where nothing may be silently skipped."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page on a 390x844 phone screen, pointed at the live server."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ko-KR",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_script() -> Path:
    if not AXE_JS.exists():
        skip_or_fail(f"{AXE_JS} is missing: run `npm ci` in the project")
    return AXE_JS


@pytest.fixture
def krds_installed():
    if not KRDS_DIR.is_dir():
        skip_or_fail(f"{KRDS_DIR} is missing: run `npm ci` in the project")
    if not (BUILT_STATIC_DIR / "krds" / "css" / "component" / "tongtong-public.css").exists():
        skip_or_fail(f"{BUILT_STATIC_DIR} has no built stylesheet: run `make assets` in the project")


CONTRAST_JS = """(selector) => {
    const element = document.querySelector(selector), style = getComputedStyle(element);
    const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const luminance = ([r, g, b]) => {
        const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        const [R, G, B] = [r, g, b].map(linear);
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const [a, b] = [luminance(rgb(style.color)), luminance(rgb(style.backgroundColor))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


SVG_TEXT_CONTRAST_JS = """(selector) => {
    const element = document.querySelector(selector);
    if (!(element instanceof SVGTextElement)) return 0;
    const svg = element.ownerSVGElement, backdrop = svg && svg.querySelector(':scope > rect');
    if (!backdrop) return 0;
    const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const luminance = ([r, g, b]) => {
        const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        const [R, G, B] = [r, g, b].map(linear);
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const [a, b] = [luminance(rgb(getComputedStyle(element).fill)), luminance(rgb(getComputedStyle(backdrop).fill))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _decided_by_us(page, node) -> bool:
    """Contrasts axe cannot decide but we can measure:

    - a KRDS select's, because of its arrow (a background image): its text
      against its background colour;
    - the text of a server-drawn chart (an SVG with a backdrop rect), which
      axe sees "overlapped" by the chart's own lines: the text's fill against
      the backdrop's."""
    checks = node.get("any", [])
    target = node["target"][0]
    if page.evaluate(SVG_TEXT_CONTRAST_JS, target) >= 4.5:
        return True
    if not checks or any((c.get("data") or {}).get("messageKey") != "bgImage" for c in checks):
        return False
    if not page.evaluate("(s) => document.querySelector(s).matches('select.krds-form-select')", target):
        return False
    return page.evaluate(CONTRAST_JS, target) >= 4.5


def axe_findings(page, axe_script):
    """Serious and critical axe-core findings on the whole page.

    The pointer is moved away and transitions are let finish first, so that
    a hover state left by the last click is not measured. The screen is made
    as tall as the page: axe cannot tell the contrast of text outside the
    screen. A contrast axe still cannot decide counts as a finding, except
    for KRDS selects, whose contrast we measure ourselves."""
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": page.evaluate("document.documentElement.scrollHeight")})
    try:
        # Evaluated, not injected as a <script>: the Content-Security-Policy
        # (rightly) blocks inline scripts, and axe must audit the real page.
        page.evaluate(axe_script.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run(document)")
        undecided = []
        for finding in result["incomplete"]:
            if finding["id"] != "color-contrast":
                continue
            nodes = [n for n in finding["nodes"] if not _decided_by_us(page, n)]
            if nodes:
                undecided.append({**finding, "nodes": nodes})
    finally:
        page.set_viewport_size(size)
    return [v for v in result["violations"] + undecided if v["impact"] in {"serious", "critical"}]
