"""The run: ``batch()`` ties discovery, a sink and an engine together, and reports.

``run_batch`` is engine-agnostic: it asks the sink what an earlier run left, lets the engine
emit outcomes, writes them to the sink as they come (the sink puts the output in input order),
flushes it after each group, counts them in the ``Report`` and shows progress.

Outcomes are written as soon as they arrive, never held back for an earlier group: a SIGKILL
loses only the groups still being summarized. (Holding finished groups until the journal
could be written in input order saved one copy of the output at the end, about 15-20 ms for
the 1,500 OrangeSum records, 0.3% of the run; not worth losing finished work for.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .. import backends
from ..errors import ExitCode, InputError, UsageError
from ..models import Options
from .engines import DEFAULT_ENGINE, Engine, get_engine
from .inputs import FOLDER_SUFFIXES, Input, discover
from .outputs import same_file_as_input
from .records import BatchConfig, Outcome
from .sinks import JOURNAL_NAME, PARTIAL_SUFFIX, Sink, open_sink, outputs_of, writing

log = logging.getLogger("summarizer")

GROUP_SIZE = 32  # articles summarized together (one call, one round trip to a worker), by default


# Failure messages a Report keeps.
MAX_FAILURES = 1000


@dataclass
class Report:
    """Counts of a finished run."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    elapsed: float = 0.0
    # The first MAX_FAILURES messages (``failed`` counts them all; each error is also a record
    # of the output): a feed of millions of bad records must not fill memory with them.
    failures: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        """OK: all succeeded (or were resumed); ALL_FAILED: every input failed; else FAILURE."""
        if self.failed == 0:
            return ExitCode.OK
        return ExitCode.ALL_FAILED if self.failed == self.total else ExitCode.FAILURE

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


# Workers per core: the work is CPU-bound, so more only add memory and switching; two leave
# room for the ones waiting on a slow URL.
JOBS_PER_CORE = 2
# Memory a worker may come to use (an extractive worker is about 35 MB once warm; a page near
# the size caps takes more for a moment), and memory left to the rest of the machine.
WORKER_MEMORY = 150 * 2**20
MEMORY_RESERVE = 512 * 2**20


