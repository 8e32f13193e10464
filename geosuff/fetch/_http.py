"""All network access of geosuff: resumable, verified file downloads over HTTP(S).

Nothing else in geosuff opens a socket (``_pages`` reads the start of a web page
or file through the same rules). A download goes to ``<target>.part``,
resumes from there with an HTTP ``Range`` request after an interruption, retries
with exponential back-off, checks the SHA-256 when one is expected, and only then
renames the file into place, so a half-written or corrupt file never sits where a
loader would read it.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress

from geosuff._errors import NetworkError, ValidationError

__all__ = ["DownloadError", "DownloadResult", "download", "sha256_of"]

logger = logging.getLogger(__name__)

_CHUNK_BYTES = 1 << 16
_PROGRESS_MIN_BYTES = 1 << 20
_USER_AGENT = "geosuff-data-fetch (+https://github.com/geosuff)"
_GONE = {401, 403, 404, 410}


class DownloadError(NetworkError):
    """A download failed: offline, timed out, or the source has moved.

    Attributes
    ----------
    moved
        True when the server answered but the file is not there (HTTP 401, 403,
        404, 410): the catalogue entry needs a new URL. False when the server could
        not be reached or the transfer kept failing.
    """

    def __init__(self, message: str, *, moved: bool = False) -> None:
        super().__init__(message)
        self.moved = moved


@dataclass(frozen=True)
class DownloadResult:
    """What a finished download wrote.

    Attributes
    ----------
    path
        The file, in its final place.
    url
        The URL asked for.
    sha256
        SHA-256 of the file, hex.
    size_bytes
        Size of the file.
    last_modified
        The server's ``Last-Modified`` header, if it sent one.
    resumed_from_bytes
        Bytes that were already in the ``.part`` file and not downloaded again.
    """

    path: Path
    url: str
    sha256: str
    size_bytes: int
    last_modified: str | None
    resumed_from_bytes: int


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file, hex.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _part_paths(target: Path) -> tuple[Path, Path]:
    return target.with_name(target.name + ".part"), target.with_name(target.name + ".part.json")


def _reason(exc: BaseException) -> str:
    """Describe a network failure in a few words."""
    inner = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(inner, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused (offline, or the server is down?)"
    if isinstance(inner, socket.gaierror):
        return "host name not found (offline?)"
    if isinstance(inner, http.client.IncompleteRead | ConnectionResetError):
        return "connection dropped mid-file"
    text = str(inner) or type(inner).__name__
    return text.splitlines()[0]


def _unreachable(exc: BaseException) -> bool:
    """Whether *exc* means the host cannot be reached at all (offline, wrong name).

    Such failures do not go away in a few seconds, so they are not retried:
    ``data fetch`` offline fails at once instead of after minutes of back-off.
    """
    inner = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(inner, socket.gaierror | ConnectionRefusedError)


def _progress(total: int | None, done: int, label: str, *, enabled: bool) -> Progress | None:
    """Start a rich progress bar on stderr for big downloads on a terminal."""
    if not enabled or not sys.stderr.isatty() or (total or 0) < _PROGRESS_MIN_BYTES:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, TimeRemainingColumn, TransferSpeedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    bar.start()
    bar.add_task(label, total=total, completed=done)
    return bar


def _attempt(
    url: str,
    part: Path,
    meta_path: Path,
    *,
    timeout_s: float,
    label: str,
    progress: bool,
) -> tuple[str | None, int]:
    """Fetch *url* into *part*, resuming it when possible.

    Returns the ``Last-Modified`` header and the bytes kept from an earlier attempt.
    """
    have = part.stat().st_size if part.exists() else 0
    meta: dict[str, str] = {}
    if have and meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
        if meta.get("url") != url:
            have, meta = 0, {}
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
        validator = meta.get("etag") or meta.get("last_modified")
        if validator:
            headers["If-Range"] = validator
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        status = response.status
        content_range = response.headers.get("Content-Range", "")
        if status == 206:
            if not content_range.startswith(f"bytes {have}-"):
                part.unlink(missing_ok=True)
                msg = f"unexpected Content-Range {content_range!r}"
                raise http.client.HTTPException(msg)
            logger.info("%s: resuming at %d bytes", label, have)
            mode = "ab"
        else:
            have, mode = 0, "wb"
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        last_modified = response.headers.get("Last-Modified")
        meta = {"url": url}
        if response.headers.get("ETag"):
            meta["etag"] = response.headers["ETag"]
        if last_modified:
            meta["last_modified"] = last_modified
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
        bar = _progress(total, have, label, enabled=progress)
        got = have
        try:
            with part.open(mode) as out:
                while chunk := response.read(_CHUNK_BYTES):
                    out.write(chunk)
                    got += len(chunk)
                    if bar is not None:
                        bar.update(bar.task_ids[0], completed=got)
        finally:
            if bar is not None:
                bar.stop()
        if total is not None and got < total:
            raise http.client.IncompleteRead(b"", total - got)
    return last_modified, have


def download(
    url: str,
    target: str | os.PathLike[str],
    *,
    entry: str,
    sha256: str | None = None,
    timeout_s: float = 60.0,
    retries: int = 4,
    backoff_s: float = 2.0,
    progress: bool = True,
    check: Callable[[Path], None] | None = None,
) -> DownloadResult:
    """Download *url* to *target*, resumably and atomically.

    Parameters
    ----------
    url
        An ``http://`` or ``https://`` URL.
    target
        Where the file should end up; its folder is created.
    entry
        The catalogue entry this download belongs to, named in error messages.
    sha256
        Expected SHA-256 (hex); when given, a mismatch is an error.
    timeout_s
        Seconds to wait to connect and for each read before giving up on an attempt.
    retries
        Further attempts after the first fails: after timeouts, dropped connections
        and other HTTP errors (500s, 429), not after 401/403/404/410 nor when the
        host cannot be reached at all (name not found, connection refused), which
        fail at once.
    backoff_s
        Wait before the first retry; doubled on each further retry.
    progress
        Show a progress bar for files over 1 MB when stderr is a terminal.
    check
        Called on the complete download before it is put in place; whatever it
        raises (a :class:`ValidationError`, say) propagates and the file is deleted.

    Returns
    -------
    DownloadResult
        The file written and its checksum.

    Raises
    ------
    DownloadError
        If the source is gone (HTTP 404 and friends), or every attempt failed
        (offline, refused, timed out, dropped).
    ValidationError
        If the file's SHA-256 is not the expected one; the file is deleted.
    """
    if not url.lower().startswith(("http://", "https://")):
        msg = f"catalogue entry {entry!r}: url {url!r} is not http(s); fix it in the sources file"
        raise ValidationError(msg)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part, meta_path = _part_paths(target)
    resumed = 0
    last_error = ""
    for attempt in range(retries + 1):
        if attempt:
            wait_s = backoff_s * 2 ** (attempt - 1)
            logger.warning(
                "%s: %s; retry %d/%d in %.1f s", entry, last_error, attempt, retries, wait_s
            )
            time.sleep(wait_s)
        try:
            last_modified, kept = _attempt(
                url, part, meta_path, timeout_s=timeout_s, label=entry, progress=progress
            )
            resumed = kept
            break
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in _GONE:
                msg = (
                    f"catalogue entry {entry!r}: {url} answered HTTP {exc.code} "
                    "(the source has moved or needs a new URL); update its url in the "
                    "sources file"
                )
                raise DownloadError(msg, moved=True) from None
            if exc.code == 416:  # the .part is already complete or bigger than the file
                part.unlink(missing_ok=True)
            last_error = f"HTTP {exc.code}"
        except (OSError, http.client.HTTPException) as exc:
            last_error = _reason(exc)
            if _unreachable(exc):
                msg = (
                    f"catalogue entry {entry!r}: cannot download {url}: {last_error}; "
                    "check the connection, or update the entry's url in the sources file"
                )
                raise DownloadError(msg) from None
    else:
        msg = (
            f"catalogue entry {entry!r}: cannot download {url}: {last_error} "
            f"after {retries + 1} attempts; check the connection, or update the entry's url "
            "in the sources file"
        )
        raise DownloadError(msg)
    digest = sha256_of(part)
    if sha256 and digest.lower() != sha256.lower():
        part.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
        msg = (
            f"catalogue entry {entry!r}: {url} has SHA-256 {digest}, expected {sha256}; "
            "the file was deleted; if the source was updated on purpose, update the entry's "
            "sha256 in the sources file"
        )
        raise ValidationError(msg)
    if check is not None:
        try:
            check(part)
        except BaseException:
            part.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            raise
    size = part.stat().st_size
    os.replace(part, target)
    meta_path.unlink(missing_ok=True)
    return DownloadResult(target, url, digest, size, last_modified, resumed)
