"""The Dagster code location: every crosspair asset, check, job and resource."""

from dagster import (
    AssetSelection,
    Definitions,
    define_asset_job,
    in_process_executor,
    load_assets_from_modules,
)

from assets import (
    alignment,
    annotation,
    erasure,
    exports,
    ingest,
    pairing,
    provenance,
    report,
    semantic,
    sensors,
    splits,
    sync,
    weak,
)
from checks.annotation import annotation_checks
from checks.integrity import integrity_checks
from checks.pairs import pair_checks
from checks.schema_checks import schema_checks
from checks.semantic import semantic_checks
from checks.splits import split_checks
from checks.statistics import statistics_checks
from checks.timing import timing_checks
from dagster_project.dask_job import build_dataset_dask
from dagster_project.io_manager import TableIOManager
from dagster_project.partitions import source_partitions_sensor
from dagster_project.resources import CrosspairSettings

all_assets = load_assets_from_modules(
    [
        ingest,
        weak,
        pairing,
        semantic,
        annotation,
        alignment,
        sensors,
        sync,
        splits,
        exports,
        report,
        provenance,
        erasure,
    ]
)
all_checks = [
    *schema_checks,
    *integrity_checks,
    *statistics_checks,
    *pair_checks,
    *split_checks,
    *timing_checks,
    *semantic_checks,
    *annotation_checks,
]

build_job = define_asset_job(
    "build_dataset",
    selection=AssetSelection.all() - AssetSelection.assets("erasure_report"),
    description="Ingest, pair, validate, split and export every source.",
)

# Run by `crosspair forget` after an erasure, so it shows in the UI with what it removed.
erase_job = define_asset_job(
    "erase",
    selection=AssetSelection.assets("erasure_ledger", "erasure_report"),
    description="Record an erasure: the ledger and the report of what was removed.",
)

defs = Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[build_job, erase_job, build_dataset_dask],
    sensors=[source_partitions_sensor],
    resources={"settings": CrosspairSettings(), "io_manager": TableIOManager()},
    # Per-step processes cost ~4 s each on 2 cores; the build runs in one process by default.
    executor=in_process_executor,
)
