"""A non-editable install (the README's first command) must ship every data file."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is 3.11+")
def test_package_data_globs_cover_every_data_file() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["summarizer"]
    package = ROOT / "summarizer"
    data_files = [
        path.relative_to(package).as_posix()
        for path in (package / "data").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert data_files
    # setuptools globs do not cross "/": data/* does not reach data/compress/fr.json.
    missed = [
        name
        for name in data_files
        if not any(fnmatch.fnmatch(name, p) and name.count("/") == p.count("/") for p in patterns)
    ]
    assert missed == []
    assert "py.typed" in patterns and (package / "py.typed").exists()
