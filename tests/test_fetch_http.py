"""Downloads: resume, retries, checksum, 404, timeout and offline, against loopback."""

from __future__ import annotations

import hashlib

import pytest

from geosuff._errors import GeosuffError, NetworkError, ValidationError
from geosuff.fetch._http import DownloadError, download
from tests.fetch_fixtures import LAST_MODIFIED, closed_port, serve

BODY = bytes(range(256)) * 400  # 102,400 bytes
FAST = {"timeout_s": 0.5, "retries": 2, "backoff_s": 0.01, "progress": False}


def test_download_lands_atomically_with_checksum(tmp_path):
    sha = hashlib.sha256(BODY).hexdigest()
    with serve({"/f.bin": BODY}) as server:
        result = download(
            server.url("/f.bin"), tmp_path / "sub" / "f.bin", entry="demo", sha256=sha, **FAST
        )
    assert (tmp_path / "sub" / "f.bin").read_bytes() == BODY
    assert result.sha256 == sha
    assert result.size_bytes == 102_400
    assert result.last_modified == LAST_MODIFIED
    assert result.resumed_from_bytes == 0
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["f.bin"]


def test_resume_after_connection_drops_mid_file(tmp_path):
    with serve({"/drop/f.bin": BODY}) as server:
        result = download(server.url("/drop/f.bin"), tmp_path / "f.bin", entry="demo", **FAST)
        requests = list(server.requests)
    assert (tmp_path / "f.bin").read_bytes() == BODY
    assert len(requests) == 2
    assert "Range" not in requests[0][1]
    assert requests[1][1]["Range"] == f"bytes={len(BODY) // 2}-"
    assert requests[1][1]["If-Range"].startswith('"')  # the ETag of the first answer
    assert result.resumed_from_bytes == len(BODY) // 2
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()


def test_resume_from_part_file_left_by_an_earlier_run(tmp_path):
    target = tmp_path / "f.bin"
    with serve({"/f.bin": BODY}) as server:
        (tmp_path / "f.bin.part").write_bytes(BODY[:1000])
        (tmp_path / "f.bin.part.json").write_text(
            f'{{"url": "{server.url("/f.bin")}", "last_modified": "{LAST_MODIFIED}"}}'
        )
        result = download(server.url("/f.bin"), target, entry="demo", **FAST)
        sent_range = server.requests[0][1]["Range"]
    assert sent_range == "bytes=1000-"
    assert result.resumed_from_bytes == 1000
    assert target.read_bytes() == BODY
    assert not (tmp_path / "f.bin.part").exists()
    assert not (tmp_path / "f.bin.part.json").exists()


def test_stale_part_file_from_changed_source_is_restarted(tmp_path):
    target = tmp_path / "f.bin"
    with serve({"/f.bin": BODY}) as server:
        (tmp_path / "f.bin.part").write_bytes(b"x" * 1000)
        (tmp_path / "f.bin.part.json").write_text(
            f'{{"url": "{server.url("/f.bin")}", "etag": "\\"old-version\\""}}'
        )
        download(server.url("/f.bin"), target, entry="demo", **FAST)
        assert server.requests[0][1]["If-Range"] == '"old-version"'
    assert target.read_bytes() == BODY  # the server sent 200 and the file was rewritten


def test_checksum_mismatch_leaves_nothing_in_place(tmp_path):
    with (
        serve({"/f.bin": BODY}) as server,
        pytest.raises(ValidationError, match=r"catalogue entry 'population'.*SHA-256"),
    ):
        download(server.url("/f.bin"), tmp_path / "f.bin", entry="population", sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_failed_format_check_leaves_nothing_in_place(tmp_path):
    def reject(path):
        raise ValidationError(f"bad {path.name}")

    with serve({"/f.bin": BODY}) as server, pytest.raises(ValidationError, match=r"bad f\.bin"):
        download(server.url("/f.bin"), tmp_path / "f.bin", entry="demo", check=reject, **FAST)
    assert list(tmp_path.iterdir()) == []


def test_404_names_the_entry_and_does_not_retry(tmp_path):
    with serve() as server:
        with pytest.raises(DownloadError) as info:
            download(server.url("/moved.csv"), tmp_path / "x.csv", entry="care_directory", **FAST)
        assert server.hits("/moved.csv") == 1
    message = str(info.value)
    assert "catalogue entry 'care_directory'" in message
    assert "HTTP 404" in message
    assert "update its url in the sources file" in message
    assert "\n" not in message
    assert info.value.moved is True
    assert isinstance(info.value, NetworkError)
    assert isinstance(info.value, GeosuffError)
    assert not (tmp_path / "x.csv").exists()


def test_timeout_retries_then_fails_with_one_line(tmp_path):
    with serve() as server:
        with pytest.raises(DownloadError) as info:
            download(
                server.url("/stall/big.pbf"),
                tmp_path / "big.pbf",
                entry="osm",
                timeout_s=0.2,
                retries=1,
                backoff_s=0.01,
                progress=False,
            )
        assert server.hits("/stall/big.pbf") == 2
    message = str(info.value)
    assert message.startswith("catalogue entry 'osm': cannot download http://127.0.0.1:")
    assert "timed out after 2 attempts" in message
    assert info.value.moved is False


def test_offline_connection_refused_fails_at_once(tmp_path, monkeypatch):
    # issue 16: an unreachable host is not retried (offline took 31 s of back-off)
    waits = []
    monkeypatch.setattr("geosuff.fetch._http.time.sleep", waits.append)
    url = f"http://127.0.0.1:{closed_port()}/codepo.zip"
    with pytest.raises(DownloadError, match=r"connection refused \(offline") as info:
        download(url, tmp_path / "codepo.zip", entry="postcodes", retries=4, backoff_s=2.0)
    assert "catalogue entry 'postcodes'" in str(info.value)
    assert "\n" not in str(info.value)
    assert waits == []  # no back-off at all
    assert not list(tmp_path.iterdir())


def test_host_name_not_found_fails_at_once(tmp_path, monkeypatch):
    import socket

    def no_dns(*args, **kwargs):
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    waits = []
    monkeypatch.setattr("geosuff.fetch._http.time.sleep", waits.append)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(DownloadError, match=r"host name not found \(offline\?\)"):
        download("https://download.example/x.pbf", tmp_path / "x", entry="osm", retries=4)
    assert waits == []


def test_transient_http_errors_keep_their_retries(tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("geosuff.fetch._http.time.sleep", waits.append)
    with serve({"/flaky/f.bin": BODY}) as server:
        result = download(server.url("/flaky/f.bin"), tmp_path / "f.bin", entry="demo", **FAST)
        assert server.hits("/flaky/f.bin") == 2  # 503 first, then the file
    assert result.size_bytes == len(BODY)
    assert waits == [0.01]


def test_non_http_url_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="is not http"):
        download("file:///etc/passwd", tmp_path / "x", entry="demo")
