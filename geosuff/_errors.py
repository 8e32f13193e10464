"""Exceptions raised by geosuff.

Every exception subclasses :class:`GeosuffError` and a builtin, so callers can
catch either. Messages name the file or value at fault and say how to fix it;
the command line prints them as one line (tracebacks only with ``--debug``).
"""

from __future__ import annotations

__all__ = [
    "AreaNotFoundError",
    "DataMissingError",
    "GeosuffError",
    "InputFileError",
    "NetworkError",
    "OutputError",
    "RejectedRowsError",
    "ValidationError",
]


class GeosuffError(Exception):
    """Base class of every error geosuff raises on purpose."""


class InputFileError(GeosuffError, OSError):
    """A file cannot be read, or lacks a required column, or has the wrong CRS."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class OutputError(GeosuffError, OSError):
    """An output file or folder cannot be written (the message names it, never a temp file)."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class ValidationError(GeosuffError, ValueError):
    """An argument or a table's content is not usable."""


class RejectedRowsError(ValidationError):
    """Rows were rejected and strict mode turns any reject into a failure."""


class AreaNotFoundError(GeosuffError, LookupError):
    """An area code or name matches no local authority in the data."""


class DataMissingError(GeosuffError, FileNotFoundError):
    """A data file the command needs is not in the data folder."""


class NetworkError(GeosuffError, RuntimeError):
    """A road network cannot be built, loaded or used."""
