"""Sinks: where records go (standard output, ``--output FILE``, ``--output-dir DIR``).

A sink sees outcomes in completion order (``add``), makes them durable group by group
(``flush``) and leaves the output in input order when the run completes (``close``). The
file and folder sinks keep a ``Journal`` for ``--resume``; the folder sink never writes
outside its folder, whatever names the inputs carry (``safe_component``, ``inside``).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, OutputError, UsageError
from ..render import (
    batch_footer,
    batch_header,
    batch_item,
    check_batch_format,
    record_file,
    render_lines,
)
from .feeds import LineReader, peek_id
from .inputs import Input
from .journal import (
    Journal,
    JournalIndex,
    atomic_write,
    journal_lines,
    read_journal,
    scan_journal,
)
from .outputs import (
    OutputLock,
    is_regular_output,
    lock_output,
    make_folders,
    remove_stale_temps,
)
from .records import Outcome, error_record, json_line, refuse_other_versions

JOURNAL_NAME = ".summarizer-batch.jsonl"  # inside --output-dir
PARTIAL_SUFFIX = ".partial.jsonl"  # beside --output FILE for json and markdown
# Beside a Markdown --output FILE once the run completes: its records, for a later --resume
# (Markdown cannot be read back into records).
RECORDS_SUFFIX = ".records.jsonl"
# Errors that fail every later write too: the run stops instead of failing input after input.
FATAL_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


# --------------------------------------------------------------------------- sinks


class Sink:
    """Where records go. ``add`` sees them in completion order; ``close`` ends the run."""

    where = "the output"  # named in error messages

    def previous(self) -> Mapping[str, int]:
        """Keys of the records an earlier run left (for --resume)."""
        return {}

    def add(self, outcome: Outcome) -> Outcome:
        """Take an input's outcome (no line: skipped, an earlier run's record); return it kept."""
        raise NotImplementedError

    def flush(self) -> None:
        """Make what was added so far durable (a SIGKILL after this loses none of it)."""

    def close(self, complete: bool) -> None:
        """End of run (``complete``: every input has its record)."""


class StreamSink(Sink):
    """Standard output: records written in input order as soon as the order allows."""

    where = "standard output"

    def __init__(
        self, stream: IO[str], fmt: str, *, owned: bool = False, where: str | None = None
    ) -> None:
        self.where = where or self.where
        self.stream = stream
        self.owned = owned  # a device or FIFO named by --output: closed at the end
        self.fmt = fmt
        self.next = 0
        self.waiting: dict[int, Outcome] = {}
        self.stream.write(batch_header(fmt))

    def add(self, outcome: Outcome) -> Outcome:
        """Buffer until every earlier input has its record, then write."""
        self.waiting[outcome.index] = outcome
        while self.next in self.waiting:
            line = self.waiting.pop(self.next).line
            assert line is not None  # nothing is skipped: there is no earlier output to resume
            self.stream.write(batch_item(self.fmt, line, self.next == 0))
            self.next += 1
        return outcome

    def flush(self) -> None:
        """Hand what was written to the reader."""
        self.stream.flush()

    def close(self, complete: bool) -> None:
        """Close the JSON array."""
        self.stream.write(batch_footer(self.fmt))
        self.stream.flush()
        if self.owned:
            self.stream.close()


class FileSink(Sink):
    """``--output FILE``: a journal during the run, the file in input order at the end.

    For JSONL the journal is the file itself; for JSON and Markdown it is FILE.partial.jsonl,
    which is turned into FILE and removed when the run completes.
    """

    def __init__(self, path: Path, fmt: str, resume: bool) -> None:
        self.where = str(path)
        self.path = path
        self.fmt = fmt
        journal_path = path if fmt == "jsonl" else path.with_name(path.name + PARTIAL_SUFFIX)
        self.records_path = path.with_name(f".{path.name}{RECORDS_SUFFIX}")
        journal_existed = journal_path.exists()
        # Before anything is truncated or cleaned: a second run on FILE stops here. The lock
        # is on the journal (FILE itself for JSONL), and on FILE too when it is there already.
        self.lock: OutputLock = lock_output(journal_path, str(path))
        if journal_path != path:
            self.lock.also = lock_output(path, str(path), create=False)
        remove_stale_temps(path.parent, re.escape(path.name))
        existed = path.exists() and path.stat().st_size > 0
        finished: list[dict[str, Any]] = []
        if resume and not journal_existed:
            if fmt == "json" and existed:
                finished = _read_json_array(path)  # the output of a run that completed
            elif fmt == "markdown":
                finished = read_journal(self.records_path)
        self.index = JournalIndex()
        if resume:
            # A JSONL output's lines that are not records (no key) are the user's: kept.
            others = self.index.others if fmt == "jsonl" else None
            for offset, record in scan_journal(journal_path, repair=True, others=others):
                self.index.remember(offset, record)
        done = [r["key"] for r in finished if "error" not in r]
        made = None if journal_existed else journal_path  # by the lock, empty
        _check_versions(itertools.chain(self.index.previous, done), self.where, self.lock, made)
        self.journal = Journal(journal_path, resume)
        for record in finished:
            self.index.remember(self.journal.append(json_line(record)), record)
        self.journal.flush()

    def previous(self) -> Mapping[str, int]:
        """Keys of the successful records found in FILE (and its journal)."""
        return self.index.previous

    def add(self, outcome: Outcome) -> Outcome:
        """Append a fresh record to the journal."""
        offset = None if outcome.line is None else self.journal.append(outcome.line)
        self.index.place(outcome.index, outcome.key, offset)
        return outcome

    def flush(self) -> None:
        """Flush the journal."""
        self.journal.flush()

    def close(self, complete: bool) -> None:
        """Rewrite FILE in input order, atomically, once every input has its record."""
        self.journal.close()
        try:
            if complete:
                self._finish()
        finally:
            self.lock.release()

    def _finish(self) -> None:
        offsets = self.index.final(self.path)
        if self.journal.path == self.path and self._in_order(offsets):
            return  # rewriting would give the same bytes: no need to copy a big file again
        # Each journal line is already a record's JSONL line: for JSONL, copied as it is.
        lines = journal_lines(self.journal.path, offsets)
        atomic_write(self.path, render_lines(lines, self.fmt))
        if self.journal.path == self.path:
            return
        if self.fmt == "markdown":
            # Kept, in input order, for the next --resume (hidden: a folder walk skips it).
            atomic_write(self.records_path, journal_lines(self.journal.path, offsets))
        self.journal.path.unlink(missing_ok=True)

    def _in_order(self, offsets: Sequence[int]) -> bool:
        """Whether the journal holds exactly ``offsets``' lines, in that order, all written by
        this run (so each is ``json_line`` of its record, which reading and writing keep)."""
        journal = self.journal
        return (
            journal.start == 0
            and journal.written == len(offsets)
            and all(a < b for a, b in itertools.pairwise(offsets))
        )


def _check_versions(
    keys: Iterable[str], where: str, lock: OutputLock, made: Path | None = None
) -> None:
    """Refuse (see ``refuse_other_versions``) before anything is written: unlock, and remove
    the journal the lock ``made``."""
    try:
        refuse_other_versions(keys, where)
    except UsageError:
        lock.release()
        if made is not None:
            made.unlink(missing_ok=True)
        raise


def _read_json_array(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    if not isinstance(data, list):
        return []
    return [r for r in data if isinstance(r, dict) and isinstance(r.get("key"), str)]


class DirSink(Sink):
    """``--output-dir DIR``: one file per input, mirroring the input tree, never outside DIR."""

    def __init__(self, root: Path, fmt: str, inputs: Sequence[Input], resume: bool) -> None:
        self.where = str(root)
        self.root = root
        self.fmt = fmt
        root.mkdir(parents=True, exist_ok=True)
        # Before anything is truncated or cleaned: a second run on DIR stops here.
        self.lock: OutputLock = lock_output(root / JOURNAL_NAME, str(root))
        remove_stale_temps(root, _OUTPUT_NAMES, recursive=True)
        suffix = ".tldr.md" if fmt == "markdown" else ".tldr.json"
        self.targets = unique_names(inputs, suffix)
        self.index = JournalIndex()
        journal_path = root / JOURNAL_NAME
        if resume:
            for offset, record in scan_journal(journal_path, repair=True):
                # A record counts as done only while its file is still there.
                output = record.get("output")
                if isinstance(output, str) and (root / output).is_file():
                    self.index.remember(offset, record)
        _check_versions(self.index.previous, self.where, self.lock)
        self.journal = Journal(journal_path, resume)

    def previous(self) -> Mapping[str, int]:
        """Keys of the successful records whose files still exist."""
        return self.index.previous

    def add(self, outcome: Outcome) -> Outcome:
        """Write the input's file (successes only), then journal the record."""
        if outcome.line is None:
            self.index.place(outcome.index, outcome.key, None)
            return outcome
        if outcome.error is None:
            record = outcome.record()
            relative = self.targets[outcome.index]
            try:
                self._write(relative, record)
                record["output"] = relative
            except OSError as exc:
                if exc.errno in FATAL_WRITE_ERRNOS:
                    raise
                message = f"{record['source']}: cannot write {relative}: {exc}"
                record = error_record(record["source"], message, record["key"], record.get("id"))
            except InputError as exc:
                message = f"{record['source']}: cannot write {relative}: {exc}"
                record = error_record(record["source"], message, record["key"], record.get("id"))
            outcome = Outcome.of(outcome.index, record)
        assert outcome.line is not None
        self.index.place(outcome.index, outcome.key, self.journal.append(outcome.line))
        return outcome

    def flush(self) -> None:
        """Flush the journal."""
        self.journal.flush()

    def _write(self, relative: str, record: dict[str, Any]) -> None:
        target = self.root / relative
        make_folders(self.root, Path(relative).parent)
        if not inside(self.root, target.parent):  # a symlinked folder pointing out of DIR
            raise InputError(f"refusing to write outside {self.root}")
        atomic_write(target, record_file(record, self.fmt))

    def close(self, complete: bool) -> None:
        """Leave the journal in input order too, for the next --resume and for readers."""
        self.journal.close()
        try:
            if complete:
                lines = journal_lines(self.journal.path, self.index.final(self.root))
                atomic_write(self.journal.path, lines)
        finally:
            self.lock.release()


