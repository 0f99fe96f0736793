"""Short functions: none over MAX_LINES lines in the package (python/magpk) or the C++ core
(cpp/src), so that each does one thing. Python functions are measured with ``ast`` (first
line of the ``def`` to the last line of the body); C++ functions with lizard, the
code-complexity analyzer (its ``length``: first to last line of the function).
"""

from __future__ import annotations

import ast
from pathlib import Path

import lizard
import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 100


def python_functions(source: str) -> list[tuple[str, int]]:
    """(name, lines) of every function and method in a Python source."""
    return [(node.name, node.end_lineno - node.lineno + 1)  # type: ignore[operator]
            for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def cpp_functions(path: Path) -> list[tuple[str, int]]:
    """(name, lines) of every function in a C++ source, as lizard reads it."""
    analysis = lizard.analyze_file.analyze_source_code(str(path), path.read_text("utf-8"))
    return [(f.long_name, f.length) for f in analysis.function_list]


def too_long(functions: list[tuple[str, int]], where: Path) -> list[str]:
    return [f"{where.relative_to(ROOT)}: {name} has {lines} lines (at most {MAX_LINES})"
            for name, lines in functions if lines > MAX_LINES]


def test_no_python_function_is_over_the_limit() -> None:
    problems = [problem for path in sorted((ROOT / "python" / "magpk").glob("*.py"))
                for problem in too_long(python_functions(path.read_text("utf-8")), path)]
    assert not problems, "\n".join(problems)


def test_no_cpp_function_is_over_the_limit() -> None:
    sources = sorted((ROOT / "cpp" / "src").glob("*.[ch]pp"))
    assert len(sources) >= 10
    problems = [problem for path in sources for problem in too_long(cpp_functions(path), path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lines", [MAX_LINES, MAX_LINES + 1])
def test_the_checks_see_a_long_function(tmp_path: Path, lines: int) -> None:
    """Both measures count a function of N lines as N (so the limit bites at N + 1)."""
    body = "\n".join(f"    x{i} = {i}" for i in range(lines - 2))
    python = f"def long():\n{body}\n    return 0\n"
    assert python_functions(python) == [("long", lines)]
    cpp_body = "\n".join(f"  int x{i} = {i};" for i in range(lines - 2))
    cpp = tmp_path / "long.cpp"
    cpp.write_text(f"int long_function() {{\n{cpp_body}\n}}\n", "utf-8")
    assert [n for _, n in cpp_functions(cpp)] == [lines]
    assert bool(too_long([("long", lines)], ROOT / "x")) == (lines > MAX_LINES)
