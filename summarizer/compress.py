"""Sentence compression by deletion: one fact per bullet, words never rewritten.

Rules come from per-language data files (``summarizer/data/compress/<lang>.json``): leading
connectives, fact-free attributions, concessive clauses, fillers; parentheticals are dropped in
every language. A rule only deletes a span, and is applied only when what is left is still a
sentence (enough words, the main clause intact); the first letter is upper-cased when a leading
span goes. Hedges stay: "aurait commandé" is a fact about the source, not noise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .sentences import words

# Below this many words a deletion has probably cut into the main clause.
MIN_WORDS = 4
# A leading clause longer than this is likely the main clause, not a preamble.
MAX_PREAMBLE_WORDS = 15
# A main clause left after cutting a trailing clause must still say something: at least this
# many words, and by default two thirds of the cap (a bullet loses its tail, not its point).
MIN_CUT_HEAD = 8
_APOSTROPHE = "['’]"
_FINAL_RE = re.compile(r"[.!?…。！？]+[\"'»”’)]*\s*$")
# An aside in brackets, not a Markdown link ("[text](url)") nor a web address.
_PARENTHETICAL_RE = re.compile(
    r"(?<!\])\s*(?:\((?![^()]*://)[^()]{1,200}\)|\[[^\[\]]{1,200}\](?!\())"
)
_QUOTE_CHARS = frozenset('"«»“”„')


@dataclass(frozen=True)
class Rules:
    """Compiled deletion rules of one language."""

    leading: tuple[re.Pattern[str], ...]
    trailing: tuple[re.Pattern[str], ...]
    inner: tuple[re.Pattern[str], ...]
    fillers: re.Pattern[str] | None
    attribution: re.Pattern[str] | None
    # Where a trailing clause starts (a comma, then a relative pronoun, a conjunction or a
    # participle): cut there only when a bullet is over its word cap.
    cuts: re.Pattern[str] | None = None
    # A name, then ", the company's founder," (an appositive): the aside goes when over the cap.
    appositive: re.Pattern[str] | None = None


def _alternation(phrases: list[str]) -> str:
    # Longest first, so "en effet" wins over "en"; apostrophes match ' and ’.
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(
        _APOSTROPHE.join(re.escape(part) for part in re.split("['’]", phrase)) for phrase in ordered
    )


def _phrases_pattern(
    template: str, phrases: list[str], *, joined: bool = True
) -> re.Pattern[str] | None:
    """Compile ``template`` with ``{p}`` standing for any of ``phrases``.

    With ``joined``, {p} also takes the space after the phrase (none after an elided "qu'").
    """
    if not phrases:
        return None
    if joined:
        spaced = [p for p in phrases if p[-1] not in "'’"]
        elided = [p for p in phrases if p[-1] in "'’"]
        parts = []
        if spaced:
            parts.append(f"(?:{_alternation(spaced)})\\s+")
        if elided:
            parts.append(f"(?:{_alternation(elided)})")
        group = "(?:" + "|".join(parts) + ")"
    else:
        group = f"(?:{_alternation(phrases)})"
    return re.compile(template.replace("{p}", group), re.IGNORECASE)


@cache
def rules(language: str) -> Rules | None:
    """The deletion rules of ``language``, or None when none are shipped."""
    resource = resources.files("summarizer") / "data" / "compress" / f"{language}.json"
    if not resource.is_file():
        return None
    data = json.loads(resource.read_text(encoding="utf-8"))

    def words_of(key: str) -> list[str]:
        return list(data.get(key, []))

    leading = [
        _phrases_pattern(r"^{p}", words_of("leading_phrases")),
        _phrases_pattern(r"^{p}\s*,\s*", words_of("leading_connectives"), joined=False),
        _phrases_pattern(r"^{p}[^,;:]{1,120}?,\s*", words_of("leading_concessives")),
    ]
    end = r"(?=[.!?…]*[\"'»”’)]*\s*$)"
    trailing = [
        _phrases_pattern(r"\s*,\s*{p}[^;:]*?" + end, words_of("trailing_concessives")),
        # An attribution may end right there (", selon la presse.").
        _phrases_pattern(
            r"\s*,\s*{p}(?:\s[^;:]*?)?" + end, words_of("trailing_attributions"), joined=False
        ),
    ]
    inner = [
        _phrases_pattern(r",\s*{p}\s*,", words_of("inner_connectives"), joined=False),
        _phrases_pattern(r"(?<=\w)\s+{p}(?=\s+\w)", words_of("inner_bare"), joined=False),
    ]
    boundaries = []
    if words_of("clause_cuts"):
        boundaries.append(f"(?:{_alternation(words_of('clause_cuts'))})" + r"(?:\s|(?<=['’]))")
    if data.get("trailing_participle"):
        boundaries.append(data["trailing_participle"] + r"\s")
    cuts = (
        re.compile(r"\s*,\s*(?=(?:" + "|".join(boundaries) + "))", re.IGNORECASE)
        if boundaries
        else None
    )
    # The name (one to four words; capitalised, checked on use), then the aside between commas.
    appositive = _phrases_pattern(
        r"^([^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3})\s*,\s*{p}"
        r"[^,;:()«»\"“”]{1,150}?,\s*",
        words_of("appositive_openers"),
    )
    return Rules(
        cuts=cuts,
        appositive=appositive,
        leading=tuple(p for p in leading if p is not None),
        trailing=tuple(p for p in trailing if p is not None),
        inner=tuple(p for p in inner if p is not None),
        fillers=_phrases_pattern(r"(?<!\w){p}(?=\w)", words_of("fillers")),
        attribution=_phrases_pattern(
            r"^{p}(?:\s[^,;:]{1,120}?)?\s*,\s*", words_of("leading_attributions"), joined=False
        ),
    )


def _word_count(text: str) -> int:
    return len(words(text))


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _final(text: str) -> str:
    match = _FINAL_RE.search(text)
    return match.group().strip() if match else ""


def _try(text: str, candidate: str, original_words: int) -> str:
    """Keep ``candidate`` when it is still a sentence of its own, else ``text``."""
    if candidate == text:  # the rule deleted nothing (the usual case): nothing to check
        return text
    n = _word_count(candidate)
    if n < MIN_WORDS or n < original_words // 4:
        return text
    if not candidate[:1].isalnum() and candidate[:1] not in _QUOTE_CHARS:
        return text
    return candidate


def _drop_leading(text: str, pattern: re.Pattern[str], original: int) -> str:
    match = pattern.match(text)
    if match is None or _word_count(match.group()) > MAX_PREAMBLE_WORDS:
        return text
    return _try(text, _capitalise(text[match.end() :]), original)


def _drop_trailing(text: str, pattern: re.Pattern[str], original: int) -> str:
    match = pattern.search(text)
    if match is None:
        return text
    head = text[: match.start()].rstrip()
    # An unclosed quote or parenthesis means the clause belongs inside it: leave it.
    if head.count("(") != head.count(")") or head.count("«") != head.count("»"):
        return text
    return _try(text, head + (_final(text) or "."), original)


def compress(text: str, language: str, max_words: int = 0, min_cut_words: int | None = None) -> str:
    """``text`` with fact-free spans deleted (see the module docstring); never rewrites a word.

    When the result is still longer than ``max_words`` (0: no limit), an appositive after a
    leading name goes ("ByteDance, la société mère de TikTok, aurait" -> "ByteDance aurait"),
    then the sentence ends at the last clause boundary (relative pronoun, conjunction,
    participle after a comma) that fits and keeps ``min_cut_words`` (default: two thirds of
    ``max_words``).
    """
    original = _word_count(text)
    if original < MIN_WORDS:
        return text
    lang = rules(language)
    result = text
    for _ in range(3):  # "Cependant, en effet, ..." needs more than one pass
        before = result
        result = _one_pass(result, lang, original)
        if result == before:
            break
    if lang is not None and lang.appositive is not None and 0 < max_words < _word_count(result):
        result = _drop_appositive(result, lang.appositive, original)
    if lang is not None and lang.cuts is not None and 0 < max_words < _word_count(result):
        floor = (2 * max_words) // 3 if min_cut_words is None else min_cut_words
        result = _cut_clause(result, lang.cuts, max_words, max(MIN_CUT_HEAD, floor))
    return result


def _one_pass(text: str, lang: Rules | None, original: int) -> str:
    """Each deletion once: asides, fillers and inner clauses, leading connectives,
    attributions, trailing clauses (those of ``lang``; asides alone without)."""
    text = _try(text, _PARENTHETICAL_RE.sub("", text), original)
    if lang is None:
        return text
    for pattern in (lang.fillers, *lang.inner):
        if pattern is not None:
            text = _try(text, pattern.sub("", text), original)
    for pattern in lang.leading:
        text = _drop_leading(text, pattern, original)
    if lang.attribution is not None:
        text = _drop_attribution(text, lang.attribution, original)
    for pattern in lang.trailing:
        text = _drop_trailing(text, pattern, original)
    return text


def _drop_attribution(text: str, pattern: re.Pattern[str], original: int) -> str:
    rest = pattern.sub("", text, count=1)
    # Without its "according to", a quotation would read as a stated fact.
    if rest == text or any(ch in _QUOTE_CHARS for ch in rest):
        return text
    return _drop_leading(text, pattern, original)


def _cut_clause(text: str, cuts: re.Pattern[str], max_words: int, min_words: int) -> str:
    """End ``text`` at the latest clause boundary within ``max_words`` (else the first one)."""
    heads = []
    for match in cuts.finditer(text):
        head = text[: match.start()].rstrip()
        n = _word_count(head)
        balanced = head.count("(") == head.count(")") and head.count("«") == head.count("»")
        if n >= min_words and balanced and head.count('"') % 2 == 0:
            heads.append((n, head))
    if not heads:
        return text
    fitting = [head for n, head in heads if n <= max_words]
    head = fitting[-1] if fitting else heads[0][1]
    return head + (_final(text) or ".")


def _drop_appositive(text: str, pattern: re.Pattern[str], original: int) -> str:
    match = pattern.match(text)
    if match is None or not all(word[:1].isupper() for word in match.group(1).split()):
        return text
    return _try(text, match.group(1) + " " + text[match.end() :], original)
