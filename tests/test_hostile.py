"""Hostile inputs: every kind gives a result or one clean error line; never a traceback or a hang.

The corpus (helpers.CORPUS) is generated on the fly, big inputs included, so that nothing large
is committed. Each kind runs through ``summarizer summarize`` exactly as a user would run it,
and through the library, where only ``SummarizerError`` may escape.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ARTICLE_HTML, CORPUS, DATA, FR, PARA, RU, varied_text

import summarizer
from summarizer import load, sentences
from summarizer.cli import cli
from summarizer.errors import DecodeError, InputError, SummarizerError
from summarizer.similarity import centrality, tfidf_vectors

SLOW = {
    "text-50mb",
    "html-20mb",
    "html-20mb-of-script",
    "html-unclosed-scripts",
    "html-huge-attribute",
}
# Kinds small enough to summarize in this process; a few still take seconds.
IN_PROCESS = [
    pytest.param(kind, marks=pytest.mark.slow)
    if kind in {"many-short-lines", "csv-as-article", "sentence-1mb-no-punctuation"}
    else kind
    for kind in CORPUS
    if kind not in SLOW and kind != "fifo-without-writer"
]


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _check_result(kind: str, code: int, stdout: str, stderr: str, expect: str | None) -> None:
    assert "Traceback" not in stdout + stderr, (kind, stderr)
    assert "unexpected" not in stderr, (kind, stderr)
    if expect is None:
        assert code == 0, (kind, stderr)
        data = json.loads(stdout)
        assert data["bullets"], kind
        for bullet in data["bullets"]:
            text = bullet["text"]
            assert text.strip() and len(text) <= sentences.MAX_SENTENCE_CHARS + 1, kind
            assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in text), kind
            assert not any(ch in text for ch in "\u200b\u202e\u2066\x00"), kind
        return
    assert code == 1, (kind, code, stdout, stderr)
    lines = [line for line in stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), (kind, stderr)
    assert re.search(expect, lines[0]), (kind, lines[0])


@pytest.mark.parametrize("kind", IN_PROCESS)
def test_corpus_through_the_cli(kind: str, tmp_path: Path) -> None:
    build, expect = CORPUS[kind]
    path = build(tmp_path)
    code, stdout, stderr = _cli("summarize", "-f", "json", str(path))
    _check_result(kind, code, stdout, stderr, expect)


@pytest.mark.parametrize("kind", IN_PROCESS)
def test_corpus_through_the_library(kind: str, tmp_path: Path) -> None:
    build, expect = CORPUS[kind]
    path = build(tmp_path)
    try:
        summary = summarizer.summarize_file(path)
    except SummarizerError as exc:
        assert expect is not None, (kind, exc)
        assert "\n" not in str(exc)
        return
    assert expect is None, kind
    assert summary.bullets


# Runs the CLI and reports the peak RSS of the process itself (VmHWM): the rusage of a child
# would include the pytest process it was forked from, which the exec does not reset.
_MEASURED_CLI = """
import atexit, sys

def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write(f"peak-rss-kib: {line.split()[1]}\\n")

