"""Engines: what runs ``work_group`` over the inputs; the seam where another engine plugs in.

The seam, in full::

    class Engine(Protocol):
        def run(self, inputs, config, done, emit) -> None: ...

- ``inputs``: the discovered ``Input``s, in output order; ``inputs[i].index == i``. An input is
  a small frozen dataclass (a path, or a JSONL file and the offset of its line, or a URL):
  cheap to send to another process or machine, which reads the bytes itself.
- ``config``: the ``BatchConfig`` (options, backend configuration, ``jobs``, ``group_size``);
  ``config.fingerprint()`` goes into every resume key.
- ``done``: keys of the records an earlier run left (``--resume``); ``work_group`` skips them.
- ``emit(outcomes)``: hand back a list of ``Outcome``s (an input's index and its record's
  JSONL line), typically one group's. Each input's outcome is emitted exactly once, in any
  order and from the thread that called ``run``; the caller writes them to the sink,
  flushes it after each call, orders the output, counts and shows progress.

An engine does the work with ``WorkContext.start(config, done)`` once per worker (it loads the
backend) and ``work_group(context, inputs[start:stop])`` per group (``plan`` cuts the inputs
into groups). It returns when every input has been emitted; an exception it raises stops the
run (what was emitted is kept, and ``--resume`` goes on from there).

Engines are registered by name with ``register_engine("name", "module:Class")``; the module is
imported only when the engine is asked for, so its dependencies (Ray...) load only then.
``LocalEngine`` ("local") runs groups in this process, or with ``config.jobs > 1`` in a pool of
forked worker processes (``WorkerPool``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast, runtime_checkable

from ..errors import UsageError
from .inputs import Input
from .records import BatchConfig, Outcome
from .work import WorkContext, lost_outcome, warm_up, work_group

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

log = logging.getLogger("summarizer")

Emit = Callable[[list[Outcome]], None]


@runtime_checkable
class Engine(Protocol):
    """Runs the work of a batch: every input's outcome, handed to ``emit`` (see the module)."""

    def run(
        self, inputs: Sequence[Input], config: BatchConfig, done: Container[str], emit: Emit
    ) -> None:
        """Summarize ``inputs`` (skipping keys in ``done``); emit each input's outcome once."""
        ...


_ENGINES: dict[str, str] = {
    "local": "summarizer.batch.engines:LocalEngine",
    "ray": "summarizer.batch.ray_engine:RayEngine",
}
DEFAULT_ENGINE = "local"


def register_engine(name: str, target: str) -> None:
    """Register an engine class or factory (``"module:callable"``, imported on first use)."""
    _ENGINES[name] = target


def unregister_engine(name: str) -> None:
    """Remove the engine registered as ``name`` (if any)."""
    _ENGINES.pop(name, None)


def engine_names() -> list[str]:
    """Names of the registered engines."""
    return sorted(_ENGINES)


def get_engine(name: str, **settings: Any) -> Engine:
    """A new engine of the kind registered as ``name``, made with ``settings`` (the engine's
    own options, e.g. a Ray cluster's address)."""
    target = _ENGINES.get(name)
    if target is None:
        raise UsageError(f"unknown engine {name!r}; available: {', '.join(engine_names())}")
    module_name, _, attr = target.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    engine: Engine = factory(**settings)
    return engine


# --------------------------------------------------------------------------- groups


class Group(NamedTuple):
    """A slice of the inputs summarized together: one call, one round trip to a worker."""

    start: int
    stop: int
    tries: int = 0  # times this input (a single one) was lost with its worker


def plan(total: int, config: BatchConfig) -> list[Group]:
    """The groups ``total`` inputs are summarized in, in input order."""
    groups: list[Group] = []
    start = 0
    for position in range(total):
        if position + 1 - start >= group_limit(config, total - position - 1):
            groups.append(Group(start, position + 1))
            start = position + 1
    if start < total:
        groups.append(Group(start, total))
    return groups


