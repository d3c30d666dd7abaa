"""ROUGE-1 of a backend's bullets against each article's own author TL;DR, beside LEAD-k.

Usage: python benchmarks/authored_tldr.py FILE... [--backend NAME]

k is the number of items in the article's TL;DR; the cleaner sets that TL;DR aside, so the
backend never sees it. LEAD-k is the first k sentences as written. Anecdotes, not an evaluation:
a handful of structured articles whose authors wrote their own summary.
"""

from __future__ import annotations

import argparse

from summarizer import backends, rouge
from summarizer.load import load_path
from summarizer.pipeline import make_options, prepare


def main() -> None:
    """Print one row per article and the mean."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--backend", default="extractive")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the bullets")
    args = parser.parse_args()
    print(f"| article | k | `{args.backend}` | LEAD-k |\n|---|---|---|---|")
    totals = [0.0, 0.0]
    for path in args.files:
        article = load_path(path)
        probe = prepare(article, make_options(backend=args.backend))
        reference = "\n".join(probe.document.author_tldr)
        k = len(probe.document.author_tldr)
        request = prepare(article, make_options(bullets=k, backend=args.backend))
        result = backends.get_backend(args.backend).summarize(request)
        system = rouge.score("\n".join(b.text for b in result.bullets), reference)
        lead = rouge.score("\n".join(s.text for s in request.sentences[:k]), reference)
        totals[0] += system["rouge1"].f1
        totals[1] += lead["rouge1"].f1
        print(
            f"| `{path}` | {k} | {100 * system['rouge1'].f1:.1f} | {100 * lead['rouge1'].f1:.1f} |"
        )
        if args.verbose:
            for bullet in result.bullets:
                print(f"    [{bullet.sentence}] {bullet.text}")
    n = len(args.files)
    print(f"| mean | | {100 * totals[0] / n:.1f} | {100 * totals[1] / n:.1f} |")


if __name__ == "__main__":
    main()
