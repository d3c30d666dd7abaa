"""URL fetching against a local HTTP server started by the test (never the network)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import local_server

from summarizer.cli import cli
from summarizer.errors import UsageError
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


# --------------------------------------------------------------------------- hostile servers


@contextlib.contextmanager
def raw_server(reply: Callable[[socket.socket], None]) -> Iterator[str]:
    """A server on 127.0.0.1 that answers every request with ``reply`` (raw bytes, any pace)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                with contextlib.suppress(OSError):
                    reply(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/page"
    finally:
        stop.set()
        listener.close()


def trickle(data: bytes, pause: float) -> Callable[[socket.socket], None]:
    def reply(conn: socket.socket) -> None:
        for byte in data:
            conn.sendall(bytes([byte]))
            time.sleep(pause)

    return reply


def send(data: bytes) -> Callable[[socket.socket], None]:
    return lambda conn: conn.sendall(data)


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK" + b" " * 200,  # the status line itself
    ],
    ids=["headers", "status-line"],
)
def test_timeout_bounds_status_line_and_headers(data: bytes) -> None:
    # A byte every 50 ms: every socket read is quick, the exchange is not.
    with raw_server(trickle(data, 0.05)) as url:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out after 0\.5s"):
            fetch(url, timeout=0.5)
        assert time.monotonic() - started < 3


PAGE_TEXT = b"<html><body><p>" + b"confidential page text " * 40 + b"</p></body></html>"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PAGE_TEXT, "no status line"),  # an HTTP/0.9-style reply: the page, no headers
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", "incomplete"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 150 + b"\r\nhi", "more than 100 headers"),
        (b"HTTP/1.1 200 OK\r\nX-A: " + b"b" * 70_000 + b"\r\n\r\nhi", "LineTooLong"),
        (b"HTTP/1.1 abc OK\r\n\r\n", "no status line"),
        (b"", "no status line|RemoteDisconnected|cannot fetch"),
    ],
    ids=["no-headers", "chunked", "many-headers", "long-header", "bad-status", "empty"],
)
def test_protocol_errors_are_input_errors(data: bytes, message: str) -> None:
    with raw_server(send(data)) as url, pytest.raises(FetchError, match=message) as caught:
        fetch(url, timeout=5)
    text = str(caught.value)
    assert "unexpected" not in text and "confidential" not in text
    assert len(text) < 200


@pytest.mark.parametrize("charset", ["idna", "rot13", "base64", "x-unknown", "utf-8\\x00"])
def test_odd_charsets_fall_back_to_decoding_rules(charset: str) -> None:
    body = "<html><body><p>" + "Une start-up lyonnaise lève des fonds. " * 20 + "</p></body></html>"
    data = body.encode("utf-8")
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={charset}\r\n"
    head += f"Content-Length: {len(data)}\r\n\r\n"
    with raw_server(send(head.encode() + data)) as url:
        article = load_url(url, timeout=5)
    assert "lève" in article.text


def test_server_words_are_escaped_to_one_line() -> None:
    reason = b"\x1b]0;owned\x07Not\rFound\x9b31m"
    reply = send(b"HTTP/1.1 404 " + reason + b"\r\nContent-Length: 0\r\n\r\n")
    with raw_server(reply) as url, pytest.raises(FetchError) as caught:
        fetch(url, timeout=5)
    text = str(caught.value)
    assert "HTTP 404" in text and "\\x1b]0;owned\\x07" in text
    assert text.isprintable()


# --------------------------------------------------------------------------- internal addresses


class Redirector(BaseHTTPRequestHandler):
    """/to/<url>: a redirect to <url> (PORT stands for this server's port); else a page."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/to/"):
            port = str(self.server.server_address[1])
            self.send_response(302)
            self.send_header("Location", self.path[4:].replace("PORT", port))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = TEXT
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def redirector() -> Iterator[str]:
    with local_server(Redirector) as url:
        yield url


INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://2852039166/",  # the same, as a decimal integer
    "http://0xA9FEA9FE/",  # ... as a hex integer
    "http://0251.0376.0251.0376/",  # ... in octal
    "http://[::ffff:169.254.169.254]/",  # ... IPv4-mapped IPv6
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://0.0.0.0:PORT/",
    "http://[::1]:PORT/",
    "http://2130706433:1/",  # loopback as an integer, another port
    "http://127.1:PORT/",  # loopback, short form: not the host the user named
    "http://localhost:PORT/",
    "http://app.localhost:PORT/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
]


@pytest.mark.parametrize("target", INTERNAL)
def test_redirects_to_internal_addresses_are_refused(redirector: str, target: str) -> None:
    with pytest.raises(FetchError, match=r"non-public address.*--allow-private-urls"):
        fetch(f"{redirector}/to/{target}", timeout=5)


def test_redirects_on_the_named_host_and_private_opt_in(redirector: str) -> None:
    assert fetch(f"{redirector}/to//page").url == f"{redirector}/page"
    port = redirector.rsplit(":", 1)[1]
    page = fetch(f"{redirector}/to/http://localhost:PORT/page", allow_private=True)
    assert page.url == f"http://localhost:{port}/page"


def test_untrusted_urls_may_not_name_internal_hosts(redirector: str) -> None:
    with pytest.raises(FetchError, match="non-public address"):
        fetch(f"{redirector}/page", trust_host=False)
    assert fetch(f"{redirector}/page", trust_host=False, allow_private=True).data == TEXT


def test_names_that_resolve_to_internal_addresses_are_refused(
    redirector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A public-looking name whose DNS answer is loopback (DNS rebinding): checked on connect.
    real = socket.getaddrinfo

    def lookup(host: str, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "news.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    with pytest.raises(FetchError, match=r"news\.example is 127\.0\.0\.1"):
        fetch(f"{redirector}/to/http://news.example:PORT/page", timeout=5)


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf"), 1e300])
def test_bad_timeouts_are_usage_errors(value: float) -> None:
    with pytest.raises(UsageError, match="timeout"):
        fetch("http://127.0.0.1:1/", timeout=value)


@pytest.mark.parametrize("value", ["nan", "inf", "1e300", "-1", "0"])
def test_cli_refuses_bad_timeouts(value: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(tmp_path), "--timeout", value])
    assert result.exit_code == 2, result.output
    assert "timeout" in result.output.lower() and "unexpected" not in result.output


def test_batch_refuses_internal_redirects_unless_allowed(redirector: str, tmp_path: Path) -> None:
    port = redirector.rsplit(":", 1)[1]
    inside = f"{redirector}/to/http://localhost:{port}/page"
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", inside, "-o", str(out), "-q", "-j", "1"])
    assert result.exit_code == 3, result.output
    assert "--allow-private-urls" in json.loads(out.read_text())["error"]
    result = CliRunner().invoke(
        cli, ["batch", inside, "-o", str(out), "-q", "-j", "1", "--allow-private-urls"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["language"]["code"] == "sv"
