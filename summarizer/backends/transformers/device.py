"""Device and dtype: torch and transformers imported on demand, where the model runs, in
what precision, and how many cores it may use."""

from __future__ import annotations

import os
from typing import Any

from ...errors import BackendError, MissingDependencyError, UsageError

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "bfloat16", "float16")
INSTALL_HINT = "pip install 'summarizer[transformers]'"


def _import() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise MissingDependencyError(
            f"the transformers backend needs torch and transformers ({exc.name} is missing): "
            f"{INSTALL_HINT}"
        ) from exc
    return torch, transformers


def pick_device(requested: str, torch: Any) -> str:
    """The torch device for ``requested``: auto tries cuda, then mps, then cpu."""
    if requested not in DEVICES:
        raise UsageError(f"unknown device {requested!r}; choose from {', '.join(DEVICES)}")
    cuda = bool(torch.cuda.is_available())
    mps_backend = getattr(torch.backends, "mps", None)
    mps = bool(mps_backend is not None and mps_backend.is_available())
    if requested == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if requested == "cuda" and not cuda:
        build = getattr(torch, "__version__", "?")
        raise BackendError(
            f"--device cuda was asked for but torch {build} sees no CUDA GPU (a CPU-only "
            "build, or no driver); use --device auto or cpu, or install a CUDA build of torch"
        )
    if requested == "mps" and not mps:
        raise BackendError(
            "--device mps was asked for but this machine has no Apple GPU; use --device auto"
        )
    return requested


def pick_dtype(requested: str, device: str, torch: Any) -> Any:
    """The torch dtype for ``requested`` on ``device``: auto is bfloat16 on GPUs that support
    it (else float16), float16 on Apple GPUs, float32 on CPU."""
    if requested not in DTYPES:
        raise UsageError(f"unknown dtype {requested!r}; choose from {', '.join(DTYPES)}")
    if requested != "auto":
        return getattr(torch, requested)
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float16 if device == "mps" else torch.float32


def load_options(device: str, dtype: Any, *, accelerate: bool) -> dict[str, Any]:
    """``from_pretrained`` keywords: on CUDA with accelerate installed, ``device_map="auto"``
    places a model larger than one card over the GPUs (and CPU memory)."""
    options: dict[str, Any] = {"dtype": dtype}
    if device == "cuda" and accelerate:
        options["device_map"] = "auto"
    return options


def _has_accelerate() -> bool:
    import importlib.util

    return importlib.util.find_spec("accelerate") is not None


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
