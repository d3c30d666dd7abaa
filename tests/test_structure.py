"""The structure-aware layer: sections, priors, coverage; unstructured articles untouched."""

from __future__ import annotations

from pathlib import Path

from summarizer import backends, rouge, structure
from summarizer.clean import clean
from summarizer.load import from_text, load_path
from summarizer.models import Article
from summarizer.pipeline import make_options, prepare
from summarizer.similarity import tfidf_vectors

SECTIONED = (
    "Acme opens a battery plant in Lyon\n"
    "The recycler bets on French carmakers. Will they follow?\n"
    "The opening\n"
    "Acme opened a battery recycling plant in Lyon on Monday. "
    "Local officials attended the ceremony.\n"
    "Jobs and output\n"
    "The plant will employ 300 people. "
    "Its output of lithium and nickel will reach 10,000 tonnes a year.\n"
    "What comes next\n"
    "A second plant is planned in Spain. "
    "The move shows that Europe wants its own battery metals.\n"
)


def _request(text: str, bullets: int = 3, language: str = "en") -> backends.Request:
    return prepare(from_text(text), make_options(bullets=bullets, language=language))


def test_sections_follow_headings_and_standfirst() -> None:
    request = _request(SECTIONED)
    document = request.document
    assert structure.is_structured(document)
    assert document.headings == ("The opening", "Jobs and output", "What comes next")
    section_of = structure.sections(document, request.sentences)
    assert section_of == [structure.STANDFIRST] * 2 + [0, 0, 1, 1, 2, 2]


def test_single_paragraph_is_not_structured() -> None:
    # OrangeSum records: a title and one paragraph (the cleaner calls it a standfirst).
    article = Article(text="Acme opened a plant. It employs 300 people.", title="Acme opens")
    document = clean(article)
    assert len(document.blocks) == 1
    assert not structure.is_structured(document)
    assert not structure.is_structured(clean(from_text("One line. Another one.")))


def test_priors_favour_heading_match_section_leads_and_conclusion() -> None:
    request = _request(SECTIONED)
    usable = [not s.text.endswith("?") for s in request.sentences]
    bonus = structure.structure_scores(request.document, request.sentences, "en", usable)
    # Section leads (2, 4, 6) get their prior; the conclusion (7) gets its own.
    assert bonus[2] == bonus[4] == structure.SECTION_LEAD > bonus[3] == 0.0
    assert bonus[7] >= structure.CONCLUSION
    # "output" is in the heading "Jobs and output": heading similarity counts.
    assert bonus[5] > 0
    # Standfirst sentences have no heading and are no section lead in the body.
    assert bonus[1] == 0.0


def test_selection_covers_sections_before_repeating_one() -> None:
    vectors = tfidf_vectors([["a"], ["b"], ["c"], ["d"], ["e"]])
    section_of = [structure.STANDFIRST, 0, 0, 0, 1]
    gap = structure.SAME_SECTION / 2
    scores = [9.0, 1.0, 1.0 - gap, 0.9, 1.0 - 2 * gap]
    # The standfirst is no candidate while others remain; a close second from section 0
    # gives way to section 1, best first.
    assert structure.select_structured(scores, vectors, section_of, 2, [True] * 5) == [1, 4]
    # Coverage is a penalty, not a ban: a much better sentence of the same section still wins.
    scores[4] = 0.0
    assert structure.select_structured(scores, vectors, section_of, 2, [True] * 5) == [1, 2]
    assert structure.select_structured(scores, vectors, section_of, 5, [True] * 5)[-1] == 0


def test_extractive_bullets_in_document_order_headline_is_best() -> None:
    request = _request(SECTIONED)
    backend = backends.get_backend("extractive")
    result = backend.summarize(request)
    indices = [b.sentence for b in result.bullets]
    assert indices == sorted(indices) and len(indices) == 3
    # Three sections, three bullets: one from each.
    section_of = structure.sections(request.document, request.sentences)
    assert sorted(section_of[i] for i in indices if i is not None) == [0, 1, 2]
    with_headline = prepare(
        from_text(SECTIONED), make_options(bullets=2, language="en", headline=True)
    )
    result = backend.summarize(with_headline)
    best = backend.rank(with_headline, 3)[0]  # type: ignore[attr-defined]
    assert result.headline is not None
    assert rouge.score(result.headline, with_headline.sentences[best].text)["rouge1"].recall == 1
    assert best not in [b.sentence for b in result.bullets]


def test_seed_bullets_reach_the_author_tldr(seed_path: Path) -> None:
    # Issue 4's target: three bullets, ROUGE-1 F1 >= 45 against the article's own Tl;dr.
    request = prepare(load_path(seed_path), make_options(bullets=3))
    result = backends.get_backend("extractive").summarize(request)
    summary = "\n".join(b.text for b in result.bullets)
    reference = "\n".join(request.document.author_tldr)
    assert len(request.document.author_tldr) == 3
    assert rouge.score(summary, reference)["rouge1"].f1 >= 0.45


def test_titled_multi_paragraph_record_without_headings_is_not_structured() -> None:
    # A feed record: its first paragraph is the lede, which the learned window handles.
    text = "Acme opened a plant on Monday.\n\nIt employs 300 people.\n\nSales rose by 5%."
    document = clean(from_text(text, title="Acme opens a plant"))
    assert document.blocks[0].kind == "standfirst" and len(document.blocks) == 3
    assert not structure.is_structured(document)
