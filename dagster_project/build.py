"""Run the build job against a Dagster instance, configured per call (not by env).

A build is several runs of the ``build_dataset`` job, each shown in the Dagster UI:

1. the "sources" partitions are made to match the sources file (a removed source's partition
   files are deleted and its key removed);
2. one run per *stale* source materialises its discovery and catalog partitions; a source is
   fresh when its last materialisation recorded today's fingerprint and its files are intact
   (``dagster_project.partitions``);
3. the whole per-source tables are written (``tables/<asset>.parquet``), then one run
   materialises every asset without partitions and runs every check over all sources.

A build killed at any point and started again redoes what had not finished and ends with the
same bytes as an uninterrupted one: files are renamed into place, and only a recorded
materialisation makes a partition fresh.
"""

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dagster import (
    AssetKey,
    DagsterEvent,
    DagsterInstance,
    DagsterRunStatus,
    ExecuteInProcessResult,
    RunsFilter,
)

from assets.ingest import source_fingerprints
from crosspair.sources import SourcesError, load_sources
from dagster_project.definitions import defs
from dagster_project.io_manager import (
    drop_partition_files,
    process_alive,
    remove_leftover_temp_files,
    write_combined_table,
)
from dagster_project.partitions import stale_reason, sync_source_partitions
from dagster_project.resources import CrosspairSettings

log = logging.getLogger(__name__)

JOB_NAME = "build_dataset"
BUILD_TAG = "crosspair/build"  # one id for the runs of one build
PID_TAG = "crosspair/pid"  # the process that runs it, to spot runs of a killed build
HOST_TAG = "crosspair/host"


def build_run_config(
    sources: str | Path,
    data_dir: str | Path,
    workers: int = 0,
    engine: str = "local",
    dask_address: str = "",
) -> dict:
    """Run config that points the settings resource and the IO manager at one build.

    ``engine`` ('local' or 'dask') and ``dask_address`` choose where per-item work runs.
    """
    data = str(Path(data_dir).resolve())
    return {
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
        "resources": {
            "settings": {
                "config": {
                    "sources_path": str(Path(sources).resolve()),
                    "data_dir": data,
                    "workers": workers,
                    "engine_kind": engine,
                    "dask_address": dask_address,
                }
            },
            "io_manager": {"config": {"data_dir": data}},
        },
    }


@dataclass
class BuildReport:
    """What a build did: partitions materialised (and why), reused and dropped; its runs."""

    materialised: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    fresh: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    runs: list[ExecuteInProcessResult] = field(default_factory=list)
    complete: bool = False  # the run of the unpartitioned assets and the checks took place

    @property
    def success(self) -> bool:
        return self.complete and all(run.success for run in self.runs)

    @property
    def run_id(self) -> str:
        """The last run: the one that built the pair tables (and their provenance)."""
        return self.runs[-1].run_id

    @property
    def all_events(self) -> list[DagsterEvent]:
        return [event for run in self.runs for event in run.all_events]

    def get_asset_check_evaluations(self):
        return [e for run in self.runs for e in run.get_asset_check_evaluations()]

    def get_step_success_events(self) -> list[DagsterEvent]:
        return [e for run in self.runs for e in run.get_step_success_events()]