# The names DirSink writes, as a regex (for the temporary files a kill may leave behind).
_OUTPUT_NAMES = r".+\.tldr\.(?:md|json)|" + re.escape(JOURNAL_NAME)


# --------------------------------------------------------------------------- names


_UNSAFE = re.compile(r"[^\w\-]+")
_WINDOWS_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com\d|lpt\d)$")


# Longest component written, in bytes: file systems count bytes (255 at most), and a name
# also gets a suffix (".tldr.json", "-2") and, while written, a temporary file's ("." and
# ".XXXXXXXX.tmp"). 100 CJK characters are 300 bytes.
MAX_COMPONENT_BYTES = 200


def safe_component(name: str) -> str:
    """A file-name component that cannot climb out of, or hide in, a folder, and that fits a
    file system's limit on names (in bytes, whatever the script)."""
    name = unicodedata.normalize("NFC", name)
    cleaned = _UNSAFE.sub("_", name).strip("_")[:100]
    encoded = cleaned.encode("utf-8")
    if len(encoded) > MAX_COMPONENT_BYTES:  # cut at a character boundary
        cleaned = encoded[:MAX_COMPONENT_BYTES].decode("utf-8", "ignore").strip("_")
    cleaned = cleaned or "article"
    if _WINDOWS_RESERVED.match(cleaned):
        cleaned = f"_{cleaned}"
    return cleaned


