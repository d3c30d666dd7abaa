from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import fresh_python

from summarizer.errors import DecodeError, EmptyInputError, InputError
from summarizer.load import (
    MAX_TITLE_CHARS,
    decode_bytes,
    from_text,
    iter_jsonl,
    jsonl_lines,
    load_path,
    normalize_text,
)

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


def test_html_tables_are_read_and_site_tag_dropped(data_dir: Path) -> None:
    article = load_path(data_dir / "table-layout-en.html")
    assert article.title == "Council approves a new tram line to the harbour"
    assert "180 million euros" in article.text
    assert "first trams should run in 2031" in article.text
    # Each <br><br> paragraph of the cell is a paragraph of its own.
    assert "six years.\n\nTwenty-nine" in article.text


def test_html_headings_are_kept_as_markdown(data_dir: Path) -> None:
    article = load_path(data_dir / "page-boilerplate-en.html")
    assert article.format == "markdown"
    assert "\n## Shipping backlog\n" in article.text
    assert article.title == "Port strike ends after workers accept a new contract"


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        (
            "Best tech gadgets of 2019 | ZDNet",
            ["ZDNet", "www.zdnet.com"],
            "Best tech gadgets of 2019",
        ),
        ("Chip plant opens – TechCrunch", ["TechCrunch"], "Chip plant opens"),
        ("NASA adds five companies - SpaceNews.com", ["spacenews.com"], "NASA adds five companies"),
        ("Harbor Daily: Port strike ends", ["Harbor Daily"], "Harbor Daily: Port strike ends"),
        ("Le Monde | La grève se termine", ["Le Monde"], "La grève se termine"),
        ("Gift guide: what to buy - 9to5Mac", ["9to5mac.com"], "Gift guide: what to buy"),
        # The headline itself is never dropped, nor a part that only mentions the site.
        ("ZDNet", ["ZDNet"], "ZDNet"),
        (
            "Why ZDNet readers love the new phones | Reviews",
            ["ZDNet"],
            "Why ZDNet readers love the new phones | Reviews",
        ),
        ("A title | with a pipe", [], "A title | with a pipe"),
    ],
)
def test_strip_site_tag(title: str, names: list[str], expected: str) -> None:
    from summarizer.load import strip_site_tag

    assert strip_site_tag(title, names) == expected


def test_html_without_article_falls_back_before_failing() -> None:
    # A page whose only text sits in a bare <div>: nothing for the precise mode, but the
    # default and baseline extractions find it.
    text = " ".join(
        f"Sentence number {i} of the notice says the library opens at nine on weekdays."
        for i in range(6)
    )
    page = f"<html><head><title>Notice</title></head><body><div>{text}</div></body></html>"
    article = from_text(page, format="html")
    assert "library opens at nine" in article.text


# --------------------------------------------------------------------------- text that is text

PROSE = "Le fabricant a présenté sa puce lundi. Elle vise les objets connectés.\n"


@pytest.mark.parametrize(
    ("control", "becomes"),
    [
        ("\x0b", "\n"),  # vertical tab: Word's manual line break
        ("\x0c", "\n"),  # form feed
        ("\x07", ""),  # BEL
        ("\x08", ""),  # backspace
        ("\x1b", ""),  # ESC: would start a terminal escape sequence in the output
        ("\x85", "\n"),  # NEL
        ("\u2028", "\n"),  # line separator
    ],
    ids=["vt", "ff", "bel", "bs", "esc", "nel", "ls"],
)
def test_stray_controls_in_valid_utf8_are_text(control: str, becomes: str) -> None:
    data = (PROSE.replace("lundi.", f"lundi.{control}") * 3).encode("utf-8")
    text = decode_bytes(data, "a.txt")
    assert "présenté" in text
    cleaned = normalize_text(text)
    assert control not in cleaned and f"lundi.{becomes}" in cleaned
    assert all(ch.isprintable() or ch in "\n\t" for ch in cleaned)


@pytest.mark.parametrize(
    "data",
    [
        b"abc\x00def" * 50,  # a NUL
        bytes(range(1, 9)) * 200 + b"text",  # mostly control bytes
    ],
)
def test_binary_data_is_still_refused(data: bytes) -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(data, "blob.txt")


