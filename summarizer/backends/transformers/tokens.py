"""Token arithmetic and prompts: counts, cuts, the article's token budget next to the prompt
and the answer, and the chat or completion prompt itself."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...abstractive import render_prompt
from ...errors import BackendError
from .loading import _MIN_BUDGET, _Loaded

# Tokens a generated bullet may take, and a margin for the list's framing.
TOKENS_PER_BULLET = 48
TOKENS_MARGIN = 16
# Tokens kept free in a chat prompt for template/article boundary effects.
PROMPT_SLACK = 8
# Chat markers of the common template families, also when the tokenizer does not know them.
_CONTROL_RE = re.compile(
    r"<\|[^|<>\s]{1,40}\|>|</?(?:start_of_turn|end_of_turn|think)>|\[/?INST\]|<</?SYS>>"
)
_TRAILING_MARKER_RE = re.compile(r"(?:^|\n)([-*•] )$")


class _Tokens(_Loaded):
    """Token counts and budgets, and prompts, of a loaded model."""

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
