"""Backends: one protocol, one registry, looked up by name.

A backend's module is imported only when that backend is asked for, so heavy
dependencies (torch, transformers) never load for the extractive path.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import UnknownBackendError

if TYPE_CHECKING:  # the registry is read by `summarizer --help`: no more imports than it needs
    from ..models import Bullet, Document, Language, Options, Sentence


@dataclass(frozen=True)
class Request:
    """Everything a backend needs to summarize one article."""

    document: Document
    sentences: tuple[Sentence, ...]
    language: Language
    options: Options


@dataclass(frozen=True)
class Result:
    """A backend's answer: bullets, plus facts worth reporting (chunks, truncation...)."""

    bullets: tuple[Bullet, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    headline: str | None = None  # a backend's own one-line headline, when it has one


@runtime_checkable
class Backend(Protocol):
    """What every backend implements."""

    name: str

    def summarize(self, request: Request) -> Result:
        """Summarize one article."""
        ...

    def summarize_many(self, requests: Sequence[Request]) -> list[Result]:
        """Summarize several articles; results in the same order."""
        ...


class BaseBackend:
    """Convenience base: ``summarize_many`` loops over ``summarize``."""

    name = "base"

    def summarize(self, request: Request) -> Result:  # pragma: no cover - abstract
        """Summarize one article."""
        raise NotImplementedError

    def summarize_many(self, requests: Sequence[Request]) -> list[Result]:
        """Summarize several articles, one at a time."""
        return [self.summarize(request) for request in requests]


@dataclass(frozen=True)
class _Entry:
    target: str  # "module:factory", imported on first use
    description: str
    config: tuple[str, ...] = ()  # keyword arguments the factory takes


_TRANSFORMERS_CONFIG = (
    "model", "device", "dtype", "batch_size", "strict", "trust_remote_code", "prompt",
    "prompt_file", "chat_template", "gguf_file", "num_beams", "max_input_tokens",
)  # fmt: skip
_REGISTRY: dict[str, _Entry] = {
    "extractive": _Entry(
        "summarizer.backends.extractive:ExtractiveBackend",
        "extractive; sentence scorer learned from news (language-neutral features), compressed",
    ),
    "heuristic": _Entry(
        "summarizer.backends.heuristic:HeuristicBackend",
        "extractive; hand-set weights on position, centrality and title overlap",
    ),
    "lead": _Entry(
        "summarizer.backends.lead:LeadBackend",
        "extractive baseline; the first N sentences",
    ),
    "transformers": _Entry(
        "summarizer.backends.transformers:TransformersBackend",
        "abstractive; a Hugging Face seq2seq or chat model (--model), needs the transformers extra",
        _TRANSFORMERS_CONFIG,
    ),
}
DEFAULT_BACKEND = "extractive"
_instances: dict[tuple[str, tuple[tuple[str, Any], ...]], Backend] = {}


def register(name: str, target: str, description: str = "", config: tuple[str, ...] = ()) -> None:
    """Register a backend factory (``"module:callable"``) taking the ``config`` keywords."""
    _forget(name)  # a name registered anew must not keep serving the old factory's backends
    _REGISTRY[name] = _Entry(target, description, config)


def unregister(name: str) -> None:
    """Remove the backend registered as ``name``, and the instances built of it."""
    if name not in _REGISTRY:
        raise UnknownBackendError(f"unknown backend {name!r}; available: {', '.join(available())}")
    _forget(name)
    del _REGISTRY[name]


def clear_cache() -> None:
    """Forget every backend built so far (a loaded model's memory is freed with it)."""
    _instances.clear()


def _forget(name: str) -> None:
    for key in [key for key in _instances if key[0] == name]:
        del _instances[key]


def config_for(name: str, **values: Any) -> dict[str, Any]:
    """The subset of ``values`` that backend ``name`` takes (None values left out).

    Front ends collect every backend's options; each backend receives only its own.
    """
    entry = _REGISTRY.get(name)
    accepted = entry.config if entry is not None else ()
    return {key: value for key, value in values.items() if key in accepted and value is not None}


def one_model_per_process(name: str) -> bool:
    """Whether backend ``name`` holds a model worth one copy per machine: a batch then runs it
    in one process and batches across articles there, rather than in a pool of workers."""
    entry = _REGISTRY.get(name)
    if entry is None:
        return False
    module_name, _, attr = entry.target.partition(":")
    # The backend modules import their heavy dependencies only when a backend is built.
    factory = getattr(importlib.import_module(module_name), attr)
    return bool(getattr(factory, "one_model_per_process", False))


def available() -> list[str]:
    """Names of the registered backends."""
    return sorted(_REGISTRY)


def describe() -> dict[str, str]:
    """Name -> one-line description of every registered backend."""
    return {name: _REGISTRY[name].description for name in available()}


def get_backend(name: str, **config: Any) -> Backend:
    """The backend registered as ``name``, built once per process and configuration."""
    entry = _REGISTRY.get(name)
    if entry is None:
        raise UnknownBackendError(f"unknown backend {name!r}; available: {', '.join(available())}")
    key = (name, tuple(sorted(config.items())))
    backend = _instances.get(key)
    if backend is None:
        module_name, _, attr = entry.target.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
        backend = _instances[key] = factory(**config)
    return backend
