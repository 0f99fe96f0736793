"""Argument checks shared by the public API.

Every failure raises ``TypeError`` (wrong kind of value) or ``ValueError``
(right kind, not allowed) with a message naming the argument, the value given
and what is allowed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any


def real(name: str, value: Any, *, minimum: float | None = None,
         maximum: float | None = None, strictly_positive: bool = False,
         allowed: str = "") -> float:
    """Return ``value`` as a float after checking type, finiteness and range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}={value!r}: expected a real number, got {type(value).__name__}")
    result = float(value)
    bounds = allowed or _describe(minimum, maximum, strictly_positive)
    if not math.isfinite(result):
        raise ValueError(f"{name}={value!r}: must be finite ({bounds})")
    if strictly_positive and result <= 0.0:
        raise ValueError(f"{name}={value!r}: must be > 0 ({bounds})")
    if minimum is not None and result < minimum:
        raise ValueError(f"{name}={value!r}: out of range ({bounds})")
    if maximum is not None and result > maximum:
        raise ValueError(f"{name}={value!r}: out of range ({bounds})")
    return result


def count(name: str, value: Any, *, maximum: int) -> int:
    """A positive integer no larger than ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name}={value!r}: expected a positive integer, got {type(value).__name__}")
    if not 1 <= int(value) <= maximum:
        raise ValueError(f"{name}={value!r}: allowed 1 to {maximum:,}")
    return int(value)


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name}={value!r}: expected True or False")
    return value


def choice(name: str, value: Any, allowed: Sequence[Any]) -> Any:
    """``value`` if it is one of ``allowed`` (strings or None), compared by type and value."""
    if not any(value is a or (type(value) is type(a) and value == a) for a in allowed):
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r}: allowed values are {shown}")
    return value


def _describe(minimum: float | None, maximum: float | None, strictly_positive: bool) -> str:
    low = "> 0" if strictly_positive else (f">= {minimum:g}" if minimum is not None else "")
    high = f"<= {maximum:g}" if maximum is not None else ""
    if not (low or high):
        return "allowed: finite"
    return "allowed: " + " and ".join(p for p in (low, high) if p)
