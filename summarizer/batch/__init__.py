"""Batch stage: many inputs in, one record per input out; parallel, ordered and resumable.

The flow, one module per step:

1. ``inputs``: ``discover`` turns PATH arguments (folders, files, JSON arrays, JSONL files,
   ``-``, URLs) into a list of ``Input``s, in a deterministic order that is the output order.
2. ``engines``: an ``Engine`` ("local": this process or a pool of worker processes; others
   register by name) cuts the inputs into groups (``plan``) and runs ``work_group`` on each.
3. ``work``: ``work_group`` reads each input's bytes and gives it a resume key (``records``:
   a hash of the options and the input's content; the n-th identical input gets "-n" added).
   An input whose key is already in the output is skipped; the others are loaded and
   summarized through the library API, and each record is encoded as a JSONL line. Every
   failure becomes an error record, never an exception.
4. ``run``: ``batch`` hands each group's outcomes to a sink as they come, and counts them in a
   ``Report``.
5. ``sinks`` and ``journal``: a ``Sink`` appends the records to a journal, flushed group by
   group (a SIGKILL loses what was not flushed yet, and a torn last line is ignored). When the
   run completes, it leaves the output in input order, atomically. ``--resume`` reads the
   journal back.

No summarizing logic lives here: per-article work calls ``load``/``fetch`` and
``pipeline.summarize_articles``.
"""

from __future__ import annotations

from .engines import (
    DEFAULT_ENGINE,
    Emit,
    Engine,
    Group,
    LocalEngine,
    WorkerPool,
    engine_names,
    get_engine,
    group_limit,
    plan,
    register_engine,
    unregister_engine,
)
from .feeds import LineReader
from .inputs import FOLDER_SUFFIXES, JSONL_SUFFIXES, OUTPUT_SUFFIXES, Input, discover
from .journal import Journal, JournalIndex, atomic_write, read_journal, scan_journal
from .records import (
    RECORD_VERSION,
    BatchConfig,
    Outcome,
    Task,
    error_record,
    json_line,
    make_key,
)
from .run import (
    GROUP_SIZE,
    Report,
    batch,
    default_jobs,
    run_batch,
)
from .sinks import (
    JOURNAL_NAME,
    PARTIAL_SUFFIX,
    DirSink,
    FileSink,
    Sink,
    StreamSink,
    default_format,
    inside,
    open_sink,
    outputs_of,
    safe_component,
)
from .work import WorkContext, prepare, summarize_tasks, warm_up, work_group

__all__ = [
    "DEFAULT_ENGINE",
    "FOLDER_SUFFIXES",
    "GROUP_SIZE",
    "JOURNAL_NAME",
    "JSONL_SUFFIXES",
    "OUTPUT_SUFFIXES",
    "PARTIAL_SUFFIX",
    "RECORD_VERSION",
    "BatchConfig",
    "DirSink",
    "Emit",
    "Engine",
    "FileSink",
    "Group",
    "Input",
    "Journal",
    "JournalIndex",
    "LineReader",
    "LocalEngine",
    "Outcome",
    "Report",
    "Sink",
    "StreamSink",
    "Task",
    "WorkContext",
    "WorkerPool",
    "atomic_write",
    "batch",
    "default_format",
    "default_jobs",
    "discover",
    "engine_names",
    "error_record",
    "get_engine",
    "group_limit",
    "inside",
    "json_line",
    "make_key",
    "open_sink",
    "outputs_of",
    "plan",
    "prepare",
    "read_journal",
    "register_engine",
    "run_batch",
    "safe_component",
    "scan_journal",
    "summarize_tasks",
    "unregister_engine",
    "warm_up",
    "work_group",
]
