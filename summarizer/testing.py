"""Tiny random-weight models for tests and benchmarks (needs the ``transformers`` extra).

Each model gets a tokenizer trained on the fly with ``tokenizers`` (byte-level BPE, or a
SentencePiece-style unigram for the architectures whose tokenizer class expects one) and is
saved with ``save_pretrained``, so the backend loads it through its normal path. The weights
are random: the output is gibberish, but shapes, padding, chunking, batching, special tokens
and length limits are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# Qwen3's switch: with enable_thinking=false the answer starts after an empty reasoning block.
QWEN3_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n"
    "{% endif %}{% endif %}"
)
VOCAB_SIZE = 500
# Larger than the usual 0.02 so that random logits are far apart: greedy decoding then does
# not hinge on float rounding, which differs between batch shapes.
INIT_RANGE = 0.5
# mBART-style language codes the tiny mBART tokenizer knows (a subset of the real 25).
MBART_CODES = ["en_XX", "fr_XX", "de_DE", "es_XX", "sv_SE"]
SEQ2SEQ_ARCHS = ("t5", "bart", "mbart", "pegasus", "led", "marian")
DECODER_ARCHS = ("llama", "qwen3", "gemma3", "gpt2")


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


def _unigram_vocab(texts: Iterable[str], specials: list[str]) -> list[tuple[str, float]]:
    """A SentencePiece-style (piece, score) vocabulary, specials first with score 0.0."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.Unigram())
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=specials, unk_token="<unk>", show_progress=False
    )
    tokenizer.train_from_iterator(list(texts), trainer)
    vocab = json.loads(tokenizer.to_str())["model"]["vocab"]
    return [(str(piece), 0.0 if piece in specials else float(score)) for piece, score in vocab]


def _bpe_tokenizer(texts: Iterable[str], max_length: int, *, bart: bool) -> Any:
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast

    if bart:
        raw = _tokenizer(texts, ["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
        raw.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
            special_tokens=[("<s>", 0), ("</s>", 2)],
        )  # fmt: skip
        return PreTrainedTokenizerFast(
            tokenizer_object=raw, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
            unk_token="<unk>", mask_token="<mask>", model_max_length=max_length,
        )  # fmt: skip
    raw = _tokenizer(texts, ["<pad>", "</s>", "<unk>"])
    raw.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=raw, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
        model_max_length=max_length,
    )  # fmt: skip


