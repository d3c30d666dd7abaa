"""Boilerplate: sentences of a page that are not article content, kept out of the bullets.

Credit lines, newsletter and social prompts, "Read more" links, captions, copyright and reprint
notices sit between the paragraphs of real pages, and extraction cannot always tell them from
the article. They are recognised first by language-neutral cues (a web or e-mail address, a
handle, a label in capitals before a colon, a pipe between menu entries, a copyright sign), then
by short per-language lists of patterns shipped as data (``data/boilerplate/<lang>.txt``; English
ones apply to every page, since English furniture is common on pages in any language).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

from .models import Sentence

_NEUTRAL_RE = re.compile(
    r"\s\|\s|\|\s*$"  # menu entries or breadcrumbs
    r"|©|\(c\)\s*\d{4}"  # a copyright notice
)
# Web and e-mail addresses and handles, each whole.
_ADDRESS_RE = re.compile(
    r"(?i:[a-z][a-z0-9+.-]{1,15}://|\bwww\.)\S{0,2000}"  # a web address
    r"|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"  # an e-mail address
    r"|(?<![\w@])@\w{2,}"  # a handle
)
# A sentence with an address is a link prompt ("More AP NBA: https://...", "Follow us at
# https://...") when the address ends it, a colon comes before it, or the rest is this short;
# a long sentence that cites an address in passing is content.
ADDRESS_PROSE_WORDS = 10
# What every match of _NEUTRAL_RE holds: most sentences have none and are not scanned.
_NEUTRAL_HINTS = ("://", "www.", "@", "|", "©", "(c)")
# A label in capitals before a colon opens the line: "SOURCE:", "ATENÇÃO:", "READ MORE:".
_LABEL_RE = re.compile(r"[^\W\d_a-z]{2,}(?:\s+[^\W\d_a-z]{2,}){0,2}\s*:")
# A short line of its own without final punctuation is page furniture (a caption, a byline,
# "Additional reporting by ..."), not a sentence of the article.
FRAGMENT_MAX_WORDS = 20
_FINAL = tuple(".!?…。！？\"'»”’)")
# Languages with a shipped list (English applies to all).
LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "nl")


@cache
def patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """The boilerplate patterns shipped for ``language``: those anchored at the start of a
    sentence and the others, each as one regex over lower-cased text; None when none ship."""
    resource = resources.files("summarizer") / "data" / "boilerplate" / f"{language}.txt"
    if not resource.is_file():
        return None
    lines = [
        line.strip()
        for line in resource.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    anchored = [line[1:] for line in lines if line.startswith("^")]
    # Every other pattern starts at a word ("\\b..."): one word boundary in front of the whole
    # alternation, not one per pattern, lets the regex engine try them at word starts only
    # (several times faster).
    inner = [line.removeprefix("\\b") for line in lines if not line.startswith("^")]
    return (
        re.compile("(?:" + "|".join(f"(?:{p})" for p in anchored or ["(?!)"]) + ")"),
        re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in inner or ["(?!)"]) + ")"),
    )


def is_boilerplate(text: str, language: str) -> bool:
    """True when the sentence ``text`` is page furniture rather than article content."""
    lowered = text.lower()
    if any(hint in lowered for hint in _NEUTRAL_HINTS) and (
        _NEUTRAL_RE.search(text) or _link_prompt(text)
    ):
        return True
    if _LABEL_RE.match(text):
        return True
    for code in dict.fromkeys((language, "en")):
        compiled = patterns(code)
        if compiled is not None and (compiled[0].match(lowered) or compiled[1].search(lowered)):
            return True
    return False


def _link_prompt(text: str) -> bool:
    addresses = list(_ADDRESS_RE.finditer(text))
    if not addresses:
        return False
    rest = text[addresses[-1].end() :].strip(" .,;:!?)]}\"'’”»")
    if not rest or ":" in text[: addresses[0].start()]:
        return True
    return len(_ADDRESS_RE.sub(" ", text).split()) < ADDRESS_PROSE_WORDS


def is_fragment(sentences: Sequence[Sentence], i: int) -> bool:
    """True for a short line of its own without final punctuation (alone in its block)."""
    sentence = sentences[i]
    if sentence.text.rstrip().endswith(_FINAL):
        return False
    if len(sentence.text.split()) > FRAGMENT_MAX_WORDS:
        return False
    alone_before = i == 0 or sentences[i - 1].block != sentence.block
    alone_after = i + 1 == len(sentences) or sentences[i + 1].block != sentence.block
    return alone_before and alone_after


def is_furniture(sentences: Sequence[Sentence], i: int, language: str) -> bool:
    """True when sentence ``i`` is boilerplate or a lone fragment: never a bullet."""
    return is_fragment(sentences, i) or is_boilerplate(sentences[i].text, language)


def without_furniture(chosen: list[int], sentences: Sequence[Sentence], language: str) -> list[int]:
    """``chosen`` without furniture (see is_furniture), which a selection takes only to fill up
    when too few other sentences are left: fewer bullets rather than a credit line. A text made
    of nothing else (one line) keeps its first choice."""
    kept = [i for i in chosen if not is_furniture(sentences, i, language)]
    return kept or chosen[:1]
