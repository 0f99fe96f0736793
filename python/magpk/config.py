"""How this installation of magpk was built (``magpk.show_config()``)."""

from __future__ import annotations

from . import _core


def show_config(*, quiet: bool = False) -> dict[str, str | bool]:
    """Print and return how the C++ core of this installation was compiled.

    Speed figures and last-digit differences between machines depend on these facts,
    so quote them with any benchmark or bug report.

    Parameters
    ----------
    quiet : bool
        Return the dictionary without printing it.

    Returns
    -------
    dict
        ``version``; ``native_arch`` (True when built for the build machine's CPU with
        ``-C cmake.define.MAGPK_NATIVE_ARCH=ON``; the default build is portable);
        ``simd`` (the vector instruction sets the core uses, as Eigen reports them);
        ``compiler``; ``build_type``.
    """
    if not isinstance(quiet, bool):
        raise TypeError(f"quiet must be True or False, got {quiet!r}")
    info = _core.build_info()
    config: dict[str, str | bool] = {
        "version": _core.__version__,
        "native_arch": bool(info.native_arch),
        "simd": info.simd,
        "compiler": info.compiler,
        "build_type": info.build_type,
    }
    if not quiet:
        width = max(len(key) for key in config)
        for key, value in config.items():
            print(f"{key:<{width}}  {value}")
    return config
