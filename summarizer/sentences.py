"""Sentences stage: split blocks into sentences (with offsets) and sentences into terms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from functools import cache

from .clean import display_text
from .models import UNDETERMINED, Document, Sentence
from .wordlists import stopwords_iso

# Scraped pages glue sentences together ("domestique.Consternant", "2023.Les"): a full stop
# between a lower-case word (or a number) and a capitalised word is a boundary. The match is
# the stop itself (the boundary is its end): a pattern that opens with a character class lets
# the regex engine skip to the stops, where one made of lookarounds is tried at every position.
_GLUE_RE = re.compile(r"[.!?](?<=[^\W_]{2}[.!?])(?=[^\W\d_][^\W\d_])")
# A full stop after a word of 3+ letters, then spaces and a capitalised word: the segmenter may
# have kept these together, taking the word for an abbreviation ("dieser Art. Die Maschine").
_ABBREVIATION_RE = re.compile(r"(?<![\w.])[^\W\d_]{3,}\.(\s+)(?=([^\W\d_][^\W_]*))")
# What every match of _ABBREVIATION_RE holds: most sentences have no full stop but their last.
_STOP_THEN_SPACE_RE = re.compile(r"\.\s")
# Script left in text: a whole <script> or <style> element (its content is never prose), or a
# JavaScript assignment up to the end of its statement, a tag or the end of the text (a tag
# ends it: "x=7</script> Production of chips..." goes on with prose after the tag).
_CODE_RE = re.compile(
    r"(?i:<(script|style)\b[^>]{0,500}>[\s\S]*?(?:</\1\s*>|$))"
    r"|(?:\bwindow\.\w+|\bdocument\.\w+|\b(?:var|let|const)\s+\w+)\s*=\s*(?:new\s+\w+\s*)?"
    r"[\s\S]*?(?:\}\s*\)\s*;|\)\s*;|(?=</?[A-Za-z])|$)"
)
# Every match of _CODE_RE starts with one of these (in lower case): a text without any (most
# articles) is not scanned with the pattern, which costs several times more than looking for
# the words.
_CODE_WORDS = ("window.", "document.", "var", "let", "const", "<script", "<style")
# The attributes of an HTML tag: group 1 is the tag's name, group 2 its attributes.
_ATTRIBUTES_RE = re.compile(r"(<[A-Za-z][\w:-]{0,30})(\s[^<>]{0,2000})(?=/?>)")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD_RE = re.compile(r"\w+")
_CJK_RUN_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+|\d+", re.UNICODE
)
# What _CJK_RUN_RE finds in text without CJK characters (digits are word characters already).
_ALNUM_RE = re.compile(r"[^\W_]+")

# A "sentence" longer than this (text without punctuation, a pasted table) is cut into pieces at
# spaces: bullets stay readable and the work per sentence (markup patterns, cutting to
# max_words) stays bounded however the input is written.
MAX_SENTENCE_CHARS = 1000
# sentencex is handed at most this many characters at a time: on some inputs ("?[?[?[…") its
# time grows with the square of the length. Longer blocks are cut after a sentence end.
SEGMENT_CHUNK_CHARS = 5000
_BREAK_RE = re.compile(r"[.!?。！？…](?=\s)|\n")

# Spans a sentence never ends inside: web addresses, e-mail addresses, domain names and dotted
# abbreviations ("R-W.Va.", "U.S."). Segmenters take their dots for full stops ("http://twitter."
# / "com/foo", "PanARMENIAN." / "Net"), and a long run of addresses made sentencex slow (0.1 s
# per 5,000 characters, ten times prose). Each span is masked (same length, so offsets hold)
# before any splitting rule sees the text. Spans grow from an anchor ("://", "www.", "@", a
# top-level domain) that a regex finds quickly, by bounded scans: linear time.
# A domain name ends with a top-level domain: a long generic one in any case ("PanARMENIAN.Net",
# "Amazon.com"), or a short one in lower case only, since a glued sentence ("domaine.De plus")
# looks the same with a capital.
_GENERIC_TLDS = "com|net|org|gov|edu|info|biz|mil|int|io|ai|dev|app|news|online|tv"
_COUNTRY_TLDS = (
    "uk|fr|de|es|it|pt|nl|be|ch|at|ru|cn|jp|eu|ca|au|in|br|mx|us|co|me|ly|fm|gl|ie|se|no|dk|fi"
    "|pl|cz|gr|tr|ar|cl|kr|tw|hk|sg|nz|za|ua|ro|hu|il|ir|am|lu|is|to|st|gg|cc|ws"
)
_ANCHOR_RE = re.compile(rf"://|(?i:www)\.|@|\.(?:(?i:{_GENERIC_TLDS})|{_COUNTRY_TLDS})(?![\w-])")
_ADDRESS_TAIL_RE = re.compile(r"[^\s<>\"«»“”]{0,2000}")
_PATH_RE = re.compile(r"(?:/[^\s<>\"«»“”]{0,2000})?")
_MAIL_DOMAIN_RE = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_HOST_CHARS = frozenset("._-+")
# Dotted abbreviations: capitals with one or two more letters, two or more times ("U.S.",
# "W.Va.", "D.C."). Only their inner dots are masked: the last may still end a sentence.
_DOTTED_RE = re.compile(r"(?<![\w.])(?:[A-Z][a-z]{0,2}\.){2,6}(?!\w)")
_TRAILING_PUNCTUATION = ".,;:!?'\"’”)]}"


# ISO 639-1 -> Snowball algorithm name (the stemmers snowballstemmer ships).
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


def split_sentences(document: Document, language: str) -> tuple[Sentence, ...]:
    """Split every block of ``document`` into sentences with offsets into its text."""
    sentences: list[Sentence] = []
    for block_index, block in enumerate(document.blocks):
        for start, end in segment(block.text, language):
            text = display_text(block.text[start:end])
            if not _has_letters(text):
                continue
            sentences.append(
                Sentence(
                    index=len(sentences),
                    text=text,
                    start=block.start + start,
                    end=block.start + end,
                    block=block_index,
                    block_kind=block.kind,
                )
            )
    return tuple(sentences)


def segment(text: str, language: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence of ``text``, code and glued boundaries handled.

    Web and e-mail addresses, domain names and dotted abbreviations stay whole.
    """
    text = protect(text)
    for seg_start, seg_end in _chunks(text):
        piece = text[seg_start:seg_end]
        for found, found_end in _segments(piece, language):
            stripped = piece[found:found_end]
            for part_start, part_end in _split_abbreviations(stripped, language):
                part = stripped[part_start:part_end]
                offset = seg_start + found + part_start
                for sub_start, sub_end in _unglue(part):
                    for start, end in _bounded(part, sub_start, sub_end):
                        yield offset + start, offset + end


