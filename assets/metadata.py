"""Readable Dagster metadata: counts, small preview tables, breakdowns."""

from __future__ import annotations

import pandas as pd
from dagster import AssetIn, MetadataValue

PREVIEW_ROWS = 10


def markdown_table(frame: pd.DataFrame, rows: int = PREVIEW_ROWS) -> MetadataValue:
    """A preview of at most ``rows`` rows, long cells shortened."""
    if frame.empty:
        return MetadataValue.md("_(no rows)_")
    preview = frame.head(rows).copy()
    for column in preview.columns:
        preview[column] = preview[column].map(lambda v: _short(v))
    return MetadataValue.md(preview.to_markdown(index=False))


def _short(value, width: int = 60) -> str:
    text = str(value).replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def counts_by(frame: pd.DataFrame, *columns: str) -> MetadataValue:
    """Row counts per value of the given columns, as a Markdown table."""
    if frame.empty:
        return MetadataValue.md("_(no rows)_")
    counts = frame.groupby(list(columns)).size().reset_index(name="rows")
    return MetadataValue.md(counts.to_markdown(index=False))


def table_metadata(frame: pd.DataFrame, label: str, *by: str) -> dict:
    """The usual metadata of a table asset: its row count, a breakdown and a preview."""
    metadata = {f"# Rows ({label})": len(frame), "preview": markdown_table(frame)}
    if by and not frame.empty:
        metadata["by " + ", ".join(by)] = counts_by(frame, *by)
    return metadata


PAIRED_MODALITIES = ("image", "audio", "video", "mesh", "text", "code")
ALL_MODALITIES = ("image", "audio", "video", "mesh", "sensor", "text", "code")


def catalog_ins(*modalities: str, **others: str) -> dict[str, AssetIn]:
    """Asset inputs for the given catalogs (default: every catalog a pair can point at)."""
    names = [f"{m}_catalog" for m in (modalities or PAIRED_MODALITIES)]
    return {
        **{name: AssetIn(name) for name in names},
        **{name: AssetIn(key) for name, key in others.items()},
    }


def by_modality(tables: dict) -> dict:
    """``{'image_catalog': df, ...}`` → ``{'image': df, ...}``, other inputs dropped."""
    return {
        name.removesuffix("_catalog"): table
        for name, table in tables.items()
        if name.endswith("_catalog")
    }
