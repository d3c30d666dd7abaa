from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.evaluate import BATCH, evaluate, read_examples, render_table
from summarizer.pipeline import make_options

RECORDS = [
    {
        "title": "Acme unveils a home battery",
        "text": (
            "Acme unveiled a home battery on Monday. It stores twelve kilowatt hours. "
            "The weather was fine in Paris. Sales start in March."
        ),
        "summary": "Acme unveiled a home battery that stores twelve kilowatt hours.",
    },
    {
        "text": (
            "La ville a ouvert une piste cyclable de dix kilomètres. Elle relie la gare au port. "
            "Les travaux ont duré deux ans."
        ),
        "summary": "Une piste cyclable de dix kilomètres relie la gare au port.",
    },
]


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return path


def test_lead_backend_matches_lead_baseline_without_compression(data_file: Path) -> None:
    options = make_options(bullets=2, backend="lead", compress=False, target_words=0, max_words=0)
    result = evaluate(read_examples(data_file), options)
    lead, baseline = result.systems
    assert (lead.name, baseline.name) == ("lead", "lead-2")
    assert (lead.rouge1, lead.rouge2, lead.rougeL) == (
        baseline.rouge1, baseline.rouge2, baseline.rougeL,
    )  # fmt: skip
    assert 0 < baseline.rouge1 <= 100 and result.records == 2


def test_scores_are_means_over_records(data_file: Path) -> None:
    options = make_options(bullets=1, backend="lead", compress=False)
    result = evaluate(read_examples(data_file), options)
    # F1 = 2 * overlap / (candidate + reference tokens).
    # Record 1, LEAD-1: "acme unveiled a home battery on monday" (7) vs 10 tokens, 5 shared.
    first = 2 * 5 / (7 + 10)
    # Record 2: "la ville a ouvert une piste cyclable de dix kilomètres" (10) vs 11, 7 shared
    # (la, une, piste, cyclable, de, dix, kilomètres).
    second = 2 * 7 / (10 + 11)
    assert result.systems[1].rouge1 == pytest.approx(100 * (first + second) / 2)


def test_limit_and_table(data_file: Path) -> None:
    examples = read_examples(data_file, limit=1)
    assert len(examples) == 1 and examples[0].article.title == "Acme unveils a home battery"
    result = evaluate(examples, make_options(bullets=2))
    table = render_table(result)
    assert "extractive" in table and "lead-2" in table
    assert result.to_dict()["systems"][0]["name"] == "extractive"


def test_bad_records_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "A b c.", "summary": "A."}\n{"text": "No summary here."}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:2: .*summary"):
        read_examples(path)
    path.write_text("not json\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:1: invalid JSON line \(Expecting value"):
        read_examples(path)
    path.write_text("\n")
    with pytest.raises(InputError, match="no records"):
        read_examples(path)


def test_every_record_is_scored_across_batches(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(RECORDS[0]) for _ in range(BATCH + 3)), encoding="utf-8")
    options = make_options(bullets=1, backend="lead", compress=False)
    many = evaluate(read_examples(path), options)
    one = evaluate(read_examples(path, limit=1), options)
    assert many.records == BATCH + 3
    assert many.systems[1].rouge1 == pytest.approx(one.systems[1].rouge1)


def test_a_record_holding_a_line_separator_is_read_as_batch_reads_it(tmp_path: Path) -> None:
    """U+2028 (and U+0085, a form feed) are valid inside a JSON string: not line ends."""
    record = {**RECORDS[0], "text": RECORDS[0]["text"] + "\u2028Sales\x85start\x0cin March."}
    path = tmp_path / "sep.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert "\u2028" in path.read_text(encoding="utf-8")  # written raw, not escaped
    examples = read_examples(path)
    assert len(examples) == 1 and examples[0].reference == record["summary"]
    assert "Sales" in examples[0].article.text


def test_a_deeply_nested_line_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = '{"text": "A b c.", "summary": "A.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(json.dumps(RECORDS[0]) + "\n" + deep + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"deep\.jsonl:2: invalid JSON line \(nested too deeply\)"):
        read_examples(path)