def protect(text: str) -> str:
    """``text`` with addresses and dotted abbreviations masked so that no rule splits them.

    The result has the same length: every offset into it is an offset into ``text``.
    """
    spans = _address_spans(text)
    if spans:
        parts: list[str] = []
        position = 0
        for start, end in spans:
            parts.append(text[position:start])
            parts.append("x" * (end - start))
            position = end
        parts.append(text[position:])
        text = "".join(parts)
    if "." not in text:
        return text
    return _DOTTED_RE.sub(lambda m: m.group()[:-1].replace(".", "\u00b7") + ".", text)


def _host_start(text: str, end: int) -> int:
    """Where the host name (or e-mail local part) that ends at ``end`` starts."""
    start = end
    while (
        start > 0
        and end - start < 253
        and (text[start - 1].isalnum() or text[start - 1] in _HOST_CHARS)
    ):
        start -= 1
    return start


def _address_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint (start, end) of the web and e-mail addresses and domain names."""
    spans: list[tuple[int, int]] = []
    covered = 0
    for anchor in _ANCHOR_RE.finditer(text):
        if anchor.start() < covered:
            continue
        found = _address_at(text, anchor)
        if found is None:
            continue
        start, end = _trim_address(text, *found)
        if end - start >= 4 and start >= covered:
            spans.append((start, end))
            covered = end
    return spans


def _address_at(text: str, anchor: re.Match[str]) -> tuple[int, int] | None:
    """The (start, end) of the address around ``anchor`` ("@", "://", "www." or a top-level
    domain), before trimming; None when there is none."""
    token = anchor.group()
    if token == "@":
        return _mail_address(text, anchor)
    if token == "://":
        return _url(text, anchor)
    if token[0] != ".":  # www.
        start = anchor.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "/@"):
            return None
        return start, _ADDRESS_TAIL_RE.match(text, anchor.end()).end()  # type: ignore[union-attr]
    return _domain_name(text, anchor)


def _mail_address(text: str, anchor: re.Match[str]) -> tuple[int, int] | None:
    start = _host_start(text, anchor.start())
    domain = _MAIL_DOMAIN_RE.match(text, anchor.end())
    if start == anchor.start() or domain is None:  # a handle, not an address
        return None
    return start, domain.end()


def _url(text: str, anchor: re.Match[str]) -> tuple[int, int] | None:
    start = anchor.start()
    while start > 0 and anchor.start() - start < 16 and text[start - 1].isalpha():
        start -= 1
    if start == anchor.start():
        return None
    return start, _ADDRESS_TAIL_RE.match(text, anchor.end()).end()  # type: ignore[union-attr]


def _domain_name(text: str, anchor: re.Match[str]) -> tuple[int, int] | None:
    """A top-level domain: the labels before it, then a path."""
    start = _host_start(text, anchor.start())
    if start == anchor.start() or not any(ch.isalpha() for ch in text[start : anchor.start()]):
        return None
    return start, _PATH_RE.match(text, anchor.end()).end()  # type: ignore[union-attr]


def _trim_address(text: str, start: int, end: int) -> tuple[int, int]:
    """Leave out the punctuation around an address."""
    # A full stop, comma or closing bracket after an address belongs to the sentence
    # (a bracket inside the address, as in Wikipedia's "_(disambiguation)", stays).
    while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    while start < end and text[start] in _HOST_CHARS:
        start += 1
    return start, end


def _segments(piece: str, language: str) -> list[tuple[int, int]]:
    """The segmenter's sentences of ``piece`` as (start, end), rejoined after an initial."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for raw in _segmenter(language)(piece):
        stripped = raw.strip()
        if not stripped:
            continue
        found = piece.find(stripped, cursor)
        if found < 0:  # the segmenter altered the text: fall back to the whole remainder
            found = cursor
            stripped = piece[cursor:].strip()
        cursor = found + len(stripped)
        if spans and _goes_on(piece, *spans[-1], stripped, language):
            spans[-1] = (spans[-1][0], cursor)
        else:
            spans.append((found, cursor))
    return spans


