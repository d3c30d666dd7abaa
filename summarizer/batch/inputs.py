"""Discovery: PATH arguments (folders, files, JSON arrays, JSONL, ``-``, URLs) into ``Input``s.

The order of the list ``discover`` returns is the output order; an input's ``index`` is its
place in it. A JSONL file's records are found as (offset, length) of their lines and read again
with a ``LineReader`` when their turn comes, so a feed of any size costs little memory here.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, SummarizerError

# Suffixes picked up when walking a folder (explicit file arguments are always read).
FOLDER_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json", ".jsonl")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# What --output-dir writes: never read back as inputs by a later folder walk.
OUTPUT_SUFFIXES = (".tldr.md", ".tldr.json")


@dataclass(frozen=True)
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


def discover(
    paths: Sequence[str],
    *,
    recursive: bool = True,
    glob: str | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
    stdin: IO[bytes] | None = None,
    spool: str | os.PathLike[str] | None = None,
) -> list[Input]:
    """Expand PATH arguments into Inputs, in a stable order: arguments, then sorted walk order.

    ``-`` reads JSONL from ``stdin`` (standard input by default). With ``spool``, a folder
    that outlives the run, standard input is copied there and its lines read when their turn
    comes, as a JSONL file's are; without it, it is held in memory.
    """
    from ..fetch import is_url

    excluded = {os.path.realpath(p) for p in exclude}
    found: list[_Found] = []
    for arg in paths:
        if arg == "-":
            found += _stdin_inputs(stdin or sys.stdin.buffer, spool)
        elif is_url(arg):
            found.append(("url", {"source": arg, "name": _url_name(arg)}))
        elif os.path.isdir(arg):
            for path, rel in _walk(Path(arg), recursive, glob, excluded):
                if rel:
                    found += _file_inputs(path, rel)
                else:
                    message = f"{path}: cannot list this folder"
                    found.append(("file", {"source": str(path), "error": message}))
        else:
            found += _file_inputs(Path(arg), (Path(arg).name,))
    _number_copies(found)
    return [Input(index=i, kind=kind, **fields) for i, (kind, fields) in enumerate(found)]


def _number_copies(found: list[_Found]) -> None:
    """Give each input after the first with the same content its copy number, in input order."""
    seen: dict[str | int, int] = {}
    for _, fields in found:
        identity = fields.pop("identity", None)
        if identity is None:
            line = fields.get("line")
            identity = (
                fields["source"]
                if line is None
                else _identity(line.encode("utf-8", "surrogatepass"))
            )
        n = seen[identity] = seen.get(identity, 0) + 1
        if n > 1:
            fields["copy"] = n


def _identity(data: bytes | memoryview) -> int:
    """Equal for equal lines. Rarely equal for others too, which only gives a line a copy
    number it did not need: its key stays its own."""
    return zlib.crc32(data) << 32 | len(data)


def _walk(
    root: Path, recursive: bool, glob: str | None, excluded: set[str]
) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Files under root in sorted order, hidden entries and our own outputs left out.

    A folder that cannot be listed is yielded as a path with no parts: it becomes an error
    record rather than a silent gap in the output.
    """
    unreadable: list[OSError] = []
    for here, dirnames, filenames in _walk_folders(root, unreadable.append):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if recursive and not d.startswith(".") and os.path.realpath(here / d) not in excluded
        )
        for filename in sorted(filenames):
            path = here / filename
            if (
                filename.startswith(".")
                or filename.endswith(OUTPUT_SUFFIXES)
                or os.path.realpath(path) in excluded
            ):
                continue
            rel = path.relative_to(root)
            if glob is not None:
                target = rel.as_posix() if "/" in glob else filename
                if not fnmatch.fnmatch(target, glob):
                    continue
            elif not filename.lower().endswith(FOLDER_SUFFIXES):
                continue
            yield path, rel.parts
    for error in unreadable:
        yield Path(error.filename or root), ()


def _walk_folders(
    root: Path, onerror: Callable[[OSError], None]
) -> Iterator[tuple[Path, list[str], list[str]]]:
    """``os.walk(root)``, top-down, without following symlinked folders, but with a stack
    instead of recursion: a tree thousands of levels deep is walked like any other. The
    caller may prune and order the folder list it is given, as with os.walk."""
    stack = [root]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as scan:
                entries = list(scan)
        except OSError as exc:
            onerror(exc)
            continue
        dirnames: list[str] = []
        filenames: list[str] = []
        walk_into: set[str] = set()
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                dirnames.append(entry.name)
                with contextlib.suppress(OSError):
                    if not entry.is_symlink():
                        walk_into.add(entry.name)
            else:
                filenames.append(entry.name)
        yield here, dirnames, filenames
        stack.extend(here / d for d in reversed(dirnames) if d in walk_into)


