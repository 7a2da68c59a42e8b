"""The build's whole-dataset steps on Dagster's Dask executor: each step a task on a cluster.

This spreads whole steps (an asset, a multi-asset or a check) over Dask workers. Per-item work
inside a step still goes through ``crosspair.engine.map_items``: in the step's process by
default, or on the same cluster with ``engine_kind: dask`` and an empty ``dask_address``.

The job leaves out the per-source assets (discovery and the catalogs): dagster-dask 0.29.27
hands the run's known state to ``client.submit``, and dask 2026.8 walks it as a tuple, which
fails on a partitioned run ("Iteration is not allowed on `@record` KeyRangesPartitionsSubset").
Build the sources first (``crosspair build`` does, with ``--engine dask`` for their per-item
work), then run this job for the rest; its checks cover the catalogs too.
TODO: run the per-source partitions on the Dask executor once dagster-dask passes its state
opaquely.

The Dask executor needs a persistent Dagster instance and a reconstructable job
(``execute_in_process`` ignores executors). From Python use ``run_on_dask``; from the shell,
once ``build_dataset_dask`` is registered in ``definitions.py``::

    dagster job execute -m dagster_project.definitions -j build_dataset_dask -c run.yaml

with ``execution: {config: {cluster: {local: {n_workers: 2}}}}`` (or ``existing: {address:
tcp://host:8786}``) next to the ``resources`` that ``build.build_run_config`` gives.
"""

import logging
from collections.abc import Sequence
from pathlib import Path

from dagster import (
    AssetKey,
    AssetSelection,
    DagsterInstance,
    Definitions,
    JobDefinition,
    JobExecutionResult,
    define_asset_job,
    execute_job,
    reconstructable,
)
from dagster_dask import dask_executor

from assets.ingest import catalog_assets, discovery

DASK_JOB_NAME = "build_dataset_dask"

PER_SOURCE_ASSETS = AssetSelection.assets(discovery, *catalog_assets)

build_dataset_dask = define_asset_job(
    DASK_JOB_NAME,
    selection=(AssetSelection.all() - AssetSelection.assets("erasure_report") - PER_SOURCE_ASSETS)
    | AssetSelection.all_asset_checks(),
    executor_def=dask_executor,
    description="Pair, align, split and export built sources, and run every check, with each "
    "step a task on a Dask cluster.",
)


def dask_executor_config(workers: int = 2, address: str = "") -> dict:
    """Run config of the Dask executor: a scheduler's address, else a LocalCluster."""
    if address:
        cluster = {"existing": {"address": address}}
    else:
        cluster = {
            "local": {
                "n_workers": workers,  # the executor gives each one thread: steps are not
                "dashboard_address": None,  # thread-safe
                # Dagster records every step's events; the workers' own warnings (the size of
                # those event lists, which dask cannot measure) are noise
                "silence_logs": logging.ERROR,
            }
        }
    return {"execution": {"config": {"cluster": cluster}}}


def dask_build_job() -> JobDefinition:
    """The Dask job with every asset, check and resource of the code location.

    A top-level function, so ``reconstructable`` can rebuild the job inside each Dask worker.
    """
    from dagster_project.definitions import defs

    if defs.get_repository_def().has_job(DASK_JOB_NAME):  # registered by definitions.py
        return defs.resolve_job_def(DASK_JOB_NAME)
    return Definitions.merge(defs, Definitions(jobs=[build_dataset_dask])).resolve_job_def(
        DASK_JOB_NAME
    )


def run_on_dask(
    sources: str | Path,
    data_dir: str | Path,
    instance: DagsterInstance,
    workers: int = 2,
    address: str = "",
    assets: Sequence[str] | None = None,
) -> JobExecutionResult:
    """Materialise ``assets`` (every one of the job by default) with one Dask task per step.

    The sources must be built into ``data_dir`` already, with their partitions registered
    in ``instance``, which must be persistent (``DagsterInstance.get()`` or ``local_temp``).
    Failures are in the result, not raised.
    """
    from dagster_project.build import build_run_config  # it imports definitions.py

    run_config = {**build_run_config(sources, data_dir), **dask_executor_config(workers, address)}
    with execute_job(
        reconstructable(dask_build_job),
        instance=instance,
        run_config=run_config,
        asset_selection=[AssetKey(name) for name in assets] if assets else None,
    ) as result:
        return result
