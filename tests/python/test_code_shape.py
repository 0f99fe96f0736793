"""The shape of the package source (python/magpk): no import cycles among its modules, and
no module importing another module's private names.

Module-level imports run when a module is first imported: a cycle among them makes the
import order matter (a half-initialized module, an ImportError naming a partially
initialized module). Imports inside functions ("deferred") run later, but a cycle through
them still ties two modules to each other; the only one allowed is listed in
``DEFERRED_BACK_EDGES`` with its reason. Imports under ``if TYPE_CHECKING:`` never run and
do not count.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "magpk"

#: Deferred imports allowed to point back up the module graph: (importer, imported).
DEFERRED_BACK_EDGES = {
    # Regimen.from_nonmem / Regimen.to_nonmem hand over to magpk.nonmem, which builds and
    # reads Regimens (and simulates datasets): the methods are the public face of that module.
    ("regimen", "nonmem"),
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(tree: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """(import statement, inside a function) for every import that can run."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), in_function)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, in_function
        yield from _imports(node, in_function or isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))


def _targets(node: ast.stmt, package: str, modules: set[str]) -> set[str]:
    """The package modules an import statement imports."""
    if isinstance(node, ast.Import):
        return {alias.name.split(".")[1] for alias in node.names
                if alias.name.startswith(package + ".")}
    assert isinstance(node, ast.ImportFrom)
    if node.level == 0 and node.module and node.module.startswith(package + "."):
        return {node.module.split(".")[1]}
    if node.level == 0:
        return {"__init__"} if node.module == package else set()
    if node.module:  # from .x import y
        return {node.module.split(".")[0]}
    # from . import x: x is a module of the package, or a name of its __init__
    return {alias.name if alias.name in modules else "__init__" for alias in node.names}


def import_graph(package_dir: Path, *, deferred: bool) -> dict[str, set[str]]:
    """Module -> the package modules it imports at module level (class bodies included);
    with ``deferred`` also those imported inside functions."""
    package = package_dir.name
    sources = {path.stem: path for path in sorted(package_dir.glob("*.py"))}
    # modules: the sources and the compiled ones, known by their stubs (_core.pyi)
    modules = set(sources) | {path.stem for path in package_dir.glob("*.pyi")}
    graph: dict[str, set[str]] = {}
    for name, path in sources.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = set()
        for node, in_function in _imports(tree):
            if deferred or not in_function:
                graph[name] |= _targets(node, package, modules) - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected components of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def _describe(graph: dict[str, set[str]], found: list[list[str]]) -> str:
    return "; ".join(" / ".join(f"{m} imports {', '.join(sorted(graph[m] & set(c)))}" for m in c)
                     for c in found)


# ----------------------------------------------------------------------------- the package

def test_no_import_cycle_at_module_level() -> None:
    graph = import_graph(PACKAGE, deferred=False)
    found = cycles(graph)
    assert not found, f"import cycles among python/magpk modules: {_describe(graph, found)}"


def test_deferred_imports_close_no_cycle_but_the_listed_ones() -> None:
    graph = import_graph(PACKAGE, deferred=True)
    for importer, imported in DEFERRED_BACK_EDGES:
        assert imported in graph[importer], f"stale DEFERRED_BACK_EDGES entry: {importer}"
        graph[importer].discard(imported)
    found = cycles(graph)
    assert not found, (f"import cycles (imports inside functions included): "
                       f"{_describe(graph, found)}")


def test_no_module_imports_private_names_of_another() -> None:
    """``from .x import _y`` ties a module to another's internals: a helper used by several
    modules has a public name (it need not be exported from ``magpk``). Private modules
    (``from . import _arguments``) and dunders (``__version__``) are fine."""
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, _ in _imports(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found += [f"{path.name}:{node.lineno} from {'.' * node.level}{node.module} "
                          f"import {alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert not found, "private names imported across modules:\n" + "\n".join(found)


# ----------------------------------------------------------------------------- the check

def _package(root: Path, files: dict[str, str]) -> Path:
    directory = root / "pkg"
    directory.mkdir()
    for name, text in {"__init__.py": "", **files}.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_the_check_finds_cycles_and_ignores_type_checking_imports(tmp_path: Path) -> None:
    package = _package(tmp_path, {
        "a.py": "from . import b\n",
        "b.py": "from .c import thing\n",
        "c.py": "import pkg.a\nthing = 1\n",
        "d.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .e import E\n"
                 "def f():\n    from .e import g\n"),
        "e.py": "from .d import f\nclass E:\n    from . import a\n",
    })
    graph = import_graph(package, deferred=False)
    assert graph["a"] == {"b"} and graph["c"] == {"a"} and graph["e"] == {"d", "a"}
    assert graph["d"] == set()  # TYPE_CHECKING: never run; function body: deferred
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles(import_graph(package, deferred=True)) == [["a", "b", "c"], ["d", "e"]]


def test_the_check_fails_on_a_cycle_added_to_the_package(tmp_path: Path) -> None:
    """A copy of python/magpk where plot.py imports Result from simulate at module level
    (simulate imports plot for Result.plot): the check names the cycle."""
    copy = tmp_path / "magpk"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.so", "__pycache__", "data"))
    plot = copy / "plot.py"
    plot.write_text(plot.read_text(encoding="utf-8") + "\nfrom .simulate import Result\n",
                    encoding="utf-8")
    graph = import_graph(copy, deferred=False)
    found = cycles(graph)
    assert any({"plot", "simulate"} <= set(component) for component in found)
    assert "plot imports simulate" in _describe(graph, found)