def test_latin1_records_decode_like_a_text_file(tmp_path: Path) -> None:
    text = "Déjà vu : le café coûte 3 €, à Noël. " * 5
    record = json.dumps({"title": "Économie", "text": text}, ensure_ascii=False)
    (tmp_path / "a.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "a.jsonl").write_bytes(record.encode("cp1252") + b"\n")
    as_text = load_path(tmp_path / "a.txt")
    as_record = load_path(tmp_path / "a.jsonl")
    assert as_record.text == as_text.text and "\ufffd" not in as_record.text
    assert as_record.title == "Économie"


# --------------------------------------------------------------------------- titles and names


def test_a_huge_title_is_capped_to_one_line() -> None:
    title = "Une\x1b]0;x\x07 puce\nlyonnaise " + "très " * 2_000_000
    article = from_text(PROSE * 5, title=title)
    assert article.title is not None and len(article.title) <= MAX_TITLE_CHARS
    assert article.title.startswith("Une]0;x puce lyonnaise très")
    assert article.title.isprintable()
    assert any("title truncated" in w for w in article.warnings)


@pytest.mark.parametrize("title", [5, b"titre", ["x"]])
def test_titles_must_be_strings(title: object) -> None:
    with pytest.raises(InputError, match="title must be a string"):
        from_text(PROSE, title=title)  # type: ignore[arg-type]


def test_nul_in_a_path_is_an_input_error() -> None:
    with pytest.raises(InputError, match="NUL"):
        load_path("x\0y")


def test_first_html_page_skips_the_slow_date_search() -> None:
    # htmldate's extensive search loads dateparser, whose first call costs seconds; only the
    # title is used. A page full of dates in its text must not load it.
    code = (
        "import sys\n"
        "from summarizer.load import extract_html\n"
        "page = '<html><head><title>T</title></head><body><article>' + ''.join(\n"
        "    f'<p>Le {d} mars 2024, le 2024-03-{d:02d} puis le {d}/03/2024, rien.</p>'\n"
        "    for d in range(1, 20)) + '</article></body></html>'\n"
        "title, text = extract_html(page)\n"
        "assert title == 'T' and 'mars' in text\n"
        "assert 'dateparser' not in sys.modules, 'dateparser was loaded'\n"
    )
    fresh_python(code)


def test_jsonl_lines_end_at_newlines_only() -> None:
    text = '\ufeff{"a": "x\u2028y"}\r\n\n  \n{"b": "p\x85q\x0cr\u2029s"}\n'
    assert list(jsonl_lines(text)) == [
        (1, '{"a": "x\u2028y"}'),
        (4, '{"b": "p\x85q\x0cr\u2029s"}'),
    ]


def test_iter_jsonl_names_each_record_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = ['{"text": "un\u2028deux"}', "", '{"text": "trois"}', "[" * 50_000, "{"]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-16"))  # a BOM says UTF-16
    records = iter_jsonl(path)
    assert next(records) == (f"{path}:1", {"text": "un\u2028deux"})
    assert next(records) == (f"{path}:3", {"text": "trois"})
    with pytest.raises(InputError, match=r"feed\.jsonl:4: invalid JSON line \(nested too deeply\)"):
        next(records)
    with pytest.raises(InputError, match="no such file"):
        next(iter_jsonl(tmp_path / "missing.jsonl"))


def test_a_record_holding_a_line_separator_counts_as_one(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    text = "La ville a ouvert une piste cyclable.\u2028Elle relie la gare au port."
    path.write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n\n", encoding="utf-8")
    assert "piste cyclable" in load_path(path).text
    path.write_text(2 * (json.dumps({"text": text}, ensure_ascii=False) + "\n"), encoding="utf-8")
    with pytest.raises(InputError, match="holds 2 records; use `summarizer batch`"):
        load_path(path)


def test_title_without_site_metadata_uses_the_headline() -> None:
    body = " ".join(
        f"The ferry company said on Monday that sailing number {i} would leave at noon."
        for i in range(5)
    )
    page = (
        "<html><head><title>Ferry strike called off - The Island Courier</title></head><body>"
        f"<article><h1>Ferry strike called off</h1><p>{body}</p></article></body></html>"
    )
    assert from_text(page, format="html").title == "Ferry strike called off"
    # A headline that is not one side of the title changes nothing.
    from types import SimpleNamespace

    from summarizer.load import page_title

    document = SimpleNamespace(title="Ferry strike called off - The Island Courier")
    assert page_title(document, "# Live updates\n\nText.") == document.title
    assert page_title(document, "# Ferry strike called off\n\nText.") == "Ferry strike called off"
