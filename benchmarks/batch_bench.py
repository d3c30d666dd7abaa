"""Throughput and memory of `summarizer batch`, side by side with sumy's LexRank.

Usage (from the project root, after `pip install -e '.[bench]'`):

    python benchmarks/batch_bench.py ../shared/data/orangesum/valid.jsonl [--limit N] [--repeat N]

Prints, in one run, on the same documents:
- docs/s and peak RSS of `summarizer batch FILE --jobs 1` and `--jobs 2` (each a fresh process,
  start-up and language detection included, 2 bullets, JSONL written to a temporary file), with
  `--no-keywords`: bullets alone, as sumy gives; and, not a target, `--jobs 1` as it runs by
  default, with keywords (what they cost: benchmarks/keywords_bench.py);
- docs/s of sumy's LexRank (2 sentences, French Snowball stemmer, sumy's French stop words),
  in its own process, timed around its summarizing loop only (imports and start-up excluded,
  which favours sumy).

The batch processes run as an installed package does: with compiled bytecode. `pip install .`
writes it at install time and an editable install on its first run; where PYTHONDONTWRITEBYTECODE
is set (as in some containers), every start would compile the package again (about 40 ms), so the
script keeps its own bytecode cache in a temporary folder (PYTHONPYCACHEPREFIX) and fills it with
one small unmeasured run first.

The same two settings are also run on the first 20 documents alone: the difference between
the two runs' times is what the remaining documents take once the process has started
(interpreter, imports, discovery, language profiles, workers forked, first articles' warm-up),
which shows how the work itself scales apart from that fixed start-up. The targets are judged
on the whole runs, start-up included.

Peak RSS is the kernel's high-water mark of the largest single process (the batch parent or one
of its workers, from wait4), and, for the whole process tree, the peak of the summed PSS (shared
pages divided among the processes that share them) sampled every 20 ms in a separate, untimed
run (the sampling itself takes CPU the timed runs need).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from summarizer.load import iter_jsonl, jsonl_lines

TARGET_VS_SUMY = 2.5
TARGET_SCALING = 1.8
TARGET_RSS_MB = 120.0
# Documents in the short runs that measure the fixed start-up.
SHORT_RUN = 20


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += _children(current)
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


_ENV = dict(os.environ)


def use_bytecode_cache(folder: Path) -> None:
    """Let the batch processes read and write compiled bytecode under ``folder``."""
    _ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    _ENV["PYTHONPYCACHEPREFIX"] = str(folder)


def run_batch(
    source: Path, jobs: int, count: int, *extra: str, sample_pss: bool = False
) -> dict[str, Any]:
    """One `summarizer batch` run in a fresh process; wall time and memory.

    ``sample_pss``: also sample the tree's PSS every 20 ms. Reading smaps of every process
    takes CPU from the run itself (most of a core's tenth), which would slow a two-worker run
    on two cores: timed runs do without, and the PSS comes from a run of its own.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        command = [
            sys.executable, "-m", "summarizer", "batch", str(source), "--output", str(out),
            "--format", "jsonl", "--bullets", "2", "--jobs", str(jobs), "--quiet", *extra,
        ]  # fmt: skip
        peak_pss = 0
        started = time.perf_counter()
        process = subprocess.Popen(command, env=_ENV)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_pss
            while not done.is_set():
                peak_pss = max(peak_pss, sum(_pss_kb(p) for p in _tree(process.pid)))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        if sample_pss:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        if sample_pss:
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        records = [record for _, record in iter_jsonl(out)]
    if process.returncode not in (0, 1) or len(records) != count:
        raise SystemExit(f"batch --jobs {jobs} failed: exit {process.returncode}")
    failed = sum("error" in r for r in records)
    return {
        "label": f"summarizer batch --jobs {jobs} {' '.join(extra)}".strip(),
        "seconds": elapsed,
        "docs_per_s": count / elapsed,
        "cpu_s": usage.ru_utime + usage.ru_stime,  # the whole tree: workers are waited for
        "max_rss_mb": usage.ru_maxrss / 1024,  # largest single process, parent or worker
        "tree_pss_mb": peak_pss / 1024,
        "failed": failed,
    }


class PlainTokenizer:
    """sumy tokenizer without NLTK data (punkt cannot be downloaded here).

    Sentences: sentencex, the splitter summarizer itself uses; words: a Unicode regex.
    """

    language = "french"
    _word = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)

    def __init__(self) -> None:
        from sentencex import segment

        self._segment = segment

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Sentences of a paragraph."""
        return tuple(s.strip() for s in self._segment("fr", paragraph) if s.strip())

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Words of a sentence."""
        return tuple(self._word.findall(sentence))


