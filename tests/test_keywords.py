"""Keywords: 3-8 key phrases in the article's language, in summaries when asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer import summarize_file
from summarizer.cli import cli
from summarizer.keywords import (
    _YAKE_CODES,
    MAX_CHARS,
    _extractor,
    _ranked,
    choose,
    extract,
    lead,
    merge,
)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("battery-recycling-en.txt", None),
        ("smartphone-reparation-fr.txt", None),
        ("glasfaser-ausbau-de.txt", None),
        ("kosmicheskiy-zapusk-ru.txt", None),
        ("dianche-zh.txt", "固态电池"),
    ],
)
def test_articles_get_three_to_eight_keywords_from_their_text(
    name: str, expected: str | None
) -> None:
    summary = summarize_file(DATA / name)
    assert 3 <= len(summary.keywords) <= 8
    text = (DATA / name).read_text(encoding="utf-8").casefold()
    for phrase in summary.keywords:
        assert phrase.casefold() in " ".join(text.split()), phrase
    if expected:
        assert expected in summary.keywords


def test_the_seed_article_keywords_name_its_companies() -> None:
    summary = summarize_file(ROOT / "examples" / "bytedance-huawei-fr.txt")
    for company in ("ByteDance", "Huawei", "NVIDIA"):
        assert any(company in phrase for phrase in summary.keywords), summary.keywords


def test_near_repeats_are_left_out() -> None:
    assert choose(["Valtrix breaks ground", "Valtrix", "Fab Elbe", "Elbe", "42", "chips"]) == [
        "Valtrix breaks ground",
        "Fab Elbe",
        "chips",
    ]
    assert merge([["Huawei", "puces"], ["huawei", "Ascend"]]) == ["Huawei", "puces", "Ascend"]
    assert extract(["", "  "], "en") == []


def test_keywords_are_on_by_default_and_keywords_false_removes_them() -> None:
    path = ROOT / "examples" / "eu-chip-factory-en.txt"
    default = summarize_file(path)
    assert 3 <= len(default.keywords) <= 8
    assert default.to_dict()["keywords"] == list(default.keywords)
    assert default.to_dict()["options"]["keywords"] is True
    plain = summarize_file(path, keywords=False)
    assert plain.keywords == () and "keywords" not in plain.to_dict()
    assert "keywords" not in plain.to_dict()["options"]
    assert plain.bullets == default.bullets


@pytest.mark.parametrize(
    ("name", "language"),
    [("elflyg-sv.txt", "sv"), ("cyberbezpieczenstwo-pl.txt", "pl"), ("robotto-ja.txt", "ja")],
)
def test_keywords_are_in_the_article_language(name: str, language: str) -> None:
    summary = summarize_file(DATA / name)
    assert summary.language.code == language
    assert 3 <= len(summary.keywords) <= 8
    text = " ".join((DATA / name).read_text(encoding="utf-8").split()).casefold()
    assert all(phrase.casefold() in text for phrase in summary.keywords), summary.keywords


def test_languages_without_a_yake_stop_list_use_ours() -> None:
    # Catalan: yake-rust has no list (asking it would panic); stopwords-iso has one.
    text = (
        "El govern aprova el pla de fibra òptica per a les comarques de Lleida. "
        "El pla de fibra òptica arribarà a tres-cents municipis abans del 2027. "
        "Les operadores Adamo i Telefónica construiran la xarxa de fibra òptica."
    )
    phrases = extract([text], "ca")
    assert 3 <= len(phrases) <= 8
    assert not {"el", "de", "les", "per"} & {p.casefold() for p in phrases}


@pytest.mark.parametrize("code", sorted(_YAKE_CODES))
def test_every_yake_stop_list_we_name_is_shipped(code: str) -> None:
    # A yake-rust release without one of these lists would panic on that language.
    assert _extractor(code).stopwords


def test_keywords_come_from_the_start_of_a_long_article() -> None:
    start = (
        "Valtrix opens a battery recycling plant in Dresden. "
        "The Valtrix plant recovers lithium and cobalt from used car batteries. "
    )
    # Far past MAX_CHARS, a second topic that is repeated far more often than the first.
    filler = " ".join(f"Paragraph {i} describes the weather in Lisbon." for i in range(40))
    late = "Ferrovia Atlantica orders trams. " * 30
    phrases = extract(["Valtrix recycles batteries", start, filler, late], "en")
    assert any("Valtrix" in p for p in phrases)
    assert not any("Ferrovia" in p or "trams" in p for p in phrases)
    assert sum(len(t) + 1 for t in lead(["title", start, filler, late])) <= MAX_CHARS + 1
    # The cut falls between words: no phrase ends in a piece of one.
    assert lead(["one two three", "four five six"], limit=18) == ["one two three", "four"]
    assert lead(["x" * 50], limit=10) == []


def test_equal_scores_are_ordered_by_phrase_whatever_their_last_digits() -> None:
    # yake-rust's sums come out with different last digits from one process to the next.
    tie = 0.1 + 1e-17 * 3
    assert _ranked([("beta", 0.1), ("alpha", tie), ("gamma", 0.05)]) == [
        "gamma",
        "alpha",
        "beta",
    ]
    assert _ranked([("alpha", 0.1), ("beta", 0.1 - 2e-17)]) == ["alpha", "beta"]
    assert _ranked([("beta", 0.1), ("alpha", 0.2)]) == ["beta", "alpha"]


def test_keywords_do_not_depend_on_the_process() -> None:
    # Each process seeds yake-rust's hash maps anew: ties must not reorder the keywords.
    paths = [*sorted((ROOT / "examples").iterdir()), *sorted(DATA.glob("*.txt"))]
    code = (
        "import sys\n"
        "from summarizer import summarize_file\n"
        "for p in sys.argv[1:]:\n"
        "    print(summarize_file(p, bullets=1).keywords)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, *map(str, paths)],
            capture_output=True,
            check=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "2")
    ]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0].count("(") == len(paths)


def test_elided_articles_are_left_out_of_phrases() -> None:
    assert choose(["d’IA", "l'Europe", "s’allie", "qu’Ascend"]) == [
        "IA",
        "Europe",
        "allie",
        "Ascend",
    ]
    # Names that open with a letter and an apostrophe keep it, in English and in French.
    assert choose(["D'Angelo Russell", "O'Neill"], language="en") == ["D'Angelo Russell", "O'Neill"]
    assert choose(["N'Golo Kanté", "d'Arsenal"], language="fr") == ["N'Golo Kanté", "Arsenal"]


def test_cli_json_has_keywords_and_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "summary.schema.json").read_text(encoding="utf-8"))
    article = str(ROOT / "examples" / "quantencomputer-de.md")
    result = CliRunner().invoke(cli, ["summarize", article, "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema)
    assert 3 <= len(data["keywords"]) <= 8 and data["options"]["keywords"] is True
    off = json.loads(
        CliRunner().invoke(cli, ["summarize", article, "-f", "json", "--no-keywords"]).stdout
    )
    jsonschema.validate(off, schema)
    assert "keywords" not in off and "keywords" not in off["options"]
    assert off["bullets"] == data["bullets"]
    # Text and Markdown readers asked for bullets: a keywords line only with --keywords.
    for fmt in ("text", "markdown"):
        plain = CliRunner().invoke(cli, ["summarize", article, "-f", fmt]).stdout
        assert "Keywords" not in plain
        asked = CliRunner().invoke(cli, ["summarize", article, "-f", fmt, "--keywords"]).stdout
        assert "Keywords: " in asked.splitlines()[-1]


def test_batch_records_carry_keywords_unless_no_keywords(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(ROOT / "examples"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and all(3 <= len(r["keywords"]) <= 8 for r in records)
    result = CliRunner().invoke(
        cli, ["batch", str(ROOT / "examples"), "--no-keywords", "-o", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and not any("keywords" in r for r in records)
    # Markdown files for a folder: no keywords line unless asked.
    folder = tmp_path / "md"
    result = CliRunner().invoke(cli, ["batch", str(ROOT / "examples"), "-d", str(folder), "-q"])
    assert result.exit_code == 0, result.output
    pages = [p.read_text(encoding="utf-8") for p in folder.iterdir()]
    assert pages and not any("Keywords" in page for page in pages)


class _Panic(BaseException):
    """What pyo3 raises for a Rust panic: a BaseException, not an Exception."""


class _PanickingExtractor:
    stopwords: frozenset[str] = frozenset()

    def get_n_best(self, text: str, *, n: int) -> list[tuple[str, float]]:
        raise _Panic("index out of bounds")


def test_a_panic_in_yake_rust_costs_the_keywords_not_the_summary(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("summarizer.keywords._extractor", lambda language: _PanickingExtractor())
    summary = summarize_file(ROOT / "examples" / "eu-chip-factory-en.txt")
    assert summary.bullets and summary.keywords == ()
    assert "yake-rust failed" in caplog.text
    with pytest.raises(KeyboardInterrupt):
        monkeypatch.setattr(_PanickingExtractor, "get_n_best", _interrupt)
        extract(["Valtrix opens a plant in Dresden."], "en")


def _interrupt(self: object, text: str, *, n: int) -> list[tuple[str, float]]:
    raise KeyboardInterrupt
