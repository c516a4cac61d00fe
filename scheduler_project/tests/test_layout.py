"""The project's layout holds: no import cycle between modules, the engine imports no Django,
and pages and API reach other apps' models only through their selectors and services."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "var", "node_modules", "migrations", "tests", "static", "templates", "docs"}
APPS = (
    "people",
    "rotations",
    "scheduling",
    "swaps",
    "conflicts",
    "resilience",
    "analytics",
    "console",
)

# Interface modules that may import another app's models, and why.
ALLOWED_MODEL_IMPORTS: dict[str, str] = {
    "api/": "the REST API is a model-bound interface over every app: DRF serializers, filters "
    "and viewsets are declared on the model classes",
    "swaps/api.py": "the swaps' part of the same REST API (serializers name the assignments and "
    "people a swap moves)",
}


def project_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if set(relative.parts[:-1]) & SKIP_DIRS or relative.name.startswith("test_"):
            continue
        if relative.name == "conftest.py" or relative.parts[0] == "benchmarks":
            continue
        name = ".".join(relative.with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(tree: ast.AST, *, types: bool = True) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import, including those inside functions: a lazy import that closes a loop hides a
    cycle rather than removing it. ``types=False`` leaves out imports for type checking only."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif types or not _is_type_checking(node):
            yield from _imports(node, types=types)


def imported_modules(
    name: str, path: Path, known: dict[str, Path], *, types: bool = True
) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(tree, types=types):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            # "from pkg import module" imports the module (the package's __init__ runs first
            # as Python's own doing, not a dependency of this module's); "from module import
            # name" imports the module.
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            targets = submodules or [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(*, types: bool = True) -> dict[str, set[str]]:
    known = project_modules()
    return {name: imported_modules(name, path, known, types=types) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_it_finds_the_project_modules() -> None:
    modules = project_modules()
    assert {"people.access", "scheduling.engine.validator", "api.views"} <= set(modules)


def test_it_detects_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_it_has_no_import_cycle() -> None:
    # Lazy imports inside functions count (they only hide a loop); names imported for type
    # annotations alone do not run, so they do not make a module depend on another.
    assert cycles(import_graph(types=False)) == []


def test_it_keeps_the_engine_free_of_django() -> None:
    graph = import_graph()
    engine = [name for name in graph if name.startswith("scheduling.engine")]
    for name in engine:
        path = project_modules()[name]
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names.append(getattr(node, "module", None) or "")
                assert not any(
                    n.split(".")[0] in {"django", "rest_framework", "celery"} for n in names
                ), name
        assert not {t for t in graph[name] if not t.startswith("scheduling.engine")}, name


def _interface(name: str) -> bool:
    parts = name.split(".")
    return (
        parts[0] in (*APPS, "api")
        and (
            parts[-1] in {"views", "urls", "api"}
            or "views" in parts[1:-1]
            or parts[-1].startswith("views")
        )
    ) or parts[0] == "api"


def test_it_reaches_other_apps_models_only_through_their_selectors_and_services() -> None:
    modules = project_modules()
    offenders = []
    # Names imported only for type annotations reach no rows; the rule is about data access.
    for name, targets in import_graph(types=False).items():
        if not _interface(name):
            continue
        path = str(modules[name].relative_to(ROOT))
        if any(path.startswith(prefix) for prefix in ALLOWED_MODEL_IMPORTS):
            continue
        app = name.split(".")[0]
        for target in targets:
            if (
                target.endswith(".models")
                and target.split(".")[0] != app
                and target != "lib.models"
            ):
                offenders.append(f"{name} imports {target}")
    assert offenders == []
