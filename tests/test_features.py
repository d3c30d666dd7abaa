from __future__ import annotations

import pytest

from summarizer.features import ECHO_LOOKBACK, FEATURES, document_features, linear_scores
from summarizer.load import from_text
from summarizer.models import Options
from summarizer.pipeline import prepare

TEXT = (
    "Acme unveils a solar battery for homes\n"
    "Acme unveiled on Monday a home battery that stores 12 kWh of solar power. "
    "The company says it will cost 4,000 euros. "
    "“We want every roof to become a power plant,” said chief executive Jane Doe. "
    "Is this the end of the grid? "
    "Sales start in Germany (in March) and in France later."
)


def features(text: str = TEXT) -> list[dict[str, float]]:
    request = prepare(from_text(text), Options(language="en"))
    doc = document_features(request.sentences, request.document.title, "en")
    return [dict(zip(FEATURES, row, strict=True)) for row in doc.rows]


def test_rows_can_stop_after_the_first_sentences() -> None:
    request = prepare(from_text(TEXT), Options(language="en"))
    args = (request.sentences, request.document.title, "en")
    full = document_features(*args)
    first = document_features(*args, rows=2)
    # Rows are relative to the whole document (centrality, capitals), limited or not.
    assert first.rows == full.rows[:2]
    assert first.vectors == full.vectors


def test_one_row_per_sentence_in_feature_order() -> None:
    rows = features()
    assert len(rows) == 5
    assert all(len(row) == len(FEATURES) for row in rows)


def test_position_features() -> None:
    rows = features()
    assert [r["first"] for r in rows] == [1, 0, 0, 0, 0]
    assert [r["second"] for r in rows] == [0, 1, 0, 0, 0]
    assert rows[0]["position_inverse"] > rows[1]["position_inverse"] > rows[4]["position_inverse"]
    assert rows[0]["position_relative"] == 0 and rows[4]["position_relative"] == 1


def test_surface_features() -> None:
    rows = features()
    assert rows[0]["numbers"] == 1 and rows[3]["numbers"] == 0
    assert rows[2]["quote"] == 1 and rows[0]["quote"] == 0
    assert rows[3]["question_or_colon"] == 1
    assert rows[4]["parenthesis"] == 1
    assert all(r["bias"] == 1 for r in rows)


def test_title_similarity_and_centrality_in_range() -> None:
    rows = features()
    assert rows[0]["title_similarity"] > rows[3]["title_similarity"]
    assert max(r["centrality"] for r in rows) == pytest.approx(1.0)


def test_capitalisation_is_relative_to_the_document() -> None:
    # German capitalises nouns: only the difference from the article's mean counts.
    rows = features()
    assert sum(r["capitalised"] for r in rows) == pytest.approx(0.0, abs=1e-9)


def test_no_sentences_no_rows() -> None:
    assert document_features((), "Title", "en").rows == ()


def test_linear_scores() -> None:
    assert linear_scores([(1.0, 2.0), (0.0, 1.0)], (0.5, -1.0)) == [-1.5, -1.0]
    with pytest.raises(ValueError):
        linear_scores([(1.0, 2.0, 3.0)], (0.5, -1.0))


def test_opens_with_quote_marks_reported_speech() -> None:
    rows = features()
    # Sentence 3 opens with “; sentence 1 quotes nothing.
    assert [r["opens_with_quote"] for r in rows] == [0, 0, 1, 0, 0]
    german = features("Titel\nDer Rat tagte am Montag. „Wir sind bereit“, sagte die Chefin.")
    assert [r["opens_with_quote"] for r in german] == [0, 1]


def test_repeats_earlier_sees_only_recent_sentences() -> None:
    lead = "Acme opened a battery plant in Lyon on Monday."
    repeat = "The new Acme battery plant in Lyon opened Monday."
    fillers = [f"Filler sentence number {n} mentions topic {n}." for n in range(ECHO_LOOKBACK)]
    rows = features("Title\n" + " ".join([lead, "The weather was mild.", repeat]))
    assert rows[0]["repeats_earlier"] == 0
    assert rows[1]["repeats_earlier"] < 0.1 < 0.5 < rows[2]["repeats_earlier"]
    # Beyond the lookback an echo goes unseen: the feature stays linear in the article's length.
    far = features("Title\n" + " ".join([lead, *fillers, repeat]))
    assert far[-1]["repeats_earlier"] < 0.1
