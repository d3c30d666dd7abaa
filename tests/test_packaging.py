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


def _pip_installs(text: str) -> list[str]:
    """The ``pip install ...`` commands of a shell text, in order, whitespace-normalised."""
    found = []
    for line in text.splitlines():
        for part in line.split("&&"):
            words = part.split()
            if words[:2] == ["pip", "install"]:
                found.append(" ".join(words))
    return found


def test_ci_installs_what_the_readme_test_command_installs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = next(
        line
        for line in readme.splitlines()
        if line.startswith("python3 -m venv") and "pytest" in line
    )
    readme_installs = _pip_installs(test_command)
    # torch's CPU wheel first, then the extras: the extra alone would pull a CUDA build.
    assert readme_installs[0] == "pip install torch==2.13.0"
    assert any("dev" in cmd and "test" in cmd for cmd in readme_installs[1:])
    assert _pip_installs((ROOT / ".ci" / "run").read_text(encoding="utf-8")) == readme_installs


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is 3.11+")
def test_version_has_one_source() -> None:
    import tomllib

    import summarizer

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and "version" in project["dynamic"]
    try:
        from importlib.metadata import PackageNotFoundError, version

        installed = version(project["name"])
    except PackageNotFoundError:
        pytest.skip(f"{project['name']} is not installed")
    assert installed == summarizer.__version__
