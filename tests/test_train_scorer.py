from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from summarizer.backends.extractive import scorer_from_dict
from summarizer.features import FEATURES

SCRIPT = Path(__file__).parent.parent / "scripts" / "train_scorer.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_scorer", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORDS = [
    {
        "title": f"Acme opens plant number {i}",
        "text": (
            f"Acme opened plant number {i} in Lyon on Monday. It will employ {100 + i} people. "
            "The weather was mild that day. Local shops stayed open. "
            f"The plant cost {i} million euros, the firm said."
        ),
        "summary": f"Acme opened plant {i} in Lyon, employing {100 + i} people.",
    }
    for i in range(12)
]


def test_labels_mark_best_sentences_and_best_pair() -> None:
    train = load_script()
    sentences = [["a", "b"], ["x", "y"], ["c", "d"], ["z"]]
    labels = train.article_labels(sentences, ["a", "b", "c", "d"])
    assert labels[0] == labels[2] == 3.0  # in the top 2 and in the best pair
    assert labels[1] == labels[3] == 0.0


def test_solve_gaussian_elimination() -> None:
    train = load_script()
    assert train.solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0]) == pytest.approx([0.8, 1.4])


def test_training_is_reproducible_byte_for_byte(tmp_path: Path) -> None:
    train = load_script()
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert train.main([str(data), "-o", str(first), "--sample", "10"]) == 0
    assert train.main([str(data), "-o", str(second), "--sample", "10"]) == 0
    assert first.read_bytes() == second.read_bytes()
    model = json.loads(first.read_text(encoding="utf-8"))
    assert model["features"] == list(FEATURES) and model["articles"] == 10
    scorer = scorer_from_dict(model)
    # The first two sentences carry the reference's facts in every article.
    weights = dict(zip(FEATURES, scorer.weights, strict=True))
    assert weights["first"] > 0 and weights["second"] > 0


def test_only_the_candidate_window_is_fitted() -> None:
    train = load_script()
    rows = [(1.0, float(i)) for i in range(12)]
    labels = [3.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 5.0]
    targets = train.window_targets(rows, labels)
    assert [row for row, _ in targets] == rows[: train.PAIR_WINDOW]
    # Centred over the window: the label of sentence 12, outside it, plays no part.
    assert sum(y for _, y in targets) == pytest.approx(0.0)
    assert targets[0][1] == pytest.approx(3.0 - 6.0 / train.PAIR_WINDOW)
