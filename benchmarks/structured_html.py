"""Structure-aware selection on OrangeSum's HTML pages, with and without their structure.

Usage: python benchmarks/structured_html.py ../shared/data/orangesum/html [--min-headings 2]

The pages of ../shared keep the article's own section headings, and their chapô is the
OrangeSum abstract: the block holding it is dropped, so the abstract becomes an unseen
reference. Each page is summarized twice in 2 bullets by the extractive backend: as cleaned
(headings and sections: summarizer.structure applies) and with its structure erased (no
headings, every block a paragraph: the candidate window applies), beside LEAD-2.
ROUGE-1/2/L F1, mean over pages, in %.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from summarizer import backends, rouge
from summarizer.backends import Request
from summarizer.clean import clean
from summarizer.language import given
from summarizer.load import iter_jsonl, load_path
from summarizer.models import Document
from summarizer.pipeline import make_options
from summarizer.sentences import split_sentences


def _request(document: Document) -> Request:
    options = make_options(bullets=2, language="fr")
    return Request(document, split_sentences(document, "fr"), given("fr"), options)


def main() -> None:
    """Print one row per system."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--min-headings", type=int, default=2)
    args = parser.parse_args()
    backend = backends.get_backend("extractive")
    scores: dict[str, list[dict[str, rouge.Score]]] = {"structured": [], "flat": [], "lead-2": []}
    for _, page in iter_jsonl(args.html_dir / "pages.jsonl"):
        document = clean(load_path(args.html_dir / page["file"]))
        key = page["summary"][:40]
        document = dataclasses.replace(
            document, blocks=tuple(b for b in document.blocks if key not in b.text)
        )
        if len(document.headings) < args.min_headings or not document.blocks:
            continue
        flat = dataclasses.replace(
            document,
            headings=(),
            blocks=tuple(
                dataclasses.replace(b, kind="paragraph", section=-1) for b in document.blocks
            ),
        )
        structured_request, flat_request = _request(document), _request(flat)
        for name, request in (("structured", structured_request), ("flat", flat_request)):
            bullets = backend.summarize(request).bullets
            scores[name].append(rouge.score("\n".join(b.text for b in bullets), page["summary"]))
        lead = "\n".join(s.text for s in flat_request.sentences[:2])
        scores["lead-2"].append(rouge.score(lead, page["summary"]))
    print(f"{len(scores['flat'])} pages with at least {args.min_headings} headings")
    for name, items in scores.items():
        means = rouge.mean_f1(items)
        print(f"{name:12} {means['rouge1']:6.2f} {means['rouge2']:6.2f} {means['rougeL']:6.2f}")


if __name__ == "__main__":
    main()
