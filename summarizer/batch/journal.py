"""Journal: the append-only JSONL a run writes as records arrive, and what reads it back.

Lines are appended in the order groups complete and flushed group by group: a SIGKILL loses
only what was not flushed yet, and leaves at most a torn last line, which ``scan_journal``
ignores (and cuts off with ``repair``). ``JournalIndex`` remembers where each record's line
is, so that a completed run can rewrite the output in input order with ``atomic_write``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError

log = logging.getLogger("summarizer")


def atomic_write(path: Path, text: str | Iterable[str]) -> None:
    """Replace ``path`` all at once: a crash leaves the old file or the new one, never half."""
    chunks = (text,) if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@functools.lru_cache(maxsize=1)
def _file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def scan_journal(
    path: Path, *, repair: bool = False, others: list[int] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, record) for each complete line of a JSONL journal, read as a stream.

    A torn last line (no newline: the run was killed while writing it) is ignored, and cut off
    the file when ``repair``; lines that are not records with a key are skipped (their offsets
    go to ``others`` when given, so that a rewrite can keep them).
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the last line
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{path}: cannot read the previous output ({exc.strerror})") from exc
    offset = complete = 0
    with handle:
        for raw in handle:
            start, offset = offset, offset + len(raw)
            if not raw.endswith(b"\n"):
                break
            complete = offset
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError):
                log.warning("%s: a line that is not JSON at byte %d", path, start)
                record = None
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                yield start, record
            elif others is not None:
                others.append(start)
    if repair and complete < offset:
        log.warning("%s: dropping a truncated last line (%d bytes)", path, offset - complete)
        with open(path, "r+b") as writable:
            writable.truncate(complete)


def read_journal(path: Path, *, repair: bool = False) -> list[dict[str, Any]]:
    """Records of a JSONL journal (see ``scan_journal``)."""
    return [record for _, record in scan_journal(path, repair=repair)]


def journal_lines(path: Path, offsets: Iterable[int]) -> Iterator[str]:
    """The lines at ``offsets`` of a journal, in that order, one at a time."""
    with open(path, "rb") as handle:
        for offset in offsets:
            handle.seek(offset)
            yield handle.readline().decode("utf-8")


class Journal:
    """Append-only JSONL, flushed per group: what survives a SIGKILL."""

    def __init__(self, path: Path, resume: bool) -> None:
        self.path = path
        if not resume and path.is_file() and path.stat().st_size > 0:
            log.warning("%s: overwriting earlier results (--resume keeps them)", path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Held open for the whole run, closed by close(): a with-block cannot span it.
        self.handle = open(path, "ab" if resume else "wb")  # noqa: SIM115
        self.size = self.start = os.fstat(self.handle.fileno()).st_size
        self.written = 0  # lines appended by this run

    def append(self, line: str) -> int:
        """Write one record's line (buffered until ``flush``); return its offset."""
        data = line.encode("utf-8")
        offset = self.size
        self.handle.write(data)
        self.size += len(data)
        self.written += 1
        return offset

    def flush(self) -> None:
        """Hand the lines written so far to the kernel: they survive a SIGKILL from then on.

        A line cut by a kill while it was written is dropped by the next --resume."""
        self.handle.flush()

    def close(self) -> None:
        """Close the file, flushing what was appended since the last ``flush``."""
        self.handle.close()


class JournalIndex:
    """Where each record is in a journal: the offset of its line, by input and by key.

    Only offsets are kept, not records, so memory stays small however many inputs there are:
    8 bytes an input (a dict of keys cost about 250), and a key only for earlier records.
    """

    def __init__(self) -> None:
        self.previous: dict[str, int] = {}  # successful records of earlier runs, by key
        self.lines = array("q")  # input index -> offset of its line; -1: none yet
        self.reused: set[str] = set()  # keys of earlier records placed again
        self.others: list[int] = []  # lines of the output that are not records: kept

    def remember(self, offset: int, record: Mapping[str, Any]) -> None:
        """Note a record of an earlier run (errors are not kept: they are retried)."""
        if "error" not in record:
            self.previous[record["key"]] = offset

    def place(self, index: int, key: str, offset: int | None) -> None:
        """Note where input ``index``'s record is (``None``: an earlier run's record)."""
        if key in self.previous:
            self.reused.add(key)
        if index >= len(self.lines):
            self.lines.frombytes(b"\xff" * 8 * (index + 1 - len(self.lines)))  # -1s
        self.lines[index] = self.previous[key] if offset is None else offset

    def final(self, where: Path) -> array[int]:
        """Offsets in output order: inputs in order, then earlier records matching none, then
        lines that are not records (a user's notes in a JSONL output are never deleted)."""
        ordered = array("q", (offset for offset in self.lines if offset >= 0))
        extra = [offset for key, offset in self.previous.items() if key not in self.reused]
        if extra:
            log.warning(
                "%s: kept %d earlier record(s) that match no input of this run (other inputs "
                "or options); they follow this run's records",
                where,
                len(extra),
            )
        if self.others:
            log.warning(
                "%s: kept %d line(s) that are not records (no key); they come last",
                where,
                len(self.others),
            )
        ordered.extend(extra)
        ordered.extend(self.others)
        return ordered
