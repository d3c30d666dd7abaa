"""Batch stage: many inputs in, one record per input out; parallel, ordered and resumable.

The flow:

1. ``discover`` turns PATH arguments (folders, files, JSONL files, ``-``, URLs) into a list of
   ``Input``s, in a deterministic order that is the output order; ``plan`` cuts it in groups.
2. For each group, a worker (``_run_group``; in worker processes fed by ``_execute_parallel``
   when ``jobs > 1``) reads each input's bytes and gives it a resume ``key``: a hash of the
   options and the input's content (the n-th identical input, numbered by ``discover``, gets
   "-n" added). An input whose key is already in the output is skipped; the others are loaded
   and summarized through the library API, and each record is encoded as a JSONL line. Every
   failure becomes an error record, never an exception.
3. A ``Sink`` appends the records to a journal as groups complete (in input order while
   that costs little waiting: ``_InOrder``), flushed group by group (a SIGKILL loses what was
   not flushed yet, and a torn last line is ignored). When the run completes, it leaves the
   output in input order, atomically. ``--resume`` reads the journal back.

No summarizing logic lives here: per-article work calls ``load``/``fetch`` and
``pipeline.summarize_articles``.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import functools
import gc
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
import zlib
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, cast

from .errors import InputError, OutputError, SummarizerError, UsageError
from .models import Options
from .render import markdown_section

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

log = logging.getLogger("summarizer")

FORMATS = ("jsonl", "json", "markdown")
# Suffixes picked up when walking a folder (explicit file arguments are always read).
FOLDER_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json", ".jsonl")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# What --output-dir writes: never read back as inputs by a later folder walk.
OUTPUT_SUFFIXES = (".tldr.md", ".tldr.json")
JOURNAL_NAME = ".summarizer-batch.jsonl"  # inside --output-dir
PARTIAL_SUFFIX = ".partial.jsonl"  # beside --output FILE for json and markdown
# Bumped when records change meaning, so --resume never mixes old and new records.
RECORD_VERSION = 1

GROUP_SIZE = 32  # articles summarized together (one call, one round trip to a worker), by default

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_ALL_FAILED = 3


# --------------------------------------------------------------------------- inputs


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
    from .fetch import is_url

    excluded = {os.path.realpath(p) for p in exclude}
    found: list[tuple[str, dict[str, Any]]] = []
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


def _number_copies(found: list[tuple[str, dict[str, Any]]]) -> None:
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
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        here = Path(dirpath)
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


def _file_inputs(path: Path, rel: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    suffix = path.suffix.lower()
    single = [("file", {"source": str(path), "path": str(path), "name": rel})]
    if suffix not in JSONL_SUFFIXES and suffix != ".json":
        return single
    from .load import decode_records, read_bytes

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


def _stdin_inputs(
    stream: IO[bytes], spool: str | os.PathLike[str] | None
) -> list[tuple[str, dict[str, Any]]]:
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
) -> list[tuple[str, dict[str, Any]]] | None:
    """Records of a UTF-8 JSONL file as (offset, length) of their lines, read as a stream.

    Lines are read again, and decoded, when their turn comes (in the workers), so a feed of
    any size costs little memory and little time here, even with a broken byte in it. None
    when the file does not look like UTF-8 (UTF-16, a binary file...): it is decoded whole.
    ``label`` names the records' source instead of the path ("<stdin>:3").
    """
    from .load import _BINARY_CONTROL, _guess_bomless_utf16

    where = str(path)
    source = label or where
    out: list[tuple[str, dict[str, Any]]] = []
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
                # does) is keyed by its own bytes: decoding it would give the same (_line_of).
                if not (content and content[0] in _PLAIN and content[-1] in _PLAIN):
                    text, content = _line_of(raw)
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


def _line_of(raw: bytes) -> tuple[str, bytes]:
    """A JSONL line's text and the bytes its resume key is made of.

    The text loses surrounding white space and a byte-order mark; a byte that is not UTF-8
    becomes U+FFFD and spoils only its record, as with ``load.decode_records``. The key is
    made of the text's UTF-8, or of the line's own bytes when it is not UTF-8: two different
    broken lines that read as the same text must not share a key.
    """
    try:
        text = raw.decode("utf-8").strip().lstrip("\ufeff")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace").strip().lstrip("\ufeff"), raw.strip()
    return text, text.encode("utf-8")


def _json_array(text: str, source: str, name: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """A .json file holding an array of records: one input per element (else none)."""
    if not text.lstrip().startswith("["):
        return []
    try:
        array = json.loads(text)
    except (ValueError, RecursionError):  # deep nesting
        return []  # read as a single article, which reports the JSON error
    out: list[tuple[str, dict[str, Any]]] = []
    for number, element in enumerate(array, start=1):
        try:
            line = json.dumps(element, ensure_ascii=False, sort_keys=True)
        except RecursionError:
            line = "[]"  # nested too deep to write back: fails as "not a JSON object"
        label = _peek_id(line) or f"item-{number}"
        out.append(
            ("record", {"source": f"{source}[{number}]", "line": line, "name": (*name, label)})
        )
    return out


def _jsonl_inputs(
    data: bytes, source: str, name: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    from .load import decode_records

    try:
        text = decode_records(data, source)
    except SummarizerError as exc:
        return [("record", {"source": source, "name": name, "error": str(exc)})]
    return _jsonl_lines(text, source, name)


def _jsonl_lines(text: str, source: str, name: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """One input per non-blank line; a broken line becomes an input that fails, not an abort."""
    out: list[tuple[str, dict[str, Any]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        record_id = _peek_id(line)
        label = record_id if record_id is not None else f"line-{number}"
        out.append(
            ("record", {"source": f"{source}:{number}", "line": line, "name": (*name, label)})
        )
    return out


def _peek_id(line: str) -> str | None:
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


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class BatchConfig:
    """Everything a worker needs besides its input."""

    options: Options
    backend_config: tuple[tuple[str, Any], ...] = ()
    jobs: int = 1
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    # Articles per summarize_articles call, and per round trip to a worker: model backends
    # batch them, extractive ones loop (same records either way).
    group_size: int = 1

    def fingerprint(self) -> str:
        """What, besides the input, decides a record: part of every resume key."""
        data = {
            "v": RECORD_VERSION,
            "options": self.options.to_dict(),
            "backend_config": [[k, repr(v)] for k, v in self.backend_config],
        }
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Task:
    """An Input made ready for a worker: its bytes (files) or line (records), and its key."""

    index: int
    kind: str
    source: str
    key: str
    data: bytes | str


@dataclass(frozen=True)
class Outcome:
    """What became of one input: its record as a JSONL line, made where the input was read.

    Workers encode records themselves, so the parent only writes lines. ``line`` is None for an
    input skipped because its record is already in the output (``key`` says which).
    """

    index: int
    key: str
    line: str | None
    error: str | None = None  # the record's error message, when it is an error record
    trace: str | None = None  # the traceback of an unexpected exception, for -v

    @classmethod
    def of(cls, index: int, record: dict[str, Any]) -> Outcome:
        """The outcome of input ``index`` whose record is ``record``."""
        trace = record.pop("_traceback", None)
        return cls(index, record["key"], json_line(record), record.get("error"), trace)

    def record(self) -> dict[str, Any]:
        """The record, decoded from its line."""
        assert self.line is not None
        record: dict[str, Any] = json.loads(self.line)
        return record


def _key(fingerprint: str, *parts: bytes | str) -> str:
    digest = hashlib.sha256(fingerprint.encode())
    for part in parts:
        raw = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(raw).to_bytes(8, "big"))
        digest.update(raw)
    return digest.hexdigest()[:32]


def error_record(
    source: str, message: str, key: str, record_id: str | None = None
) -> dict[str, Any]:
    """The record of an input that could not be summarized."""
    record: dict[str, Any] = {"source": source}
    if record_id is not None:
        record["id"] = record_id
    record["error"] = message
    record["key"] = key
    return record


def _input_key(item: Input, fingerprint: str, *parts: bytes | str) -> str:
    """The resume key of ``item`` made of ``parts``; the n-th copy of an input has its own."""
    digest = _key(fingerprint, *parts)
    return digest if item.copy == 1 else f"{digest}-{item.copy}"


def _prepare(item: Input, fingerprint: str, lines: _LineReader) -> Task | dict[str, Any]:
    """Read what the key needs; an input that fails already here yields its error record."""
    from .load import MAX_INPUT_BYTES, read_bytes

    def key(*parts: bytes | str) -> str:
        return _input_key(item, fingerprint, *parts)

    if item.error is not None:
        return error_record(item.source, item.error, key("error", item.source))
    if item.kind == "record":
        if item.line is not None:
            return Task(item.index, "record", item.source, key("record", item.line), item.line)
        try:
            line, keyed = lines.read(item)
        except OSError as exc:
            message = f"{item.source}: cannot read the line again ({exc})"
            return error_record(item.source, message, key("error", item.source))
        return Task(item.index, "record", item.source, key("record", keyed), line)
    if item.kind == "url":
        return Task(item.index, "url", item.source, key("url", item.source),
                    item.source)  # fmt: skip
    assert item.path is not None
    try:
        # One byte over the cap tells load_bytes to cut and warn; a 50 MB file (or a symlink
        # to /dev/zero) in the folder costs no more memory than that.
        data = read_bytes(item.path, limit=MAX_INPUT_BYTES + 1)
    except SummarizerError as exc:
        return error_record(item.source, str(exc), key("error", item.source))
    content = hashlib.sha256(data).hexdigest()
    return Task(item.index, "file", item.source, key("file", item.source, content),
                data)  # fmt: skip


class _LineReader:
    """Reads records' lines again from their JSONL files, keeping the current file open.

    Records come file after file: one open per file, not one per line (an open costs more than
    the read of a line).
    """

    def __init__(self) -> None:
        self.path: str | None = None
        self.handle: IO[bytes] | None = None

    def read(self, item: Input) -> tuple[str, bytes]:
        """The line of ``item`` (a record found by ``_jsonl_offsets``) and its key's bytes."""
        assert item.path is not None and item.offset >= 0
        if self.handle is None or item.path != self.path:
            self.close()
            self.handle = open(item.path, "rb")  # noqa: SIM115 - closed by close()
            self.path = item.path
        self.handle.seek(item.offset)
        return _line_of(self.handle.read(item.length))

    def close(self) -> None:
        """Close the file in use, if any."""
        if self.handle is not None:
            self.handle.close()
            self.handle = None


