"""Build threshold dataclasses from user mappings (TOML tables), rejecting typos."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any, TypeVar

from geosuff._errors import ValidationError

__all__ = ["thresholds_from_mapping"]

T = TypeVar("T")


def thresholds_from_mapping(cls: type[T], values: Mapping[str, object], label: str) -> T:
    """Return ``cls`` with its defaults overridden by *values* (all numbers).

    Parameters
    ----------
    cls
        A frozen dataclass of float thresholds.
    values
        Name -> number, e.g. a TOML table.
    label
        What the thresholds are for, for the error message (``"gap"``, ``"zone"``).

    Returns
    -------
    T
        The thresholds.

    Raises
    ------
    ValidationError
        For unknown names or values that are not numbers.
    """
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - known)
    if unknown:
        msg = f"unknown {label} thresholds {unknown}; known: {sorted(known)}"
        raise ValidationError(msg)
    merged: dict[str, Any] = asdict(cls())  # type: ignore[call-overload]
    for key, value in values.items():
        try:
            merged[key] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            msg = f"{label} threshold {key} must be a number, got {value!r}"
            raise ValidationError(msg) from exc
    return cls(**merged)
