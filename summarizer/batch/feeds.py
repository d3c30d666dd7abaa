"""What is inside a feed file: JSONL lines and JSON array items as compact records.

A JSONL file's records are found as (offset, length) of their lines (``_Feed``: a few bytes a
record) and read again with a ``LineReader`` when their turn comes; a UTF-16/32 feed is copied
as UTF-8 first, a JSON array too big to parse whole is streamed to a JSONL copy. ``Input`` is
defined here, below discovery (``inputs.py``, which exports it), because a feed makes its
records into Inputs.
"""

from __future__ import annotations

import bisect
import codecs
import json
import os
import stat
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from ..errors import SummarizerError
from .copies import _identity


@dataclass(frozen=True, slots=True)
class Input:
    """One article to summarize, as discovered; ``index`` is its place in the output."""

    index: int
    kind: str  # "file", "record" (a JSONL line) or "url"
    source: str  # what records and messages call it: a path, "feed.jsonl:12", a URL
    path: str | None = None  # the file to read, for kind "file" (and "record": see offset)
    line: str | None = None  # the JSON text, for kind "record"...
    offset: int = -1  # ...or where its line is in ``path``
    length: int = 0
    name: tuple[str, ...] = ()  # output name under --output-dir, before sanitizing
    error: str | None = None  # a failure found during discovery (unreadable JSONL file...)
    # The record's id, when it has one, takes the place of the name's last part ("line-N"):
    # read only for --output-dir, so discovery does not parse every line of a big feed.
    named_by_id: bool = False
    # The n-th input with the same content (the same line, file path or URL) as earlier ones:
    # each copy gets a record of its own, under a key ending in "-n".
    copy: int = 1


# What discovery finds before inputs are numbered: a kind and Input's other fields.
_Found = tuple[str, dict[str, Any]]


class _Feed:
    """The records of one streamed JSONL file, as arrays: about 12 bytes a record where an
    ``Input`` costs several hundred (two million tiny records must not take gigabytes)."""

    def __init__(
        self, path: str, label: str, name: tuple[str, ...], *, items: bool = False
    ) -> None:
        self.path = path
        self.label = label  # records are "<label>:<line number>"...
        self.items = items  # ...or, for the items of a JSON array, "<label>[<number>]"
        self.name = name
        self.offsets = array("q")
        self.lengths = array("I")  # a line is at most MAX_INPUT_BYTES (+1)
        # Line numbers, where they do not simply go on from the record before (a blank line
        # is skipped): record ``steps_at[k]`` has line ``steps_to[k]``, and those after it count
        # on from there. A feed without blank lines holds one step.
        self.steps_at = array("q")
        self.steps_to = array("q")
        self.errors: dict[int, str] = {}  # position -> a failure found here (a line too long)
        self.identities = array("Q")  # for copy numbers; handed over to _Collector
        self.copies: array[int] | None = None  # copy numbers (0: the first), once there is one
        self.last = 0  # the line number of the last record

    def __len__(self) -> int:
        return len(self.offsets)

    def add(self, number: int, offset: int, length: int, identity: int) -> None:
        """One record: its line number, where its line is, and what identifies its content."""
        if number != self.last + 1 or not self.offsets:
            self.steps_at.append(len(self.offsets))
            self.steps_to.append(number)
        self.last = number
        self.offsets.append(offset)
        self.lengths.append(length)
        self.identities.append(identity)

    def number(self, position: int) -> int:
        """The line number of the record at ``position``."""
        k = bisect.bisect_right(self.steps_at, position) - 1
        return self.steps_to[k] + position - self.steps_at[k]

    def input(self, index: int, position: int) -> Input:
        """The Input of the record at ``position``, ``index``-th of the run."""
        number = self.number(position)
        if self.items:
            source, name = f"{self.label}[{number}]", (*self.name, f"item-{number}")
        else:
            source, name = f"{self.label}:{number}", (*self.name, f"line-{number}")
        copy = max(1, self.copies[position]) if self.copies is not None else 1
        error = self.errors.get(position)
        if error is not None:
            return Input(index, "record", source, name=name, error=error, copy=copy)
        return Input(index, "record", source, path=self.path, offset=self.offsets[position],
                     length=self.lengths[position], name=name, named_by_id=True,
                     copy=copy)  # fmt: skip


# Bytes of a feed's start looked at to tell its encoding, and binary data.
_HEAD = 65536
# A JSONL feed with more NUL and control bytes than this share of its start is binary data;
# one stray NUL is not (it spoils only its line).
_BINARY_SHARE = 0.01


