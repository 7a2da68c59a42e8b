"""The shared-data build with per-item work on a two-worker Dask LocalCluster equals the local one.

Both builds run through Dagster (``materialise_all``); the Dask one sends every ``map_items``
call (probes, track extraction, alignment, sync, sensor pairing) to the cluster's worker
processes. Every file of both data folders is compared byte for byte, except the provenance
table, which names the Dagster run that built it. Last, Dagster's Dask executor
(``dagster_project.dask_job``) rebuilds three pair tables from the local build's catalogs, one
step per Dask task.
"""

import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance
from distributed import get_task_stream

from crosspair.dask_engine import close_dask, dask_client
from crosspair.engine import EngineConfig
from dagster_project.build import failed_checks, materialise_all
from dagster_project.dask_job import run_on_dask
from tests.conftest import SHARED_DATA, SHARED_SOURCES

pytestmark = pytest.mark.slow

# tables that legitimately differ between two builds, and the columns that make them differ
RUN_SPECIFIC = {"tables/provenance.parquet": ["run_id"]}


def is_alignment_output(name: str) -> bool:
    """Word and phone timings, which still depend on the order pairs are aligned in."""
    return name.startswith("exports/alignments/") or name in {
        "tables/word_alignment.parquet",
        "tables/phone_alignment.parquet",
        "tables/alignment_summary.parquet",
    }


def _build(root: Path, **engine) -> tuple[Path, bool, list[str]]:
    home = root / "dagster_home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        result = materialise_all(SHARED_SOURCES, root / "data", instance, **engine)
    return root / "data", result.success, failed_checks(result)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA}")
    local = _build(tmp_path_factory.mktemp("local"))
    # the engine's own cluster, so the test can watch which tasks ran on which worker
    client = dask_client(EngineConfig(kind="dask", workers=2))
    try:
        with get_task_stream(client) as stream:
            dask = _build(tmp_path_factory.mktemp("dask"), workers=2, engine="dask")
        worker_pids = set(client.run(os.getpid).values())
    finally:
        close_dask()
    return {"local": local, "dask": dask, "tasks": stream.data, "worker_pids": worker_pids}


def _files(data: Path) -> dict[str, Path]:
    return {str(p.relative_to(data)): p for p in sorted(data.rglob("*")) if p.is_file()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_both_builds_succeed(builds):
    for name in ("local", "dask"):
        _, success, errors = builds[name]
        assert success, name
        assert errors == [], name


def test_per_item_work_ran_on_both_workers(builds):
    tasks = builds["tasks"]
    functions = {task["key"].rsplit("-", 6)[0] for task in tasks}
    assert {"probe", "extract_track", "align_pair", "measure", "read_stream_file"} <= functions
    assert {"pair_source"} <= functions
    assert len({task["worker"] for task in tasks}) == 2
    assert len(builds["worker_pids"]) == 2


def test_same_files_in_both_data_folders(builds):
    local, dask = _files(builds["local"][0]), _files(builds["dask"][0])
    assert sorted(local) == sorted(dask)
    assert any(name.startswith("tables/") for name in local)
    assert any(name.endswith(".tar") for name in local)  # the WebDataset shards
    assert any(name.startswith("derived/audio/") for name in local)  # tracks made on workers


def _different(builds, wanted) -> list[str]:
    local, dask = _files(builds["local"][0]), _files(builds["dask"][0])
    return [
        name
        for name in sorted(set(local) & set(dask))
        if wanted(name) and _digest(local[name]) != _digest(dask[name])
    ]


def test_every_table_and_export_is_byte_identical(builds):
    def wanted(name: str) -> bool:
        return name not in RUN_SPECIFIC and not is_alignment_output(name)

    assert _different(builds, wanted) == []


def test_alignment_outputs_are_byte_identical(builds):
    assert _different(builds, is_alignment_output) == []


def test_run_specific_tables_agree_outside_their_run_columns(builds):
    local, dask = builds["local"][0], builds["dask"][0]
    for name, columns in RUN_SPECIFIC.items():
        ours, theirs = pd.read_parquet(local / name), pd.read_parquet(dask / name)
        assert ours[columns].nunique().eq(1).all()  # one run id per build ...
        assert (ours[columns].iloc[0] != theirs[columns].iloc[0]).all()  # ... not the same one
        pd.testing.assert_frame_equal(ours.drop(columns=columns), theirs.drop(columns=columns))


PAIR_TABLES = ["image_caption_pairs", "code_docstring_pairs", "mesh_description_pairs"]


def test_dask_executor_runs_steps_on_workers_with_the_same_outputs(builds, tmp_path):
    built = builds["local"][0]
    data = tmp_path / "data"
    shutil.copytree(built, data)
    for name in PAIR_TABLES:
        (data / "tables" / f"{name}.parquet").unlink()

    # the local build's instance: it holds the sources' partitions
    with DagsterInstance.local_temp(str(built.parent / "dagster_home")) as instance:
        result = run_on_dask(SHARED_SOURCES, data, instance, workers=2, assets=PAIR_TABLES)
        assert result.success
        steps = {event.step_key: event.pid for event in result.get_step_success_events()}
        checks = {
            f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
            for e in result.get_asset_check_evaluations()
        }
    assert set(steps) == {*PAIR_TABLES, *(f"{name}_schema" for name in PAIR_TABLES)}
    assert os.getpid() not in set(steps.values())  # every step ran in a worker process
    assert checks == {f"{name}:schema": True for name in PAIR_TABLES}
    for name in PAIR_TABLES:
        relative = f"tables/{name}.parquet"
        assert _digest(data / relative) == _digest(built / relative), name
