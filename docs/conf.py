"""Sphinx configuration of the magpk documentation site.

Build (offline, warnings are errors), from the repository root after
``pip install ".[docs]"``::

    python -m sphinx -W --keep-going -b html docs build/docs-html

The tables of the model page are generated at build time from the installed
package (``docs/_ext/magpk_docs.py`` calling ``docs/tables.py``); the notebooks
of ``notebooks/`` are copied into ``docs/notebooks/`` (git-ignored) and executed
by myst-nb, with outputs cached in ``build/docs-jupyter-cache``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS))  # docs/tables.py, imported by the local extension

import magpk  # noqa: E402  (the installed package: the site documents what is installed)

project = "magpk"
author = "the magpk authors"
copyright = "magpk authors"
release = magpk.__version__
version = release

extensions = [
    "myst_nb",               # Markdown (MyST) pages and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",   # NumPy-style "Parameters" sections of the docstrings
    "sphinx.ext.mathjax",
    "magpk_docs",            # docs/_ext: generated tables, CLI help, notebook copies, checks
]

exclude_patterns = ["_build", "_ext", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

# ----------------------------------------------------------------------------- MyST
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True   # "$$...$$" inside a paragraph (docs/model.md) is display math

# ----------------------------------------------------------------------------- notebooks
nb_execution_mode = "cache"
nb_execution_cache_path = str(ROOT / "build" / "docs-jupyter-cache")
nb_execution_timeout = 600        # seconds per cell; each notebook takes seconds
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# The sliders of notebooks 02 and 06 need a live kernel; the site shows the static plots.
nb_ipywidgets_js = {}
# Kernels write their IPython, matplotlib and Jupyter runtime files under build/.
for _variable in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR"):
    _folder = ROOT / "build" / "docs-kernel" / _variable.lower()
    _folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault(_variable, str(_folder))

# ----------------------------------------------------------------------------- API
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_typehints_description_target = "documented_params"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
nitpicky = False

# No intersphinx (or any other extension that fetches): the build works offline.

# ----------------------------------------------------------------------------- HTML
html_theme = "furo"
html_title = f"magpk {release}"
html_static_path: list = []
html_last_updated_fmt = None
