import importlib.metadata
from pathlib import Path

import pytest

import magpk

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _pyproject_version() -> str:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        tomllib = pytest.importorskip("tomli")
    with PYPROJECT.open("rb") as file:
        version: str = tomllib.load(file)["project"]["version"]
    return version


def test_version_is_the_installed_distributions_and_pyprojects() -> None:
    """``magpk.__version__`` (compiled into the core) is the version of the installed
    distribution, which is the one pyproject.toml declares (a stale build would differ)."""
    assert magpk.__version__ == importlib.metadata.version("magpk")
    assert magpk.__version__ == _pyproject_version()


def test_core_module_docstring() -> None:
    from magpk import _core

    assert _core.__doc__


def test_installed_package_is_typed() -> None:
    """The wheel ships py.typed and the compiled core's stub (python/magpk/_core.pyi)."""
    from importlib import resources

    package = resources.files("magpk")
    assert package.joinpath("py.typed").is_file()
    stub = package.joinpath("_core.pyi").read_text()
    assert "def simulate(" in stub and "class Regimen" in stub