def run_sumy(texts: list[str]) -> dict[str, Any]:
    """LexRank, 2 sentences, French stemmer and stop words, in this process."""
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    tokenizer = PlainTokenizer()
    summarizer = LexRankSummarizer(Stemmer("french"))
    summarizer.stop_words = get_stop_words("french")
    started, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        # LexRank divides by a zero norm on a few degenerate documents; numpy warns and goes on.
        warnings.simplefilter("ignore", RuntimeWarning)
        for text in texts:
            parser = PlaintextParser.from_string(text, tokenizer)
            summarizer(parser.document, 2)
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "docs_per_s": len(texts) / elapsed,
        "cpu_s": time.process_time() - cpu,
    }


def run_sumy_apart(source: Path) -> dict[str, Any]:
    """run_sumy in a fresh process.

    This process must stay small: Linux counts the memory a child had before exec (a copy of
    this process) in the child's peak RSS, so numpy and sumy loaded here would inflate the
    figures of every batch run started after them.
    """
    command = [sys.executable, __file__, str(source), "--sumy-only"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    """Parse arguments, run the three measurements, print figures and targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", type=Path, help="JSONL of articles with a 'text' field")
    parser.add_argument("--limit", type=int, default=0, help="first N articles only (0: all)")
    parser.add_argument(
        "--repeat", type=int, default=5,
        help="run each measurement N times, interleaved, and keep the fastest (on a shared "
             "machine the fastest run is the one least slowed by other processes; default 5)",
    )  # fmt: skip
    parser.add_argument("--sumy-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sumy_only:  # the child process of run_sumy_apart
        print(json.dumps(run_sumy([record["text"] for _, record in iter_jsonl(args.jsonl)])))
        return

    # Lines end at "\n" only: a record may hold U+2028, where splitlines() would cut it.
    lines = [line for _, line in jsonl_lines(args.jsonl.read_text(encoding="utf-8"))]
    if args.limit:
        lines = lines[: args.limit]
    runs, few = measure(lines, args.jsonl, args.repeat)
    report(runs, len(lines), few)


Runs = dict[str, list[dict[str, Any]]]


def fastest(runs: Runs, name: str) -> dict[str, Any]:
    """The fastest of the runs of one measurement."""
    return min(runs[name], key=lambda r: r["seconds"])


def measure(lines: list[str], path: Path, repeat: int) -> tuple[Runs, int]:
    """Run every measurement ``repeat`` times, interleaved; the runs, and the size of the short
    runs that set the fixed start-up apart."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        count = len(lines)
        use_bytecode_cache(Path(tmp) / "bytecode")
        warm = Path(tmp) / "warm.jsonl"
        few = min(SHORT_RUN, count)
        warm.write_text("\n".join(lines[:few]) + "\n", encoding="utf-8")
        for jobs in (1, 2):  # compiles every module the runs below import
            run_batch(warm, jobs, few)
        print(f"{count} documents from {path}; {os.cpu_count()} CPUs; "
              f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
        runs: Runs = {
            "one": [], "two": [], "given": [], "sumy": [], "one_few": [], "two_few": [],
            "keywords": [],
        }  # fmt: skip
        # Bullets alone, like for like with sumy's sentences: keywords (on by default in JSONL)
        # are off in the target runs and measured in a run of their own.
        bare = "--no-keywords"
        for _ in range(max(1, repeat)):
            runs["one"].append(run_batch(source, 1, count, bare))
            runs["two"].append(run_batch(source, 2, count, bare))
            if count > few:  # else there is no start-up to set apart
                runs["one_few"].append(run_batch(warm, 1, few, bare))
                runs["two_few"].append(run_batch(warm, 2, few, bare))
            # Not a target: the same run with detection skipped, to show what detection costs.
            runs["given"].append(run_batch(source, 1, count, bare, "--language", "fr"))
            # Not a target: the default, with keywords (benchmarks/keywords_bench.py).
            runs["keywords"].append(run_batch(source, 1, count))
            runs["sumy"].append(run_sumy_apart(source))
        for name, jobs, extra in (
            ("one", 1, (bare,)),
            ("two", 2, (bare,)),
            ("given", 1, (bare, "--language", "fr")),
            ("keywords", 1, ()),
        ):
            fastest(runs, name)["tree_pss_mb"] = run_batch(
                source, jobs, count, *extra, sample_pss=True
            )["tree_pss_mb"]
        if repeat > 1:
            print(f"fastest of {repeat} interleaved runs each")
    return runs, few


def report(runs: Runs, count: int, few: int) -> None:
    """Print the figures of the fastest runs, the targets met or missed, and the spread."""
    one, two, given, keywords, lexrank = (
        fastest(runs, name) for name in ("one", "two", "given", "keywords", "sumy")
    )
    print("sumy tokenizer: sentencex sentences + regex words (no NLTK punkt data needed)")
    header = (
        f"{'run':<56}{'docs/s':>8}{'wall s':>8}{'CPU s':>8}{'max RSS MB':>12}{'tree PSS MB':>13}"
    )
    print(header)
    for result in (one, two, given, keywords):
        print(
            f"{result['label']:<56}{result['docs_per_s']:>8.1f}{result['seconds']:>8.1f}"
            f"{result['cpu_s']:>8.1f}{result['max_rss_mb']:>12.1f}{result['tree_pss_mb']:>13.1f}"
        )
    print(
        f"{'sumy LexRank (2 sentences)':<56}{lexrank['docs_per_s']:>8.1f}"
        f"{lexrank['seconds']:>8.1f}{lexrank['cpu_s']:>8.1f}"
    )
    vs_sumy = one["docs_per_s"] / lexrank["docs_per_s"]
    vs_sumy_cpu = lexrank["cpu_s"] / one["cpu_s"]
    scaling = two["docs_per_s"] / one["docs_per_s"]
    rss = one["max_rss_mb"]

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"jobs=1 vs sumy LexRank: {vs_sumy:.2f}x docs/s, {vs_sumy_cpu:.2f}x per CPU second "
          f"(target >= {TARGET_VS_SUMY}x) {verdict(vs_sumy >= TARGET_VS_SUMY)}")  # fmt: skip
    print(f"jobs=2 vs jobs=1: {scaling:.2f}x docs/s, CPU {two['cpu_s'] / one['cpu_s']:.2f}x "
          f"(target >= {TARGET_SCALING}x) {verdict(scaling >= TARGET_SCALING)}")  # fmt: skip
    if count > few:
        # Fixed start-up apart: what the documents past the first `few` take in each setting.
        one_few, two_few = fastest(runs, "one_few"), fastest(runs, "two_few")
        rest = [(count - few) / (full["seconds"] - short["seconds"])
                for full, short in ((one, one_few), (two, two_few))]  # fmt: skip
        print(f"  start-up apart (a {few}-document run took {one_few['seconds']:.2f} s with "
              f"jobs=1, {two_few['seconds']:.2f} s with jobs=2): the other {count - few} "
              f"documents {rest[0]:.1f} and {rest[1]:.1f} docs/s, {rest[1] / rest[0]:.2f}x "
              "(not the target's measure)")  # fmt: skip
    print(f"peak RSS, jobs=1: {rss:.1f} MB (target <= {TARGET_RSS_MB:.0f} MB) "
          f"{verdict(rss <= TARGET_RSS_MB)}")  # fmt: skip
    if len(runs["one"]) > 1:
        # The machine's speed drifts over minutes: runs of the two settings taken side by side
        # (each pair within seconds) show the spread the fastest-of-N figures above hide.
        paired = zip(runs["one"], runs["two"], strict=True)
        pairs = sorted(a["seconds"] / b["seconds"] for a, b in paired)
        print("each run (s), jobs=1: " + " ".join(f"{r['seconds']:.2f}" for r in runs["one"])
              + "; jobs=2: " + " ".join(f"{r['seconds']:.2f}" for r in runs["two"]))  # fmt: skip
        print(f"jobs=2 vs jobs=1, run by run: {' '.join(f'{x:.2f}' for x in pairs)}x "
              f"(median {pairs[len(pairs) // 2]:.2f}x)")  # fmt: skip
    load = os.getloadavg()[0]
    if load > 0.5:
        print(
            f"warning: load average {load:.2f}: other processes shared the CPUs, so the "
            "wall-clock figures (jobs=2 scaling above all) are pessimistic"
        )
    if one["failed"] or two["failed"]:
        print(f"note: {one['failed']} documents failed (error records)")


if __name__ == "__main__":
    main()
