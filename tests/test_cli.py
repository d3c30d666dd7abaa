from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import RUN_ON_125_WORDS, fresh_python

from summarizer.cli import cli, summary_options
from summarizer.sentences import word_count


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input)


def test_summarize_seed(seed_path: Path) -> None:
    result = run("summarize", str(seed_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "TL;DR" and len(lines) == 4


def test_summarize_json_bullets(data_dir: Path) -> None:
    result = run("summarize", str(data_dir / "article-en.md"), "--bullets", "4", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["bullets"]) == 4 and data["language"]["code"] == "en"


def test_stdin_with_language(data_dir: Path) -> None:
    text = (data_dir / "smartphone-reparation-fr.txt").read_bytes()
    result = run("summarize", "-", "--language", "fr", "-f", "json", input=text)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["language"] == {"code": "fr", "confidence": 1.0}


def test_errors_are_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x89PNG\x00\x01\x02")
    empty = tmp_path / "e.txt"
    empty.write_text("")
    for target in (str(tmp_path / "missing.txt"), str(tmp_path), str(empty), str(binary)):
        result = run("summarize", target)
        assert result.exit_code == 1, target
        assert result.stderr.startswith("error: ")
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_verbose_shows_traceback(tmp_path: Path) -> None:
    result = run("summarize", str(tmp_path / "missing.txt"), "-v")
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_usage_errors_exit_2(seed_path: Path) -> None:
    result = run("summarize", str(seed_path), "--backend", "nope")
    assert result.exit_code == 2 and "heuristic" in result.stderr
    assert run("summarize", str(seed_path), "--bullets", "0").exit_code == 2
    assert run("summarize").exit_code == 2


def test_backends_command() -> None:
    result = run("backends")
    assert "heuristic" in result.stdout and "lead" in result.stdout


def test_python_m_help_is_light() -> None:
    code = (
        "import sys; from summarizer.cli import main; sys.argv=['summarizer','--help'];\n"
        "try: main()\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('torch','transformers','trafilatura','langdetect') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout
    help_out = subprocess.run(
        [sys.executable, "-m", "summarizer", "--help"], capture_output=True, text=True, check=True
    )
    assert "summarize" in help_out.stdout and "Exit codes" in help_out.stdout


def test_detect_text_and_json(data_dir: Path) -> None:
    mixed = str(data_dir / "mixed-fr-en.txt")
    english = str(data_dir / "battery-recycling-en.txt")
    result = run("detect", mixed, english)
    assert result.exit_code == 0, result.output
    first, second = (line.split("\t") for line in result.stdout.splitlines())
    assert first[0] == mixed and first[1] == "fr" and first[3].startswith("fr:")
    assert "en:" in first[3]
    assert second[:2] == [english, "en"] and len(second) == 3
    result = run("detect", mixed, "--format", "json")
    data = json.loads(result.stdout)
    assert data["source"] == mixed and data["code"] == "fr"
    assert set(data["shares"]) == {"fr", "en"}


def test_detect_stdin_und_and_languages() -> None:
    for text in ("12:45\n", "ok", "🙂🙂\n", ""):
        result = run("detect", "-", input=text)
        assert result.exit_code == 0, result.output
        assert result.stdout.split("\t")[1:3] == ["und", "0.0000\n"]
    result = run("detect", "-", "--languages", "fr,de", input="Die Bahn streicht Verbindungen\n")
    assert result.stdout.split("\t")[1] == "de"


def test_detect_bad_languages_is_usage_error(data_dir: Path) -> None:
    result = run("detect", str(data_dir / "one-sentence-en.txt"), "--languages", "fr,xx")
    assert result.exit_code == 2
    assert "xx" in result.output and "valid codes:" in result.output and "fr" in result.output


def test_detect_keeps_going_past_a_bad_file(data_dir: Path, tmp_path: Path) -> None:
    good = str(data_dir / "elflyg-sv.txt")
    result = run("detect", str(tmp_path / "missing.txt"), good)
    assert result.exit_code == 1
    assert result.stdout.split("\t")[:2] == [good, "sv"]
    assert "missing.txt" in result.stderr


def test_summarize_languages_option(data_dir: Path) -> None:
    path = str(data_dir / "fietsdeelsysteem-nl.txt")
    result = run("summarize", path, "--languages", "nl,de", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"]["code"] == "nl" and data["options"]["languages"] == ["nl", "de"]
    assert run("summarize", path, "--languages", "zz").exit_code == 2


def test_model_options_do_not_reach_extractive_backends(seed_path: Path) -> None:
    result = run("summarize", str(seed_path), "-b", "lead", "--model", "x/y", "--strict")
    assert result.exit_code == 0, result.output


def test_transformers_backend_needs_a_model(seed_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SUMMARIZER_MODEL", raising=False)
    result = run("summarize", str(seed_path), "-b", "transformers")
    assert result.exit_code == 2 and "--model" in result.output


def test_eval_prints_backend_and_lead_scores(tmp_path: Path) -> None:
    records = [
        {
            "title": "Acme opens a battery plant",
            "text": "Acme opened a battery plant in Lyon on Monday. It will employ 300 people. The weather was mild.",
            "summary": "Acme opened a battery plant in Lyon that will employ 300 people.",
        }
    ] * 2
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    result = run("eval", str(path), "--bullets", "2", "--backend", "lead", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["records"] == 2 and [s["name"] for s in data["systems"]] == ["lead", "lead-2"]
    assert 0 < data["systems"][1]["rouge1"] <= 100
    text = run("eval", str(path), "--limit", "1")
    assert text.exit_code == 0 and "1 records" in text.stdout and "extractive" in text.stdout


def test_eval_reports_bad_data(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "No reference here."}\n', encoding="utf-8")
    result = run("eval", str(path))
    assert result.exit_code == 1 and "summary" in result.stderr
    assert run("eval", str(tmp_path / "missing.jsonl")).exit_code in (1, 2)
    path.write_text('{"text": "A b.", "summary": "A.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = run("eval", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {path}:1: invalid JSON line (nested too deeply)"


def test_headline_and_no_compress_flags(seed_path: Path) -> None:
    result = run("summarize", str(seed_path), "--headline")
    assert result.exit_code == 0 and result.stdout.startswith("TL;DR: ")
    raw = run("summarize", str(seed_path), "--no-compress", "-f", "json")
    assert json.loads(raw.stdout)["options"]["compress"] is False


def _parsed(command: str, *args: str) -> dict[str, object]:
    """The values click parses for ``summarizer COMMAND ARGS`` (the command is not run)."""
    group_ctx = cli.make_context("summarizer", [command, *args])
    sub = cli.get_command(group_ctx, command)
    assert sub is not None
    return dict(sub.make_context(command, list(args), parent=group_ctx).params)


def test_summary_options_give_each_backend_only_its_settings() -> None:
    params = _parsed("summarize", "x.txt", "-n", "2", "-l", "FR", "--no-compress", "--model", "m")
    options, config = summary_options(params)
    assert (options.bullets, options.language, options.compress, options.headline) == (
        2,
        "fr",
        False,
        False,
    )
    assert options.backend == "extractive" and config == {}  # --model is not the default's

    params = _parsed("batch", "in", "-b", "transformers", "--model", "m", "--strict")
    options, config = summary_options(params)
    assert options.backend == "transformers" and options.compress is True
    assert config == {
        "model": "m",
        "device": "auto",
        "batch_size": 8,
        "strict": True,
        "trust_remote_code": False,
        "dtype": "auto",
    }


def test_summary_options_without_bullet_switches() -> None:
    # eval offers its own --compress and no --headline: the library's default fills in.
    options, _ = summary_options(_parsed("eval", "d.jsonl", "--no-compress"))
    assert options.compress is False and options.headline is False


# --------------------------------------------------------------------------- hostile names, pipes


def test_names_on_stderr_are_one_printable_line(tmp_path: Path) -> None:
    name = "\x1b]0;owned\x07\nerror: forged.txt"
    (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    for args in (
        ["summarize", str(tmp_path / name)],
        ["detect", str(tmp_path / name)],
        ["batch", str(tmp_path), "-q"],
        ["digest", str(tmp_path), "-q", "-f", "json"],
    ):
        result = run(*args)
        assert result.exit_code != 0
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        assert "\x1b" not in result.stderr and "\x07" not in result.stderr
        assert "\\x1b]0;owned\\x07\\x0aerror: forged.txt" in lines[0]
        assert lines[0].count("forged.txt") == 1, lines[0]  # the name once, escaped


@pytest.mark.slow
def test_non_utf8_file_names_in_outputs(tmp_path: Path, data_dir: Path) -> None:
    # A file name that is not UTF-8 (Latin-1 "é"), under a strict UTF-8 standard output.
    folder = os.fsencode(tmp_path)
    path = os.path.join(folder, b"caf\xe9.txt")
    with open(path, "wb") as handle:
        handle.write((data_dir / "article-en.md").read_bytes())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}
    name = os.fsdecode(path)
    for args, parse in (
        (["summarize", name, "-f", "json"], json.loads),
        (["summarize", name, "-f", "markdown"], str),
        (["detect", name, "-f", "json"], json.loads),
        (["detect", name], str),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", *args], capture_output=True, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr
        text = done.stdout.decode("utf-8")  # valid UTF-8
        parse(text)
        assert "\\udce9" in text or "\\xe9" in text, text


def test_closed_stdout_is_quiet(data_dir: Path) -> None:
    for args in (
        ["summarize", str(data_dir / "article-en.md")],
        ["detect"] + [str(p) for p in sorted(data_dir.glob("*.txt"))] * 3,
    ):
        process = subprocess.Popen(
            [sys.executable, "-m", "summarizer", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader is gone before the first line
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 1
        assert stderr == "", stderr


def test_interrupt_while_loading_is_one_line() -> None:
    # Ctrl-C lands while the CLI's modules are still being imported: no traceback.
    code = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'summarizer.pipeline' or name == 'click':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from summarizer.entry import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 130
    assert done.stderr == "interrupted\n"


# What `--help` must not wait for: the pipeline's stages, their libraries, the optional backends
# and engines. Prefixes of module names.
NOT_FOR_HELP = (
    "summarizer.batch",
    "summarizer.pipeline",
    "summarizer.load",
    "summarizer.clean",
    "summarizer.language",
    "summarizer.langmodel",
    "summarizer.sentences",
    "summarizer.fetch",
    "summarizer.backends.",
    "trafilatura",
    "lxml",
    "langdetect",
    "wordfreq",
    "tqdm",
    "torch",
    "transformers",
    "ray",
    "multiprocessing",
    "logging",
)


def test_help_imports_only_what_it_shows() -> None:
    # Every command's --help, one after another in one fresh interpreter.
    code = (
        "import sys\n"
        "from summarizer.cli import cli\n"
        "for command in [[], *([name] for name in sorted(cli.commands))]:\n"
        "    try:\n"
        "        cli([*command, '--help'], prog_name='summarizer')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code in (0, None), (command, exc.code)\n"
        f"prefixes = {NOT_FOR_HELP!r}\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(prefixes))\n"
        "assert not loaded, loaded\n"
    )
    fresh_python(code)


def test_target_words_and_max_words_are_two_options() -> None:
    run_on = RUN_ON_125_WORDS
    for args, cap in (((), 60), (("--max-words", "12"), 12), (("--max-words", "0"), 0)):
        result = run("summarize", "-", "-l", "en", "-f", "json", *args, input=run_on)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["options"]["max_words"] == cap and data["options"]["target_words"] == 30
        words = [word_count(b["text"]) for b in data["bullets"]]
        assert words == [125] if cap == 0 else max(words) <= cap, (args, words)
    result = run("summarize", "-", "-l", "en", "-f", "json", "--target-words", "8", input=run_on)
    assert json.loads(result.stdout)["options"]["target_words"] == 8
    help_text = run("summarize", "--help").output
    assert "--target-words" in help_text and "Hard cap" in help_text
