"""Build the front end's generated static files into build/static/.

Run by the set-up (`make assets`, part of `make setup`, `make run` and
`make test`); needs node_modules/ (KRDS, PurgeCSS) and the venv (fontTools).
Django serves build/static/ beside static/ (settings.STATICFILES_DIRS), and
`collectstatic` hashes and compresses it with the rest.

What it writes, and why (docs/deployment.md "Static files"):

- krds/css/component/tongtong-public.css: KRDS's stylesheet (its tokens
  inlined) with only the rules the public pages can use (PurgeCSS over the
  public templates, purgecss.config.cjs), without comments and spare spaces.
  KRDS whole is 584 KB, render-blocking; the public pages use about 1/10 of it.
- krds/css/component/tongtong-staff.css: the same over every template, for
  the back office.
  Both sit beside KRDS's own output.css so that its relative url(../../img/…)
  references still resolve.
- krds/fonts/PretendardGOV-{Regular,Bold}.tongtong.woff2: KRDS's typeface cut
  to the characters our pages are written in (Basic Latin and its punctuation
  and every character of the templates, the translations, the script and the
  Python sources, where the demo city's names live): about 1/10 of KRDS's
  260 KB files. tongtong.css names KRDS's full files as a second family for
  the characters outside (a citizen's rare name), which a browser downloads
  only for a page that shows one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
KRDS = ROOT / "node_modules" / "krds-uiux" / "resources"
PURGECSS = ROOT / "node_modules" / ".bin" / "purgecss"
OUT = ROOT / "build" / "static"
CSS_OUT = OUT / "krds" / "css" / "component"
FONT_OUT = OUT / "krds" / "fonts"

#: The stylesheets, by the set of templates PurgeCSS reads (purgecss.config.cjs).
SHEETS = {"public": "tongtong-public.css", "staff": "tongtong-staff.css"}
#: KRDS's weights we use: its rules ask for 400 and 700 only.
FONT_WEIGHTS = ("Regular", "Bold")

#: Where our pages' characters are written.
TEXT_SOURCES = (
    ("templates", "*.html"),
    ("locale", "*.po"),
    ("static/js", "*.js"),
    ("scheduling", "*.py"),
    ("meetings", "*.py"),
    ("visits", "*.py"),
)
#: Always in the font: printable ASCII, Latin-1's punctuation and letters,
#: the general punctuation (quotes, dashes, ellipsis), arrows, the Korean
#: middle dots and brackets KRDS and the city write with.
ALWAYS = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2010, 0x2050))
ALWAYS |= {0x2190, 0x2191, 0x2192, 0x2193, 0x2022, 0x25B2, 0x25BC, 0x25CB, 0x25CF, 0x3001, 0x3002, 0x300C, 0x300D}
ALWAYS |= {0x318D, 0x30FB, 0xFF5E, 0x301C}


def krds_stylesheet(into: Path) -> Path:
    """KRDS's output.css with its @import of the token file inlined, so that
    PurgeCSS sees which custom properties the kept rules read."""
    tokens = (KRDS / "css" / "token" / "krds_tokens.css").read_text(encoding="utf-8")
    component = (KRDS / "css" / "component" / "output.css").read_text(encoding="utf-8")
    component = re.sub(r"^@(charset|import)\s[^;]*;\s*$", "", component, flags=re.M)
    tokens = re.sub(r"^@charset\s[^;]*;\s*$", "", tokens, flags=re.M)
    path = into / "tongtong-krds.css"
    path.write_text(tokens + "\n" + component, encoding="utf-8")
    return path


def minified(css: str) -> str:
    """Comments and spare whitespace out; nothing else changes. Only the
    spaces around { } ; are removed (a space before ':' can be a descendant
    selector, so it stays)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};])\s*", r"\1", css)
    return css.replace(";}", "}").strip() + "\n"


def purge(source: Path, pages: str, scratch: Path) -> str:
    out = scratch / pages
    out.mkdir()
    subprocess.run(  # noqa: S603 (our own tool, our own arguments)
        [str(PURGECSS), "--config", "purgecss.config.cjs", "--css", str(source), "--output", str(out)],
        cwd=ROOT,
        env={**os.environ, "TONGTONG_PAGES": pages},
        check=True,
    )
    purged = (out / source.name).read_text(encoding="utf-8")
    small = minified(purged)
    if purged.count("{") != small.count("{") or purged.count("}") != small.count("}"):
        raise SystemExit(f"minifying the {pages} stylesheet changed its structure")
    return '@charset "UTF-8";' + small


def characters_in_use() -> set[int]:
    """Our texts' characters, and those of the file FONT_EXTRA_TEXT names if
    set: a city's own names (its neighborhoods, departments, officials), which
    live in the database, not in our sources (docs/deployment.md)."""
    used = set(ALWAYS)
    paths = [path for folder, pattern in TEXT_SOURCES for path in sorted((ROOT / folder).rglob(pattern))]
    if os.environ.get("FONT_EXTRA_TEXT"):
        paths.append(Path(os.environ["FONT_EXTRA_TEXT"]))
    for path in paths:
        used.update(ord(c) for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F)
    return used


def subset_fonts(used: set[int]) -> None:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # keep kerning and the Hangul/Latin features
    options.name_IDs = ["*"]
    options.notdef_outline = True
    for weight in FONT_WEIGHTS:
        font = subset.load_font(str(KRDS / "fonts" / f"PretendardGOV-{weight}.subset.woff2"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=used)
        subsetter.subset(font)
        subset.save_font(font, str(FONT_OUT / f"PretendardGOV-{weight}.tongtong.woff2"), options)


def main() -> int:
    if not KRDS.is_dir() or not PURGECSS.exists():
        print("build_static: node_modules/ has no KRDS or PurgeCSS; run `npm ci` (make setup) first", file=sys.stderr)
        return 1
    shutil.rmtree(OUT, ignore_errors=True)
    CSS_OUT.mkdir(parents=True)
    FONT_OUT.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        source = krds_stylesheet(Path(scratch))
        for pages, name in SHEETS.items():
            (CSS_OUT / name).write_text(purge(source, pages, Path(scratch)), encoding="utf-8")
    subset_fonts(characters_in_use())
    for path in sorted(OUT.rglob("*.*")):
        print(f"build_static: {path.relative_to(ROOT)} {path.stat().st_size / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
