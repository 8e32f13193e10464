"""Print a report to PDF (A4) with headless Chromium, where it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from geosuff._errors import DataMissingError, GeosuffError
from geosuff.io.files import atomic_path

__all__ = ["CHROMIUM_ENV", "find_chromium", "print_pdf"]

#: Environment variable naming the Chromium executable.
CHROMIUM_ENV = "GEOSUFF_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Return the Chromium executable (``$GEOSUFF_CHROMIUM``, else on the PATH), or ``None``."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return given if Path(given).is_file() or shutil.which(given) else None
    return next((found for n in _NAMES if (found := shutil.which(n))), None)


def print_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str]) -> Path:
    """Print an HTML report to an A4 PDF (the page's print styles apply).

    Parameters
    ----------
    html_path
        The report.
    pdf_path
        The PDF to write (atomically).

    Returns
    -------
    pathlib.Path
        The PDF.

    Raises
    ------
    DataMissingError
        If Chromium is not installed.
    GeosuffError
        If Chromium fails to print.
    """
    chromium = find_chromium()
    if chromium is None:
        msg = (
            "--pdf needs headless Chromium (apt-get install chromium, or set "
            f"{CHROMIUM_ENV}); the HTML report was written and prints from any browser"
        )
        raise DataMissingError(msg)
    source = Path(html_path).resolve()
    with (
        tempfile.TemporaryDirectory(prefix="geosuff-pdf-") as profile,
        atomic_path(pdf_path) as tmp,
    ):
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=15000",
            f"--print-to-pdf={tmp}",
            source.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        if not tmp.is_file() or tmp.stat().st_size == 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            msg = f"Chromium could not print {source.name} to PDF (exit {proc.returncode}: {last})"
            raise GeosuffError(msg)
    return Path(pdf_path)
