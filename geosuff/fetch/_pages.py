"""Reading the start of a web page or file: CQC's links page, and source checks.

Same rules as :mod:`geosuff.fetch._http`: an unreachable host fails at once,
transient failures are retried, 401/403/404/410 mean the source has moved.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from geosuff._errors import ValidationError
from geosuff.fetch._http import _GONE, _USER_AGENT, DownloadError, _reason, _unreachable

__all__ = ["Response", "get"]


@dataclass(frozen=True)
class Response:
    """The start of an HTTP answer (see :func:`get`).

    Attributes
    ----------
    url
        The URL asked for.
    final_url
        The URL that answered, after redirects.
    status
        HTTP status code.
    headers
        Response headers (names lower-cased).
    body
        The body, or its first ``max_bytes`` bytes.
    """

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes


def get(
    url: str,
    *,
    entry: str,
    max_bytes: int = 1 << 16,
    timeout_s: float = 30.0,
    retries: int = 2,
    backoff_s: float = 1.0,
) -> Response:
    """Fetch the start of *url* (a web page to read links from, or a file to check).

    Parameters
    ----------
    url
        An ``http://`` or ``https://`` URL.
    entry
        The catalogue entry, named in error messages.
    max_bytes
        Read at most this many bytes of the body (the server is asked for them
        with a ``Range`` header; servers that ignore it are cut off).
    timeout_s, retries, backoff_s
        As for :func:`download`: unreachable hosts fail at once, transient
        failures are retried.

    Returns
    -------
    Response
        Status, headers and the start of the body.

    Raises
    ------
    DownloadError
        If the host cannot be reached, or the answer is HTTP 401/403/404/410
        (``moved``), or every attempt failed.
    """
    if not url.lower().startswith(("http://", "https://")):
        msg = f"catalogue entry {entry!r}: url {url!r} is not http(s); fix it in the sources file"
        raise ValidationError(msg)
    headers = {"User-Agent": _USER_AGENT, "Range": f"bytes=0-{max_bytes - 1}"}
    last_error = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff_s * 2 ** (attempt - 1))
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=timeout_s) as answer:
                body = answer.read(max_bytes)
                names = {k.lower(): v for k, v in answer.headers.items()}
                return Response(url, answer.geturl(), answer.status, names, body)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in _GONE:
                msg = f"catalogue entry {entry!r}: {url} answered HTTP {exc.code}"
                raise DownloadError(msg, moved=True) from None
            last_error = f"HTTP {exc.code}"
        except (OSError, http.client.HTTPException) as exc:
            last_error = _reason(exc)
            if _unreachable(exc):
                break
    msg = f"catalogue entry {entry!r}: cannot read {url}: {last_error}"
    raise DownloadError(msg)
