"""The Ray engine: the same records as the local engine, on Ray actors, a real two-node cluster.

Most tests share one Ray instance of 2 CPUs started here (what CI's machine has): the actor
pool then takes every CPU, which must not starve the pipeline. The CLI tests start Ray the way
a user's run does; the cluster test starts a head and a worker node with ``ray start``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import group_gone, wait_for_lines, write_faulty_backend

from summarizer import backends
from summarizer.batch import Report, batch, get_engine, read_journal
from summarizer.batch.ray_engine import ActorPlan, size_actors
from summarizer.cli import cli
from summarizer.errors import MissingDependencyError, UsageError
from summarizer.pipeline import make_options

ARTICLES = [
    "battery-recycling-en.txt",
    "smartphone-reparation-fr.txt",
    "glasfaser-ausbau-de.txt",
    "coches-autonomos-es.txt",
    "intelligenza-artificiale-it.txt",
    "elflyg-sv.txt",
]

# --------------------------------------------------------------------------- sizing (no Ray)


def test_actors_take_one_cpu_each_and_never_more_than_the_cluster_has() -> None:
    assert size_actors({"CPU": 2.0}) == ActorPlan(2, 1.0, 0.0)
    assert size_actors({"CPU": 16.0}, actors=4) == ActorPlan(4, 1.0, 0.0)
    many = size_actors({"CPU": 2.0}, actors=8)
    assert many.actors == 8 and many.actors * many.num_cpus <= 2.0
    # The transformers backend gets a GPU per actor when there are GPUs, and never waits for
    # GPUs the cluster lacks.
    assert size_actors({"CPU": 8.0, "GPU": 2.0}, backend="transformers") == ActorPlan(2, 1.0, 1.0)
    assert size_actors({"CPU": 8.0}, backend="transformers") == ActorPlan(8, 1.0, 0.0)
    half = size_actors({"CPU": 8.0, "GPU": 2.0}, gpus_per_actor=0.5, actors=9)
    assert half == ActorPlan(4, 1.0, 0.5)
    with pytest.raises(UsageError, match="GPU"):
        size_actors({"CPU": 8.0}, gpus_per_actor=1)


def test_ray_options_need_the_ray_engine_and_jobs_is_local(tmp_path: Path, data_dir: Path) -> None:
    source = str(data_dir / "elflyg-sv.txt")
    for extra in (["--actors", "2"], ["--ray-address", "auto"], ["--gpus-per-actor", "1"]):
        result = CliRunner().invoke(cli, ["batch", source, *extra])
        assert result.exit_code == 2 and "needs --engine ray" in result.output
    result = CliRunner().invoke(cli, ["batch", source, "--engine", "ray", "--jobs", "2"])
    assert result.exit_code == 2 and "--actors" in result.output


def test_without_ray_installed_the_engine_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_dir: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    out = tmp_path / "out.jsonl"
    out.write_text("kept\n")
    with pytest.raises(MissingDependencyError, match=r"summarizer\[ray\]"):
        batch([str(data_dir / "elflyg-sv.txt")], make_options(), output=out, engine="ray")
    assert out.read_text() == "kept\n"  # found before the output was opened


def test_help_and_the_local_engine_import_no_ray(tmp_path: Path, data_dir: Path) -> None:
    code = (
        "import sys; from summarizer.cli import main\n"
        f"sys.argv = ['summarizer', 'batch', {str(data_dir / 'elflyg-sv.txt')!r}, '-q',"
        f" '-o', {str(tmp_path / 'out.jsonl')!r}]\n"
        "try: main()\nexcept SystemExit: pass\n"
        "sys.argv = ['summarizer', 'batch', '--help']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print('RAY', [m for m in sys.modules if m == 'ray' or m.startswith('ray.')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "RAY []" in out.stdout and "--engine [local|ray]" in out.stdout


# --------------------------------------------------------------------------- on Ray

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="needs the ray extra"
)


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    """A 2-CPU Ray instance for this module, with the faulty backend in every worker."""
    import ray

    hooks = Path(tempfile.mkdtemp(prefix="ray-hooks-"))
    write_faulty_backend(hooks)
    sys.path.insert(0, str(hooks))
    ray.init(
        num_cpus=2,
        object_store_memory=100 * 1024 * 1024,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={
            "env_vars": {"PYTHONPATH": str(hooks)},
            "worker_process_setup_hook": "faulty_backend.register",
        },
    )
    try:
        import faulty_backend

        faulty_backend.register()
        yield
    finally:
        ray.shutdown()
        if "faulty" in backends.available():
            backends.unregister("faulty")
        sys.path.remove(str(hooks))
        shutil.rmtree(hooks, ignore_errors=True)


def write_feed(path: Path, data_dir: Path, count: int, marks: dict[int, str] | None = None) -> None:
    """``count`` records cycling through the test articles (``marks``: words added to some)."""
    marks = marks or {}
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            text = (data_dir / ARTICLES[i % len(ARTICLES)]).read_text(encoding="utf-8")
            text += f"\n\n{marks.get(i, '')} Note {i}."
            handle.write(json.dumps({"id": f"a{i:04d}", "text": text}, ensure_ascii=False) + "\n")


@pytest.fixture
def mixed(tmp_path: Path, data_dir: Path) -> Path:
    """Good articles in several languages, bad files, a feed with a broken line and copies."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    for name in ARTICLES:
        shutil.copy(data_dir / name, root / name)
    shutil.copy(data_dir / "article-fr.html", root / "sub" / "page.html")
    shutil.copy(data_dir / "elflyg-sv.txt", root / "sub" / "copy-of-elflyg.txt")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    line = json.dumps({"id": "g1", "text": (data_dir / "glasfaser-ausbau-de.txt").read_text()})
    (root / "sub" / "feed.jsonl").write_text(f'{line}\n{{"id": "g2", "text": "broken\n{line}\n')
    return root


