"""Tiny random-weight models for tests and benchmarks (needs the ``transformers`` extra).

Each model gets a byte-level BPE tokenizer trained on the fly with ``tokenizers`` and is
saved with ``save_pretrained``, so the backend loads it through its normal path. The weights
are random: the output is gibberish, but shapes, padding, chunking and batching are real.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
VOCAB_SIZE = 500
# Larger than the usual 0.02 so that random logits are far apart: greedy decoding then does
# not hinge on float rounding, which differs between batch shapes.
INIT_RANGE = 0.5


def _tokenizer(texts: Iterable[str], specials: list[str]) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(list(texts), trainer)
    return tokenizer


def build_seq2seq(
    path: str | Path,
    texts: Iterable[str],
    *,
    max_length: int = 64,
    d_model: int = 32,
    seed: int = 0,
) -> Path:
    """A T5-style encoder-decoder whose tokenizer accepts ``max_length`` tokens."""
    import torch
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

    path = Path(path)
    raw = _tokenizer(texts, ["<pad>", "</s>", "<unk>"])
    raw.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=max_length,
    )
    tokenizer.save_pretrained(path)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=d_model,
        d_kv=d_model // 4,
        d_ff=d_model * 2,
        num_layers=2,
        num_heads=4,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        initializer_factor=INIT_RANGE * 50,
    )
    torch.manual_seed(seed)
    T5ForConditionalGeneration(config).save_pretrained(path)
    return path


def build_chat(
    path: str | Path,
    texts: Iterable[str],
    *,
    max_positions: int = 512,
    hidden: int = 32,
    seed: int = 0,
) -> Path:
    """A Llama-style decoder-only model with a ChatML chat template."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    path = Path(path)
    raw = _tokenizer(texts, ["<pad>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        pad_token="<pad>",
        eos_token="<|im_end|>",
        model_max_length=max_positions,
        chat_template=CHAT_TEMPLATE,
    )
    tokenizer.save_pretrained(path)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        pad_token_id=0,
        bos_token_id=None,
        eos_token_id=3,
        tie_word_embeddings=True,
        initializer_range=INIT_RANGE,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(path)
    return path
