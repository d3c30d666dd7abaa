from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from summarizer.models import Bullet, Language, Options, Summary

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "docs" / "summary.schema.json").read_text(encoding="utf-8")
)


def _summary(**extra: Any) -> Summary:
    return Summary(
        source="a.txt",
        title="Acme opens a plant",
        language=Language("en", 0.99),
        bullets=(Bullet("Acme opened a plant in Lyon.", 0, 0, 28),),
        backend="transformers",
        options=Options(backend="transformers"),
        **extra,
    )


def test_backend_facts_are_nested_and_warnings_have_their_own_field() -> None:
    info = {"model": "/models/t5", "chunks": 2, "truncated": True, "dropped": 0, "filled": 1}
    data = _summary(id="a-1", backend_info=info, warnings=("input truncated",)).to_dict()
    assert list(data) == [
        "source",
        "title",
        "language",
        "bullets",
        "author_tldr",
        "keywords",  # on by default (Options.keywords), empty here
        "backend",
        "options",
        "id",
        "backend_info",
        "warnings",
    ]
    assert data["backend_info"] == info and data["warnings"] == ["input truncated"]
    jsonschema.validate(data, SCHEMA)


def test_a_backends_facts_cannot_overwrite_the_summary() -> None:
    data = _summary(backend_info={"source": "elsewhere", "bullets": []}).to_dict()
    assert data["source"] == "a.txt" and len(data["bullets"]) == 1
    assert data["backend_info"] == {"source": "elsewhere", "bullets": []}


def test_without_facts_or_warnings_neither_key_appears() -> None:
    data = _summary().to_dict()
    assert "backend_info" not in data and "warnings" not in data
    jsonschema.validate(data, SCHEMA)


def test_the_schema_names_every_top_level_field() -> None:
    data = _summary().to_dict()
    data["chunks"] = 2  # a backend fact at the top level, as before backend_info
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