def build_incremental(
    sources: str | Path,
    data_dir: str | Path,
    instance: DagsterInstance,
    workers: int = 0,
    engine: str = "local",
    dask_address: str = "",
    full: bool = False,
) -> BuildReport:
    """Materialise the stale source partitions, then the rest; ``full`` treats all as stale.

    Failures are in the report, not raised; after a failed source run the rest is skipped.
    TODO: nothing stops two builds into one data folder at once (no lock).
    """
    config = load_sources(sources)  # the file and field named when it is wrong
    if not config.sources:
        raise SourcesError(f"{sources}: lists no sources; add at least one (docs/sources.md)")
    data = str(Path(data_dir).resolve())
    names = sorted(source.name for source in config.sources)
    remove_leftover_temp_files(data)
    _fail_runs_of_dead_builds(instance)
    report = BuildReport(dropped=_drop_removed_sources(instance, data, names))

    job = defs.resolve_job_def(JOB_NAME)
    graph = job.asset_layer.asset_graph
    partitioned = sorted(
        (key for key in job.asset_layer.selected_asset_keys if graph.get(key).partitions_def),
        key=AssetKey.to_user_string,
    )
    settings = CrosspairSettings(sources_path=str(Path(sources).resolve()), data_dir=data)
    for name, fingerprint in sorted(source_fingerprints(settings).items()):
        reason = (
            "full build"
            if full
            else stale_reason(instance, partitioned, name, fingerprint.digest, data)
        )
        if reason is None:
            report.fresh.append(name)
        else:
            report.reasons[name] = reason
    log.info(
        "sources to materialise: %s; reused: %s",
        ", ".join(f"{n} ({r})" for n, r in report.reasons.items()) or "none",
        ", ".join(report.fresh) or "none",
    )

    run_config = build_run_config(sources, data, workers, engine, dask_address)
    # the runs read the ledger the fingerprints above were taken with
    run_config["resources"]["settings"]["config"]["erasure_ledger"] = settings.erasure_ledger
    tags = {BUILD_TAG: uuid.uuid4().hex, PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    source_job = job.get_subset(asset_selection=set(partitioned), asset_check_selection=set())
    for name in report.reasons:
        result = source_job.execute_in_process(
            run_config=run_config,
            instance=instance,
            partition_key=name,
            raise_on_error=False,
            tags=tags,
        )
        report.runs.append(result)
        if not result.success:
            log.error("source %s failed (run %s); the rest is not built", name, result.run_id)
            return report
        report.materialised.append(name)

    # The whole tables, for DVC and every reader outside Dagster; assets read the partitions.
    # TODO: a partition materialised from the UI alone leaves these until the next build.
    for key in partitioned:
        write_combined_table(data, "__".join(key.path), names)
    rest_job = job.get_subset(
        asset_selection=job.asset_layer.selected_asset_keys - set(partitioned),
        asset_check_selection=set(graph.asset_check_keys),
    )
    report.runs.append(
        rest_job.execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False, tags=tags
        )
    )
    report.complete = True
    return report


def _drop_removed_sources(instance: DagsterInstance, data: str, names: list[str]) -> list[str]:
    """Delete partition files and keys of sources no longer in the sources file."""
    files = drop_partition_files(data, keep=names)  # files first: a key without files is stale
    removed = sorted(set(sync_source_partitions(instance, names).removed) | {p.stem for p in files})
    if removed:
        log.info("dropped the partitions of removed sources: %s", ", ".join(removed))
    return removed


def materialise_all(
    sources: str | Path,
    data_dir: str | Path,
    instance: DagsterInstance,
    workers: int = 0,
    engine: str = "local",
    dask_address: str = "",
) -> BuildReport:
    """Materialise every partition and asset and run every check; failures are in the report."""
    return build_incremental(sources, data_dir, instance, workers, engine, dask_address, full=True)


def _fail_runs_of_dead_builds(instance: DagsterInstance) -> None:
    """Mark as failed the runs a killed build left 'started' on this machine."""
    runs = instance.get_runs(
        filters=RunsFilter(
            statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING],
            tags={HOST_TAG: socket.gethostname()},
        )
    )
    for run in runs:
        pid = int(run.tags.get(PID_TAG, "0"))
        if pid and pid != os.getpid() and not process_alive(pid):
            instance.report_run_failed(
                run, message=f"the build process {pid} died; a later build redid its work"
            )


def failed_checks(result: BuildReport, severity: str = "ERROR") -> list[str]:
    """'asset:check' names of checks that failed with the given severity."""
    return sorted(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity.value == severity
    )


def failure_tables(result: BuildReport, max_lines: int = 12) -> dict[str, str]:
    """The first lines of each failed check's 'failing rows' table, by 'asset:check'."""
    tables = {}
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        entry = evaluation.metadata.get("failing rows")
        text = str(entry.value) if entry is not None else ""
        lines = text.splitlines()
        if len(lines) > max_lines:
            lines = [*lines[:max_lines], f"... ({len(lines) - max_lines} more lines in Dagster)"]
        tables[f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"] = "\n".join(
            lines
        )
    return tables