atexit.register(peak)
sys.argv[0] = "summarizer"
from summarizer.cli import main
main()
"""


def _run_measured(path: Path, folder: Path, timeout: float = 120) -> tuple[int, str, str, int]:
    """Run ``summarizer summarize -f json PATH`` in a child; exit code, output, peak RSS (KiB)."""
    out, err = folder / "stdout", folder / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", _MEASURED_CLI, "summarize", "-f", "json", str(path)],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
        try:
            child.wait(timeout=timeout)  # a hang fails the test instead of CI
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            pytest.fail(f"{path.name}: still running after {timeout} s")
    lines = err.read_text("utf-8").splitlines()
    peaks = [int(line.split()[1]) for line in lines if line.startswith("peak-rss-kib: ")]
    errors = "".join(line + "\n" for line in lines if not line.startswith("peak-rss-kib: "))
    return child.returncode, out.read_text("utf-8"), errors, peaks[0] if peaks else 0


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(SLOW | {"fifo-without-writer"}))
def test_big_inputs_in_a_subprocess_with_bounded_memory(kind: str, tmp_path: Path) -> None:
    """Run as a user would, in a child whose peak memory is measured and whose hang is caught."""
    build, expect = CORPUS[kind]
    path = build(tmp_path)
    code, stdout, stderr, peak_kib = _run_measured(path, tmp_path)
    _check_result(kind, code, stdout, stderr, expect)
    # 50 MB of text decoded into a str and copied by each stage would take over 400 MB;
    # 20 MB of HTML parsed whole took 725 MB. The caps keep every run far below.
    assert peak_kib < 400 * 1024, (kind, peak_kib)
    if kind in ("text-50mb", "html-20mb"):
        assert "truncated" in stderr and "truncated" in stdout, kind


def test_truncation_is_recorded_in_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_TEXT_CHARS", 5000)
    text = "Une phrase simple pour remplir la page. " * 200
    summary = summarizer.summarize(text)
    warnings = summary.to_dict()["warnings"]
    assert len(warnings) == 1 and "truncated" in warnings[0]
    assert summarizer.summarize(FR).to_dict().get("warnings") is None


def test_html_truncation_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_HTML_CHARS", 20_000)
    html = ARTICLE_HTML.format(body="".join(PARA.format(n=i) for i in range(300)))
    assert len(html) > load.MAX_HTML_CHARS
    article = load.from_text(html, format="html")
    assert any("HTML truncated" in w for w in article.warnings)


def test_bulk_markup_is_dropped_before_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_HTML_CHARS", 20_000)
    html = "<html><body><script>" + "x" * load.MAX_HTML_CHARS + "</script><style>p{}</style>"
    html += "<!-- " + "c" * 1000 + " -->" + ARTICLE_HTML.format(body=PARA.format(n=1))
    article = load.from_text(html, format="html")
    assert article.warnings == ()
    assert "processeur" in article.text


def test_xxe_and_entity_bomb_are_not_expanded(tmp_path: Path) -> None:
    for kind in ("html-entity-bomb", "html-external-entity"):
        article = load.load_path(CORPUS[kind][0](tmp_path))
        assert "root:" not in article.text and "aaaaaaaaaa" not in article.text
        assert len(article.text) < 2000


def test_decoding_finds_the_text(tmp_path: Path) -> None:
    expected = {
        "utf16-le-bom": "durabilité",
        "utf16-be-no-bom": "durabilité",
        "utf16-le-no-bom-cyrillic": RU.split()[1],
        "latin-1": "durabilité",
        "cp1252": "Œuvre » coûte 5 €",
        "invalid-utf8": "durabilité",
    }
    for kind, needle in expected.items():
        path = CORPUS[kind][0](tmp_path)
        assert needle in load.load_path(path).text, kind
        path.unlink()


def test_truncated_input_keeps_a_character_cut_in_two() -> None:
    data = ("é" * 10).encode("utf-8")[:-1]
    assert load.decode_bytes(data, partial=True) == "é" * 9
    data16 = b"\xff\xfe" + ("е" * 5).encode("utf-16-le")[:-1]
    assert load.decode_bytes(data16, partial=True) == "е" * 4


def test_input_over_the_byte_cap_is_cut_and_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 1000)
    path = tmp_path / "a.txt"
    path.write_bytes(("Une phrase en français, avec des accents éàü. " * 100).encode())
    article = load.load_path(path)
    assert len(article.text.encode()) <= 1000
    assert any("truncated" in w for w in article.warnings)


def test_unreadable_file_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(FR, encoding="utf-8")
    path.chmod(0)
    if os.geteuid() != 0:  # root reads anything: simulate the refusal there
        with pytest.raises(InputError, match="permission denied"):
            load.load_path(path)

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(load.os, "open", refuse)
    code, _, stderr = _cli("summarize", str(path))
    assert code == 1 and stderr.strip() == f"error: {path}: permission denied"


def test_char_device_is_read_within_the_cap() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    code, _, stderr = _cli("summarize", "/dev/zero")
    assert code == 1 and "binary" in stderr


def test_stdin_is_read_within_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 4096)
    result = CliRunner().invoke(cli, ["summarize", "-"], input=("Une phrase. " * 2000).encode())
    assert result.exit_code == 0
    assert "warning: input truncated" in result.stderr


def test_centrality_matches_its_definition() -> None:
    """The linear-time centrality equals the direct (quadratic) computation."""
    import math

    tokens = [s.split() for s in varied_text(3000).split(". ") if s]
    vectors = tfidf_vectors(tokens)
    total: dict[str, float] = {}
    for vec in vectors:
        for t, v in vec.items():
            total[t] = total.get(t, 0.0) + v
    for vec, score in zip(vectors, centrality(vectors), strict=True):
        rest = {t: total[t] - vec.get(t, 0.0) for t in total}
        norm = math.sqrt(sum(v * v for v in rest.values())) or 1.0
        assert score == pytest.approx(sum(v * rest.get(t, 0.0) for t, v in vec.items()) / norm)


def test_long_sentences_are_cut_at_spaces() -> None:
    text = "mot " * 5000
    pieces = list(sentences.segment(text, "fr"))
    assert all(end - start <= sentences.MAX_SENTENCE_CHARS for start, end in pieces)
    assert all(text[start:end] == text[start:end].strip() for start, end in pieces)
    assert all(not text[start:end].endswith("mo") for start, end in pieces)  # whole words
    assert sum(len(text[s:e].split()) for s, e in pieces) == 5000


def test_cutting_keeps_combining_marks_with_their_letter() -> None:
    text = ("e\u0301" * 800) + "."
    for start, end in sentences.segment(text, "fr"):
        assert text[start:end][:1] != "\u0301"


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("arabic", "ar"),
        ("hebrew", "he"),
        ("cjk-no-spaces-no-punctuation", "zh"),
        ("utf16-le-no-bom-cyrillic", "ru"),
        ("utf16-be-no-bom", "fr"),
        ("cp1252", "fr"),
    ],
)
def test_exotic_inputs_keep_their_language(kind: str, code: str, tmp_path: Path) -> None:
    summary = summarizer.summarize_file(CORPUS[kind][0](tmp_path))
    assert summary.language.code == code


def test_titles_and_sources_cannot_inject_lines_or_escapes(tmp_path: Path) -> None:
    record = {"title": "Titre\n## Faux titre\x1b]0;pwned\x07", "text": FR}
    path = tmp_path / "a\x1b[2Jb\nc.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    code, stdout, _ = _cli("summarize", "-f", "markdown", str(path))
    assert code == 0
    assert "\x1b" not in stdout and "\x07" not in stdout
    assert stdout.startswith("## Titre ## Faux titre]0;pwned\n")
    assert sum(line.startswith("## ") for line in stdout.splitlines()) == 1
    assert sum(line.startswith("*Source: ") for line in stdout.splitlines()) == 1


def test_full_disk_on_stdout_is_a_clean_error() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", "summarize", str(DATA / "elflyg-sv.txt")],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stderr == "error: cannot write standard output: No space left on device\n"


def test_records_file_decoding_spoils_one_line_not_the_file() -> None:
    data = (
        b'{"id": 1, "text": "caf\xc3\xa9"}\n\x00\x01\x02\n'
        b'{"id": 3, "text": "d\xc3\xa9j\xc3\xa0 \xff vu"}\n{"id": 4, "text": "caf\xe9"}\n'
    )
    lines = load.decode_records(data, "feed.jsonl").splitlines()
    # A cut UTF-8 character spoils its own line only; a line with no UTF-8 at all is Latin-1.
    assert lines[0] == '{"id": 1, "text": "caf\u00e9"}'
    assert lines[2] == '{"id": 3, "text": "d\u00e9j\u00e0 \ufffd vu"}'
    assert lines[3] == '{"id": 4, "text": "caf\u00e9"}'
    assert load.decode_records(b"\xef\xbb\xbf{}", "x") == "{}"
    assert load.decode_records('{"a": "é"}'.encode("utf-16"), "x") == '{"a": "é"}'
    with pytest.raises(DecodeError, match="gzip"):
        load.decode_records(gzip.compress(b"{}"), "feed.jsonl")


@pytest.mark.parametrize(("flag", "expected"), [((), False), (("--trust-remote-code",), True)])
def test_models_never_run_remote_code_unless_asked(
    flag: tuple[str, ...], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the CLI hands the transformers backend (no torch needed: the backend is stubbed)."""
    from summarizer import backends
    from summarizer.backends.lead import LeadBackend

    seen: list[dict[str, object]] = []

    def stub(name: str, **config: object) -> LeadBackend:
        seen.append({"name": name, **config})
        return LeadBackend()

    monkeypatch.setattr(backends, "get_backend", stub)
    args = [
        "summarize",
        "-b",
        "transformers",
        "--model",
        "some/model",
        *flag,
        str(DATA / "elflyg-sv.txt"),
    ]
    code, _, stderr = _cli(*args)
    assert code == 0, stderr
    assert seen and all(call["name"] == "transformers" for call in seen)
    assert all(call.get("trust_remote_code", False) is expected for call in seen)


def test_endless_device_is_never_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 1 << 16)
    with pytest.raises(InputError, match="not a regular file"):
        load.read_bytes("/dev/zero")  # no limit asked: a device still gets one
    assert load.read_bytes("/dev/zero", limit=10) == b"\0" * 10
