"""The instructions and the rooms import no other app, and no other app
imports them: the management card, the visit record, the meeting request
page and the run sheet meet them only through ``scheduling.page_parts`` and
a template include (docs/petitions.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(*packages: str):
    for package in packages:
        yield from (p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", sorted(_modules("petitions/instructions", "petitions/rooms")), ids=str)
def test_instructions_and_rooms_import_no_other_app(path):
    assert not {m for m in _imports(path) if m.split(".")[0] in {"meetings", "visits"}}


@pytest.mark.parametrize("path", sorted(_modules("meetings", "visits", "scheduling")), ids=str)
def test_no_other_app_imports_the_petition_office(path):
    assert not {m for m in _imports(path) if m.split(".")[0] == "petitions"}
