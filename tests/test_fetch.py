"""URL fetching against a local HTTP server started by the test (never the network)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import local_server

from summarizer.cli import cli
from summarizer.fetch import FetchError, fetch, is_url, load_url

# Requests to the local test server must not go through a proxy from the environment.
pytestmark = pytest.mark.usefixtures("no_proxy")

DATA = Path(__file__).parent / "data"
PAGE = (DATA / "article-fr.html").read_bytes()
TEXT = (DATA / "elflyg-sv.txt").read_bytes()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/article.html":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif self.path == "/plain.txt":
            self._send(200, TEXT, "text/plain; charset=utf-8")
        elif self.path == "/moved":
            self._send(302, b"", "text/plain", Location="/article.html")
        elif self.path == "/to-file":
            self._send(302, b"", "text/plain", Location="file:///etc/passwd")
        elif self.path == "/big":
            self._send(200, b"<p>" + b"x" * 200_000 + b"</p>", "text/html")
        elif self.path == "/big-chunked":
            # No Content-Length: the cap must hold while reading.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>" + b"y" * 200_000)
            self.close_connection = True
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, PAGE, "text/html")
        elif self.path == "/image.png":
            self._send(200, b"\x89PNG\r\n", "image/png")
        else:
            self._send(404, b"not here", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_server(Handler) as url:
        yield url


def test_is_url() -> None:
    assert is_url("https://example.org/a") and is_url("HTTP://x")
    assert not is_url("file:///etc/passwd") and not is_url("page.html")


def test_html_page_is_extracted(server: str) -> None:
    article = load_url(f"{server}/article.html")
    assert article.title and article.title.startswith("Une start-up lyonnaise")
    assert "cookie" not in article.text.lower()
    assert article.source == f"{server}/article.html"


def test_redirect_and_plain_text(server: str) -> None:
    assert load_url(f"{server}/moved").url == f"{server}/article.html"
    assert "elflyg" in load_url(f"{server}/plain.txt").text.lower()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404"),
        ("/to-file", "file:///etc/passwd.* not allowed"),
        ("/big", "too large"),
        ("/big-chunked", "too large"),
        ("/image.png", "not a text or HTML page"),
    ],
)
def test_failures_are_clear(server: str, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        load_url(server + path, max_bytes=100_000)


def test_timeout(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch(f"{server}/slow", timeout=0.3)
    assert time.monotonic() - started < 1.9


def test_other_schemes_are_refused() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/x", "http:///nohost"):
        with pytest.raises(FetchError):
            fetch(url)


def test_batch_with_urls(server: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    urls = [f"{server}/article.html", f"{server}/missing", f"{server}/plain.txt"]
    result = CliRunner().invoke(cli, ["batch", *urls, "-o", str(out), "-j", "2"])
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["source"] for r in records] == urls
    assert records[0]["language"]["code"] == "fr" and records[0]["bullets"]
    assert "HTTP 404" in records[1]["error"]
    assert records[2]["language"]["code"] == "sv"
    assert "HTTP 404" in result.stderr