def _not_a_feed(head: bytes) -> str | None:
    """Why a feed starting with ``head`` is not JSONL at all (a known binary format, or
    mostly control bytes), or None."""
    from ..load import _BINARY_CONTROL, _SIGNATURES

    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return f"looks like binary data ({kind}), not JSONL"
    if _utf16_codec(head) is not None:
        return None
    controls = sum(head.count(bytes([byte])) for byte in _BINARY_CONTROL)
    if controls > max(8, _BINARY_SHARE * len(head)):
        return "looks like binary data, not JSONL"
    return None


def _utf16_codec(head: bytes) -> str | None:
    """The UTF-16/32 codec of a feed, from its byte-order mark or its NULs; None for UTF-8."""
    from ..load import _guess_bomless_utf16

    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if head.startswith(bom):
            return codec
    return _guess_bomless_utf16(head)


def _transcode(chunks: Iterable[bytes], codec: str) -> Iterator[bytes]:
    """``chunks`` of text in ``codec``, as UTF-8, a chunk at a time (broken bytes: U+FFFD)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8", "surrogatepass")
    yield decoder.decode(b"", final=True).encode("utf-8", "surrogatepass")


def _jsonl_offsets(
    path: Path,
    name: tuple[str, ...],
    label: str | None = None,
    spool: str | os.PathLike[str] | None = None,
) -> _Feed | list[_Found] | None:
    """Records of a JSONL file as (offset, length) of their lines, read as a stream.

    Lines are read again, and decoded, when their turn comes (in the workers), so a feed of
    any size costs little memory and little time here, even with a broken byte in it; a line
    over MAX_INPUT_BYTES is an error of its own, never read whole. A UTF-16/32 feed is copied
    to ``spool`` as UTF-8 first (without one, and for a pipe or device: None, and the caller
    reads it whole, within the same cap); a binary file is one error.
    ``label`` names the records' source instead of the path ("<stdin>:3").
    """
    where = str(path)
    source = label or where
    try:
        # A FIFO would block open(), a device would never end: read_bytes handles those.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
            problem = _not_a_feed(head)
            if problem:
                return [("file", {"source": where, "name": name, "error": f"{where}: {problem}"})]
            codec = _utf16_codec(head)
            if codec is not None:
                if spool is None:
                    return None
                return _jsonl_offsets(_spool_utf8(handle, codec, spool), name, label=source)
            handle.seek(0)
            return _line_offsets(handle, _Feed(where, source, name))
    except OSError:
        return None  # the whole-file path reports unreadable files


def _spool_utf8(handle: BinaryIO, codec: str, spool: str | os.PathLike[str]) -> Path:
    """A UTF-8 copy, in the folder ``spool``, of the UTF-16/32 feed open as ``handle``."""
    fd, name = tempfile.mkstemp(dir=spool, suffix=".jsonl")
    copy = Path(name)
    handle.seek(0)
    with os.fdopen(fd, "wb") as out:  # mkstemp's descriptor: closed with the copy
        chunks = iter(lambda: handle.read(1 << 20), b"")
        for chunk in _transcode(chunks, codec):
            out.write(chunk)
    return copy


def _line_offsets(handle: BinaryIO, feed: _Feed) -> _Feed:
    """Add every record line of the UTF-8 feed open as ``handle`` to ``feed``."""
    from ..load import MAX_INPUT_BYTES, jsonl_line

    source = feed.label
    offset = number = 0
    cap = MAX_INPUT_BYTES
    while True:
        raw = handle.readline(cap + 1)
        if not raw:
            break
        number += 1
        start, offset = offset, offset + len(raw)
        if len(raw) > cap and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest, a MiB at a time
                raw = handle.readline(1 << 20)
                offset += len(raw)
            feed.errors[len(feed)] = (
                f"{source}:{number}: a line over {cap // 2**20} MiB "
                "(a record is read up to that size)"
            )
            feed.add(number, start, 0, _identity(f"{source}:{number}".encode()))
            continue
        content = raw.strip()
        # A line that starts and ends with a printable ASCII character (a JSON object
        # does) is keyed by its own bytes: decoding it would give the same (jsonl_line).
        if not (content and content[0] in _PLAIN and content[-1] in _PLAIN):
            text, content = jsonl_line(raw)
            if not text:
                continue
        feed.add(number, start, len(raw), _identity(content))
    return feed


# Bytes that str.strip() keeps at either end of a line and that are the same character in
# UTF-8 whatever follows: printable ASCII.
_PLAIN = frozenset(range(0x21, 0x7F))


def _json_array(text: str, source: str, name: tuple[str, ...]) -> list[_Found]:
    """A .json file holding an array of records: one input per element (else none)."""
    if not text.lstrip().startswith("["):
        return []
    try:
        array = json.loads(text)
    except (ValueError, RecursionError):  # deep nesting
        return []  # read as a single article, which reports the JSON error
    out: list[_Found] = []
    for number, element in enumerate(array, start=1):
        line = _item_line(element)
        label = peek_id(line) or f"item-{number}"
        out.append(
            ("record", {"source": f"{source}[{number}]", "line": line, "name": (*name, label)})
        )
    return out


def _json_items(
    path: Path, name: tuple[str, ...], spool: str | os.PathLike[str]
) -> _Feed | list[_Found] | None:
    """The records of a JSON array too big to parse whole, streamed (ijson) to a JSONL copy in
    ``spool``: each item on a line, written as ``_json_array`` writes it, so that it has the
    same source, name and key; None when the file is not an array (read whole, and refused).
    An array that turns out broken is one error, as a small one is."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            codec = _utf16_codec(handle.read(_HEAD))
            if codec is None:
                return _stream_items(handle, where, name, spool)
            copy = _spool_utf8(handle, codec, spool)  # ijson reads UTF-8
        try:
            with open(copy, "rb") as handle:
                return _stream_items(handle, where, name, spool)
        finally:
            copy.unlink(missing_ok=True)
    except OSError:
        return None  # the whole-file path reports unreadable files


