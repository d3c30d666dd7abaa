from __future__ import annotations

import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from summarizer import langmodel


@pytest.fixture(scope="module")
def profiles() -> Path:
    from langdetect import detector_factory

    return Path(detector_factory.PROFILES_DIRECTORY)


def test_shipped_table_is_a_fresh_build_of_langdetects_profiles(profiles: Path) -> None:
    shipped = resources.files("summarizer").joinpath(langmodel.TABLE).read_bytes()
    assert langmodel.build_table(profiles) == shipped


def test_table_rows_are_langdetects_probabilities_with_case_variants_merged() -> None:
    from langdetect import detector_factory

    factory = detector_factory.DetectorFactory()
    factory.load_profile(detector_factory.PROFILES_DIRECTORY)
    lm = langmodel.model()
    order = [factory.langlist.index(code) for code in lm.codes]
    floor = math.log(langmodel.EPSILON)
    for gram in ("the", " th", "é", "ß", "ция", " de", "ij", "あ", "中"):
        row = langmodel._ngram_row(gram)
        assert row is not None
        weight = langmodel.NGRAM_WEIGHTS[len(gram) - 1]
        for i, value in enumerate(row):
            p = sum(
                factory.word_lang_prob_map.get(variant, [0.0] * len(order))[order[i]]
                for variant in langmodel._case_variants(gram)
            )
            expected = weight * (math.log(p + langmodel.EPSILON) - floor) if p else 0.0
            assert value == pytest.approx(expected, rel=1e-6, abs=1e-6), (gram, lm.codes[i])
    assert langmodel._ngram_row("qqx") is None


def test_scores_add_up_the_rows_of_every_ngram() -> None:
    lm = langmodel.model()
    text = "L'ASN a publié, mardi 4 mars, son rapport sur « l'état » des centrales — iPhone 15."
    candidates = list(range(len(lm.codes)))
    scores = langmodel.ngram_scores(lm, text, candidates)
    rows = [row for row in map(langmodel._ngram_row, langmodel._ngrams(text)) if row]
    for i in candidates:
        assert scores[i] == pytest.approx(math.fsum(row[i] for row in rows), rel=1e-9)


def test_ngrams_follow_langdetects_rules() -> None:
    from langdetect.utils.ngram import NGram

    text = "Le CNRS publie l'étude, 2024: iPhone ÉTAT été."
    expected = []
    ngram = NGram()
    for char in f" {text} ":
        ngram.add_char(char)
        for n in (1, 2, 3):
            gram = ngram.get(n)
            if gram is not None and gram != " ":
                expected.append(gram.lower())
    assert list(langmodel._ngrams(text)) == expected


def test_documents_never_load_langdetects_own_detector(data_dir: Path) -> None:
    # Its profiles take 0.3 s and 70 MB to load; documents are scored from the compact table.
    code = (
        "from summarizer import langmodel\n"
        "from summarizer.language import detect_document\n"
        f"text = open({str(data_dir / 'one-sentence-en.txt')!r}, encoding='utf-8').read()\n"
        "assert detect_document(text * 3).code == 'en'\n"
        "assert detect_document(text).code == 'en'\n"
        "assert langmodel._load_factory.cache_info().currsize == 0\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
