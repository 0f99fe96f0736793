"""Every documented command and code block runs, where only the runtime dependencies are installed.

Documents scanned: ``README.md``, ``notebooks/README.md`` and every ``docs/**/*.md`` that a
commit would contain (tracked, or untracked and not ignored; so the notebooks that the docs
build copies into the ignored ``docs/notebooks/`` are not scanned twice).

Environments. ``scripts/test.sh`` builds the magpk wheel once and installs it into ``.venv``
(with the test extras; it runs pytest) and into ``build/venv-runtime``, which holds only magpk
and its runtime dependencies (numpy, pandas, tqdm: no pip, no extras) and whose interpreter it
passes in ``MAGPK_RUNTIME_PYTHON``. ``test_runtime_env_has_only_runtime_dependencies`` checks
that. Without the variable the tests that execute examples are skipped (a plain ``pytest``
still runs the static checks below); ``scripts/test.sh`` always sets it.

What is extracted (fenced blocks, CommonMark fences of backticks or tildes):

- ``python``/``py``/``python3``/``pycon`` blocks (and ``{code-block} python``): the blocks of one
  document run in order in ONE process (a block may use the names of the blocks above it), top-level
  statement by top-level statement, with the runtime interpreter, ``-W error``, in an empty
  temporary directory. Tracebacks point at the document's own line numbers. Doctest-style
  blocks (``>>>``) run their prompted lines.
- ``bash``/``sh``/``shell``/``console`` blocks: every command line (``console``: the lines after a
  ``$ `` prompt); ``\\`` continuations are joined, ``# comments`` dropped, ``&&`` and ``;`` split a
  line into commands that are each handled as below.
- ``{code-cell}`` blocks are skipped: myst-nb executes them in the docs build
  (``nb_execution_raise_on_error``), which the test command runs. Other MyST directives
  (``{toctree}``, ``{eval-rst}``, ``{magpk-table}``, ...) are not code; fences nested inside them
  are still found. Blocks without a language (diagrams) and other languages are not code either.

Commands:

- ``magpk ...`` (also ``python -m magpk``/``magpk.cli``) and ``python -c ...`` run with the runtime
  environment in an empty temporary directory (``PYTHONWARNINGS=error``): exit status 0, no
  traceback, and every file-name argument (``out.csv``, ``out.png``) exists afterwards.
  **Optional parts** in brackets, ``[--egfr 45]``, are run twice: once without any of them
  and once with all of them.
- Everything else must match ``CHECKED_NOT_RUN`` below: the setup and test commands themselves
  (``scripts/test.sh``, ``scripts/main_job.sh``, ``pip install``, ``cmake``/``ctest``,
  ``jupyter lab``, the docs build, the maintainer's calibration) cannot run inside the test suite
  (recursion, a second compile of the C++ core, an interactive server, minutes of fitting). Each
  entry gives the reason and a check that the command is real: the script is in the repository,
  executable and parses (``scripts/main_job.sh``: the ``magpk compare`` it ends with is run with
  ``.venv``'s magpk), every extra named exists in ``pyproject.toml``, ``jupyter lab`` comes from
  an extra that the same document tells the reader to install, the test command runs the same
  C++ build and the docs build, every option given to ``calibration/calibrate.py`` exists.
  A documented command that is neither runnable nor in that list FAILS the test (see the
  self-tests at the end): extend the runner or the list, with a reason, when adding one.

Optional extras (the rule for ``res.plot()`` and ``--plot``). The runtime environment has no
extras. A statement or command that needs one must fail there with an ``ImportError`` (Python) or
a non-zero exit without traceback (command line) whose message names ``magpk[EXTRA]``, the extra
must exist, and the same document must tell the reader about it (it names ``magpk[EXTRA]`` or
``.[EXTRA]``). Then it is run again where the extras are installed (the interpreter running pytest:
``.venv`` has the test extras, a superset of plot): the command line again; for Python, the blocks
of the document up to that statement. Anything else that fails, fails the test.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python < 3.11
    tomllib = None

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PYTHON_VAR = "MAGPK_RUNTIME_PYTHON"
TIMEOUT_S = 1800

PYTHON_LANGS = {"python", "py", "python3", "pycon"}
SHELL_LANGS = {"bash", "sh", "shell", "console", "shell-session", "zsh"}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
EXECUTED_BY_DOCS_BUILD = {"code-cell"}


# ----------------------------------------------------------------------------------------------
# Documents and their fenced blocks
# ----------------------------------------------------------------------------------------------

def doc_files(root: Path = ROOT) -> list[Path]:
    """README.md, notebooks/README.md and the docs pages a commit would hold."""
    fixed = [root / "README.md", root / "notebooks" / "README.md"]
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "docs"],
            cwd=root, capture_output=True, text=True, check=True).stdout.split("\n")
        pages = sorted(root / name for name in listed if name.endswith(".md"))
        pages = [page for page in pages if page.is_file()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (e.g. an sdist)
        pages = sorted(p for p in (root / "docs").rglob("*.md") if "_build" not in p.parts)
    return [path for path in fixed if path.is_file()] + pages


@dataclass
class Block:
    lang: str                 # "python", "shell" or "" (not code)
    info: str                 # the fence's info string
    first_line: int           # 1-based line of the first content line
    lines: list[str]          # content, dedented by the fence's indentation


_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")


def _closing(lines: Sequence[str], start: int, fence: str) -> int:
    """Index of the line closing a fence opened with `fence` (or len(lines))."""
    char, width = fence[0], len(fence)
    for index in range(start, len(lines)):
        stripped = lines[index].strip()
        if len(stripped) >= width and set(stripped) == {char}:
            return index
    return len(lines)


def _language(info: str) -> tuple[str, bool]:
    """(language, is_container) of a fence's info string."""
    directive = re.match(r"^\{([\w-]+)\}\s*(.*)$", info)
    if directive:
        name, args = directive.group(1), directive.group(2).split()
        if name in EXECUTED_BY_DOCS_BUILD:
            return "", False
        if name in CODE_DIRECTIVES:
            return _language(args[0] if args else "")[0], False
        return "", True       # {note}, {toctree}, ...: scan inside for nested fences
    word = info.split()[0].lower() if info.split() else ""
    if word in PYTHON_LANGS:
        return "python", False
    if word in SHELL_LANGS:
        return ("console" if word in {"console", "shell-session"} else "shell"), False
    return "", False


