"""Abstractive backend on Hugging Face transformers: seq2seq summarizers and decoder-only models.

torch and transformers are imported when the backend is built, never at import time of the
package, so the extractive path stays light. The model's kind comes from its config: an
encoder-decoder is run with AutoModelForSeq2SeqLM on the article text; a decoder-only model
with AutoModelForCausalLM, on a chat prompt when its tokenizer has a chat template (or the user
gives one), else on a plain completion prompt (the article, a "TL;DR:" cue and a first bullet
marker), as base models and GGUF checkpoints need. Translation-only, speech and encoder-only
models are refused: they cannot summarize.

Lengths come from the model's real limits: the encoder's and the decoder's positions (LED's
``max_encoder_position_embeddings`` included), the tokenizer's limit and a cap on any input
(``DEFAULT_MAX_INPUT_TOKENS``). Long articles are split at sentence boundaries into chunks that
fit, each chunk is summarized, and the joined chunk summaries are summarized again until one
text remains (map-reduce). A reduce step never runs on empty input: the best chunk summaries,
or else the extractive backend's bullets, stand in, and the result says so (``fallback``).

Generation follows the model's own generation config (beams, length penalty, repetition
settings), without sampling, so it is deterministic; ``num_beams`` overrides the beams.
Texts are sorted by length and batched across chunks and articles; on out-of-memory a batch is
halved down to one text before the article fails.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..abstractive import (
    COMPLETION_PROMPT,
    DEFAULT_PROMPT,
    check_template,
    limit_words,
    pack,
    parse_bullets,
    render_prompt,
)
from ..errors import BackendError, MissingDependencyError, UsageError
from ..guard import SourceIndex, fold
from ..models import Bullet
from . import DEFAULT_BACKEND, BaseBackend, Request, Result, get_backend

log = logging.getLogger("summarizer")

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "bfloat16", "float16")
INSTALL_HINT = "pip install 'summarizer[transformers]'"
# Longest input we feed any model, whatever its tokenizer claims: attention costs grow with
# the square of the length (a tokenizer claiming 100,000 tokens once made one 17,600-token
# chunk and an 11.6 GB peak), and map-reduce handles the rest. max_input_tokens overrides it.
DEFAULT_MAX_INPUT_TOKENS = 4096
# Models with relative positions (T5, mT5) state no limit; they were trained on 512 tokens and
# hold up to about twice that.
RELATIVE_MAX_INPUT = 1024
RELATIVE_MAX_OUTPUT = 512
# Tokens a generated bullet may take, and a margin for the list's framing.
TOKENS_PER_BULLET = 48
TOKENS_MARGIN = 16
# Tokens kept free in a chat prompt for template/article boundary effects.
PROMPT_SLACK = 8
_UNBOUNDED = 1_000_000
_MIN_BUDGET = 16
# Below this many entries a "tokenizer" is an empty shell transformers built for lack of files.
_MIN_VOCABULARY = 32
# Files that hold a tokenizer's vocabulary (a Trainer checkpoint has none of them).
_TOKENIZER_FILES = (
    "tokenizer.json", "tokenizer.model", "spiece.model", "sentencepiece.bpe.model",
    "sentencepiece.model", "source.spm", "vocab.json", "vocab.txt", "vocab.model",
    "tokenizer.tiktoken",
)  # fmt: skip
# Models that translate rather than summarize: they would "summarize" into another language.
_TRANSLATION = frozenset({"marian", "fsmt", "m2m_100", "nllb-moe", "seamless_m4t",
                          "seamless_m4t_v2"})  # fmt: skip
_SPEECH = ("speech", "asr", "audio", "voxtral", "flamingo", "transcribe", "whisper")
# Chat markers of the common template families, also when the tokenizer does not know them.
_CONTROL_RE = re.compile(
    r"<\|[^|<>\s]{1,40}\|>|</?(?:start_of_turn|end_of_turn|think)>|\[/?INST\]|<</?SYS>>"
)
_TRAILING_MARKER_RE = re.compile(r"(?:^|\n)([-*•] )$")


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
    if requested == "cuda" and not cuda:
        build = getattr(torch, "__version__", "?")
        raise BackendError(
            f"--device cuda was asked for but torch {build} sees no CUDA GPU (a CPU-only "
            "build, or no driver); use --device auto or cpu, or install a CUDA build of torch"
        )
    if requested == "mps" and not mps:
        raise BackendError(
            "--device mps was asked for but this machine has no Apple GPU; use --device auto"
        )
    return requested


def pick_dtype(requested: str, device: str, torch: Any) -> Any:
    """The torch dtype for ``requested`` on ``device``: auto is bfloat16 on GPUs that support
    it (else float16), float16 on Apple GPUs, float32 on CPU."""
    if requested not in DTYPES:
        raise UsageError(f"unknown dtype {requested!r}; choose from {', '.join(DTYPES)}")
    if requested != "auto":
        return getattr(torch, requested)
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float16 if device == "mps" else torch.float32


def load_options(device: str, dtype: Any, *, accelerate: bool) -> dict[str, Any]:
    """``from_pretrained`` keywords: on CUDA with accelerate installed, ``device_map="auto"``
    places a model larger than one card over the GPUs (and CPU memory)."""
    options: dict[str, Any] = {"dtype": dtype}
    if device == "cuda" and accelerate:
        options["device_map"] = "auto"
    return options


def _has_accelerate() -> bool:
    import importlib.util

    return importlib.util.find_spec("accelerate") is not None


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _source_options(
    model: str, folder: Path, local: bool, trust_remote_code: bool, gguf_file: str | None
) -> dict[str, Any]:
    """The from_pretrained keywords that say where ``model`` is read from; a BackendError when
    it names a folder, or a GGUF file, that is not there."""
    if not local and _looks_like_path(model):
        raise BackendError(f"cannot load model {model!r}: no such folder")
    kwargs: dict[str, Any] = {"trust_remote_code": trust_remote_code}
    if gguf_file:
        if local and not (folder / gguf_file).is_file():
            raise BackendError(f"cannot load model {model!r}: no file {gguf_file} in it")
        kwargs["gguf_file"] = gguf_file
    if _offline() and not local:
        kwargs["local_files_only"] = True  # honoured even if HF_HUB_OFFLINE was set late
    return kwargs


def _looks_like_path(model: str) -> bool:
    return (
        model.startswith((".", "/", "~"))
        or os.sep in model.replace("/", "", 1)
        or (os.altsep is not None and os.altsep in model)
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()


def _is_oom(exc: BaseException, torch: Any) -> bool:
    oom = getattr(torch, "OutOfMemoryError", None)
    if oom is not None and isinstance(exc, oom):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def _first_int(config: Any, names: Sequence[str]) -> int | None:
    for name in names:
        value = getattr(config, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


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


class TransformersBackend(BaseBackend):
    """Abstractive bullets from a local or cached Hugging Face model."""

    name = "transformers"
    # One loaded model serves the whole process: a batch runs it in one process and hands it
    # articles in groups rather than loading a copy per worker (see summarizer.batch).
    one_model_per_process = True

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 8,
        strict: bool = False,
        trust_remote_code: bool = False,
        prompt: str | None = None,
        prompt_file: str | None = None,
        chat_template: str | None = None,
        gguf_file: str | None = None,
        num_beams: int | None = None,
        max_new_tokens: int | None = None,
        max_input_tokens: int | None = None,
        max_chunks: int = 64,
    ) -> None:
        if not model:
            raise UsageError(
                "the transformers backend needs a model: --model ID_OR_PATH "
                "(or SUMMARIZER_MODEL), e.g. csebuetnlp/mT5_multilingual_XLSum"
            )
        if batch_size < 1 or max_chunks < 1 or (num_beams is not None and num_beams < 1):
            raise UsageError("batch_size, num_beams and max_chunks must be at least 1")
        if max_input_tokens is not None and max_input_tokens < _MIN_BUDGET * 2:
            raise UsageError(f"max_input_tokens must be at least {_MIN_BUDGET * 2}")
        self._prompt_text = self._read(prompt, prompt_file, "prompt")
        template = self._read(None, chat_template, "chat template")
        # A GGUF file is the model: name it in errors and in the output.
        self.model_id = str(Path(model) / gguf_file) if gguf_file else model
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
        self.dtype = pick_dtype(dtype, self.device, self.torch)
        if self.device == "cpu":
            # torch counts the machine's cores, not the ones this process may use.
            self.torch.set_num_threads(min(self.torch.get_num_threads(), _cores()))
        self._load(transformers, model, trust_remote_code, gguf_file, template)
        self.prompt = self._check_prompt(self._prompt_text)
        self.context, self.answer_limit = self._limits(max_input_tokens)
        log.debug(
            "loaded %s (%s) on %s as %s, %d input tokens, %d answer tokens",
            model, self.mode, self.device, self.dtype, self.context, self.answer_limit,
        )  # fmt: skip

    def share_cores(self, processes: int) -> None:
        """Use this process's share of the cores when ``processes`` models run side by side."""
        if self.device == "cpu":
            self.torch.set_num_threads(max(1, _cores() // max(1, processes)))

    # --- loading --------------------------------------------------------------------------

    @staticmethod
    def _read(text: str | None, path: str | None, what: str) -> str | None:
        if text is not None and path is not None:
            raise UsageError(f"give the {what} as text or as a file, not both")
        if path is None:
            return text
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {what} file {path}: {exc}") from exc

    def _check_prompt(self, prompt: str | None) -> str:
        default = COMPLETION_PROMPT if self.mode == "completion" else DEFAULT_PROMPT
        template = default if prompt is None else prompt
        try:
            check_template(template)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        return template

    def _load(
        self,
        transformers: Any,
        model: str,
        trust_remote_code: bool,
        gguf_file: str | None,
        chat_template: str | None,
    ) -> None:
        folder = Path(model).expanduser()
        local = folder.is_dir()
        source = str(folder) if local else model
        kwargs = _source_options(model, folder, local, trust_remote_code, gguf_file)
        config = self._config(transformers, model, source, local, kwargs)
        self.seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        self._check_architecture(transformers, model, config)
        if local and not gguf_file and not self._has_tokenizer_files(folder):
            raise BackendError(
                f"model folder {model!r} has no tokenizer files (tokenizer.json, "
                "tokenizer.model, vocab.json...), as a Trainer checkpoint; save the base "
                "model's tokenizer into it: AutoTokenizer.from_pretrained(BASE)"
                f".save_pretrained({str(folder)!r})"
            )
        tokenizer = self._tokenizer(transformers, model, source, kwargs)
        if chat_template is not None:
            tokenizer.chat_template = chat_template
        if self.seq2seq:
            self.mode = "seq2seq"
        else:
            self.mode = "chat" if getattr(tokenizer, "chat_template", None) else "completion"
        auto = (
            transformers.AutoModelForSeq2SeqLM
            if self.seq2seq
            else transformers.AutoModelForCausalLM
        )
        options = load_options(self.device, self.dtype, accelerate=_has_accelerate())
        try:
            network = auto.from_pretrained(source, **options, **kwargs)
        except Exception as exc:
            raise BackendError(self._weights_error(model, exc)) from exc
        if "device_map" not in options:
            network.to(self.device)
        network.eval()
        self.input_device = network.device
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        # Decoder-only models continue the prompt: padding goes on the left so every row ends
        # at its last prompt token.
        tokenizer.padding_side = "right" if self.seq2seq else "left"
        self.tokenizer = tokenizer
        self.model = network
        self.config = config
        self.model_type = str(getattr(config, "model_type", "") or "")
        self.prefix = ""
        if self.seq2seq:
            params = getattr(config, "task_specific_params", None) or {}
            self.prefix = str(params.get("summarization", {}).get("prefix", "") or "")
        self._specials = self._special_tokens(tokenizer)
        self.newline_token = "<n>" if "<n>" in tokenizer.get_vocab() else None
        self.lang_codes = self._language_codes(tokenizer)
        self._setup_generation(network, tokenizer)

    @staticmethod
    def _config(
        transformers: Any, model: str, source: str, local: bool, kwargs: dict[str, Any]
    ) -> Any:
        try:
            return transformers.AutoConfig.from_pretrained(source, **kwargs)
        except Exception as exc:
            if "trust_remote_code" in str(exc):
                reason = (
                    "it runs code from its repository; pass --trust-remote-code "
                    "(trust_remote_code=True) if you trust its authors"
                )
            elif local or kwargs.get("gguf_file"):
                reason = _first_line(exc)
            elif _offline():
                reason = "not a local folder and not in the Hugging Face cache (HF_HUB_OFFLINE=1)"
            else:
                reason = f"not a local folder; {_first_line(exc)}"
            raise BackendError(f"cannot load model {model!r}: {reason}") from exc

    def _check_architecture(self, transformers: Any, model: str, config: Any) -> None:
        kind = str(getattr(config, "model_type", "") or "")
        names = getattr(transformers.models.auto, "modeling_auto", None)
        causal = getattr(names, "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES", {})
        masked = getattr(names, "MODEL_FOR_MASKED_LM_MAPPING_NAMES", {})
        auto_map = getattr(config, "auto_map", None) or {}
        if kind in _TRANSLATION:
            raise BackendError(
                f"model {model!r} ({kind}) is a translation model, not a summarizer: it "
                "would rewrite the article in another language; use a summarization model"
            )
        if any(part in kind for part in _SPEECH):
            raise BackendError(f"model {model!r} ({kind}) is a speech model, not a summarizer")
        if self.seq2seq or "AutoModelForCausalLM" in auto_map:
            return
        # BERT-likes have a causal head too, only for when they were trained as decoders.
        encoder_only = kind in masked and not getattr(config, "is_decoder", False)
        if kind in causal and not encoder_only:
            return
        what = "an encoder-only model" if encoder_only else "not a text generation model"
        raise BackendError(
            f"model {model!r} ({kind or 'unknown type'}) is {what}: it cannot write a summary; "
            "use a seq2seq summarizer (BART, T5, Pegasus...) or a decoder-only (chat) model"
        )

    @staticmethod
    def _has_tokenizer_files(folder: Path) -> bool:
        return any((folder / name).is_file() for name in _TOKENIZER_FILES) or any(
            folder.glob("*.tiktoken")
        )

    @staticmethod
    def _tokenizer(transformers: Any, model: str, source: str, kwargs: dict[str, Any]) -> Any:
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
        except Exception as exc:
            reason = _first_line(exc)
            if isinstance(exc, (ValueError, KeyError, IndexError)):
                # Such errors come from a tokenizer class built without its vocabulary
                # (Pegasus: "('<unk>', 0.0) is not in list").
                reason += "; the tokenizer files are missing, damaged or of another model"
            raise BackendError(f"cannot load the tokenizer of model {model!r}: {reason}") from exc
        if len(tokenizer) < _MIN_VOCABULARY:
            raise BackendError(
                f"the tokenizer of model {model!r} has {len(tokenizer)} tokens: its files are "
                "missing (a Trainer checkpoint?); save the base model's tokenizer next to it"
            )
        return tokenizer

    @staticmethod
    def _weights_error(model: str, exc: BaseException) -> str:
        name = type(exc).__name__
        text = str(exc)
        if "Safetensor" in name or "header" in text.lower() or "deserializ" in text.lower():
            return (
                f"cannot load the weights of model {model!r}: the weights file is damaged or "
                f"incomplete ({_first_line(exc)}); download or save it again"
            )
        if "out of memory" in text.lower():
            return (
                f"cannot load model {model!r}: out of memory ({_first_line(exc)}); try "
                "--dtype bfloat16, another --device, or a smaller model"
            )
        return f"cannot load the weights of model {model!r}: {_first_line(exc)}"

    @staticmethod
    def _special_tokens(tokenizer: Any) -> list[str]:
        tokens = set(getattr(tokenizer, "all_special_tokens", []) or [])
        for token in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).values():
            if getattr(token, "special", False):
                tokens.add(str(token.content))
        # Longest first, so that "<|im_end|>" goes before a "<|im" another token might be.
        return sorted((t for t in tokens if t.strip()), key=len, reverse=True)

    @staticmethod
    def _language_codes(tokenizer: Any) -> dict[str, str]:
        """ISO 639-1 code -> the tokenizer's language code (mBART-style "fr_XX")."""
        codes = getattr(tokenizer, "lang_code_to_id", None)
        if not isinstance(codes, dict) or not hasattr(tokenizer, "src_lang"):
            return {}
        found: dict[str, str] = {}
        for code in codes:
            found.setdefault(str(code).split("_")[0].lower(), str(code))
        return found

    def _setup_generation(self, network: Any, tokenizer: Any) -> None:
        generation = copy.deepcopy(network.generation_config)
        # Deterministic: the model's own beams and penalties, never sampling.
        generation.do_sample = False
        generation.temperature = None
        generation.top_p = None
        generation.top_k = None
        if self.num_beams is not None:
            generation.num_beams = self.num_beams
        if (generation.num_beams or 1) == 1:
            # Beam-only settings would only raise warnings under greedy search.
            generation.length_penalty = None
            generation.early_stopping = None
            generation.num_beam_groups = None
            generation.diversity_penalty = None
        # Lengths are set per call from our budgets; the model's minimum is kept as a wish
        # (see _call_config), its max_length would clash with them.
        minimum = generation.min_new_tokens or generation.min_length or 0
        if self.seq2seq and not generation.min_new_tokens and minimum:
            minimum -= 1  # a seq2seq min_length counts the decoder start token
        self.min_new_tokens = int(minimum)
        # The model's own answer length (bart-large-cnn: 142) caps ours; a decoder-only
        # model's max_length counts its prompt, so only its max_new_tokens is taken.
        longest = generation.max_new_tokens
        if longest is None and self.seq2seq and generation.max_length:
            longest = generation.max_length - 1  # the decoder start token
        self.model_max_new = int(longest) if longest else None
        generation.min_length = None
        generation.min_new_tokens = None
        generation.max_length = None
        generation.max_new_tokens = None
        if generation.pad_token_id is None:
            generation.pad_token_id = tokenizer.pad_token_id
        if self.seq2seq and not generation.no_repeat_ngram_size:
            generation.no_repeat_ngram_size = 3  # seq2seq summarizers loop without it
        if self.mode == "completion":
            # A base model goes on writing after the list: a blank line ends it.
            generation.stop_strings = ["\n\n"]
        self.generation = generation
        eos = generation.eos_token_id
        eos_ids = list(eos) if isinstance(eos, (list, tuple)) else [eos]
        if tokenizer.eos_token_id is not None:
            eos_ids.append(tokenizer.eos_token_id)
        self.eos_ids = {int(i) for i in eos_ids if i is not None}

    def _limits(self, max_input_tokens: int | None) -> tuple[int, int]:
        """Input tokens per model call, and tokens an answer may take."""
        config = self.config
        if not self.seq2seq and hasattr(config, "get_text_config"):
            config = config.get_text_config(decoder=True)
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", None)
        if not (isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < _UNBOUNDED):
            tokenizer_limit = None
        common = ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length")
        if self.seq2seq:
            encoder = _first_int(config, ("max_encoder_position_embeddings", *common))
            decoder = _first_int(config, ("max_decoder_position_embeddings", *common))
            if encoder is None:  # relative positions: trust the tokenizer only so far
                encoder = max_input_tokens or min(
                    tokenizer_limit or RELATIVE_MAX_INPUT, RELATIVE_MAX_INPUT
                )
            # The decoder start token, and a forced first token (mBART's language code).
            answer = (decoder or RELATIVE_MAX_OUTPUT) - 2
            limits = [encoder]
        else:
            positions = _first_int(config, common)
            limits = [positions] if positions else []
            answer = 0  # set from the context below
        if tokenizer_limit is not None and not (self.seq2seq and max_input_tokens):
            limits.append(tokenizer_limit)
        limits.append(max_input_tokens or DEFAULT_MAX_INPUT_TOKENS)
        context = min(limits)
        if max_input_tokens is not None and max_input_tokens > context:
            log.warning(
                "max_input_tokens %d is more than model %s takes; using %d",
                max_input_tokens, self.model_id, context,
            )  # fmt: skip
        if not self.seq2seq:
            # The answer shares the context with the prompt: at most half of it.
            answer = context // 2
        if self.model_max_new:
            answer = min(answer, self.model_max_new)
        return context, answer

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
        pieces = (
            str(self.tokenizer.decode(ids[i : i + tokens], skip_special_tokens=True)).strip()
            for i in range(0, len(ids), tokens)
        )
        return [piece for piece in pieces if piece]

    def clean(self, text: str) -> str:
        """``text`` without the model's control tokens ("<|im_end|>", "</s>"...): article text
        must not open or close a turn, end the input or switch the language."""
        for token in self._specials:
            text = text.replace(token, " ")
        return _CONTROL_RE.sub(" ", text)

    def _final_tokens(self, bullets: int) -> int:
        wanted = self.max_new_tokens or TOKENS_PER_BULLET * bullets + TOKENS_MARGIN
        return max(1, min(wanted, self.answer_limit))

    def budget(self, bullets: int, language: str) -> int:
        """Article tokens that fit in one model input next to the prompt and the answer."""
        if self.seq2seq:
            framing = self.count([self.prefix])[0] if self.prefix else 0
            # The special tokens the tokenizer adds (end of sequence, a language code...).
            specials = len(self.tokenizer("", add_special_tokens=True)["input_ids"])
            budget = self.context - framing - specials - 1
        else:
            overhead = len(self._encode([self._prompt("", bullets, language)])[0])
            budget = self.context - overhead - self._final_tokens(bullets) - PROMPT_SLACK
        if budget < _MIN_BUDGET:
            raise BackendError(
                f"model {self.model_id!r} leaves {budget} tokens for the article "
                f"(context {self.context}); use a model with a longer context or a shorter prompt"
            )
        return budget

    # --- generation -----------------------------------------------------------------------

    def _prompt(self, article: str, bullets: int, language: str) -> str:
        content = render_prompt(self.prompt, article=article, bullets=bullets, language=language)
        if self.mode == "completion":
            return content
        text = self.tokenizer.apply_chat_template(
            [{"role": "user", "content": content}],
            tokenize=False,
            add_generation_prompt=True,
            # Qwen3-style reasoning would spend the answer budget before the first bullet.
            enable_thinking=False,
        )
        return str(text)

    def _encode(self, prompts: Sequence[str]) -> list[list[int]]:
        # A chat template writes any BOS token itself; a completion prompt needs the
        # tokenizer's (Gemma's <bos>).
        special = self.mode == "completion"
        ids = self.tokenizer(list(prompts), add_special_tokens=special)["input_ids"]
        return [list(row) for row in ids]

    def answer_prefix(self) -> str:
        """The bullet marker a completion prompt ends with: the answer's first characters."""
        if self.mode != "completion":
            return ""
        match = _TRAILING_MARKER_RE.search(self.prompt)
        return match.group(1) if match else ""

    def new_tokens(self, bullets: int, *, final: bool, budget: int) -> int:
        """How many tokens a generation may add: a full answer, or a chunk summary."""
        tokens = self._final_tokens(bullets)
        if not final:
            # A chunk summary must leave room for another in the next reduce step.
            tokens = max(8, min(tokens, budget // 3))
        return tokens

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
                f"{type(exc).__name__}: {_first_line(exc)}"
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

    # --- map-reduce -----------------------------------------------------------------------

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

    # --- guard and fill -------------------------------------------------------------------

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
