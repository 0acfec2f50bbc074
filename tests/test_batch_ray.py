"""``aligner batch --ray``: the same batch on a two-node Ray cluster started in this process (``ray.cluster_utils``)."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

import aligner
from aligner.batch import (
    BatchOptions,
    BatchResult,
    StatementResult,
    read_batch_input,
    run_batch,
)
from aligner.cli import app
from aligner.fetch import FetchOptions

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PAGES = Path(__file__).parent / "pages"
_TIMESTAMP = re.compile(r' (?:creationdate|changedate)="[^"]*"')


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    """A head and one worker node with one CPU each; the workers import this checkout of aligner."""
    ray = pytest.importorskip("ray", reason="Ray tests need: pip install 'aligner[ray]'")
    from ray.cluster_utils import Cluster

    package_root = str(Path(aligner.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, namespace="aligner", log_to_driver=False)
    yield cluster
    ray.shutdown()
    cluster.shutdown()


@pytest.fixture
def statements(tmp_path: Path) -> Path:
    """Seven statements: six variants of the sample (one sentence changed each) and one with an empty file."""
    root = tmp_path / "in"
    en = (SAMPLES / "en.txt").read_text("utf-8")
    for n in range(6):
        folder = root / f"s{n}"
        shutil.copytree(SAMPLES, folder)
        (folder / "en.txt").write_text(en.replace("Thank you.", f"Thank you {n} times."), "utf-8")
    broken = root / "s9-broken"
    broken.mkdir()
    shutil.copy(SAMPLES / "en.txt", broken)
    (broken / "de.txt").write_text("", "utf-8")
    return root


def without_timestamps(path: Path) -> str:
    return _TIMESTAMP.sub("", path.read_text("utf-8"))


def comparable(result: StatementResult) -> dict[str, object]:
    data = result.to_json({}, None)
    del data["elapsed"], data["status"]  # "ok" on the first run, "skipped" on the second
    return data


def assert_same_outputs(a: Path, b: Path) -> None:
    """Every file the two batches wrote, equal apart from timestamps and timings."""
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for name in files:
        if name.suffix == ".tmx":
            assert without_timestamps(a / name) == without_timestamps(b / name), name
        elif name.name == "result.json":
            one, two = (json.loads((root / name).read_text("utf-8")) for root in (a, b))
            assert {**one, "elapsed": 0} == {**two, "elapsed": 0}, name
        elif name.suffix in (".csv", ".parquet"):
            read = pl.read_csv if name.suffix == ".csv" else pl.read_parquet
            assert (
                read(a / name).drop("elapsed_s", strict=False).equals(read(b / name).drop("elapsed_s", strict=False))
            ), name
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_without_ray_installed_the_option_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when the extra is not installed
    shutil.copytree(SAMPLES, tmp_path / "in" / "one")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--ray"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["error: --ray needs Ray: pip install 'aligner[ray]'"]
    assert not (tmp_path / "out").exists()


class FakeCluster:
    """Stands in for ``RayEngine(address)``: keeps the address and the statements it is given, runs none."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address
        self.statements: list[str] = []

    def __call__(self, jobs, outdir, options, finish) -> None:  # type: ignore[no-untyped-def]
        for job in jobs:
            self.statements.append(job.name)
            finish(StatementResult(job.name, job.source, "failed", error="not run: no Ray in this test"))


