import magpk


def test_version() -> None:
    assert magpk.__version__ == "0.1.0"


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
