"""Map-reduce: an article cut into chunks that fit, each chunk summarized, the summaries
summarized again until one text remains; then bullets checked against the source (``strict``)
and completed with extractive ones."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...abstractive import limit_words, pack, parse_bullets
from ...guard import SourceIndex, fold
from ...models import Bullet
from .. import DEFAULT_BACKEND, Request, Result, get_backend
from .generation import _Generating

log = logging.getLogger("summarizer")


@dataclass
class _Job:
    """One text to generate from, for one article, at one map-reduce level."""

    article: int
    text: str
    final: bool
    output: str = ""
    cut_off: bool = False


@dataclass
class _State:
    """Where one article stands in map-reduce."""

    request: Request
    texts: list[str]
    chunks: int
    truncated: bool
    summary: list[str] = field(default_factory=list)
    done: bool = False
    fallback: str | None = None
    # The latest non-empty chunk summaries: what stands in when a reduce step writes nothing.
    partial: list[str] = field(default_factory=list)


class _MapReduce(_Generating):
    """Articles summarized together through map-reduce, then guarded and filled."""

    def _plan(self, request: Request, budget: int) -> _State | None:
        pieces: list[str] = []
        if request.document.title:
            pieces.append(request.document.title)
        pieces.extend(sentence.text for sentence in request.sentences)
        pieces = [text for text in (self.clean(p).strip() for p in pieces) if text]
        if not pieces:
            return None
        fitted: list[str] = []
        for piece, size in zip(pieces, self.count(pieces), strict=True):
            fitted.extend(self.cut(piece, budget) if size > budget else [piece])
        packed = pack(fitted, self.count, budget, max_chunks=self.max_chunks)
        return _State(request, list(packed.chunks), len(packed.chunks), packed.truncated)

    def _reduce(self, state: _State, summaries: list[str], budget: int) -> None:
        summaries = [text for text in summaries if text.strip()]
        if not summaries:
            # Nothing to reduce: never generate from whitespace. The previous level's
            # summaries stand in, else the extractive bullets.
            state.done = True
            state.fallback = "chunks" if state.partial else "extractive"
            state.summary = list(state.partial)
            return
        state.partial = summaries
        packed = pack(summaries, self.count, budget)
        groups = list(packed.chunks)
        if len(summaries) > 1 and len(groups) >= len(summaries):
            # No two summaries fit together (a model that ignores its length cue): join them
            # in pairs, each cut to half the budget, so the count halves every round.
            state.truncated = True
            halves = [self._fit(text, budget // 2) for text in summaries]
            pairs = [" ".join(halves[i : i + 2]) for i in range(0, len(halves), 2)]
            groups = [self._fit(text, budget) for text in pairs]
        state.texts = [text for text in groups if text.strip()]
        if not state.texts:
            state.done, state.fallback, state.summary = True, "chunks", list(summaries)

    def _fit(self, text: str, tokens: int) -> str:
        pieces = self.cut(text, tokens) if text.strip() else []
        return pieces[0] if pieces else ""

    def summarize(self, request: Request) -> Result:
        """Summarize one article."""
        return self.summarize_many([request])[0]

    def summarize_many(self, requests: Sequence[Request]) -> list[Result]:
        """Summarize articles together: chunks of all of them share generation batches."""
        if not requests:
            return []
        states: list[_State | None] = []
        budgets: dict[tuple[str, int], int] = {}
        for request in requests:
            key = (request.language.code, request.options.bullets)
            if key not in budgets:
                budgets[key] = self.budget(key[1], key[0])
            states.append(self._plan(request, budgets[key]) if request.sentences else None)
        while True:
            jobs = [
                _Job(index, text, final=len(state.texts) == 1)
                for index, state in enumerate(states)
                if state is not None and not state.done
                for text in state.texts
            ]
            if not jobs:
                break
            self._run(jobs, states, budgets)
            for index, state in enumerate(states):
                if state is None or state.done:
                    continue
                outputs = [job for job in jobs if job.article == index]
                code = state.request.language.code
                budget = budgets[(code, state.request.options.bullets)]
                if len(state.texts) == 1:
                    job = outputs[0]
                    state.summary = parse_bullets(job.output, code, cut_off=job.cut_off)
                    state.done = True
                    if not state.summary and state.partial:
                        state.summary, state.fallback = list(state.partial), "chunks"
                else:
                    # A chunk summary only feeds the next step: an unfinished last sentence
                    # still carries facts, so it is kept.
                    summaries = [" ".join(parse_bullets(job.output, code)) for job in outputs]
                    self._reduce(state, summaries, budget)
        return [
            self._finish(request, state)
            if state is not None
            else self._finish(request, _State(request, [], 0, False, fallback="extractive"))
            for request, state in zip(requests, states, strict=True)
        ]

    def _run(self, jobs: list[_Job], states: Sequence[_State | None],
             budgets: dict[tuple[str, int], int]) -> None:  # fmt: skip
        # Texts in any language share a batch (but for models that take a language code);
        # one generate call per answer length.
        groups: dict[tuple[int, int, str], list[_Job]] = {}
        for job in jobs:
            state = states[job.article]
            assert state is not None
            bullets = state.request.options.bullets
            code = state.request.language.code
            budget = budgets[(code, bullets)]
            tokens = self.new_tokens(bullets, final=job.final, budget=budget)
            language = code if code in self.lang_codes else ""
            groups.setdefault((bullets, tokens, language), []).append(job)
        for (bullets, tokens, _), group in sorted(groups.items()):
            outputs = self.generate(
                [job.text for job in group],
                languages=[self._language(states, job) for job in group],
                bullets=bullets,
                new_tokens=tokens,
            )
            for job, (text, cut_off) in zip(group, outputs, strict=True):
                job.output, job.cut_off = text, cut_off

    @staticmethod
    def _language(states: Sequence[_State | None], job: _Job) -> str:
        state = states[job.article]
        assert state is not None
        return state.request.language.code

    def _meta(
        self,
        chunks: int,
        truncated: bool,
        dropped: int = 0,
        filled: int = 0,
        fallback: str | None = None,
    ) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "model": self.model_id,
            "chunks": chunks,
            "truncated": truncated,
            "dropped": dropped,
            "filled": filled,
        }
        if fallback is not None:
            meta["fallback"] = fallback
        return meta

    def _finish(self, request: Request, state: _State) -> Result:
        options = request.options
        code = request.language.code
        index = SourceIndex.of(
            "\n".join(filter(None, [request.document.title, request.document.body]))
        )
        bullets: list[Bullet] = []
        dropped = 0
        for text in state.summary[: options.bullets]:
            text = limit_words(text, options.target_words, options.max_words)
            problems = index.unsupported(text, code)
            if problems and self.strict:
                dropped += 1
                continue
            bullets.append(Bullet(text=text, unsupported=problems))
        fallback = state.fallback
        if not bullets and not dropped:
            fallback = "extractive"
        if fallback is not None:
            log.warning(
                "model %s wrote no usable bullet for %s; %s",
                self.model_id,
                request.document.source,
                "using its chunk summaries"
                if fallback == "chunks"
                else "the bullets are extractive",
            )
        filled = 0
        if len(bullets) < options.bullets:
            # Fewer bullets than asked (dropped by --strict, or a model that writes one
            # sentence): complete with the extractive backend's, skipping repeats.
            extractive = get_backend(DEFAULT_BACKEND).summarize(request)
            have = {fold(b.text) for b in bullets}
            for bullet in extractive.bullets:
                if len(bullets) >= options.bullets:
                    break
                if fold(bullet.text) not in have:
                    bullets.append(bullet)
                    filled += 1
        meta = self._meta(state.chunks, state.truncated, dropped, filled, fallback)
        return Result(tuple(bullets), meta)