def parse_blocks(text: str) -> list[Block]:
    """Fenced blocks of a Markdown (MyST) text, nested ones inside directives included."""
    lines = text.split("\n")
    blocks: list[Block] = []

    def scan(start: int, stop: int) -> None:
        index = start
        while index < stop:
            match = _FENCE.match(lines[index])
            if not match or (match.group("fence")[0] == "`" and "`" in match.group("info")):
                index += 1
                continue
            fence, info = match.group("fence"), match.group("info")
            end = min(_closing(lines, index + 1, fence), stop)
            lang, container = _language(info)
            if container:
                scan(index + 1, end)
            else:
                indent = len(match.group("indent"))
                content = [line[indent:] if line[:indent].strip() == "" else line.lstrip()
                           for line in lines[index + 1:end]]
                first = index + 2
                if info.startswith("{"):          # directive options: ":key: value" or --- yaml
                    while content and re.match(r"^:[\w-]+:", content[0]):
                        content.pop(0)
                        first += 1
                blocks.append(Block(lang, info, first, content))
            index = end + 1

    scan(0, len(lines))
    return blocks


def python_source(blocks: Sequence[Block], n_lines: int) -> str:
    """The python blocks of a document as one module whose line numbers are the document's."""
    out = [""] * n_lines
    for block in blocks:
        if block.lang != "python":
            continue
        doctest = any(line.lstrip().startswith(">>>") for line in block.lines)
        for offset, line in enumerate(block.lines):
            if doctest:          # keep the prompted lines, drop the shown output
                stripped = line.lstrip()
                line = stripped[4:] if stripped[:4] in (">>> ", "... ") else ""
            out[block.first_line - 1 + offset] = line
    return "\n".join(out) + "\n"


@dataclass
class Command:
    line: int                 # document line of the command
    text: str                 # the command as written (without comment)
    tokens: list[str]         # words; optional groups kept as "[", ..., "]" markers
    error: str = ""           # why it cannot be handled (unsupported shell syntax)

    def variants(self) -> list[list[str]]:
        """Without the optional parts, and (if any) with all of them."""
        plain = [t for t in self.tokens if t not in ("[", "]")]
        required, depth = [], 0
        for token in self.tokens:
            depth += token == "["
            if depth == 0 and token not in ("[", "]"):
                required.append(token)
            depth -= token == "]"
        return [required] if required == plain else [required, plain]

    def words(self) -> list[str]:
        return [t for t in self.tokens if t not in ("[", "]")]


_SEPARATORS = {"&&", ";"}
_UNSUPPORTED = {"|", "||", "&", ">", ">>", "<", "<<", ";;", "|&"}


def shell_commands(block: Block) -> list[Command]:
    """The commands of a bash/console block (see the module docstring)."""
    logical: list[tuple[int, str]] = []
    pending, pending_line = "", 0
    for offset, raw in enumerate(block.lines):
        line = raw.rstrip()
        if block.lang == "console" and not pending:
            if not line.startswith("$ "):
                continue                                   # output
            line = line[2:]
        if not pending:
            pending_line = block.first_line + offset
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        if pending.strip():
            logical.append((pending_line, pending))
        pending = ""
    if pending.strip():
        logical.append((pending_line, pending))

    commands: list[Command] = []
    for line_no, text in logical:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError as error:
            commands.append(Command(line_no, text.strip(), [], f"cannot parse: {error}"))
            continue
        current: list[str] = []
        for token in [*tokens, ";"]:
            if token in _SEPARATORS:
                if current:
                    commands.append(_command(line_no, current))
                current = []
            else:   # pipes, redirections, $(...) stay words: only CHECKED_NOT_RUN may list those
                current.append(token)
    return commands


