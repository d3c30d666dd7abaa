"""ROUGE and bullets cut, for several hard caps (--max-words) at the default target, in one pass.

Usage: python benchmarks/max_words_sweep.py DATA.jsonl [--caps 30,40,50,60,80,0] [--language fr]

Sentence selection does not depend on the cap, and for caps at or above the target the text
before the hard cap is the same: each article is summarized once without a cap, then every cap
is applied to its bullets. Choose caps on train slices (scripts/heldout_split.py), not valid.
"""

from __future__ import annotations

import argparse

from summarizer import backends, rouge
from summarizer.bullets import cap_words
from summarizer.evaluate import read_examples
from summarizer.pipeline import make_options, prepare
from summarizer.sentences import word_count

METRICS = ("rouge1", "rouge2", "rougeL")


def main() -> None:
    """Print one row per cap: mean ROUGE F1, words per bullet, bullets the cap shortened."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--caps", default="30,40,50,60,80,0")
    parser.add_argument("--bullets", type=int, default=2)
    parser.add_argument("--language", default="fr")
    parser.add_argument("--target-words", type=int, default=30)
    args = parser.parse_args()
    caps = [int(cap) for cap in args.caps.split(",")]
    if any(0 < cap < args.target_words for cap in caps):
        parser.error("caps below --target-words change the text before the cap: use eval")
    options = make_options(
        bullets=args.bullets, language=args.language, target_words=args.target_words, max_words=0
    )
    backend = backends.get_backend(options.backend)
    totals = {cap: dict.fromkeys((*METRICS, "words", "cut"), 0.0) for cap in caps}
    records = bullets = 0
    for example in read_examples(args.data):
        request = prepare(example.article, options)
        [result] = backend.summarize_many([request])
        records += 1
        bullets += len(result.bullets)
        for cap in caps:
            texts = [cap_words(bullet.text, cap) for bullet in result.bullets]
            scores = rouge.score("\n".join(texts), example.reference)
            total = totals[cap]
            for metric in METRICS:
                total[metric] += scores[metric].f1
            total["words"] += sum(word_count(text) for text in texts)
            total["cut"] += sum(t != b.text for t, b in zip(texts, result.bullets, strict=True))
    print(f"{records} records, {bullets} bullets, target {args.target_words} words")
    print("| --max-words | R1 | R2 | RL | words/bullet | bullets cut |\n|---|---|---|---|---|---|")
    for cap, total in totals.items():
        rouges = " | ".join(f"{100 * total[metric] / records:.2f}" for metric in METRICS)
        cut = f"{total['cut']:.0f} ({100 * total['cut'] / max(bullets, 1):.2f}%)"
        print(f"| {cap or 'none'} | {rouges} | {total['words'] / max(bullets, 1):.2f} | {cut} |")


if __name__ == "__main__":
    main()
