#!/usr/bin/env python
"""Build the Chinese and Vietnamese catalogues from the English one, with
exactly the messages citizens read (docs/languages.md).

Run after ``manage.py makemessages -l ko -l en --no-obsolete``::

    .venv/bin/python scripts/public_catalog.py          # rewrite zh_Hans and vi
    .venv/bin/python scripts/public_catalog.py --check  # only say what is missing

Each entry of ``locale/en/LC_MESSAGES/django.po`` referenced from a file in
``scheduling.languages.PUBLIC_MESSAGE_SOURCES`` goes into
``locale/<lang>/LC_MESSAGES/django.po`` with its translation kept (by
context and id); the others are left out, as the staff pages never speak
these languages. Lists every message still to translate and exits 1 if
there is one, so that a forgotten translation fails before the tests do.
Then translate them, and run ``manage.py compilemessages``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from scheduling.languages import is_public_source  # noqa: E402

LOCALE_DIR = BASE_DIR / "locale"
#: Django's code → the catalogue's directory and its header.
CATALOGUES = {
    "zh-hans": ("zh_Hans", "Chinese (simplified)"),
    "vi": ("vi", "Vietnamese"),
}
#: Neither language changes a noun for a number.
PLURAL_FORMS = "nplurals=1; plural=0;"


def public_entries(template: polib.POFile) -> list[polib.POEntry]:
    return [
        entry
        for entry in template
        if not entry.obsolete and any(is_public_source(path) for path, _line in entry.occurrences)
    ]


def key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def build(template: polib.POFile, directory: str, language_name: str, old: polib.POFile | None) -> polib.POFile:
    known = {key(entry): entry for entry in old or () if translated(entry)}
    catalogue = polib.POFile(wrapwidth=78)
    catalogue.header = (
        f"Tongtong: {language_name}, the messages citizens read (public pages, forms, consent,\n"
        "privacy, status page, messages to citizens). Staff pages never speak this\n"
        "language, so their messages are not here. Built by scripts/public_catalog.py."
    )
    catalogue.metadata = {
        **{name: value for name, value in template.metadata.items() if name != "Plural-Forms"},
        "Language-Team": language_name,
        "Language": directory,
        "Plural-Forms": PLURAL_FORMS,
    }
    for source in public_entries(template):
        entry = polib.POEntry(
            msgctxt=source.msgctxt,
            msgid=source.msgid,
            msgid_plural=source.msgid_plural,
            occurrences=list(source.occurrences),
            flags=[flag for flag in source.flags if flag != "fuzzy"],
            comment=source.comment,
        )
        previous = known.get(key(source))
        if previous is not None:
            if source.msgid_plural:
                entry.msgstr_plural = {0: previous.msgstr_plural.get(0) or previous.msgstr}
            else:
                entry.msgstr = previous.msgstr
        elif source.msgid_plural:
            entry.msgstr_plural = {0: ""}
        catalogue.append(entry)
    return catalogue


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; list what is missing")
    args = parser.parse_args(argv)
    template = polib.pofile(str(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"))
    missing = 0
    for directory, language_name in CATALOGUES.values():
        path = LOCALE_DIR / directory / "LC_MESSAGES" / "django.po"
        old = polib.pofile(str(path)) if path.exists() else None
        catalogue = build(template, directory, language_name, old)
        todo = [entry for entry in catalogue if not translated(entry)]
        missing += len(todo)
        for entry in todo:
            print(f"{directory}: to translate: {entry.msgid!r}")
        print(f"{directory}: {len(catalogue)} messages, {len(todo)} to translate")
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalogue.save(str(path))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
