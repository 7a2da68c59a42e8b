"""Shared fixtures: where the real test data lives, and a real Dagster instance."""

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SHARED_SOURCES = REPO / "sources" / "shared_data.yaml"

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DVC_NO_ANALYTICS", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


RAM_DISK = Path("/dev/shm")
RAM_DISK_MIN_FREE = 6 * 1024**3  # the whole suite writes about 2 GB of temporary files


def _temp_root() -> str | None:
    """Where the suite's temporary files go: CROSSPAIR_TEST_TMPDIR, else a roomy RAM disk.

    Every build commits Dagster's SQLite event log a few thousand times and fsyncs its tables;
    on a RAM disk that costs nothing, which takes about a quarter off each end-to-end build.
    """
    chosen = os.environ.get("CROSSPAIR_TEST_TMPDIR")
    if chosen:
        return chosen
    if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
        stats = os.statvfs(RAM_DISK)
        if stats.f_bavail * stats.f_frsize >= RAM_DISK_MIN_FREE:
            return str(RAM_DISK)
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "shared_data: reads ../shared/data")
    # the controller picks the folder before any temporary path exists; xdist workers and the
    # builds that tests start as subprocesses inherit TMPDIR
    root = _temp_root()
    if root and not hasattr(config, "workerinput") and config.option.basetemp is None:
        os.environ["TMPDIR"] = root
        tempfile.tempdir = None  # forget the folder tempfile may have cached


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def dagster_instance(tmp_path):
    from dagster import DagsterInstance

    home = tmp_path / "dagster_home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        yield instance
