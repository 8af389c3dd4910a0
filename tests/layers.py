"""The design's one-way imports, read from a source tree (tests/test_architecture.py runs it on
ours, tests/test_layers.py on small trees holding one violation each).

An arrow is any way one module makes another run: an `import` statement (at any depth,
`TYPE_CHECKING` blocks included), `importlib.import_module("x")` / `import_module("x")` /
`__import__("x")` with a literal name, and a `python -m x` command (`"-m", "x"` in a list or
call, or `-m x` inside a string). The packages are the tree's top-level folders holding an
`__init__.py`, so a new one is checked (and must be placed in BENEATH) without editing a test.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Each package names the packages right beneath it; it may use its own modules, those packages
# and everything they may use (the design: `core` imports nothing of ours, `settings` and
# `vendors` only `core`, `collectors`/`checks`/`backup`/`records` add `settings`, `collectors`
# and `backup` also `vendors` (never each other), `tickets` adds `records`,
# `scoring` adds `tickets`, `reports` adds `scoring`, `flows` may use all of those, `agent`,
# `web` and `workers` sit on `flows`, `cli` on top). `settings`, `web` and `workers` are the
# design's places for what is still to come.
BENEATH: dict[str, tuple[str, ...]] = {
    "core": (),
    "settings": ("core",),
    "vendors": ("core",),
    "collectors": ("settings", "vendors"),
    "checks": ("settings",),
    "backup": ("settings", "vendors"),
    "records": ("settings",),
    "tickets": ("records",),
    "scoring": ("tickets",),
    "reports": ("scoring",),
    "flows": ("collectors", "checks", "backup", "reports"),
    "agent": ("flows",),
    "web": ("flows",),
    "workers": ("flows",),
    "cli": ("agent", "web", "workers"),
}
NOT_PRODUCT = frozenset({"tests"})
IMPORTERS = frozenset({"import_module", "__import__"})
DASH_M = re.compile(r"(?:^|\s)-m\s+([A-Za-z_][\w.]*)")


@dataclass(frozen=True)
class Arrow:
    source: str  # module, dotted
    target: str  # module, dotted (the longest prefix of the name that is a module of ours)
    where: str  # path:line
    how: str  # "import", "import_module" or "-m"


def packages(root: Path) -> list[str]:
    return sorted(
        d.name
        for d in root.iterdir()
        if d.is_dir() and (d / "__init__.py").is_file() and d.name not in NOT_PRODUCT
    )


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for package in packages(root):
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def may_use(package: str) -> set[str]:
    """Everything beneath `package`, however deep."""
    found: set[str] = set()
    todo = list(BENEATH.get(package, ()))
    while todo:
        below = todo.pop()
        if below not in found:
            found.add(below)
            todo.extend(BENEATH.get(below, ()))
    return found


def arrows(root: Path) -> list[Arrow]:
    known = modules(root)
    ours = set(packages(root))
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        where = str(path.relative_to(root))
        for target, line, how in _named(tree, name, path.name == "__init__.py"):
            if target.split(".")[0] in ours:
                found.append(Arrow(name, _resolve(target, known), f"{where}:{line}", how))
    return found


def upward(root: Path) -> list[str]:
    """Arrows to a package that is not beneath the source's: upward or sideways."""
    wrong = []
    for arrow in arrows(root):
        source, target = arrow.source.split(".")[0], arrow.target.split(".")[0]
        if source != target and source in BENEATH and target not in may_use(source):
            wrong.append(f"{arrow.where}: {source} must not use {target} ({arrow.how})")
    return wrong


def unplaced(root: Path) -> list[str]:
    return [f"package {p} has no place in BENEATH" for p in packages(root) if p not in BENEATH]


def cycles(root: Path) -> list[str]:
    """Each strongly connected set of modules joined by imports (a subprocess is no import)."""
    graph: dict[str, set[str]] = {name: set() for name in modules(root)}
    for arrow in arrows(root):
        if arrow.how != "-m" and arrow.target != arrow.source:
            graph.setdefault(arrow.source, set()).add(arrow.target)
    return [f"import cycle: {' -> '.join(c)}" for c in _strongly_connected(graph) if len(c) > 1]


def unused_imports(root: Path) -> list[str]:
    """ruff's F401 at every depth (an `__init__` re-export only through `__all__`), plus the
    redundant alias (`import x as x`) ruff accepts as a re-export when `__all__` lacks it."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "F401",
         "--output-format", "concise", *[str(root / p) for p in packages(root)]],
        capture_output=True, text=True, cwd=root,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    found = [line for line in done.stdout.splitlines() if ": F401 " in line]
    for name, path in modules(root).items():
        tree = ast.parse(path.read_text(), filename=str(path))
        exported = _all(tree)
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    if alias.asname and alias.asname == alias.name.split(".")[-1] \
                            and alias.asname not in exported:
                        found.append(f"{path.relative_to(root)}:{node.lineno}: re-export of "
                                     f"{alias.asname} not in __all__ ({name})")
    return found


def violations(root: Path) -> list[str]:
    return unplaced(root) + upward(root) + cycles(root) + unused_imports(root)


def _named(tree: ast.AST, module: str, is_package: bool):
    """(dotted name, line, how) of everything `tree` imports or starts."""
    docstrings = {
        id(n.value) for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, "import"
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            for alias in node.names:
                yield (f"{base}.{alias.name}" if base else alias.name), node.lineno, "import"
        elif isinstance(node, ast.Call) and _callee(node.func) in IMPORTERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value, node.lineno, "import_module"
        elif isinstance(node, ast.List | ast.Tuple | ast.Call):
            items = node.elts if not isinstance(node, ast.Call) else node.args
            for flag, value in zip(items, items[1:], strict=False):
                if _text(flag) == "-m" and _text(value):
                    yield _text(value), node.lineno, "-m"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            for found in DASH_M.finditer(node.value):
                yield found.group(1), node.lineno, "-m"


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = ".".join(parts[:keep])
    return f"{base}.{node.module}" if node.module else base


def _resolve(name: str, known: dict[str, Path]) -> str:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return name


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _all(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ) and isinstance(node.value, ast.List | ast.Tuple):
            return {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return set()


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (deep module chains must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found