def group_limit(config: BatchConfig, remaining: int) -> int:
    """Articles per group when ``remaining`` inputs follow: smaller near the end of a parallel
    run, so that no worker sits idle while another finishes a full group."""
    if config.jobs <= 1:
        return config.group_size
    return max(1, min(config.group_size, remaining // (2 * config.jobs)))


# --------------------------------------------------------------------------- the local engine


class LocalEngine:
    """Groups in this process, or in ``config.jobs`` forked worker processes."""

    def run(
        self, inputs: Sequence[Input], config: BatchConfig, done: Container[str], emit: Emit
    ) -> None:
        """Summarize ``inputs`` group by group, in order (in parallel with several jobs)."""
        groups = plan(len(inputs), config)
        if config.jobs > 1 and len(groups) > 1:
            WorkerPool(inputs, config, done, emit).run(groups)
            return
        with WorkContext.start(config, done) as context:
            for group in groups:
                emit(work_group(context, inputs[group.start : group.stop]))


# Groups handed to a worker ahead of its results: it starts the next one at once, without
# waiting for the parent to read what it sent.
QUEUED_GROUPS = 2


@dataclass
class _Worker:
    process: Any  # a multiprocessing Process
    conn: Connection
    groups: deque[Group] = field(default_factory=deque)  # sent, results not received yet


class WorkerPool:
    """``config.jobs`` worker processes, each fed slices of the inputs.

    The parent only hands out slices (a few bytes each) and emits the outcomes that come
    back: workers read, key, summarize and encode. A worker that dies (killed, out of memory)
    loses the group it was on: its inputs are retried one at a time in new workers, and one
    that kills its worker twice gets an error record.
    """

    def __init__(
        self, inputs: Sequence[Input], config: BatchConfig, done: Container[str], emit: Emit
    ) -> None:
        self.inputs = inputs
        self.config = config
        self.done = done
        self.emit = emit
        self.context = _pool_context()
        self.todo: deque[Group] = deque()
        self.workers: dict[Connection, _Worker] = {}

    def run(self, groups: Sequence[Group]) -> None:
        """Summarize ``groups``; returns when every input's outcome was emitted."""
        from multiprocessing.connection import wait

        if self.context.get_start_method() == "fork":
            # Pure-Python state (modules, language profiles) is shared with the forked workers.
            # Backends are built in each worker: a model backend's threads must not cross a fork.
            warm_up(self.config, backend=False)
            # The collector would otherwise visit (and so write to) every object a worker
            # inherited, copying the pages the fork shares; frozen, they stay shared.
            gc.freeze()
        self.todo.extend(groups)
        self.jobs = min(self.config.jobs, len(groups))
        try:
            for _ in range(self.jobs):
                if not self.start_worker():
                    break
            if not self.workers:  # not one could be forked: the work is done here
                self.run_here()
                return
            self.feed()
            while any(worker.groups for worker in self.workers.values()):
                busy = [conn for conn, worker in self.workers.items() if worker.groups]
                for ready in wait(busy):
                    self.receive(self.workers[cast("Connection", ready)])
                while self.todo and len(self.workers) < min(self.jobs, len(self.todo)):
                    if not self.start_worker():  # in place of one that died
                        break
                if not self.workers:
                    self.run_here()
                self.feed()
            self.stop()
        finally:
            self.kill()
            gc.unfreeze()  # a library caller's later garbage is collected as usual

    def start_worker(self) -> bool:
        """Start one worker process, connected by a pipe; False when the system refuses (a
        process or memory limit): the run then goes on with the workers it has."""
        try:
            mine, theirs = self.context.Pipe()
        except OSError as exc:  # out of file descriptors
            return self.cannot_start(exc)
        process = self.context.Process(
            target=_serve,
            args=(theirs, self.inputs, self.config, self.done, os.getpid()),
            name="summarizer-worker",
            daemon=True,
        )
        try:
            process.start()
        except OSError as exc:  # fork failed: EAGAIN (process limit) or ENOMEM
            mine.close()
            theirs.close()
            return self.cannot_start(exc)
        theirs.close()  # else a dead worker's pipe would never read as closed
        self.workers[mine] = _Worker(process, mine)
        return True

    def cannot_start(self, exc: OSError) -> bool:
        """Go on with fewer workers (none: in this process), once said on stderr."""
        if self.jobs > len(self.workers):
            left = len(self.workers)
            log.warning(
                "cannot start more worker processes (%s); going on %s",
                exc.strerror or exc,
                f"with {left}" if left else "in this process",
            )
            self.jobs = len(self.workers)
        return False

    def run_here(self) -> None:
        """Summarize what is left in this process (no worker could be started)."""
        with WorkContext.start(self.config, self.done) as context:
            while self.todo:
                group = self.todo.popleft()
                self.emit(work_group(context, self.inputs[group.start : group.stop]))

    def feed(self) -> None:
        """Send groups to the workers until each has ``QUEUED_GROUPS`` in hand."""
        for worker in list(self.workers.values()):
            while self.todo and len(worker.groups) < QUEUED_GROUPS:
                group = self.todo.popleft()
                worker.groups.append(group)
                try:
                    worker.conn.send(group)
                except OSError:  # it died: its end of the pipe will read as closed
                    break

    def receive(self, worker: _Worker) -> None:
        """Emit the outcomes of ``worker``'s oldest group, or handle its death."""
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self.lost(worker)
            return
        if isinstance(message, BaseException):
            raise message  # the worker could not start: neither will the others
        worker.groups.popleft()
        self.emit(message)

    def lost(self, worker: _Worker) -> None:
        """A worker died: retry what it was doing alone, requeue what it never started."""
        del self.workers[worker.conn]
        worker.conn.close()
        worker.process.join()
        if not worker.groups:
            return
        group = worker.groups.popleft()
        retry: list[Group] = []
        if group.stop - group.start > 1:
            retry = [Group(i, i + 1) for i in range(group.start, group.stop)]
        elif group.tries < 1:  # an OOM kill can be a neighbour's fault: one more try
            retry = [group._replace(tries=group.tries + 1)]
        else:
            reason = "its worker process died twice (killed, or out of memory)"
            self.emit([lost_outcome(self.inputs[group.start], self.config, reason)])
        self.todo.extendleft(reversed([*retry, *worker.groups]))

    def stop(self) -> None:
        """Tell every worker to exit, and wait for them."""
        for worker in self.workers.values():
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self.workers.values():
            worker.process.join()

    def kill(self) -> None:
        """End the workers still running (after an error or an interrupt) and close pipes."""
        for worker in self.workers.values():
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join()
            worker.conn.close()


def _pool_context() -> Any:
    # fork shares the parent's warmed-up modules and language profiles with every worker;
    # elsewhere each worker warms itself up once. Imported here: a run without workers (and
    # every single-article command) does without multiprocessing's imports.
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _serve(
    conn: Connection,
    inputs: Sequence[Input],
    config: BatchConfig,
    done: Container[str],
    parent: int,
) -> None:
    """A worker process: summarize the slices of ``inputs`` the parent sends, send back outcomes.

    A worker that cannot start (a backend that cannot be built) sends the exception instead,
    which the parent raises: the same error as in a run without workers.
    """
    # The parent handles Ctrl-C and decides what to keep; a worker just stops when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The CLI turns SIGTERM into an exception in the parent; a forked worker must not inherit it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    except RuntimeError:  # no thread to spare (a process limit): the pipe still ends it
        log.debug("a worker runs without its parent watch")
    try:
        context = WorkContext.start(config, done)
    except Exception as exc:
        log.debug("a worker could not start", exc_info=True)
        import pickle

        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # an exception that cannot travel: its message will
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        conn.send(exc)
        return
    with context:
        while True:
            try:
                group: Group | None = conn.recv()
            except EOFError:
                return
            if group is None:
                return
            conn.send(work_group(context, inputs[group.start : group.stop]))


def _watch_parent(parent: int) -> None:
    """Exit when the parent is gone (e.g. SIGKILLed): orphaned workers must not linger."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)
