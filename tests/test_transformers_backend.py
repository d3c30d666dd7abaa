"""The transformers backend on tiny random-weight models built here (CPU, no network)."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from click.testing import CliRunner

from summarizer import backends
from summarizer.backends.transformers import TransformersBackend, pick_device
from summarizer.cli import cli
from summarizer.errors import BackendError, MissingDependencyError, UsageError
from summarizer.load import from_text, load_path
from summarizer.models import Options
from summarizer.pipeline import make_options, prepare, summarize_articles
from summarizer.testing import build_chat, build_seq2seq

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads(
    (Path(__file__).parent.parent / "docs" / "summary.schema.json").read_text(encoding="utf-8")
)
ARTICLES = [
    "battery-recycling-en.txt",
    "smartphone-reparation-fr.txt",
    "glasfaser-ausbau-de.txt",
    "coches-autonomos-es.txt",
    "elflyg-sv.txt",
]
SEQ2SEQ_MAX = 64
# Small answers keep the suite fast; the logic does not depend on their length.
FAST = {"device": "cpu", "max_new_tokens": 12}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One tiny seq2seq and one tiny chat model for the whole session."""
    import torch

    # Tiny matrices gain nothing from threads, and on a busy machine waiting threads spin.
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("models")
    texts = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.txt"))]
    return {
        "seq2seq": build_seq2seq(root / "t5", texts, max_length=SEQ2SEQ_MAX),
        "chat": build_chat(root / "llama", texts, max_positions=512),
    }


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """Backends built in a test do not leak into the next one's cache."""
    yield
    backends.clear_cache()


def backend(path: Path, **config: Any) -> TransformersBackend:
    built = backends.get_backend("transformers", model=str(path), **{**FAST, **config})
    assert isinstance(built, TransformersBackend)
    return built


def requests(
    names: Sequence[str] = ARTICLES, bullets: int = 3, sentences: int = 3
) -> list[backends.Request]:
    """The first ``sentences`` sentences of each article (map-reduce has its own tests)."""
    options = make_options(bullets=bullets, backend="transformers")
    result = []
    for name in names:
        full = prepare(load_path(DATA / name), options)
        text = " ".join(s.text for s in full.sentences[:sentences])
        result.append(prepare(from_text(text, language=full.language.code), options))
    return result


def test_model_kind_comes_from_config(models: dict[str, Path]) -> None:
    seq2seq, chat = backend(models["seq2seq"]), backend(models["chat"])
    assert seq2seq.seq2seq and type(seq2seq.model).__name__ == "T5ForConditionalGeneration"
    assert not chat.seq2seq and type(chat.model).__name__ == "LlamaForCausalLM"
    assert chat.tokenizer.padding_side == "left" and seq2seq.tokenizer.padding_side == "right"
    assert seq2seq.context == SEQ2SEQ_MAX


@pytest.mark.parametrize("kind", ["seq2seq", "chat"])
def test_summary_has_bullets_and_reports_chunks(models: dict[str, Path], kind: str) -> None:
    model = backend(models[kind])
    [result] = model.summarize_many(requests(ARTICLES[:1]))
    assert len(result.bullets) == 3
    assert result.meta["model"] == str(models[kind])
    assert result.meta["chunks"] >= 1 and result.meta["truncated"] is False
    # Generated bullets have no source sentence; fill-ins from the extractive backend do.
    generated = len(result.bullets) - result.meta["filled"]
    assert all(b.sentence is None for b in result.bullets[:generated])
    assert all(b.sentence is not None for b in result.bullets[generated:])


def test_article_twenty_times_the_model_length_is_map_reduced(models: dict[str, Path]) -> None:
    model = backend(models["seq2seq"])
    base = (DATA / "battery-recycling-en.txt").read_text(encoding="utf-8")
    text = base
    while sum(model.count([text])) < 20 * SEQ2SEQ_MAX:
        text += "\n\n" + base
    request = prepare(from_text(text), Options(bullets=3, backend="transformers"))
    [result] = model.summarize_many([request])
    assert result.meta["chunks"] >= 20
    assert result.meta["truncated"] is False
    assert len(result.bullets) == 3