def _goes_on(text: str, start: int, end: int, following: str, language: str) -> bool:
    """True when the sentence ``text[start:end]`` ends with an initial that belongs to the name
    ``following`` opens.

    Segmenters take the full stop of an initial for a sentence end: "a déclaré M." then
    "Poutine ...", "avant J." then "-C.", "J.-C." then "par ...". An initial goes on with a
    word in lower case, a hyphen, another initial or a capitalised word that is not a stop word
    ("... son plan C. Il ..." ends there); French "M." (Monsieur) with any word: "M. Le Maire".
    """
    # An initial: a capital and a full stop that open the sentence or follow a space or an
    # opening bracket, quote or hyphen ("M.", "J.", "J.-C."; not "40°C." or "C++.").
    if end - start < 2 or text[end - 1] != "." or not text[end - 2].isupper():
        return False
    if end - start > 2 and not (text[end - 3].isspace() or text[end - 3] in "([«\"“‘'-"):
        return False
    if following.startswith("-"):
        return True
    word = first_word(following)
    if word is None or not following.startswith(word):
        return False
    if word[0].islower() or (text[end - 2] == "M" and language == "fr"):
        return True
    # Another initial ("J. J Abrams") may look like a stop word ("j'").
    return word[0].isupper() and (len(word) == 1 or word.casefold() not in stopwords(language))


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into pieces of at most MAX_SENTENCE_CHARS, at spaces if any."""
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = limit
        while cut > start + MAX_SENTENCE_CHARS // 2 and not text[cut - 1].isspace():
            cut -= 1
        if not text[cut - 1].isspace():
            # No space (CJK, one endless token): cut anywhere but inside a combined character.
            # The walk back is short: a run of thousands of combining marks ("Zalgo" text)
            # must not make every piece one character long, and the loop quadratic.
            cut = limit
            while cut > limit - 32 and (
                unicodedata.combining(text[cut]) or text[cut] in "\u200d\ufe0e\ufe0f"
            ):
                cut -= 1
            if cut == limit - 32:
                cut = limit
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        yield start, piece_end
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """Code-free stretches of ``text``, each at most SEGMENT_CHUNK_CHARS long."""
    for start, end in _without_code(text):
        while end - start > SEGMENT_CHUNK_CHARS:
            window_start = start + SEGMENT_CHUNK_CHARS // 2
            cut = start + SEGMENT_CHUNK_CHARS
            ends = [m.end() for m in _BREAK_RE.finditer(text, window_start, cut)]
            if ends:
                cut = ends[-1]
            else:
                space = max(
                    text.rfind(" ", window_start, cut), text.rfind("\u3000", window_start, cut)
                )
                cut = space + 1 if space > 0 else cut
            yield start, cut
            start = cut
        if end > start:
            yield start, end


def _without_code(text: str) -> Iterator[tuple[int, int]]:
    lowered = text.lower() if "<" in text else text
    if not any(word in lowered for word in _CODE_WORDS):
        if text:
            yield 0, len(text)
        return
    if "<" in text:
        # Script in a tag's attributes ('<img onerror="window.x = 2">Valtrix says…') is removed
        # with its tag when the sentence is shown; read as a statement it would run on into the
        # prose after the tag. Blanked, with the same length: offsets stay true.
        text = _ATTRIBUTES_RE.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    position = 0
    for match in _CODE_RE.finditer(text):
        if match.start() > position:
            yield position, match.start()
        position = max(position, match.end())
    if position < len(text):
        yield position, len(text)


def _split_abbreviations(sentence: str, language: str) -> Iterator[tuple[int, int]]:
    """Split after "word." when the next word is a capitalised stop word of ``language``.

    Segmenters keep a full stop after a known abbreviation ("Art.", "Inc.") inside the sentence;
    but a sentence rarely goes on with a capitalised function word ("Die", "The", "Il"), while a
    new one often opens with one. Initials and dotted abbreviations ("z. B.", "U.S.") and short
    titles ("Dr. Müller") are never split: one or two letters, inner dots or a name follow.
    Nor is quoted speech, which the segmenter keeps whole on purpose.
    """
    stops = stopwords(language)
    start = 0
    if stops and _STOP_THEN_SPACE_RE.search(sentence):
        for match in _ABBREVIATION_RE.finditer(sentence):
            following = match.group(2)
            if (
                following[0].isupper()
                and not following.isupper()
                and following.casefold() in stops
                and not _inside_quotation(sentence[start : match.start(1)])
            ):
                yield start, match.start(1)
                start = match.end(1)
    yield start, len(sentence)


def _inside_quotation(text: str) -> bool:
    """True when ``text`` leaves a quotation open: segmenters keep quoted speech whole."""
    curly = sum(text.count(ch) for ch in "„“”")  # „…“ (German) and “…” (English) both pair up
    return text.count('"') % 2 == 1 or text.count("«") > text.count("»") or curly % 2 == 1


def _unglue(sentence: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _GLUE_RE.finditer(sentence):
        cut = match.end()
        # Abbreviations and dotted names ("U.S.Army", "Node.Js") are left alone.
        if cut - start > 12 and not _is_dotted_name(sentence, cut):
            yield start, cut
            start = cut
    yield start, len(sentence)


def _is_dotted_name(sentence: str, cut: int) -> bool:
    before = sentence[max(0, cut - 15) : cut - 1].split()
    word = before[-1] if before else ""
    return "." in word or (word[:1].isupper() and word.isupper())


@cache
def _segmenter(language: str) -> Callable[[str], list[str]]:
    import sentencex

    code = "en" if language == UNDETERMINED else language

    def split(text: str) -> list[str]:
        return list(sentencex.segment(code, text))

    return split


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


@cache
def stopwords(language: str) -> frozenset[str]:
    """Stop words of ``language`` (empty when none are shipped)."""
    if language == UNDETERMINED:
        return frozenset()
    return frozenset(word.casefold() for word in stopwords_iso().get(language.lower(), ()))


@cache
def _stemmer(language: str) -> Callable[[str], str] | None:
    algorithm = SNOWBALL.get(language)
    if algorithm is None:
        return None
    import snowballstemmer

    stem: Callable[[str], str] = snowballstemmer.stemmer(algorithm).stemWord
    return stem


# Words a language's memo holds at most before it starts again: about 15 MB. News vocabulary
# grows slowly (33,000 words for 1,500 OrangeSum articles, 110,000 for 21,000), so only very
# large runs ever reach it, and then memory stays flat instead of growing with the inputs.
MEMO_WORDS = 120_000


@cache
def _word_terms(language: str) -> dict[str, str | None]:
    """Memo of ``_word_term`` for ``language``: news vocabulary repeats from article to article."""
    return {}


def _word_term(token: str, language: str) -> str | None:
    """The term of a case-folded word token; None for a stop word or a lone letter."""
    if token in stopwords(language) or (len(token) < 2 and not token.isdigit()):
        return None
    stem = _stemmer(language)
    return stem(token) if stem else token


def words(text: str) -> list[str]:
    """Word tokens of ``text`` as written (Unicode word runs)."""
    return _WORD_RE.findall(text)


def first_word(text: str) -> str | None:
    """The first of ``words(text)``, None when there is none."""
    match = _WORD_RE.search(text)
    return match.group() if match else None


def terms(text: str, language: str) -> list[str]:
    """Content terms for similarity: case-folded, stop words out, stemmed; CJK as bigrams."""
    folded = text.casefold()
    # Without CJK characters every token is a word: the simpler pattern finds the same tokens.
    has_cjk = _CJK_RE.search(folded) is not None
    memo = _word_terms(language)
    if len(memo) > MEMO_WORDS:
        memo.clear()
    result: list[str] = []
    for token in (_CJK_RUN_RE if has_cjk else _ALNUM_RE).findall(folded):
        if has_cjk and _CJK_RE.match(token):
            # Chinese and Japanese have no spaces: character bigrams stand in for words.
            if len(token) == 1:
                result.append(token)
            result.extend(token[i : i + 2] for i in range(len(token) - 1))
            continue
        try:
            term = memo[token]
        except KeyError:
            term = memo[token] = _word_term(token, language)
        if term is not None:
            result.append(term)
    return result


def word_count(text: str, tokens: Sequence[str] | None = None) -> int:
    """Words in ``text``; for CJK, characters count as words would be too many, so 1 per 2.

    ``tokens``: ``words(text)``, when the caller has it already.
    """
    if _CJK_RE.search(text) is None:  # then the count is the word tokens, nothing else
        return len(words(text) if tokens is None else tokens)
    cjk = len(_CJK_RE.findall(text))
    return len(_WORD_RE.findall(_CJK_RE.sub(" ", text))) + (cjk + 1) // 2
