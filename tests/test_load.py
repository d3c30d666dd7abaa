from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import DecodeError, EmptyInputError, InputError
from summarizer.load import decode_bytes, from_text, load_path, normalize_text

TEXT = "Le café coûte 3 €.\nÇa augmente déjà."


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-16-le"),  # without BOM
        TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "cp1252"],
)
def test_decode_bytes_recovers_text(data: bytes) -> None:
    assert decode_bytes(data) == TEXT


def test_decode_latin1_with_cp1252_holes() -> None:
    data = "naïve".encode("latin-1") + b"\x81"
    assert decode_bytes(data).startswith("naïve")


def test_decode_rejects_binary() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(png, "x.png")


def test_normalize_text_newlines_and_bom() -> None:
    assert normalize_text("\ufeffa\r\nb\rc") == "a\nb\nc"


def test_load_path_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        load_path(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n ", encoding="utf-8")
    with pytest.raises(EmptyInputError):
        load_path(empty)


def test_load_markdown_and_json_record(tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text("# Title\n\nBody text here.", encoding="utf-8")
    assert load_path(md).format == "markdown"
    record = tmp_path / "r.jsonl"
    record.write_text(json.dumps({"id": 7, "text": "Hello world.", "title": "T"}), encoding="utf-8")
    article = load_path(record)
    assert (article.id, article.title, article.text) == ("7", "T", "Hello world.")


def test_markdown_is_recognised_by_a_leading_heading_not_a_hashtag() -> None:
    from summarizer.clean import clean
    from summarizer.load import from_record

    body = "# Router firmware reaches 5.0\n\n## Faster updates\n\nThe project shipped on Monday."
    record = from_record({"id": 1, "text": body}, source="feed.jsonl:1")
    assert record.format == "markdown"
    assert clean(record).title == "Router firmware reaches 5.0"
    assert from_text("  ### Brief\nText.").format == "markdown"
    for plain in ("#MeToo: the hashtag spread fast.", "#\nNot a heading.", "No heading here."):
        assert from_text(plain).format == "text"


def test_load_jsonl_with_several_records_points_to_batch(tmp_path: Path) -> None:
    f = tmp_path / "many.jsonl"
    f.write_text('{"text": "a"}\n{"text": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="batch"):
        load_path(f)


def test_record_without_text_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "r.json"
    f.write_text('{"text": 5}', encoding="utf-8")
    with pytest.raises(InputError, match='"text"'):
        load_path(f)


def test_html_is_extracted(data_dir: Path) -> None:
    article = load_path(data_dir / "article-fr.html")
    assert article.title and "RISC-V" in article.title
    assert "<p>" not in article.text
    assert "cookie" not in article.text.lower()


def test_from_text_detects_html() -> None:
    html = (
        "<html><body><article><p>"
        + "Une phrase de test assez longue. " * 20
        + "</p></article></body></html>"
    )
    assert "<p>" not in from_text(html).text