# --------------------------------------------------------------------------- workers

_STATE: dict[str, Any] = {}


def warm_up(config: BatchConfig, *, backend: bool = True) -> None:
    """Load what every article needs (language profiles, the backend) once per process."""
    from . import backends
    from .langmodel import model

    _STATE["config"] = config
    if config.options.language is None:
        # The profiles only: a warm-up text would be short text, which loads word-frequency
        # lists that articles never need.
        model()
    if backend:
        backends.get_backend(config.options.backend, **dict(config.backend_config))


def _serve(
    conn: Connection,
    inputs: Sequence[Input],
    config: BatchConfig,
    previous: Container[str],
    parent: int,
) -> None:
    """A worker process: summarize the slices of ``inputs`` the parent sends, send back outcomes.

    Inputs are read, keyed, summarized and encoded here, so the parent has little more to do
    than write lines. A worker that cannot start (a backend that cannot be built) sends the
    exception instead, which the parent raises: the same error as in a run without workers.
    """
    # The parent handles Ctrl-C and decides what to keep; a worker just stops when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The CLI turns SIGTERM into an exception in the parent; a forked worker must not inherit it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        warm_up(config)
    except Exception as exc:
        log.debug("a worker could not start", exc_info=True)
        import pickle

        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # an exception that cannot travel: its message will
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        conn.send(exc)
        return
    fingerprint = config.fingerprint()
    with contextlib.closing(_LineReader()) as lines:
        while True:
            try:
                job: _Job | None = conn.recv()
            except EOFError:
                return
            if job is None:
                return
            items = inputs[job.start : job.stop]
            conn.send(_run_group(items, fingerprint, previous, lines))


