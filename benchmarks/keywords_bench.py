"""What keywords cost: `summarizer batch` with and without them, and where their time goes.

Usage (from the project root):

    python benchmarks/keywords_bench.py ../shared/data/orangesum/valid.jsonl [--repeat N]
        [--jobs N] [--profile N]

Prints, in one run, on the same documents:
- the wall and CPU time (the whole process tree's) of `summarizer batch FILE` (JSONL, 2 bullets)
  with `--no-keywords` and with keywords (the default), each a fresh process, the two alternated
  `--repeat` times; the medians and their ratios (the target: well under 1.5). On a busy
  machine the CPU ratio is the steadier of the two;
- in this process, on the first `--profile` records, CPU milliseconds per article of: the summary
  alone (clean, language, sentences, backend), keywords as the pipeline finds them (title and
  the first ``MAX_CHARS`` characters of sentences, yake-rust), keywords of the whole article
  (yake-rust), and, when the reference `yake` package is installed, the same two texts through
  it: what bounding the text and the Rust port each save;
- for records with a reference `summary` (OrangeSum), the share of keywords that have a word in
  common with it when YAKE reads 300, MAX_CHARS, 1,000, 2,000 characters or the whole text.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from batch_bench import run_batch, use_bytecode_cache

from summarizer.keywords import MAX_CHARS

TARGET_RATIO = 1.5


def side_by_side(source: Path, count: int, repeat: int, jobs: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of batch runs without and with keywords, alternated."""
    runs: dict[str, list[dict[str, Any]]] = {"--no-keywords": [], "--keywords": []}
    for _ in range(repeat):
        for flag, done in runs.items():
            done.append(run_batch(source, jobs, count, flag))
    return {
        flag: {
            "seconds": statistics.median(r["seconds"] for r in done),
            "cpu_s": statistics.median(r["cpu_s"] for r in done),
        }
        for flag, done in runs.items()
    }


def _per_article(texts: Sequence[Any], work: Callable[[Any], object]) -> float:
    # CPU time: other processes on a busy machine stretch wall time, much less this.
    started = time.process_time()
    for text in texts:
        work(text)
    return (time.process_time() - started) / len(texts) * 1000


def profile(records: list[dict[str, Any]]) -> dict[str, float]:
    """Milliseconds per article of the summary and of keywords, bounded or not."""
    from summarizer import backends, keywords
    from summarizer.load import from_text
    from summarizer.pipeline import finish, make_options, prepare

    options = make_options(bullets=2, keywords=False)
    backend = backends.get_backend(options.backend)
    articles = [
        from_text(r["text"], source=str(r.get("id")), title=r.get("title")) for r in records
    ]

    def summary(article: Any) -> object:
        request = prepare(article, options)
        return finish(request, backend.summarize_many([request])[0])

    summary(articles[0])  # imports and tables loaded outside the timings
    requests = [prepare(a, options) for a in articles]
    texts = [[r.document.title or "", *(s.text for s in r.sentences)] for r in requests]
    whole = sys.maxsize  # no article is cut
    code = requests[0].language.code
    keywords.extract(texts[0], code)
    out = {
        "summary": _per_article(articles, summary),
        "keywords (lead, yake-rust)": _per_article(texts, lambda t: keywords.extract(t, code)),
        "keywords (whole article, yake-rust)": _per_article(
            texts, lambda t: keywords._extractor(code).get_n_best(_joined(t, whole), n=32)
        ),
    }
    try:
        import yake
    except ImportError:
        return out
    reference = yake.KeywordExtractor(lan=code, n=keywords.MAX_WORDS, top=32)
    out["keywords (lead, reference yake)"] = _per_article(
        texts, lambda t: reference.extract_keywords(_joined(t, keywords.MAX_CHARS))
    )
    out["keywords (whole article, reference yake)"] = _per_article(
        texts, lambda t: reference.extract_keywords(_joined(t, whole))
    )
    return out


def agreement(records: list[dict[str, Any]], limits: Sequence[int]) -> dict[int, float]:
    """Share of keywords with a word (4+ letters) in the record's reference ``summary``, when
    YAKE reads the first ``limit`` characters: what bounding the text costs in quality."""
    from summarizer import keywords
    from summarizer.load import from_text
    from summarizer.pipeline import make_options, prepare

    word = re.compile(r"[^\W\d_]{4,}")
    options = make_options(keywords=False)
    shares: dict[int, float] = {}
    for limit in limits:
        hits = total = 0
        for record in records:
            request = prepare(from_text(record["text"], title=record.get("title")), options)
            code = request.language.code
            texts = [request.document.title or "", *(s.text for s in request.sentences)]
            scored = keywords._extractor(code).get_n_best(_joined(texts, limit), n=1_000_000)
            found = keywords.choose(keywords._ranked(scored), stopwords=keywords._stopwords(code))
            reference = {w.casefold() for w in word.findall(record["summary"])}
            hits += sum(bool({w.casefold() for w in word.findall(k)} & reference) for k in found)
            total += len(found)
        shares[limit] = hits / max(total, 1)
    return shares


def _joined(texts: Sequence[str], limit: int) -> str:
    from summarizer.keywords import lead

    return "\n".join(lead(texts, limit))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="JSONL of records with text (and title)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each setting")
    parser.add_argument("--jobs", type=int, default=1, help="batch worker processes")
    parser.add_argument("--profile", type=int, default=300, help="records profiled in-process")
    args = parser.parse_args(argv)
    lines = args.data.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    with tempfile.TemporaryDirectory() as cache:
        use_bytecode_cache(Path(cache))
        run_batch(args.data, args.jobs, len(records), "--no-keywords")  # bytecode, disk cache
        medians = side_by_side(args.data, len(records), args.repeat, args.jobs)
    print(f"summarizer batch {args.data.name} ({len(records)} records, --jobs {args.jobs}):")
    for flag, median in medians.items():
        print(
            f"  {flag:<14} {median['seconds']:7.2f} s wall, {median['cpu_s']:7.2f} s CPU"
            f" (medians of {args.repeat})"
        )
    for what in ("seconds", "cpu_s"):
        ratio = medians["--keywords"][what] / medians["--no-keywords"][what]
        verdict = "ok" if ratio < TARGET_RATIO else "over"
        label = "wall" if what == "seconds" else "CPU"
        print(f"  keywords on / off, {label}: {ratio:.2f}x (target < {TARGET_RATIO}: {verdict})")
    print(f"\nper article, in-process, first {min(args.profile, len(records))} records:")
    for label, ms in profile(records[: args.profile]).items():
        print(f"  {label:<42} {ms:7.2f} ms")
    if all("summary" in r for r in records[: args.profile]):
        print("\nkeywords sharing a word with the reference summary, by characters read:")
        limits = (300, MAX_CHARS, 1000, 2000, sys.maxsize)
        for limit, share in agreement(records[: args.profile], limits).items():
            print(f"  {'whole text' if limit == sys.maxsize else limit:>10}: {share:.3f}")


if __name__ == "__main__":
    main()
