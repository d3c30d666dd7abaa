"""Bytes to article text: byte-order marks, UTF-8, UTF-16 without BOM, CP1252/Latin-1; binary
data refused; the canonical (NFC, LF) form all offsets refer to."""

from __future__ import annotations

import codecs
import re
import unicodedata

from ..errors import DecodeError

# File signatures of formats people point the tool at by mistake: named in the error message.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document (extract its text first)"),
    (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
    (b"PK\x03\x04", "a ZIP archive or an Office document (extract its text first)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (decompress it first)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
)

# Control bytes that text rarely holds. A few of them occur in real text (Word writes a vertical
# tab for a manual line break; a BEL or a backspace survives a copy from a terminal): only a
# NUL, or many of them, mean binary data (see looks_binary).
_BINARY_CONTROL = set(range(0, 9)) | {11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26}
# The vertical tab is white space (Word's line break): it counts as text however many there are.
_CONTROL_BYTES = bytes(sorted(_BINARY_CONTROL - {0, 11}))
# More control bytes than this share of a sample: binary data, not text with a stray one.
_BINARY_SHARE = 0.01
# Undefined in CP1252: decoding falls back to Latin-1 for these.
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Line breaks other than LF (vertical tab, form feed, NEL, the Unicode separators) and the
# control characters that are not text at all (BEL, backspace, ESC...: a terminal obeys them).
_BREAKS_RE = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS_RE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_bytes(data: bytes, source: str = "<bytes>", *, partial: bool = False) -> str:
    """Decode article bytes: BOMs, UTF-8, UTF-16 without BOM, then CP1252/Latin-1.

    ``partial`` says ``data`` is the beginning of a longer input: a character cut in two at
    its end is dropped instead of making the whole input undecodable.
    """
    _refuse_known_binary(data, source)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _decode(data[len(bom) :], codec, partial)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{source}: invalid {codec} after its byte-order mark") from exc
    text = _try_decode(data, _guess_bomless_utf16(data), partial)
    if text is not None:
        return text
    binary = looks_binary(data[:65536])
    text = None if binary else _try_decode(data, "utf-8", partial)
    if text is None:
        text = _try_decode(data, _guess_bomless_utf16_by_script(data), partial)
    if text is not None:
        return text
    if binary:
        raise DecodeError(f"{source}: looks like binary data, not text")
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    if not any(byte in _CP1252_HOLES for byte in data):
        return data.decode("cp1252")
    return data.decode("latin-1")


def _refuse_known_binary(data: bytes, source: str) -> None:
    """A DecodeError when ``data`` opens with the signature of a known binary format."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"{source}: looks like binary data ({kind}), not text")
    if data.startswith(b"BZh") and data[4:10] == b"1AY&SY":
        raise DecodeError(
            f"{source}: looks like binary data (bzip2-compressed; decompress it first)"
        )


def looks_binary(sample: bytes) -> bool:
    """Whether a sample (with no UTF-16/32 byte-order mark) is binary data: a NUL byte, or
    control bytes beyond a stray few."""
    if b"\0" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(8, _BINARY_SHARE * len(sample))


def _guess_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 text of Latin-script languages has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _try_decode(data: bytes, codec: str | None, partial: bool) -> str | None:
    """``data`` decoded with ``codec``, or None when there is no codec or it does not fit."""
    if codec is None:
        return None
    try:
        return _decode(data, codec, partial)
    except UnicodeDecodeError:
        return None


def _decode(data: bytes, codec: str, partial: bool) -> str:
    if not partial:
        return data.decode(codec)
    # An incremental decoder keeps an incomplete final sequence back instead of failing on it.
    return codecs.getincrementaldecoder(codec)().decode(data, final=False)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a bad copy, a cut): keep it, bad bytes as U+FFFD.

    Text in a single-byte encoding has (almost) no valid multi-byte UTF-8 sequence at all.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return text if good >= 2 * bad else None


def _guess_bomless_utf16_by_script(data: bytes) -> str | None:
    """UTF-16 text in one non-Latin alphabet (Cyrillic, Greek, Arabic, Hebrew...) has no NULs
    but only a handful of distinct high bytes, where single-byte or UTF-8 text has dozens."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 16:
        return None
    for codec, high, low in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        if len(set(high)) > 3 or len(set(low)) < 8 or max(set(high), key=high.count) == 0:
            continue
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        letters = sum(ch.isalpha() for ch in text)
        controls = sum(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)
        if controls == 0 and letters >= 0.6 * len(text):
            return codec
    return None


def normalize_text(text: str) -> str:
    """Canonical article text: NFC, LF newlines, no BOM. All offsets refer to this form."""
    text = text.replace("\ufeff", "")
    # Lone surrogates (from surrogateescape decoding) cannot be written out as UTF-8.
    if _has_surrogates(text):
        text = _SURROGATE_RE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BREAKS_RE.search(text):
        text = _BREAKS_RE.sub("\n", text)
    if _CONTROLS_RE.search(text):
        text = _CONTROLS_RE.sub("", text)
    return unicodedata.normalize("NFC", text)


def _has_surrogates(text: str) -> bool:
    # Strict UTF-8 encoding fails on surrogates and nothing else: a C loop several times faster
    # than a scan with _SURROGATE_RE, which is then needed only for the rare text that has one.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