def _run_group(
    items: Sequence[Input],
    fingerprint: str,
    previous: Container[str],
    lines: _LineReader,
) -> list[Outcome]:
    """Read, key and summarize ``items``; one outcome each, in order, never raising.

    An input whose key is in ``previous`` (the output of an earlier run) is skipped.
    """
    outcomes: dict[int, Outcome] = {}
    tasks: list[Task] = []
    for item in items:
        try:
            prepared = _prepare(item, fingerprint, lines)
        except Exception as exc:  # a bug, not a bad input
            key = _input_key(item, fingerprint, "error", item.source)
            failed = Task(item.index, item.kind, item.source, key, "")
            prepared = _failure(failed, exc)
        if not isinstance(prepared, Task):
            outcomes[item.index] = Outcome.of(item.index, prepared)
        elif prepared.key in previous:
            outcomes[item.index] = Outcome(item.index, prepared.key, None)
        else:
            tasks.append(prepared)
    for task, record in zip(tasks, _work(tasks), strict=True):
        outcomes[task.index] = Outcome.of(task.index, record)
    return [outcomes[item.index] for item in items]


def _watch_parent(parent: int) -> None:
    """Exit when the parent is gone (e.g. SIGKILLed): orphaned workers must not linger."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _load(task: Task, config: BatchConfig) -> Any:
    from . import load

    if task.kind == "file":
        assert isinstance(task.data, bytes)
        return load.load_bytes(task.data, source=task.source)
    if task.kind == "record":
        assert isinstance(task.data, str)
        try:
            record = json.loads(task.data)
        except RecursionError as exc:
            raise InputError(f"{task.source}: invalid JSON line (nested too deeply)") from exc
        except ValueError as exc:
            raise InputError(f"{task.source}: invalid JSON line ({exc})") from exc
        return load.from_record(record, source=task.source)
    from .fetch import load_url

    return load_url(task.source, timeout=config.fetch_timeout, max_bytes=config.fetch_max_bytes)


def _failure(task: Task, exc: BaseException, record_id: str | None = None) -> dict[str, Any]:
    if isinstance(exc, SummarizerError):
        message = str(exc)
        if not message.startswith(task.source):
            message = f"{task.source}: {message}"
        record = error_record(task.source, message, task.key, record_id)
    else:  # a bug, not a bad input: still one record, with the traceback for -v
        message = f"{task.source}: unexpected {type(exc).__name__}: {exc}"
        record = error_record(task.source, message, task.key, record_id)
        record["_traceback"] = "".join(traceback.format_exception(exc))
    return record


def _work(tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """Load and summarize a group of tasks; one record per task, in order, never raising."""
    from .pipeline import summarize_articles

    config: BatchConfig = _STATE["config"]
    backend_config = dict(config.backend_config)
    records: list[dict[str, Any] | None] = [None] * len(tasks)
    loaded: list[tuple[int, Any]] = []
    for i, task in enumerate(tasks):
        try:
            loaded.append((i, _load(task, config)))
        except Exception as exc:
            records[i] = _failure(task, exc, _record_id(task))
    summaries: list[Any]
    try:
        summaries = summarize_articles([a for _, a in loaded], config.options, **backend_config)
    except Exception:
        # Find the culprit: one article at a time, so one bad article fails alone.
        summaries = []
        for i, article in loaded:
            try:
                summaries.append(summarize_articles([article], config.options, **backend_config)[0])
            except Exception as exc:
                summaries.append(None)
                records[i] = _failure(tasks[i], exc, article.id)
    for (i, _), summary in zip(loaded, summaries, strict=True):
        if summary is not None:
            records[i] = {**summary.to_dict(), "key": tasks[i].key}
    return [r for r in records if r is not None]


def _lost(task: Task, reason: str) -> dict[str, Any]:
    return error_record(task.source, f"{task.source}: {reason}", task.key, _record_id(task))


def _record_id(task: Task) -> str | None:
    return _peek_id(task.data) if task.kind == "record" and isinstance(task.data, str) else None


# --------------------------------------------------------------------------- rendering


def json_line(record: Mapping[str, Any]) -> str:
    """One JSONL line (UTF-8 characters kept; a lone surrogate from the input is escaped)."""
    text = json.dumps(record, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record, ensure_ascii=True)
    return text + "\n"


def _utf8(text: str) -> str:
    """``text`` as it can be written in UTF-8 (a lone surrogate becomes "?")."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _header(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return {"jsonl": "", "json": "[", "markdown": "# TL;DR digest\n"}[fmt]


def _item(fmt: str, line: str, first: bool) -> str:
    """One record in ``fmt``, from its JSONL line."""
    if fmt == "jsonl":
        return line
    if fmt == "json":
        return ("\n  " if first else ",\n  ") + line[:-1]
    return "\n" + _utf8(markdown_section(json.loads(line)))


def _footer(fmt: str) -> str:
    return "\n]\n" if fmt == "json" else ""


def render_lines(lines: Iterable[str], fmt: str) -> Iterator[str]:
    """The whole output of a run in one format, piece by piece, from the records' JSONL lines."""
    yield _header(fmt)
    for n, line in enumerate(lines):
        yield _item(fmt, line, n == 0)
    yield _footer(fmt)


# --------------------------------------------------------------------------- sinks


def _atomic_write(path: Path, text: str | Iterable[str]) -> None:
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


def scan_journal(path: Path, *, repair: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, record) for each complete line of a JSONL journal, read as a stream.

    A torn last line (no newline: the run was killed while writing it) is ignored, and cut off
    the file when ``repair``; lines that are not records with a key are skipped.
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
                log.warning("%s: ignoring a corrupt line at byte %d", path, start)
                continue
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                yield start, record
    if repair and complete < offset:
        log.warning("%s: dropping a truncated last line (%d bytes)", path, offset - complete)
        with open(path, "r+b") as writable:
            writable.truncate(complete)


def read_journal(path: Path, *, repair: bool = False) -> list[dict[str, Any]]:
    """Records of a JSONL journal (see ``scan_journal``)."""
    return [record for _, record in scan_journal(path, repair=repair)]


def _journal_lines(path: Path, offsets: Iterable[int]) -> Iterator[str]:
    """The lines at ``offsets`` of a journal, in that order, one at a time."""
    with open(path, "rb") as handle:
        for offset in offsets:
            handle.seek(offset)
            yield handle.readline().decode("utf-8")


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

    def __init__(self, stream: IO[str], fmt: str) -> None:
        self.stream = stream
        self.fmt = fmt
        self.next = 0
        self.waiting: dict[int, Outcome] = {}
        self.stream.write(_header(fmt))

    def add(self, outcome: Outcome) -> Outcome:
        """Buffer until every earlier input has its record, then write."""
        self.waiting[outcome.index] = outcome
        while self.next in self.waiting:
            line = self.waiting.pop(self.next).line
            assert line is not None  # nothing is skipped: there is no earlier output to resume
            self.stream.write(_item(self.fmt, line, self.next == 0))
            self.next += 1
        return outcome

    def flush(self) -> None:
        """Hand what was written to the reader."""
        self.stream.flush()

    def close(self, complete: bool) -> None:
        """Close the JSON array."""
        self.stream.write(_footer(self.fmt))
        self.stream.flush()


class _Journal:
    """Append-only JSONL, flushed per record: what survives a SIGKILL."""

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


class _Index:
    """Where each record is in a journal: the offset of its line, by input and by key.

    Only offsets are kept, not records, so memory stays small however many inputs there are.
    """

    def __init__(self) -> None:
        self.previous: dict[str, int] = {}  # successful records of earlier runs, by key
        self.lines: dict[int, tuple[int, str]] = {}  # input index -> (offset, key)

    def remember(self, offset: int, record: Mapping[str, Any]) -> None:
        """Note a record of an earlier run (errors are not kept: they are retried)."""
        if "error" not in record:
            self.previous[record["key"]] = offset

    def place(self, index: int, key: str, offset: int | None) -> None:
        """Note where input ``index``'s record is (``None``: an earlier run's record)."""
        self.lines[index] = (self.previous[key] if offset is None else offset, key)

    def final(self, where: Path) -> list[int]:
        """Offsets in output order: inputs in order, then earlier records matching none."""
        ordered = [self.lines[i] for i in sorted(self.lines)]
        used = {key for _, key in ordered}
        extra = [offset for key, offset in self.previous.items() if key not in used]
        if extra:
            log.warning(
                "%s: kept %d earlier record(s) that match no input of this run (other inputs "
                "or options); they follow this run's records",
                where,
                len(extra),
            )
        return [offset for offset, _ in ordered] + extra


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
        finished: list[dict[str, Any]] = []
        if resume and fmt == "json" and path.exists() and not journal_path.exists():
            finished = _read_json_array(path)  # the output of a run that completed
        self.index = _Index()
        if resume:
            for offset, record in scan_journal(journal_path, repair=True):
                self.index.remember(offset, record)
        self.journal = _Journal(journal_path, resume)
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
        if not complete:
            return
        offsets = self.index.final(self.path)
        if self.journal.path == self.path and self._in_order(offsets):
            return  # rewriting would give the same bytes: no need to copy a big file again
        # Each journal line is already a record's JSONL line: for JSONL, copied as it is.
        lines = _journal_lines(self.journal.path, offsets)
        _atomic_write(self.path, render_lines(lines, self.fmt))
        if self.journal.path != self.path:
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


def _read_json_array(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    if not isinstance(data, list):
        return []
    return [r for r in data if isinstance(r, dict) and isinstance(r.get("key"), str)]


_UNSAFE = re.compile(r"[^\w\-]+")
_WINDOWS_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com\d|lpt\d)$")


def safe_component(name: str) -> str:
    """A file-name component that cannot climb out of, or hide in, a folder."""
    name = unicodedata.normalize("NFC", name)
    cleaned = _UNSAFE.sub("_", name).strip("_")[:100] or "article"
    if _WINDOWS_RESERVED.match(cleaned):
        cleaned = f"_{cleaned}"
    return cleaned


def inside(root: Path, path: Path) -> bool:
    """True when ``path`` (symlinks resolved) lies under ``root``."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


class DirSink(Sink):
    """``--output-dir DIR``: one file per input, mirroring the input tree, never outside DIR."""

    def __init__(self, root: Path, fmt: str, inputs: Sequence[Input], resume: bool) -> None:
        self.where = str(root)
        self.root = root
        self.fmt = fmt
        root.mkdir(parents=True, exist_ok=True)
        suffix = ".tldr.md" if fmt == "markdown" else ".tldr.json"
        self.targets = _unique_names(inputs, suffix)
        self.index = _Index()
        journal_path = root / JOURNAL_NAME
        if resume:
            for offset, record in scan_journal(journal_path, repair=True):
                # A record counts as done only while its file is still there.
                output = record.get("output")
                if isinstance(output, str) and (root / output).is_file():
                    self.index.remember(offset, record)
        self.journal = _Journal(journal_path, resume)

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
                if exc.errno in _FATAL_WRITE_ERRNOS:
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
        target.parent.mkdir(parents=True, exist_ok=True)
        if not inside(self.root, target.parent):  # a symlinked folder pointing out of DIR
            raise InputError(f"refusing to write outside {self.root}")
        text = (
            markdown_section(record, level=1)
            if self.fmt == "markdown"
            else json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        )
        _atomic_write(target, text)

    def close(self, complete: bool) -> None:
        """Leave the journal in input order too, for the next --resume and for readers."""
        self.journal.close()
        if complete:
            lines = _journal_lines(self.journal.path, self.index.final(self.root))
            _atomic_write(self.journal.path, lines)


def _unique_names(inputs: Sequence[Input], suffix: str) -> list[str]:
    """Safe, distinct relative output paths, assigned in input order (stable across runs)."""
    taken: set[str] = set()
    names = []
    with contextlib.closing(_LineReader()) as lines:
        for item in inputs:
            names.append(_unique_name(item, suffix, taken, lines))
    return names


def _unique_name(item: Input, suffix: str, taken: set[str], lines: _LineReader) -> str:
    raw = list(item.name) or ["article"]
    if item.kind == "file":
        raw[-1] = Path(raw[-1]).stem or raw[-1]
    if item.named_by_id:
        with contextlib.suppress(OSError):  # then it keeps "line-N"
            raw[-1] = _peek_id(lines.read(item)[0]) or raw[-1]
    base = "/".join(safe_component(part) for part in raw)
    candidate, n = base + suffix, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}{suffix}"
    taken.add(candidate.lower())
    return candidate


# --------------------------------------------------------------------------- the run


@dataclass
class Report:
    """Counts of a finished run."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    elapsed: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all succeeded (or were resumed), 3 every input failed, 1 some failed."""
        if self.failed == 0:
            return EXIT_OK
        return EXIT_ALL_FAILED if self.failed == self.total else EXIT_SOME_FAILED

    def line(self) -> str:
        """The one-line summary printed at the end."""
        rate = self.done / self.elapsed if self.elapsed > 0 else 0.0
        return (
            f"{self.total} inputs: {self.done} done, {self.skipped} skipped (resumed), "
            f"{self.failed} failed in {self.elapsed:.1f}s ({rate:.1f} docs/s)"
        )


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run(
    inputs: Sequence[Input],
    config: BatchConfig,
    sink: Sink,
    *,
    progress: bool = False,
    on_failure: Callable[[str], None] | None = None,
) -> Report:
    """Summarize every input into ``sink``; the Report says how it went."""
    started = time.monotonic()
    report = Report(total=len(inputs))
    previous = sink.previous()
    bar = _progress_bar(len(inputs)) if progress else None

    def say(message: str) -> None:
        if on_failure is not None:
            if bar is not None:
                bar.clear()
            on_failure(message)
            if bar is not None:
                bar.refresh()

    def emit(outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            with _writing(sink):
                outcome = sink.add(outcome)
            if outcome.line is None:
                report.skipped += 1
            elif outcome.error is not None:
                report.failed += 1
                report.failures.append(outcome.error)
                say(outcome.error)
                if outcome.trace:
                    log.debug("%s", outcome.trace)
            else:
                report.done += 1
            if bar is not None:
                bar.update(1)
        with _writing(sink):
            sink.flush()

    complete = False
    try:
        _execute(inputs, config, previous, emit)
        complete = True
    finally:
        if bar is not None:
            bar.close()
        with _writing(sink):
            sink.close(complete)
        report.elapsed = time.monotonic() - started
    return report


def _progress_bar(total: int) -> Any:
    """A tqdm bar on stderr (tqdm is imported only when a bar is shown: it slows start-up)."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked after this
    return tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


# Errors that fail every later write too: the run stops instead of failing input after input.
_FATAL_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


@contextlib.contextmanager
def _writing(sink: Sink | Path) -> Iterator[None]:
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


Emit = Callable[[Iterable[Outcome]], None]


class _Job(NamedTuple):
    """A slice of the inputs for one worker call."""

    start: int
    stop: int
    tries: int = 0  # times this input (a single one) was lost with its worker


def plan(total: int, config: BatchConfig) -> list[_Job]:
    """The groups ``total`` inputs are summarized in, in input order."""
    jobs: list[_Job] = []
    start = 0
    for position in range(total):
        if position + 1 - start >= group_limit(config, total - position - 1):
            jobs.append(_Job(start, position + 1))
            start = position + 1
    if start < total:
        jobs.append(_Job(start, total))
    return jobs


def group_limit(config: BatchConfig, remaining: int) -> int:
    """Articles per group when ``remaining`` inputs follow: smaller near the end of a parallel
    run, so that no worker sits idle while another finishes a full group."""
    if config.jobs <= 1:
        return config.group_size
    return max(1, min(config.group_size, remaining // (2 * config.jobs)))


def _execute(
    inputs: Sequence[Input],
    config: BatchConfig,
    previous: Container[str],
    emit: Emit,
) -> None:
    jobs = plan(len(inputs), config)
    if config.jobs > 1 and len(jobs) > 1:
        _execute_parallel(inputs, config, previous, jobs, emit)
        return
    warm_up(config)
    fingerprint = config.fingerprint()
    with contextlib.closing(_LineReader()) as lines:
        for job in jobs:
            emit(_run_group(inputs[job.start : job.stop], fingerprint, previous, lines))


def _pool_context() -> Any:
    # fork shares the parent's warmed-up modules and language profiles with every worker;
    # elsewhere each worker warms itself up once. Imported here: a run without workers (and
    # every single-article command) does without multiprocessing's imports.
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


# Jobs handed to a worker ahead of its results: it starts the next one at once, without waiting
# for the parent to read what it sent.
QUEUED_JOBS = 2


class _InOrder:
    """Passes groups of outcomes on in input order while that costs little waiting, so that
    the journal of a parallel run is already in order at the end and need not be copied again.

    Past ``limit`` groups waiting for an earlier one (an input that takes long: a URL timing
    out), it gives up and passes everything on as it comes: results are not held back for long.
    """

    def __init__(self, emit: Emit, limit: int) -> None:
        self.emit = emit
        self.limit = limit
        self.in_order = True  # False once it gave up
        self.next = 0  # the first input not passed on yet
        self.waiting: dict[int, list[Outcome]] = {}  # by the index of their first input

    def __call__(self, outcomes: list[Outcome]) -> None:
        if not self.in_order or not outcomes:
            self.emit(outcomes)
            return
        self.waiting[outcomes[0].index] = outcomes
        ready: list[Outcome] = []
        while self.next in self.waiting:
            group = self.waiting.pop(self.next)
            self.next += len(group)
            ready += group
        if len(self.waiting) > self.limit:
            self.in_order = False
            for start in sorted(self.waiting):
                ready += self.waiting.pop(start)
        if ready:
            self.emit(ready)


@dataclass
class _Worker:
    process: Any  # a multiprocessing Process
    conn: Connection
    jobs: deque[_Job] = field(default_factory=deque)  # sent, results not received yet, in order


def _execute_parallel(
    inputs: Sequence[Input],
    config: BatchConfig,
    previous: Container[str],
    jobs: list[_Job],
    emit: Emit,
) -> None:
    """Run ``jobs`` on ``config.jobs`` worker processes, each fed slices of ``inputs``.

    The parent only hands out slices (a few bytes each) and writes the lines that come back:
    workers read, key, summarize and encode. A worker that dies (killed, out of memory) loses
    the job it was on: its inputs are retried one at a time in new workers, and one that kills
    its worker twice gets an error record.
    """
    from multiprocessing.connection import wait

    context = _pool_context()
    if context.get_start_method() == "fork":
        # Pure-Python state (modules, language profiles) is shared with the forked workers.
        # Backends are built in each worker: a model backend's threads must not cross a fork.
        warm_up(config, backend=False)
        # The collector would otherwise visit (and so write to) every object a worker
        # inherited, copying the pages the fork shares; frozen, they stay shared.
        gc.freeze()
    todo = deque(jobs)
    workers: dict[Connection, _Worker] = {}
    deliver = _InOrder(emit, limit=4 * config.jobs)

    def start() -> None:
        mine, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, inputs, config, previous, os.getpid()),
            name="summarizer-worker",
            daemon=True,
        )
        process.start()
        theirs.close()  # else a dead worker's pipe would never read as closed
        workers[mine] = _Worker(process, mine)

    def feed() -> None:
        for worker in list(workers.values()):
            while todo and len(worker.jobs) < QUEUED_JOBS:
                job = todo.popleft()
                worker.jobs.append(job)
                try:
                    worker.conn.send(job)
                except OSError:  # it died: its end of the pipe will read as closed
                    break

    def lost(worker: _Worker) -> None:
        """A worker died: retry what it was doing alone, requeue what it never started."""
        del workers[worker.conn]
        worker.conn.close()
        worker.process.join()
        if not worker.jobs:
            return
        job = worker.jobs.popleft()
        retry: list[_Job] = []
        if job.stop - job.start > 1:
            retry = [_Job(i, i + 1) for i in range(job.start, job.stop)]
        elif job.tries < 1:  # an OOM kill can be a neighbour's fault: one more try
            retry = [job._replace(tries=job.tries + 1)]
        else:
            reason = "its worker process died twice (killed, or out of memory)"
            deliver([_lost_outcome(inputs[job.start], config, reason)])
        todo.extendleft(reversed([*retry, *worker.jobs]))

    try:
        for _ in range(min(config.jobs, len(jobs))):
            start()
        feed()
        while any(worker.jobs for worker in workers.values()):
            busy = [conn for conn, worker in workers.items() if worker.jobs]
            for ready in wait(busy):
                worker = workers[cast("Connection", ready)]
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    lost(worker)
                    continue
                if isinstance(message, BaseException):
                    raise message  # the worker could not start: neither will the others
                worker.jobs.popleft()
                deliver(message)
            while todo and len(workers) < min(config.jobs, len(todo)):
                start()  # in place of one that died
            feed()
        for worker in workers.values():
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in workers.values():
            worker.process.join()
    finally:
        for worker in workers.values():
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join()
            worker.conn.close()
        gc.unfreeze()  # a library caller's later garbage is collected as usual


def _lost_outcome(item: Input, config: BatchConfig, reason: str) -> Outcome:
    """The error record of an input whose worker died on it, made in the parent."""
    with contextlib.closing(_LineReader()) as lines:
        prepared = _prepare(item, config.fingerprint(), lines)
    record = _lost(prepared, reason) if isinstance(prepared, Task) else prepared
    return Outcome.of(item.index, record)


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
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if output is not None and output_dir is not None:
        raise UsageError("give --output or --output-dir, not both")
    if output_dir is not None:
        return DirSink(Path(output_dir), fmt, inputs, resume)
    if output is not None:
        path = Path(output)
        if path.is_dir():
            raise UsageError(f"{path} is a folder; use --output-dir for one file per input")
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
        paths += [str(output), str(output) + PARTIAL_SUFFIX]
    if output_dir is not None:
        paths.append(str(output_dir))
    return paths


def batch(
    paths: Sequence[str],
    options: Options,
    *,
    output: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    fmt: str = "jsonl",
    jobs: int | None = None,
    recursive: bool = True,
    glob: str | None = None,
    resume: bool = False,
    progress: bool = False,
    on_failure: Callable[[str], None] | None = None,
    stream: IO[str] | None = None,
    stdin: IO[bytes] | None = None,
    fetch_timeout: float = 20.0,
    fetch_max_bytes: int = 5 * 1024 * 1024,
    group_size: int | None = None,
    **backend_config: Any,
) -> Report:
    """Summarize every input found under ``paths`` and write the records; see the README."""
    if output is not None:
        target = os.path.realpath(output)
        if any(os.path.realpath(p) == target for p in paths if p != "-"):
            raise UsageError(f"{output} is also an input; write the results to another file")
    # Standard input is copied to a temporary file for the run: a feed piped in costs disk, not
    # memory, like a JSONL file given by name.
    with contextlib.ExitStack() as stack:
        spool = stack.enter_context(tempfile.TemporaryDirectory()) if "-" in paths else None
        inputs = discover(
            paths,
            recursive=recursive,
            glob=glob,
            exclude=outputs_of(output, output_dir),
            stdin=stdin,
            spool=spool,
        )
        if not inputs:
            raise InputError("no input found (folders are searched for " +
                             " ".join(FOLDER_SUFFIXES) + " files)")  # fmt: skip
        with _writing(Path(output_dir or output or "standard output")):
            sink = open_sink(inputs, fmt, output=output, output_dir=output_dir, resume=resume,
                             stream=stream)  # fmt: skip
        jobs = max(1, min(jobs or default_jobs(), len(inputs)))
        if group_size is None:
            # Articles go through the pipeline in groups, stage by stage (all loaded, then all
            # cleaned, detected and split, then all scored and compressed): each stage's code and
            # tables stay in the CPU's caches, 8-14% faster than one article at a time. A group is
            # also one message to and from a worker and one flush of the journal; 32 articles
            # are still well under a second of work between flushes.
            group_size = GROUP_SIZE
        config = BatchConfig(
            options=options,
            backend_config=tuple(sorted(backend_config.items())),
            jobs=jobs,
            fetch_timeout=fetch_timeout,
            fetch_max_bytes=fetch_max_bytes,
            group_size=max(1, group_size),
        )
        return run(inputs, config, sink, progress=progress, on_failure=on_failure)