def _command(line_no: int, words: list[str]) -> Command:
    """Split the optional groups "[--egfr" "45]" into markers."""
    tokens: list[str] = []
    depth = 0
    for word in words:
        core, closes = word, 0
        if core.startswith("["):
            tokens.append("[")
            depth += 1
            core = core[1:]
        while depth > closes and core.endswith("]") and core.count("]") > core.count("["):
            core = core[:-1]      # "45]" closes a group; ".[plot]" is balanced and stays a word
            closes += 1
        if core:
            tokens.append(core)
        tokens += ["]"] * closes
        depth -= closes
    text = " ".join(shlex.quote(w) if w not in ("[", "]") else w for w in tokens)
    text = text.replace("[ ", "[").replace(" ]", "]")
    return Command(line_no, text, tokens)


# ----------------------------------------------------------------------------------------------
# Project facts: extras, scripts, CMake options
# ----------------------------------------------------------------------------------------------

def extras(root: Path = ROOT) -> dict[str, list[str]]:
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)["project"].get("optional-dependencies", {})
    section = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    found: dict[str, list[str]] = {}
    for name, body in re.findall(r"^([\w-]+)\s*=\s*\[(.*?)\]", section, re.M | re.S):
        found[name] = re.findall(r'"([^"]+)"', body)
    return found


def _requirement_names(requirements: Sequence[str]) -> list[str]:
    return [re.split(r"[\s\[<>=!~;@]", req, maxsplit=1)[0].lower().replace("_", "-")
            for req in requirements]


def repository_files(root: Path = ROOT) -> set | None:
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return set(out.split("\n")) - {""}


def check_script(path: str, root: Path = ROOT) -> list[str]:
    """The script is in the repository (what a clone gets), executable, and parses."""
    problems = []
    file = root / path
    if not file.is_file():
        return [f"{path} does not exist"]
    files = repository_files(root)
    if files is not None and path not in files:
        problems.append(f"{path} is not in the repository (ignored?): a fresh clone lacks it")
    if not os.access(file, os.X_OK):
        problems.append(f"{path} is not executable (chmod +x)")
    if path.endswith(".sh"):
        syntax = subprocess.run(["bash", "-n", str(file)], capture_output=True, text=True)
        if syntax.returncode != 0:
            problems.append(f"bash -n {path}: {syntax.stderr.strip()}")
    return problems


def check_main_job(words: list[str], ctx: Context) -> list[str]:
    """scripts/main_job.sh ends with `.venv/bin/magpk compare ARGS` (its defaults when no ARGS
    are given): that command is run with the interpreter running pytest, i.e. .venv's magpk."""
    problems = check_script("scripts/main_job.sh", ctx.root)
    if problems:
        return problems
    script = (ctx.root / "scripts" / "main_job.sh").read_text(encoding="utf-8")
    if not re.search(r'^exec "\$VENV/bin/magpk" compare "\$@"$', script, re.M):
        return ["scripts/main_job.sh no longer ends with exec \"$VENV/bin/magpk\" compare \"$@\": "
                "update check_main_job"]
    args = words[1:]
    if not args:
        defaults = re.search(r"^\s*set -- ((?:.*\\\n)*.*)$", script, re.M)
        if not defaults:
            return ["no `set -- DEFAULT ARGS` found in scripts/main_job.sh"]
        args = shlex.split(defaults.group(1).replace("\\\n", " "))
    result = subprocess.run([*full_env().magpk, "compare", *args], capture_output=True, text=True,
                            env=clean_environ(), timeout=TIMEOUT_S, cwd=ctx.root)
    if result.returncode != 0 or "Traceback" in result.stderr:
        return [f"`magpk compare {' '.join(args)}` (what main_job.sh runs) exits "
                f"{result.returncode}\n{_output(result)}"]
    return []


def extras_named(text: str) -> set:
    """Extras a text names as magpk[a,b] or .[a,b]."""
    names = set()
    for group in re.findall(r"(?:magpk|(?<![\w/])\.)\[([\w,\s-]+)\]", text):
        names.update(part.strip() for part in group.split(",") if part.strip())
    return names


# ----------------------------------------------------------------------------------------------
# Commands that are checked, not run
# ----------------------------------------------------------------------------------------------

@dataclass
class Context:
    """What a check may look at: the document and its other commands."""
    doc: Path
    text: str
    commands: list[Command]
    root: Path = ROOT

    def pip_extras(self) -> set:
        """Extras that this document's `pip install` commands install."""
        names = set()
        for command in self.commands:
            words = command.words()
            if _is_pip_install(words):
                for word in words:
                    names |= extras_named(word)
        return names