def test_too_many_chunks_are_reported_as_truncated(models: dict[str, Path]) -> None:
    model = backend(models["seq2seq"], max_chunks=2)
    [result] = model.summarize_many(requests(ARTICLES[:1]))
    assert result.meta["chunks"] == 2 and result.meta["truncated"] is True


def test_map_reduce_ends_even_when_summaries_do_not_shrink(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = backend(models["seq2seq"])
    # Every "summary" is longer than a whole chunk: reduce must still converge.
    monkeypatch.setattr(model, "generate", _fake_output("- " + "Cellcycle recycles. " * 60))
    [result] = model.summarize_many(requests(ARTICLES[:1], sentences=12))
    assert result.meta["chunks"] > 2 and result.meta["truncated"] is True
    assert result.bullets[0].text.startswith("Cellcycle recycles.")


def test_chat_article_longer_than_the_context(models: dict[str, Path]) -> None:
    model = backend(models["chat"], max_input_tokens=256)
    text = (DATA / "glasfaser-ausbau-de.txt").read_text(encoding="utf-8")
    assert model.count([text])[0] > 2 * 256
    request = prepare(from_text(text), Options(bullets=2, backend="transformers"))
    [result] = model.summarize_many([request])
    assert result.meta["chunks"] > 2 and len(result.bullets) == 2


@pytest.mark.parametrize("kind", ["seq2seq", "chat"])
def test_batched_equals_one_at_a_time(models: dict[str, Path], kind: str) -> None:
    one = backend(models[kind], batch_size=1)
    many = backend(models[kind], batch_size=4)
    texts = [r.sentences[0].text + " " + r.sentences[1].text for r in requests()]
    languages = [r.language.code for r in requests()]
    raw_one = one.generate(texts, languages=languages, bullets=3, new_tokens=12)
    raw_many = many.generate(texts, languages=languages, bullets=3, new_tokens=12)
    assert raw_one == raw_many
    # Not vacuous: the model wrote something, and something different for each input.
    assert all(text for text, _ in raw_one)
    assert len({text for text, _ in raw_one}) == len(texts)
    batch = requests()
    assert one.summarize_many(batch) == many.summarize_many(batch)


def test_pipeline_passes_backend_config(models: dict[str, Path]) -> None:
    articles = [load_path(DATA / name) for name in ARTICLES[:2]]
    options = make_options(bullets=2, backend="transformers")
    summaries = summarize_articles(articles, options, model=str(models["chat"]), **FAST)
    assert [len(s.bullets) for s in summaries] == [2, 2]
    data = summaries[0].to_dict()
    assert data["backend"] == "transformers" and "chunks" not in data
    info = data["backend_info"]
    assert info["model"] == str(models["chat"]) and info["chunks"] >= 1
    assert info["truncated"] is False and info["dropped"] == 0
    import jsonschema

    jsonschema.validate(data, SCHEMA)


def _fake_output(text: str) -> Any:
    def generate(texts: Sequence[str], **_: Any) -> list[tuple[str, bool]]:
        return [(text, False)] * len(texts)

    return generate


CRAFTED = (
    "Here are the key points:\n"
    "- Cellcycle can recover 95% of the lithium from used batteries.\n"
    "- Tesla bought the plant for 7 billion euros.\n"
)


def test_guard_lists_unsupported_names_and_numbers(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = backend(models["chat"])
    monkeypatch.setattr(model, "generate", _fake_output(CRAFTED))
    [result] = model.summarize_many(requests(ARTICLES[:1], bullets=2))
    assert [b.text for b in result.bullets] == [
        "Cellcycle can recover 95% of the lithium from used batteries.",
        "Tesla bought the plant for 7 billion euros.",
    ]
    assert [b.unsupported for b in result.bullets] == [(), ("7", "Tesla")]
    assert result.bullets[1].to_dict()["unsupported"] == ["7", "Tesla"]


def test_strict_drops_unsupported_bullets_and_fills_extractively(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = backend(models["chat"], strict=True)
    monkeypatch.setattr(model, "generate", _fake_output(CRAFTED))
    [request] = requests(ARTICLES[:1], bullets=2)
    [result] = model.summarize_many([request])
    assert result.bullets[0].text.startswith("Cellcycle can recover")
    # The replacement is an article sentence, from the extractive backend.
    assert result.bullets[1].sentence is not None
    assert result.bullets[1].text in {s.text for s in request.sentences}
    assert result.meta["dropped"] == 1 and result.meta["filled"] == 1
    assert all(not b.unsupported for b in result.bullets)


def test_prompt_can_be_overridden(models: dict[str, Path], tmp_path: Path) -> None:
    template = tmp_path / "prompt.txt"
    template.write_text("Résume en {bullets} points ({language}) :\n{article}", encoding="utf-8")
    model = backend(models["chat"], prompt_file=str(template))
    assert "Résume en 3 points (French) :\nTexte." in model._chat("Texte.", 3, "fr")
    with pytest.raises(UsageError, match="article"):
        backend(models["chat"], prompt="no placeholder")


def test_trust_remote_code_is_never_implicit(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    import transformers

    seen: list[Any] = []
    original = transformers.AutoConfig.from_pretrained

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("trust_remote_code"))
        return original(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", spy)
    TransformersBackend(str(models["chat"]), device="cpu")
    assert seen and set(seen) == {False}
    seen.clear()
    TransformersBackend(str(models["chat"]), device="cpu", trust_remote_code=True)
    assert seen and set(seen) == {True}


def test_decoder_only_without_chat_template_is_refused(
    models: dict[str, Path], tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(models["chat"], plain)
    config = json.loads((plain / "tokenizer_config.json").read_text(encoding="utf-8"))
    config.pop("chat_template", None)
    (plain / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    (plain / "chat_template.jinja").unlink(missing_ok=True)
    with pytest.raises(BackendError, match="without a chat template"):
        TransformersBackend(str(plain), device="cpu")


def test_unknown_model_offline_is_one_clear_error() -> None:
    with pytest.raises(BackendError) as caught:
        TransformersBackend("nobody-here/no-such-model", device="cpu")
    message = str(caught.value)
    assert "\n" not in message and "HF_HUB_OFFLINE" in message
    with pytest.raises(BackendError, match="no such folder"):
        TransformersBackend("./no/such/model", device="cpu")


def test_cli_offline_error_exits_1_with_one_line() -> None:
    result = CliRunner().invoke(
        cli,
        ["summarize", str(DATA / "one-sentence-en.txt"), "-b", "transformers",
         "--model", "nobody-here/no-such-model"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: cannot load model")


def test_cli_json_reports_chunks_and_strict(models: dict[str, Path]) -> None:
    result = CliRunner().invoke(
        cli,
        ["summarize", str(DATA / "battery-recycling-en.txt"), "-b", "transformers",
         "--model", str(models["seq2seq"]), "--device", "cpu", "--batch-size", "2",
         "--strict", "-n", "2", "-f", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    info = data["backend_info"]
    assert len(data["bullets"]) == 2 and info["chunks"] >= 1 and info["truncated"] is False
    assert all("unsupported" not in bullet for bullet in data["bullets"])


def test_cli_model_from_environment(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_MODEL", str(models["chat"]))
    result = CliRunner().invoke(
        cli, ["summarize", str(DATA / "elflyg-sv.txt"), "-b", "transformers", "--device", "cpu",
              "-f", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["backend_info"]["model"] == str(models["chat"])


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'summarizer\[transformers\]'"):
        TransformersBackend("some/model")


def test_device_auto_prefers_cuda_then_mps() -> None:
    def fake(cuda: bool, mps: bool) -> Any:
        return SimpleNamespace(
            cuda=SimpleNamespace(is_available=lambda: cuda),
            backends=SimpleNamespace(mps=SimpleNamespace(is_available=lambda: mps)),
        )

    assert pick_device("auto", fake(True, True)) == "cuda"
    assert pick_device("auto", fake(False, True)) == "mps"
    assert pick_device("auto", fake(False, False)) == "cpu"
    with pytest.raises(BackendError, match="not available"):
        pick_device("cuda", fake(False, False))
    with pytest.raises(UsageError):
        pick_device("tpu", fake(False, False))
