"""Hostile inputs and faults at the batch level: folders, JSONL, signals, full disks, dead
workers, hostile URLs. Nothing may crash, hang, be lost, or be written outside the output."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import FR, group_gone, local_server, wait_for_lines, write_corpus

from summarizer import batch as batch_mod
from summarizer.batch import discover, read_journal
from summarizer.batch import sinks as sinks_mod
from summarizer.cli import cli

# Requests to the local test server must not go through a proxy from the environment.
pytestmark = pytest.mark.usefixtures("no_proxy")

DATA = Path(__file__).parent / "data"
ARTICLES = sorted(p for p in DATA.glob("*.txt") if p.name != "one-sentence-en.txt")
# The corpus kinds that take seconds each; the single-article tests cover them.
BIG = {
    "text-50mb",
    "html-20mb",
    "html-20mb-of-script",
    "html-unclosed-scripts",
    "html-huge-attribute",
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["batch", *args])


def records_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def snapshot(folder: Path) -> dict[str, tuple[str, float]]:
    """Every regular file under ``folder`` (links not followed): content hash and mtime."""
    found = {}
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            found[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime)
    return found


def write_feed(path: Path, count: int) -> list[str]:
    ids = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            ids.append(f"art-{i:04d}")
            text = ARTICLES[i % len(ARTICLES)].read_text(encoding="utf-8")
            handle.write(json.dumps({"id": ids[-1], "text": text}, ensure_ascii=False) + "\n")
    return ids


# --------------------------------------------------------------------------- the corpus


def _folder_kinds(root: Path) -> None:
    """Hostile things that only a folder or a JSONL file can hold."""
    feed = [
        json.dumps({"id": "dup", "text": FR}),
        json.dumps({"id": "dup", "text": FR.replace("smartphones", "tablettes")}),
        "{ not json",
        json.dumps({"id": "num", "text": 42}),
        json.dumps({"id": "list", "text": ["a", "b"]}),
        json.dumps({"id": "none"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "../../escape", "text": FR}),
        json.dumps({"id": "/etc/passwd", "text": FR}),
        "[" * 50_000,
        "",
        "\x00\x01\x02",
    ]
    (root / "feed").mkdir()
    (root / "feed" / "hostile.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")
    (root / "loops").mkdir()
    (root / "loops" / "self").symlink_to(".")  # a folder loop: not descended into
    (root / "loops" / "x.txt").symlink_to(root / "loops" / "y.txt")
    (root / "loops" / "y.txt").symlink_to(root / "loops" / "x.txt")
    if Path("/dev/zero").exists():
        (root / "loops" / "zero.txt").symlink_to("/dev/zero")  # endless: read within the cap
        (root / "loops" / "zero.jsonl").symlink_to("/dev/zero")
    (root / "loops" / "dangling.txt").symlink_to(root / "nowhere.txt")


@pytest.mark.slow
def test_the_corpus_as_a_folder(tmp_path: Path) -> None:
    """Every kind in one folder: one record per input, each a summary or a one-line error."""
    root = tmp_path / "in"
    write_corpus(root)
    for kind in BIG:
        for path in (root / kind).iterdir():
            path.unlink()
    _folder_kinds(root)
    inputs = discover([str(root)])
    out = tmp_path / "out.jsonl"
    result = invoke(str(root), "-o", str(out), "-j", "2", "-q")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr
    records = records_of(out)
    assert len(records) == len(inputs)  # exactly one record per input, none lost
    assert [r["source"] for r in records] == [i.source for i in inputs]
    errors = [r for r in records if "error" in r]
    for record in records:
        if "error" in record:
            assert "\n" not in record["error"] and "unexpected" not in record["error"], record
        else:
            assert record["bullets"] and all(b["text"].strip() for b in record["bullets"])
    by_source = {r["source"]: r for r in records}
    loop = by_source[str(root / "loops" / "x.txt")]
    assert "symbolic links" in loop["error"]
    assert "no text" in by_source[str(root / "fifo-without-writer" / "pipe.txt")]["error"]
    if Path("/dev/zero").exists():
        assert "binary" in by_source[str(root / "loops" / "zero.txt")]["error"]
        assert "not a regular file" in by_source[str(root / "loops" / "zero.jsonl")]["error"]
    dups = [r for r in records if r.get("id") == "dup"]
    assert len(dups) == 2 and all(r["bullets"] for r in dups)
    # Every error is also reported on stderr, one line each.
    assert result.stderr.count("error: ") == len(errors)


def test_unreadable_file_in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads anything, so the refusal is simulated at os.open for one file."""
    root = tmp_path / "in"
    root.mkdir()
    for article in ARTICLES[:3]:
        (root / article.name).write_bytes(article.read_bytes())
    secret = root / ARTICLES[1].name
    secret.chmod(0)
    real_open = os.open

    def guarded(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == secret:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    out = tmp_path / "out.jsonl"
    result = invoke(str(root), "-o", str(out), "-j", "1", "-q")
    assert result.exit_code == 1
    records = records_of(out)
    assert len(records) == 3
    assert records[1]["error"] == f"{secret}: permission denied"
    assert "bullets" in records[0] and "bullets" in records[2]


# --------------------------------------------------------------------------- --output-dir


HOSTILE_IDS = [
    "../../escape", "/etc/passwd", "..", ".", "", "a/../../b", "..\\..\\windows", "C:\\evil",
    "x\x00y", "．．／．．／fullwidth", "CON", "a" * 5000, "%2e%2e%2fencoded", "dup", "dup",
    "\n", "📰", "~", "-rf", ".hidden", "line\nbreak", "\u202eevil",
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_output_dir_cannot_be_escaped(tmp_path: Path, fmt: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("untouched")
    feed = tmp_path / "feed.jsonl"
    rows = [{"id": i, "title": i, "text": FR} for i in HOSTILE_IDS]
    rows.append({"id": 7, "title": "../../../../title", "text": FR})
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    # A planted link where an output will go must be replaced, not written through.
    suffix = ".tldr.md" if fmt == "markdown" else ".tldr.json"
    (out / "feed").mkdir()
    (out / "feed" / f"CON{suffix}").symlink_to(victim)
    (out / "feed" / f"_CON{suffix}").symlink_to(victim)
    before = snapshot(tmp_path)
    result = invoke(str(feed), "--output-dir", str(out), "-f", fmt, "-j", "2", "-q")
    assert result.exit_code == 0, result.output
    after = snapshot(tmp_path)
    new = set(after) - set(before)
    real_out = os.path.realpath(out)
    assert new and all(os.path.realpath(p).startswith(real_out + os.sep) for p in new), new
    assert {p for p in before if before[p] != after.get(p)} == set()  # nothing else changed
    assert victim.read_text() == "untouched"
    journal = records_of(out / batch_mod.JOURNAL_NAME)
    assert len(journal) == len(rows)
    outputs = [r["output"] for r in journal]
    assert len(set(outputs)) == len(rows)  # duplicate ids get distinct files
    for name in outputs:
        assert not os.path.isabs(name) and ".." not in Path(name).parts
        assert (out / name).is_file() and not (out / name).is_symlink()


# --------------------------------------------------------------------------- full disks


def test_disk_full_output_file(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for article in ARTICLES[:3]:
        (inputs / article.name).write_bytes(article.read_bytes())
    before = snapshot(inputs)
    result = invoke(str(inputs), "-o", "/dev/full", "-j", "1", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: cannot write /dev/full: No space left on device"
    assert snapshot(inputs) == before


def test_disk_full_stdout() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    for command in (["batch", str(ARTICLES[0]), "-j", "1", "-q"], ["summarize", str(ARTICLES[0])]):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "summarizer", *command],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
            )
        assert done.returncode == 1, command
        assert done.stderr.strip().splitlines()[-1] == (
            "error: cannot write standard output: No space left on device"
        ), done.stderr


def test_disk_full_output_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC simulated at the atomic write of the second output file."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for article in ARTICLES[:4]:
        (inputs / article.name).write_bytes(article.read_bytes())
    real_write = sinks_mod.atomic_write
    calls = []

    def filling(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, text)

    monkeypatch.setattr(sinks_mod, "atomic_write", filling)
    before = snapshot(inputs)
    out = tmp_path / "out"
    result = invoke(str(inputs), "--output-dir", str(out), "-j", "1", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: cannot write {out}: No space left on device"
    assert len(calls) == 2  # the run stopped at the first full-disk error
    assert snapshot(inputs) == before
    assert len(read_journal(out / batch_mod.JOURNAL_NAME)) == 1  # what was written is kept


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    for option in ("-o", "--output-dir"):
        result = invoke(str(ARTICLES[0]), option, str(blocker / "x"), "-q")
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"error: cannot write {blocker / 'x'}: a part of the path is a file, not a folder"
        )


# --------------------------------------------------------------------------- signals


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Wait for the whole process group (orphaned workers exit by themselves) or kill it."""
    if group_gone(process, 20):
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("worker processes outlived their parent")


def _all_lines_whole(path: Path) -> None:
    data = path.read_bytes()
    assert data.endswith(b"\n")
    for line in data.splitlines():
        json.loads(line)  # no half-written line


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_keeps_valid_output_and_says_how_to_resume(
    tmp_path: Path, sig: int, code: int
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_feed(source, 600)  # enough that the run is still going at the signal
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(source), "-o", str(out)]
    process = _start([*command, "-j", "2", "-q"])
    try:
        wait_for_lines(out, 15, process, 180)
        os.kill(process.pid, sig)
        _, stderr = process.communicate(timeout=60)
    finally:
        _reap(process)
    assert process.returncode == code, stderr
    message = stderr.decode().strip().splitlines()[-1]
    assert message == (
        f"summarizer: interrupted; the records done are kept in {out}; "
        "rerun the same command with --resume"
    )
    _all_lines_whole(out)
    kept = len(read_journal(out))
    assert 15 <= kept < len(ids)
    resumed = subprocess.run([*command, "--resume", "-j", "2"], capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert [r["id"] for r in records_of(out)] == ids


@pytest.mark.slow
def test_three_sigkills_at_random_points_then_resume(tmp_path: Path) -> None:
    seed = int(os.environ.get("SUMMARIZER_KILL_SEED", "20261129"))
    rng = random.Random(seed)
    source = tmp_path / "in.jsonl"
    ids = write_feed(source, 600)  # enough that no leg ends before its kill
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(source), "-o", str(out), "-q"]
    done = 0
    for leg in range(3):
        jobs = rng.choice(["1", "2"])
        process = _start([*command, "--resume", "-j", jobs] if leg else [*command, "-j", jobs])
        try:
            wait_for_lines(out, done + rng.randint(5, 30), process, 180)
            time.sleep(rng.uniform(0, 0.2))  # land anywhere, a write included
            os.kill(process.pid, signal.SIGKILL)  # the parent alone, as the OOM killer does
            process.wait(timeout=30)
        finally:
            _reap(process)
        assert process.returncode == -signal.SIGKILL, f"seed {seed}, leg {leg}"
        kept = read_journal(out)  # a torn last line is ignored here and cut on resume
        assert len(kept) >= done, f"seed {seed}: records were lost"
        done = len(kept)
    final = [a for a in command if a != "-q"]
    resumed = subprocess.run([*final, "--resume", "-j", "2"], capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    records = records_of(out)  # every line parses
    assert [r["id"] for r in records] == ids, f"seed {seed}"
    assert all(r["bullets"] for r in records)
    assert f"{done} skipped (resumed)".encode() in resumed.stderr


# --------------------------------------------------------------------------- dead workers


WORKER_DEATH = textwrap.dedent(
    """
    import json, os, sys
    from summarizer import backends, batch
    from summarizer.backends.heuristic import HeuristicBackend
    from summarizer.pipeline import make_options

    MARKER = sys.argv[2]

    class Dying(HeuristicBackend):
        name = "dying"

        def summarize(self, request):
            text = request.document.text
            if "KILLS-ALWAYS" in text:
                os._exit(1)  # what the OOM killer does to a worker
            if "KILLS-ONCE" in text and not os.path.exists(MARKER):
                open(MARKER, "w").close()
                os._exit(1)
            return super().summarize(request)

    backends.register("dying", "__main__:Dying")
    report = batch.batch([sys.argv[1]], make_options(backend="dying"), output=sys.argv[3], jobs=2)
    print(json.dumps({"done": report.done, "failed": report.failed}))
    """
)


@pytest.mark.slow
def test_a_dying_worker_is_retried_once_then_reported(tmp_path: Path) -> None:
    script = tmp_path / "dying.py"
    script.write_text(WORKER_DEATH)
    feed = tmp_path / "feed.jsonl"
    rows = [{"id": str(i), "text": FR + f"\nPhrase numéro {i}."} for i in range(12)]
    rows[3]["text"] += "\nKILLS-ALWAYS."
    rows[8]["text"] += "\nKILLS-ONCE."
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, str(script), str(feed), str(tmp_path / "marker"), str(out)],
        capture_output=True,
        text=True,
        timeout=180,  # a hang fails here
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"done": 11, "failed": 1}
    records = records_of(out)
    assert [r["id"] for r in records] == [str(i) for i in range(12)]
    assert "worker process died" in records[3]["error"]
    assert records[8]["bullets"]  # died once, retried, then summarized


# --------------------------------------------------------------------------- URLs


# Redirects the fetcher must refuse: path -> (status, location).
REDIRECTS = {
    "/to-file": (302, "file:///etc/passwd"),
    "/to-data": (301, "data:text/html,<p>injected</p>"),
    "/to-ftp": (307, "ftp://127.0.0.1/x"),
}


class Hostile(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _head(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    PAGE = f"<html><body><article><p>{FR}</p></article></body></html>".encode()

    def do_GET(self) -> None:
        if self.path in REDIRECTS:
            status, location = REDIRECTS[self.path]
            self._head(status, Location=location, Content_Length="0")
        elif self.path.startswith("/loop"):
            n = int(self.path[5:] or 0)
            self._head(302, Location=f"/loop{n + 1}", Content_Length="0")
        else:
            pages = {
                "/ok": self._ok,
                "/lying-length": self._lying_length,
                "/endless": self._endless,
                "/trickle": self._trickle,
                "/gzip-bomb": self._gzip_bomb,
                "/bad-charset": self._bad_charset,
            }
            pages.get(self.path, self._not_found)()

    def _ok(self) -> None:
        self._head(200, Content_Type="text/html", Content_Length=str(len(self.PAGE)))
        self.wfile.write(self.PAGE)

    def _lying_length(self) -> None:  # declares 100 bytes, sends a lot more
        self._head(200, Content_Type="text/html", Content_Length="100")
        self.wfile.write(b"<p>" + b"z" * 3_000_000)

    def _endless(self) -> None:
        self._head(200, Content_Type="text/html")
        with contextlib.suppress(OSError):
            for _ in range(10_000):
                self.wfile.write(b"<p>" + b"w" * 65536)

    def _trickle(self) -> None:  # one byte at a time: each read is quick, the whole is not
        self._head(200, Content_Type="text/html", Content_Length="5000")
        with contextlib.suppress(OSError):
            for _ in range(5000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)

    def _gzip_bomb(self) -> None:
        import gzip

        bomb = gzip.compress(b"\0" * 20_000_000)
        self._head(200, Content_Type="text/html", Content_Encoding="gzip",
                   Content_Length=str(len(bomb)))  # fmt: skip
        self.wfile.write(bomb)

    def _bad_charset(self) -> None:
        self._head(200, Content_Type="text/html; charset=rot13", Content_Length=str(len(self.PAGE)))
        self.wfile.write(self.PAGE)

    def _not_found(self) -> None:
        self._head(404, Content_Length="0")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_server(Hostile) as url:
        yield url


@pytest.mark.slow
def test_hostile_urls(server: str, tmp_path: Path) -> None:
    cases = {
        f"{server}/ok": None,
        f"{server}/to-file": "file:///etc/passwd",
        f"{server}/to-data": "data:",
        f"{server}/to-ftp": "ftp:",
        f"{server}/loop": "redirect",
        f"{server}/lying-length": "no article text",  # only the declared 100 bytes are read
        f"{server}/endless": "too large",
        f"{server}/trickle": "timed out",
        f"{server}/gzip-bomb": "binary|not a text",
        f"{server}/bad-charset": None,
        "file:///etc/passwd": "no such file",
        "FILE:///etc/passwd": "no such file",
    }
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    result = invoke(*cases, "-o", str(out), "-j", "2", "-q", "--timeout", "1",
                    "--max-size", "1000000")  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    records = records_of(out)
    assert len(records) == len(cases)
    for record, expect in zip(records, cases.values(), strict=True):
        if expect is None:
            assert record["bullets"], record
        else:
            import re

            assert re.search(expect, record["error"]), (expect, record["error"])
    assert "root:" not in out.read_text()
    # The trickle would take 250 s; the 1 s timeout holds for the whole download.
    assert elapsed < 60
