"""Story grouping: quality on a labelled set, and time and memory as the feed grows.

Quality (B-cubed precision/recall/F1, and pairwise F1 over pairs of articles in different
languages) of ``summarizer.stories.group`` beside a title TF-IDF baseline, in the same run:

    python benchmarks/stories.py quality /work/shared/data/stories/dev.jsonl

``--half a`` or ``--half b`` keeps one of two fixed halves of the stories (split by a hash of
the story label), so that a change can be checked on the half it was not tried on;
``--languages es,pt`` keeps the articles in those languages (a two-language feed, as users
have, is a different task from a seven-language one).

The labelled file holds one JSON object a line with ``title``, ``lang``, ``story`` and
``published`` (and maybe ``text``). It is read here, never copied into the project.

Scale (time and peak memory to group the first N titles and leads of a JSONL feed such as
OrangeSum train; one process per size):

    python benchmarks/stories.py scale /work/shared/data/orangesum/train.jsonl --sizes 5000,20000
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from summarizer.stories import StoryInput, group, parse_time


def read(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def lead_of(text: str, limit: int = 300) -> str:
    """The first sentence of a body (at most ``limit`` characters)."""
    text = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s", text[:limit])
    return text[: match.start()] if match else text[:limit]


def inputs(rows: Sequence[dict[str, object]]) -> list[StoryInput]:
    return [
        StoryInput(
            title=str(row.get("title") or ""),
            lead=lead_of(str(row.get("text") or "")),
            language=str(row.get("lang") or row.get("language") or "fr"),
            published=parse_time(row.get("published") or row.get("date")),
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- scores


def bcubed(labels: Sequence[str], clusters: Sequence[int]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin), averaged over items."""
    pair = Counter(zip(labels, clusters, strict=True))
    by_label = Counter(labels)
    by_cluster = Counter(clusters)
    precision = sum(pair[(lab, c)] / by_cluster[c] for lab, c in zip(labels, clusters, strict=True))
    recall = sum(pair[(lab, c)] / by_label[lab] for lab, c in zip(labels, clusters, strict=True))
    p, r = precision / len(labels), recall / len(labels)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _cross_count(cells: Counter[tuple[object, str]], only: tuple[str, str] | None) -> int:
    """Pairs of articles in different languages (or in the two languages ``only``) per group."""
    by_group: defaultdict[object, Counter[str]] = defaultdict(Counter)
    for (key, language), n in cells.items():
        by_group[key][language] += n
    total = 0
    for counts in by_group.values():
        if only is not None:
            total += counts[only[0]] * counts[only[1]]
        else:
            size = sum(counts.values())
            total += (size * size - sum(n * n for n in counts.values())) // 2
    return total


def cross_pairs(
    labels: Sequence[str],
    clusters: Sequence[int],
    languages: Sequence[str],
    only: tuple[str, str] | None = None,
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 over pairs of articles in different languages."""
    truth = _cross_count(Counter(zip(labels, languages, strict=True)), only)
    guess = _cross_count(Counter(zip(clusters, languages, strict=True)), only)
    hit = _cross_count(
        Counter(zip(zip(labels, clusters, strict=True), languages, strict=True)), only
    )
    p = hit / guess if guess else 0.0
    r = hit / truth if truth else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


# --------------------------------------------------------------------------- baseline


def tfidf_baseline(titles: Sequence[str], threshold: float = 0.3) -> list[list[int]]:
    """Title TF-IDF: lower-cased words, cosine to each story's centroid, one pass."""
    docs = [Counter(re.findall(r"\w+", t.lower())) for t in titles]
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    n = len(docs)
    vectors = []
    for d in docs:
        w = {t: c * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in w.values())) or 1.0
        vectors.append({t: x / norm for t, x in w.items()})
    centroids: list[dict[str, float]] = []
    members: list[list[int]] = []
    index: defaultdict[str, set[int]] = defaultdict(set)
    for i, v in enumerate(vectors):
        best, score = -1, threshold
        for c in sorted(set().union(*(index[t] for t in v)) if v else ()):
            cen = centroids[c]
            norm = math.sqrt(sum(x * x for x in cen.values()))
            s = sum(x * cen.get(t, 0.0) for t, x in v.items()) / norm
            if s >= score:
                best, score = c, s
        if best < 0:
            best = len(centroids)
            centroids.append({})
            members.append([])
        for t, x in v.items():
            centroids[best][t] = centroids[best].get(t, 0.0) + x
            index[t].add(best)
        members[best].append(i)
    return members


