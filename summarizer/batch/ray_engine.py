"""The "ray" engine: the batch on Ray Data, from one machine to a cluster.

The pipeline is ``from_items`` (one row per group: the group's ``Input``s, a few hundred bytes
each, not their text) -> ``map_batches`` over a pool of actors -> rows streamed back to the
driver, which writes them to the sink as they come, exactly as the local engine's are.

- Each actor is a ``GroupWorker``: it makes one ``WorkContext`` (language profiles, backend and
  model loaded once) and runs ``work_group`` on each group it is given. It reads the inputs
  itself, by path (files) and by byte range (JSONL lines), so reading is spread over the
  cluster with the work; the paths must be readable on every node (one machine, or shared
  storage).
- Nothing but the actors asks for CPUs (the rows come from the driver's memory, no read
  task), and the actors together never ask for more CPUs or GPUs than the cluster has: a pool
  that takes every CPU cannot starve another stage of the pipeline, and none waits for
  resources that do not exist.
- Faults: Ray restarts an actor that dies and retries its group (a few times: an input that
  kills every actor it meets must not loop forever). Groups still lost are retried one input
  at a time, and an input lost again gets an error record, as with the local engine. Each
  input's outcome is emitted once: a duplicate from a retried group is dropped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import logging
import os
import pickle
import warnings
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..errors import MissingDependencyError, SummarizerError, UsageError
from .engines import Emit, Group, plan
from .inputs import Input
from .records import BatchConfig, Outcome
from .work import WorkContext, lost_outcome, work_group

log = logging.getLogger("summarizer")

INSTALL_HINT = "pip install 'summarizer[ray]'"
# Object store of a Ray instance started by the engine: rows are groups of inputs (paths and
# offsets, not text) and records, so a small store is plenty and leaves the memory to the work.
OBJECT_STORE_BYTES = 256 * 1024 * 1024
# Retries of a group whose actor died (killed, out of memory) before its inputs are tried one
# at a time, each twice, as the local engine does: an OOM kill can be a neighbour's fault.
GROUP_RETRIES = 1


class RayError(SummarizerError):
    """Ray could not be started or joined, or the run failed inside Ray."""


@dataclasses.dataclass(frozen=True)
class ActorPlan:
    """How many actors, and what each asks Ray for."""

    actors: int
    num_cpus: float
    num_gpus: float


def size_actors(
    resources: Mapping[str, float],
    *,
    actors: int | None = None,
    gpus_per_actor: float | None = None,
    backend: str = "",
) -> ActorPlan:
    """Size the actor pool to the cluster's ``resources`` (``ray.cluster_resources()``).

    By default one actor per CPU, or per GPU for the transformers backend when the cluster
    has GPUs. However many actors are asked for, together they ask for no more than the
    cluster has: each asks for at most one CPU, and less when there are more actors than CPUs.
    """
    cpus = float(resources.get("CPU", 0.0))
    gpus = float(resources.get("GPU", 0.0))
    if gpus_per_actor is None:
        gpus_per_actor = 1.0 if backend == "transformers" and gpus >= 1 else 0.0
    if gpus_per_actor < 0:
        raise UsageError("--gpus-per-actor must be 0 or more")
    if actors is not None and actors < 1:
        raise UsageError("--actors must be at least 1")
    if gpus_per_actor > 0:
        fit = int(gpus / gpus_per_actor + 1e-9)
        if fit < 1:
            raise UsageError(
                f"each actor asks for {gpus_per_actor:g} GPU(s) and the Ray cluster has "
                f"{gpus:g}; use --gpus-per-actor 0 to run on CPUs"
            )
        if actors is not None and actors > fit:
            log.warning(
                "%d actors asked for, but the cluster's %g GPU(s) hold %d of %g GPU(s) each: "
                "running %d",
                actors,
                gpus,
                fit,
                gpus_per_actor,
                fit,
            )
        count = min(actors or fit, fit)
    else:
        count = actors or max(1, int(cpus))
    if cpus <= 0:
        raise RayError("the Ray cluster has no CPU")
    return ActorPlan(count, min(1.0, cpus / count), gpus_per_actor)


class GroupWorker:
    """A Ray actor: one WorkContext (backend loaded once), then ``work_group`` per group.

    An actor that cannot start (a backend that cannot be built) answers each group with the
    exception, which the driver raises: the same error as with the local engine (Ray would
    only report that the actor died).
    """

    def __init__(self, config: BatchConfig, done: Any) -> None:
        import ray

        keys = ray.get(done) if isinstance(done, ray.ObjectRef) else done
        self.context: WorkContext | None = None
        self.failure = b""
        try:
            self.context = WorkContext.start(config, keys)
        except Exception as exc:
            log.debug("a Ray actor could not start", exc_info=True)
            self.failure = _portable(exc)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[bytes]]:
        """Summarize each group of the batch; one row of pickled outcomes per group."""
        if self.context is None:
            return {"outcomes": [b""], "failure": [self.failure]}
        out = []
        for blob in batch["inputs"]:
            items: list[Input] = pickle.loads(blob)
            out.append(pickle.dumps(work_group(self.context, items)))
        return {"outcomes": out, "failure": [b""] * len(out)}


def _portable(exc: Exception) -> bytes:
    """``exc`` pickled, or its message in a RuntimeError when it cannot travel."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
    except Exception:
        data = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
    return data


