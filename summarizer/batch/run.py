"""The run: ``batch()`` ties discovery, a sink and an engine together, and reports.

``run_batch`` is engine-agnostic: it asks the sink what an earlier run left, lets the engine
emit outcomes, puts them in input order while that costs little waiting (``InOrder``), writes
them to the sink, flushes it after each group, counts them in the ``Report`` and shows
progress.
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

from ..errors import InputError, UsageError
from ..models import Options
from .engines import DEFAULT_ENGINE, Emit, Engine, get_engine
from .inputs import FOLDER_SUFFIXES, Input, discover
from .records import BatchConfig, Outcome
from .sinks import Sink, open_sink, outputs_of, writing

log = logging.getLogger("summarizer")

GROUP_SIZE = 32  # articles summarized together (one call, one round trip to a worker), by default

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_ALL_FAILED = 3


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


class InOrder:
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
    report = Report(total=len(inputs))
    runner = get_engine(engine) if isinstance(engine, str) else engine
    done = sink.previous()
    bar = _progress_bar(len(inputs)) if progress else None

    def say(message: str) -> None:
        if on_failure is not None:
            if bar is not None:
                bar.clear()
            on_failure(message)
            if bar is not None:
                bar.refresh()

    def emit(outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            with writing(sink):
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
        with writing(sink):
            sink.flush()

    complete = False
    try:
        runner.run(inputs, config, done, InOrder(emit, limit=4 * config.jobs))
        complete = True
    finally:
        if bar is not None:
            bar.close()
        with writing(sink):
            sink.close(complete)
        report.elapsed = time.monotonic() - started
    return report


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
    **backend_config: Any,
) -> Report:
    """Summarize every input found under ``paths`` and write the records; see the README."""
    # An unknown engine is a usage error found before any output is opened (and truncated).
    runner = get_engine(engine) if isinstance(engine, str) else engine
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
        with writing(Path(output_dir or output or "standard output")):
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
            allow_private=allow_private,
            group_size=max(1, group_size),
        )
        return run_batch(
            inputs, config, sink, engine=runner, progress=progress, on_failure=on_failure
        )
