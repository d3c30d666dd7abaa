"""Model-independent parts of abstractive summarization: prompt, chunk packing, output parsing.

Pure Python, so they are tested without torch; the transformers backend builds on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .bullets import cap_words, effective_target, fit_words
from .clean import normalize_spaces
from .sentences import segment

# The instruction sent to chat models. Placeholders: {bullets}, {language} (English name),
# {language_code} and {article}. Override it with ``prompt=`` / ``prompt_file=`` (CLI:
# ``--prompt-file``). Written in English on purpose: instruction-tuned models follow English
# instructions best, and the output language is asked for explicitly.
DEFAULT_PROMPT = """\
Summarize the news article below as exactly {bullets} bullet points, written in {language}.
Each bullet is one short sentence that states one fact from the article.
Use only names and numbers that appear in the article. Do not add a title, an introduction \
or a conclusion: answer with the bullets only, one per line, each starting with "- ".

Article:
{article}"""

# The prompt of a base (not instruction-tuned) model, which has no chat template: it continues
# the text, so the article is followed by the cue such texts carry before a summary, and by
# the first bullet's marker. A blank line ends the answer.
COMPLETION_PROMPT = "{article}\n\nTL;DR:\n- "

PLACEHOLDERS = ("bullets", "language", "language_code", "article")

LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay",
    "nl": "Dutch", "no": "Norwegian", "nb": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian",
    "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
    "zh-cn": "Chinese", "zh-tw": "Chinese",
}  # fmt: skip


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code, for prompts ("the article's language" if unknown)."""
    return LANGUAGE_NAMES.get(code.lower(), "the same language as the article")


def check_template(template: str) -> None:
    """Raise ValueError unless ``template`` formats with our placeholders and uses {article}."""
    if "{article}" not in template:
        raise ValueError("the prompt template must contain {article}")
    try:
        template.format(**dict.fromkeys(PLACEHOLDERS, ""))
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"bad prompt template ({exc}); placeholders are "
            + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            + "; write literal braces as {{ and }}"
        ) from exc


def render_prompt(template: str, *, article: str, bullets: int, language: str) -> str:
    """The instruction for one article (or chunk) in ``language`` (an ISO code)."""
    return template.format(
        article=article,
        bullets=bullets,
        language=language_name(language),
        language_code=language,
    )


# --- chunking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Packed:
    """Texts that each fit the token budget, and whether anything had to be left out."""

    chunks: tuple[str, ...]
    truncated: bool


def pack(
    pieces: Sequence[str],
    count: Callable[[Sequence[str]], list[int]],
    budget: int,
    *,
    max_chunks: int | None = None,
    joiner: str = " ",
) -> Packed:
    """Greedily join consecutive ``pieces`` into chunks of at most ``budget`` tokens.

    ``count`` returns the token count of each text it is given. Pieces are never split here:
    the caller cuts any piece longer than the budget first. Chunks beyond ``max_chunks`` are
    dropped (news puts the essentials first) and reported as ``truncated``.
    """
    if budget < 1:
        raise ValueError("budget must be positive")
    sizes = count(pieces)
    groups: list[list[str]] = []
    current: list[str] = []
    used = 0
    for piece, size in zip(pieces, sizes, strict=True):
        # +1 per joiner: a separator can cost a token of its own.
        extra = size + (1 if current else 0)
        if current and used + extra > budget:
            groups.append(current)
            current, used = [], 0
            extra = size
        current.append(piece)
        used += extra
    if current:
        groups.append(current)
    chunks = [joiner.join(group) for group in groups]
    # Token counts are not additive at every boundary: re-measure and move the last piece on
    # when a joined chunk came out over budget.
    fixed: list[str] = []
    pending = list(groups)
    while pending:
        group = pending.pop(0)
        text = joiner.join(group)
        if len(group) > 1 and count([text])[0] > budget:
            pending.insert(0, group[-1:])
            pending.insert(0, group[:-1])
            continue
        fixed.append(text)
    chunks = fixed
    truncated = False
    if max_chunks is not None and len(chunks) > max_chunks:
        chunks, truncated = chunks[:max_chunks], True
    return Packed(tuple(chunks), truncated)


# --- output parsing -------------------------------------------------------------------------

_THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE_RE = re.compile(r"^\s*```")
# "- ", "* ", "+ ", "1. ", "2) ", "(3) ", or a bullet glyph with or without a space. "-5 %"
# and "1.5 million" are not markers: the ASCII ones need a space after them.
_MARKER_RE = re.compile(r"^\s*(?:[-*+–—]\s+|[•·‣▪●◦]\s*|\(?\d{1,2}[.)]\s+)(?=\S)")
_HEADING_RE = re.compile(r"^\s*(?:#{1,6}\s|\*\*[^*]+\*\*:?\s*$|__[^_]+__:?\s*$)")
_EMPHASIS_RE = re.compile(r"(\*\*|__)(.+?)\1")
# Inline HTML a model trained on web text writes around names ("<strong>Huawei</strong>").
_TAG_RE = re.compile(r"</?(?:strong|b|em|i|u|mark|span|code)(?:\s[^<>]*)?>", re.IGNORECASE)
_LEAD_IN_RE = re.compile(
    r"^(?:sure|certainly|of course|okay|ok|here (?:is|are)|voici|voilà|aquí|hier (?:sind|ist)"
    r"|ecco|eis|oto|вот)\b",
    re.IGNORECASE,
)
_ENDS_SENTENCE = tuple(".!?…。！？\"'»”’)")


def parse_bullets(text: str, language: str = "und", *, cut_off: bool = False) -> list[str]:
    """Bullets from a model's raw output: numbered, dashed, starred or plain lines.

    Preamble ("Here are 3 bullet points:"), headings, code fences, reasoning blocks and
    chatter after a list are dropped. A plain paragraph is split into sentences. When the
    output was ``cut_off`` by the token limit, an unfinished last bullet is dropped.
    """
    text = _THINK_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line for line in text.split("\n") if not _FENCE_RE.match(line)]
    marked = [bool(_MARKER_RE.match(line)) for line in lines]
    if any(marked):
        items = _list_items(lines, marked)
    else:
        items = [
            stripped[start:end]
            for stripped in (line.strip() for line in lines if not _is_preamble(line))
            for start, end in segment(stripped, language)
        ]
    bullets = _distinct_bullets(items)
    if cut_off and bullets and not bullets[-1].endswith(_ENDS_SENTENCE):
        bullets.pop()
    return bullets


def _list_items(lines: list[str], marked: list[bool]) -> list[str]:
    """A list's items with their wrapped continuation lines; a blank line or an unmarked line
    after a blank ends an item (and drops the chatter that follows)."""
    items: list[str] = []
    in_item = False
    for line, is_item in zip(lines, marked, strict=True):
        if is_item:
            items.append(_MARKER_RE.sub("", line, count=1))
            in_item = True
        elif not line.strip():
            in_item = False
        elif in_item and not _HEADING_RE.match(line):
            items[-1] = items[-1].rstrip() + " " + line.strip()
    return items


def _distinct_bullets(items: list[str]) -> list[str]:
    """Cleaned items, each once (case-insensitively), without lead-ins ending with a colon or
    items with no letter or digit."""
    bullets = []
    seen: set[str] = set()
    for item in items:
        cleaned = _clean(item)
        key = cleaned.casefold()
        if not cleaned or key in seen or cleaned.endswith((":", "：")):
            continue
        if not any(ch.isalnum() for ch in cleaned):
            continue
        seen.add(key)
        bullets.append(cleaned)
    return bullets


def _is_preamble(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return True
    if _HEADING_RE.match(stripped):
        return True
    if stripped.endswith((":", "：")):
        return True
    if _LEAD_IN_RE.match(stripped) and len(stripped.split()) <= 12:
        return True
    # A lone word or two without final punctuation ("Summary", "TL;DR") is a heading.
    return len(stripped.split()) <= 2 and not stripped.endswith(_ENDS_SENTENCE)


def _clean(item: str) -> str:
    # U+FFFD: half a multi-byte character, left where byte-level decoding was cut.
    # Control characters (a model can emit them) must not reach a reader's terminal either.
    text = _TAG_RE.sub("", _EMPHASIS_RE.sub(r"\2", item))
    text = normalize_spaces(text.replace("\ufffd", ""))
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def limit_words(text: str, target_words: int, max_words: int) -> str:
    """A generated bullet fitted as an extractive one: cut after its last whole clause within
    ``target_words`` (else kept whole), then held to the hard cap ``max_words`` (0: none)."""
    return cap_words(fit_words(text, effective_target(target_words, max_words)), max_words)
