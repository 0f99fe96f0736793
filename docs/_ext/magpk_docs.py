"""Local Sphinx extension of the magpk documentation (docs/conf.py loads it).

- ``magpk-table`` directive: one generated table of ``docs/tables.py`` (``BLOCKS``),
  rendered from the installed package while the site is built, so no table is
  pasted into the sources. The directive's content, if any, must be the command
  that prints the same table (``python docs/tables.py --block NAME``): readers of
  the raw Markdown (e.g. on GitHub) see that command instead of the table.
- ``magpk-cli-help`` directive: the ``--help`` text of the ``magpk`` command line
  (or of one subcommand) from the installed ``magpk.cli.build_parsers()``.
- The teaching notebooks of ``notebooks/`` are copied into ``docs/notebooks/``
  (git-ignored) before reading, so myst-nb executes and renders them.
- Freshness: pages that use these directives are re-read on every build; the
  notebooks are re-executed when the installed package changed (a fingerprint of
  its files; the jupyter cache is then cleared).
- Checks, reported as Sphinx warnings (errors under ``-W``): every name of
  ``magpk.__all__`` has an API entry; every output column and metric of the
  installed package is mentioned in the prose of the model page.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
NOTEBOOK_SOURCE = ROOT / "notebooks"
NOTEBOOK_COPY = DOCS / "notebooks"
MODEL_DOC = "model"
_FINGERPRINT_FILE = "magpk-package-fingerprint.txt"


def _tables() -> Any:
    """docs/tables.py, imported once (conf.py puts docs/ on sys.path); import
    failures of the scripts it reads are errors in a docs build."""
    import tables

    tables.STRICT = True
    return tables


def _note_generated(env: BuildEnvironment) -> None:
    if not hasattr(env, "magpk_generated_docs"):
        env.magpk_generated_docs = set()
    env.magpk_generated_docs.add(env.docname)


class TableDirective(SphinxDirective):
    """``magpk-table NAME``: the Markdown of ``tables.BLOCKS[NAME]()``, parsed in place."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        tables = _tables()
        name = self.arguments[0]
        if name not in tables.BLOCKS:
            raise self.error(f"magpk-table: unknown table {name!r}; known: "
                             f"{', '.join(tables.BLOCKS)}")
        expected = f"python docs/tables.py --block {name}"
        if self.content and "\n".join(self.content).strip() != expected:
            logger.warning(f"magpk-table {name}: the content should be {expected!r}",
                           location=self.get_location())
        _note_generated(self.env)
        markdown = tables.BLOCKS[name]()
        container = nodes.container(classes=["magpk-generated", f"magpk-table-{name}"])
        self.state.nested_parse(StringList(markdown.splitlines(), source=f"<tables.py {name}>"),
                                self.content_offset, container)
        return [container]


def _help_text(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "92"  # argparse wraps to the terminal width: fix it
    try:
        return parser.format_help()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def _help_block(text: str) -> nodes.literal_block:
    block = nodes.literal_block(text, text)
    block["language"] = "text"
    return block


class CliHelpDirective(SphinxDirective):
    """``magpk-cli-help [SUBCOMMAND]``: the help text of the installed command line.

    With the flag option ``:subcommands:`` and no argument: the main help, then
    the help of every subcommand under a rubric ``magpk NAME``."""

    optional_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {"subcommands": directives.flag}

    def run(self) -> list[nodes.Node]:
        from magpk.cli import build_parsers

        parser, commands = build_parsers()
        _note_generated(self.env)
        if self.arguments:
            if self.arguments[0] not in commands:
                raise self.error(f"magpk-cli-help: unknown subcommand {self.arguments[0]!r}; "
                                 f"known: {', '.join(commands)}")
            return [_help_block(_help_text(commands[self.arguments[0]]))]
        result: list[nodes.Node] = [_help_block(_help_text(parser))]
        if "subcommands" in self.options:
            for name, subparser in commands.items():
                result.append(nodes.rubric("", "", nodes.literal(text=f"magpk {name}")))
                result.append(_help_block(_help_text(subparser)))
        return result


# ----------------------------------------------------------------------------- notebooks
def _copy_notebooks(app: Sphinx) -> None:
    """notebooks/*.ipynb -> docs/notebooks/ (only files whose bytes changed are written,
    so unchanged notebooks keep their modification time and are not re-read)."""
    NOTEBOOK_COPY.mkdir(exist_ok=True)
    sources = {path.name: path for path in sorted(NOTEBOOK_SOURCE.glob("*.ipynb"))}
    if not sources:
        logger.warning(f"no notebooks found in {NOTEBOOK_SOURCE}")
    for stale in NOTEBOOK_COPY.glob("*.ipynb"):
        if stale.name not in sources:
            stale.unlink()
    for name, source in sources.items():
        target = NOTEBOOK_COPY / name
        data = source.read_bytes()
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)


def _package_fingerprint() -> str:
    """SHA-256 over the files of the installed magpk package (code, core, data)."""
    spec = importlib.util.find_spec("magpk")
    folder = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _reset_stale_notebook_cache(app: Sphinx, config: Any) -> None:
    """Clear the jupyter cache when the installed package differs from the one that
    produced the cached outputs (the cache itself keys only on the code cells)."""
    app.magpk_fingerprint = _package_fingerprint()
    cache = Path(config.nb_execution_cache_path)
    stamp = cache / _FINGERPRINT_FILE
    if cache.exists() and (not stamp.exists() or stamp.read_text() != app.magpk_fingerprint):
        logger.info("magpk package changed: clearing the notebook execution cache")
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(app.magpk_fingerprint)


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
              removed: set[str]) -> list[str]:
    """Pages with generated content, and the notebooks after a package change."""
    docs = set(getattr(env, "magpk_generated_docs", set()))
    if getattr(env, "magpk_fingerprint", None) != app.magpk_fingerprint:
        docs |= {doc for doc in env.found_docs if doc.startswith("notebooks/")}
        env.magpk_fingerprint = app.magpk_fingerprint
    return sorted((docs & env.found_docs) - added - changed - removed)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "magpk_generated_docs", set()).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str],
           other: BuildEnvironment) -> None:
    if not hasattr(env, "magpk_generated_docs"):
        env.magpk_generated_docs = set()
    env.magpk_generated_docs |= getattr(other, "magpk_generated_docs", set())


# ----------------------------------------------------------------------------- checks
def _check_model_prose(app: Sphinx, docname: str, source: list[str]) -> None:
    """Output columns and metrics that the hand-written model page does not mention."""
    if docname != MODEL_DOC:
        return
    for problem in _tables().undocumented(source[0]):
        logger.warning(problem, location=docname)


def _check_api_coverage(app: Sphinx, env: BuildEnvironment) -> None:
    """Every public name of ``magpk.__all__`` must have an entry in the API reference."""
    import magpk

    domain = env.get_domain("py")
    documented = set(domain.objects) | set(getattr(domain, "modules", {}))
    missing = [name for name in magpk.__all__
               if name != "__version__" and f"magpk.{name}" not in documented]
    if missing:
        logger.warning("API reference: no entry for magpk." + ", magpk.".join(missing)
                       + " (add it to docs/api.md)", location="api")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("magpk-table", TableDirective)
    app.add_directive("magpk-cli-help", CliHelpDirective)
    app.connect("config-inited", _reset_stale_notebook_cache)
    app.connect("builder-inited", _copy_notebooks)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("source-read", _check_model_prose)
    app.connect("env-check-consistency", _check_api_coverage)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
