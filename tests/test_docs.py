"""The README and docs/ stay in step with the CLI and with each other."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from summarizer.cli import cli
from summarizer.errors import ExitCode

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"


def _markdown_files() -> list[Path]:
    return [README, ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


def _without_code(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_readme_lists_every_command_and_option() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = []
    for name, command in cli.commands.items():
        if f"summarizer {name}" not in readme:
            missing.append(f"command {name}")
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden or param.name == "help":
                continue
            names = [opt for opt in param.opts + param.secondary_opts if opt.startswith("--")]
            if names and not any(re.search(re.escape(opt) + r"\b", readme) for opt in names):
                missing.append(f"{name} {'/'.join(names)}")
    assert missing == [], "add these to README.md's Commands section"


def test_no_merge_conflict_markers() -> None:
    marked = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _markdown_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"(<{7}|={7}|>{7})( |$)", line)
    ]
    assert marked == []


def test_readme_links_every_docs_page() -> None:
    readme = README.read_text(encoding="utf-8")
    pages = sorted(path.name for path in (ROOT / "docs").glob("*.md"))
    assert pages
    assert [page for page in pages if f"](docs/{page}" not in readme] == []


def test_relative_links_and_anchors_resolve() -> None:
    anchors = {
        path.resolve(): {
            _slug(match.group(1))
            for match in re.finditer(r"^#+ (.*)$", _without_code(path.read_text("utf-8")), re.M)
        }
        for path in _markdown_files()
    }
    broken = []
    for path in _markdown_files():
        for match in re.finditer(r"\]\(([^)\s]+)\)", _without_code(path.read_text("utf-8"))):
            target = match.group(1)
            if re.match(r"[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path.resolve()
            missing_anchor = dest.suffix == ".md" and anchor not in anchors.get(dest, {""})
            if not dest.exists() or (anchor and missing_anchor):
                broken.append(f"{path.name}: {target}")
    assert broken == []


def test_readme_shows_the_seed_articles_real_output() -> None:
    readme = README.read_text(encoding="utf-8")
    command = "$ summarizer summarize examples/bytedance-huawei-fr.txt\n"
    start = readme.index(command) + len(command)
    shown = readme[start : readme.index("```", start)]
    result = CliRunner().invoke(cli, ["summarize", str(ROOT / "examples/bytedance-huawei-fr.txt")])
    assert result.exit_code == 0
    assert result.output == shown


def test_help_and_readme_show_the_one_table_of_exit_codes() -> None:
    rows = "\n".join(f"| {code.value} | {code.meaning} |" for code in ExitCode)
    assert f"| code | meaning |\n|---|---|\n{rows}\n" in README.read_text(encoding="utf-8")
    for command in (["--help"], ["batch", "--help"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0
        shown = " ".join(result.output.split())
        for code in ExitCode:
            assert f" {code.value} {' '.join(code.meaning.split())}" in shown