def build_seq2seq(
    path: str | Path,
    texts: Iterable[str],
    *,
    arch: str = "t5",
    max_length: int = 64,
    positions: int | None = None,
    d_model: int = 32,
    seed: int = 0,
    generation: dict[str, Any] | None = None,
) -> Path:
    """A tiny encoder-decoder of ``arch`` (see SEQ2SEQ_ARCHS) with a tokenizer trained here.

    ``max_length`` is what the tokenizer claims; ``positions`` the model's learned positions
    (decoder, and encoder but for LED whose encoder gets four times as many); ``generation``
    settings are saved as the model's own generation config.
    """
    import torch
    import transformers

    path = Path(path)
    texts = list(texts)
    positions = positions or max_length
    common: dict[str, Any] = {
        "d_model": d_model, "encoder_layers": 1, "decoder_layers": 1,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "encoder_ffn_dim": d_model * 2, "decoder_ffn_dim": d_model * 2,
        "init_std": INIT_RANGE,
    }  # fmt: skip
    if arch == "t5":
        tokenizer = _bpe_tokenizer(texts, max_length, bart=False)
        config: Any = transformers.T5Config(
            vocab_size=len(tokenizer), d_model=d_model, d_kv=d_model // 4, d_ff=d_model * 2,
            num_layers=2, num_heads=4, pad_token_id=0, eos_token_id=1,
            decoder_start_token_id=0, initializer_factor=INIT_RANGE * 50,
        )  # fmt: skip
        model_class: Any = transformers.T5ForConditionalGeneration
    elif arch in ("bart", "led", "marian"):
        tokenizer = _bpe_tokenizer(texts, max_length, bart=True)
        ids = {"pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}
        if arch == "bart":
            config = transformers.BartConfig(
                vocab_size=len(tokenizer), max_position_embeddings=positions,
                decoder_start_token_id=2, forced_eos_token_id=2, **ids, **common,
            )  # fmt: skip
            model_class = transformers.BartForConditionalGeneration
        elif arch == "led":
            config = transformers.LEDConfig(
                vocab_size=len(tokenizer), max_encoder_position_embeddings=4 * positions,
                max_decoder_position_embeddings=positions, attention_window=16,
                decoder_start_token_id=2, **ids, **common,
            )  # fmt: skip
            model_class = transformers.LEDForConditionalGeneration
        else:
            config = transformers.MarianConfig(
                vocab_size=len(tokenizer), max_position_embeddings=positions,
                decoder_start_token_id=1, pad_token_id=1, eos_token_id=2, **common,
            )  # fmt: skip
            model_class = transformers.MarianMTModel
    elif arch == "mbart":
        specials = ["<s>", "<pad>", "</s>", "<unk>", *MBART_CODES, "<mask>"]
        tokenizer = transformers.MBartTokenizer(
            vocab=_unigram_vocab(texts, specials), src_lang="en_XX",
            additional_special_tokens=MBART_CODES, model_max_length=max_length,
        )  # fmt: skip
        config = transformers.MBartConfig(
            vocab_size=len(tokenizer), max_position_embeddings=positions,
            pad_token_id=1, bos_token_id=0, eos_token_id=2, forced_eos_token_id=2,
            decoder_start_token_id=2, **common,
        )  # fmt: skip
        model_class = transformers.MBartForConditionalGeneration
    elif arch == "pegasus":
        specials = ["<pad>", "</s>", "<mask_1>", "<mask_2>", "<unk>", "<n>"]
        tokenizer = transformers.PegasusTokenizer(
            vocab=_unigram_vocab(texts, specials), model_max_length=max_length
        )
        config = transformers.PegasusConfig(
            vocab_size=len(tokenizer), max_position_embeddings=positions, pad_token_id=0,
            eos_token_id=1, decoder_start_token_id=0, forced_eos_token_id=1, **common,
        )  # fmt: skip
        model_class = transformers.PegasusForConditionalGeneration
    else:
        raise ValueError(f"unknown seq2seq architecture {arch!r}")
    tokenizer.save_pretrained(path)
    torch.manual_seed(seed)
    model = model_class(config)
    if generation:
        for key, value in generation.items():
            setattr(model.generation_config, key, value)
    model.save_pretrained(path)
    return path


def build_chat(
    path: str | Path,
    texts: Iterable[str],
    *,
    arch: str = "llama",
    max_positions: int = 512,
    hidden: int = 32,
    seed: int = 0,
    chat_template: str | None = CHAT_TEMPLATE,
) -> Path:
    """A tiny decoder-only model of ``arch`` (see DECODER_ARCHS); ``chat_template=None``
    makes a base model (no template), as GGUF checkpoints and pretrained models come."""
    import torch
    import transformers
    from transformers import PreTrainedTokenizerFast

    path = Path(path)
    if arch == "qwen3" and chat_template == CHAT_TEMPLATE:
        chat_template = QWEN3_TEMPLATE
    specials = ["<pad>", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<bos>"]
    raw = _tokenizer(texts, specials)
    extra: dict[str, Any] = {"chat_template": chat_template} if chat_template else {}
    if arch == "gemma3":
        from tokenizers import processors

        # Gemma's tokenizer writes a BOS token before every text.
        raw.post_processor = processors.TemplateProcessing(
            single="<bos> $A", pair="<bos> $A $B", special_tokens=[("<bos>", 4)]
        )
        extra["bos_token"] = "<bos>"
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        pad_token=None if arch == "gpt2" else "<pad>",
        eos_token="<|endoftext|>" if arch == "gpt2" or not chat_template else "<|im_end|>",
        model_max_length=max_positions,
        **extra,
    )
    tokenizer.save_pretrained(path)
    eos = tokenizer.eos_token_id
    size = {"vocab_size": len(tokenizer)}
    layers = {
        "hidden_size": hidden, "intermediate_size": hidden * 2, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2,
        "max_position_embeddings": max_positions, "initializer_range": INIT_RANGE,
        "tie_word_embeddings": True, "eos_token_id": eos,
    }  # fmt: skip
    config: Any
    if arch == "llama":
        config = transformers.LlamaConfig(**size, **layers, pad_token_id=0, bos_token_id=None)
        model_class: Any = transformers.LlamaForCausalLM
    elif arch == "qwen3":
        config = transformers.Qwen3Config(**size, **layers, head_dim=hidden // 4, pad_token_id=0)
        model_class = transformers.Qwen3ForCausalLM
    elif arch == "gemma3":
        config = transformers.Gemma3TextConfig(
            **size, **layers, head_dim=hidden // 4, pad_token_id=0, bos_token_id=4,
            sliding_window=64,
        )  # fmt: skip
        model_class = transformers.Gemma3ForCausalLM
    elif arch == "gpt2":
        config = transformers.GPT2Config(
            **size, n_embd=hidden, n_layer=2, n_head=4, n_positions=max_positions,
            bos_token_id=eos, eos_token_id=eos, initializer_range=INIT_RANGE,
        )  # fmt: skip
        model_class = transformers.GPT2LMHeadModel
    else:
        raise ValueError(f"unknown decoder architecture {arch!r}")
    torch.manual_seed(seed)
    model_class(config).save_pretrained(path)
    return path


def build_encoder(path: str | Path, texts: Iterable[str]) -> Path:
    """A tiny BERT-style encoder-only model: it cannot generate text."""
    import transformers
    from transformers import PreTrainedTokenizerFast

    path = Path(path)
    raw = _tokenizer(texts, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=128,
    )  # fmt: skip
    tokenizer.save_pretrained(path)
    config = transformers.BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip
    transformers.BertForMaskedLM(config).save_pretrained(path)
    return path
