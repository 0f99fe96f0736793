import magpk


def test_version() -> None:
    assert magpk.__version__ == "0.1.0"


def test_core_module_docstring() -> None:
    from magpk import _core

    assert _core.__doc__
