"""JSON and JSONL input: the one reader of records for batch, eval and the training scripts.

Records are UTF-8 (as JSON requires) unless a BOM says UTF-16/32; a bad byte spoils only its
record. Lines end at "\\n" only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..errors import DecodeError, EmptyInputError, InputError
from .decoding import _CP1252_HOLES, _SIGNATURES, _guess_bomless_utf16, _mostly_utf8, decode_bytes


def decode_records(data: bytes, source: str = "<bytes>") -> str:
    """Decode a JSONL (or JSON) file: UTF-8, as JSON requires, unless a BOM says UTF-16/32.

    A bad byte or a stray control character spoils the one record it sits in (that line
    then fails as invalid JSON or keeps a U+FFFD), never the whole file. A line in a
    single-byte encoding (Latin-1, CP1252: no valid UTF-8 sequence at all) is decoded as a
    .txt file with the same bytes would be (``decode_line``), not with every accent lost.
    """
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"{source}: looks like binary data ({kind}), not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or _guess_bomless_utf16(
        data
    ):
        return decode_bytes(data, source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Line by line: each record is its own article, and one broken line decides nothing
        # for the others.
        text = "\n".join(decode_line(line) for line in data.split(b"\n"))
    return text.removeprefix("\ufeff")


def decode_line(data: bytes) -> str:
    """Decode one JSON line that should be UTF-8, by the rules of ``decode_bytes``: mostly
    UTF-8 keeps its good characters (bad bytes become U+FFFD); a line with no UTF-8 in it is
    CP1252 (Latin-1 where CP1252 has holes)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text
    return data.decode("latin-1" if any(byte in _CP1252_HOLES for byte in data) else "cp1252")


def one_record(text: str, source: str) -> Any:
    """The one JSON record of a .json/.jsonl file's text; an InputError when it holds several
    or is not valid JSON."""
    lines = [line for _, line in jsonl_lines(text)]
    if not lines:
        raise EmptyInputError(f"{source}: no text to summarize")
    try:
        if len(lines) == 1 or (text.lstrip().startswith("{") and _is_one_object(text)):
            return json.loads(text)
        raise InputError(
            f"{source}: holds {len(lines)} records; use `summarizer batch` for several"
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise InputError(f"{source}: invalid JSON (nested too deeply)") from exc
    except ValueError as exc:  # e.g. an integer too long to convert
        raise InputError(f"{source}: invalid JSON ({exc})") from exc


def _is_one_object(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def jsonl_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of each non-blank line of JSONL text, white space and BOM stripped.

    Lines end at "\\n" only: U+2028, U+2029, U+0085 or a form feed are valid inside a JSON
    string, and ``str.splitlines()`` would cut a record there.
    """
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip().lstrip("\ufeff")
        if line:
            yield number, line


def jsonl_line(raw: bytes) -> tuple[str, bytes]:
    """A JSONL line's text from its bytes, and the bytes a resume key is made of.

    The text loses surrounding white space and a byte-order mark; a byte that is not UTF-8
    becomes U+FFFD and spoils only its record, as with ``decode_records``. The key is made of
    the text's UTF-8, or of the line's own bytes when it is not UTF-8: two different broken
    lines that read as the same text must not share a key.
    """
    try:
        text = raw.decode("utf-8").strip().lstrip("\ufeff")
    except UnicodeDecodeError:  # broken UTF-8, or a Latin-1 line: as decode_records reads it
        return decode_line(raw).strip().lstrip("\ufeff"), raw.strip()
    return text, text.encode("utf-8")


def parse_jsonl_line(line: str, where: str) -> Any:
    """The JSON value on one line; an InputError naming ``where`` when it is not valid JSON."""
    try:
        return json.loads(line)
    except RecursionError as exc:
        raise InputError(f"{where}: invalid JSON line (nested too deeply)") from exc
    except ValueError as exc:
        raise InputError(f"{where}: invalid JSON line ({exc})") from exc
