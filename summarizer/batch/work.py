"""Work: read, key, summarize and encode a group of inputs; one ``Outcome`` per input.

``work_group(context, items)`` is what every engine runs, wherever it runs it (in the
parent, in a worker process, in a Ray actor). It holds no module-global state: what lasts
between groups is in the ``WorkContext`` a worker makes once (``WorkContext.start`` loads the
language profiles and the backend, so that each group finds them ready). It never raises for
a bad input or a bug on one input: each becomes an error record.

No summarizing logic lives here: per-article work calls ``load``/``fetch`` and
``pipeline.summarize_articles``.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Container, Sequence
from typing import Any

from ..errors import SummarizerError
from .feeds import LineReader
from .inputs import Input
from .records import (
    BatchConfig,
    Outcome,
    Task,
    error_record,
    failure_record,
    input_key,
    lost_record,
    task_record_id,
)


def warm_up(config: BatchConfig, *, backend: bool = True) -> None:
    """Load what every article needs (language profiles, the backend) once per process."""
    from .. import backends
    from ..langmodel import model

    if config.options.language is None:
        # The profiles only: a warm-up text would be short text, which loads word-frequency
        # lists that articles never need.
        model()
    if backend:
        built = backends.get_backend(config.options.backend, **dict(config.backend_config))
        share = getattr(built, "share_cores", None)
        if config.jobs > 1 and share is not None:
            # Workers asked for with --jobs each hold a model: their thread pools share the
            # cores rather than each spanning all of them.
            share(config.jobs)


class WorkContext:
    """What a worker keeps from one group to the next.

    The run's config and its fingerprint (part of every key), the keys an earlier run already
    has records for (``done``: those inputs are skipped), and the JSONL file being read.
    """

    def __init__(self, config: BatchConfig, done: Container[str] = frozenset()) -> None:
        self.config = config
        self.fingerprint = config.fingerprint()
        self.done = done
        self.lines = LineReader()

    @classmethod
    def start(cls, config: BatchConfig, done: Container[str] = frozenset()) -> WorkContext:
        """A context for a new worker, with the profiles and the backend loaded."""
        warm_up(config)
        return cls(config, done)

    def close(self) -> None:
        """Close the file being read, if any."""
        self.lines.close()

    def __enter__(self) -> WorkContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def work_group(context: WorkContext, items: Sequence[Input]) -> list[Outcome]:
    """Read, key and summarize ``items``; one outcome each, in order, never raising.

    An input whose key is in ``context.done`` (the output of an earlier run) is skipped.
    """
    outcomes: dict[int, Outcome] = {}
    tasks: list[Task] = []
    for item in items:
        try:
            prepared = prepare(item, context.fingerprint, context.lines)
        except Exception as exc:  # a bug, not a bad input
            key = input_key(item, context.fingerprint, "error", item.source)
            failed = Task(item.index, item.kind, item.source, key, "")
            prepared = failure_record(failed, exc)
        if not isinstance(prepared, Task):
            outcomes[item.index] = Outcome.of(item.index, prepared)
        elif prepared.key in context.done:
            outcomes[item.index] = Outcome(item.index, prepared.key, None)
        else:
            tasks.append(prepared)
    for task, record in zip(tasks, summarize_tasks(context.config, tasks), strict=True):
        outcomes[task.index] = Outcome.of(task.index, record)
    return [outcomes[item.index] for item in items]


def lost_outcome(item: Input, config: BatchConfig, reason: str) -> Outcome:
    """The error record of an input whose work was lost for ``reason`` (its worker died)."""
    with contextlib.closing(LineReader()) as lines:
        prepared = prepare(item, config.fingerprint(), lines)
    record = lost_record(prepared, reason) if isinstance(prepared, Task) else prepared
    return Outcome.of(item.index, record)


def prepare(item: Input, fingerprint: str, lines: LineReader) -> Task | dict[str, Any]:
    """Read what the key needs; an input that fails already here yields its error record."""
    from ..load import MAX_INPUT_BYTES, read_bytes

    def key(*parts: bytes | str) -> str:
        return input_key(item, fingerprint, *parts)

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


def load_task(task: Task, config: BatchConfig) -> Any:
    """The Article of ``task``: its file's bytes, its JSON line, or its URL fetched."""
    from .. import load

    if task.kind == "file":
        assert isinstance(task.data, bytes)
        return load.load_bytes(task.data, source=task.source)
    if task.kind == "record":
        assert isinstance(task.data, str)
        record = load.parse_jsonl_line(task.data, task.source)
        return load.from_record(record, source=task.source)
    from ..fetch import load_url

    # A URL named on the command line may be on a private network (the user chose it); where
    # its server redirects to may not, unless allowed.
    return load_url(
        task.source,
        timeout=config.fetch_timeout,
        max_bytes=config.fetch_max_bytes,
        allow_private=config.allow_private,
        trust_host=True,
    )


def summarize_tasks(config: BatchConfig, tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """Load and summarize a group of tasks; one record per task, in order, never raising."""
    from ..pipeline import summarize_articles

    backend_config = dict(config.backend_config)
    records: list[dict[str, Any] | None] = [None] * len(tasks)
    loaded: list[tuple[int, Any]] = []
    for i, task in enumerate(tasks):
        try:
            loaded.append((i, load_task(task, config)))
        except Exception as exc:
            records[i] = failure_record(task, exc, task_record_id(task))
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
                records[i] = failure_record(tasks[i], exc, article.id)
    for (i, _), summary in zip(loaded, summaries, strict=True):
        if summary is not None:
            records[i] = {**summary.to_dict(), "key": tasks[i].key}
    return [r for r in records if r is not None]
