"""Structure-aware selection for articles with section headings or a standfirst.

The learned scorer (summarizer.features) was trained on OrangeSum, whose articles are single
paragraphs: it knows the inverted pyramid (facts first) but nothing about sections. An author who
writes headings has already cut the article into topics, and the TL;DR of such an article usually
takes one fact from several of them, often including the conclusion. This layer applies only when
the cleaner found that structure (``Document.headings``) and adds
to the learned score, in every language alike:

- **heading similarity**: TF-IDF cosine of a sentence to its own section's heading (the author's
  label for what the section is about);
- **section lead**: a small prior for the first usable sentence of each section (each section is
  a short story that opens with its point);
- **conclusion**: a prior for the article's last usable sentence (where news states what an
  event means);
- **coverage**: each bullet already taken from a section lowers the others of that section, so
  bullets spread over sections before a second one comes from the same section.

The standfirst is the author's own lede: a teaser, usually a question or a hook, whose facts the
body states again in full. It is not a bullet candidate (unless nothing else is left).

Weights were set by hand on four structured articles with author TL;DRs, then chosen among a
few settings by the 32 OrangeSum HTML pages with two or more headings (the largest structured
sample we have; see docs/quality.md): few articles, so few free weights.
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import Document, Sentence
from .sentences import terms
from .similarity import REDUNDANCY, Vector, cosine, tfidf_vectors

HEADING = 0.5
SECTION_LEAD = 0.15
CONCLUSION = 0.45
SAME_SECTION = 0.1  # subtracted once per bullet already taken from the sentence's section
STANDFIRST = -2  # section of standfirst sentences; -1: body before the first heading


def is_structured(document: Document) -> bool:
    """True when the article has section headings.

    A title and a first paragraph alone are not enough: in a multi-paragraph record (a news feed's
    JSONL) that paragraph is the lede, and the learned scorer's window already handles it.
    """
    return bool(document.headings)


def sections(document: Document, sentences: Sequence[Sentence]) -> list[int]:
    """Each sentence's section: the index of its heading, -1 before any, STANDFIRST."""
    result = []
    for sentence in sentences:
        block = document.blocks[sentence.block]
        result.append(STANDFIRST if block.kind == "standfirst" else block.section)
    return result


def structure_scores(
    document: Document,
    sentences: Sequence[Sentence],
    language: str,
    usable: Sequence[bool],
) -> list[float]:
    """What structure adds to each sentence's score: heading, section-lead and conclusion priors."""
    section_of = sections(document, sentences)
    vectors = tfidf_vectors(
        [terms(s.text, language) for s in sentences]
        + [terms(h, language) for h in document.headings]
    )
    heading_vectors = vectors[len(sentences) :]
    bonus = [0.0] * len(sentences)
    seen: set[int] = set()
    last = None
    for i, section in enumerate(section_of):
        if section >= 0:
            bonus[i] += HEADING * cosine(vectors[i], heading_vectors[section])
        if not usable[i]:
            continue
        if section not in seen:
            seen.add(section)
            bonus[i] += SECTION_LEAD
        last = i
    if last is not None:
        bonus[last] += CONCLUSION
    return bonus


def select_structured(
    scores: Sequence[float],
    vectors: Sequence[Vector],
    section_of: Sequence[int],
    k: int,
    allowed: Sequence[bool],
) -> list[int]:
    """Up to ``k`` indices, greedily by score less SAME_SECTION per bullet already in a section.

    Sentences too similar to one already chosen are skipped, as in select_diverse; standfirst
    sentences and disallowed ones only fill in when nothing else is left. Best first.
    """
    chosen: list[int] = []
    taken: dict[int, int] = {}
    for strict in (True, False):
        while len(chosen) < k:
            best, best_score = None, 0.0
            for i, score in enumerate(scores):
                if i in chosen:
                    continue
                if strict and (not allowed[i] or section_of[i] == STANDFIRST):
                    continue
                if strict and any(cosine(vectors[i], vectors[j]) > REDUNDANCY for j in chosen):
                    continue
                adjusted = score - SAME_SECTION * taken.get(section_of[i], 0)
                if best is None or adjusted > best_score:
                    best, best_score = i, adjusted
            if best is None:
                break
            chosen.append(best)
            taken[section_of[best]] = taken.get(section_of[best], 0) + 1
    return chosen
