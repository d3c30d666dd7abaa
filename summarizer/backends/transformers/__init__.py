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

The backend is built in layers, one module each: ``device`` (torch, device, dtype, cores),
``checkpoint`` (where a model is read from and whether it can summarize), ``loading`` (the
constructor, model, tokenizer, generation config, limits), ``tokens`` (counts, budgets,
prompts), ``generation`` (batches, out-of-memory back-off), ``mapreduce`` (chunks, reduce
steps, the guard and the extractive fill); the class below is the last layer.
"""

from __future__ import annotations

from .device import DEVICES, DTYPES, INSTALL_HINT, load_options, pick_device, pick_dtype
from .device import _cores as _cores
from .loading import DEFAULT_MAX_INPUT_TOKENS, RELATIVE_MAX_INPUT, RELATIVE_MAX_OUTPUT
from .mapreduce import _MapReduce
from .tokens import PROMPT_SLACK, TOKENS_MARGIN, TOKENS_PER_BULLET

__all__ = [
    "DEFAULT_MAX_INPUT_TOKENS",
    "DEVICES",
    "DTYPES",
    "INSTALL_HINT",
    "PROMPT_SLACK",
    "RELATIVE_MAX_INPUT",
    "RELATIVE_MAX_OUTPUT",
    "TOKENS_MARGIN",
    "TOKENS_PER_BULLET",
    "TransformersBackend",
    "load_options",
    "pick_device",
    "pick_dtype",
]


class TransformersBackend(_MapReduce):
    """Abstractive bullets from a local or cached Hugging Face model."""

    name = "transformers"
    # One loaded model serves the whole process: a batch runs it in one process and hands it
    # articles in groups rather than loading a copy per worker (see summarizer.batch).
    one_model_per_process = True
