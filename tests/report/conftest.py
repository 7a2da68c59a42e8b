"""One real build of the demo corpus through Dagster (plus two broken files, so there are
rejects), shared by the report tests, and its report written once."""

import os
import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance
from filelock import FileLock

from crosspair.demo import generate_demo
from crosspair.export.webdataset import resolver_from_roots
from crosspair.report import write_report
from crosspair.sources import load_sources
from dagster_project.build import failed_checks, materialise_all
from tests.report.demo_build import DemoBuild

VERSION = "report-test-v1"


def _add_broken_files(corpus: Path) -> None:
    """A JPEG cut after 300 bytes and an empty WAV: one 'truncated'-like and one
    'empty_file' reject, whatever the probes call the first."""
    images = corpus / "image_text" / "images"
    (images / "broken.jpg").write_bytes((images / "astronaut.jpg").read_bytes()[:300])
    (corpus / "speech_text" / "audio" / "silent.wav").write_bytes(b"")


def _build(root: Path) -> None:
    sources = generate_demo(root / "corpus")
    _add_broken_files(sources.parent)
    home = root / "dagster_home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        result = materialise_all(sources, root / "data", instance)
    assert result.success
    assert failed_checks(result) == []


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> DemoBuild:
    """Built once per test run: pytest-xdist workers share it through a file lock."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # this run's folder, above the workers' own
    root = base / "report_demo"
    with FileLock(f"{root}.lock"):
        if not (root / "built").is_file():
            shutil.rmtree(root, ignore_errors=True)
            _build(root)
            (root / "built").touch()
    sources = root / "corpus" / "sources.yaml"
    config = load_sources(sources)
    roots = {source.name: config.root_of(source) for source in config.sources}
    resolve = resolver_from_roots(roots, root / "data")
    return DemoBuild(root, sources, root / "data", roots, resolve, root / "dagster_home")


@pytest.fixture(scope="session")
def report(demo_build, tmp_path_factory) -> Path:
    """The report's index.html, written once per session."""
    out = tmp_path_factory.mktemp("report")  # one per worker: tests may not share writes
    return write_report(demo_build.data_dir, out, VERSION, resolve=demo_build.resolve)
