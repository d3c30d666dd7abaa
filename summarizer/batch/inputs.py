"""Discovery: PATH arguments (folders, files, JSON arrays, JSONL, ``-``, URLs) into ``Input``s.

The order of the list ``discover`` returns is the output order; an input's ``index`` is its
place in it. A JSONL file's records are found as (offset, length) of their lines and read again
with a ``LineReader`` when their turn comes, so a feed of any size costs little memory here.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import fnmatch
import itertools
import json
import os
import stat
import sys
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, overload

from ..errors import InputError, SummarizerError

# Suffixes picked up when walking a folder (explicit file arguments are always read).
FOLDER_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json", ".jsonl")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# What --output-dir writes: never read back as inputs by a later folder walk.
OUTPUT_SUFFIXES = (".tldr.md", ".tldr.json")


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


def discover(
    paths: Sequence[str],
    *,
    recursive: bool = True,
    glob: str | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
    stdin: IO[bytes] | None = None,
    spool: str | os.PathLike[str] | None = None,
) -> Inputs:
    """Expand PATH arguments into Inputs, in a stable order: arguments, then sorted walk order.

    ``-`` reads JSONL from ``stdin`` (standard input by default). With ``spool``, a folder
    that outlives the run, standard input is copied there (a UTF-16 feed, as UTF-8) and its
    lines read when their turn comes, as a JSONL file's are; without it, it is held in memory.
    """
    from ..fetch import is_url

    excluded = {os.path.realpath(p) for p in exclude}
    found = _Collector()
    for arg in paths:
        if arg == "-":
            found.extend(_stdin_inputs(stdin or sys.stdin.buffer, spool))
        elif is_url(arg):
            found.add("url", {"source": arg, "name": _url_name(arg)})
        elif os.path.isdir(arg):
            for path, rel in _walk(Path(arg), recursive, glob, excluded):
                if rel:
                    found.extend(_file_inputs(path, rel, spool))
                else:
                    message = f"{path}: cannot list this folder"
                    found.add("file", {"source": str(path), "error": message})
        else:
            found.extend(_file_inputs(Path(arg), (Path(arg).name,), spool))
    return found.inputs()


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


class Inputs(Sequence[Input]):
    """The inputs of a run in output order: ``Input`` objects, and streamed JSONL files kept
    compact (``_Feed``), each record made into an ``Input`` when it is asked for."""

    def __init__(self, parts: list[list[Input] | _Feed]) -> None:
        self.parts = parts
        self.starts: list[int] = []
        total = 0
        for part in parts:
            self.starts.append(total)
            total += len(part)
        self.total = total

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Input: ...

    @overload
    def __getitem__(self, index: slice) -> list[Input]: ...

    def __getitem__(self, index: int | slice) -> Input | list[Input]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.total))]
        if index < 0:
            index += self.total
        if not 0 <= index < self.total:
            raise IndexError("input index out of range")
        k = bisect.bisect_right(self.starts, index) - 1
        part = self.parts[k]
        if isinstance(part, list):
            return part[index - self.starts[k]]
        return part.input(index, index - self.starts[k])

    def paths(self) -> Iterator[str]:
        """The files the inputs are read from (a feed's once, not once a record)."""
        for part in self.parts:
            if isinstance(part, list):
                yield from (item.path for item in part if item.path is not None)
            else:
                yield part.path

    def __iter__(self) -> Iterator[Input]:
        for k, part in enumerate(self.parts):
            if isinstance(part, list):
                yield from part
            else:
                start = self.starts[k]
                for position in range(len(part)):
                    yield part.input(start + position, position)


class _Collector:
    """Discovery's findings, in order, numbered as copies of earlier content when they are."""

    def __init__(self) -> None:
        self.parts: list[list[tuple[str, dict[str, Any]]] | _Feed] = []
        self.identities = array("Q")  # every input's, in order: 8 bytes each, until numbered

    def add(self, kind: str, fields: dict[str, Any]) -> None:
        """One input (a file, a URL, an in-memory record, a failure)."""
        identity = fields.pop("identity", None)
        if identity is None:
            line = fields.get("line")
            identity = _identity(
                b"\0" + fields["source"].encode("utf-8", "surrogatepass")
                if line is None
                else line.encode("utf-8", "surrogatepass")
            )
        self.identities.append(identity)
        if not self.parts or isinstance(self.parts[-1], _Feed):
            self.parts.append([])
        last = self.parts[-1]
        assert isinstance(last, list)
        last.append((kind, fields))

    def extend(self, found: Iterable[_Found] | _Feed) -> None:
        """Several inputs, or a streamed feed."""
        if not isinstance(found, _Feed):
            for kind, fields in found:
                self.add(kind, fields)
            return
        if self.identities:
            self.identities.extend(found.identities)
        else:  # the first part: taken, not copied (8 bytes a record)
            self.identities = found.identities
        found.identities = array("Q")
        self.parts.append(found)

    def inputs(self) -> Inputs:
        """The Inputs, indexed in order."""
        self._number_copies()
        parts: list[list[Input] | _Feed] = []
        index = 0
        for part in self.parts:
            if isinstance(part, _Feed):
                parts.append(part)
                index += len(part)
                continue
            made = []
            for kind, fields in part:
                made.append(Input(index=index, kind=kind, **fields))
                index += 1
            parts.append(made)
        return Inputs(parts)

    def _number_copies(self) -> None:
        """Give the n-th input of the same content (n > 1) its copy number."""
        identities, self.identities = self.identities, array("Q")
        copies = _copy_numbers(identities)
        del identities
        if copies is None:
            return
        start = 0
        for part in self.parts:
            whole = len(part) == len(copies)  # one feed: its numbers taken, not copied
            mine = copies if whole else copies[start : start + len(part)]
            start += len(part)
            if not any(mine):
                continue
            if isinstance(part, _Feed):
                part.copies = mine
            else:
                for (_, fields), copy in zip(part, mine, strict=True):
                    if copy:
                        fields["copy"] = copy


# Inputs from which copies are numbered with numpy, in bounded steps; fewer are counted in a
# dict (numpy's import would cost more than the count).
_NUMPY_FROM = 65536
# Inputs numbered per step with numpy: its temporary arrays stay a few megabytes.
_STEP = 1 << 16


def _copy_numbers(identities: array[int]) -> array[int] | None:
    """The copy number of each input, by its identity (0 for a first one, n for the n-th copy
    of the same content), or None when there are no copies."""
    if len(identities) < _NUMPY_FROM:
        seen: dict[int, int] = {}
        copies = array("I", bytes(4 * len(identities)))
        for position, identity in enumerate(identities):
            n = seen[identity] = seen.get(identity, 0) + 1
            if n > 1:
                copies[position] = n
        return copies if len(seen) < len(identities) else None
    return _copy_numbers_numpy(identities)


def _copy_numbers_numpy(identities: array[int]) -> array[int] | None:
    """``_copy_numbers`` in about 20 bytes an input at most (a dict of counts costs 150): the
    identities that repeat are found by sorting a copy, then inputs are numbered a step at a
    time against a count per repeated identity."""
    import numpy as np

    every = np.frombuffer(identities, dtype=np.uint64)
    ordered = np.sort(every)
    repeats = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    if not len(repeats):
        return None
    repeated = np.unique(repeats)  # sorted, each once
    del repeats
    counts = np.zeros(len(repeated), dtype=np.uint32)  # per repeated identity, so far
    out = array("I", bytes(4 * len(every)))
    copies = np.frombuffer(out, dtype=np.uint32)  # written in place
    for start in range(0, len(every), _STEP):
        chunk = every[start : start + _STEP]
        which = np.minimum(np.searchsorted(repeated, chunk), len(repeated) - 1)
        hits = np.flatnonzero(repeated[which] == chunk)
        which = which[hits]
        # The rank of each hit among the hits of the same identity in this chunk.
        order = np.argsort(which, kind="stable")
        grouped = which[order]
        first = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        ranks = np.arange(len(grouped)) - np.repeat(first, np.diff(np.r_[first, len(grouped)]))
        numbers = np.empty(len(hits), dtype=np.uint32)
        numbers[order] = counts[grouped] + ranks + 1
        counts += np.bincount(which, minlength=len(repeated)).astype(np.uint32)
        copies[start + hits] = np.where(numbers > 1, numbers, 0)
    del copies  # out can be resized again
    return out


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


def _file_inputs(
    path: Path, rel: tuple[str, ...], spool: str | os.PathLike[str] | None = None
) -> list[_Found] | _Feed:
    suffix = path.suffix.lower()
    single = [("file", {"source": str(path), "path": str(path), "name": rel})]
    if suffix not in JSONL_SUFFIXES and suffix != ".json":
        return single
    from ..load import MAX_INPUT_BYTES, decode_records, read_bytes

    name = (*rel[:-1], Path(rel[-1]).stem)
    if suffix in JSONL_SUFFIXES:
        streamed = _jsonl_offsets(path, name, spool=spool)
        if streamed is not None:
            return streamed
    elif spool is not None and _is_regular(path) and _size(path) > MAX_INPUT_BYTES:
        items = _json_items(path, name, spool)
        if items is not None:
            return items
    try:
        # A JSON array up to the cap is parsed whole, a bigger one streamed (above) to a JSONL
        # copy; a pipe or device is never read past the same cap.
        regular = _is_regular(path)
        # read_bytes caps a pipe or a device itself (with its own message).
        data = read_bytes(path, limit=MAX_INPUT_BYTES + 1) if regular else read_bytes(path)
        if len(data) > MAX_INPUT_BYTES:
            hint = (
                "only a JSON array of records is read as a stream (as batch() reads it)"
                if suffix == ".json"
                else "convert it to UTF-8, which is read as a stream"
            )
            raise InputError(f"{path}: over {MAX_INPUT_BYTES // 2**20} MiB to read whole; {hint}")
        text = decode_records(data, str(path))
    except SummarizerError as exc:
        return [("file", {"source": str(path), "name": name, "error": str(exc)})]
    if suffix in JSONL_SUFFIXES:
        return _jsonl_lines(text, str(path), name)
    return _json_array(text, str(path), name) or single


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # read_bytes says what is wrong


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # read_bytes says what is wrong


# Standard input copied to disk at most: a feed that big is a file, and should be given as one.
MAX_STDIN_BYTES = 4 * 2**30


def _stdin_inputs(stream: IO[bytes], spool: str | os.PathLike[str] | None) -> list[_Found] | _Feed:
    from ..load import MAX_INPUT_BYTES

    if spool is None:
        data = stream.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"<stdin>: over {MAX_INPUT_BYTES // 2**20} MiB (give a spool)")
        return _jsonl_inputs(data, "<stdin>", ("stdin",))
    copy = Path(spool) / "stdin.jsonl"
    head = stream.read(_HEAD)
    problem = _not_a_feed(head)
    if problem:
        raise InputError(f"<stdin>: {problem}")
    try:
        with open(copy, "wb") as handle:
            chunks: Iterator[bytes] = itertools.chain(
                [head], iter(lambda: stream.read(1 << 20), b"")
            )
            codec = _utf16_codec(head)
            if codec is not None:  # stored as UTF-8: then streamed like any feed
                chunks = _transcode(chunks, codec)
            size = 0
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_STDIN_BYTES:
                    raise InputError(
                        f"<stdin>: over {MAX_STDIN_BYTES // 2**30} GiB; save the feed to a file "
                        "and give its name"
                    )
                handle.write(chunk)
    except OSError as exc:  # a full disk, most likely: one line, not a traceback
        reason = exc.strerror or str(exc)
        raise InputError(f"<stdin>: cannot copy standard input to {copy.parent}: {reason}") from exc
    streamed = _jsonl_offsets(copy, ("stdin",), label="<stdin>")
    if streamed is not None:
        return streamed
    return [("record", {"source": "<stdin>", "name": ("stdin",), "error": "<stdin>: unreadable"})]


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
