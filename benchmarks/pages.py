"""Real web pages: extraction quality, titles and bullets that are not article content.

Usage:
    python benchmarks/pages.py --en ../shared/data/pages-en --fr ../shared/data/orangesum/html
    python benchmarks/pages.py --en DIR -v      # also list each failing page and bad bullet

English pages (DIR holds ``<id>.html`` and ``ground-truth.json`` mapping each id to its true
``articleBody``): word-token precision/recall/F1 (tokens counted with their repeats) of the
text ``summarizer`` extracts, beside ``trafilatura.extract`` with its defaults on the same pages
in the same run; pages that fail ("no article text found"); titles that keep a site tag; and
the share of pages with a bullet (3 bullets, default options) whose words are not at least
80% in the true body (a credit line, a newsletter prompt, a caption).

French pages (DIR holds ``<id>.html`` and ``pages.jsonl`` with each page's expected ``title``,
``summary`` and ``text``): the same extraction figures, titles equal to the expected one, the
non-content bullet share (2 bullets, the expected text and summary as the body), and ROUGE of
the bullets against the summary.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from summarizer import rouge
from summarizer.errors import SummarizerError
from summarizer.load import iter_jsonl, load_path
from summarizer.pipeline import make_options, summarize_article

_TOKEN_RE = re.compile(r"\w+")
# What separates a site tag from the headline in a <title>.
_TITLE_SEPARATORS_RE = re.compile(r"\s+[|–—•·:»«-]+\s+|\s*\|\s*|\s+::\s+")
_SITE_NAME_RE = re.compile(
    r"<meta[^>]+(?:property|name)=[\"']og:site_name[\"'][^>]*content=[\"']([^\"']+)"
    r"|<meta[^>]+content=[\"']([^\"']+)[\"'][^>]*(?:property|name)=[\"']og:site_name",
    re.IGNORECASE,
)
CONTENT_SHARE = 0.8


def tokens(text: str) -> Counter[str]:
    """Case-folded word tokens with their counts."""
    return Counter(_TOKEN_RE.findall(text.casefold()))


def prf(found: str, truth: str) -> tuple[float, float, float]:
    """Word-token precision, recall and F1 of ``found`` against ``truth``."""
    got, want = tokens(found), tokens(truth)
    common = sum((got & want).values())
    p = common / sum(got.values()) if got else 0.0
    r = common / sum(want.values()) if want else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def in_body(bullet: str, body: Counter[str]) -> bool:
    """Whether at least CONTENT_SHARE of the bullet's word tokens are in the body."""
    words = tokens(bullet)
    total = sum(words.values())
    return total == 0 or sum((words & body).values()) / total >= CONTENT_SHARE


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def site_names(html: str, url: str | None) -> set[str]:
    """The page's site name (og:site_name) and its domain's main label, normalised."""
    names = set()
    match = _SITE_NAME_RE.search(html)
    if match:
        names.add(_norm(match.group(1) or match.group(2)))
    if url:
        host = urlsplit(url).hostname or ""
        labels = [p for p in host.split(".") if p not in {"www", "com", "co", "uk", "org", "net"}]
        if labels:
            names.add(_norm(labels[-1]))
    return {name for name in names if len(name) >= 3}


def has_site_tag(title: str | None, names: Iterable[str]) -> bool:
    """Whether ``title`` keeps a separated part that is (or holds) the site's name."""
    if not title:
        return False
    parts = _TITLE_SEPARATORS_RE.split(title)
    if len(parts) < 2:
        return False
    for part in (parts[0], parts[-1]):
        key = _norm(part)
        if key and any(name in key or (key in name and len(key) >= 3) for name in names):
            return True
    return False


@dataclass
class Tally:
    """Per-system sums over pages."""

    p: float = 0.0
    r: float = 0.0
    f: float = 0.0
    pages: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, found: str, truth: str) -> None:
        p, r, f = prf(found, truth)
        self.p, self.r, self.f, self.pages = self.p + p, self.r + r, self.f + f, self.pages + 1

    def row(self, name: str) -> str:
        n = max(self.pages, 1)
        return (
            f"{name:24} P {100 * self.p / n:5.1f}  R {100 * self.r / n:5.1f}  "
            f"F1 {100 * self.f / n:5.1f}  failed {len(self.failed):2}  {self.seconds:6.1f} s"
        )


