from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer import summarize
from summarizer.errors import UsageError
from summarizer.render import render

TEXT = "Solar power title\nPanels got cheaper this year. Installations doubled in Spain. Grid operators adapt."


def test_text_render() -> None:
    out = render(summarize(TEXT, bullets=2, keywords=False), "text")
    lines = out.splitlines()
    assert lines[0] == "TL;DR" and len(lines) == 3
    assert all(line.startswith("- ") for line in lines[1:])
    # A summary that holds keywords (the library's default) shows them on a last line.
    summary = summarize(TEXT, bullets=2)
    last = render(summary, "text").splitlines()[-1]
    assert summary.keywords and last == "Keywords: " + ", ".join(summary.keywords)


def test_markdown_render() -> None:
    out = render(summarize(TEXT, bullets=2, source="s.txt"), "markdown")
    assert out.startswith("## Solar power title\n")
    assert "Language: en" in out and "s.txt" in out


def test_json_schema() -> None:
    data = json.loads(render(summarize(TEXT, bullets=2), "json"))
    assert list(data) == [
        "source",
        "title",
        "language",
        "bullets",
        "author_tldr",
        "keywords",
        "backend",
        "options",
    ]
    assert set(data["language"]) == {"code", "confidence"}
    assert set(data["bullets"][0]) == {"text", "sentence", "start", "end"}


def test_unknown_format() -> None:
    with pytest.raises(UsageError):
        render(summarize(TEXT), "xml")


def test_headline_rendered_when_asked() -> None:
    summary = summarize(TEXT, bullets=2, headline=True, keywords=False)
    assert summary.headline
    lines = render(summary, "text").splitlines()
    assert lines[0] == f"TL;DR: {summary.headline}" and len(lines) == 3
    assert f"**{summary.headline}**" in render(summary, "markdown")
    assert json.loads(render(summary, "json"))["headline"] == summary.headline
    plain = summarize(TEXT, bullets=2)
    assert plain.headline is None and "headline" not in json.loads(render(plain, "json"))


SCHEMA = json.loads(
    (Path(__file__).parent.parent / "docs" / "summary.schema.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("bytedance-huawei-fr.txt", {}),
        ("bytedance-huawei-fr.txt", {"headline": True, "bullets": 5}),
        ("quantencomputer-de.md", {"compress": False}),
        ("centros-de-datos-es.txt", {"languages": ["es", "pt"], "backend": "lead"}),
    ],
)
def test_json_output_matches_the_documented_schema(name: str, options: dict[str, Any]) -> None:
    import jsonschema

    from summarizer import summarize_file

    path = Path(__file__).parent.parent / "examples" / name
    data = json.loads(render(summarize_file(path, **options), "json"))
    jsonschema.validate(data, SCHEMA)


def test_mixed_document_shares_match_the_schema(data_dir: Path) -> None:
    import jsonschema

    from summarizer import summarize_file

    data = summarize_file(data_dir / "mixed-fr-en.txt").to_dict()
    assert set(data["language"]["shares"]) == {"fr", "en"}
    jsonschema.validate(data, SCHEMA)
    data["language"]["code"] = "french"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
