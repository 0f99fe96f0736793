"""magpk.show_config(): how the core was built; the default build is portable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import magpk

ROOT = Path(__file__).resolve().parents[2]


def test_show_config_keys_and_types(capsys) -> None:
    config = magpk.show_config()
    assert set(config) == {"version", "native_arch", "simd", "compiler", "build_type"}
    assert config["version"] == magpk.__version__
    assert isinstance(config["native_arch"], bool)
    assert config["simd"] and config["compiler"] and config["build_type"]
    printed = capsys.readouterr().out
    for key, value in config.items():
        assert re.search(rf"^{key}\s+{re.escape(str(value))}$", printed, re.M), printed


def test_show_config_quiet_prints_nothing(capsys) -> None:
    magpk.show_config(quiet=True)
    assert capsys.readouterr().out == ""
    with pytest.raises(TypeError, match="quiet"):
        magpk.show_config(quiet="yes")  # type: ignore[arg-type]


def test_portable_build_uses_no_machine_specific_instructions() -> None:
    config = magpk.show_config(quiet=True)
    if config["native_arch"]:
        pytest.skip("this installation was built with MAGPK_NATIVE_ARCH=ON")
    # x86-64's baseline has SSE2 but not AVX; a portable core must not use AVX.
    assert "AVX" not in str(config["simd"]), config


def test_native_arch_is_opt_in() -> None:
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r'option\(MAGPK_NATIVE_ARCH "[^"]*" (ON|OFF)\)', text)
    assert match is not None
    assert match.group(1) == "OFF"