def _is_pip_install(words: Sequence[str]) -> bool:
    return (words[:2] in (["pip", "install"], ["pip3", "install"])
            or (words[:1] in (["python"], ["python3"]) and words[1:4] == ["-m", "pip", "install"]))


def check_pip_install(words: list[str], ctx: Context) -> list[str]:
    args = words[words.index("install") + 1:]
    defined = extras(ctx.root)
    problems, specs = [], 0
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-e", "--editable", "-U", "--upgrade", "-q", "--quiet", "-v", "--no-deps"):
            pass
        elif arg in ("-C", "--config-settings"):
            index += 1
            setting = args[index] if index < len(args) else ""
            name = re.match(r"cmake\.define\.(\w+)=", setting)
            if not name:
                problems.append(f"unknown config setting {setting!r}")
            elif not _cmake_option_defined(name.group(1), ctx.root):
                problems.append(f"{name.group(1)} is not an option of CMakeLists.txt")
        else:
            spec = re.fullmatch(r"(\.|magpk)(?:\[([\w,-]+)\])?", arg)
            if not spec:
                problems.append(f"installs {arg!r}: only magpk itself ('.', '.[extra]', "
                                f"'magpk[extra]') is checked")
            else:
                specs += 1
                for extra in filter(None, (spec.group(2) or "").split(",")):
                    if extra not in defined:
                        problems.append(f"extra [{extra}] is not defined in pyproject.toml "
                                        f"(defined: {', '.join(sorted(defined))})")
        index += 1
    if not specs and not problems:
        problems.append("installs nothing that names magpk")
    return problems


def _cmake_option_defined(name: str, root: Path) -> bool:
    texts = [p.read_text(encoding="utf-8") for p in [root / "CMakeLists.txt",
                                                     *(root / "cmake").glob("*.cmake")]
             if p.is_file()]
    return any(re.search(rf"(option|set)\(\s*{name}\b", text) for text in texts)


def check_cmake(words: list[str], ctx: Context) -> list[str]:
    test_sh = (ctx.root / "scripts" / "test.sh").read_text(encoding="utf-8")
    problems = []
    tool = words[0]
    configure = "cmake --preset" if "--preset" in words else "cmake -S"
    needed = {"cmake": [configure if "--build" not in words else "cmake --build"],
              "ctest": ["ctest --test-dir"]}[tool]
    problems += [f"scripts/test.sh does not run `{n} ...`" for n in needed if n not in test_sh]
    for word in words:
        define = re.match(r"-D(MAGPK_\w+)=", word)
        if define and not _cmake_option_defined(define.group(1), ctx.root):
            problems.append(f"{define.group(1)} is not an option of CMakeLists.txt")
    return problems


def check_jupyter(words: list[str], ctx: Context) -> list[str]:
    problems = []
    for path in words[2:]:
        if not path.startswith("-") and not (ctx.root / path).exists():
            problems.append(f"{path} does not exist")
    package = "jupyterlab" if words[1] == "lab" else words[1]
    defined = extras(ctx.root)
    providing = {name for name, reqs in defined.items()
                 if package in _requirement_names(reqs) or
                 (package == "notebook" and "jupyterlab" in _requirement_names(reqs))}
    if not providing:
        problems.append(f"no extra of pyproject.toml provides {package}")
    elif not providing & ctx.pip_extras():
        problems.append(f"{package} comes with the extra(s) {sorted(providing)}, but this "
                        f"document's commands never install one "
                        f"(pip install \".[{min(providing)}]\")")
    return problems


def check_sphinx(words: list[str], ctx: Context) -> list[str]:
    problems = []
    test_sh = (ctx.root / "scripts" / "test.sh").read_text(encoding="utf-8")
    if "sphinx" not in test_sh:
        problems.append("scripts/test.sh does not build the docs (no sphinx)")
    providing = {name for name, reqs in extras(ctx.root).items()
                 if "sphinx" in _requirement_names(reqs)}
    if not providing:
        problems.append("no extra of pyproject.toml provides sphinx")
    elif not providing & (ctx.pip_extras() | extras_named(ctx.text)):
        problems.append(f"sphinx comes with {sorted(providing)}, which this document never names")
    return problems


@functools.cache
def _help(script: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True,
                          cwd=script.parent, timeout=300)


def check_calibrate(words: list[str], ctx: Context) -> list[str]:
    problems = check_script_file("calibration/calibrate.py", ctx.root)
    if problems:
        return problems
    help_run = _help(ctx.root / "calibration" / "calibrate.py")
    if help_run.returncode != 0:
        return [f"calibrate.py --help failed:\n{help_run.stderr}"]
    for word in words[2:]:
        if word.startswith("-") and word not in help_run.stdout:
            problems.append(f"calibrate.py has no option {word}")
    if "test" not in extras_named(ctx.text):
        problems.append("calibrate.py needs scipy (the test extra); the document never names "
                        "the [test] extra")
    return problems


