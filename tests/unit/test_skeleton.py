"""The five services keep one skeleton (the top README's "Layout"), so a reader learns it once.

Read from the source with `ast`; nothing is imported or run. A failure names the file and the
rule it breaks.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("customers", "invoicing", "payments", "collections", "credit")

# Every service has these; each of the layers may be a module or a package of the same name.
REQUIRED = {
    "README.md",
    "__init__.py",
    "__main__.py",
    "service.py",
    "settings.py",
    "api",
    "domain",
    "commands",
    "queries",
    "handlers",
    "publishing",
    "models",
    "schemas",
    "migrations",
}
# Only where the service has them: background jobs, and what it renders for people.
OPTIONAL = {"jobs", "documents", "templates"}

# A layer may import its own rank and lower ranks only: rules know nothing of tables, tables
# nothing of routes, and the use cases nothing of the routes or handlers that call them.
RANK = {
    "domain": 0,
    "settings": 1,
    "models": 1,
    "schemas": 1,
    "queries": 2,
    "publishing": 3,
    "documents": 3,
    "commands": 4,
    "handlers": 5,
    "jobs": 5,
    "api": 6,
    "service": 7,
    "__main__": 8,
}
# The rules stay plain Python: testable without a web server or a database.
DOMAIN_MAY_NOT_IMPORT = ("fastapi", "sqlalchemy", "sqlmodel", "asyncpg", "aiosqlite", "httpx")


def _entries(service: str) -> set[str]:
    folder = ROOT / "services" / service
    return {p.name for p in folder.iterdir() if p.name != "__pycache__"}


def _layer(name: str) -> str:
    return name.removesuffix(".py")


def _modules(service: str) -> Iterator[tuple[str, Path]]:
    """(dotted module name, path) of every module of the service outside its migrations."""
    folder = ROOT / "services" / service
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def _imports(module: str, path: Path) -> Iterator[str]:
    """Dotted names the module imports (for `from a import b`, both `a` and `a.b`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _layer_of(module: str, service: str) -> str | None:
    parts = module.split(".")
    if parts[:2] != ["services", service] or len(parts) < 3:
        return None
    return parts[2]


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_top_level(service: str) -> None:
    layers = {_layer(name) if name.endswith(".py") else name for name in _entries(service)}
    layers = {"__init__.py" if n == "__init__" else n for n in layers}
    required = {_layer(n) if n.endswith(".py") and n != "__init__.py" else n for n in REQUIRED}
    assert required - layers == set(), f"services/{service} lacks {sorted(required - layers)}"
    extra = layers - required - OPTIONAL
    assert extra == set(), f"services/{service} has entries outside the skeleton: {sorted(extra)}"


@pytest.mark.parametrize("service", SERVICES)
def test_layers_import_only_downwards(service: str) -> None:
    wrong = []
    for module, path in _modules(service):
        own = _layer_of(module, service)
        if own is None or own not in RANK:
            continue
        for target in set(_imports(module, path)):
            other = target.split(".")
            if other[0] == "services" and len(other) > 1 and other[1] not in (service,):
                if other[1] in SERVICES:
                    wrong.append(f"{path.relative_to(ROOT)} imports another service: {target}")
                continue
            layer = _layer_of(target, service)
            if layer in RANK and RANK[layer] > RANK[own]:
                wrong.append(f"{path.relative_to(ROOT)} ({own}) imports {target} ({layer})")
    assert wrong == []


@pytest.mark.parametrize("service", SERVICES)
def test_domain_rules_are_plain_python(service: str) -> None:
    wrong = []
    for module, path in _modules(service):
        if _layer_of(module, service) != "domain":
            continue
        for target in set(_imports(module, path)):
            if target.split(".")[0] in DOMAIN_MAY_NOT_IMPORT:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert wrong == []


@pytest.mark.parametrize("service", SERVICES)
def test_routes_do_not_query_the_database(service: str) -> None:
    wrong = [
        str(path.relative_to(ROOT))
        for module, path in _modules(service)
        if _layer_of(module, service) == "api" and "select(" in path.read_text()
    ]
    assert wrong == [], "queries belong in the service's queries module, not in routes"


@pytest.mark.parametrize("service", SERVICES)
def test_no_import_circles_inside_a_service(service: str) -> None:
    modules = dict(_modules(service))
    graph = {
        module: {t for t in _imports(module, path) if t in modules and t != module}
        for module, path in modules.items()
    }
    # A package's __init__ importing its own submodules is how a package lists its parts.
    for module in graph:
        graph[module] = {t for t in graph[module] if not t.startswith(module + ".")}
    circles = _circles(graph)
    assert circles == [], f"import circles: {circles}"


@pytest.mark.parametrize("service", SERVICES)
def test_no_import_circles_between_the_parts_of_a_layer(service: str) -> None:
    """Folders inside a layer (e.g. `domain/invoices/` and `domain/credit_memos/`) don't lean on
    each other both ways either, even through different modules."""
    modules = dict(_modules(service))

    def part(module: str) -> str:
        return ".".join(module.split(".")[:4])

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {part(t) for t in _imports(module, path) if t in modules}
        graph.setdefault(part(module), set()).update(targets - {part(module)})
    circles = _circles(graph)
    assert circles == [], f"import circles between parts: {circles}"


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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
