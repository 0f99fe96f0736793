"""The teaching notebooks (notebooks/*.ipynb): stored clean (no outputs, no execution
counts, no volatile metadata, nbformat's JSON layout), with the required sections, and
every one executes without error (nbclient, kernel "python3").

The committed .ipynb files are the notebooks' only source. After editing one in Jupyter,
strip it with ``python tests/python/test_notebooks.py`` (rewrites every notebook that is
not clean; needs nbformat and pytest).

Execution needs the test extra (nbclient, nbformat, ipykernel, matplotlib); the tests
are skipped when those are missing. Runs the kernel with IPython, matplotlib and
Jupyter runtime directories in a temporary folder, so nothing is written elsewhere.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS: list[Path] = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
IDS = [path.name for path in NOTEBOOKS]
EXPECTED = {"01_quick_start.ipynb", "02_saturable_absorption.ipynb",
            "03_accumulation_steady_state.ipynb", "04_renal_threshold.ipynb",
            "05_serum_vs_stores.ipynb", "06_iv_magnesium_preeclampsia.ipynb",
            "07_labels_and_safety.ipynb", "08_children.ipynb", "09_fit_your_own_data.ipynb",
            "10_how_sure_are_we.ipynb"}


# What a committed notebook may carry besides its cells' sources: the kernel every notebook
# runs with and the language, nothing that changes when someone runs or saves it (outputs,
# execution counts, timings, widget state, the Python version in language_info, ...).
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
NOTEBOOK_METADATA = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
CELL_METADATA_KEYS = frozenset({"tags"})  # deliberate (e.g. myst-nb's "hide-input")


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def strip(nb: Any) -> Any:
    """A copy of ``nb`` as it is committed: no outputs, no execution counts, the fixed
    notebook metadata and only the cell metadata in ``CELL_METADATA_KEYS``."""
    clean = copy.deepcopy(nb)
    clean.metadata = nbformat.from_dict(copy.deepcopy(NOTEBOOK_METADATA))
    for cell in clean.cells:
        cell.metadata = nbformat.from_dict({key: value for key, value in cell.metadata.items()
                                            if key in CELL_METADATA_KEYS})
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return clean


def _layout(nb: Any) -> str:
    """The file text nbformat.write() gives (Jupyter's layout: indent 1, sorted keys)."""
    return nbformat.writes(nb) + "\n"


def unclean(path: Path) -> list[str]:
    """What keeps the file at ``path`` from being a clean notebook (empty if nothing)."""
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.outputs:
            found.append(f"cell {index}: {len(cell.outputs)} stored output(s)")
        if cell.cell_type == "code" and cell.execution_count is not None:
            found.append(f"cell {index}: execution count {cell.execution_count}")
        extra = sorted(set(cell.metadata) - CELL_METADATA_KEYS)
        if extra:
            found.append(f"cell {index}: metadata {extra}")
    if nb.metadata != NOTEBOOK_METADATA:
        found.append(f"notebook metadata {dict(nb.metadata)!r}, expected {NOTEBOOK_METADATA!r}")
    if not found and text != _layout(nb):
        found.append("not in nbformat's JSON layout")
    return found


def _markdown(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_all_notebooks_present() -> None:
    assert EXPECTED <= set(IDS), f"missing notebooks: {sorted(EXPECTED - set(IDS))}"
    readme = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    for name in IDS:
        assert name in readme, f"{name} is not listed in notebooks/README.md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_clean(path: Path) -> None:
    """The committed notebook is valid and clean: no outputs, no execution counts, no
    volatile metadata, nbformat's layout (so that a diff shows only source changes)."""
    nbformat.validate(_read(path))
    found = unclean(path)
    assert not found, (f"{path.name} is not clean ({'; '.join(found)}); strip it with: "
                       f"python tests/python/test_notebooks.py")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_required_sections(path: Path) -> None:
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), \
        f"{path.name}: the first cell must be a markdown title"
    text = _markdown(nb)
    for heading in ("Learning objectives", "Try this", "Sources"):
        assert re.search(rf"^#+ .*{heading}", text, flags=re.MULTILINE | re.IGNORECASE), \
            f"{path.name}: no '{heading}' section"
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Sources"), \
        f"{path.name}: the last cell should be the Sources cell"
    assert "http" in last.source, f"{path.name}: the Sources cell cites no URL"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stand_alone(path: Path) -> None:
    """Notebooks must not read files outside the repository (e.g. ../shared)."""
    code = "\n".join(cell.source for cell in _read(path).cells if cell.cell_type == "code")
    for forbidden in ("../shared", "/work/shared", "open(", "to_csv(", "savefig("):
        assert forbidden not in code, f"{path.name}: code uses {forbidden!r}"


# jupyter_client/jupyter_core may emit DeprecationWarnings in the test process (e.g. the
# platformdirs migration notice, datetime.utcnow in session messages) while the kernel
# starts; they are unrelated to the notebooks. Warnings inside the kernel never reach pytest.
@pytest.mark.filterwarnings("ignore::DeprecationWarning:jupyter_client")
@pytest.mark.filterwarnings("ignore::DeprecationWarning:jupyter_core")
@pytest.mark.filterwarnings("ignore::DeprecationWarning:zmq")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executes(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    for variable in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR"):
        folder = tmp_path / variable.lower()
        folder.mkdir()
        monkeypatch.setenv(variable, str(folder))
    # The kernel must not see PYTEST_CURRENT_TEST: with it, ipykernel does not capture the
    # process-level stdout (OutStream.fileno() then fails, e.g. when `import magpk` from an
    # editable install rebuilds the extension in a subprocess).
    # MPLBACKEND may be left by in-process CLI tests (magpk --plot sets Agg); the
    # kernel must use its inline backend so that figures reach the outputs.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "MPLBACKEND")}
    nb = _read(path)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute(env=env)  # raises CellExecutionError on any error
    errors = [output for cell in nb.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors
    images = sum("image/png" in output.get("data", {}) for cell in nb.cells
                 if cell.cell_type == "code" for output in cell.outputs)
    assert images >= 1, f"{path.name} produced no plot"


def main() -> None:
    """Strip every notebook in notebooks/ that is not clean (see ``strip``), in place."""
    for path in NOTEBOOKS:
        if unclean(path):
            nb = strip(_read(path))
            nbformat.validate(nb)
            with path.open("w", encoding="utf-8", newline="\n") as file:
                file.write(_layout(nb))
            print("stripped", path.relative_to(NOTEBOOK_DIR.parent))


if __name__ == "__main__":
    main()
