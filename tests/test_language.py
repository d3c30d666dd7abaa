from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import fresh_python

from summarizer import langmodel, language
from summarizer.errors import UsageError
from summarizer.language import (
    detect,
    detect_document,
    given,
    parse_languages,
    supported_languages,
)

SEVEN = ("fr", "en", "de", "es", "it", "pt", "nl")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("battery-recycling-en.txt", "en"),
        ("smartphone-reparation-fr.txt", "fr"),
        ("glasfaser-ausbau-de.txt", "de"),
        ("coches-autonomos-es.txt", "es"),
        ("intelligenza-artificiale-it.txt", "it"),
        ("energia-solar-pt.txt", "pt"),
        ("fietsdeelsysteem-nl.txt", "nl"),
        ("kosmicheskiy-zapusk-ru.txt", "ru"),
        ("dianche-zh.txt", "zh"),
        ("robotto-ja.txt", "ja"),
        ("cyberbezpieczenstwo-pl.txt", "pl"),
        ("elflyg-sv.txt", "sv"),
    ],
)
def test_detects_article_language(data_dir: Path, name: str, code: str) -> None:
    text = (data_dir / name).read_text(encoding="utf-8")
    for lang in (detect(text), detect_document(text)):
        assert lang.code == code
        assert lang.confidence > 0.9
        assert lang.shares == ()


# Titles and teasers written for these tests (not taken from any benchmark data).
SHORT_TEXTS = [
    ("Le Sénat adopte la loi sur la réparabilité", "fr"),
    ("Nouvelle hausse du prix de l'électricité", "fr"),
    ("Apple delays its new headset until spring", "en"),
    ("Why your phone battery drains overnight", "en"),
    ("Bahn streicht Verbindungen nach Sturmschäden", "de"),
    ("Wirtschaftsministerium", "de"),
    ("El Gobierno aprueba el nuevo plan de vivienda", "es"),
    ("La banca italiana punta sull'intelligenza artificiale", "it"),
    ("Governo aprova novas regras para o trabalho remoto", "pt"),
    ("Gemeente wil minder auto's in het centrum", "nl"),
    ("Rząd przyjął nowy budżet na przyszły rok", "pl"),
    ("Regeringen vill bygga fler laddstolpar", "sv"),
    ("Правительство утвердило новый бюджет", "ru"),
    ("新しいスマートフォンが発売されました", "ja"),
    ("电动汽车销量再创新高", "zh"),
    ("새로운 스마트폰이 출시되었습니다", "ko"),
    ("Η κυβέρνηση ανακοίνωσε νέα μέτρα", "el"),
    ("الحكومة تعلن عن خطة جديدة للطاقة", "ar"),
    ("सरकार ने नई शिक्षा नीति (National Education Policy) की घोषणा की", "hi"),
    ("ગુજરાત", "gu"),
    ("火", "zh"),
    ("カ", "ja"),
]


@pytest.mark.parametrize(("text", "code"), SHORT_TEXTS)
def test_short_texts(text: str, code: str) -> None:
    assert detect(text).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("fietsen huren", "nl"),
        ("schnelles Internet", "de"),
        ("the weather", "en"),
        ("sans frais", "fr"),
        ("muy pronto", "es"),
        ("grazie mille", "it"),
        ("muito obrigado", "pt"),
    ],
)
def test_word_pairs_with_candidates(text: str, code: str) -> None:
    assert detect(text, SEVEN).code == code


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ok", "OK", "12:45", "🙂🙂", "🙂🙂🙂", "a", "-- 42 --", "haha", "zzz", "www"],
)
def test_undetermined(text: str) -> None:
    lang = detect(text)
    assert lang.code == "und"
    assert not lang.known


def test_low_confidence_is_und() -> None:
    # Letters that no language favours: no answer rather than a guess, with the best odds kept.
    lang = detect("xqz")
    assert lang.code == "und"
    assert 0.0 < lang.confidence < language.MIN_CONFIDENCE
    assert len(lang.alternatives) == 3


def test_detection_is_deterministic() -> None:
    text = "Ce texte est court mais il est en français, ou presque."
    assert len({detect(text) for _ in range(5)}) == 1
    long_text = text * 20
    assert len({detect(long_text) for _ in range(3)}) == 1