def check_script_file(path: str, root: Path) -> list[str]:
    files = repository_files(root)
    if not (root / path).is_file():
        return [f"{path} does not exist"]
    if files is not None and path not in files:
        return [f"{path} is not in the repository"]
    return []


def check_test_sh_runs(script: str) -> Callable[[list[str], Context], list[str]]:
    def check(words: list[str], ctx: Context) -> list[str]:
        problems = check_script(script, ctx.root)
        if script not in (ctx.root / "scripts" / "test.sh").read_text(encoding="utf-8"):
            problems.append(f"scripts/test.sh does not run {script}")
        return problems
    return check


@dataclass
class NotRun:
    pattern: str              # regular expression on the command's words joined by spaces
    reason: str               # why the suite cannot run it
    check: Callable[[list[str], Context], list[str]] = field(repr=False)


#: The explicit list of documented commands that are checked instead of run.
CHECKED_NOT_RUN: list[NotRun] = [
    NotRun(r"scripts/test\.sh", "the test command itself (running it here would recurse)",
           lambda words, ctx: check_script("scripts/test.sh", ctx.root)),
    NotRun(r"scripts/main_job\.sh( .*)?",
           "sets up .venv with `pip install .` (a second compile of the C++ core) and runs "
           "`magpk compare`: checked by running that `magpk compare` with .venv's magpk",
           check_main_job),
    NotRun(r"scripts/sanitizers\.sh",
           "run by scripts/test.sh (ASan + UBSan build of the C++ tests)",
           check_test_sh_runs("scripts/sanitizers.sh")),
    NotRun(r"scripts/tsan\.sh",
           "run by scripts/test.sh (ThreadSanitizer build of the population engine's tests)",
           check_test_sh_runs("scripts/tsan.sh")),
    NotRun(r"scripts/fuzz\.sh( -[\w=]+)*",
           "a 60-s run is part of scripts/test.sh; a 10^6-execution campaign takes ~30 min",
           check_test_sh_runs("scripts/fuzz.sh")),
    NotRun(r"(pip|pip3|python -m pip|python3 -m pip) install .*",
           "installs packages (scripts/test.sh installs the wheel with its extras)",
           check_pip_install),
    NotRun(r"(cmake|ctest) .*",
           "the same C++ configure, build and ctest run in scripts/test.sh (build/cpp-tests); "
           "a second build would compile twice",
           check_cmake),
    NotRun(r"jupyter (lab|notebook)( .*)?", "starts an interactive server", check_jupyter),
    NotRun(r"(python -m sphinx|sphinx-build) .*", "the docs build, which scripts/test.sh runs",
           check_sphinx),
    NotRun(r"python calibration/calibrate\.py( --[\w-]+( \d+)?)*",
           "the maintainer's refit: minutes of least squares, and --write rewrites "
           "cpp/src/physiology.cpp (checked: every option is accepted by --help)",
           check_calibrate),
]


# ----------------------------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------------------------

@dataclass
class Env:
    name: str
    python: Path

    @property
    def magpk(self) -> list[str]:
        script = self.python.parent / "magpk"
        return [str(script)] if script.exists() else [str(self.python), "-m", "magpk.cli"]


def clean_environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    env["PYTHONWARNINGS"] = "error"
    return env


_DRIVER = r'''
import ast, json, re, sys
source_path, display_path, until, mode, out = sys.argv[1:6]
with open(source_path, encoding="utf-8") as handle:
    source = handle.read()
namespace = {"__name__": "__main__"}
needs = []
for node in ast.parse(source, display_path).body:
    if int(until) and node.lineno > int(until):
        break
    code = compile(ast.Module(body=[node], type_ignores=[]), display_path, "exec")
    try:
        exec(code, namespace)
    except ImportError as error:
        match = re.search(r"magpk\[([\w-]+)\]", str(error))
        if mode != "runtime" or match is None:
            raise
        needs.append({"line": node.lineno, "end": node.end_lineno, "extra": match.group(1),
                      "message": str(error)})
with open(out, "w", encoding="utf-8") as handle:
    json.dump(needs, handle)
'''


def run_python(source: str, doc: Path, env: Env, workdir: Path, until: int = 0,
               mode: str = "runtime") -> tuple[subprocess.CompletedProcess, list]:
    workdir.mkdir(parents=True, exist_ok=True)
    source_file, driver = workdir / "_doc_source.py", workdir / "_driver.py"
    out = workdir / "_out.json"
    source_file.write_text(source, encoding="utf-8")
    driver.write_text(_DRIVER, encoding="utf-8")
    result = subprocess.run([str(env.python), "-W", "error", str(driver), str(source_file),
                             str(doc), str(until), mode, str(out)],
                            cwd=workdir, env=clean_environ(), capture_output=True, text=True,
                            timeout=TIMEOUT_S)
    needs = json.loads(out.read_text(encoding="utf-8")) if result.returncode == 0 else []
    return result, needs