def run_both(
    paths: list[str], out: Path, *, engine: Any = "ray", **kwargs: Any
) -> tuple[Report, Report]:
    """The local engine's report (2 jobs, into ``out``.local) and the Ray engine's."""
    options = kwargs.pop("options", make_options())
    fmt = kwargs.pop("fmt", "jsonl")
    local = out.with_name(out.name + ".local")
    first = batch(paths, options, output=local, fmt=fmt, jobs=2, **kwargs)
    second = batch(paths, options, output=out, fmt=fmt, engine=engine, **kwargs)
    return first, second


def same_counts(a: Report, b: Report) -> bool:
    # Failures are listed as they come: the order of completion, not the output's.
    return (a.total, a.done, a.skipped, a.failed, sorted(a.failures)) == (
        b.total, b.done, b.skipped, b.failed, sorted(b.failures),
    )  # fmt: skip


@needs_ray
@pytest.mark.usefixtures("ray_session")
@pytest.mark.parametrize("fmt", ["jsonl", "json", "markdown"])
def test_same_records_in_the_same_order_as_local(mixed: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    local, remote = run_both([str(mixed), str(mixed / "sub" / "feed.jsonl")], out, fmt=fmt)
    assert out.read_bytes() == out.with_name("out.local").read_bytes()
    assert same_counts(local, remote) and remote.exit_code == local.exit_code == 1
    assert remote.total == 16 and remote.failed == 4  # empty, binary, the broken line twice


@needs_ray
@pytest.mark.usefixtures("ray_session")
def test_output_dir_and_resume_as_local(tmp_path: Path, data_dir: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    write_feed(feed, data_dir, 40)
    local_dir, ray_dir = tmp_path / "local", tmp_path / "ray"
    options = make_options(bullets=2)
    batch([str(feed)], options, output_dir=local_dir, fmt="markdown", jobs=2)
    batch([str(feed)], options, output_dir=ray_dir, fmt="markdown", engine="ray")
    names = sorted(p.relative_to(local_dir) for p in local_dir.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(ray_dir) for p in ray_dir.rglob("*") if p.is_file())
    assert all((local_dir / n).read_bytes() == (ray_dir / n).read_bytes() for n in names)
    # --resume: keys already in the output are skipped, the rest is summarized.
    full = tmp_path / "full.jsonl"
    batch([str(feed)], options, output=full, jobs=2)
    out = tmp_path / "out.jsonl"
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[5:17]), encoding="utf-8")
    report = batch([str(feed)], options, output=out, resume=True, engine="ray")
    assert (report.skipped, report.done, report.failed) == (12, 28, 0)
    assert out.read_bytes() == full.read_bytes()