def _file_inputs(path: Path, rel: tuple[str, ...]) -> list[_Found]:
    suffix = path.suffix.lower()
    single = [("file", {"source": str(path), "path": str(path), "name": rel})]
    if suffix not in JSONL_SUFFIXES and suffix != ".json":
        return single
    from ..load import decode_records, read_bytes

    name = (*rel[:-1], Path(rel[-1]).stem)
    if suffix in JSONL_SUFFIXES:
        streamed = _jsonl_offsets(path, name)
        if streamed is not None:
            return streamed
    try:
        data = read_bytes(path)
        text = decode_records(data, str(path))
    except SummarizerError as exc:
        return [("file", {"source": str(path), "name": name, "error": str(exc)})]
    if suffix in JSONL_SUFFIXES:
        return _jsonl_lines(text, str(path), name)
    return _json_array(text, str(path), name) or single


def _stdin_inputs(stream: IO[bytes], spool: str | os.PathLike[str] | None) -> list[_Found]:
    if spool is None:
        return _jsonl_inputs(stream.read(), "<stdin>", ("stdin",))
    copy = Path(spool) / "stdin.jsonl"
    try:
        with open(copy, "wb") as handle:
            shutil.copyfileobj(stream, handle, 1 << 20)
    except OSError as exc:  # a full disk, most likely: one line, not a traceback
        reason = exc.strerror or str(exc)
        raise InputError(f"<stdin>: cannot copy standard input to {copy.parent}: {reason}") from exc
    streamed = _jsonl_offsets(copy, ("stdin",), label="<stdin>")
    if streamed is not None:
        return streamed
    return _jsonl_inputs(copy.read_bytes(), "<stdin>", ("stdin",))  # not UTF-8: decoded whole


def _jsonl_offsets(
    path: Path, name: tuple[str, ...], label: str | None = None
) -> list[_Found] | None:
    """Records of a UTF-8 JSONL file as (offset, length) of their lines, read as a stream.

    Lines are read again, and decoded, when their turn comes (in the workers), so a feed of
    any size costs little memory and little time here, even with a broken byte in it. None
    when the file does not look like UTF-8 (UTF-16, a binary file...): it is decoded whole.
    ``label`` names the records' source instead of the path ("<stdin>:3").
    """
    from ..load import _BINARY_CONTROL, _guess_bomless_utf16, jsonl_line

    where = str(path)
    source = label or where
    out: list[_Found] = []
    try:
        # A FIFO would block open(), a device would never end: read_bytes handles those.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            head = handle.read(4096)
            if (
                head.startswith((b"\xff\xfe", b"\xfe\xff"))
                or _guess_bomless_utf16(head)
                or any(byte in _BINARY_CONTROL for byte in head)
            ):
                return None
            handle.seek(0)
            offset = 0
            for number, raw in enumerate(handle, start=1):
                start, offset = offset, offset + len(raw)
                content = raw.strip()
                # A line that starts and ends with a printable ASCII character (a JSON object
                # does) is keyed by its own bytes: decoding it would give the same (jsonl_line).
                if not (content and content[0] in _PLAIN and content[-1] in _PLAIN):
                    text, content = jsonl_line(raw)
                    if not text:
                        continue
                out.append(("record", {
                    "source": f"{source}:{number}", "path": where, "offset": start,
                    "length": len(raw), "name": (*name, f"line-{number}"), "named_by_id": True,
                    "identity": _identity(content),
                }))  # fmt: skip
    except OSError:
        return None  # the whole-file path reports unreadable files
    return out


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
        try:
            line = json.dumps(element, ensure_ascii=False, sort_keys=True)
        except RecursionError:
            line = "[]"  # nested too deep to write back: fails as "not a JSON object"
        label = peek_id(line) or f"item-{number}"
        out.append(
            ("record", {"source": f"{source}[{number}]", "line": line, "name": (*name, label)})
        )
    return out


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


def _url_name(url: str) -> tuple[str, ...]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1] if segments else "index"
    return (parts.hostname or "url", Path(last).stem or last)


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
