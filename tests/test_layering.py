"""Layering: core modules and the default backend stand without the other backends."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import summarizer
from summarizer import backends, summarize
from summarizer.render import render

PACKAGE = Path(summarizer.__file__).parent
ROOT = PACKAGE.parent
TRAIN_SCRIPT = ROOT / "scripts" / "train_scorer.py"


def _default_module() -> str:
    return type(backends.get_backend(backends.DEFAULT_BACKEND)).__module__


def _optional_backend_files() -> list[Path]:
    """The backend modules and packages other than the default one's (and the registry)."""
    default = PACKAGE / "backends" / f"{_default_module().rpartition('.')[2]}.py"
    found = sorted(
        p
        for p in (PACKAGE / "backends").iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()
    )
    assert default in found
    return [p for p in found if p != default]


def _in_optional_backend(path: Path) -> bool:
    return any(path == p or p in path.parents for p in _optional_backend_files())


def _imports(path: Path, package: str) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_module_but_a_backend_imports_an_optional_backend() -> None:
    optional = {f"summarizer.backends.{p.stem}" for p in _optional_backend_files()}
    assert "summarizer.backends.heuristic" in optional and "summarizer.backends.lead" in optional
    assert "summarizer.backends.transformers" in optional
    offenders = {}
    for path in [*PACKAGE.rglob("*.py"), TRAIN_SCRIPT]:
        if _in_optional_backend(path):
            continue
        relative = path.relative_to(ROOT).with_suffix("")
        # A module's relative imports start from its package (an __init__'s: its own).
        imported = _imports(path, ".".join(relative.parts[:-1]))
        wrong = {n for n in imported if any(n == o or n.startswith(f"{o}.") for o in optional)}
        if wrong:
            offenders[str(relative)] = sorted(wrong)
    assert offenders == {}


@pytest.mark.slow
def test_default_backend_and_training_work_with_the_other_backends_deleted(
    tmp_path: Path, seed_path: Path
) -> None:
    copy = tmp_path / "summarizer"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for path in _optional_backend_files():
        if path.is_dir():
            shutil.rmtree(copy / "backends" / path.name)
        else:
            (copy / "backends" / path.name).unlink()
    records = tmp_path / "train.jsonl"
    records.write_text(
        "".join(
            json.dumps(
                {
                    "title": f"Acme opens plant number {i}",
                    "text": f"Acme opened plant {i} in Lyon on Monday. It will employ {100 + i} "
                    "people. The weather was mild. The plant cost a million euros, it said.",
                    "summary": f"Acme opened plant {i} in Lyon, employing {100 + i} people.",
                }
            )
            + "\n"
            for i in range(6)
        ),
        encoding="utf-8",
    )
    code = (
        "import pathlib, runpy, sys, summarizer\n"
        "from summarizer.render import render\n"
        "assert summarizer.__file__.startswith(sys.argv[1]), summarizer.__file__\n"
        "summary = summarizer.summarize(pathlib.Path(sys.argv[2]).read_text(encoding='utf-8'))\n"
        "pathlib.Path(sys.argv[5]).write_text(render(summary, 'json'), encoding='utf-8')\n"
        "sys.argv = ['train_scorer', sys.argv[3], '-o', sys.argv[4], '--sample', '6']\n"
        f"runpy.run_path({str(TRAIN_SCRIPT)!r}, run_name='__main__')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    model, summary = tmp_path / "model.json", tmp_path / "summary.json"
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, (copy, seed_path, records, model, summary))],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    expected = render(summarize(seed_path.read_text(encoding="utf-8")), "json")
    assert summary.read_text(encoding="utf-8") == expected
    assert json.loads(model.read_text(encoding="utf-8"))["articles"] == 6