def _output(result: subprocess.CompletedProcess) -> str:
    return textwrap.indent(f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-5000:]}",
                           "    ")


def _extra_problem(extra: str, ctx: Context) -> str:
    if extra not in extras(ctx.root):
        return f"the message names magpk[{extra}], which pyproject.toml does not define"
    if extra not in extras_named(ctx.text):
        return (f"it needs the extra [{extra}], but {_rel(ctx.doc)} never tells the reader "
                f"(name magpk[{extra}] or .[{extra}] next to it)")
    return ""


def _is_runnable(words: list[str]) -> bool:
    return bool(words) and (words[0] == "magpk" or words[:3] in (["python", "-m", "magpk"],
                                                               ["python", "-m", "magpk.cli"])
                            or words[:2] == ["python", "-c"])


def _argv(words: list[str], env: Env) -> list[str]:
    if words[0] == "magpk":
        return env.magpk + words[1:]
    return [str(env.python), *words[1:]]


_FILE_ARG = re.compile(r"^[\w.-]+\.(csv|png|svg|pdf|json|txt|html|parquet)$")


def run_command(command: Command, ctx: Context, runtime: Env, full: Env,
                workdir: Path) -> list[str]:
    failures = []
    for number, words in enumerate(command.variants()):
        where = f"{_rel(ctx.doc)}:{command.line}: `{' '.join(words)}`"
        cwd = workdir / f"line{command.line}_{number}"
        cwd.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(_argv(words, runtime), cwd=cwd, env=clean_environ(),
                                capture_output=True, text=True, timeout=TIMEOUT_S)
        missing = [w for w in words[1:] if _FILE_ARG.match(w) and not (cwd / w).exists()]
        if result.returncode == 0 and "Traceback" not in result.stderr and not missing:
            continue
        if result.returncode == 0 and missing:
            failures.append(f"{where}: exit 0 but did not write {missing}")
            continue
        needed = re.findall(r"magpk\[([\w-]+)\]", result.stderr + result.stdout)
        if result.returncode != 0 and needed and "Traceback" not in result.stderr:
            problems = [p for p in (_extra_problem(extra, ctx) for extra in needed) if p]
            if problems:
                failures.append(f"{where}: {'; '.join(problems)}")
                continue
            again_cwd = cwd.with_name(cwd.name + "_extras")
            again_cwd.mkdir()
            again = subprocess.run(_argv(words, full), cwd=again_cwd, env=clean_environ(),
                                   capture_output=True, text=True, timeout=TIMEOUT_S)
            missing = [w for w in words[1:] if _FILE_ARG.match(w) and not (again_cwd / w).exists()]
            if again.returncode != 0 or "Traceback" in again.stderr or missing:
                failures.append(f"{where}: fails with the extras {needed} installed too "
                                f"(exit {again.returncode}, missing {missing})\n{_output(again)}")
            continue
        failures.append(f"{where}: exit {result.returncode} in the runtime-only environment\n"
                        f"{_output(result)}")
    return failures


def classify(command: Command) -> tuple[str, NotRun | None]:
    """("run" | "check" | "unknown", entry)."""
    words = command.words()
    if command.error:
        return "unknown", None
    if _is_runnable(words) and not any(t in _UNSUPPORTED or "$" in t for t in words):
        return "run", None
    joined = " ".join(words)
    for entry in CHECKED_NOT_RUN:
        if re.fullmatch(entry.pattern, joined):
            return "check", entry
    return "unknown", None


def load(doc: Path) -> tuple[str, list[Block], Context]:
    text = doc.read_text(encoding="utf-8")
    blocks = parse_blocks(text)
    commands = [c for b in blocks if b.lang in ("shell", "console") for c in shell_commands(b)]
    return text, blocks, Context(doc, text, commands)


def static_failures(doc: Path) -> list[str]:
    """Every command is runnable or in CHECKED_NOT_RUN, and the checks of the latter pass."""
    _, _, ctx = load(doc)
    failures = []
    for command in ctx.commands:
        kind, entry = classify(command)
        where = f"{_rel(ctx.doc)}:{command.line}: `{command.text}`"
        if kind == "unknown":
            failures.append(f"{where}: neither runnable by this test nor in CHECKED_NOT_RUN "
                            f"{command.error}".rstrip())
        elif kind == "check":
            failures += [f"{where} ({entry.reason}): {problem}"
                         for problem in entry.check(command.words(), ctx)]
    return failures


