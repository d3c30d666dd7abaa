"""Discovery: which inputs a run has, in which order, and the copy numbers that keep the
resume keys of identical inputs apart (and equal to those of earlier runs)."""

from __future__ import annotations

import json
import random
from array import array
from pathlib import Path

import pytest

from summarizer.batch import copies as copies_mod
from summarizer.batch import discover
from summarizer.batch.feeds import LineReader
from summarizer.batch.sinks import unique_names
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
    monkeypatch.setattr(copies_mod, "_NUMPY_FROM", numpy_from)
    monkeypatch.setattr(copies_mod, "_STEP", 3)  # copies counted across steps too
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
        monkeypatch.setattr(copies_mod, "_STEP", rng.choice([1, 7, 1 << 18]))
        expected: dict[int, int] = {}
        numbers = []
        for identity in identities:
            expected[identity] = expected.get(identity, 0) + 1
            numbers.append(expected[identity] if expected[identity] > 1 else 0)
        want = array("I", numbers) if any(numbers) else None
        assert copies_mod._copy_numbers(identities) == want
        assert copies_mod._copy_numbers_numpy(identities) == want


DATA = Path(__file__).parent / "data"


def _array_file(folder: Path, encoding: str = "utf-8") -> Path:
    """A JSON array of records as a user's export has them: ids or not, copies, accents and
    CJK, a number that is a float, a nested field, an item that is not an object."""
    texts = [(DATA / n).read_text(encoding="utf-8") for n in ("elflyg-sv.txt", "dianche-zh.txt")]
    items: list[object] = [
        {"id": "sv-1", "text": texts[0], "title": "Elflyg"},
        {"text": texts[1], "score": 1.0, "tags": {"b": [1, 2], "a": None}},
        {"text": texts[0], "title": "Elflyg", "id": "sv-1"},  # a copy, keys in another order
        "not a record",
        {"id": 5, "text": texts[0]},
    ]
    path = folder / "export.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding=encoding)
    return path


def _keyed(paths: list[str], spool: Path) -> list[tuple[str, tuple[str, ...], int, str, str]]:
    reader = LineReader()
    out = []
    for item in discover(paths, spool=spool):
        task = prepare(item, "fp", reader)
        if isinstance(task, dict):
            out.append((item.source, item.name, item.copy, task["key"], task["error"]))
        else:
            out.append((item.source, item.name, item.copy, task.key, str(task.data)))
    reader.close()
    return out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_big_json_array_is_streamed_with_the_keys_of_a_small_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    from summarizer import load

    source = _array_file(tmp_path, encoding)
    spool = tmp_path / "spool"
    spool.mkdir()
    whole = _keyed([str(source)], spool)
    assert [s for s, *_ in whole] == [f"{source}[{n}]" for n in range(1, 6)]
    assert [c for _, _, c, *_ in whole] == [1, 1, 2, 1, 1]
    names = unique_names(discover([str(source)], spool=spool), ".json")
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 2000)  # the file is over it: streamed
    streamed = _keyed([str(source)], spool)
    # Names ("sv-1", "item-2"...) come from each record's id when --output-dir needs them.
    assert names == unique_names(discover([str(source)], spool=spool), ".json") == [
        "export/sv-1.json", "export/item-2.json", "export/sv-1-2.json",
        "export/item-4.json", "export/5.json",
    ]  # fmt: skip
    assert [(s, c, k, d) for s, _, c, k, d in streamed] == [(s, c, k, d) for s, _, c, k, d in whole]


def test_a_big_json_array_runs_like_a_small_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from summarizer import load
    from summarizer.cli import cli

    source = _array_file(tmp_path)
    outputs = []
    for cap in (load.MAX_INPUT_BYTES, 2000):
        monkeypatch.setattr(load, "MAX_INPUT_BYTES", cap)
        out = tmp_path / f"out-{cap}.jsonl"
        result = CliRunner().invoke(cli, ["batch", str(source), "-o", str(out), "-j", "1"])
        assert result.exit_code == 1, result.output  # the item that is not a record
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b'"error"') == 1


def test_a_broken_big_json_array_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer import load

    source = _array_file(tmp_path)
    source.write_bytes(source.read_bytes()[:-40])  # cut: the end of the array is missing
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 2000)
    (only,) = discover([str(source)], spool=spool)
    assert only.error is not None and "invalid JSON array" in only.error
    assert list(spool.iterdir()) == []  # its copy is gone


def test_an_item_over_the_cap_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer import load

    source = tmp_path / "big.json"
    source.write_text(json.dumps([{"text": "mot " * 2000}, {"text": "Un texte."}]))
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 5000)
    first, second = discover([str(source)], spool=spool)
    assert first.error is not None and "an item over" in first.error
    assert second.error is None and second.source == f"{source}[2]"


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts /proc/self/fd")
def test_copies_in_the_spool_leave_no_descriptor_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer import load

    feed = tmp_path / "feed.jsonl"
    feed.write_bytes((FIRST + "\n" + OTHER + "\n").encode("utf-16"))  # copied as UTF-8
    array_16 = _array_file(tmp_path, "utf-16")  # copied as UTF-8, then as JSONL
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 2000)
    before = len(list(Path("/proc/self/fd").iterdir()))
    inputs = discover([str(feed), str(array_16)], spool=spool)
    assert len(inputs) == 7
    assert len(list(Path("/proc/self/fd").iterdir())) == before


def test_a_big_utf16_feed_given_by_name_is_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from summarizer import load
    from summarizer.cli import cli

    text = (DATA / "elflyg-sv.txt").read_text(encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    line = json.dumps({"text": text}, ensure_ascii=False)
    feed.write_bytes(f"{line}\n{line}\n".encode("utf-16"))
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", len(line) * 3)  # the file is over it
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(feed), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    records = [json.loads(r) for r in out.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in records] == [f"{feed}:1", f"{feed}:2"]
