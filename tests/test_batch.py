"""Batch processing: discovery, records, order, errors, output folders, resume after SIGKILL."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Container, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import fresh_python, group_gone, wait_for_lines, write_faulty_backend

from summarizer import batch as batch_mod
from summarizer.batch import (
    BatchConfig,
    Emit,
    Engine,
    FileSink,
    Input,
    Outcome,
    Task,
    WorkContext,
    discover,
    engine_names,
    read_journal,
    register_engine,
    safe_component,
    summarize_tasks,
    unregister_engine,
    work_group,
)
from summarizer.batch import sinks as sinks_mod
from summarizer.batch import work as work_mod
from summarizer.cli import cli
from summarizer.errors import InputError, UsageError
from summarizer.pipeline import make_options

ARTICLES = [
    "battery-recycling-en.txt",
    "smartphone-reparation-fr.txt",
    "glasfaser-ausbau-de.txt",
    "coches-autonomos-es.txt",
    "intelligenza-artificiale-it.txt",
    "energia-solar-pt.txt",
    "fietsdeelsysteem-nl.txt",
    "cyberbezpieczenstwo-pl.txt",
    "elflyg-sv.txt",
]


def invoke(*args: str, input: bytes | str | None = None) -> Any:
    return CliRunner().invoke(cli, ["batch", *args], input=input)


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, data_dir: Path, count: int) -> list[str]:
    """``count`` records cycling through the test articles; returns their ids."""
    ids = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            name = ARTICLES[i % len(ARTICLES)]
            text = (data_dir / name).read_text(encoding="utf-8")
            ids.append(f"art-{i:04d}")
            handle.write(json.dumps({"id": ids[-1], "text": text}, ensure_ascii=False) + "\n")
    return ids


@pytest.fixture
def mixed_dir(tmp_path: Path, data_dir: Path) -> Path:
    """A folder as users drop it: good articles, junk, other encodings, HTML, a JSONL feed."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    shutil.copy(data_dir / "battery-recycling-en.txt", root / "a-good.txt")
    shutil.copy(data_dir / "article-en.md", root / "sub" / "b-article.md")
    shutil.copy(data_dir / "article-fr.html", root / "c-page.html")
    (root / "d-empty.txt").write_bytes(b"")
    (root / "e-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    latin = (data_dir / "smartphone-reparation-fr.txt").read_text(encoding="utf-8")
    (root / "f-latin1.txt").write_bytes(latin.encode("latin-1", errors="replace"))
    feed = [
        json.dumps({"id": "g1", "text": (data_dir / "glasfaser-ausbau-de.txt").read_text()}),
        '{"id": "g2", "text": "broken',
        json.dumps({"id": "g3", "text": (data_dir / "elflyg-sv.txt").read_text()}),
    ]
    (root / "sub" / "g-feed.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")
    (root / "notes.csv").write_text("ignored,by,suffix\n")
    (root / ".hidden.txt").write_text("hidden files are not inputs")
    return root


def test_mixed_folder_one_record_per_input(mixed_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = invoke(str(mixed_dir), "--output", str(out), "--jobs", "1")
    assert result.exit_code == 1, result.output
    records = lines_of(out)
    sources = [Path(r["source"].rsplit(":", 1)[0]).name for r in records]
    assert sources == [
        "a-good.txt", "c-page.html", "d-empty.txt", "e-binary.txt", "f-latin1.txt",
        "b-article.md", "g-feed.jsonl", "g-feed.jsonl", "g-feed.jsonl",
    ]  # fmt: skip
    by_name = dict(zip(sources[:6], records[:6], strict=True))
    assert "error" not in by_name["a-good.txt"] and by_name["a-good.txt"]["bullets"]
    assert "no text" in by_name["d-empty.txt"]["error"]
    assert "binary" in by_name["e-binary.txt"]["error"]
    latin = by_name["f-latin1.txt"]
    assert latin["language"]["code"] == "fr"
    assert any("é" in b["text"] for b in latin["bullets"])
    assert by_name["c-page.html"]["title"].startswith("Une start-up lyonnaise")
    feed = records[6:]
    assert [r.get("id") for r in feed] == ["g1", None, "g3"]
    assert "invalid JSON" in feed[1]["error"] and feed[1]["source"].endswith(":2")
    assert feed[0]["language"]["code"] == "de" and feed[2]["language"]["code"] == "sv"
    # Each failure: one line on stderr; then the final report.
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3
    assert "9 inputs: 6 done, 0 skipped (resumed), 3 failed" in result.stderr
    assert "Traceback" not in result.output


def test_quality_call_carries_ids_and_bullets(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, data_dir, 5)
    out = tmp_path / "out.jsonl"
    result = invoke(
        str(source), "--output", str(out), "--format", "jsonl", "--bullets", "2", "--quiet"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and result.stdout == ""
    records = lines_of(out)
    assert [r["id"] for r in records] == ids
    for record in records:
        assert len(record["bullets"]) == 2
        assert all(isinstance(b["text"], str) and b["text"] for b in record["bullets"])


def test_lines_of_several_jsonl_inputs_are_read_back(tmp_path: Path, data_dir: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(first, data_dir, 3)
    write_jsonl(second, data_dir, 4)
    out = tmp_path / "out.jsonl"
    # a, b, then a again: each line is read from the right file after a switch of files.
    result = invoke(str(first), str(second), str(first), "-o", str(out), "--jobs", "1", "-q")
    assert result.exit_code == 0, result.output
    records = lines_of(out)
    expected = [f"{first}:{n}" for n in (1, 2, 3)] + [f"{second}:{n}" for n in (1, 2, 3, 4)]
    assert [r["source"] for r in records] == expected + expected[:3]
    assert [r["bullets"] for r in records[7:]] == [r["bullets"] for r in records[:3]]
    assert [r["bullets"] for r in records[3:6]] == [r["bullets"] for r in records[:3]]


def test_order_is_input_order_whatever_jobs(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, data_dir, 24)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert invoke(str(source), "-o", str(one), "--jobs", "1", "-q").exit_code == 0
    assert invoke(str(source), "-o", str(two), "--jobs", "2", "-q").exit_code == 0
    assert [r["id"] for r in lines_of(two)] == ids
    assert one.read_bytes() == two.read_bytes()


def test_stdin_to_stdout_and_exit_codes(data_dir: Path) -> None:
    good = json.dumps({"id": 7, "text": (data_dir / "elflyg-sv.txt").read_text()})
    result = invoke("-", "--jobs", "1", "-q", input=good + "\n\nnot json\n")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["id"] == "7" and records[0]["source"] == "<stdin>:1"
    assert records[1]["source"] == "<stdin>:3" and "error" in records[1]
    all_bad = invoke("-", "-q", input="nope\n[1]\n")
    assert all_bad.exit_code == 3 and len(all_bad.stdout.splitlines()) == 2
    assert invoke("-", "-q", input=good).exit_code == 0


def test_stdin_is_spooled_to_disk_not_held_in_memory(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "elflyg-sv.txt").read_text(encoding="utf-8")
    feed = "".join(json.dumps({"id": f"r{i}", "text": text}) + "\n" for i in range(3))
    inputs = discover(["-"], stdin=io.BytesIO(feed.encode("utf-8")), spool=tmp_path)
    assert [i.source for i in inputs] == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]
    # Each record is a place in the spooled copy, read when its turn comes.
    assert all(i.line is None and i.path == str(tmp_path / "stdin.jsonl") for i in inputs)
    # UTF-16: copied to the spool as UTF-8, then streamed the same way (never decoded whole).
    utf16 = discover(["-"], stdin=io.BytesIO(feed.encode("utf-16")), spool=tmp_path)
    assert [i.source for i in utf16] == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]
    assert all(i.line is None and i.path == str(tmp_path / "stdin.jsonl") for i in utf16)
    result = invoke("-", "-q", "-j", "1", input=feed.encode("utf-16"))
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["r0", "r1", "r2"]
    # A spool that cannot be written (a full disk, say) is one error, not a traceback.
    with pytest.raises(InputError, match="cannot copy standard input"):
        discover(["-"], stdin=io.BytesIO(b"{}"), spool=tmp_path / "missing")


def test_json_and_markdown_formats(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ARTICLES[:3]:
        shutil.copy(data_dir / name, folder / name)
    (folder / "z-empty.md").write_text("   \n")
    as_json = invoke(str(folder), "--format", "json", "-q", "-j", "1")
    array = json.loads(as_json.stdout)
    assert [Path(r["source"]).name for r in array] == [*sorted(ARTICLES[:3]), "z-empty.md"]
    digest_path = tmp_path / "digest.md"
    assert invoke(str(folder), "-o", str(digest_path), "-q").exit_code == 1
    digest = digest_path.read_text(encoding="utf-8")
    assert digest.startswith("# TL;DR digest")
    assert digest.count("\n## ") == 4
    assert "Language: de" in digest and "Language: fr" in digest
    assert "> Error:" in digest and "z-empty.md" in digest
    german = json.loads(invoke(str(folder / "glasfaser-ausbau-de.txt"), "-q").stdout)
    assert german["bullets"][0]["text"] in digest


def test_output_dir_mirrors_tree_and_stays_inside(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "in"
    (root / "deep" / "er").mkdir(parents=True)
    shutil.copy(data_dir / "elflyg-sv.txt", root / "deep" / "er" / "flyg.txt")
    text = (data_dir / "battery-recycling-en.txt").read_text()
    hostile = ["../../escape", "/etc/passwd", "..", "a/../../b", "..\\..\\win", "C:\\x", "\x00nul"]
    (root / "feed.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": text}) + "\n" for i in hostile), encoding="utf-8"
    )
    out = tmp_path / "out"
    before = set(tmp_path.rglob("*"))
    result = invoke(str(root), "--output-dir", str(out), "-q")
    assert result.exit_code == 0, result.output
    created = set(tmp_path.rglob("*")) - before
    assert created and all(out in p.parents or p == out for p in created)
    assert (out / "deep" / "er" / "flyg.tldr.md").read_text().startswith("# ")
    files = [p for p in out.rglob("*.tldr.md")]
    assert len(files) == 1 + len(hostile)
    assert all(p.parent == out / "feed" for p in files if "flyg" not in p.name)
    assert not any(part.startswith(".") for p in files for part in p.relative_to(out).parts)


def test_output_dir_names_records_by_id_else_line(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "smartphone-reparation-fr.txt").read_text(encoding="utf-8")
    rows = [{"id": "alpha", "text": text}, {"id": 42, "text": text}, {"text": text}]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n", encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(str(feed), "-d", str(out), "-q", "-j", "1").exit_code == 1  # the broken line
    names = sorted(p.name for p in (out / "feed").glob("*.tldr.md"))
    assert names == ["42.tldr.md", "alpha.tldr.md", "line-3.tldr.md"]


def test_output_dir_never_follows_a_symlink_out(tmp_path: Path, data_dir: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "feed").symlink_to(outside, target_is_directory=True)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "x", "text": (data_dir / "elflyg-sv.txt").read_text()}))
    result = invoke(str(feed), "--output-dir", str(out), "-q", "--format", "json")
    assert result.exit_code == 3
    assert "outside" in result.stderr
    assert list(outside.iterdir()) == []


