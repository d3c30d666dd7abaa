"""Keywords: 3-8 key phrases in the article's language, in summaries when asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer import summarize_file
from summarizer.cli import cli
from summarizer.keywords import choose, extract, merge

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
    summary = summarize_file(DATA / name, keywords=True)
    assert 3 <= len(summary.keywords) <= 8
    text = (DATA / name).read_text(encoding="utf-8").casefold()
    for phrase in summary.keywords:
        assert phrase.casefold() in " ".join(text.split()), phrase
    if expected:
        assert expected in summary.keywords


def test_the_seed_article_keywords_name_its_companies() -> None:
    summary = summarize_file(ROOT / "examples" / "bytedance-huawei-fr.txt", keywords=True)
    assert {"ByteDance", "Huawei"} <= set(summary.keywords)


def test_near_repeats_are_left_out() -> None:
    assert choose(["Valtrix breaks ground", "Valtrix", "Fab Elbe", "Elbe", "42", "chips"]) == [
        "Valtrix breaks ground",
        "Fab Elbe",
        "chips",
    ]
    assert merge([["Huawei", "puces"], ["huawei", "Ascend"]]) == ["Huawei", "puces", "Ascend"]
    assert extract(["", "  "], "en") == []


def test_keywords_only_when_asked() -> None:
    plain = summarize_file(ROOT / "examples" / "eu-chip-factory-en.txt")
    assert plain.keywords == () and "keywords" not in plain.to_dict()
    assert "keywords" not in plain.to_dict()["options"]


def test_cli_json_has_keywords_and_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "summary.schema.json").read_text(encoding="utf-8"))
    result = CliRunner().invoke(
        cli,
        ["summarize", str(ROOT / "examples" / "quantencomputer-de.md"), "--keywords", "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema)
    assert 3 <= len(data["keywords"]) <= 8 and data["options"]["keywords"] is True
    text = CliRunner().invoke(
        cli, ["summarize", str(ROOT / "examples" / "quantencomputer-de.md"), "--keywords"]
    )
    assert text.stdout.splitlines()[-1].startswith("Keywords: ")


def test_batch_records_carry_keywords(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["batch", str(ROOT / "examples"), "--keywords", "-o", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and all(3 <= len(r["keywords"]) <= 8 for r in records)
