"""Imports point one way (issue 16): no module of ``visits/cards`` takes part
in an import circle, and none hides one behind an import inside a function.

The management cards' layers: ``workflow`` (pure) ← ``selectors`` (reads,
who sees and who acts, overdue) ← ``notifications`` (the outbox) ←
``services`` (writes) ← views, PDFs, tasks. The one circle the layout
allows is a task beside its service: ``cards.pdf`` queues
``visits.tasks.build_all_cards`` after its commit (``ALLOWED_INNER_IMPORTS``).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CARDS = ROOT / "visits" / "cards"

#: (file, function) that may import inside a function, and why.
ALLOWED_INNER_IMPORTS = {
    ("visits/cards/pdf.py", "_enqueue"): "queues the celery task beside its service (visits.tasks imports cards.pdf)",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _visits_modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in (ROOT / "visits").rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts
    }


def _imported(node: ast.AST, modules: dict[str, Path]) -> set[str]:
    """The project modules ``node`` (an import statement) loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        # ``from visits.cards import selectors`` loads visits.cards.selectors.
        names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    else:
        return set()
    return {name for name in names if name in modules}


def _imports(path: Path, modules: dict[str, Path]) -> set[tuple[str, str | None]]:
    """(module, enclosing function or None) of each project module ``path``
    imports, at the top or inside a function (imports under ``if
    TYPE_CHECKING`` never run: left out)."""
    found: set[tuple[str, str | None]] = set()

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            found.update((target, inner) for target in _imported(child, modules))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def _top_level_imports(path: Path, modules: dict[str, Path]) -> set[str]:
    return {target for target, function in _imports(path, modules) if function is None}


def _inner_imports(path: Path) -> list[tuple[str, int, str]]:
    """(function, line, statement) of every import inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append((node.name, inner.lineno, ast.unparse(inner)))
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_circle_among_the_visits_modules():
    """Counting the imports inside functions too (they hide a circle, they
    do not break it), but the allowed ones."""
    modules = _visits_modules()
    graph = {
        name: {
            target
            for target, function in _imports(path, modules)
            if target != name and (str(path.relative_to(ROOT)), function) not in ALLOWED_INNER_IMPORTS
        }
        for name, path in modules.items()
    }
    # A package's own __init__ is loaded by every submodule; it holds nothing.
    graph = {name: {t for t in targets if modules[t].name != "__init__.py"} for name, targets in graph.items()}

    assert _cycles(graph) == []


def test_the_cards_layers_point_one_way():
    modules = _visits_modules()

    def imports(name: str) -> set[str]:
        return _top_level_imports(modules[name], modules)

    assert imports("visits.cards.workflow") == set()
    assert not imports("visits.cards.selectors") & {"visits.cards.services", "visits.cards.notifications"}
    assert "visits.cards.services" not in imports("visits.cards.notifications")
    assert "visits.cards.notifications" in imports("visits.cards.services")


def test_no_module_of_the_cards_hides_a_circle_behind_an_import_inside_a_function():
    paths = [*sorted(CARDS.glob("*.py")), ROOT / "visits" / "tasks.py", ROOT / "visits" / "dashboard.py"]
    found = {
        (str(path.relative_to(ROOT)), function): (line, statement)
        for path in paths
        for function, line, statement in _inner_imports(path)
    }

    assert set(found) == set(ALLOWED_INNER_IMPORTS), found


@pytest.mark.parametrize("module", sorted(_module_name(path) for path in CARDS.glob("*.py")))
def test_each_cards_module_imports_first_in_a_fresh_interpreter(module):
    """Each module loads on its own in a new process (Django set up, nothing
    else of the project imported by the test): no module needs another to
    have been imported first, which is how a circle shows at run time."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    code = f"import django; django.setup(); import importlib; importlib.import_module({module!r})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr[-2000:]


# --- Between the apps (docs/architecture.md): petitions --------------------------------------

#: The petition office may call these modules of the other apps (each a
#: small service function the receiving app owns), and nothing else of theirs.
PETITIONS_MAY_IMPORT = {
    "meetings.services.requests",  # meeting_request_from_petition: a petition becomes a meeting request
    "visits.cards.services",  # suggestion_record: a petition goes on a management card
    "visits.records.services",  # photo_clean: the quick fix's photo without its location data
}


def _app_imports(app: str) -> set[str]:
    """Every module of another app (meetings, visits, petitions) that ``app`` imports, anywhere."""
    found: set[str] = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            found.update(n for n in names if n.split(".")[0] in {"meetings", "visits", "petitions"} - {app})
    return found


def test_meetings_and_visits_do_not_import_petitions():
    assert not {m for m in _app_imports("meetings") | _app_imports("visits") if m.startswith("petitions")}


def test_petitions_reach_the_other_apps_only_through_their_service_functions():
    assert _app_imports("petitions") <= PETITIONS_MAY_IMPORT, _app_imports("petitions") - PETITIONS_MAY_IMPORT
