"""Outputs that are not plain files, concurrent runs, outputs that are inputs, resume of every
output kind: no run may damage an output, an input, or another run's results."""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import wait_for_lines

from summarizer.batch import discover
from summarizer.batch.outputs import lock_output, make_folders, remove_stale_temps
from summarizer.cli import cli
from summarizer.errors import InputError

DATA = Path(__file__).parent / "data"
ARTICLES = sorted(p for p in DATA.glob("*.txt") if p.name != "one-sentence-en.txt")[:3]


def invoke(*args: str, input: bytes | str | None = None) -> Any:
    return CliRunner().invoke(cli, ["batch", *args], input=input)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    for path in ARTICLES:
        shutil.copy(path, root / path.name)
    return root


def feed(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            text = ARTICLES[i % len(ARTICLES)].read_text(encoding="utf-8")
            handle.write(json.dumps({"id": f"a{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


# --------------------------------------------------------------------------- not regular files


@pytest.mark.parametrize("fmt", ["jsonl", "json", "markdown"])
def test_a_symlinked_output_stays_a_link(folder: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "real" / "results.out"
    target.parent.mkdir()
    link = tmp_path / "link.out"
    link.symlink_to(target)
    result = invoke(str(folder), "-o", str(link), "-f", fmt, "-q", "-j", "2")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    text = target.read_text(encoding="utf-8")
    assert all(p.name in text for p in ARTICLES)
    assert invoke(str(folder), "-o", str(link), "-f", fmt, "-q", "--resume").exit_code == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("fmt", ["jsonl", "json", "markdown"])
def test_a_device_is_written_through(folder: Path, tmp_path: Path, fmt: str) -> None:
    # A null device of our own (never the system's /dev/null: a regression would replace it
    # with a plain file for every process on the machine), named directly and through a link.
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    link = tmp_path / "link"
    link.symlink_to(device)
    for output in (device, link):
        result = invoke(str(folder), "-o", str(output), "-f", fmt, "-q", "-j", "2")
        assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(device).st_mode) and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "link", "null"]
    result = invoke(str(folder), "-o", str(device), "--resume")
    assert result.exit_code == 2 and "not a regular file" in result.output


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_a_fifo_reader_gets_every_record(folder: Path, tmp_path: Path, fmt: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = invoke(str(folder), "-o", str(fifo), "-f", fmt, "-q", "-j", "1")
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    text = received[0].decode("utf-8")
    records = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
    assert [Path(r["source"]).name for r in records] == [p.name for p in ARTICLES]


# --------------------------------------------------------------------------- locks


@pytest.mark.parametrize("fmt", ["jsonl", "json", "markdown"])
def test_a_second_run_on_a_locked_output_fails_at_once(
    folder: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "out.res"
    assert invoke(str(folder), "-o", str(out), "-f", fmt, "-q").exit_code == 0
    before = out.read_bytes()
    journal = out if fmt == "jsonl" else out.with_name(out.name + ".partial.jsonl")
    lock = lock_output(journal, str(out))  # as a running batch holds it
    try:
        for extra in ((), ("--resume",)):
            result = invoke(str(folder), "-o", str(out), "-f", fmt, "-q", *extra)
            assert result.exit_code == 1
            assert "being written by another summarizer run" in result.stderr
            assert out.read_bytes() == before
    finally:
        lock.release()


def test_a_second_run_on_a_locked_output_dir_fails_at_once(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke(str(folder), "-d", str(out), "-q").exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / ".x.tldr.md.abcd1234.tmp").write_text("another run's temp file")
    lock = lock_output(out / ".summarizer-batch.jsonl", str(out))
    try:
        result = invoke(str(folder), "-d", str(out), "-q", "-f", "json")
        assert result.exit_code == 1 and "being written by another" in result.stderr
    finally:
        lock.release()
    assert {p: p.read_bytes() for p in before} == before
    assert (out / ".x.tldr.md.abcd1234.tmp").exists()  # not cleaned while the other ran


def test_two_real_runs_on_one_output(tmp_path: Path) -> None:
    source = feed(tmp_path / "in.jsonl", 1000)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(source), "-o", str(out), "-j", "1"]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_lines(out, 5, first, 120)
        # Stopped while the second runs, so that it cannot finish first on a busy machine.
        os.killpg(first.pid, signal.SIGSTOP)
        try:
            second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        finally:
            os.killpg(first.pid, signal.SIGCONT)
        assert second.returncode == 1
        assert "being written by another summarizer run" in second.stderr
        _, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert first.returncode == 0, stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"a{i}" for i in range(1000)]


# --------------------------------------------------------------------------- outputs = inputs


@pytest.mark.parametrize("fmt", ["jsonl", "json", "markdown"])
def test_a_hard_link_of_an_input_is_refused(folder: Path, tmp_path: Path, fmt: str) -> None:
    source = feed(tmp_path / "feed.jsonl", 3)
    original = source.read_bytes()
    for input_arg, victim in ((str(source), source), (str(folder), folder / ARTICLES[0].name)):
        before = victim.read_bytes()
        out = tmp_path / f"out-{fmt}"
        out.unlink(missing_ok=True)
        os.link(victim, out)
        for extra in ((), ("--resume",)):
            result = invoke(input_arg, "-o", str(out), "-f", fmt, "-q", *extra)
            assert result.exit_code == 2, result.output
            assert "same file as the input" in result.output
            assert victim.read_bytes() == before
    assert source.read_bytes() == original


def test_stdin_twice_is_a_usage_error() -> None:
    result = invoke("-", "-", input='{"text": "x"}\n')
    assert result.exit_code == 2 and "only once" in result.output


# --------------------------------------------------------------------------- resume


def test_markdown_output_resumes(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "digest.md"
    assert invoke(str(folder), "-o", str(out), "-q").exit_code == 0
    digest = out.read_text(encoding="utf-8")
    assert digest.count("\n## ") == len(ARTICLES)
    extra = folder / "zz-new.txt"
    shutil.copy(DATA / "glasfaser-ausbau-de.txt", extra)
    result = invoke(str(folder), "-o", str(out), "--resume")
    assert result.exit_code == 0, result.output
    assert f"1 done, {len(ARTICLES)} skipped (resumed)" in result.stderr
    resumed = out.read_text(encoding="utf-8")
    assert resumed.count("\n## ") == len(ARTICLES) + 1 and resumed.startswith(digest.rstrip())


def test_jsonl_resume_keeps_lines_without_a_key(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert invoke(str(folder), "-o", str(out), "-q").exit_code == 0
    notes = ['{"note": "checked by hand"}', "a line that is not JSON", '{"key": 5}']
    with out.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(notes) + "\n")
    result = invoke(str(folder), "-o", str(out), "--resume", "-j", "2")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[-3:] == notes and len(lines) == len(ARTICLES) + 3


def test_stale_temporary_files_are_cleaned(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke(str(folder), "-d", str(out), "-q").exit_code == 0
    (out / "sub").mkdir()
    stale = [
        out / ".a.tldr.md.k2j3h4g5.tmp",
        out / "sub" / ".b.tldr.json.abcdefgh.tmp",
        out / "..summarizer-batch.jsonl.x1y2z3w4.tmp",  # the journal's name starts with "."
    ]
    kept = [out / "notes.tmp", out / ".a.tldr.md.tmp", out / "sub" / "mine.txt"]
    for path in stale + kept:
        path.write_text("left by a kill")
    file_out = tmp_path / "out.jsonl"
    file_stale = tmp_path / ".out.jsonl.q9w8e7r6.tmp"
    file_stale.write_text("left by a kill")
    assert invoke(str(folder), "-d", str(out), "-q", "--resume").exit_code == 0
    assert invoke(str(folder), "-o", str(file_out), "-q").exit_code == 0
    assert not any(p.exists() for p in [*stale, file_stale])
    assert all(p.exists() for p in kept)


def test_remove_stale_temps_walks_deep_trees(tmp_path: Path) -> None:
    deep = tmp_path / "tree"
    for _ in range(300):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / ".x.tldr.md.abcdefgh.tmp").write_text("")
    # A tree deeper than the recursion limit (kept low: pytest's own clean-up of tmp_path
    # recurses, so the tree itself stays shallow enough for it).
    with recursion_limit(120):
        assert remove_stale_temps(tmp_path, r".+\.tldr\.md", recursive=True) == 1


@contextlib.contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """Run with a low recursion limit: code that recurses per folder level fails in a tree
    deeper than ``limit`` levels, as it would in a 1,000-level tree at Python's default."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + len(inspect.stack()))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


# --------------------------------------------------------------------------- folders


def test_make_folders_never_goes_through_a_symlink(tmp_path: Path) -> None:
    root = tmp_path / "out"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "feed").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError, match="symlink"):
        make_folders(root, Path("feed/deeper/still"))
    assert list(outside.iterdir()) == []  # nothing was created outside
    make_folders(root, Path("a/b/c"))
    assert (root / "a" / "b" / "c").is_dir()


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_long_names_are_cut_by_bytes(tmp_path: Path, fmt: str) -> None:
    text = ARTICLES[0].read_text(encoding="utf-8")
    ids = ["華為" * 120, "é" * 300, "😀" * 90, "x" * 400]
    source = tmp_path / "feed.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n" for i in ids),
        encoding="utf-8",
    )
    long_name = tmp_path / ("文章" * 40 + ".txt")  # 240 bytes: a valid name
    long_name.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(str(source), str(long_name), "-d", str(out), "-f", fmt, "-q")
    assert result.exit_code == 0, result.output
    written = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len(written) == len(ids) + 1
    assert all(len(os.fsencode(p.name)) <= 255 for p in written)


def test_a_deep_folder_tree_is_walked_without_recursion(tmp_path: Path) -> None:
    deep = tmp_path / "in"
    for _ in range(150):
        deep = deep / "d"
    deep.mkdir(parents=True)
    shutil.copy(ARTICLES[0], deep / "a.txt")
    shutil.copy(ARTICLES[1], tmp_path / "in" / "b.txt")
    with recursion_limit(100):
        inputs = discover([str(tmp_path / "in")])
    assert [Path(i.source).name for i in inputs] == ["b.txt", "a.txt"]
    out = tmp_path / "out"
    result = invoke(str(tmp_path / "in"), "-d", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert len(list(out.rglob("*.tldr.md"))) == 2


# --------------------------------------------------------------------------- workers


def test_jobs_are_capped_by_cores_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.batch import run as run_mod

    monkeypatch.setattr(run_mod, "default_jobs", lambda: 8)
    monkeypatch.setattr(run_mod, "_available_memory", lambda: 64 * 2**30)
    assert run_mod.max_jobs() == 16  # two per core
    monkeypatch.setattr(run_mod, "_available_memory", lambda: 2**30)
    assert run_mod.max_jobs() == 3  # (1 GiB - 512 MiB) / 150 MiB
    monkeypatch.setattr(run_mod, "_available_memory", lambda: 100 * 2**20)
    assert run_mod.max_jobs() == 1


def test_too_many_jobs_are_capped(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.batch import run as run_mod

    monkeypatch.setattr(run_mod, "max_jobs", lambda: 2)
    for i in range(6):
        shutil.copy(ARTICLES[i % len(ARTICLES)], folder / f"copy-{i}.txt")
    out = tmp_path / "out.jsonl"
    result = invoke(str(folder), "-o", str(out), "-j", "1000", "-q")
    assert result.exit_code == 0, result.output
    assert "--jobs 1000 capped at 2" in result.stderr
    assert len(out.read_text().splitlines()) == 9


@pytest.mark.parametrize("forks", [0, 1])
def test_a_failed_fork_means_fewer_workers(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: int
) -> None:
    import errno
    import multiprocessing.process

    real_start = multiprocessing.process.BaseProcess.start
    started = []

    def start(self: Any) -> None:
        if len(started) >= forks:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        started.append(self)
        real_start(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    for i in range(40):
        shutil.copy(ARTICLES[i % len(ARTICLES)], folder / f"copy-{i:02d}.txt")
    out = tmp_path / "out.jsonl"
    result = invoke(str(folder), "-o", str(out), "-j", "3", "-q")
    assert result.exit_code == 0, result.output
    going = f"with {forks}" if forks else "in this process"
    assert f"worker processes (Resource temporarily unavailable); going on {going}" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 43 and all("bullets" in r for r in records)


# --------------------------------------------------------------------------- bounded memory

GOOD = json.dumps({"text": ARTICLES[0].read_text(encoding="utf-8")}, ensure_ascii=False)


def test_a_binary_stream_on_stdin_is_refused_at_once(tmp_path: Path) -> None:
    class Zeros(io.RawIOBase):
        """An endless stream of zeros: it must not be copied to the spool."""

        read_bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = b"\0" * len(buffer)
            Zeros.read_bytes += len(buffer)
            return len(buffer)

    with pytest.raises(InputError, match="binary data"):
        discover(["-"], stdin=io.BufferedReader(Zeros()), spool=tmp_path)
    assert Zeros.read_bytes < 2**20
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) == 0


def test_stdin_spool_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.batch import inputs as inputs_mod

    monkeypatch.setattr(inputs_mod, "MAX_STDIN_BYTES", 100_000)
    feed = (GOOD + "\n") * 100
    with pytest.raises(InputError, match="save the feed to a file"):
        discover(["-"], stdin=io.BytesIO(feed.encode()), spool=tmp_path)
    for encoding in ("utf-8", "utf-16"):  # a UTF-16 feed is capped as the UTF-8 it becomes
        stream = io.BytesIO(((GOOD + "\n") * 3).encode(encoding))
        assert len(discover(["-"], stdin=stream, spool=tmp_path)) == 3


def test_a_line_over_the_cap_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer import load

    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 50_000)
    source = tmp_path / "feed.jsonl"
    huge = json.dumps({"text": "mot " * 100_000})
    source.write_text(f'{GOOD}\n{huge}\n{GOOD[:-1]}, "id": 3}}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke(str(source), "-o", str(out), "-q", "-j", "1")
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [("error" in r) for r in records] == [False, True, False]
    assert "a line over" in records[1]["error"]


@pytest.mark.parametrize(
    "first", [b'{"text": "\x00"}', b"\x00", b'{"text": "x"}\x00\x00\x00'], ids=["in", "alone", "3"]
)
def test_a_nul_near_the_start_spoils_one_line(tmp_path: Path, first: bytes) -> None:
    source = tmp_path / "feed.jsonl"
    source.write_bytes(first + b"\n" + (GOOD + "\n").encode() * 3)
    inputs = discover([str(source)], spool=tmp_path)
    assert len(inputs) == 4 and all(i.line is None for i in inputs)  # streamed, not decoded
    # What an engine sends to other processes (spawned workers, Ray actors) travels whole.
    assert (
        pickle.loads(pickle.dumps(inputs))[:]
        == inputs[:]
        == pickle.loads(pickle.dumps(inputs[0:4]))
    )
    out = tmp_path / "out.jsonl"
    result = invoke(str(source), "-o", str(out), "-q", "-j", "1")
    assert result.exit_code == 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [("error" in r) for r in records] == [True, False, False, False]


def test_a_utf16_feed_is_streamed(tmp_path: Path) -> None:
    source = tmp_path / "feed.jsonl"
    source.write_bytes(((GOOD + "\n") * 3).encode("utf-16"))
    spool = tmp_path / "spool"
    spool.mkdir()
    inputs = discover([str(source)], spool=spool)
    assert [i.source for i in inputs] == [f"{source}:{n}" for n in (1, 2, 3)]
    assert all(i.line is None and Path(i.path or "").parent == spool for i in inputs)
    out = tmp_path / "out.jsonl"
    assert invoke(str(source), "-o", str(out), "-q", "-j", "1").exit_code == 0


def test_a_big_json_object_is_refused_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer import load

    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 50_000)
    source = tmp_path / "feed.json"
    # Not an array of records, which would be streamed (tests/test_batch_inputs.py).
    source.write_text('{"items": [' + ",".join([GOOD] * 60) + "]}", encoding="utf-8")
    (inputs,) = discover([str(source)], spool=tmp_path)
    assert inputs.error is not None and "JSON array" in inputs.error


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM")
def test_many_tiny_records_cost_little_memory(tmp_path: Path) -> None:
    source = tmp_path / "tiny.jsonl"
    count = 300_000
    with source.open("w") as handle:
        for i in range(count):
            handle.write('{"text": "a"}\n' if i % 7 else f'{{"text": "{i}"}}\n')
    # VmHWM, not ru_maxrss: a child's ru_maxrss starts at pytest's own size.
    code = (
        "import re\n"
        "from summarizer.batch import discover\n"
        "import numpy  # what discovery imports for many inputs: a fixed cost, left out\n"
        "def peak():\n"
        "    with open('/proc/self/status') as status:\n"
        "        return int(re.search(r'VmHWM:\\s*(\\d+)', status.read())[1])\n"
        "before = peak()\n"
        f"inputs = discover([{str(source)!r}])\n"
        "after = peak()\n"
        "assert [i.copy for i in inputs[:9]] == [1, 1, 2, 3, 4, 5, 6, 1, 7]\n"
        "assert inputs[-1].source.endswith(':300000')\n"
        "print(after - before)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    grown_kib = int(done.stdout)
    # About 0.8 KiB per input at first, then 150 bytes (a count of each content); now arrays:
    # offsets, lengths, identities and their sorted copy, copy numbers (32 bytes).
    assert grown_kib * 1024 < 48 * count + 4 * 2**20, grown_kib


def test_the_journal_index_costs_bytes_per_input_not_a_key(tmp_path: Path) -> None:
    import tracemalloc

    from summarizer.batch import JournalIndex

    index = JournalIndex()
    index.remember(0, {"key": "k" * 32})  # an earlier run's record, found again
    count = 100_000
    tracemalloc.start()
    try:
        for i in range(count):  # a key per input, made (and dropped) as a worker's outcome is
            index.place(i, f"{i:032x}" if i else "k" * 32, None if i == 0 else 100 * i)
        grown, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A dict of (offset, key) by index cost about 250 bytes an input.
    assert grown < 16 * count, grown
    offsets = index.final(tmp_path)
    assert list(offsets[:3]) == [0, 100, 200] and len(offsets) == count


def test_a_report_keeps_a_bounded_number_of_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.batch import batch
    from summarizer.batch import run as run_mod
    from summarizer.pipeline import make_options

    monkeypatch.setattr(run_mod, "MAX_FAILURES", 3)
    source = tmp_path / "feed.jsonl"
    source.write_text('{"title": "no text"}\n' * 5 + GOOD + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    report = batch([str(source)], make_options(), output=out, jobs=1)
    assert (report.failed, report.done, len(report.failures)) == (5, 1, 3)
    assert sum("error" in json.loads(line) for line in out.read_text().splitlines()) == 5
