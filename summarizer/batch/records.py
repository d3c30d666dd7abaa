"""Records: the run's configuration, tasks, resume keys, error records and record lines.

Every input ends as one record, encoded as one JSONL line (``json_line``) where the input was
read. A record's ``key`` is a hash of the run's ``BatchConfig.fingerprint()`` and the input's
content: ``--resume`` skips an input whose key already has a successful record.
"""

from __future__ import annotations

import hashlib
import json
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SummarizerError, UsageError, about, printable
from ..models import Options
from .feeds import peek_id
from .inputs import Input

# Bumped when records change meaning or layout. Every key opens with it ("2.<hash>"), so that
# --resume can tell an earlier version's records from this one's, and refuses to mix them.
# 1: a backend's facts (model, chunks...) at the top level of a record; keys a bare hash.
# 2: a backend's facts in a nested "backend_info".
RECORD_VERSION = 2
# A key: the record version and a dot (none before version 2), a hash, "-N" for the n-th copy.
_KEY_RE = re.compile(r"(?:([0-9]+)\.)?[0-9a-f]{32}(?:-[0-9]+)?")


@dataclass(frozen=True)
class BatchConfig:
    """Everything a worker needs besides its input."""

    options: Options
    backend_config: tuple[tuple[str, Any], ...] = ()
    jobs: int = 1
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    # Whether a URL may redirect to (or be) a loopback, private or link-local address.
    allow_private: bool = False
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


def make_key(fingerprint: str, *parts: bytes | str) -> str:
    """A resume key: a hash of the run's fingerprint and ``parts`` (each length-prefixed)."""
    digest = hashlib.sha256(fingerprint.encode())
    for part in parts:
        raw = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(raw).to_bytes(8, "big"))
        digest.update(raw)
    return f"{RECORD_VERSION}.{digest.hexdigest()[:32]}"


def key_version(key: str) -> int | None:
    """The record version a resume key was made for, or None for a key summarizer did not make."""
    match = _KEY_RE.fullmatch(key)
    if match is None:
        return None
    return int(match.group(1)) if match.group(1) else 1


def refuse_other_versions(keys: Iterable[str], where: str) -> None:
    """A UsageError when an earlier run's records (by their ``keys``) are of another version.

    Resuming would leave them beside this version's, in another layout, and summarize their
    inputs again: two records for one input. The user decides what becomes of them.
    """
    versions = sorted({v for v in map(key_version, keys) if v not in (None, RECORD_VERSION)})
    if versions:
        raise UsageError(
            f"{where}: written by another version of summarizer (record format "
            f"{', '.join(map(str, versions))}; this one writes {RECORD_VERSION}, with backend "
            "facts in backend_info): --resume cannot add to it; move it aside, or run without "
            "--resume to summarize every input again"
        )


def input_key(item: Input, fingerprint: str, *parts: bytes | str) -> str:
    """The resume key of ``item`` made of ``parts``; the n-th copy of an input has its own."""
    digest = make_key(fingerprint, *parts)
    return digest if item.copy == 1 else f"{digest}-{item.copy}"


def error_record(
    source: str, message: str, key: str, record_id: str | None = None
) -> dict[str, Any]:
    """The record of an input that could not be summarized."""
    record: dict[str, Any] = {"source": source}
    if record_id is not None:
        record["id"] = record_id
    record["error"] = printable(message)
    record["key"] = key
    return record


def failure_record(task: Task, exc: BaseException, record_id: str | None = None) -> dict[str, Any]:
    """The error record of ``task`` that raised ``exc`` (a bug keeps its traceback for -v)."""
    if isinstance(exc, SummarizerError):
        record = error_record(task.source, about(task.source, str(exc)), task.key, record_id)
    else:  # a bug, not a bad input: still one record, with the traceback for -v
        message = printable(f"{task.source}: unexpected {type(exc).__name__}: {exc}")
        record = error_record(task.source, message, task.key, record_id)
        record["_traceback"] = "".join(traceback.format_exception(exc))
    return record


def lost_record(task: Task, reason: str) -> dict[str, Any]:
    """The error record of ``task`` whose work was lost (its worker died), for ``reason``."""
    return error_record(task.source, f"{task.source}: {reason}", task.key, task_record_id(task))


def task_record_id(task: Task) -> str | None:
    """The ``id`` of a record task's JSON line, if it has one."""
    return peek_id(task.data) if task.kind == "record" and isinstance(task.data, str) else None


def json_line(record: Mapping[str, Any]) -> str:
    """One JSONL line (UTF-8 characters kept; a lone surrogate from the input is escaped)."""
    text = json.dumps(record, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record, ensure_ascii=True)
    return text + "\n"
