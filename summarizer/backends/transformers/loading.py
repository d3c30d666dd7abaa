"""Loading: the backend's constructor, the model and tokenizer read through
``from_pretrained``, the deterministic generation config, and the input and answer limits."""

from __future__ import annotations

import copy
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...abstractive import COMPLETION_PROMPT, DEFAULT_PROMPT, check_template
from ...errors import BackendError, UsageError
from .. import BaseBackend
from .checkpoint import (
    check_architecture,
    has_tokenizer_files,
    language_codes,
    load_tokenizer,
    read_config,
    source_options,
    special_tokens,
    weights_error,
)
from .device import _cores, _has_accelerate, _import, load_options, pick_device, pick_dtype

log = logging.getLogger("summarizer")

# Longest input we feed any model, whatever its tokenizer claims: attention costs grow with
# the square of the length (a tokenizer claiming 100,000 tokens once made one 17,600-token
# chunk and an 11.6 GB peak), and map-reduce handles the rest. max_input_tokens overrides it.
DEFAULT_MAX_INPUT_TOKENS = 4096
# Models with relative positions (T5, mT5) state no limit; they were trained on 512 tokens and
# hold up to about twice that.
RELATIVE_MAX_INPUT = 1024
RELATIVE_MAX_OUTPUT = 512
# A tokenizer limit this large means "none stated".
_UNBOUNDED = 1_000_000
# Fewest article tokens a model input may leave room for.
_MIN_BUDGET = 16


def _first_int(config: Any, names: Sequence[str]) -> int | None:
    for name in names:
        value = getattr(config, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


class _Loaded(BaseBackend):
    """A Hugging Face model and tokenizer, loaded and set up for deterministic generation."""

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
        kwargs = source_options(model, folder, local, trust_remote_code, gguf_file)
        config = read_config(transformers, model, source, local, kwargs)
        self.seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        check_architecture(transformers, model, config, seq2seq=self.seq2seq)
        if local and not gguf_file and not has_tokenizer_files(folder):
            raise BackendError(
                f"model folder {model!r} has no tokenizer files (tokenizer.json, "
                "tokenizer.model, vocab.json...), as a Trainer checkpoint; save the base "
                "model's tokenizer into it: AutoTokenizer.from_pretrained(BASE)"
                f".save_pretrained({str(folder)!r})"
            )
        tokenizer = load_tokenizer(transformers, model, source, kwargs)
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
            raise BackendError(weights_error(model, exc)) from exc
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
        self._specials = special_tokens(tokenizer)
        self.newline_token = "<n>" if "<n>" in tokenizer.get_vocab() else None
        self.lang_codes = language_codes(tokenizer)
        self._setup_generation(network, tokenizer)

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
