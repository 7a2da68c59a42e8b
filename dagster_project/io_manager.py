"""Stores asset values as files under the data folder, where DVC versions them.

Tables become ``tables/<asset>.parquet`` and text values ``tables/<asset>.md``; a partition of
a per-source asset becomes ``tables/partitions/<asset>/<source>.parquet``. Every file is written
to a temporary name and renamed into place, so a killed build leaves either the old file or
the new one, never half of one. Bytes are stable for equal inputs, so two builds of the same
sources give identical files.

A downstream asset without partitions reads all partitions of a per-source table concatenated
in source order, which is the row order of the whole table (every table sorts by source
first); ``write_combined_table`` writes that same concatenation as ``tables/<asset>.parquet``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
from dagster import ConfigurableIOManager, InputContext, OutputContext
from pydantic import Field

log = logging.getLogger(__name__)

PARTITIONS = "partitions"
# .<final name>.<pid>.<random>.tmp, next to the file it becomes
_TEMP_NAME = re.compile(r"^\.(?P<final>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")
_PARTITION_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def table_path(data_dir: str | Path, asset_name: str, suffix: str = ".parquet") -> Path:
    """Where the whole table of an asset lives."""
    return Path(data_dir) / "tables" / f"{asset_name}{suffix}"


def partition_path(data_dir: str | Path, asset_name: str, key: str) -> Path:
    """Where one partition (one source) of a per-source table lives."""
    if not _PARTITION_KEY.match(key):
        raise ValueError(f"partition key {key!r} cannot name a file; use a source name")
    return Path(data_dir) / "tables" / PARTITIONS / asset_name / f"{key}.parquet"


def write_atomically(path: Path, write: Callable[[Path], None]) -> str:
    """Write through ``write(temp_path)``, fsync, rename onto ``path``; returns the sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(temp)
        with temp.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return digest


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def remove_leftover_temp_files(data_dir: str | Path) -> list[Path]:
    """Delete temporary files of writers that died (their process is gone); returns them."""
    tables = Path(data_dir) / "tables"
    removed = []
    for path in sorted(tables.rglob(".*.tmp")):
        match = _TEMP_NAME.match(path.name)
        pid = int(match["pid"]) if match else 0
        # our own earlier writes all finished or cleaned up after themselves
        if match and (pid == os.getpid() or not process_alive(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        log.info("removed %d temporary files left by a killed build", len(removed))
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def concat_partitions(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Partitions as one table, with the dtypes the table would have had if built whole.

    Empty partitions add no rows; a column that is all null in one partition (object) takes
    the dtype it has where it holds values, as it would in a frame built from all the rows.
    """
    if not frames:
        raise ValueError("no partitions to concatenate")
    parts = [frame for frame in frames if len(frame)] or frames[:1]
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    target = {}
    for frame in parts:
        for column in frame.columns:
            if column not in target and frame[column].notna().any():
                target[column] = frame[column].dtype
    aligned = []
    for frame in parts:
        casts = {
            column: dtype
            for column, dtype in target.items()
            if column in frame and frame[column].dtype != dtype and frame[column].isna().all()
        }
        aligned.append(frame.astype(casts) if casts else frame)
    return pd.concat(aligned, ignore_index=True)


def read_partitions(data_dir: str | Path, asset_name: str, keys: Iterable[str]) -> pd.DataFrame:
    """The partitions of ``keys`` concatenated in sorted key (source) order."""
    keys = sorted(keys)
    if not keys:
        raise FileNotFoundError(
            f"asset '{asset_name}' has no partitions: no sources are registered; run "
            "`crosspair build --sources FILE` (it registers one partition per source)"
        )
    frames = []
    for key in keys:
        path = partition_path(data_dir, asset_name, key)
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found: materialise partition '{key}' of asset '{asset_name}' "
                "first (`crosspair build` does)"
            )
        frames.append(pd.read_parquet(path))
    return concat_partitions(frames)


def write_combined_table(data_dir: str | Path, asset_name: str, keys: Iterable[str]) -> Path:
    """Write ``tables/<asset>.parquet`` as the concatenation of its partitions."""
    table = read_partitions(data_dir, asset_name, keys)
    path = table_path(data_dir, asset_name)
    write_atomically(path, lambda temp: table.to_parquet(temp, index=False))
    return path


def drop_partition_files(data_dir: str | Path, keep: Iterable[str]) -> list[Path]:
    """Delete partition files of sources not in ``keep`` (sources removed from the file)."""
    folder = Path(data_dir) / "tables" / PARTITIONS
    keep = set(keep)
    dropped = [path for path in sorted(folder.glob("*/*.parquet")) if path.stem not in keep]
    for path in dropped:
        path.unlink()
    return dropped


class TableIOManager(ConfigurableIOManager):
    """Parquet for DataFrames, Markdown for strings; one file per source partition."""

    data_dir: str = Field(default_factory=lambda: os.environ.get("CROSSPAIR_DATA", "data"))

    def _path(self, key_path: list[str], suffix: str) -> Path:
        return table_path(self.data_dir, "__".join(key_path), suffix)

    def handle_output(self, context: OutputContext, obj) -> None:
        if obj is None:
            return
        name = "__".join(context.asset_key.path)
        if context.has_asset_partitions:
            path = partition_path(self.data_dir, name, self._one_partition(context))
            if not isinstance(obj, pd.DataFrame):
                raise TypeError(f"{name}: a partition must be a DataFrame, not {type(obj)}")
        elif isinstance(obj, pd.DataFrame):
            path = self._path(context.asset_key.path, ".parquet")
        elif isinstance(obj, str):
            path = self._path(context.asset_key.path, ".md")
        else:
            raise TypeError(f"{context.asset_key.to_user_string()}: cannot store {type(obj)}")

        if isinstance(obj, pd.DataFrame):
            # an asset may set pyarrow write options, e.g. small row groups for a sorted index
            options = (context.definition_metadata or {}).get("parquet_options") or {}
            digest = write_atomically(
                path, lambda temp: obj.to_parquet(temp, index=False, **options)
            )
        else:
            digest = write_atomically(path, lambda temp: temp.write_text(obj, encoding="utf-8"))
        context.add_output_metadata({"path": str(path), "sha256": digest})

    @staticmethod
    def _one_partition(context: OutputContext) -> str:
        keys = context.asset_partition_keys
        if len(keys) != 1:
            raise ValueError(
                f"{context.asset_key.to_user_string()}: a run stores one source partition at a "
                f"time, not {len(keys)}; launch one run per source"
            )
        return keys[0]

    def load_input(self, context: InputContext):
        key_path = context.upstream_output.asset_key.path
        if context.has_asset_partitions:
            keys = context.asset_partition_keys
            if context.has_partition_key and context.partition_key in keys:
                # Dagster checks a partitioned asset as a whole, also in a run of one source
                # (as the UI launches them); there the check sees that source only, since the
                # other sources may not be materialised yet
                keys = [context.partition_key]
            return read_partitions(self.data_dir, "__".join(key_path), keys)
        table = self._path(key_path, ".parquet")
        if table.is_file():
            return pd.read_parquet(table)
        text = self._path(key_path, ".md")
        if text.is_file():
            return text.read_text(encoding="utf-8")
        raise FileNotFoundError(
            f"{table} not found: materialise asset '{'/'.join(key_path)}' first"
        )
