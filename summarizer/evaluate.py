"""Evaluation: ROUGE of a backend's bullets against reference summaries, beside LEAD-k."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import backends, rouge
from .errors import InputError
from .load import from_record, iter_jsonl
from .models import Article, Options
from .pipeline import prepare
from .sentences import word_count

# Articles handed to the backend at once.
BATCH = 16


@dataclass(frozen=True)
class Example:
    """One evaluation record: the article and its reference summary."""

    article: Article
    reference: str


@dataclass(frozen=True)
class SystemScore:
    """Mean ROUGE F1 (percent) of one system, and how long its bullets are."""

    name: str
    rouge1: float
    rouge2: float
    rougeL: float
    words_per_bullet: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, scores rounded to 2 decimals."""
        return {
            "name": self.name,
            "rouge1": round(self.rouge1, 2),
            "rouge2": round(self.rouge2, 2),
            "rougeL": round(self.rougeL, 2),
            "words_per_bullet": round(self.words_per_bullet, 2),
        }


@dataclass(frozen=True)
class Evaluation:
    """The result of one evaluation run."""

    records: int
    bullets: int
    systems: tuple[SystemScore, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "records": self.records,
            "bullets": self.bullets,
            "tokenizer": "lower-cased \\w+ runs, no stemming",
            "systems": [system.to_dict() for system in self.systems],
        }


def read_examples(path: str | os.PathLike[str], limit: int | None = None) -> list[Example]:
    """Records ``{"text", "summary", "title"?}`` of a JSONL file, in file order."""
    examples: list[Example] = []
    for where, record in itertools.islice(iter_jsonl(path), limit):
        summary = record.get("summary") if isinstance(record, dict) else None
        if not isinstance(summary, str) or not summary.strip():
            raise InputError(f'{where}: the record has no string "summary" field')
        examples.append(Example(from_record(record, source=where), summary))
    if not examples:
        raise InputError(f"{os.fspath(path)}: no records to evaluate")
    return examples


def evaluate(
    examples: Sequence[Example],
    options: Options,
    *,
    progress: Callable[[Iterator[Example]], Iterator[Example]] | None = None,
    **backend_config: Any,
) -> Evaluation:
    """Score ``options.backend`` and LEAD-k (the first k sentences, as written) on ``examples``."""
    backend = backends.get_backend(options.backend, **backend_config)
    k = options.bullets
    systems: dict[str, list[dict[str, rouge.Score]]] = {options.backend: [], f"lead-{k}": []}
    lengths: dict[str, list[int]] = {name: [] for name in systems}
    iterator: Iterator[Example] = iter(examples)
    if progress is not None:
        iterator = progress(iterator)

    def score(batch: list[Example]) -> None:
        requests = [prepare(example.article, options) for example in batch]
        # summarize_many lets model backends batch their forward passes.
        results = backend.summarize_many(requests)
        for example, request, result in zip(batch, requests, results, strict=True):
            outputs = {
                options.backend: [b.text for b in result.bullets],
                f"lead-{k}": [s.text for s in request.sentences[:k]],
            }
            for name, texts in outputs.items():
                systems[name].append(rouge.score("\n".join(texts), example.reference))
                lengths[name].extend(word_count(text) for text in texts)

    batch: list[Example] = []
    for example in iterator:
        batch.append(example)
        if len(batch) == BATCH:
            score(batch)
            batch = []
    if batch:
        score(batch)
    scores = []
    for name, items in systems.items():
        means = rouge.mean_f1(items)
        words = lengths[name]
        scores.append(
            SystemScore(
                name,
                means["rouge1"],
                means["rouge2"],
                means["rougeL"],
                sum(words) / len(words) if words else 0.0,
            )
        )
    return Evaluation(records=len(examples), bullets=k, systems=tuple(scores))


def render_table(evaluation: Evaluation) -> str:
    """A plain-text table: one row per system."""
    lines = [
        f"{evaluation.records} records, {evaluation.bullets} bullets; "
        "ROUGE F1 (%), lower-cased \\w+ tokens, no stemming",
        f"{'system':<14}{'R1':>7}{'R2':>7}{'RL':>7}{'words/bullet':>14}",
    ]
    for s in evaluation.systems:
        lines.append(
            f"{s.name:<14}{s.rouge1:>7.2f}{s.rouge2:>7.2f}{s.rougeL:>7.2f}{s.words_per_bullet:>14.1f}"
        )
    return "\n".join(lines) + "\n"
