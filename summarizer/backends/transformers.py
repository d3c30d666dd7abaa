"""Abstractive backend on Hugging Face transformers: seq2seq summarizers and chat models.

torch and transformers are imported when the backend is built, never at import time of the
package, so the extractive path stays light. The model's kind comes from its config: an
encoder-decoder is run with AutoModelForSeq2SeqLM on the article text; a decoder-only model
with a chat template is run with AutoModelForCausalLM on a prompt (``DEFAULT_PROMPT``).

Long articles are split at sentence boundaries into chunks that fit the model (measured with
its tokenizer), each chunk is summarized, and the joined chunk summaries are summarized again
until one text remains (map-reduce). Generation is greedy (or beam search), so deterministic,
and batched across chunks and articles.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..abstractive import DEFAULT_PROMPT, check_template, pack, parse_bullets, render_prompt
from ..bullets import cap_words
from ..errors import BackendError, MissingDependencyError, UsageError
from ..guard import SourceIndex, fold
from ..models import Bullet
from . import DEFAULT_BACKEND, BaseBackend, Request, Result, get_backend

log = logging.getLogger("summarizer")

DEVICES = ("auto", "cpu", "cuda", "mps")
INSTALL_HINT = "pip install 'summarizer[transformers]'"
# Longest input we feed a decoder-only model even when its context is longer: long prompts
# cost quadratic attention and memory, and map-reduce handles the rest.
DEFAULT_MAX_INPUT_TOKENS = 4096
# Tokens a generated bullet may take, and a margin for the list's framing.
TOKENS_PER_BULLET = 48
TOKENS_MARGIN = 16
# Tokens kept free in a chat prompt for template/article boundary effects.
PROMPT_SLACK = 8
_UNBOUNDED = 1_000_000
_MIN_BUDGET = 16


def _import() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise MissingDependencyError(
            f"the transformers backend needs torch and transformers ({exc.name} is missing): "
            f"{INSTALL_HINT}"
        ) from exc
    return torch, transformers


def pick_device(requested: str, torch: Any) -> str:
    """The torch device for ``requested``: auto tries cuda, then mps, then cpu."""
    if requested not in DEVICES:
        raise UsageError(f"unknown device {requested!r}; choose from {', '.join(DEVICES)}")
    cuda = bool(torch.cuda.is_available())
    mps_backend = getattr(torch.backends, "mps", None)
    mps = bool(mps_backend is not None and mps_backend.is_available())
    if requested == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (requested == "cuda" and not cuda) or (requested == "mps" and not mps):
        raise BackendError(f"device {requested!r} was asked for but is not available here")
    return requested


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _looks_like_path(model: str) -> bool:
    return (
        model.startswith((".", "/", "~"))
        or os.sep in model.replace("/", "", 1)
        or (os.altsep is not None and os.altsep in model)
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()


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


class TransformersBackend(BaseBackend):
    """Abstractive bullets from a local or cached Hugging Face model."""

    name = "transformers"

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str = "auto",
        batch_size: int = 8,
        strict: bool = False,
        trust_remote_code: bool = False,
        prompt: str | None = None,
        prompt_file: str | None = None,
        num_beams: int = 1,
        max_new_tokens: int | None = None,
        max_input_tokens: int | None = None,
        max_chunks: int = 64,
    ) -> None:
        if not model:
            raise UsageError(
                "the transformers backend needs a model: --model ID_OR_PATH "
                "(or SUMMARIZER_MODEL), e.g. csebuetnlp/mT5_multilingual_XLSum"
            )
        if batch_size < 1 or num_beams < 1 or max_chunks < 1:
            raise UsageError("batch_size, num_beams and max_chunks must be at least 1")
        self.prompt = self._load_prompt(prompt, prompt_file)
        self.model_id = model
        self.batch_size = batch_size
        self.strict = strict
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        self.max_chunks = max_chunks
        self.torch, transformers = _import()
        if not log.isEnabledFor(logging.DEBUG):
            # Their warnings and retry notices would drown the one-line error we give.
            transformers.utils.logging.set_verbosity_error()
            logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
            import huggingface_hub.utils

            huggingface_hub.utils.logging.set_verbosity_error()
        if not sys.stderr.isatty():
            transformers.utils.logging.disable_progress_bar()
        self.device = pick_device(device, self.torch)
        self._load(transformers, model, trust_remote_code)
        self.context = self._context_length(max_input_tokens)
        log.debug(
            "loaded %s (%s) on %s, %d input tokens",
            model,
            "seq2seq" if self.seq2seq else "chat",
            self.device,
            self.context,
        )

    # --- loading --------------------------------------------------------------------------

    @staticmethod
    def _load_prompt(prompt: str | None, prompt_file: str | None) -> str:
        if prompt is not None and prompt_file is not None:
            raise UsageError("give the prompt as text or as a file, not both")
        if prompt_file is not None:
            try:
                prompt = Path(prompt_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"cannot read prompt file {prompt_file}: {exc}") from exc
        template = DEFAULT_PROMPT if prompt is None else prompt
        try:
            check_template(template)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        return template

    def _load(self, transformers: Any, model: str, trust_remote_code: bool) -> None:
        folder = Path(model).expanduser()
        local = folder.is_dir()
        if not local and _looks_like_path(model):
            raise BackendError(f"cannot load model {model!r}: no such folder")
        source = str(folder) if local else model
        kwargs: dict[str, Any] = {"trust_remote_code": trust_remote_code}
        if _offline() and not local:
            kwargs["local_files_only"] = True  # honoured even if HF_HUB_OFFLINE was set late
        try:
            config = transformers.AutoConfig.from_pretrained(source, **kwargs)
        except (OSError, ValueError) as exc:
            if local:
                reason = _first_line(exc)
            elif _offline():
                reason = "not a local folder and not in the Hugging Face cache (HF_HUB_OFFLINE=1)"
            else:
                reason = f"not a local folder; {_first_line(exc)}"
            raise BackendError(f"cannot load model {model!r}: {reason}") from exc
        self.seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        torch = self.torch
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
            if self.seq2seq:
                auto = transformers.AutoModelForSeq2SeqLM
            else:
                if not getattr(tokenizer, "chat_template", None):
                    raise BackendError(
                        f"model {model!r} is decoder-only without a chat template; use an "
                        "instruction-tuned (chat) model or a seq2seq summarizer"
                    )
                auto = transformers.AutoModelForCausalLM
            network = auto.from_pretrained(source, dtype=dtype, **kwargs)
        except (OSError, ValueError, KeyError) as exc:
            raise BackendError(f"cannot load model {model!r}: {_first_line(exc)}") from exc
        network.to(self.device)
        network.eval()
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        # Decoder-only models continue the prompt: padding goes on the left so every row ends
        # at its last prompt token.
        tokenizer.padding_side = "right" if self.seq2seq else "left"
        self.tokenizer = tokenizer
        self.model = network
        self.config = config
        self.prefix = ""
        if self.seq2seq:
            params = getattr(config, "task_specific_params", None) or {}
            self.prefix = str(params.get("summarization", {}).get("prefix", "") or "")
        generation = copy.deepcopy(network.generation_config)
        generation.do_sample = False
        generation.temperature = None
        generation.top_p = None
        generation.top_k = None
        generation.num_beams = self.num_beams
        generation.max_length = None
        if generation.pad_token_id is None:
            generation.pad_token_id = tokenizer.pad_token_id
        if self.seq2seq and not generation.no_repeat_ngram_size:
            generation.no_repeat_ngram_size = 3  # seq2seq summarizers loop without it
        self.generation = generation
        eos = generation.eos_token_id
        eos_ids = list(eos) if isinstance(eos, (list, tuple)) else [eos]
        if tokenizer.eos_token_id is not None:
            eos_ids.append(tokenizer.eos_token_id)
        self.eos_ids = {int(i) for i in eos_ids if i is not None}

    def _context_length(self, max_input_tokens: int | None) -> int:
        limits = []
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < _UNBOUNDED:
            limits.append(tokenizer_limit)
        for attr in ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length"):
            value = getattr(self.config, attr, None)
            if isinstance(value, int) and value > 0:
                limits.append(value)
                break
        if max_input_tokens is not None:
            limits.append(max_input_tokens)
        elif not self.seq2seq:
            limits.append(DEFAULT_MAX_INPUT_TOKENS)
        # T5-style models have relative positions and no stated limit: 512 is what they
        # were trained on.
        return min(limits) if limits else 512

    # --- token arithmetic -----------------------------------------------------------------

    def count(self, texts: Sequence[str]) -> list[int]:
        """Token count of each text, without special tokens."""
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(row) for row in ids]

    def cut(self, text: str, tokens: int) -> list[str]:
        """``text`` in pieces of at most ``tokens`` tokens."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return [
            str(self.tokenizer.decode(ids[i : i + tokens], skip_special_tokens=True)).strip()
            for i in range(0, len(ids), tokens)
        ]

    def _final_tokens(self, bullets: int) -> int:
        if self.max_new_tokens is not None:
            return self.max_new_tokens
        return TOKENS_PER_BULLET * bullets + TOKENS_MARGIN

    def budget(self, bullets: int, language: str) -> int:
        """Article tokens that fit in one model input next to the prompt and the answer."""
        if self.seq2seq:
            framing = self.count([self.prefix])[0] if self.prefix else 0
            budget = self.context - framing - 2  # the end-of-sequence token, and one spare
        else:
            overhead = len(self._encode_chat([self._chat("", bullets, language)])[0])
            budget = self.context - overhead - self._final_tokens(bullets) - PROMPT_SLACK
        if budget < _MIN_BUDGET:
            raise BackendError(
                f"model {self.model_id!r} leaves {budget} tokens for the article "
                f"(context {self.context}); use a model with a longer context or a shorter prompt"
            )
        return budget

    # --- generation -----------------------------------------------------------------------

    def _chat(self, article: str, bullets: int, language: str) -> str:
        content = render_prompt(self.prompt, article=article, bullets=bullets, language=language)
        text = self.tokenizer.apply_chat_template(
            [{"role": "user", "content": content}], tokenize=False, add_generation_prompt=True
        )
        return str(text)

    def _encode_chat(self, prompts: Sequence[str]) -> list[list[int]]:
        # The chat template already wrote any BOS token.
        ids = self.tokenizer(list(prompts), add_special_tokens=False)["input_ids"]
        return [list(row) for row in ids]

    def new_tokens(self, bullets: int, *, final: bool, budget: int) -> int:
        """How many tokens a generation may add: a full answer, or a chunk summary."""
        tokens = self._final_tokens(bullets)
        if not final:
            # A chunk summary must leave room for another in the next reduce step.
            tokens = max(8, min(tokens, budget // 3))
        return tokens

    def generate(
        self, texts: Sequence[str], *, languages: Sequence[str], bullets: int, new_tokens: int
    ) -> list[tuple[str, bool]]:
        """Raw model output for each text (in its language), and whether it hit the limit."""
        if self.seq2seq:
            inputs = [self.prefix + text for text in texts]
        else:
            inputs = [
                self._chat(text, bullets, code) for text, code in zip(texts, languages, strict=True)
            ]
        lengths = self.count(inputs)
        # Similar lengths together: less padding. Stable, so the order is deterministic.
        order = sorted(range(len(inputs)), key=lambda i: lengths[i])
        results: list[tuple[str, bool]] = [("", False)] * len(inputs)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            outputs = self._generate_batch([inputs[i] for i in rows], new_tokens)
            for row, output in zip(rows, outputs, strict=True):
                results[row] = output
        return results

    def _generate_batch(self, inputs: list[str], new_tokens: int) -> list[tuple[str, bool]]:
        torch = self.torch
        encoded = self.tokenizer(
            inputs,
            return_tensors="pt",
            padding=True,
            # Chunks are sized to fit; this only guards a seq2seq encoder against overflow.
            # Never for chat prompts: cutting on the right would remove the answer cue.
            truncation=self.seq2seq,
            max_length=self.context if self.seq2seq else None,
            add_special_tokens=self.seq2seq,
        ).to(self.device)
        with torch.inference_mode():
            output = self.model.generate(
                **encoded, generation_config=self.generation, max_new_tokens=new_tokens
            )
        generated = output if self.seq2seq else output[:, encoded["input_ids"].shape[1] :]
        results = []
        for row in generated.tolist():
            ended = any(token in self.eos_ids for token in row)
            text = str(self.tokenizer.decode(row, skip_special_tokens=True))
            results.append((text, not ended))
        return results

    # --- map-reduce -----------------------------------------------------------------------

    def _plan(self, request: Request, budget: int) -> _State:
        pieces: list[str] = []
        if request.document.title:
            pieces.append(request.document.title)
        pieces.extend(sentence.text for sentence in request.sentences)
        fitted: list[str] = []
        for piece, size in zip(pieces, self.count(pieces), strict=True):
            fitted.extend(self.cut(piece, budget) if size > budget else [piece])
        packed = pack(fitted, self.count, budget, max_chunks=self.max_chunks)
        return _State(request, list(packed.chunks), len(packed.chunks), packed.truncated)

    def _reduce(self, state: _State, summaries: list[str], budget: int) -> None:
        packed = pack(summaries, self.count, budget)
        groups = list(packed.chunks)
        if len(groups) >= len(summaries):
            # No two summaries fit together (a model that ignores its length cue): join them
            # in pairs, each cut to half the budget, so the count halves every round.
            state.truncated = True
            halves = [self._fit(text, budget // 2) for text in summaries]
            pairs = [" ".join(halves[i : i + 2]) for i in range(0, len(halves), 2)]
            groups = [self._fit(text, budget) for text in pairs]
        state.texts = groups or [""]

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
            if not request.sentences:
                states.append(None)
                continue
            key = (request.language.code, request.options.bullets)
            if key not in budgets:
                budgets[key] = self.budget(key[1], key[0])
            states.append(self._plan(request, budgets[key]))
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
                else:
                    summaries = [
                        " ".join(parse_bullets(job.output, code, cut_off=job.cut_off))
                        for job in outputs
                    ]
                    self._reduce(state, summaries, budget)
        return [
            self._finish(request, state) if state is not None else Result((), self._meta(0, False))
            for request, state in zip(requests, states, strict=True)
        ]

    def _run(self, jobs: list[_Job], states: Sequence[_State | None],
             budgets: dict[tuple[str, int], int]) -> None:  # fmt: skip
        # Texts in any language share a batch; one generate call per answer length.
        groups: dict[tuple[int, int], list[_Job]] = {}
        for job in jobs:
            state = states[job.article]
            assert state is not None
            bullets = state.request.options.bullets
            budget = budgets[(state.request.language.code, bullets)]
            tokens = self.new_tokens(bullets, final=job.final, budget=budget)
            groups.setdefault((bullets, tokens), []).append(job)
        for (bullets, tokens), group in sorted(groups.items()):
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

    # --- guard and fill -------------------------------------------------------------------

    def _meta(
        self, chunks: int, truncated: bool, dropped: int = 0, filled: int = 0
    ) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "chunks": chunks,
            "truncated": truncated,
            "dropped": dropped,
            "filled": filled,
        }

    def _finish(self, request: Request, state: _State) -> Result:
        options = request.options
        code = request.language.code
        index = SourceIndex.of(
            "\n".join(filter(None, [request.document.title, request.document.body]))
        )
        bullets: list[Bullet] = []
        dropped = 0
        for text in state.summary[: options.bullets]:
            problems = index.unsupported(text, code)
            if problems and self.strict:
                dropped += 1
                continue
            bullets.append(Bullet(text=cap_words(text, options.max_words), unsupported=problems))
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
        meta = self._meta(state.chunks, state.truncated, dropped, filled)
        return Result(tuple(bullets), meta)
