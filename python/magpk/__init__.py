"""magpk: pharmacokinetic models implemented in C++ (Eigen, Boost.Odeint)
and exposed to Python through pybind11 (extension module ``magpk._core``).
"""

from ._core import __version__

__all__ = ["__version__"]
