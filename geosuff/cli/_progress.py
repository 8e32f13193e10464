"""The progress bar the CLI shows on stderr for long runs."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

__all__ = ["progress_bar"]


def progress_bar(*, disable: bool = False) -> Progress:
    """Return a transient bar (description, bar, done/total, elapsed) on stderr.

    Parameters
    ----------
    disable
        Show nothing (e.g. when the work is instant).

    Returns
    -------
    rich.progress.Progress
        Use as a context manager.
    """
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=disable,
    )
