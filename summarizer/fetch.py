"""Fetch an article from an http(s) URL: bounded in time and size, no other schemes."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import __version__
from .errors import InputError
from .load import decode_bytes, from_text
from .models import Article

if TYPE_CHECKING:
    import urllib.request
    from http.client import HTTPMessage

SCHEMES = ("http", "https")
DEFAULT_TIMEOUT = 20.0  # seconds, for the whole download
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a news page is well under this; a video is not
MAX_REDIRECTS = 5
USER_AGENT = f"summarizer/{__version__} (+batch)"
_CHUNK = 64 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(InputError):
    """A URL could not be fetched: bad scheme, HTTP error, timeout, too large."""


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
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(f"{url}: only http and https URLs are fetched")
    if not parts.hostname:
        raise FetchError(f"{url}: the URL has no host")
    return url


def _opener() -> urllib.request.OpenerDirector:
    # urllib.request (with http.client, email and ssl) is imported on the first fetch, not with
    # this module: batch imports it to tell URLs from paths, and most runs fetch nothing.
    import urllib.request

    class Redirects(urllib.request.HTTPRedirectHandler):
        """Follow a few redirects, and only to http(s) (never file:, ftp:...)."""

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
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    # build_opener keeps the default proxy handling from the environment; no FileHandler,
    # FTPHandler or DataHandler is reachable because redirects are checked above.
    return urllib.request.build_opener(Redirects())


def fetch(
    url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
) -> Page:
    """Download ``url``; FetchError on a bad scheme, HTTP error, timeout or oversize body."""
    import urllib.error
    import urllib.request

    check_url(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.5"}
    )
    deadline = time.monotonic() + timeout
    try:
        # timeout bounds each socket operation; the deadline below bounds the whole body.
        with _opener().open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: too large ({int(declared)} bytes; limit {max_bytes})")
            body = _read_capped(response, url, max_bytes, deadline)
            final_url = response.geturl()
            content_type = response.headers.get_content_type() if response.headers else ""
            charset = response.headers.get_content_charset() if response.headers else None
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(f"{url}: timed out after {timeout:g}s") from exc
        raise FetchError(f"{url}: cannot fetch ({reason})") from exc
    except TimeoutError as exc:
        raise FetchError(f"{url}: timed out after {timeout:g}s") from exc
    except (OSError, ValueError) as exc:  # reset connections, bad status lines, bad URLs
        raise FetchError(f"{url}: cannot fetch ({exc.__class__.__name__}: {exc})") from exc
    return Page(url=final_url, data=body, content_type=content_type.lower(), charset=charset)


def _read_capped(response: Any, url: str, max_bytes: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: timed out while downloading")
        # read1 returns what one socket read brings: read(n) would wait for all n bytes, so a
        # server trickling one byte at a time could hold it long past the deadline.
        chunk = response.read1(_CHUNK)
        if not chunk:
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
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(page.data, page.url)


def load_url(
    url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
) -> Article:
    """Fetch ``url`` and build an Article (HTML pages are extracted with trafilatura)."""
    page = fetch(url, timeout=timeout, max_bytes=max_bytes)
    if page.content_type and not (
        page.content_type in _HTML_TYPES or page.content_type.startswith("text/")
    ):
        raise FetchError(f"{url}: not a text or HTML page ({page.content_type})")
    fmt = "html" if page.content_type in _HTML_TYPES else None
    return from_text(page_text(page), source=url, format=fmt, url=page.url)
