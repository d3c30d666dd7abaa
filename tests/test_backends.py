from __future__ import annotations

import pytest

from summarizer import backends
from summarizer.backends.heuristic import cosine, select_diverse, tfidf_vectors
from summarizer.errors import UnknownBackendError
from summarizer.load import from_text
from summarizer.models import Options
from summarizer.pipeline import make_options, prepare


def test_registry_lists_and_rejects() -> None:
    assert {"heuristic", "lead"} <= set(backends.available())
    with pytest.raises(UnknownBackendError, match=r"available: .*heuristic"):
        backends.get_backend("nope")
    assert isinstance(backends.get_backend("lead"), backends.Backend)


def test_lead_takes_first_sentences(seed_text: str) -> None:
    request = prepare(from_text(seed_text), make_options(bullets=2, backend="lead"))
    result = backends.get_backend("lead").summarize(request)
    assert [b.sentence for b in result.bullets] == [0, 1]


def test_heuristic_orders_by_document_and_avoids_redundancy() -> None:
    text = (
        "Acme launched a new phone on Monday. "
        "Acme launched a new phone on Monday in Paris. "
        "The battery lasts two days according to tests. "
        "Analysts expect strong sales in Europe this year."
    )
    request = prepare(from_text(text), Options(bullets=2, backend="heuristic"))
    result = backends.get_backend("heuristic").summarize(request)
    picked = [b.sentence for b in result.bullets]
    assert picked == sorted(picked)
    assert not {0, 1} <= set(picked)


def test_select_diverse_fills_up_to_k() -> None:
    vectors = tfidf_vectors([["a", "b"], ["a", "b"], ["a", "b"]])
    assert cosine(vectors[0], vectors[1]) == pytest.approx(1.0)
    assert select_diverse([3.0, 2.0, 1.0], vectors, 2, [True] * 3) == [0, 1]


def test_extractive_path_never_imports_torch(seed_path: object) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from summarizer import summarize_file\n"
        "from summarizer.cli import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        f"summarize_file({str(seed_path)!r})\n"
        f"assert CliRunner().invoke(cli, ['summarize', {str(seed_path)!r}]).exit_code == 0\n"
        "heavy = {'torch', 'transformers', 'tokenizers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_config_for_keeps_only_what_a_backend_takes() -> None:
    values = {"model": "m", "device": "cpu", "strict": False, "batch_size": None}
    assert backends.config_for("lead", **values) == {}
    assert backends.config_for("transformers", **values) == {
        "model": "m",
        "device": "cpu",
        "strict": False,
    }