def test_safe_component() -> None:
    for name in ["..", "../x", "/etc", "a/b", "\\\\srv\\share", ".hidden", "", "con"]:
        cleaned = safe_component(name)
        assert cleaned and "/" not in cleaned and "\\" not in cleaned
        assert not cleaned.startswith(".") and cleaned.lower() != "con"


def test_folder_options_and_own_outputs(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    shutil.copy(data_dir / "elflyg-sv.txt", root / "top.txt")
    shutil.copy(data_dir / "article-en.md", root / "top.md")
    shutil.copy(data_dir / "glasfaser-ausbau-de.txt", root / "sub" / "below.txt")
    names = lambda inputs: [Path(i.source).name for i in inputs]  # noqa: E731
    assert names(discover([str(root)])) == ["top.md", "top.txt", "below.txt"]
    assert names(discover([str(root)], recursive=False)) == ["top.md", "top.txt"]
    assert names(discover([str(root)], glob="*.txt")) == ["top.txt", "below.txt"]
    assert names(discover([str(root)], glob="sub/*")) == ["below.txt"]
    # Results written inside the folder are not read back as inputs on the next run.
    result = invoke(str(root), "--output-dir", str(root / "tldr"), "-q")
    assert result.exit_code == 0
    again = invoke(str(root), "-o", str(root / "all.jsonl"), "-q")
    assert again.exit_code == 0 and len(lines_of(root / "all.jsonl")) == 3
    assert invoke(str(root), "-o", str(root / "all.jsonl"), "-q").exit_code == 0
    assert len(lines_of(root / "all.jsonl")) == 3


def test_duplicates_each_get_a_record(tmp_path: Path, data_dir: Path) -> None:
    line = json.dumps({"text": (data_dir / "elflyg-sv.txt").read_text()})
    source = tmp_path / "dup.jsonl"
    source.write_text(f"{line}\n{line}\n")
    out = tmp_path / "out.jsonl"
    assert invoke(str(source), "-o", str(out), "-q").exit_code == 0
    records = lines_of(out)
    assert len(records) == 2 and records[0]["key"] != records[1]["key"]
    result = invoke(str(source), "-o", str(out), "-q", "--resume")
    assert result.exit_code == 0 and len(lines_of(out)) == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_later_copy_left_undone_is_summarized_on_resume(
    tmp_path: Path, data_dir: Path, jobs: str
) -> None:
    line = json.dumps({"text": (data_dir / "elflyg-sv.txt").read_text()})
    other = json.dumps({"text": (data_dir / "glasfaser-ausbau-de.txt").read_text()})
    source = tmp_path / "dup.jsonl"
    source.write_text(f"{line}\n{other}\n{line}\n{line}\n")
    out = tmp_path / "out.jsonl"
    assert invoke(str(source), "-o", str(out), "-q", "-j", jobs).exit_code == 0
    complete = out.read_bytes()
    first = lines_of(out)[0]["key"]
    assert [r["key"] for r in lines_of(out)][2:] == [f"{first}-2", f"{first}-3"]
    # A crash after the first record: the copies' workers find their content done, but not
    # the copies' own records, which must still be made.
    out.write_bytes(complete.splitlines(keepends=True)[0])
    result = invoke(str(source), "-o", str(out), "--resume", "-j", jobs)
    assert result.exit_code == 0, result.output
    assert "4 inputs: 3 done, 1 skipped (resumed), 0 failed" in result.stderr
    assert out.read_bytes() == complete


def test_copies_are_numbered_in_input_order(tmp_path: Path) -> None:
    line = json.dumps({"id": "a", "text": "Un texte."})
    feed = tmp_path / "feed.jsonl"
    # The same record with other line ends and spaces around it is the same input.
    feed.write_bytes(f"{line}\n{line}\r\n  {line}\t\n".encode() + b'{"id": "b"}\n' + line.encode())
    export = tmp_path / "export.json"
    export.write_text(json.dumps([json.loads(line)]))  # an array element: a copy too
    page = tmp_path / "page.txt"
    page.write_text("Un texte.")
    inputs = discover([str(feed), str(page), str(export), str(page)])
    assert [i.copy for i in inputs] == [1, 2, 3, 1, 4, 1, 5, 2]
    # White space str.strip() removes but bytes.strip() keeps: a JSON text sequence's record
    # separator, a no-break space, a byte-order mark.
    feed.write_text(f"{line}\n\x1e{line}\n{line}\u00a0\n\ufeff{line}\n", encoding="utf-8")
    assert [i.copy for i in discover([str(feed)])] == [1, 2, 3, 4]


def test_a_broken_byte_spoils_only_its_line_and_the_feed_is_still_streamed(
    tmp_path: Path, data_dir: Path
) -> None:
    def record(name: str, **extra: str) -> bytes:
        text = (data_dir / name).read_text(encoding="utf-8")
        return json.dumps({"text": text, **extra}, ensure_ascii=False).encode()

    good, other = record("elflyg-sv.txt"), record("glasfaser-ausbau-de.txt")
    # Two lines with a Latin-1 byte where UTF-8 was expected: they read as the same text
    # (U+FFFD in place of the byte) but are different lines.
    broken = [record("smartphone-reparation-fr.txt", title="Caf_").replace(b"Caf_", b"Caf" + b)
              for b in (b"\xe9", b"\xe8")]  # fmt: skip
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b"\n".join([good, broken[0], other, broken[1]]) + b"\n")
    inputs = discover([str(feed)])
    assert [(i.line, i.offset >= 0, i.copy) for i in inputs] == [(None, True, 1)] * 4
    out = tmp_path / "out.jsonl"
    assert invoke(str(feed), "-o", str(out), "-q", "-j", "1").exit_code == 0
    records = lines_of(out)
    assert [r["title"] for r in records[1::2]] == ["Caf\ufffd", "Caf\ufffd"]
    assert records[1]["bullets"] == records[3]["bullets"]
    assert len({r["key"] for r in records}) == 4
    # The good lines are keyed and summarized as in a feed without the broken ones.
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(good + b"\n" + other + b"\n")
    alone = tmp_path / "alone.jsonl"
    assert invoke(str(clean), "-o", str(alone), "-q", "-j", "1").exit_code == 0

    def unsourced(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in row.items() if k != "source"} for row in rows]

    assert unsourced(lines_of(alone)) == unsourced(records[0::2])
    result = invoke(str(feed), "-o", str(out), "--resume", "-j", "2")
    assert "4 inputs: 0 done, 4 skipped (resumed), 0 failed" in result.stderr


