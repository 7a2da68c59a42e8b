"""A `crosspair build` killed with SIGKILL half-way and started again ends byte-identical to an
uninterrupted build; leftover temporary files are cleaned up."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetKey, AssetRecordsFilter, DagsterInstance, DagsterRunStatus, RunsFilter

from dagster_project.io_manager import remove_leftover_temp_files, write_atomically
from tests.e2e.test_incremental import (
    assert_same_outputs,
    materialisations,
    partitioned_assets,
    write_three_sources,
)

BUILD_TIMEOUT_S = 1800


def _start_build(sources: Path, data: Path, home: Path, cwd: Path) -> subprocess.Popen:
    """`crosspair build` in a process of its own; its output goes to ``<home>.log``."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CROSSPAIR_CODE_VERSION": "resume-test",
        "CROSSPAIR_ERASURE_LEDGER": str(cwd / "erasure" / "ledger.jsonl"),
    }
    command = [sys.executable, "-m", "crosspair.cli", "build", "--sources", str(sources)]
    home.mkdir(parents=True, exist_ok=True)
    with home.with_suffix(".log").open("a") as log:  # a file: a full pipe would stall it
        return subprocess.Popen(
            [*command, "--data", str(data)], cwd=cwd, env=env, stdout=log, stderr=log
        )


def _finish(process: subprocess.Popen, home: Path) -> None:
    process.wait(timeout=BUILD_TIMEOUT_S)
    assert process.returncode == 0, home.with_suffix(".log").read_text()[-4000:]


def _kill_when(process: subprocess.Popen, ready, what: str) -> None:
    """SIGKILL the build as soon as ``ready()`` holds (polled every 20 ms)."""
    deadline = time.monotonic() + BUILD_TIMEOUT_S
    while not ready():
        assert process.poll() is None, f"the build ended before {what}"
        assert time.monotonic() < deadline, f"no {what} after {BUILD_TIMEOUT_S} s"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


@pytest.mark.slow
def test_a_killed_build_resumes_to_the_same_bytes(tmp_path, shared_data):
    sources = write_three_sources(tmp_path / "raw", shared_data)
    reference, data = tmp_path / "reference" / "data", tmp_path / "resumed" / "data"
    reference_home = tmp_path / "reference" / "home"
    _finish(_start_build(sources, reference, reference_home, tmp_path), reference_home)

    # Sources run in name order: coco, humaneval, speech. The first partition file of the
    # second source means coco's run has finished and humaneval's is under way.
    home = tmp_path / "resumed" / "home"
    build = _start_build(sources, data, home, tmp_path)
    second_started = data / "tables" / "partitions" / "discovered_items" / "humaneval.parquet"
    _kill_when(build, second_started.is_file, "partitions of a second source")
    assert not (data / "tables" / "pairs.parquet").exists()  # killed before the rest began

    # a write the kill cut short: the temporary file of a process that is gone
    leftover = data / "tables" / f".pairs.parquet.{build.pid}.0123abcd.tmp"
    leftover.write_bytes(b"half a parquet file")

    _finish(_start_build(sources, data, home, tmp_path), home)
    assert not leftover.exists()
    assert list(data.rglob("*.tmp")) == []
    assert_same_outputs(data, reference)

    with DagsterInstance.from_config(str(home)) as instance:
        # coco was complete when the build died: the second build left it alone
        coco = {k: n for k, n in materialisations(instance).items() if k[1] == "coco"}
        assert coco == {(key.to_user_string(), "coco"): 1 for key in partitioned_assets()}
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey("discovered_items"), asset_partitions=["speech"]),
            limit=10,
        ).records
        assert len(records) == 1  # never reached before the kill
        # the killed build's run is marked failed, not left 'started' in the UI
        runs = instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED]))
        assert runs == []
        assert len(instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.FAILURE]))) == 1


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "tables" / "table.parquet"
    old = pd.DataFrame({"a": [1, 2]})
    write_atomically(path, lambda temp: old.to_parquet(temp, index=False))

    def half_written(temp: Path) -> None:
        temp.write_bytes(b"PAR1 and then")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, half_written)
    pd.testing.assert_frame_equal(pd.read_parquet(path), old)
    assert sorted(p.name for p in path.parent.iterdir()) == ["table.parquet"]


def test_only_temporary_files_of_dead_processes_are_removed(tmp_path):
    tables = tmp_path / "tables" / "partitions" / "image_catalog"
    tables.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    dead_pid = int(dead.stdout)
    live_pid = os.getppid()  # pytest's parent: alive while the test runs
    stale = tables / f".coco.parquet.{dead_pid}.89abcdef.tmp"
    in_use = tables / f".speech.parquet.{live_pid}.01234567.tmp"
    for path in (stale, in_use):
        path.write_bytes(b"partial")
    assert remove_leftover_temp_files(tmp_path) == [stale]
    assert in_use.exists() and not stale.exists()
