"""Generation: texts sorted by length and batched, one ``generate`` call per batch with the
model's own (deterministic) config, and a batch halved on out-of-memory before it fails."""

from __future__ import annotations

import copy
import logging
import warnings
from collections.abc import Sequence
from typing import Any

from ...errors import BackendError
from .checkpoint import first_line
from .tokens import _Tokens

log = logging.getLogger("summarizer")


def _is_oom(exc: BaseException, torch: Any) -> bool:
    oom = getattr(torch, "OutOfMemoryError", None)
    if oom is not None and isinstance(exc, oom):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


class _Generating(_Tokens):
    """Raw model output for texts, in batches that shrink on out-of-memory."""

    def generate(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str],
        bullets: int,
        new_tokens: int,
    ) -> list[tuple[str, bool]]:
        """Raw model output for each text (in its language), and whether it hit the limit.

        Texts are sorted by length (less padding; stable, so deterministic) and run
        ``batch_size`` at a time; a batch that runs out of memory is halved and retried, down
        to one text, before a BackendError.
        """
        if any(not text.strip() for text in texts):
            raise ValueError("generate() needs non-empty texts")
        if self.seq2seq:
            inputs = [self.prefix + text for text in texts]
        else:
            pairs = zip(texts, languages, strict=True)
            inputs = [self._prompt(text, bullets, code) for text, code in pairs]
        lengths = self.count(inputs)
        order = sorted(range(len(inputs)), key=lambda i: lengths[i])
        results: list[tuple[str, bool]] = [("", False)] * len(inputs)
        size = self.batch_size
        start = 0
        while start < len(order):
            rows = order[start : start + size]
            try:
                outputs = self._generate_batch(
                    [inputs[i] for i in rows], new_tokens, [languages[i] for i in rows], bullets
                )
            except Exception as exc:
                if not _is_oom(exc, self.torch):
                    raise
                self._free_memory()
                if size == 1:
                    raise BackendError(
                        f"out of memory on {self.device} generating from one text of "
                        f"{lengths[rows[0]]} tokens with model {self.model_id!r}; try "
                        "--max-input-tokens, --dtype bfloat16 or another --device"
                    ) from exc
                size = max(1, size // 2)
                log.warning("out of memory with %d texts at once; retrying %d", len(rows), size)
                continue
            for row, output in zip(rows, outputs, strict=True):
                results[row] = output
            start += len(rows)
        return results

    def _free_memory(self) -> None:
        cuda = getattr(self.torch, "cuda", None)
        if cuda is not None and cuda.is_available():
            cuda.empty_cache()

    def _call_config(self, new_tokens: int, language: str | None) -> Any:
        """This call's generation config: the model's, with our lengths (the v5 way: one
        config object, no generation keywords beside it)."""
        config = copy.deepcopy(self.generation)
        config.max_new_tokens = new_tokens
        if self.min_new_tokens:
            # bart-large-cnn asks for 56 tokens at least: never more than half our limit, so
            # a chunk summary can end.
            config.min_new_tokens = min(self.min_new_tokens, new_tokens // 2) or None
        code = self.lang_codes.get(language or "")
        if code is not None:
            config.forced_bos_token_id = self.tokenizer.convert_tokens_to_ids(code)
        return config

    def _enough_lines(self, prompt_tokens: int, lines: int) -> Any:
        """A stopping criterion for base models: a row is done once it has written ``lines``
        line breaks (the bullets asked for), rather than repeating itself to the limit."""
        import transformers

        tokenizer, torch = self.tokenizer, self.torch

        class EnoughLines(transformers.StoppingCriteria):  # type: ignore[misc]
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                texts = tokenizer.batch_decode(input_ids[:, prompt_tokens:])
                done = [text.count("\n") >= lines for text in texts]
                return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

        return transformers.StoppingCriteriaList([EnoughLines()])

    def _generate_batch(
        self,
        inputs: list[str],
        new_tokens: int,
        languages: Sequence[str] | None = None,
        bullets: int | None = None,
    ) -> list[tuple[str, bool]]:
        torch = self.torch
        language = languages[0] if languages else None
        code = self.lang_codes.get(language or "")
        if code is not None:
            # mBART-style: the source language code closes the input.
            self.tokenizer.src_lang = code
        encoded = self.tokenizer(
            inputs,
            return_tensors="pt",
            padding=True,
            # Chunks are sized to fit; this only guards a seq2seq encoder against overflow.
            # Never for chat prompts: cutting on the right would remove the answer cue.
            truncation=self.seq2seq,
            max_length=self.context if self.seq2seq else None,
            add_special_tokens=self.mode != "chat",
        ).to(self.input_device)
        extra = self._generate_options(encoded, bullets)
        config = self._call_config(new_tokens, language)
        try:
            with torch.inference_mode(), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                output = self.model.generate(**encoded, **extra, generation_config=config)
        except Exception as exc:
            if _is_oom(exc, torch):
                raise
            raise BackendError(
                f"model {self.model_id!r} failed while generating on {self.device}: "
                f"{type(exc).__name__}: {first_line(exc)}"
            ) from exc
        for warning in caught:
            log.debug("generate: %s", warning.message)
        # Skip the decoder start token (BART's is </s> itself), or the prompt.
        skip = 1 if self.seq2seq else encoded["input_ids"].shape[1]
        generated = output[:, skip:]
        results = []
        prefix = self.answer_prefix()
        # BART-likes force the end token at the length limit: an end there is a cut.
        forced = config.forced_eos_token_id is not None
        for row in generated.tolist():
            ends = [i for i, token in enumerate(row) if token in self.eos_ids]
            ended = bool(ends) and not (forced and ends[0] >= new_tokens - 1)
            text = str(self.tokenizer.decode(row, skip_special_tokens=True))
            if self.newline_token:
                text = text.replace(self.newline_token, "\n")  # Pegasus writes "<n>"
            if self.mode == "completion":
                enough = bullets is not None and text.count("\n") >= bullets
                ended = ended or enough or "\n\n" in text
                text = prefix + text.split("\n\n")[0]
            results.append((text, not ended))
        return results

    def _generate_options(self, encoded: Any, bullets: int | None) -> dict[str, Any]:
        """The keywords of generate() that depend on the model: LED's global attention, a
        completion model's stop string and its stop after ``bullets`` lines."""
        extra: dict[str, Any] = {}
        if self.model_type == "led":
            # LED attends locally but for tokens marked global: the first one, as trained.
            mask = self.torch.zeros_like(encoded["input_ids"])
            mask[:, 0] = 1
            extra["global_attention_mask"] = mask
        if self.mode == "completion":
            extra["tokenizer"] = self.tokenizer  # for the stop string
            if bullets:
                prompt = encoded["input_ids"].shape[1]
                extra["stopping_criteria"] = self._enough_lines(prompt, bullets)
        return extra