def max_jobs() -> int:
    """The most worker processes worth starting: JOBS_PER_CORE per usable core, and no more
    than the available memory holds at WORKER_MEMORY each (MEMORY_RESERVE aside)."""
    cap = JOBS_PER_CORE * default_jobs()
    available = _available_memory()
    if available is not None:
        cap = min(cap, max(1, (available - MEMORY_RESERVE) // WORKER_MEMORY))
    return max(1, cap)


def _available_memory() -> int | None:
    """Bytes of memory available to new processes (Linux: MemAvailable), if known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def run_batch(
    inputs: Sequence[Input],
    config: BatchConfig,
    sink: Sink,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    progress: bool = False,
    on_failure: Callable[[str], None] | None = None,
) -> Report:
    """Summarize every input into ``sink`` with ``engine``; the Report says how it went."""
    started = time.monotonic()
    runner = get_engine(engine) if isinstance(engine, str) else engine
    tally = _Tally(sink, Report(total=len(inputs)), progress, on_failure)
    complete = False
    try:
        runner.run(inputs, config, sink.previous(), tally.emit)
        complete = True
    finally:
        tally.close()
        with writing(sink):
            sink.close(complete)
        tally.report.elapsed = time.monotonic() - started
    return tally.report


class _Tally:
    """Takes the outcomes an engine emits: into the sink, counted, failures shown, progress."""

    def __init__(
        self,
        sink: Sink,
        report: Report,
        progress: bool,
        on_failure: Callable[[str], None] | None,
    ) -> None:
        self.sink = sink
        self.report = report
        self.on_failure = on_failure
        self.bar = _progress_bar(report.total) if progress else None

    def emit(self, outcomes: list[Outcome]) -> None:
        """Write a group's outcomes, count them, then make them durable (the Emit callback)."""
        for outcome in outcomes:
            with writing(self.sink):
                outcome = self.sink.add(outcome)
            self.count(outcome)
        with writing(self.sink):
            self.sink.flush()

    def count(self, outcome: Outcome) -> None:
        """Count one outcome (a failure is also shown) and move the progress bar."""
        report = self.report
        if outcome.line is None:
            report.skipped += 1
        elif outcome.error is not None:
            report.failed += 1
            if len(report.failures) < MAX_FAILURES:
                report.failures.append(outcome.error)
            self.say(outcome.error)
            if outcome.trace:
                log.debug("%s", outcome.trace)
        else:
            report.done += 1
        if self.bar is not None:
            self.bar.update(1)

    def say(self, message: str) -> None:
        """Hand a failure's message to ``on_failure``, around the progress bar."""
        if self.on_failure is None:
            return
        if self.bar is not None:
            self.bar.clear()
        self.on_failure(message)
        if self.bar is not None:
            self.bar.refresh()

    def close(self) -> None:
        """Close the progress bar."""
        if self.bar is not None:
            self.bar.close()


def _progress_bar(total: int) -> Any:
    """A tqdm bar on stderr (tqdm is imported only when a bar is shown: it slows start-up)."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked after this
    return tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


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
    allow_private: bool = False,
    group_size: int | None = None,
    engine: str | Engine = DEFAULT_ENGINE,
    sink_factory: Callable[[Sequence[Input]], Sink] | None = None,
    **backend_config: Any,
) -> Report:
    """Summarize every input found under ``paths`` and write the records; see docs/batch.md.

    ``sink_factory``, given the discovered inputs, makes the sink that takes the records in
    place of the output file, folder or stream (``digest`` keeps them in memory).
    """
    # An unknown engine is a usage error found before any output is opened (and truncated).
    runner = get_engine(engine) if isinstance(engine, str) else engine
    if output is not None:
        target = os.path.realpath(output)
        if any(os.path.realpath(p) == target for p in paths if p != "-"):
            raise UsageError(f"{output} is also an input; write the results to another file")
    if list(paths).count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    # A folder for the run's copies: standard input, a UTF-16 feed as UTF-8, a big JSON array
    # as JSONL. A feed costs disk, not memory, and is read line by line like a JSONL file.
    with contextlib.ExitStack() as stack:
        spool = stack.enter_context(tempfile.TemporaryDirectory())
        inputs = discover(
            paths,
            recursive=recursive,
            glob=glob,
            exclude=outputs_of(output, output_dir),
            stdin=stdin,
            spool=spool,
        )
        # An output that is an input under another name (a hard link) would be truncated.
        same_file_as_input(_output_files(output, output_dir), inputs.paths())
        if not inputs:
            raise InputError("no input found (folders are searched for " +
                             " ".join(FOLDER_SUFFIXES) + " files)")  # fmt: skip
        if sink_factory is not None:
            sink = sink_factory(inputs)
        else:
            with writing(Path(output_dir or output or "standard output")):
                sink = open_sink(inputs, fmt, output=output, output_dir=output_dir,
                                 resume=resume, stream=stream)  # fmt: skip
        config = _config(options, len(inputs), jobs, group_size, backend_config,
                         fetch_timeout=fetch_timeout, fetch_max_bytes=fetch_max_bytes,
                         allow_private=allow_private)  # fmt: skip
        return run_batch(
            inputs, config, sink, engine=runner, progress=progress, on_failure=on_failure
        )


def _config(
    options: Options,
    count: int,
    jobs: int | None,
    group_size: int | None,
    backend_config: dict[str, Any],
    *,
    fetch_timeout: float,
    fetch_max_bytes: int,
    allow_private: bool,
) -> BatchConfig:
    """The run's configuration for ``count`` inputs: workers, group size, backend, fetching."""
    if jobs is None and backends.one_model_per_process(options.backend):
        # One model per machine: N workers would load N copies (N per GPU) and N torch
        # thread pools on the same cores; one process batches across articles instead.
        jobs = 1
    requested = jobs or default_jobs()
    jobs = max(1, min(requested, count))
    cap = max_jobs()
    if jobs > cap:
        log.warning("--jobs %d capped at %d (cores and memory: docs/batch.md)", requested, cap)
        jobs = cap
    if group_size is None:
        # Articles go through the pipeline in groups, stage by stage (all loaded, then all
        # cleaned, detected and split, then all scored and compressed): each stage's code and
        # tables stay in the CPU's caches, 8-14% faster than one article at a time. A group is
        # also one message to and from a worker and one flush of the journal; 32 articles
        # are still well under a second of work between flushes.
        group_size = GROUP_SIZE
    return BatchConfig(
        options=options,
        backend_config=tuple(sorted(backend_config.items())),
        jobs=jobs,
        fetch_timeout=fetch_timeout,
        fetch_max_bytes=fetch_max_bytes,
        allow_private=allow_private,
        group_size=max(1, group_size),
    )


def _output_files(
    output: str | os.PathLike[str] | None, output_dir: str | os.PathLike[str] | None
) -> list[Path]:
    """The files a run opens for writing in place (not replaced by a rename)."""
    if output is not None:
        return [Path(output), Path(f"{output}{PARTIAL_SUFFIX}")]
    if output_dir is not None:
        return [Path(output_dir) / JOURNAL_NAME]
    return []
