"""Read a build's tables from the working tree or, through DVC, from any git revision.

Older versions are read with ``DVCFileSystem`` at their tag (from the local cache, or the
remote when the cache lacks them), never by checking them out, so the workspace is untouched.
Reads take a column list and an Arrow filter so that a query on a large table loads only
the rows it needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

WORKSPACE = "workspace"
_ROW = "__row"

Where = ds.Expression | Callable[[pa.Table], pa.ChunkedArray]


class VersionedTables:
    """The tables of one dataset version: ``rev=None`` is the working tree."""

    def __init__(self, repo: str | Path, rev: str | None = None, data: str = "data"):
        self.repo = Path(repo).resolve()
        self.rev = rev
        self.data = PurePosixPath(data)
        self._fs = None

    @property
    def name(self) -> str:
        return self.rev or WORKSPACE

    def _relative(self, name: str) -> str:
        return str(self.data / "tables" / f"{name}.parquet")

    def _filesystem(self):
        if self._fs is None:
            from dvc.api import DVCFileSystem

            self._fs = DVCFileSystem(url=str(self.repo), rev=self.rev)
        return self._fs

    def exists(self, name: str) -> bool:
        if self.rev is None:
            return (self.repo / self._relative(name)).is_file()
        return self._filesystem().isfile(self._relative(name))

    def read(
        self,
        name: str,
        columns: list[str] | None = None,
        where: Where | None = None,
        keys: list[str] | None = None,
    ) -> pa.Table | None:
        """Table ``name`` (``<data>/tables/<name>.parquet``), or None when this version lacks it.

        An expression ``where`` is applied through Parquet statistics (row groups that cannot
        match are skipped). With ``keys``, the columns ``where`` reads, the working tree is read
        in two passes: ``keys`` alone first, then ``columns`` only of the row groups that
        matched. ``where`` may then also be a function from the key columns to a boolean mask;
        it gets them dictionary-encoded, so it can test each distinct value once.
        """
        if not self.exists(name):
            return None
        if self.rev is None:
            path = self.repo / self._relative(name)
            if pq.read_metadata(path).num_rows == 0:
                return pq.read_table(path, columns=columns)
            if keys is not None and where is not None:
                return _two_pass(path, columns, where, keys)
            dataset = ds.dataset(path, format="parquet")
            return dataset.to_table(columns=columns, filter=where)
        payload = self._filesystem().read_bytes(self._relative(name))
        table = pq.read_table(pa.BufferReader(payload))
        # an empty table may store its string columns as nulls, which no filter accepts
        if where is not None and table.num_rows:
            table = table.filter(where(table) if callable(where) else where)
        return table.select(columns) if columns is not None else table

    def read_bytes(self, relative: str) -> bytes:
        """Any file of this version, by path relative to the repository root."""
        if self.rev is None:
            return (self.repo / relative).read_bytes()
        return self._filesystem().read_bytes(relative)

    def close(self) -> None:
        if self._fs is not None:
            self._fs.close()
            self._fs = None


def _two_pass(path: Path, columns: list[str] | None, where: Where, keys: list[str]) -> pa.Table:
    """Rows matching ``where``: key columns read whole, other columns only where they match."""
    parquet = pq.ParquetFile(path)
    if callable(where):
        found = pq.ParquetFile(path, read_dictionary=keys).read(columns=keys)
        rows = pc.indices_nonzero(pc.fill_null(where(found), False)).to_numpy()
    else:
        found = parquet.read(columns=keys).append_column(
            _ROW, pa.array(np.arange(parquet.metadata.num_rows, dtype=np.int64))
        )
        rows = found.filter(where).column(_ROW).to_numpy()
    columns = columns if columns is not None else parquet.schema_arrow.names
    if len(rows) == 0:
        return parquet.schema_arrow.empty_table().select(columns)

    sizes = np.array(
        [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
    )
    starts = np.concatenate([[0], np.cumsum(sizes)])
    group_of = np.searchsorted(starts, rows, side="right") - 1
    groups = np.unique(group_of)
    table = parquet.read_row_groups(groups.tolist(), columns=columns)
    # where each row sits in the groups read, one after the other
    first = np.concatenate([[0], np.cumsum(sizes[groups])])[:-1]
    local = first[np.searchsorted(groups, group_of)] + rows - starts[group_of]
    return table.take(pa.array(local, type=pa.int64()))