def run_failures(doc: Path, runtime: Env, full: Env, workdir: Path) -> list[str]:
    """Run the document's python blocks and runnable commands (module docstring)."""
    text, blocks, ctx = load(doc)
    failures = []
    if any(b.lang == "python" for b in blocks):
        source = python_source(blocks, len(text.split("\n")))
        result, needs = run_python(source, doc, runtime, workdir / "python")
        if result.returncode != 0:
            failures.append(f"{_rel(doc)}: python blocks fail in the runtime-only environment "
                            f"(line numbers are the document's)\n{_output(result)}")
        else:
            for need in needs:
                problem = _extra_problem(need["extra"], ctx)
                if problem:
                    failures.append(f"{_rel(doc)}:{need['line']}: {problem}")
            if needs and not failures:
                until = max(need["end"] for need in needs)
                again, _ = run_python(source, doc, full, workdir / "python_extras", until=until,
                                      mode="full")
                if again.returncode != 0:
                    failures.append(f"{_rel(doc)}: python blocks up to line {until} fail with the "
                                    f"extras installed\n{_output(again)}")
    for command in ctx.commands:
        if classify(command)[0] == "run":
            failures += run_command(command, ctx, runtime, full, workdir / "commands")
    return failures


def runtime_env() -> Env:
    value = os.environ.get(RUNTIME_PYTHON_VAR)
    if not value:
        pytest.skip(f"{RUNTIME_PYTHON_VAR} is not set: scripts/test.sh sets it to the interpreter "
                    f"of build/venv-runtime (magpk + runtime dependencies only)")
    python = Path(value)
    assert python.exists(), f"{RUNTIME_PYTHON_VAR}={value} does not exist"
    return Env("runtime", python)


def full_env() -> Env:
    return Env("full", Path(sys.executable))


def _rel(doc: Path) -> str:
    try:
        return str(doc.relative_to(ROOT))
    except ValueError:
        return str(doc)


def _report(failures: list[str]) -> str:
    return "\n\n".join(failures)


DOCS = doc_files()


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ----------------------------------------------------------------------------------------------
# Tests on the real documents
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc", DOCS, ids=_id)
def test_every_documented_command_is_runnable_or_checked(doc):
    failures = static_failures(doc)
    assert not failures, _report(failures)


@pytest.mark.parametrize("doc", DOCS, ids=_id)
def test_documented_examples_run_with_runtime_dependencies_only(doc, tmp_path):
    runtime = runtime_env()
    failures = run_failures(doc, runtime, full_env(), tmp_path)
    assert not failures, _report(failures)


@pytest.mark.parametrize("doc", DOCS, ids=_id)
def test_every_extra_named_exists(doc):
    text = doc.read_text(encoding="utf-8")
    unknown = extras_named(text) - set(extras())
    assert not unknown, f"{_id(doc)} names extras that pyproject.toml does not define: {unknown}"


def test_readme_names_every_extra():
    named = extras_named((ROOT / "README.md").read_text(encoding="utf-8"))
    missing = set(extras()) - named
    assert not missing, f"README.md does not name the extras {sorted(missing)}"


def test_notebooks_readme_installs_the_notebooks_extra():
    _, _, ctx = load(ROOT / "notebooks" / "README.md")
    assert "notebooks" in ctx.pip_extras()
    assert "jupyterlab" in _requirement_names(extras()["notebooks"])


def test_readme_documents_the_test_and_main_commands():
    _, _, ctx = load(ROOT / "README.md")
    words = [" ".join(c.words()) for c in ctx.commands]
    assert "scripts/test.sh" in words and "scripts/main_job.sh" in words


