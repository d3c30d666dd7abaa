from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).parent.parent / "scripts"


def load_script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(SCRIPTS))  # it imports train_scorer, as when run
    spec = importlib.util.spec_from_file_location("heldout_split", SCRIPTS / "heldout_split.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_slices_hold_exactly_the_articles_the_trainer_skips(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    split = load_script(monkeypatch)
    import train_scorer

    monkeypatch.setattr(split, "SLICE_B", 10)
    b, c = split.heldout_slices(100, 60)
    used = set(train_scorer.training_indices(100, 60))
    assert len(b) == 10 and len(c) == 30
    assert not (set(b) & set(c)) and not ((set(b) | set(c)) & used)
    assert sorted(set(b) | set(c) | used) == list(range(100))
    assert split.heldout_slices(100, 60) == (b, c)  # fixed seeds


def test_writes_both_slices_in_file_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    split = load_script(monkeypatch)
    monkeypatch.setattr(split, "SLICE_B", 3)
    lines = [json.dumps({"text": f"Article {i}.", "summary": f"S{i}."}) for i in range(20)]
    train = tmp_path / "train.jsonl"
    train.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    assert split.main([str(train), str(tmp_path / "out"), "--sample", "12"]) == 0
    b = (tmp_path / "out" / "slice-b.jsonl").read_text(encoding="utf-8").splitlines()
    c = (tmp_path / "out" / "slice-c.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(b) == 3 and len(c) == 5
    numbers = [int(json.loads(line)["text"].split()[1].rstrip(".")) for line in c]
    assert numbers == sorted(numbers)