def test_a_group_skips_done_inputs_and_survives_a_bug(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    text = (data_dir / "elflyg-sv.txt").read_text()
    inputs = [
        Input(i, "record", f"f:{i}", line=json.dumps({"id": str(i), "text": text}))
        for i in range(3)
    ]
    config = BatchConfig(options=make_options(bullets=2))
    with WorkContext.start(config) as context:
        first = work_group(context, inputs)
    assert [json.loads(o.line or "")["id"] for o in first] == ["0", "1", "2"]
    with WorkContext.start(config, done={first[1].key}) as context:
        again = work_group(context, inputs)
    assert [o.line is None for o in again] == [False, True, False]  # done by an earlier run
    real = work_mod.prepare

    def prepare(item: Input, fingerprint: str, lines: Any) -> Any:
        if item.index == 2:
            raise RuntimeError("boom")
        return real(item, fingerprint, lines)

    monkeypatch.setattr(work_mod, "prepare", prepare)
    with WorkContext(config) as context:
        broken = work_group(context, inputs)
    assert broken[2].error == "f:2: unexpected RuntimeError: boom" and broken[2].trace
    assert broken[0].error is None and broken[1].error is None


def test_a_backend_that_cannot_start_fails_alike_with_workers(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUMMARIZER_MODEL", raising=False)
    source = tmp_path / "in.jsonl"
    write_jsonl(source, data_dir, 6)
    messages = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}.jsonl"
        result = invoke(str(source), "-o", str(out), "-j", jobs, "--backend", "transformers")
        assert result.exit_code == 2, result.output
        messages.append(result.stderr)
    # One usage error, not a traceback and an error record per input from each worker.
    assert messages[0] == messages[1]
    assert messages[0].endswith("needs a model: --model ID_OR_PATH (or SUMMARIZER_MODEL), "
                                "e.g. csebuetnlp/mT5_multilingual_XLSum\n")  # fmt: skip


def test_resume_repairs_torn_line_and_skips_done(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, data_dir, 12)
    out = tmp_path / "out.jsonl"
    assert invoke(str(source), "-o", str(out), "-q", "-j", "1").exit_code == 0
    complete = out.read_bytes()
    kept = complete.splitlines(keepends=True)
    # What a crash leaves: a few records in completion order and half of the next line.
    out.write_bytes(kept[3] + kept[0] + kept[5] + kept[6][: len(kept[6]) // 2])
    result = invoke(str(source), "-o", str(out), "--resume", "-j", "2")
    assert result.exit_code == 0, result.output
    assert "12 inputs: 9 done, 3 skipped (resumed), 0 failed" in result.stderr
    assert [r["id"] for r in lines_of(out)] == ids
    assert out.read_bytes() == complete
    # Without --resume the output is overwritten, with a warning.
    again = invoke(str(source), "-o", str(out), "-j", "1")
    assert "overwriting earlier results" in again.stderr and "12 done, 0 skipped" in again.stderr
    assert out.read_bytes() == complete
    # Other options give other keys: nothing is skipped, earlier records are kept at the end.
    result = invoke(str(source), "-o", str(out), "--resume", "--bullets", "1", "-j", "1")
    assert "12 done, 0 skipped" in result.stderr and "kept 12 earlier" in result.stderr
    assert len(lines_of(out)) == 24


def test_resume_json_format_and_errors_are_retried(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(data_dir / "elflyg-sv.txt", folder / "a.txt")
    (folder / "b.txt").write_text("")
    out = tmp_path / "out.json"
    assert invoke(str(folder), "-o", str(out), "-q").exit_code == 1
    assert not (tmp_path / "out.json.partial.jsonl").exists()
    (folder / "b.txt").write_text((data_dir / "elflyg-sv.txt").read_text() + "\nMer text här.\n")
    result = invoke(str(folder), "-o", str(out), "--resume")
    assert result.exit_code == 0 and "1 done, 1 skipped" in result.stderr
    records = json.loads(out.read_text())
    assert [Path(r["source"]).name for r in records] == ["a.txt", "b.txt"]
    assert all("error" not in r for r in records)


def test_resume_needs_a_file_and_formats_are_checked(tmp_path: Path, seed_path: Path) -> None:
    assert invoke(str(seed_path), "--resume").exit_code == 2
    assert invoke(str(seed_path), "-o", "x", "-d", str(tmp_path)).exit_code == 2
    assert invoke(str(tmp_path)).exit_code == 1  # an empty folder: nothing to do
    own = tmp_path / "feed.jsonl"
    own.write_text('{"text": "Un texte."}\n')
    assert invoke(str(own), "-o", str(own)).exit_code == 2
    assert own.read_text() == '{"text": "Un texte."}\n'


def test_read_journal_ignores_garbage(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_bytes(b'{"key": "a", "x": 1}\nnot json\n[1]\n{"key": "b"}\n{"key": "c", "x"')
    assert [r["key"] for r in read_journal(journal)] == ["a", "b"]
    assert journal.read_bytes().endswith(b'"x"')
    read_journal(journal, repair=True)
    assert journal.read_bytes().endswith(b'{"key": "b"}\n')


def test_group_failure_is_isolated(tmp_path: Path, data_dir: Path) -> None:
    options = make_options(bullets=2)
    good = json.dumps({"id": "ok", "text": (data_dir / "elflyg-sv.txt").read_text()})
    tasks = [
        Task(0, "record", "f:1", "k0", good),
        Task(1, "record", "f:2", "k1", json.dumps({"id": "bad", "text": "  "})),
        Task(2, "record", "f:3", "k2", good),
    ]
    records = summarize_tasks(BatchConfig(options=options, group_size=3), tasks)
    assert [r.get("id") for r in records] == ["ok", "bad", "ok"]
    assert "error" in records[1] and "error" not in records[0]
    assert [r["key"] for r in records] == ["k0", "k1", "k2"]


def test_groups_shrink_near_the_end_of_a_parallel_run() -> None:
    options = make_options(bullets=2)
    parallel = BatchConfig(options=options, jobs=2, group_size=16)
    assert batch_mod.group_limit(parallel, 1000) == 16
    assert batch_mod.group_limit(parallel, 20) == 5
    assert batch_mod.group_limit(parallel, 0) == 1
    alone = BatchConfig(options=options, jobs=1, group_size=8)
    assert batch_mod.group_limit(alone, 0) == 8  # in-process: a model backend's batch size


def test_plan_covers_every_input_once_in_shrinking_groups() -> None:
    parallel = BatchConfig(options=make_options(bullets=2), jobs=2, group_size=4)
    jobs = batch_mod.plan(30, parallel)
    assert [i for job in jobs for i in range(job.start, job.stop)] == list(range(30))
    sizes = [job.stop - job.start for job in jobs]
    assert sizes[0] == 4 and sizes[-1] == 1
    assert sizes == sorted(sizes, reverse=True)
    alone = BatchConfig(options=make_options(bullets=2), jobs=1, group_size=8)
    assert [job.stop - job.start for job in batch_mod.plan(30, alone)] == [8, 8, 8, 6]


def test_file_sink_keeps_order_when_records_arrive_out_of_order(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    sink = FileSink(out, "jsonl", resume=False)
    records = [{"key": f"k{i}", "source": str(i), "bullets": []} for i in range(3)]
    for i in (2, 0, 1):
        sink.add(Outcome.of(i, records[i]))
    assert lines_of(out) == []  # buffered until flushed
    sink.flush()
    assert [r["key"] for r in lines_of(out)] == ["k2", "k0", "k1"]  # completion order
    sink.close(complete=True)
    assert [r["key"] for r in lines_of(out)] == ["k0", "k1", "k2"]  # input order
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


def test_file_sink_leaves_a_journal_already_in_order_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewrites: list[Path] = []
    real = sinks_mod.atomic_write

    def spy(path: Path, text: Any) -> None:
        rewrites.append(path)
        real(path, text)

    monkeypatch.setattr(sinks_mod, "atomic_write", spy)
    out = tmp_path / "o.jsonl"
    records = [{"key": f"k{i}", "source": str(i), "bullets": ["é \ud800"]} for i in range(3)]
    sink = FileSink(out, "jsonl", resume=False)
    for i in range(3):
        sink.add(Outcome.of(i, records[i]))
    sink.flush()
    written = out.read_bytes()
    sink.close(complete=True)
    assert rewrites == []  # a fresh run in input order: the journal is the file
    assert out.read_bytes() == written == b"".join(batch_mod.json_line(r).encode() for r in records)
    # Resumed: the earlier run's lines are not this run's, so the file is written anew.
    sink = FileSink(out, "jsonl", resume=True)
    sink.add(Outcome(0, "k0", None))
    sink.add(Outcome(1, "k1", None))
    sink.add(Outcome(2, "k2", None))
    sink.close(complete=True)
    assert rewrites == [out]
    assert out.read_bytes() == written


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigkill_then_resume(tmp_path: Path, data_dir: Path, jobs: str) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, data_dir, 150)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(source), "-o", str(out)]
    process = subprocess.Popen(
        [*command, "--jobs", jobs, "-q"], stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        wait_for_lines(out, 40, process, 120)
        os.kill(process.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        process.wait(timeout=30)
        # Orphaned workers notice their parent is gone and exit by themselves.
        if not group_gone(process, 15):
            pytest.fail("worker processes outlived their killed parent")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.stderr is not None:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    survived = len(read_journal(out))
    assert 40 <= survived < len(ids)
    resumed = subprocess.run(
        [*command, "--resume", "--jobs", jobs], capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{survived} skipped (resumed)" in resumed.stderr
    records = lines_of(out)  # every line parses: no torn line is left
    assert [r["id"] for r in records] == ids
    assert all(len(r["bullets"]) == 3 for r in records)


def test_a_dead_worker_does_not_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path, request: pytest.FixtureRequest
) -> None:
    from summarizer import backends

    write_faulty_backend(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    backends.register("faulty", "faulty_backend:FaultyBackend")
    request.addfinalizer(lambda: backends.unregister("faulty"))
    text = (data_dir / "elflyg-sv.txt").read_text()
    feed = tmp_path / "feed.jsonl"
    rows = [{"id": str(i), "text": text + ("\nCRASH." if i == 3 else f"\n{i}.")} for i in range(40)]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    options = make_options(backend="faulty", language="sv")
    report = batch_mod.batch([str(feed)], options, output=out, jobs=2)
    records = lines_of(out)
    assert [r["id"] for r in records] == [str(i) for i in range(40)]
    # The tasks lost with the broken pool are retried alone: only the culprit fails.
    assert "worker process died" in records[3]["error"]
    assert report.failed == 1 and report.done == 39


class ReversedEngine:
    """An engine of its own: groups of one input, summarized last to first."""

    def run(
        self, inputs: Sequence[Input], config: BatchConfig, done: Container[str], emit: Emit
    ) -> None:
        with WorkContext.start(config, done) as context:
            for item in reversed(inputs):
                emit(work_group(context, [item]))


def test_an_engine_plugs_in_by_name_and_the_output_stays_in_input_order(
    tmp_path: Path, data_dir: Path
) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, data_dir, 5)
    options = make_options(bullets=2)
    local = tmp_path / "local.jsonl"
    assert batch_mod.batch([str(source)], options, output=local, jobs=1).done == 5
    assert isinstance(ReversedEngine(), Engine)
    register_engine("reversed", f"{ReversedEngine.__module__}:ReversedEngine")
    try:
        assert "reversed" in engine_names()
        for fmt, name in (("jsonl", "r.jsonl"), ("json", "r.json")):
            out = tmp_path / name
            report = batch_mod.batch([str(source)], options, output=out, fmt=fmt, engine="reversed")
            assert report.done == 5 and report.exit_code == 0
        assert (tmp_path / "r.jsonl").read_bytes() == local.read_bytes()
        assert [r["key"] for r in json.loads((tmp_path / "r.json").read_text())] == [
            r["key"] for r in lines_of(local)
        ]
        # Resume is the engine's too: what an earlier run left is skipped.
        again = batch_mod.batch(
            [str(source)], options, output=local, resume=True, engine="reversed"
        )
        assert (again.done, again.skipped) == (0, 5)
    finally:
        unregister_engine("reversed")
    before = local.read_bytes()
    with pytest.raises(UsageError, match="unknown engine 'reversed'; available: local"):
        batch_mod.batch([str(source)], options, output=local, engine="reversed")
    assert local.read_bytes() == before  # refused before the output was opened


WAITING_BACKEND = """
import os, time
from summarizer.backends import BaseBackend, Result

class WaitingBackend(BaseBackend):
    name = "waiting"

    def summarize(self, request):
        if "WAIT" in request.document.text:
            # Done only once the other worker's records are in the output: held back until
            # this one is done, they never would be.
            path, deadline = os.environ["WAITING_FOR"], time.monotonic() + 60
            while time.monotonic() < deadline:
                with open(path, "rb") as handle:
                    if handle.read().count(b"\\n") >= 4:
                        return Result(bullets=())
                time.sleep(0.05)
            raise RuntimeError("later records were held back")
        return Result(bullets=())
"""


def test_finished_groups_are_written_at_once_not_held_for_an_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path, request: pytest.FixtureRequest
) -> None:
    from summarizer import backends

    (tmp_path / "waiting_backend.py").write_text(WAITING_BACKEND)
    monkeypatch.syspath_prepend(str(tmp_path))
    backends.register("waiting", "waiting_backend:WaitingBackend")
    request.addfinalizer(lambda: backends.unregister("waiting"))
    text = (data_dir / "elflyg-sv.txt").read_text()
    feed = tmp_path / "feed.jsonl"
    rows = [{"id": str(i), "text": text + ("\nWAIT." if i == 0 else f"\n{i}.")} for i in range(6)]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    monkeypatch.setenv("WAITING_FOR", str(out))
    options = make_options(backend="waiting", language="sv")
    report = batch_mod.batch([str(feed)], options, output=out, jobs=2, group_size=1)
    assert (report.done, report.failed) == (6, 0), report.failures
    assert [r["id"] for r in lines_of(out)] == [str(i) for i in range(6)]  # in order at the end


def test_unlistable_folder_is_an_error_record(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(data_dir / "elflyg-sv.txt", tmp_path / "a.txt")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:  # what a folder without read permission does (even as root)
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    inputs = discover([str(tmp_path)])
    assert [i.error is not None for i in inputs] == [False, True]
    assert inputs[1].source == str(locked)


def test_progress_bar_only_when_asked(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, data_dir, 3)
    options = make_options(bullets=1)
    batch_mod.batch([str(source)], options, output=tmp_path / "a.jsonl", jobs=1, progress=True)
    assert "3/3" in capsys.readouterr().err
    batch_mod.batch([str(source)], options, output=tmp_path / "b.jsonl", jobs=1)
    assert capsys.readouterr().err == ""


def test_json_array_file_gives_one_record_per_element(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "elflyg-sv.txt").read_text()
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps([{"id": "a", "text": text}, {"id": "b"}, {"id": "c", "text": text}])
    )
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"id": "solo", "text": text}))
    result = invoke(str(export), str(single), "-q")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in records] == ["a", "b", "c", "solo"]
    assert records[1]["source"].endswith("export.json[2]") and "text" in records[1]["error"]


@pytest.mark.slow
def test_ctrl_c_keeps_what_is_done(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, data_dir, 150)
    out = tmp_path / "out.md"
    journal = tmp_path / "out.md.partial.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(source), "-o", str(out), "-j", "2"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_lines(journal, 20, process, 120)
        os.kill(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130 and b"interrupted" in stderr
    assert not out.exists() and len(read_journal(journal)) >= 20
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert not journal.exists()
    assert out.read_text(encoding="utf-8").count("\n## ") == len(ids)


def test_output_dir_resume_redoes_only_missing_files(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ARTICLES[:4]:
        shutil.copy(data_dir / name, folder / name)
    out = tmp_path / "out"
    assert invoke(str(folder), "-d", str(out), "-q").exit_code == 0
    files = sorted(out.glob("*.tldr.md"))
    assert len(files) == 4
    files[1].unlink()
    result = invoke(str(folder), "-d", str(out), "--resume")
    assert result.exit_code == 0 and "1 done, 3 skipped (resumed)" in result.stderr
    assert sorted(out.glob("*.tldr.md")) == files
    journal = lines_of(out / ".summarizer-batch.jsonl")
    assert [r["output"] for r in journal] == [f.name for f in files]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_jsonl_in_any_encoding(tmp_path: Path, data_dir: Path, encoding: str) -> None:
    text = (data_dir / "smartphone-reparation-fr.txt").read_text(encoding="utf-8")
    text = text.encode("cp1252", errors="replace").decode("cp1252")  # what cp1252 can hold
    lines = [json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) for i in range(2)]
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(("\n".join(["", lines[0], "  ", lines[1]]) + "\r\n").encode(encoding))
    inputs = discover([str(feed)])
    assert [i.source for i in inputs] == [f"{feed}:2", f"{feed}:4"]
    result = invoke(str(feed), "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["r0", "r1"]
    assert records[0]["language"]["code"] == "fr" and records[0]["bullets"]


def test_batch_of_articles_never_loads_word_frequencies(tmp_path: Path, data_dir: Path) -> None:
    """Word-frequency lists are for short text; warming up workers must not load them."""
    records = tmp_path / "in.jsonl"
    texts = [
        (data_dir / name).read_text(encoding="utf-8")
        for name in ("elflyg-sv.txt", "glasfaser-ausbau-de.txt")
    ]
    records.write_text(
        "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from summarizer.batch import batch\n"
        "from summarizer.pipeline import make_options\n"
        f"batch([{str(records)!r}], make_options(bullets=2), output={str(tmp_path / 'out.jsonl')!r}, jobs=1)\n"
        "assert 'wordfreq' not in sys.modules\n"
    )
    fresh_python(code)


def test_batch_records_match_the_documented_schema(tmp_path: Path) -> None:
    import jsonschema

    root = Path(__file__).parent.parent
    schema = json.loads((root / "docs" / "summary.schema.json").read_text(encoding="utf-8"))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["batch", str(root / "examples"), "-o", str(out), "-q", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 4
    for record in records:
        jsonschema.validate(record, schema)


def test_target_words_is_part_of_every_resume_key() -> None:
    keys = {
        BatchConfig(options=make_options(**kwargs)).fingerprint()  # type: ignore[arg-type]
        for kwargs in ({}, {"target_words": 20}, {"max_words": 40})
    }
    assert len(keys) == 3


def _as_version_1(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` as summarizer wrote it with record format 1: its key a bare hash, a
    backend's facts at the top level."""
    old = {k: v for k, v in record.items() if k != "backend_info"}
    old.update(record.get("backend_info", {}))
    old["key"] = record["key"].partition(".")[2]
    return old


def test_keys_carry_the_record_version(tmp_path: Path, data_dir: Path) -> None:
    from summarizer.batch.records import RECORD_VERSION, key_version

    source = tmp_path / "in.jsonl"
    write_jsonl(source, data_dir, 3)
    out = tmp_path / "out.jsonl"
    assert invoke(str(source), str(source), "-o", str(out), "-q").exit_code == 0
    keys = [r["key"] for r in lines_of(out)]
    assert RECORD_VERSION == 2 and {key_version(key) for key in keys} == {2}
    assert all(key.startswith("2.") for key in keys) and keys[3] == f"{keys[0]}-2"
    assert key_version(keys[0].partition(".")[2]) == 1  # a bare hash: format 1
    assert key_version("k0") is None  # not a key summarizer made


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_resume_refuses_the_records_of_an_earlier_format(
    tmp_path: Path, data_dir: Path, fmt: str
) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, data_dir, 4)
    out = tmp_path / f"out.{fmt}"
    assert invoke(str(source), "-o", str(out), "-q").exit_code == 0
    records = lines_of(out) if fmt == "jsonl" else json.loads(out.read_text(encoding="utf-8"))
    records[1]["backend_info"] = {"model": "m", "chunks": 1}  # as a model backend writes
    old = [_as_version_1(r) for r in records[:2]]
    assert old[1]["model"] == "m" and "backend_info" not in old[1]
    text = "".join(json.dumps(r) + "\n" for r in old)
    out.write_text(text if fmt == "jsonl" else json.dumps(old), encoding="utf-8")
    before = out.read_bytes()
    result = invoke(str(source), "-o", str(out), "--resume", "-q")
    assert result.exit_code == 2
    assert "written by another version of summarizer (record format 1;" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == before  # nothing summarized twice, nothing mixed
    assert not (tmp_path / f"out.{fmt}.partial.jsonl").exists()
    # The lock is released: the same command without --resume starts over.
    again = invoke(str(source), "-o", str(out), "-q")
    assert (
        again.exit_code == 0
        and len(lines_of(out) if fmt == "jsonl" else json.loads(out.read_text())) == 4
    )


def test_resume_retries_an_earlier_format_s_error_records(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, data_dir, 2)
    out = tmp_path / "out.jsonl"
    failed = {"source": f"{source}:1", "error": "boom", "key": "0" * 32}
    out.write_text(json.dumps(failed) + "\n", encoding="utf-8")
    result = invoke(str(source), "-o", str(out), "--resume", "-q")
    assert result.exit_code == 0, result.stderr
    assert [("error" in r, r["key"][:2]) for r in lines_of(out)] == [(False, "2."), (False, "2.")]


def test_output_dir_resume_refuses_an_earlier_format(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(data_dir / "elflyg-sv.txt", folder / "a.txt")
    out = tmp_path / "out"
    assert invoke(str(folder), "-d", str(out), "-q").exit_code == 0
    [journal] = [p for p in out.iterdir() if p.suffix == ".jsonl"]
    journal.write_text(
        "".join(json.dumps(_as_version_1(r)) + "\n" for r in lines_of(journal)), encoding="utf-8"
    )
    result = invoke(str(folder), "-d", str(out), "--resume", "-q")
    assert result.exit_code == 2 and "record format 1" in result.stderr