def inside(root: Path, path: Path) -> bool:
    """True when ``path`` (symlinks resolved) lies under ``root``."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def unique_names(inputs: Sequence[Input], suffix: str) -> list[str]:
    """Safe, distinct relative output paths, assigned in input order (stable across runs)."""
    taken: set[str] = set()
    names = []
    with contextlib.closing(LineReader()) as lines:
        for item in inputs:
            names.append(_unique_name(item, suffix, taken, lines))
    return names


def _unique_name(item: Input, suffix: str, taken: set[str], lines: LineReader) -> str:
    raw = list(item.name) or ["article"]
    if item.kind == "file":
        raw[-1] = Path(raw[-1]).stem or raw[-1]
    if item.named_by_id:
        with contextlib.suppress(OSError):  # then it keeps "line-N"
            raw[-1] = peek_id(lines.read(item)[0]) or raw[-1]
    base = "/".join(safe_component(part) for part in raw)
    candidate, n = base + suffix, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}{suffix}"
    taken.add(candidate.lower())
    return candidate


# --------------------------------------------------------------------------- opening


def default_format(
    output: str | os.PathLike[str] | None, output_dir: str | os.PathLike[str] | None
) -> str:
    """The format when none is given: from FILE's suffix, markdown for a folder, else jsonl."""
    if output_dir is not None:
        return "markdown"
    suffix = Path(output).suffix.lower() if output is not None else ""
    return {".md": "markdown", ".markdown": "markdown", ".json": "json"}.get(suffix, "jsonl")


def open_sink(
    inputs: Sequence[Input],
    fmt: str,
    *,
    output: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    resume: bool = False,
    stream: IO[str] | None = None,
) -> Sink:
    """The sink for an output file, an output folder, or a stream (standard output)."""
    check_batch_format(fmt)
    if output is not None and output_dir is not None:
        raise UsageError("give --output or --output-dir, not both")
    if output_dir is not None:
        return DirSink(Path(output_dir), fmt, inputs, resume)
    if output is not None:
        path = Path(output)
        if path.is_dir():
            raise UsageError(f"{path} is a folder; use --output-dir for one file per input")
        if not is_regular_output(path):
            # A device, a FIFO, /dev/stdout: written through as a stream, in input order (a
            # rename would replace it with a plain file).
            if resume:
                raise UsageError(f"{path} is not a regular file: --resume needs one")
            handle = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            return StreamSink(handle, fmt, owned=True, where=str(path))
        if path.is_symlink():
            path = Path(os.path.realpath(path))  # the link stays a link: its target is written
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileSink(path, fmt, resume)
    if resume:
        raise UsageError("--resume needs --output or --output-dir")
    return StreamSink(stream or sys.stdout, fmt)


def outputs_of(
    output: str | os.PathLike[str] | None, output_dir: str | os.PathLike[str] | None
) -> list[str]:
    """Paths a folder walk must not read back as inputs."""
    paths: list[str] = []
    if output is not None:
        name = Path(output).name
        paths += [str(output), str(output) + PARTIAL_SUFFIX]
        paths.append(str(Path(output).with_name(f".{name}{RECORDS_SUFFIX}")))
    if output_dir is not None:
        paths.append(str(output_dir))
    return paths


@contextlib.contextmanager
def writing(sink: Sink | Path) -> Iterator[None]:
    """Turn an OS error while writing results into one OutputError line (a closed pipe aside)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        where = sink if isinstance(sink, Path) else sink.where
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):  # mkdir met a file on the way
            reason = "a part of the path is a file, not a folder"
        raise OutputError(f"cannot write {where}: {reason}") from exc