def _trafilatura(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def run(
    pages: list[tuple[Path, str, str | None, str | None]],
    *,
    bullets: int,
    language: str | None,
    verbose: bool,
) -> dict[str, object]:
    """Score every page: (path, true body, url, expected title or None)."""
    ours, theirs = Tally(), Tally()
    bad_pages = 0
    site_tagged = 0
    titles_equal = 0
    scores = []
    options = make_options(bullets=bullets, language=language)
    for path, truth, url, expected_title in pages:
        html = path.read_text(encoding="utf-8", errors="replace")
        started = time.perf_counter()
        theirs.add(_trafilatura(html, url), truth)
        theirs.seconds += time.perf_counter() - started
        started = time.perf_counter()
        try:
            article = load_path(path)
        except SummarizerError as exc:
            ours.seconds += time.perf_counter() - started
            ours.failed.append(path.name)
            ours.add("", truth)
            if verbose:
                print(f"  FAILED {path.name}: {exc}")
            continue
        ours.seconds += time.perf_counter() - started
        ours.add(article.text, truth)
        title = article.title
        if has_site_tag(title, site_names(html, url)):
            site_tagged += 1
            if verbose:
                print(f"  SITE TAG {path.name}: {title}")
        if expected_title is not None and title and _norm(title) == _norm(expected_title):
            titles_equal += 1
        summary = summarize_article(article, options)
        body = tokens(truth)
        bad = [b.text for b in summary.bullets if not in_body(b.text, body)]
        if bad:
            bad_pages += 1
            if verbose:
                for text in bad:
                    print(f"  NOT CONTENT {path.name}: {text}")
        scores.append((summary, truth))
    return {
        "ours": ours,
        "trafilatura": theirs,
        "bad_pages": bad_pages,
        "summarized": len(scores),
        "site_tagged": site_tagged,
        "titles_equal": titles_equal,
    }


def report(name: str, result: dict[str, object], pages: int) -> None:
    """Print one block of figures."""
    ours, theirs = result["ours"], result["trafilatura"]
    assert isinstance(ours, Tally) and isinstance(theirs, Tally)
    print(f"{name}: {pages} pages")
    print("  " + ours.row("summarizer extraction"))
    print("  " + theirs.row("trafilatura.extract"))
    bad = int(result["bad_pages"])  # type: ignore[call-overload]
    done = max(int(result["summarized"]), 1)  # type: ignore[call-overload]
    print(f"  pages with a non-content bullet: {bad}/{done} ({100 * bad / done:.1f}%)")
    print(f"  titles with a site tag: {result['site_tagged']}")


def main() -> None:
    """Run the English and/or French pages and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--en", type=Path, help="folder of English pages with ground-truth.json")
    parser.add_argument("--fr", type=Path, help="folder of French pages with pages.jsonl")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.en:
        truth = json.loads((args.en / "ground-truth.json").read_text(encoding="utf-8"))
        pages = [
            (args.en / f"{key}.html", value["articleBody"], value.get("url"), None)
            for key, value in sorted(truth.items())
            if (args.en / f"{key}.html").is_file()
        ]
        result = run(pages, bullets=3, language=None, verbose=args.verbose)
        report("English pages", result, len(pages))
    if args.fr:
        records = [record for _, record in iter_jsonl(args.fr / "pages.jsonl")]
        pages = [
            (args.fr / r["file"], r["text"] + "\n" + r["summary"], None, r["title"])
            for r in records
        ]
        result = run(pages, bullets=2, language="fr", verbose=args.verbose)
        report("French pages", result, len(pages))
        print(f"  titles equal to the expected one: {result['titles_equal']}/{len(pages)}")
        # ROUGE of the bullets against the summary (the chapô is on the page, so this is a
        # check that nothing got worse, not a summarization score).
        scored = []
        for record in records:
            try:
                article = load_path(args.fr / record["file"])
                summary = summarize_article(article, make_options(bullets=2, language="fr"))
            except SummarizerError:
                continue
            text = "\n".join(b.text for b in summary.bullets)
            scored.append(rouge.score(text, record["summary"]))
        means = rouge.mean_f1(scored)
        print(
            f"  bullets vs summary ROUGE-1/2/L: {means['rouge1']:.2f}/{means['rouge2']:.2f}/"
            f"{means['rougeL']:.2f}"
        )


if __name__ == "__main__":
    main()