def as_labels(groups: Sequence[Sequence[int]], count: int) -> list[int]:
    labels = [0] * count
    for g, members in enumerate(groups):
        for i in members:
            labels[i] = g
    return labels


def subset(
    rows: Sequence[dict[str, object]], half: str | None, languages: Sequence[str] | None
) -> list[dict[str, object]]:
    """The rows of one half of the stories (``a``/``b``) in some languages (None: all)."""
    kept = []
    for row in rows:
        if half and "ab"[zlib.crc32(str(row["story"]).encode()) % 2] != half:
            continue
        if languages and str(row.get("lang")) not in languages:
            continue
        kept.append(row)
    return kept


def quality(path: Path, half: str | None = None, languages: Sequence[str] | None = None) -> None:
    rows = subset(read(path), half, languages)
    labels = [str(row["story"]) for row in rows]
    languages = [str(row.get("lang")) for row in rows]
    print(f"{path}: {len(rows)} articles, {len(set(labels))} stories")
    runs = {
        "title TF-IDF baseline": lambda: tfidf_baseline([str(r["title"]) for r in rows]),
        "summarizer.stories": lambda: group(inputs(rows)),
    }
    pairs_of = sorted(
        {tuple(sorted((a, b))) for a in set(languages) for b in set(languages) if a != b}
    )
    print(
        f"{'grouping':24} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'xP':>6} {'xR':>6} {'xF1':>6}"
        f" {'stories':>7} {'seconds':>7}"
    )
    for name, run in runs.items():
        started = time.perf_counter()
        clusters = as_labels(run(), len(rows))
        seconds = time.perf_counter() - started
        p, r, f = bcubed(labels, clusters)
        xp, xr, xf = cross_pairs(labels, clusters, languages)
        print(
            f"{name:24} {p:6.3f} {r:6.3f} {f:6.3f} {xp:6.3f} {xr:6.3f} {xf:6.3f}"
            f" {len(set(clusters)):7d} {seconds:7.2f}"
        )
        per_pair = []
        for a, b in pairs_of:
            if _cross_count(Counter(zip(labels, languages, strict=True)), (a, b)):
                _, _, pf = cross_pairs(labels, clusters, languages, (a, b))
                per_pair.append(f"{a}-{b} {pf:.2f}")
        print("    pairwise F1 by language pair: " + ", ".join(per_pair))


def scale(path: Path, sizes: Sequence[int]) -> None:
    for size in sizes:
        # One fresh process per size: peak memory of one run, not of the largest so far.
        subprocess.run([sys.executable, __file__, "_one", str(path), str(size)], check=True)


def one(path: Path, size: int) -> None:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            rows.append(json.loads(line))
            if len(rows) == size:
                break
    items = inputs(rows)
    started, cpu_started = time.perf_counter(), time.process_time()
    groups = group(items)
    seconds = time.perf_counter() - started
    # CPU time of this process too: on a shared machine the wall time says more about the load.
    cpu = time.process_time() - cpu_started
    tracemalloc.start()
    group(items)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    multi = sum(1 for g in groups if len(g) > 1)
    print(
        f"{len(items):6d} articles: {seconds:6.2f} s ({seconds / len(items) * 1e6:.0f} µs each),"
        f" CPU {cpu:6.2f} s ({cpu / len(items) * 1e6:.0f} µs each),"
        f" peak {peak / 2**20:6.1f} MiB traced, {len(groups)} stories, {multi} with 2+ articles"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality")
    q.add_argument("path", type=Path)
    q.add_argument("--half", choices=["a", "b"], help="one fixed half of the stories")
    q.add_argument("--languages", help="comma-separated codes of the articles to keep")
    s = sub.add_parser("scale")
    s.add_argument("path", type=Path)
    s.add_argument("--sizes", default="5000,20000")
    o = sub.add_parser("_one")
    o.add_argument("path", type=Path)
    o.add_argument("size", type=int)
    args = parser.parse_args()
    if args.command == "quality":
        codes = args.languages.split(",") if args.languages else None
        quality(args.path, args.half, codes)
    elif args.command == "scale":
        scale(args.path, [int(x) for x in args.sizes.split(",")])
    else:
        one(args.path, args.size)


if __name__ == "__main__":
    main()
