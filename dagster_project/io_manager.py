"""Stores asset values as files under the data folder, where DVC versions them.

Tables become ``tables/<asset>.parquet`` and text values ``tables/<asset>.md``; bytes are
stable for equal inputs, so two builds of the same sources give identical files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from dagster import ConfigurableIOManager, InputContext, OutputContext
from pydantic import Field


class TableIOManager(ConfigurableIOManager):
    """Parquet for DataFrames, Markdown for strings."""

    data_dir: str = Field(default_factory=lambda: os.environ.get("CROSSPAIR_DATA", "data"))

    def _path(self, key_path: list[str], suffix: str) -> Path:
        return Path(self.data_dir) / "tables" / ("__".join(key_path) + suffix)

    def handle_output(self, context: OutputContext, obj) -> None:
        if obj is None:
            return
        if isinstance(obj, pd.DataFrame):
            path = self._path(context.asset_key.path, ".parquet")
            path.parent.mkdir(parents=True, exist_ok=True)
            # an asset may set pyarrow write options, e.g. small row groups for a sorted index
            options = (context.definition_metadata or {}).get("parquet_options") or {}
            obj.to_parquet(path, index=False, **options)
        elif isinstance(obj, str):
            path = self._path(context.asset_key.path, ".md")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(obj, encoding="utf-8")
        else:
            raise TypeError(f"{context.asset_key.to_user_string()}: cannot store {type(obj)}")
        context.add_output_metadata({"path": str(path)})

    def load_input(self, context: InputContext):
        key_path = context.upstream_output.asset_key.path
        table = self._path(key_path, ".parquet")
        if table.is_file():
            return pd.read_parquet(table)
        text = self._path(key_path, ".md")
        if text.is_file():
            return text.read_text(encoding="utf-8")
        raise FileNotFoundError(
            f"{table} not found: materialise asset '{'/'.join(key_path)}' first"
        )
