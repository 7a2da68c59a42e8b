"""Small row groups: the IO manager writes them when an asset asks, and readers skip the rest."""

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dagster import asset, materialize

from crosspair.versioned_tables import VersionedTables
from dagster_project.definitions import defs
from dagster_project.io_manager import TableIOManager


@asset(metadata={"parquet_options": {"row_group_size": 4, "compression": "zstd"}})
def keyed_rows() -> pd.DataFrame:
    return pd.DataFrame({"key": [f"k{n:02d}" for n in range(10)], "value": range(10)})


@asset
def plain_rows() -> pd.DataFrame:
    return pd.DataFrame({"key": [f"k{n:02d}" for n in range(10)]})


def test_the_io_manager_writes_the_row_groups_an_asset_asks_for(tmp_path):
    result = materialize(
        [keyed_rows, plain_rows], resources={"io_manager": TableIOManager(data_dir=str(tmp_path))}
    )
    assert result.success
    keyed = pq.read_metadata(tmp_path / "tables" / "keyed_rows.parquet")
    assert [keyed.row_group(i).num_rows for i in range(keyed.num_row_groups)] == [4, 4, 2]
    assert keyed.row_group(0).column(0).compression == "ZSTD"
    plain = pq.read_metadata(tmp_path / "tables" / "plain_rows.parquet")
    assert (plain.num_row_groups, plain.row_group(0).column(0).compression) == (1, "SNAPPY")


def test_the_lineage_index_asks_for_small_row_groups():
    index = defs.resolve_assets_def("lineage_index")
    metadata = index.specs_by_key[index.key].metadata
    assert metadata["parquet_options"] == {"row_group_size": 16_384, "compression": "zstd"}


def _write(tmp_path, rows: int, row_group_size: int):
    tables = tmp_path / "data" / "tables"
    tables.mkdir(parents=True)
    frame = pd.DataFrame({"key": [f"k{n:03d}" for n in range(rows)], "value": range(rows)})
    frame.to_parquet(tables / "t.parquet", index=False, row_group_size=row_group_size)
    return VersionedTables(tmp_path)


def test_a_two_pass_read_returns_the_matching_rows_of_every_group(tmp_path):
    tables = _write(tmp_path, 25, 4)
    wanted = pc.field("key").isin(["k002", "k013", "k014", "k024"])
    found = tables.read("t", ["value"], wanted, keys=["key"]).to_pydict()
    assert found == {"value": [2, 13, 14, 24]}
    assert tables.read("t", ["value"], wanted).to_pydict() == found  # statistics only
    nothing = tables.read("t", ["key", "value"], pc.field("key") == "zzz", keys=["key"])
    assert nothing.num_rows == 0 and nothing.column_names == ["key", "value"]
    assert tables.read("missing") is None
