"""A model checkpoint: where ``from_pretrained`` reads it (a folder, a GGUF file, the cache),
whether it can summarize at all, its tokenizer, and errors that say what is wrong with it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...errors import BackendError

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


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def source_options(
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


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()


def read_config(
    transformers: Any, model: str, source: str, local: bool, kwargs: dict[str, Any]
) -> Any:
    """The model's config; a BackendError that says why it cannot be read."""
    try:
        return transformers.AutoConfig.from_pretrained(source, **kwargs)
    except Exception as exc:
        if "trust_remote_code" in str(exc):
            reason = (
                "it runs code from its repository; pass --trust-remote-code "
                "(trust_remote_code=True) if you trust its authors"
            )
        elif local or kwargs.get("gguf_file"):
            reason = first_line(exc)
        elif _offline():
            reason = "not a local folder and not in the Hugging Face cache (HF_HUB_OFFLINE=1)"
        else:
            reason = f"not a local folder; {first_line(exc)}"
        raise BackendError(f"cannot load model {model!r}: {reason}") from exc


def check_architecture(transformers: Any, model: str, config: Any, *, seq2seq: bool) -> None:
    """A BackendError when ``config`` is of a model that cannot write a summary."""
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
    if seq2seq or "AutoModelForCausalLM" in auto_map:
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


def has_tokenizer_files(folder: Path) -> bool:
    """Whether ``folder`` holds a tokenizer's vocabulary."""
    return any((folder / name).is_file() for name in _TOKENIZER_FILES) or any(
        folder.glob("*.tiktoken")
    )


def load_tokenizer(transformers: Any, model: str, source: str, kwargs: dict[str, Any]) -> Any:
    """The model's tokenizer; a BackendError when it is missing, damaged or empty."""
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
    except Exception as exc:
        reason = first_line(exc)
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


def weights_error(model: str, exc: BaseException) -> str:
    """The message for weights that would not load: damaged, out of memory, or else."""
    name = type(exc).__name__
    text = str(exc)
    if "Safetensor" in name or "header" in text.lower() or "deserializ" in text.lower():
        return (
            f"cannot load the weights of model {model!r}: the weights file is damaged or "
            f"incomplete ({first_line(exc)}); download or save it again"
        )
    if "out of memory" in text.lower():
        return (
            f"cannot load model {model!r}: out of memory ({first_line(exc)}); try "
            "--dtype bfloat16, another --device, or a smaller model"
        )
    return f"cannot load the weights of model {model!r}: {first_line(exc)}"


def special_tokens(tokenizer: Any) -> list[str]:
    """The tokenizer's special tokens, longest first."""
    tokens = set(getattr(tokenizer, "all_special_tokens", []) or [])
    for token in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).values():
        if getattr(token, "special", False):
            tokens.add(str(token.content))
    # Longest first, so that "<|im_end|>" goes before a "<|im" another token might be.
    return sorted((t for t in tokens if t.strip()), key=len, reverse=True)


def language_codes(tokenizer: Any) -> dict[str, str]:
    """ISO 639-1 code -> the tokenizer's language code (mBART-style "fr_XX")."""
    codes = getattr(tokenizer, "lang_code_to_id", None)
    if not isinstance(codes, dict) or not hasattr(tokenizer, "src_lang"):
        return {}
    found: dict[str, str] = {}
    for code in codes:
        found.setdefault(str(code).split("_")[0].lower(), str(code))
    return found