@pytest.fixture
def clusters(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[FakeCluster]:
    """The engines ``aligner batch`` makes, run in a folder holding urls.txt (one statement)."""
    made: list[FakeCluster] = []

    def ray_engine(address: str | None = None) -> FakeCluster:
        made.append(FakeCluster(address))
        return made[-1]

    monkeypatch.setattr("aligner.cli._batch.RayEngine", ray_engine)
    monkeypatch.chdir(tmp_path)
    Path("urls.txt").write_text("https://example.org/statements/1\n", "utf-8")
    return made


@pytest.mark.parametrize(
    ("args", "address"),
    [
        ("--ray 127.0.0.1:6379 urls.txt -o out", "127.0.0.1:6379"),
        ("urls.txt -o out --ray ray://head.example.org:10001", "ray://head.example.org:10001"),
        ("urls.txt -o out --ray auto", "auto"),
        ("--ray=auto urls.txt -o out", "auto"),
        ("--ray urls.txt -o out", None),
        ("urls.txt --ray -o out", None),
        ("urls.txt -o out --ray", None),
        ("urls.txt -o out --ray-address head:6379", "head:6379"),
    ],
)
def test_ray_joins_the_cluster_named_after_it_or_starts_one(
    clusters: list[FakeCluster], args: str, address: str | None
) -> None:
    result = CliRunner().invoke(app, ["batch", *args.split()])
    assert result.exit_code == 1, result.output  # the fake cluster fails every statement
    assert [(c.address, c.statements) for c in clusters] == [(address, [read_batch_input(Path("urls.txt"))[0].name])]


def test_a_file_named_like_an_address_is_input_after_ray(clusters: list[FakeCluster]) -> None:
    Path("urls.txt").rename("auto")
    result = CliRunner().invoke(app, ["batch", "--ray", "auto", "-o", "out"])
    assert result.exit_code == 1, result.output
    assert [(c.address, len(c.statements)) for c in clusters] == [(None, 1)]


def test_help_shows_the_optional_address() -> None:
    result = CliRunner().invoke(app, ["batch", "--help"], env={"COLUMNS": "200"})
    assert "--ray [ADDRESS]" in result.stdout
    assert "--ray-address" not in result.stdout


@pytest.mark.slow
def test_the_ray_engine_writes_what_the_local_engine_writes(cluster, statements: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from aligner._ray_engine import RayEngine

    jobs = read_batch_input(statements)
    local = run_batch(jobs, tmp_path / "local", BatchOptions(threads=1))
    seen: list[str] = []
    on_ray = run_batch(
        jobs,
        tmp_path / "ray",
        BatchOptions(threads=1, workers=2),
        engine=RayEngine(),
        on_result=lambda r: seen.append(r.name),
    )
    assert sorted(seen) == sorted(job.name for job in jobs)  # progress: once per statement, as it finishes
    assert [r.status for r in on_ray.results] == ["ok"] * 6 + ["failed"]
    assert on_ray.results[-1].error == local.results[-1].error
    assert_same_outputs(tmp_path / "local", tmp_path / "ray")

    again = run_batch(jobs, tmp_path / "ray", BatchOptions(threads=1, workers=2), engine=RayEngine())
    assert [r.status for r in again.results] == ["skipped"] * 6 + ["failed"]
    assert [comparable(r) for r in again.results[:6]] == [comparable(r) for r in local.results[:6]]


def assert_combined_has_every_statement(result: BatchResult) -> None:
    from aligner.tmx import read_tmx

    units = sum(r.units for r in result.results)
    assert result.merge.written + result.merge.duplicates == units
    assert len(list(read_tmx(result.combined))) == result.merge.written


@pytest.mark.slow
def test_the_per_host_delay_holds_across_workers(cluster, httpserver: HTTPServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two actors fetch four statements from one host: every request waits its turn, cluster-wide."""
    from aligner._ray_engine import RayEngine

    arrivals: list[float] = []

    def page(request: Request) -> Response:
        arrivals.append(time.monotonic())
        lang = request.path.split("/")[1]
        return Response((PAGES / f"new_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8")

    httpserver.expect_request(re.compile(r"^/(en|ru)/foreign_policy/news/\d+/$")).respond_with_handler(page)
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "".join(httpserver.url_for(f"/en/foreign_policy/news/{n}/") + "\n" for n in range(1987650, 1987654))
    )
    delay = 0.5
    fetch = FetchOptions(delay=delay, retries=0, respect_robots=False, use_cache=False, cache_dir=tmp_path / "http")
    options = BatchOptions(langs=("en", "ru"), threads=1, workers=2, fetch=fetch)
    result = run_batch(read_batch_input(urls), tmp_path / "out", options, engine=RayEngine())
    assert [r.status for r in result.results] == ["ok"] * 4, [r.error for r in result.results]
    assert len(arrivals) == 8
    gaps = [b - a for a, b in itertools.pairwise(sorted(arrivals))]
    assert min(gaps) >= delay - 0.1, gaps  # arrival times: a new connection may lag the turn a little
    assert_the_pacer_outlives_the_batch()


def assert_the_pacer_outlives_the_batch() -> None:
    """The next batch on this cluster finds the same pacer alive (its turns still reserved), not one being destroyed."""
    import gc

    import ray

    from aligner._ray_engine import _NAMESPACE, _PACER_NAME

    gc.collect()  # the finished batch's handles are gone
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        pacer = ray.get_actor(_PACER_NAME, namespace=_NAMESPACE)
        assert ray.get(pacer.turn.remote("example.org", 0.0)) == 0.0
        time.sleep(0.1)


@pytest.mark.slow
def test_a_node_killed_mid_batch_loses_nothing(cluster, statements: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Three actors on three nodes; the extra node dies after the first result: its statements go elsewhere,
    and nothing is lost or done twice. (Last in this file: the cluster it leaves has lost a node.)"""
    from aligner._ray_engine import RayEngine

    doomed = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    # The broken statement first: it fails at once, so the node dies while the others are mid-statement.
    jobs = sorted(read_batch_input(statements), key=lambda job: job.name != "s9-broken")
    finished: list[str] = []

    import ray

    def kill_after_first(result: StatementResult) -> None:
        finished.append(result.name)
        if len(finished) == 1:
            deadline = time.monotonic() + 120
            while ray.available_resources().get("CPU", 0) > 0 and time.monotonic() < deadline:
                time.sleep(0.1)  # until all three actors hold their CPU: the doomed node's has work
            cluster.remove_node(doomed, allow_graceful=False)

    options = BatchOptions(threads=1, workers=3)
    first = run_batch(jobs, tmp_path / "out", options, engine=RayEngine(), on_result=kill_after_first)
    assert sorted(finished) == sorted(job.name for job in jobs)  # each statement reported once
    assert [r.status for r in first.results] == ["failed"] + ["ok"] * 6
    rerun = run_batch(jobs, tmp_path / "out", options, engine=RayEngine())
    assert [r.status for r in rerun.results] == ["failed"] + ["skipped"] * 6
    assert_combined_has_every_statement(rerun)
