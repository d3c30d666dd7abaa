"""Discovery: PATH arguments (folders, files, JSON arrays, JSONL, ``-``, URLs) into ``Input``s.

The order of the list ``discover`` returns is the output order; an input's ``index`` is its
place in it. A JSONL file's records are found as (offset, length) of their lines and read again
with a ``LineReader`` when their turn comes, so a feed of any size costs little memory here
(what is inside a feed file: ``feeds.py``; which inputs repeat earlier ones: ``copies.py``).
"""

from __future__ import annotations

import bisect
import contextlib
import fnmatch
import itertools
import os
import stat
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, overload

from ..errors import InputError, SummarizerError
from .copies import _copy_numbers, _identity
from .feeds import (
    _HEAD,
    _Feed,
    _Found,
    _json_array,
    _json_items,
    _jsonl_inputs,
    _jsonl_lines,
    _jsonl_offsets,
    _not_a_feed,
    _transcode,
    _utf16_codec,
)

# Input, the type of what discovery finds, is imported from here by the rest of the package.
from .feeds import Input as Input

# Suffixes picked up when walking a folder (explicit file arguments are always read).
FOLDER_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json", ".jsonl")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# What --output-dir writes: never read back as inputs by a later folder walk.
OUTPUT_SUFFIXES = (".tldr.md", ".tldr.json")


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


def _url_name(url: str) -> tuple[str, ...]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1] if segments else "index"
    return (parts.hostname or "url", Path(last).stem or last)