@needs_ray
@pytest.mark.usefixtures("ray_session")
def test_a_raising_record_and_one_that_kills_every_actor_get_error_records(
    tmp_path: Path, data_dir: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    write_feed(feed, data_dir, 40, marks={3: "RAISE", 21: "CRASH"})
    options = make_options(backend="faulty", language="en")
    out = tmp_path / "out.jsonl"
    report = batch([str(feed)], options, output=out, engine=get_engine("ray", actors=2))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"a{i:04d}" for i in range(40)]
    assert records[3]["error"].endswith("unexpected RuntimeError: boom")
    # Its group was retried, then its inputs one at a time: only the culprit is lost.
    assert "worker process died twice" in records[21]["error"]
    assert report.failed == 2 and report.done == 38


def _actor_pids() -> list[int]:
    """Our GroupWorker actors' processes: descendants of this process (via its raylet)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            names[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        if "GroupWorker" in names.get(pid, ""):
            found.append(pid)
        todo += children.get(pid, [])
    return found


@needs_ray
@pytest.mark.usefixtures("ray_session")
def test_a_killed_actor_is_restarted_and_no_record_is_lost_or_doubled(
    tmp_path: Path, data_dir: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    write_feed(feed, data_dir, 400)
    options = make_options(bullets=2)
    expected = tmp_path / "local.jsonl"
    batch([str(feed)], options, output=expected, jobs=2)
    out = tmp_path / "out.jsonl"
    reports: list[Report] = []
    worker = threading.Thread(
        target=lambda: reports.append(batch([str(feed)], options, output=out, engine="ray"))
    )
    worker.start()
    killed = None
    try:
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and worker.is_alive():
            if out.exists() and out.read_bytes().count(b"\n") >= 40:
                pids = _actor_pids()
                if pids:
                    killed = pids[0]
                    os.kill(killed, signal.SIGKILL)
            time.sleep(0.01)
    finally:
        worker.join(timeout=300)
    assert killed is not None, "no actor to kill"
    assert reports and reports[0].done == 400 and reports[0].failed == 0
    assert out.read_bytes() == expected.read_bytes()


@needs_ray
@pytest.mark.usefixtures("ray_session")
def test_a_backend_that_cannot_start_fails_as_with_the_local_engine(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUMMARIZER_MODEL", raising=False)
    feed = tmp_path / "feed.jsonl"
    write_feed(feed, data_dir, 4)
    results = []
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        command = ["batch", str(feed), "-o", str(out), "--backend", "transformers"]
        results.append(CliRunner().invoke(cli, [*command, "--engine", engine]))
    assert [r.exit_code for r in results] == [2, 2]
    assert results[0].stderr == results[1].stderr and "needs a model" in results[1].stderr


# --------------------------------------------------------------------------- the CLI on Ray


@needs_ray
def test_an_address_where_no_cluster_listens_fails_at_once(tmp_path: Path, data_dir: Path) -> None:
    # In a fresh process: this one may hold a Ray session, which the engine would use.
    out = tmp_path / "out.jsonl"
    address = f"127.0.0.1:{_free_port()}"
    command = [sys.executable, "-m", "summarizer", "batch", str(data_dir / "elflyg-sv.txt"),
               "-o", str(out), "--engine", "ray", "--ray-address", address]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == f"error: cannot join the Ray cluster at {address}: Connection refused\n"


@needs_ray
def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path: Path, data_dir: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    write_feed(feed, data_dir, 300)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(feed), "-o", str(out), "-n", "2"]
    process = subprocess.Popen(
        [*command, "--engine", "ray"], stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        wait_for_lines(out, 40, process, 180)
        os.kill(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        # The Ray instance the run started (its raylet, its actors) went with it.
        assert group_gone(process, 30), "Ray processes outlived the interrupted run"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr.decode()
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    kept = len(read_journal(out))
    assert 40 <= kept < 300
    resumed = subprocess.run(
        [*command, "--engine", "ray", "--resume"], capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{kept} skipped (resumed)" in resumed.stderr
    expected = tmp_path / "local.jsonl"
    batch([str(feed)], make_options(bullets=2), output=expected, jobs=2)
    assert out.read_bytes() == expected.read_bytes()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@needs_ray
@pytest.mark.slow
def test_a_two_node_cluster_started_by_hand(tmp_path: Path, data_dir: Path) -> None:
    ray_cli = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"
    port = _free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address", "127.0.0.1", "--num-cpus", "1", "--disable-usage-stats",
              "--object-store-memory", str(80 * 1024 * 1024), "--block"]  # fmt: skip
    # Short temp dirs: Ray's socket paths must fit in 107 bytes.
    temps = [Path(tempfile.mkdtemp(prefix="rayh-", dir="/tmp")) for _ in range(2)]
    nodes: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "RAY_ADDRESS": ""}
    try:
        head = [ray_cli, "start", "--head", "--port", str(port), "--temp-dir", str(temps[0]),
                "--include-dashboard", "false", *common]  # fmt: skip
        nodes.append(subprocess.Popen(head, start_new_session=True, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        _wait_for_nodes(address, 1)
        worker = [ray_cli, "start", "--address", address, "--temp-dir", str(temps[1]), *common]
        nodes.append(subprocess.Popen(worker, start_new_session=True, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        _wait_for_nodes(address, 2)
        feed = tmp_path / "feed.jsonl"
        write_feed(feed, data_dir, 120)
        out = tmp_path / "out.jsonl"
        # Two actors of one CPU each: one on each node, or the run could not finish.
        result = subprocess.run(
            [sys.executable, "-m", "summarizer", "batch", str(feed), "-o", str(out),
             "--engine", "ray", "--ray-address", address, "--actors", "2"],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "120 inputs: 120 done" in result.stderr
        expected = tmp_path / "local.jsonl"
        batch([str(feed)], make_options(), output=expected, jobs=2)
        assert out.read_bytes() == expected.read_bytes()
    finally:
        for node in reversed(nodes):
            _stop_group(node)
        for temp in temps:
            shutil.rmtree(temp, ignore_errors=True)


def _wait_for_nodes(address: str, count: int) -> None:
    """Wait until the cluster at ``address`` has ``count`` live nodes (asked in a subprocess:
    this test's process keeps its own Ray session, if any, to itself)."""
    code = (
        "import ray, sys; ray.init(address=sys.argv[1], logging_level='ERROR');"
        "print(sum(n['Alive'] for n in ray.nodes()))"
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        probe = subprocess.run(
            [sys.executable, "-c", code, address], capture_output=True, text=True, timeout=60
        )
        if probe.returncode == 0 and probe.stdout.strip().endswith(str(count)):
            return
        time.sleep(1)
    pytest.fail(f"the cluster never had {count} node(s)")


def _stop_group(node: subprocess.Popen[bytes]) -> None:
    """Stop a ``ray start --block`` node and every process it started (its session)."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(node.pid, 0)
            except ProcessLookupError:
                node.wait()
                return
            time.sleep(0.2)
    node.wait()