def test_thread_safe_and_same_as_sequential(data_dir: Path) -> None:
    texts = [text for text, _ in SHORT_TEXTS] + [
        path.read_text(encoding="utf-8") for path in sorted(data_dir.glob("*.txt"))
    ]
    sequential = [detect(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(detect, texts * 3))
    assert threaded == sequential * 3


def test_candidates_restrict_the_answer() -> None:
    text = "Bahn streicht Verbindungen nach Sturmschäden"
    assert detect(text, ("fr", "en")).code in {"fr", "en", "und"}
    assert detect(text, ("de", "nl")).code == "de"
    # A script none of the candidates is written in.
    assert detect("Правительство утвердило новый бюджет", ("fr", "en")).code == "und"


def test_restriction_does_not_leak_into_later_calls(data_dir: Path) -> None:
    text = (data_dir / "glasfaser-ausbau-de.txt").read_text(encoding="utf-8")
    before = detect(text)
    assert detect(text, ("fr", "en")).code in {"fr", "en", "und"}
    assert detect(text) == before


def test_parse_languages() -> None:
    assert parse_languages(None) is None
    assert parse_languages("FR, en,fr") == ("fr", "en")
    assert parse_languages(["de", "zh-CN"]) == ("de", "zh")
    assert parse_languages("") is None
    with pytest.raises(UsageError, match=r"xx.*valid codes: af, ar"):
        parse_languages("fr,xx")


def test_mixed_document(data_dir: Path) -> None:
    text = (data_dir / "mixed-fr-en.txt").read_text(encoding="utf-8")
    lang = detect_document(text)
    assert lang.code == "fr"
    shares = dict(lang.shares)
    assert set(shares) == {"fr", "en"}
    assert shares["fr"] > shares["en"] > 0.2
    assert abs(sum(shares.values()) - 1.0) < 1e-9
    assert lang.shares[0][0] == "fr"


def test_mixed_document_main_language_by_length() -> None:
    english = (
        "The regional council approved the budget for the new tram line on Tuesday evening. "
        "Construction should start next spring and the first trams are expected in 2029. "
    )
    french = "Le conseil régional a voté le budget de la nouvelle ligne de tramway mardi soir."
    lang = detect_document(f"{french}\n{english}\n{english}")
    assert lang.code == "en"
    assert dict(lang.shares).keys() == {"en", "fr"}


def test_title_counts_with_the_body() -> None:
    body = "Das Projekt soll im kommenden Jahr beginnen und drei Jahre dauern."
    lang = detect_document(body, title="Neue Brücke für Köln")
    assert lang.code == "de" and lang.shares == ()


def test_long_documents_read_a_bounded_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = language._detect

    def counting(sample: str, languages: object, **options: object) -> object:
        calls.append(len(sample))
        return real(sample, languages, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(language, "_detect", counting)
    paragraph = "Les opérateurs déploient la fibre optique dans les villages de la région. " * 3
    lang = detect_document("\n".join([paragraph] * 200))
    assert lang.code == "fr"
    assert len(calls) <= language.MAX_PARAGRAPHS
    assert max(calls) <= language.PARAGRAPH_CHARS


def test_given_language_and_codes() -> None:
    assert given("FR").code == "fr"
    assert "zh" in supported_languages() and "zh-cn" not in supported_languages()
    assert {"fr", "en", "de", "ja", "ko", "ar"} <= set(supported_languages())


def test_one_line_record_is_read_in_chunks() -> None:
    french = (
        "La région a présenté mardi son plan pour équiper les lycées de panneaux solaires, "
        "un projet qui doit réduire la facture d'électricité des établissements de moitié. "
    ) * 6
    english = (
        "The company said the new panels would be installed during the summer holidays, "
        "when the schools are closed and the roofs can be reached safely by the crews. "
    ) * 4
    lang = detect_document(french + english)
    assert "\n" not in french + english
    assert lang.code == "fr"
    assert dict(lang.shares).keys() == {"fr", "en"}


def test_document_shortcut_still_finds_a_quoted_language(data_dir) -> None:  # type: ignore[no-untyped-def]
    """Paragraphs agreeing with a settled one are checked cheaply; a quoted one is still scored."""
    from summarizer import language

    text = (data_dir / "mixed-fr-en.txt").read_text(encoding="utf-8")
    fast = language.detect_document(text)
    slow_threshold = language.SETTLED_CONFIDENCE
    try:
        language.SETTLED_CONFIDENCE = 2.0  # never settled: every paragraph fully scored
        slow = language.detect_document(text)
    finally:
        language.SETTLED_CONFIDENCE = slow_threshold
    assert fast.code == slow.code == "fr"
    assert [code for code, _ in fast.shares] == [code for code, _ in slow.shares] == ["fr", "en"]


# Pairs of content words with no function word, between close languages: written for the project.
CLOSE_PAIRS = [
    ("coche eléctrico", "es"),
    ("carro elétrico", "pt"),
    ("ventas récord", "es"),
    ("trabalho noturno", "pt"),
    ("lavoro notturno", "it"),
    ("fiets gestolen", "nl"),
    ("Fahrrad gestohlen", "de"),
    ("ziekenhuis gesloten", "nl"),
    ("Krankenhaus geschlossen", "de"),
]


@pytest.mark.parametrize(("text", "code"), CLOSE_PAIRS)
def test_close_language_word_pairs(text: str, code: str) -> None:
    assert detect(text, SEVEN).code == code


def test_word_frequencies_decide_between_close_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the frequency evidence the n-grams get these wrong; with it they come out right.
    assert detect("carro elétrico", SEVEN).code == "pt"
    assert detect("ventas récord", SEVEN).code == "es"
    monkeypatch.setattr(language, "FREQUENCY_WEIGHT", 0.0)
    assert detect("carro elétrico", SEVEN).code == "es"
    assert detect("ventas récord", SEVEN).code == "fr"


def test_word_frequency_lists() -> None:
    portuguese, spanish = langmodel.word_frequencies("pt"), langmodel.word_frequencies("es")
    assert portuguese is not None and spanish is not None
    assert portuguese["carro"] > spanish["carro"]
    assert spanish["coche"] > portuguese.get("coche", language.FREQUENCY_FLOOR)
    assert "elétrico" in portuguese and "elétrico" not in spanish
    # Loaded once and shared; langdetect's codes mapped to wordfreq's ("no" is Bokmål).
    assert langmodel.word_frequencies("pt") is portuguese
    assert langmodel.word_frequencies("no") is not None
    assert langmodel.word_frequencies("af") is None
    assert langmodel.words("Elétrico, CARRO!") == ["elétrico", "carro"]


def test_a_language_without_a_frequency_list_is_not_penalised() -> None:
    lm = langmodel.model()
    dutch, afrikaans = lm.iso.index("nl"), lm.iso.index("af")
    bonus = language._frequency_bonus("fiets gestolen", {dutch: 0.0, afrikaans: 0.0})
    assert bonus[dutch] > 0.0
    assert bonus[afrikaans] == bonus[dutch]


def test_word_frequencies_load_once_across_threads() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        tables = list(pool.map(langmodel.word_frequencies, ["it"] * 8))
    assert all(table is tables[0] for table in tables)


@pytest.mark.slow
def test_articles_never_load_word_frequencies(data_dir: Path) -> None:

    article = data_dir / "glasfaser-ausbau-de.txt"
    code = (
        "import sys\n"
        "from summarizer import summarize_file\n"
        "from summarizer.language import detect, detect_document\n"
        f"text = open({str(article)!r}, encoding='utf-8').read()\n"
        "assert detect(text).code == detect_document(text).code == 'de'\n"
        f"assert summarize_file({str(article)!r}).language.code == 'de'\n"
        "assert 'wordfreq' not in sys.modules\n"
        "assert detect('Fahrrad gestohlen').code == 'de'\n"
        "assert 'wordfreq' in sys.modules\n"
    )
    fresh_python(code)


@pytest.mark.parametrize(
    ("title", "code"),
    [
        # Names ("Hong Kong", "Lisboa") carry little of the language and once outvoted its words.
        ("Hong Kong aún importa", "es"),
        ("Nueva York vuelve a llorar", "es"),
        ("Lisboa recebe os Jogos", "pt"),
    ],
)
def test_names_do_not_outvote_a_titles_own_words(title: str, code: str) -> None:
    assert language.detect(title).code == code


def test_confidence_on_a_few_words_is_never_certain() -> None:
    one = language.detect("Brasil")
    four = language.detect("Hong Kong aún importa")
    long = language.detect(
        "La mairie a annoncé lundi que les travaux du nouveau pont commenceront en mars prochain."
    )
    assert one.confidence <= 0.6
    assert four.confidence < 0.99
    assert long.confidence > 0.99
    # Fewer words, less certainty: the cap grows with the number of words.
    caps = [language._short_text_cap(" ".join(["mot"] * n)) for n in range(1, 8)]
    assert caps == sorted(caps) and caps[0] < 0.6 < caps[-1] < 1.0
    # Chinese characters count as words by halves, not the whole title as one word.
    assert language.detect("中国经济增长放缓，出口下降").confidence > 0.95
