"""The layout shows the architecture: no import circle between the apps at the core of the hub.

An app "imports" another when one of its modules imports one of the other's as it loads (module level, class
bodies, `if`/`try` blocks; not inside functions, which run later, nor under `if TYPE_CHECKING`). Among the apps
below, those imports must form no circle: access sits under organisations, which sits under geo and
sharing_protocols, which sit under crm. A circle means one of them has begun to import "the CRM" again."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_APPS = ("access", "organisations", "hub_ui", "geo", "sharing_protocols", "crm")
NOT_APPS = {"tests", "bench", "node_modules", "static", "frontend", "templates", "var", "scripts", "docs", "deploy"}


def first_party_packages(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if (p / "__init__.py").exists() and p.name not in NOT_APPS and not p.name.startswith(".")}


def _load_time_imports(tree: ast.Module):
    """Import statements that run when the module is imported."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.ClassDef, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody"):
                pending.extend(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)


def _every_import(tree: ast.Module):
    """Every import statement, those inside functions (run later) included."""
    return (node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)))


def app_imports(root: Path, packages: set[str], *, inside_functions: bool = False) -> dict[str, dict[str, list[str]]]:
    """{app: {imported app: ["crm/models/groups.py:10", …]}} for load-time imports between first-party apps
    (migrations left out: they are history, loaded only by the migration framework); with `inside_functions`,
    the imports that run later inside functions too."""
    graph: dict[str, dict[str, list[str]]] = {package: {} for package in packages}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module_parts = path.relative_to(root).with_suffix("").parts
            tree = ast.parse(path.read_text(), str(path))
            for node in (_every_import(tree) if inside_functions else _load_time_imports(tree)):
                if isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                elif node.level:
                    base = module_parts[: len(module_parts) - node.level]
                    targets = [".".join(base + ((node.module,) if node.module else ()))]
                else:
                    targets = [node.module]
                for target in targets:
                    other = target.split(".")[0]
                    if other in packages and other != package:
                        graph[package].setdefault(other, []).append(f"{path.relative_to(root)}:{node.lineno}")
    return graph


def circles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(graph, component) -> str:
    return "\n".join(f"  {a} -> {b}: {', '.join(graph[a][b][:3])}" for a in component for b in component if b in graph[a])


def test_no_import_circle_among_the_core_apps():
    packages = first_party_packages(ROOT)
    assert set(CORE_APPS) <= packages, f"missing apps: {set(CORE_APPS) - packages}"
    graph = app_imports(ROOT, packages)
    # Only the core apps' own imports: a circle through, say, partners and publication is theirs to untangle.
    core = {app: {other: where for other, where in graph[app].items() if other in CORE_APPS} for app in CORE_APPS}
    assert not circles(core), "import circle:\n" + "\n".join(describe(core, c) for c in circles(core))


@pytest.mark.parametrize("lower", ["access", "organisations", "hub_ui"])
def test_the_lower_layers_do_not_import_the_crm(lower):
    graph = app_imports(ROOT, first_party_packages(ROOT))
    assert "crm" not in graph[lower], f"{lower} imports crm at {graph[lower].get('crm')}"


def test_access_and_hub_ui_import_no_app_above_them_as_they_load():
    graph = app_imports(ROOT, first_party_packages(ROOT))
    assert set(graph["hub_ui"]) == set(), graph["hub_ui"]
    assert set(graph["access"]) <= {"hub_ui"}, graph["access"]


def test_access_imports_no_app_above_it_even_inside_functions():
    """The rule's upward dependencies (protocols, shares, the disclosure log) are registered by sharing_protocols
    at start-up (access/sources.py); organisations and memberships are read by label from the app registry."""
    graph = app_imports(ROOT, first_party_packages(ROOT), inside_functions=True)
    assert set(graph["access"]) <= {"hub_ui"}, graph["access"]


def test_an_upward_import_inside_a_function_is_found(tmp_path):
    for name, source in {"lower": "def later():\n    from upper import views\n", "upper": ""}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / "models.py").write_text(source)
    assert app_imports(tmp_path, {"lower", "upper"})["lower"] == {}
    assert app_imports(tmp_path, {"lower", "upper"}, inside_functions=True)["lower"] == {"upper": ["lower/models.py:2"]}


def test_a_reintroduced_circle_is_found(tmp_path):
    """The check itself: two apps that import each other as they load are a circle; an import inside a
    function or under TYPE_CHECKING is not."""
    for name, source in {
        "lower": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from upper.models import Thing\n\n"
                 "def later():\n    from upper import views\n",
        "upper": "from lower import helpers\n",
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / "models.py").write_text(source)
    graph = app_imports(tmp_path, {"lower", "upper"})
    assert circles(graph) == []
    (tmp_path / "lower" / "signals.py").write_text("try:\n    from upper.models import Thing\nexcept ImportError:\n    Thing = None\n")
    graph = app_imports(tmp_path, {"lower", "upper"})
    assert circles(graph) == [["lower", "upper"]]
    assert graph["lower"]["upper"] == ["lower/signals.py:2"]
