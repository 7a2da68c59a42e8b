"""The Dagster side of an erasure: purge run history that names erased data, run ``erase``.

Run history matters because asset metadata holds previews (the first rows of a catalog, with
paths and subject ids), so the runs of every earlier build can name the person. Runs whose
stored events or compute logs contain erased ids, hashes or paths are deleted, with their
per-run event database, their logs, their check results and any asset record whose latest
materialization came from them; the SQLite files are then vacuumed so no freed page keeps
the bytes. Only SQLite instance storage (what ``crosspair build`` sets up) can be purged.
"""

import logging
import shutil
import sqlite3
from pathlib import Path

from dagster import DagsterInstance, ExecuteInProcessResult

from crosspair.erasure.plan import Action
from dagster_project.definitions import defs

log = logging.getLogger(__name__)

ERASE_JOB = "erase"


class DagsterRunHistory:
    """The runs of one Dagster instance folder (``.dagster`` of the dataset repo)."""

    def __init__(self, home: Path):
        self.home = Path(home)

    def _instance(self) -> DagsterInstance:
        return DagsterInstance.from_config(str(self.home))

    def _storage(self, instance: DagsterInstance):
        from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
            SqliteEventLogStorage,
        )

        storage = instance.event_log_storage
        return storage if isinstance(storage, SqliteEventLogStorage) else None

    def _files(self, storage, run_id: str) -> list[Path]:
        files = [Path(storage.path_for_shard(run_id))]
        logs = self.home / "storage" / run_id
        files += sorted(p for p in logs.rglob("*") if p.is_file()) if logs.is_dir() else []
        return [p for p in files if p.is_file()]

    def runs_holding(self, needles: set[str]) -> list[str]:
        """Runs whose event database or compute logs contain any of the needles."""
        if not self.home.is_dir() or not needles:
            return []
        encoded = [n.encode() for n in needles]
        with self._instance() as instance:
            storage = self._storage(instance)
            if storage is None:
                log.warning("%s: run storage is not SQLite; run history not purged", self.home)
                return []
            found = []
            for run in instance.get_runs():
                for path in self._files(storage, run.run_id):
                    data = path.read_bytes()
                    if any(needle in data for needle in encoded):
                        found.append(run.run_id)
                        break
        log.info("%d Dagster runs name erased data", len(found))
        return sorted(found)

    def apply(self, action: Action) -> bool:
        """Delete one run with everything stored for it; False if it was already gone."""
        from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable

        run_id = action.path
        changed = False
        with self._instance() as instance:
            storage = self._storage(instance)
            if instance.get_run_by_id(run_id) is not None:
                stale = [
                    record.asset_entry.asset_key
                    for record in instance.get_asset_records()
                    if record.asset_entry.last_run_id == run_id
                ]
                instance.delete_run(run_id)
                if stale:
                    instance.wipe_assets(stale)
                changed = True
            if storage is not None:
                with storage.index_connection() as conn:
                    conn.execute(
                        AssetCheckExecutionsTable.delete().where(
                            AssetCheckExecutionsTable.c.run_id == run_id
                        )
                    )
                for path in self._files(storage, run_id):
                    path.unlink()
                    changed = True
        logs = self.home / "storage" / run_id
        if logs.is_dir():
            shutil.rmtree(logs)
            changed = True
        return changed

    def finish(self) -> None:
        """VACUUM every SQLite file of the instance, so deleted rows leave no bytes behind."""
        for path in sorted(self.home.rglob("*.db")):
            with sqlite3.connect(path) as conn:
                conn.execute("VACUUM")
            log.info("vacuumed %s", path)


def run_erase_job(
    report: Path, ledger: Path, instance: DagsterInstance, request_id: str
) -> ExecuteInProcessResult:
    """Materialise ``erasure_ledger`` and ``erasure_report`` so the erasure shows in the UI."""
    job = defs.resolve_job_def(ERASE_JOB)
    return job.execute_in_process(
        run_config={
            "resources": {"settings": {"config": {"erasure_ledger": str(ledger)}}},
            "ops": {"erasure_report": {"config": {"report": str(report)}}},
        },
        instance=instance,
        tags={"crosspair/erasure_request": request_id},
    )
