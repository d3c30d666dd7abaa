from __future__ import annotations

import math
import zlib
from importlib import resources
from pathlib import Path

import pytest
from helpers import fresh_python

from summarizer import langmodel


@pytest.fixture(scope="module")
def profiles() -> Path:
    from langdetect import detector_factory

    return Path(detector_factory.PROFILES_DIRECTORY)


def _members(data: bytes) -> list[tuple[bytes, bytes]]:
    """The 10-byte header and the decompressed content of each gzip member of ``data``."""
    members = []
    while data:
        reader = zlib.decompressobj(wbits=31)
        members.append((data[:10], reader.decompress(data)))
        assert reader.eof
        data = reader.unused_data
    return members


@pytest.mark.parametrize("name", [langmodel.TABLE, langmodel.FUNCTION_WORDS])
def test_shipped_gzip_members_carry_no_time_and_no_system(name: str) -> None:
    # mtime 0 and OS 255 ("unknown"), whatever Python wrote them: gzip.compress(mtime=0) writes
    # OS 3 on Unix under Python 3.11 and 3.12 only, and a fresh build must match everywhere.
    shipped = resources.files("summarizer").joinpath(name).read_bytes()
    headers = [header for header, _ in _members(shipped)]
    assert len(headers) >= 2 if name == langmodel.TABLE else len(headers) == 1
    assert set(headers) == {b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"}
    assert langmodel._gzip(b"x")[:10] == headers[0]


@pytest.mark.slow
def test_shipped_table_is_a_fresh_build_of_langdetects_profiles(profiles: Path) -> None:
    # If this fails after a dependency update: python scripts/build_langid_table.py
    shipped = resources.files("summarizer").joinpath(langmodel.TABLE).read_bytes()
    built = langmodel.build_table(profiles)
    assert _members(built) == _members(shipped)  # the same data...
    assert built == shipped  # ...in the same bytes


def test_shipped_function_words_are_a_fresh_build_of_the_stop_lists() -> None:
    shipped = resources.files("summarizer").joinpath(langmodel.FUNCTION_WORDS).read_bytes()
    codes = langmodel.model().codes
    built = langmodel.build_function_words(codes)
    assert _members(built) == _members(shipped)
    assert built == shipped
    index = langmodel.read_function_words(shipped, codes)
    fr, de, en = (codes.index(code) for code in ("fr", "de", "en"))
    unit = 1 << langmodel.HIT_FIELD
    assert index["dans"] == unit**fr
    assert index["und"] == unit**de
    # A word in several lists counts once in each of them.
    assert index["the"] & (unit - 1) << (langmodel.HIT_FIELD * en)
    assert "die" in index and index["die"] >> (langmodel.HIT_FIELD * de) & (unit - 1) == 1
    # Each language's list is stopwordsiso's words and the head of justext's list.
    french = {word for word, units in index.items() if units >> (langmodel.HIT_FIELD * fr) & 1}
    assert {"le", "la", "les", "des", "nous"} <= french
    assert not any(word != word.casefold() or not word.isalpha() for word in index)


def test_table_sections_are_read_only_when_their_script_is_met() -> None:
    code = (
        "from summarizer import langmodel\n"
        "from summarizer.language import detect\n"
        "table = langmodel.model().table\n"
        "assert table.loaded() == ()\n"
        "assert detect('Le gouvernement a présenté mardi son projet de loi.').code == 'fr'\n"
        "assert table.loaded() == ('LATIN',), table.loaded()\n"
        "assert detect('Правительство представило во вторник законопроект.').code == 'ru'\n"
        "assert set(table.loaded()) == {'LATIN', 'CYRILLIC'}, table.loaded()\n"
    )
    fresh_python(code)


@pytest.mark.slow
def test_every_ngram_is_found_in_the_section_of_its_script(profiles: Path) -> None:
    _, table = langmodel.read_table(langmodel.build_table(profiles))
    assert table.names[-1] == langmodel.OTHER_SECTION
    total = 0
    for name in table.names:
        rows = table.section(name)
        total += len(rows)
        for gram in rows:
            assert langmodel.section_of(gram, table.names) == name
    assert total > 80_000
    assert table.get("qqx") is None and table.get("é") is not None and table.get("中") is not None


@pytest.mark.slow
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
        values = langmodel.unpack(row, range(len(lm.codes)))
        for i, value in values.items():
            p = sum(
                factory.word_lang_prob_map.get(variant, [0.0] * len(order))[order[i]]
                for variant in langmodel._case_variants(gram)
            )
            expected = weight * (math.log(p + langmodel.EPSILON) - floor) if p else 0.0
            # Stored in units of 1/SCALE nat: off by half a unit at most.
            assert abs(value - expected) <= 0.5 / langmodel.SCALE, (gram, lm.codes[i])
    assert langmodel._ngram_row("qqx") is None


def test_packed_rows_add_field_by_field() -> None:
    lm = langmodel.model()
    size = len(lm.codes)
    rows = [langmodel._ngram_row(gram) for gram in ("the", " de", "é", "ß")]
    total = sum(row for row in rows if row is not None)
    separate = [langmodel.unpack(row, range(size)) for row in rows if row is not None]
    for i, value in langmodel.unpack(total, range(size)).items():
        assert value == pytest.approx(sum(fields[i] for fields in separate), abs=1e-9)


def test_scores_add_up_the_rows_of_every_ngram() -> None:
    lm = langmodel.model()
    text = "L'ASN a publié, mardi 4 mars, son rapport sur « l'état » des centrales — iPhone 15."
    candidates = list(range(len(lm.codes)))
    scores = langmodel.ngram_scores(lm, text, candidates)
    total = sum(row for row in map(langmodel._ngram_row, langmodel._ngrams(text)) if row)
    assert scores == langmodel.unpack(total, candidates)
    assert scores[lm.iso.index("fr")] == max(scores.values())


def test_long_text_never_overflows_a_packed_field() -> None:
    lm = langmodel.model()
    # The worst case for one field: the n-gram worth the most, as often as the cap allows.
    text = "ß" * (2 * langmodel.MAX_SCORED_CHARS)
    scores = langmodel.ngram_scores(lm, text, list(range(len(lm.codes))))
    german = scores[lm.iso.index("de")]
    assert german == max(scores.values()) > 0
    assert german * langmodel.SCALE < 2**langmodel.FIELD


def test_function_word_counts_read_words_as_the_word_pattern_does() -> None:
    lm = langmodel.model()
    text = "Le 2e trimestre, l'an2024 et la_loi: x² de la ville — DE LA VILLE."
    words = langmodel._WORD_RE.findall(text.casefold())
    assert sorted(langmodel._folded_words(text)) == sorted(words)
    expected = [0] * len(lm.codes)
    for word in words:
        for i in range(len(lm.codes)):
            expected[i] += (lm.function_words.get(word, 0) >> (langmodel.HIT_FIELD * i)) & 1
    assert langmodel.function_word_counts(lm, text) == expected
    assert expected[lm.iso.index("fr")] >= 6


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
    fresh_python(code)
