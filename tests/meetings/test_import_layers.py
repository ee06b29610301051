"""The meetings modules stand in layers, without import circles
(docs/meetings.md, "Module map").

- Every module imports on its own, whichever is imported first: a circle
  that only works in the order Django happens to load the app breaks a
  management command, a celery worker or a shell that imports another
  module first. Each is imported in a fresh interpreter.
- No module of ``meetings/services`` imports a sibling that imports it back,
  directly or around a longer circle, counting the imports inside
  functions too (an import moved into a function hides a circle; it does
  not remove it).
- Reads stand below writes: ``rules`` imports only the models, and
  ``selectors`` no service; no service imports a page.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEETINGS = ROOT / "meetings"
SERVICES = MEETINGS / "services"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def meetings_modules() -> list[str]:
    """Every module of the app but its migrations."""
    return sorted(
        module_name(path) for path in MEETINGS.rglob("*.py") if "migrations" not in path.relative_to(MEETINGS).parts
    )


def imported_modules(path: Path, module: str | None = None) -> set[str]:
    """The modules ``path`` (the module ``module``, by default named from
    its place in the tree) imports anywhere in its body, functions included,
    as dotted names; ``from package import name`` counts as importing
    ``package.name`` too (it may be a submodule)."""
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x, from .x import y
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def sibling_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the sibling modules of ``package_dir`` it imports."""
    modules = {module_name(path): path for path in package_dir.glob("*.py") if path.name != "__init__.py"}
    return {name: (imported_modules(path) & modules.keys()) - {name} for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle of ``graph`` once, as the path that closes it."""
    found, seen = [], set()

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(graph.get(node, ())):
            if target in path:
                circle = path[path.index(target) :]
                key = frozenset(circle)
                if key not in seen:
                    seen.add(key)
                    found.append([*circle, target])
            else:
                visit(target, [*path, target])

    for start in sorted(graph):
        visit(start, [start])
    return found


# --- The static checks -----------------------------------------------------------------


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones(tmp_path):
    """The checks below are only as good as this reader."""
    path = tmp_path / "probe.py"
    path.write_text(
        "from meetings.services import a, b\n\ndef f():\n    from .c import x\n    import meetings.services.d\n",
        encoding="utf-8",
    )
    imported = imported_modules(path, "meetings.services.probe")
    assert {"meetings.services.a", "meetings.services.b", "meetings.services.c", "meetings.services.d"} <= imported
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_service_imports_a_sibling_that_imports_it_back():
    graph = sibling_graph(SERVICES)
    assert "meetings.services.booking" in graph and "meetings.services.series" in graph  # the reader found them
    assert circles(graph) == [], "import circles in meetings/services (docs/meetings.md: the layers)"


#: The services' layers, lowest first, as meetings/services/__init__.py and
#: docs/meetings.md list them: each imports only those before it.
SERVICE_LAYERS = ["notifications", "transitions", "series", "requests", "feedback", "booking", "review", "retention"]


def test_each_service_imports_only_the_services_listed_before_it():
    graph = sibling_graph(SERVICES)
    assert sorted(name.rpartition(".")[2] for name in graph) == sorted(SERVICE_LAYERS)
    for index, layer in enumerate(SERVICE_LAYERS):
        below = {f"meetings.services.{name}" for name in SERVICE_LAYERS[:index]}
        assert graph[f"meetings.services.{layer}"] <= below, layer


def test_the_rules_import_no_other_meetings_module_than_the_models():
    imported = {m for m in imported_modules(MEETINGS / "rules.py") if m.startswith("meetings")}
    assert imported and all(m == "meetings.models" or m.startswith("meetings.models.") for m in imported), imported


def test_selectors_read_and_import_no_service():
    imported = imported_modules(MEETINGS / "selectors.py")
    writers = ("meetings.services", "meetings.tasks", "meetings.public", "meetings.staff", "meetings.feeds")
    assert not [m for m in imported if m.startswith(writers)]


def test_no_service_imports_a_page():
    for path in SERVICES.glob("*.py"):
        pages = [m for m in imported_modules(path) if m.startswith(("meetings.public", "meetings.staff"))]
        assert pages == [], path.name


# --- Each module on its own, in a fresh interpreter --------------------------------------

#: Runs in a fresh interpreter: set Django up (the admin without its
#: autodiscovery, which would import ``meetings.admin`` at start-up), then for
#: each module named: forget every meetings module loaded so far (the models
#: and the app config stay: they are registered), so that the module is the
#: first of its app to be imported, and import it. One interpreter for all
#: of them: a fresh one per module costs a second or more each, for the same
#: state.
IMPORT_EACH_FIRST = """
import json, sys
from django.conf import settings
import django

settings.INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig" if app == "django.contrib.admin" else app
    for app in settings.INSTALLED_APPS
]
django.setup()
import meetings

KEPT = {"meetings", "meetings.apps", "meetings.models"}
errors = {}
for target in sys.argv[1:]:
    for name in [m for m in sys.modules if m.startswith("meetings.") and m not in KEPT]:
        del sys.modules[name]
        if name.count(".") == 1 and hasattr(meetings, name.split(".")[1]):
            delattr(meetings, name.split(".")[1])
    still_loaded = sorted(m for m in sys.modules if m.startswith("meetings.") and m not in KEPT)
    if still_loaded:
        errors[target] = f"not the first: {still_loaded} still loaded"
        continue
    try:
        __import__(target)
    except Exception as error:
        errors[target] = f"{type(error).__name__}: {error}"
print(json.dumps(errors))
"""


def import_each_first(modules: list[str]) -> dict[str, str]:
    """Import each of ``modules`` as the first of its app; the errors by module."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *modules], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_meetings_module_imports_first_in_a_fresh_interpreter():
    modules = meetings_modules()
    assert "meetings.services.booking" in modules and "meetings.rules" in modules
    assert import_each_first(modules) == {}
