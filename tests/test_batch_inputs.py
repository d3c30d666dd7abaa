"""Discovery: which inputs a run has, in which order, and the copy numbers that keep the
resume keys of identical inputs apart (and equal to those of earlier runs)."""

from __future__ import annotations

import json
import random
from array import array
from pathlib import Path

import pytest

from summarizer.batch import discover
from summarizer.batch import inputs as inputs_mod
from summarizer.batch.inputs import LineReader
from summarizer.batch.work import prepare

FIRST = '{"text": "Le premier article."}'
OTHER = '{"text": "Un autre article.", "id": 7}'
SPACED = ' {"text": "Espacé."}  '  # not plain at its ends: decoded, keyed by its content

# The keys the release before this numbering gave (fingerprint "fp"): a journal written then
# must still match, or a --resume would redo (and duplicate) every copy.
EARLIER_KEYS = [
    ("feed.jsonl:1", 1, "9c17a506e72b02fcbedfa2463c4eb462"),
    ("feed.jsonl:2", 1, "0615955db174d1dc651ee49d2de0f58c"),
    ("feed.jsonl:3", 2, "9c17a506e72b02fcbedfa2463c4eb462-2"),
    ("feed.jsonl:5", 1, "acfcd21b2e87ab5c3bfa11921daa1efd"),
    ("feed.jsonl:6", 3, "9c17a506e72b02fcbedfa2463c4eb462-3"),
    ("feed.jsonl:8", 2, "0615955db174d1dc651ee49d2de0f58c-2"),
    ("feed.jsonl:9", 2, "acfcd21b2e87ab5c3bfa11921daa1efd-2"),
    ("feed.jsonl:10", 4, "9c17a506e72b02fcbedfa2463c4eb462-4"),
    ("items.json[1]", 5, "9c17a506e72b02fcbedfa2463c4eb462-5"),
    ("items.json[2]", 1, "8049d789083c3b1409b94fc8604edea0"),
    ("items.json[3]", 6, "9c17a506e72b02fcbedfa2463c4eb462-6"),
    ("more.jsonl:1", 3, "0615955db174d1dc651ee49d2de0f58c-3"),
    ("more.jsonl:4", 7, "9c17a506e72b02fcbedfa2463c4eb462-7"),
    ("page.txt", 1, "723701afa964530c8496865bc261fba0"),
    ("page.txt", 2, "723701afa964530c8496865bc261fba0-2"),
    ("feed.jsonl:1", 8, "9c17a506e72b02fcbedfa2463c4eb462-8"),
    ("feed.jsonl:2", 4, "0615955db174d1dc651ee49d2de0f58c-4"),
    ("feed.jsonl:3", 9, "9c17a506e72b02fcbedfa2463c4eb462-9"),
    ("feed.jsonl:5", 3, "acfcd21b2e87ab5c3bfa11921daa1efd-3"),
    ("feed.jsonl:6", 10, "9c17a506e72b02fcbedfa2463c4eb462-10"),
    ("feed.jsonl:8", 5, "0615955db174d1dc651ee49d2de0f58c-5"),
    ("feed.jsonl:9", 4, "acfcd21b2e87ab5c3bfa11921daa1efd-4"),
    ("feed.jsonl:10", 11, "9c17a506e72b02fcbedfa2463c4eb462-11"),
]


@pytest.mark.parametrize("numpy_from", [1, 65536], ids=["numpy", "dict"])
def test_copies_keep_the_keys_of_earlier_releases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, numpy_from: int
) -> None:
    monkeypatch.setattr(inputs_mod, "_NUMPY_FROM", numpy_from)
    monkeypatch.setattr(inputs_mod, "_STEP", 3)  # copies counted across steps too
    monkeypatch.chdir(tmp_path)
    lines = [FIRST, OTHER, FIRST, "", SPACED, FIRST, "  ", OTHER, SPACED.strip(), FIRST]
    Path("feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    Path("more.jsonl").write_text(f"{OTHER}\n\n\n{FIRST}\n", encoding="utf-8")
    items = [json.loads(FIRST), json.loads(OTHER), json.loads(FIRST)]
    Path("items.json").write_text(json.dumps(items), encoding="utf-8")
    Path("page.txt").write_text("Un texte.", encoding="utf-8")
    args = ["feed.jsonl", "items.json", "more.jsonl", "page.txt", "page.txt", "feed.jsonl"]
    reader = LineReader()
    found = []
    for item in discover(args):
        task = prepare(item, "fp", reader)
        assert not isinstance(task, dict)
        found.append((item.source, item.copy, task.key))
    reader.close()
    # Keys now open with the record format ("2."); the hash and copy number after it are kept.
    assert {key.partition(".")[0] for _, _, key in found} == {"2"}
    assert [(source, copy, key.partition(".")[2]) for source, copy, key in found] == EARLIER_KEYS


def test_numpy_and_dict_number_copies_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(15)
    for _ in range(30):
        size = rng.choice([1, 2, 9, 300, 5000])
        spread = rng.choice([2, 40, 10**6, 2**64 - 1])
        identities = array("Q", (rng.randrange(1, spread) for _ in range(size)))
        monkeypatch.setattr(inputs_mod, "_STEP", rng.choice([1, 7, 1 << 18]))
        expected: dict[int, int] = {}
        numbers = []
        for identity in identities:
            expected[identity] = expected.get(identity, 0) + 1
            numbers.append(expected[identity] if expected[identity] > 1 else 0)
        want = array("I", numbers) if any(numbers) else None
        assert inputs_mod._copy_numbers(identities) == want
        assert inputs_mod._copy_numbers_numpy(identities) == want
