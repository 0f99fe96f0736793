"""The teaching notebooks (notebooks/*.ipynb): stored without outputs, with the required
sections, and every one executes without error (nbclient, kernel "python3").

Execution needs the test extra (nbclient, nbformat, ipykernel, matplotlib); the tests
are skipped when those are missing. Runs the kernel with IPython, matplotlib and
Jupyter runtime directories in a temporary folder, so nothing is written elsewhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

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


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _markdown(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_all_notebooks_present() -> None:
    assert EXPECTED <= set(IDS), f"missing notebooks: {sorted(EXPECTED - set(IDS))}"
    readme = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    for name in IDS:
        assert name in readme, f"{name} is not listed in notebooks/README.md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_without_outputs(path: Path) -> None:
    """Guard against committed outputs: every code cell is empty of outputs."""
    nb = _read(path)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index} has stored outputs"
            assert cell.execution_count is None, f"{path.name} cell {index} has an execution count"


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
