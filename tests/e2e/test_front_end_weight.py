"""What a phone downloads for a public page: the purged KRDS sheet and the
cut fonts, not KRDS whole (scripts/build_static.py)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("url", ["/", "/meetings/request/", "/privacy/"])
def test_a_public_page_loads_the_cut_fonts_and_the_purged_sheet(phone_page, krds_installed, url):
    """No city data: a name the templates never write (a test city's 솔밭동)
    would rightly fetch KRDS's full font, the next test's case."""
    page = phone_page
    requested = []
    page.on("requestfinished", lambda request: requested.append(request.url))
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    fonts = [u for u in requested if u.endswith(".woff2")]
    sheets = [u for u in requested if u.endswith(".css")]
    assert any(u.endswith("/PretendardGOV-Regular.tongtong.woff2") for u in fonts), fonts
    assert any(u.endswith("/PretendardGOV-Bold.tongtong.woff2") for u in fonts), fonts
    # Every character of these pages is in the cut: KRDS's full files stay on the server.
    assert not [u for u in fonts if ".subset." in u], fonts
    assert any(u.endswith("/tongtong-public.css") for u in sheets), sheets
    assert not [u for u in sheets if u.endswith("/output.css")], sheets
    used = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', ''))"
    )
    assert "Pretendard GOV" in used and "Pretendard GOV Full" not in used, used


def test_a_character_outside_the_cut_is_written_in_krds_full_font(phone_page, krds_installed):
    """A rare syllable (a name the templates never write) falls to the second
    family: KRDS's full file is fetched for it, and only then."""
    page = phone_page
    page.goto("/privacy/")
    page.wait_for_load_state("networkidle")
    rare = "똠"  # U+B620: in KRDS's font, in none of our texts
    loaded = page.evaluate(
        """async (text) => {
            const p = document.createElement('p');
            p.textContent = text;
            document.querySelector('main').append(p);
            await document.fonts.ready;
            await new Promise((resolve) => setTimeout(resolve, 500));
            await document.fonts.ready;
            return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replaceAll('"', ''));
        }""",
        rare,
    )
    assert "Pretendard GOV Full" in loaded, loaded
