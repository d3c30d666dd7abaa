"""Fetch an article from an http(s) URL: bounded in time and size, no other schemes.

Two guards keep a hostile server (or a hostile list of URLs) from turning a fetch against the
machine it runs on: the whole exchange, from connecting to the last body byte, ends at one
deadline (a watchdog closes the socket, so a server trickling its headers cannot hold it), and
addresses that are not public (loopback, private ranges, link-local cloud metadata, however
they are spelled) are refused unless the caller allows them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import __version__
from .errors import InputError, UsageError
from .load import decode_bytes, from_text
from .models import Article

if TYPE_CHECKING:
    import http.client
    import urllib.request
    from http.client import HTTPMessage

SCHEMES = ("http", "https")
DEFAULT_TIMEOUT = 20.0  # seconds, for the whole exchange
MAX_TIMEOUT = 86400.0  # a day: longer is a mistake (and past what a timer can wait)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a news page is well under this; a video is not
MAX_REDIRECTS = 5
USER_AGENT = f"summarizer/{__version__} (+batch)"
_CHUNK = 64 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Longest piece of a server's own words (a reason phrase, a bad status line) put in a message.
_DETAIL_CHARS = 80

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(InputError):
    """A URL could not be fetched: bad scheme, HTTP error, timeout, too large, refused address."""


@dataclass(frozen=True)
class Page:
    """What a fetch returned."""

    url: str  # after redirects
    data: bytes
    content_type: str  # media type only, lower-cased ("" when the server sent none)
    charset: str | None


def is_url(text: str) -> bool:
    """True for strings that look like an http(s) URL."""
    return bool(re.match(r"(?i)^https?://", text))


def check_url(url: str) -> str:
    """Return ``url`` if it is an http(s) URL with a host, else raise FetchError."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a bad port or an unbalanced bracket
        raise FetchError(f"{url}: not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(f"{url}: only http and https URLs are fetched")
    if not host:
        raise FetchError(f"{url}: the URL has no host")
    del port
    return url


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is on the public internet (not loopback, private, link-local...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def host_address(host: str) -> IPAddress | None:
    """The address a URL's host spells, in any form a resolver accepts ("2130706433",
    "0x7f000001", "0177.1" are all 127.0.0.1); None for a name."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if re.fullmatch(r"(?i)[0-9a-fx.]+", host) and re.match(r"\d", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


@dataclass(frozen=True)
class _Policy:
    """Which hosts a fetch may reach: public addresses, and non-public ones where allowed."""

    url: str
    allow_private: bool
    trusted: tuple[str, int] | None  # the (host, port) the user named, when it is trusted

    def check_host(self, url: str) -> None:
        """Refuse a URL whose host is written as a non-public address, or is "localhost"."""
        if self.allow_private:
            return
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        if self._trusted(host, _port(parts)):
            return
        address = host_address(host)
        if address is not None and not is_public(address):
            detail = host if str(address) == host else f"{host} is {address}"
            raise self.refusal(detail, url)
        if host == "localhost" or host.endswith(".localhost"):
            raise self.refusal(f"{host} is a loopback name", url)

    def check_address(self, host: str, port: int, address: IPAddress) -> bool:
        """Whether a connection to ``address`` (what ``host`` resolved to) is allowed."""
        return self.allow_private or is_public(address) or self._trusted(host, port)

    def _trusted(self, host: str, port: int) -> bool:
        return self.trusted is not None and (host.lower(), port) == self.trusted

    def refusal(self, detail: str, url: str | None = None) -> FetchError:
        """The error for a host that is not public (``url``: a redirect's target)."""
        where = self.url if url in (None, self.url) else f"{self.url}: redirected to {url}"
        return FetchError(
            f"{where}: refusing to fetch from a non-public address ({detail}); "
            "allow it with --allow-private-urls"
        )


def _port(parts: Any) -> int:
    return int(parts.port or (443 if parts.scheme.lower() == "https" else 80))


class _Deadline:
    """The end of one fetch: when it passes, the sockets in use are shut, whatever phase the
    exchange is in (a socket timeout bounds each read, not a server sending a byte a second)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.end = time.monotonic() + timeout
        self.expired = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.timer = threading.Timer(timeout, self._expire)
        self.timer.daemon = True
        self.timer.start()

    def remaining(self) -> float:
        """Seconds left; TimeoutError when none are."""
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise TimeoutError("deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` when the deadline passes."""
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        # socket.socket.shutdown, not SSLSocket's: that would drop the TLS object under a
        # thread still reading through it; shutting the descriptor wakes that read up.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        """The fetch is over: stop the watchdog."""
        self.timer.cancel()


def _connector(policy: _Policy, deadline: _Deadline) -> Any:
    """A ``socket.create_connection`` that checks every address a name resolves to and
    connects to that very address (a second lookup could answer differently)."""

    def connect(
        address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        host, port = address
        refused: str | None = None
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        ):
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if not policy.check_address(host, port, ip):
                refused = str(ip)
                continue
            sock = socket.socket(family, kind, proto)
            deadline.watch(sock)
            try:
                sock.settimeout(min(deadline.remaining(), deadline.timeout))
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            return sock
        if error is not None:
            raise error
        if refused is not None:
            raise policy.refusal(f"{host} is {refused}")
        raise OSError(f"{host}: no address")

    return connect


def _opener(policy: _Policy, deadline: _Deadline) -> urllib.request.OpenerDirector:
    # urllib.request (with http.client, email and ssl) is imported on the first fetch, not with
    # this module: batch imports it to tell URLs from paths, and most runs fetch nothing.
    import http.client
    import urllib.request

    connect = _connector(policy, deadline)

    def guarded(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        class Guarded(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._create_connection = connect

        return Guarded

    def proxied(req: urllib.request.Request) -> bool:
        # Through a proxy the connection goes to the proxy the user configured, and the
        # destination's address is the proxy's to resolve: only its spelling is checked.
        return req.host != urlsplit(req.full_url).netloc

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            base = http.client.HTTPConnection
            return self.do_open(base if proxied(req) else guarded(base), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            base = http.client.HTTPSConnection
            return self.do_open(
                base if proxied(req) else guarded(base),
                req,
                context=self._context,  # type: ignore[attr-defined]
            )

    class Redirects(urllib.request.HTTPRedirectHandler):
        """Follow a few redirects, only to http(s) (never file:, ftp:...) and public hosts."""

        max_redirections = MAX_REDIRECTS

        def redirect_request(
            self,
            req: urllib.request.Request,
            fp: IO[bytes],
            code: int,
            msg: str,
            headers: HTTPMessage,
            newurl: str,
        ) -> urllib.request.Request | None:
            check_url(newurl)
            policy.check_host(newurl)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    # build_opener keeps the default proxy handling from the environment; no FileHandler,
    # FTPHandler or DataHandler is reachable because redirects are checked above.
    return urllib.request.build_opener(HTTP(), HTTPS(), Redirects())


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    trust_host: bool = True,
) -> Page:
    """Download ``url``; FetchError on a bad scheme, HTTP error, timeout or oversize body.

    ``timeout`` bounds the whole exchange. Loopback, private, link-local and other non-public
    addresses are refused unless ``allow_private``, with one exception while ``trust_host``:
    the URL's own host and port, which the caller chose (where the server redirects to, the
    server chose). Pass ``trust_host=False`` for URLs that come from untrusted input.
    """
    import http.client
    import urllib.error
    import urllib.request

    check_url(url)
    if not 0 < timeout <= MAX_TIMEOUT:  # also refuses NaN
        raise UsageError(f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    parts = urlsplit(url)
    trusted = ((parts.hostname or "").rstrip("."), _port(parts)) if trust_host else None
    policy = _Policy(url, allow_private, trusted)
    policy.check_host(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.5"}
    )
    deadline = _Deadline(timeout)
    try:
        with _opener(policy, deadline).open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: too large ({int(declared)} bytes; limit {max_bytes})")
            body = _read_capped(response, url, max_bytes, deadline)
            final_url = response.geturl()
            content_type = response.headers.get_content_type() if response.headers else ""
            charset = response.headers.get_content_charset() if response.headers else None
    except FetchError:
        raise
    except Exception as exc:
        if deadline.expired or _timed_out(exc):
            raise FetchError(f"{url}: timed out after {timeout:g}s") from exc
        raise _fetch_error(url, exc, http.client, urllib.error) from exc
    finally:
        deadline.cancel()
    return Page(url=final_url, data=body, content_type=content_type.lower(), charset=charset)


def _timed_out(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", None)
    return isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError)


def _fetch_error(url: str, exc: Exception, client: Any, urlerror: Any) -> Exception:
    """The one-line FetchError for a failed exchange; other exceptions (bugs) unchanged."""
    if isinstance(exc, urlerror.HTTPError):
        return FetchError(f"{url}: HTTP {exc.code} {_detail(str(exc.reason))}")
    if isinstance(exc, urlerror.URLError):
        reason = exc.reason
        if isinstance(reason, FetchError):
            return reason
        return FetchError(f"{url}: cannot fetch ({_detail(str(reason))})")
    if isinstance(exc, client.BadStatusLine):
        # Its argument is the server's first line: with no status line, that is the page.
        return FetchError(f"{url}: not a valid HTTP reply (no status line)")
    if isinstance(exc, client.IncompleteRead):
        return FetchError(f"{url}: the server ended the reply early (incomplete body)")
    if isinstance(exc, client.HTTPException):  # too many headers, a line too long...
        name = type(exc).__name__
        return FetchError(f"{url}: not a valid HTTP reply ({name}: {_detail(str(exc))})")
    if isinstance(exc, (OSError, ValueError, UnicodeError)):  # resets, bad URLs, bad headers
        name = type(exc).__name__
        return FetchError(f"{url}: cannot fetch ({name}: {_detail(str(exc))})")
    return exc


def _detail(text: str) -> str:
    """A server's words, cut short: a message names the problem, it does not quote pages."""
    return text if len(text) <= _DETAIL_CHARS else text[:_DETAIL_CHARS] + "…"


def _read_capped(response: Any, url: str, max_bytes: int, deadline: _Deadline) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        deadline.remaining()
        # read1 returns what one socket read brings: read(n) would wait for all n bytes.
        chunk = response.read1(_CHUNK)
        if not chunk:
            if deadline.expired:  # the watchdog shut the socket: that end is not the page's
                raise TimeoutError("deadline passed")
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: too large (over {max_bytes} bytes)")
        chunks.append(chunk)


def page_text(page: Page) -> str:
    """The page's text: its declared charset when valid, else the usual decoding rules."""
    if page.charset:
        try:
            return page.data.decode(page.charset)
        except (LookupError, UnicodeError, ValueError, TypeError):
            pass  # an unknown, binary-only (rot13, base64) or failing codec: ignore its name
    return decode_bytes(page.data, page.url)


def load_url(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    trust_host: bool = True,
) -> Article:
    """Fetch ``url`` and build an Article (HTML pages are extracted with trafilatura)."""
    page = fetch(
        url,
        timeout=timeout,
        max_bytes=max_bytes,
        allow_private=allow_private,
        trust_host=trust_host,
    )
    if page.content_type and not (
        page.content_type in _HTML_TYPES or page.content_type.startswith("text/")
    ):
        raise FetchError(f"{url}: not a text or HTML page ({page.content_type})")
    fmt = "html" if page.content_type in _HTML_TYPES else None
    return from_text(page_text(page), source=url, format=fmt, url=page.url)
