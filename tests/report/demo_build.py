"""Helpers of the report tests: a demo build on disk and the counts its tables hold."""

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crosspair.export.webdataset import Resolve


@dataclass
class DemoBuild:
    root: Path
    sources: Path
    data_dir: Path
    roots: dict[str, Path]
    resolve: Resolve
    dagster_home: Path  # the build's instance: it knows the per-source partitions

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.data_dir / "tables" / f"{name}.parquet")


def html_counts(html: str) -> dict[str, int]:
    """``{key: value}`` of every ``<span id="count-KEY">VALUE</span>`` in a page."""
    return {
        key: int(value)
        for key, value in re.findall(r'<span[^>]*\bid="count-([\w-]+)"[^>]*>(\d+)</span>', html)
    }


def expected_counts(build: DemoBuild) -> dict[str, int]:
    """Headline counts straight from the build's Parquet tables."""
    counts = {}
    for modality in ("image", "audio", "video", "mesh", "sensor", "text", "code"):
        counts[f"items-{modality}"] = len(build.table(f"{modality}_catalog"))
    counts["items"] = sum(counts.values())
    pairs = build.table("pairs")
    assigned = build.table("split_assignments").merge(pairs[["pair_id"]], on="pair_id")
    counts["pairs"] = len(pairs)
    for split in ("train", "val", "test"):
        counts[f"pairs-{split}"] = int((assigned["split"] == split).sum())
    counts["pairs-excluded"] = len(build.table("split_exclusions"))
    counts["rejects"] = len(build.table("rejects"))
    counts["unpaired"] = len(build.table("unpaired_items"))
    counts["aligned-pairs"] = len(build.table("alignment_summary"))
    counts["synced-pairs"] = len(build.table("sync_offsets"))
    return counts


def copy_tables(build: DemoBuild, target: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """A data folder holding a copy of the build's tables, some left out."""
    (target / "tables").mkdir(parents=True)
    for table in (build.data_dir / "tables").glob("*.parquet"):
        if table.stem not in leave_out:
            shutil.copy(table, target / "tables" / table.name)
    return target