def _stream_items(
    handle: BinaryIO, where: str, name: tuple[str, ...], spool: str | os.PathLike[str]
) -> _Feed | list[_Found] | None:
    """``_json_items`` of the UTF-8 file open as ``handle``."""
    import ijson

    from ..load import MAX_INPUT_BYTES

    handle.seek(0)
    head = handle.read(_HEAD)
    start = len(head) - len(head.lstrip(b"\xef\xbb\xbf \t\r\n"))  # a BOM, white space
    if not head[start:].startswith(b"["):
        return None
    handle.seek(start)
    fd, copy = tempfile.mkstemp(dir=spool, suffix=".jsonl")
    feed = _Feed(copy, where, name, items=True)
    offset = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for number, item in enumerate(ijson.items(handle, "item", use_float=True), 1):
                data = _item_line(item).encode("utf-8", "surrogatepass")
                if len(data) >= MAX_INPUT_BYTES:  # as a JSONL line over the cap
                    feed.errors[len(feed)] = (
                        f"{where}[{number}]: an item over {MAX_INPUT_BYTES // 2**20} MiB "
                        "(a record is read up to that size)"
                    )
                    feed.add(number, offset, 0, _identity(f"{where}[{number}]".encode()))
                    continue
                out.write(data + b"\n")
                feed.add(number, offset, len(data) + 1, _identity(data))
                offset += len(data) + 1
    except (ijson.JSONError, ValueError) as exc:  # ValueError: bytes that are not UTF-8
        os.unlink(copy)
        error = f"{where}: invalid JSON array ({exc})"
        return [("file", {"source": where, "name": name, "error": error})]
    return feed


def _item_line(item: Any) -> str:
    """An item of a JSON array as a JSONL line (its key is made of it)."""
    try:
        return json.dumps(item, ensure_ascii=False, sort_keys=True)
    except RecursionError:
        return "[]"  # nested too deep to write back: fails as "not a JSON object"


def _jsonl_inputs(data: bytes, source: str, name: tuple[str, ...]) -> list[_Found]:
    from ..load import decode_records

    try:
        text = decode_records(data, source)
    except SummarizerError as exc:
        return [("record", {"source": source, "name": name, "error": str(exc)})]
    return _jsonl_lines(text, source, name)


def _jsonl_lines(text: str, source: str, name: tuple[str, ...]) -> list[_Found]:
    """One input per non-blank line; a broken line becomes an input that fails, not an abort."""
    from ..load import jsonl_lines

    out: list[_Found] = []
    for number, line in jsonl_lines(text):
        record_id = peek_id(line)
        label = record_id if record_id is not None else f"line-{number}"
        out.append(
            ("record", {"source": f"{source}:{number}", "line": line, "name": (*name, label)})
        )
    return out


def peek_id(line: str) -> str | None:
    """The ``id`` of the JSON record on ``line`` (a string or integer), if it has one."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # deep nesting
        return None
    value = record.get("id") if isinstance(record, dict) else None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    return None


class LineReader:
    """Reads records' lines again from their JSONL files, keeping the current file open.

    Records come file after file: one open per file, not one per line (an open costs more than
    the read of a line).
    """

    def __init__(self) -> None:
        self.path: str | None = None
        self.handle: IO[bytes] | None = None

    def read(self, item: Input) -> tuple[str, bytes]:
        """The line of ``item`` (a record found as an offset) and its key's bytes."""
        assert item.path is not None and item.offset >= 0
        if self.handle is None or item.path != self.path:
            self.close()
            self.handle = open(item.path, "rb")  # noqa: SIM115 - closed by close()
            self.path = item.path
        self.handle.seek(item.offset)
        from ..load import jsonl_line

        return jsonl_line(self.handle.read(item.length))

    def close(self) -> None:
        """Close the file in use, if any."""
        if self.handle is not None:
            self.handle.close()
            self.handle = None