class RayEngine:
    """Runs the batch's groups on a pool of Ray actors (``--engine ray``).

    ``address``: a Ray cluster to join ("auto", "ray://host:10001", "host:6379"); without it
    (and without ``RAY_ADDRESS``) a Ray instance sized to this machine is started for the run
    and stopped after it. ``actors`` and ``gpus_per_actor`` size the pool (``size_actors``).
    """

    def __init__(
        self,
        address: str | None = None,
        actors: int | None = None,
        gpus_per_actor: float | None = None,
        object_store_memory: int = OBJECT_STORE_BYTES,
    ) -> None:
        if actors is not None and actors < 1:
            raise UsageError("--actors must be at least 1")
        if gpus_per_actor is not None and gpus_per_actor < 0:
            raise UsageError("--gpus-per-actor must be 0 or more")
        # Found before the run opens (and truncates) its output.
        if importlib.util.find_spec("ray") is None:
            raise MissingDependencyError(f"the ray engine needs Ray Data: {INSTALL_HINT}")
        self.address = address
        self.actors = actors
        self.gpus_per_actor = gpus_per_actor
        self.object_store_memory = object_store_memory

    def run(
        self, inputs: Sequence[Input], config: BatchConfig, done: Container[str], emit: Emit
    ) -> None:
        """Summarize ``inputs`` on Ray actors; emit each input's outcome once."""
        ray = _import_ray()
        with self._connected(ray):
            sizing = size_actors(
                ray.cluster_resources(),
                actors=self.actors,
                gpus_per_actor=self.gpus_per_actor,
                backend=config.options.backend,
            )
            log.debug("ray: %s", sizing)
            config = dataclasses.replace(config, jobs=sizing.actors)
            keys = frozenset(done) if isinstance(done, Iterable) else done
            # Every actor needs the keys: put once in the object store, not once per actor.
            shared = ray.put(keys) if keys else keys
            emitted = bytearray(len(inputs))

            def deliver(outcomes: list[Outcome]) -> None:
                fresh = [o for o in outcomes if not emitted[o.index]]
                for outcome in fresh:
                    emitted[outcome.index] = 1
                if fresh:
                    emit(fresh)

            groups = plan(len(inputs), config)
            self._run_groups(ray, inputs, groups, config, shared, sizing, deliver, retries=True)
            lost = [Group(i, i + 1) for i in range(len(inputs)) if not emitted[i]]
            if lost:
                # Groups whose actors kept dying: each input alone, so that only the one that
                # kills its actor is lost.
                log.warning("ray: retrying %d input(s) one at a time after lost actors", len(lost))
                self._run_groups(ray, inputs, lost, config, shared, sizing, deliver, retries=False)
            # The local engine's words: the record is the same whichever engine lost it.
            reason = "its worker process died twice (killed, or out of memory)"
            for i in range(len(inputs)):
                if not emitted[i]:
                    deliver([lost_outcome(inputs[i], config, reason)])

    def _run_groups(
        self,
        ray: Any,
        inputs: Sequence[Input],
        groups: Sequence[Group],
        config: BatchConfig,
        done: Any,
        sizing: ActorPlan,
        deliver: Emit,
        *,
        retries: bool,
    ) -> None:
        """One Ray Data execution over ``groups``; a group lost for good is left out."""
        from ray.data import ActorPoolStrategy, DataContext

        rows = [{"inputs": pickle.dumps(list(inputs[g.start : g.stop]))} for g in groups]
        # Settings of this execution, put back afterwards (a library caller's Ray session
        # keeps its own): our bar (run_batch) shows progress, Ray's would draw over it; a group
        # that failed every retry is dropped rather than failing the run (its inputs are
        # retried alone by the caller).
        context = DataContext.get_current()
        settings = {
            "enable_progress_bars": False,
            "print_on_execution_start": False,
            "max_errored_blocks": -1,
        }
        saved = {name: getattr(context, name) for name in settings}
        for name, value in settings.items():
            setattr(context, name, value)
        # Ray Data logs each execution's start and end, and each group it gave up on (which
        # is retried): -v shows them.
        ray_log = logging.getLogger("ray.data")
        level = ray_log.level
        if not log.isEnabledFor(logging.DEBUG):
            ray_log.setLevel(logging.CRITICAL)
        try:
            with warnings.catch_warnings():
                # Ray 2.5x deprecates actor options (max_task_retries) given as keywords, and
                # names no replacement yet.
                warnings.simplefilter("ignore", DeprecationWarning)
                dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
                    GroupWorker,
                    batch_size=1,
                    # One input at a time per actor when retrying: a group queued behind the
                    # input that kills the actor would lose a try through no fault of its own.
                    compute=ActorPoolStrategy(
                        size=min(sizing.actors, len(rows)),
                        max_tasks_in_flight_per_actor=None if retries else 1,
                    ),
                    num_cpus=sizing.num_cpus,
                    num_gpus=sizing.num_gpus or None,
                    fn_constructor_kwargs={"config": config, "done": done},
                    # Ray Data retries the groups of dead actors without end by default: an
                    # input that kills every actor it meets would never let the run finish.
                    max_task_retries=GROUP_RETRIES if retries else 1,
                )
            for row in dataset.iter_rows():
                if row["failure"]:
                    raise pickle.loads(row["failure"])  # an actor could not start
                deliver(pickle.loads(row["outcomes"]))
        except SummarizerError:
            raise
        except Exception as exc:
            raise _unwrap(exc) from exc
        finally:
            for name, value in saved.items():
                setattr(context, name, value)
            ray_log.setLevel(level)

    @contextlib.contextmanager
    def _connected(self, ray: Any) -> Iterator[None]:
        """Join the cluster (``address``, ``RAY_ADDRESS``) or start Ray here; stop what we start."""
        if ray.is_initialized():  # the caller's own Ray session: use it, leave it running
            yield
            return
        quiet = not log.isEnabledFor(logging.DEBUG)
        settings: dict[str, Any] = {
            "logging_level": logging.ERROR if quiet else logging.INFO,
            # Actors' prints would reach this process's stdout, where records may go.
            "log_to_driver": False,
        }
        address = self.address or os.environ.get("RAY_ADDRESS") or None
        try:
            if address is not None:
                _reachable(address)
            if address is None:
                from .run import default_jobs

                ray.init(
                    num_cpus=default_jobs(),
                    object_store_memory=self.object_store_memory,
                    include_dashboard=False,
                    **settings,
                )
            else:
                ray.init(address=address, **settings)
        except RayError:
            raise
        except Exception as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            raise RayError(f"cannot start or join {where}: {_first_line(exc)}") from exc
        try:
            yield
        finally:
            ray.shutdown()


def _reachable(address: str) -> None:
    """Fail at once when nothing listens at a HOST:PORT address (Ray itself would retry for
    minutes, deaf to Ctrl-C); "auto" and other forms are left to Ray."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise RayError(f"cannot join the Ray cluster at {address}: {reason}") from exc


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise MissingDependencyError(
            f"the ray engine needs Ray Data ({exc}); install it with: {INSTALL_HINT}"
        ) from exc
    return ray


def _unwrap(exc: BaseException) -> BaseException:
    """The library's own error behind a Ray failure (a backend an actor could not build...)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, SummarizerError):
            return current
        cause = getattr(current, "cause", None)
        if isinstance(cause, BaseException) and id(cause) not in seen:
            current = cause
            continue
        current = current.__cause__ or current.__context__
    if isinstance(exc, KeyboardInterrupt):
        return exc
    return RayError(f"the Ray run failed: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