def test_runtime_env_has_only_runtime_dependencies():
    """build/venv-runtime holds magpk and the closure of its runtime requirements, nothing else."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    runtime = runtime_env()
    listing = subprocess.run(
        [str(runtime.python), "-I", "-c",
         "import json, importlib.metadata as m; print(json.dumps({d.metadata['Name']: "
         "(d.requires or []) for d in m.distributions()}))"],
        capture_output=True, text=True, check=True, cwd=runtime.python.parent,
        env=clean_environ())
    installed = {canonicalize_name(k): v for k, v in json.loads(listing.stdout).items()}
    assert "magpk" in installed, "magpk is not installed in the runtime environment"
    closure, todo = set(), ["magpk"]
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        for text in installed.get(name, []):
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    extra = set(installed) - closure - {"pip", "setuptools", "wheel"}
    assert not extra, f"the runtime environment has packages beyond magpk's runtime deps: {extra}"
    declared = {canonicalize_name(n) for n in _requirement_names(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])} \
        if tomllib else set()
    assert declared <= closure


# ----------------------------------------------------------------------------------------------
# Self-tests: the checker can fail
# ----------------------------------------------------------------------------------------------

def _fake_doc(tmp_path: Path, text: str) -> Path:
    doc = tmp_path / "FAKE.md"
    doc.write_text(textwrap.dedent(text), encoding="utf-8")
    return doc


def test_self_parser_finds_nested_blocks_and_skips_code_cells(tmp_path):
    doc = _fake_doc(tmp_path, """\
        ```{code-cell} ipython3
        raise SystemExit("executed by myst-nb, not here")
        ```

        ````{note}
        ```bash
        magpk forms  # a comment
        ```
        ````

        ```{code-block} python
        :caption: x
        x = 1
        ```

        ```console
        $ magpk compare --forms oxide \\
            --dose 300mg [--egfr 45] [--csv out.csv]
        output line
        ```

        ```
        a diagram, not code
        ```
        """)
    _, blocks, ctx = load(doc)
    assert [b.lang for b in blocks] == ["", "shell", "python", "console", ""]
    assert blocks[2].lines == ["x = 1"] and blocks[2].first_line == 13
    assert [c.words() for c in ctx.commands] == [
        ["magpk", "forms"],
        ["magpk", "compare", "--forms", "oxide", "--dose", "300mg", "--egfr", "45", "--csv",
         "out.csv"]]
    assert ctx.commands[1].variants() == [
        ["magpk", "compare", "--forms", "oxide", "--dose", "300mg"],
        ["magpk", "compare", "--forms", "oxide", "--dose", "300mg", "--egfr", "45", "--csv",
         "out.csv"]]
    assert ctx.commands[1].line == 17


def test_self_unknown_command_fails(tmp_path):
    doc = _fake_doc(tmp_path, """\
        ```bash
        pip install ".[plot]"
        make everything      # neither runnable nor listed
        magpk forms | head   # a pipe is not run
        ```
        """)
    failures = static_failures(doc)
    assert len(failures) == 2, failures
    assert all("neither runnable" in f for f in failures)
    assert "make everything" in failures[0] and "head" in failures[1]


def test_self_checked_commands_fail_when_not_real(tmp_path):
    doc = _fake_doc(tmp_path, """\
        ```bash
        pip install ".[nosuchextra]"
        pip install requests
        jupyter lab notebooks/
        scripts/no_such_script.sh
        cmake --preset release -DMAGPK_NO_SUCH_OPTION=ON
        scripts/main_job.sh --forms no_such_form
        ```
        """)
    failures = static_failures(doc)
    text = "\n".join(failures)
    assert "extra [nosuchextra] is not defined" in text
    assert "installs 'requests'" in text
    assert "never install one" in text                   # jupyter without its extra installed
    assert "no_such_script.sh`: neither runnable" in text
    assert "MAGPK_NO_SUCH_OPTION is not an option" in text
    assert "(what main_job.sh runs) exits 2" in text and "no_such_form" in text
    assert len(failures) == 6, failures


def _self_envs() -> tuple[Env, Env]:
    """The checker's own tests use the pytest interpreter when no runtime env is given."""
    value = os.environ.get(RUNTIME_PYTHON_VAR)
    return (Env("runtime", Path(value)) if value else full_env()), full_env()


def test_self_failing_examples_fail(tmp_path):
    doc = _fake_doc(tmp_path, """\
        ```python
        import magpk
        x = magpk.forms()
        ```

        Text between blocks.

        ```python
        assert x is None, "a wrong documented claim"
        ```

        ```bash
        magpk compare --forms no_such_form --dose 300mg
        magpk forms
        ```
        """)
    runtime, full = _self_envs()
    failures = run_failures(doc, runtime, full, tmp_path / "run")
    assert len(failures) == 2, failures
    assert "a wrong documented claim" in failures[0] and f'"{doc}", line 9' in failures[0]
    assert "no_such_form" in failures[1] and "exit 2" in failures[1]


def test_self_extra_needed_but_not_documented_fails(tmp_path):
    doc = _fake_doc(tmp_path, """\
        ```python
        raise ImportError("needs " + "magpk[" + "plot]")
        ```
        """)
    runtime, full = _self_envs()
    failures = run_failures(doc, runtime, full, tmp_path / "run")
    assert len(failures) == 1 and "never tells the reader" in failures[0], failures


def test_self_extra_documented_runs_again_with_extras(tmp_path):
    """A statement needing a documented extra is rerun where the extras are installed."""
    doc = _fake_doc(tmp_path, """\
        Plots need `pip install ".[plot]"`.

        ```python
        import importlib.util
        if importlib.util.find_spec("matplotlib") is None:
            raise ImportError("needs " + "magpk[" + "plot]")
        else:
            raise RuntimeError("fails even with the extra")
        ```
        """)
    runtime, full = _self_envs()
    if importlib_has(runtime, "matplotlib"):
        pytest.skip("the runtime environment has matplotlib")
    failures = run_failures(doc, runtime, full, tmp_path / "run")
    assert len(failures) == 1 and "fail with the extras installed" in failures[0], failures
    assert "fails even with the extra" in failures[0]


def importlib_has(env: Env, module: str) -> bool:
    probe = subprocess.run([str(env.python), "-c", f"import {module}"], capture_output=True,
                           env=clean_environ())
    return probe.returncode == 0
