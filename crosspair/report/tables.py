"""The tables a report reads, loaded from a build's ``tables/`` folder or passed in.

Timing tables (alignment, sync) are optional: a build made before they existed still gets a
report, with those sections marked as missing rather than silently empty.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crosspair.align.tables import ALIGNMENT_SUMMARY, WORD_ALIGNMENTS
from crosspair.export.webdataset import ItemFile
from crosspair.schemas import (
    CATALOGS,
    EXTRACTED_AUDIO,
    PAIRS,
    REJECTS,
    SPLIT_ASSIGNMENTS,
    SPLIT_EXCLUSIONS,
    UNPAIRED,
    empty_frame,
)
from crosspair.semantic.tables import PAIR_SCORES
from crosspair.sync.tables import SYNC_OFFSETS

log = logging.getLogger(__name__)

EXTRACTED = "extracted_audio"

REQUIRED = {"pairs": PAIRS, "split_assignments": SPLIT_ASSIGNMENTS, "rejects": REJECTS}
OPTIONAL = {
    "split_exclusions": SPLIT_EXCLUSIONS,
    "unpaired_items": UNPAIRED,
    "extracted_audio": EXTRACTED_AUDIO,
    "word_alignment": WORD_ALIGNMENTS,
    "alignment_summary": ALIGNMENT_SUMMARY,
    "sync_offsets": SYNC_OFFSETS,
    "pair_scores": PAIR_SCORES,
}


@dataclass
class ReportTables:
    """Everything the report shows; ``missing`` names optional tables the build lacked."""

    catalogs: dict[str, pd.DataFrame]
    pairs: pd.DataFrame
    split_assignments: pd.DataFrame
    rejects: pd.DataFrame
    split_exclusions: pd.DataFrame = field(default_factory=lambda: empty_frame(SPLIT_EXCLUSIONS))
    unpaired_items: pd.DataFrame = field(default_factory=lambda: empty_frame(UNPAIRED))
    extracted_audio: pd.DataFrame = field(default_factory=lambda: empty_frame(EXTRACTED_AUDIO))
    word_alignment: pd.DataFrame = field(default_factory=lambda: empty_frame(WORD_ALIGNMENTS))
    alignment_summary: pd.DataFrame = field(default_factory=lambda: empty_frame(ALIGNMENT_SUMMARY))
    sync_offsets: pd.DataFrame = field(default_factory=lambda: empty_frame(SYNC_OFFSETS))
    pair_scores: pd.DataFrame = field(default_factory=lambda: empty_frame(PAIR_SCORES))
    missing: tuple[str, ...] = ()

    def catalog(self, modality: str) -> pd.DataFrame:
        """The catalog of one modality (an empty frame when the build has none)."""
        if modality in self.catalogs:
            return self.catalogs[modality]
        return empty_frame(CATALOGS[modality])


def load_report_tables(data_dir: str | Path) -> ReportTables:
    """Read a build's Parquet tables; a missing required table is an error naming the file."""
    tables_dir = Path(data_dir) / "tables"
    frames: dict[str, pd.DataFrame] = {}
    for name in REQUIRED:
        path = tables_dir / f"{name}.parquet"
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found: build the dataset first (`crosspair build --data {data_dir}`)"
            )
        frames[name] = pd.read_parquet(path)

    missing = []
    for name in OPTIONAL:
        path = tables_dir / f"{name}.parquet"
        if path.is_file():
            frames[name] = pd.read_parquet(path)
        else:
            missing.append(name)
    if missing:
        log.warning("%s: no %s table(s); their report sections stay empty", tables_dir, missing)

    catalogs = {}
    for modality in CATALOGS:
        path = tables_dir / f"{modality}_catalog.parquet"
        catalogs[modality] = (
            pd.read_parquet(path) if path.is_file() else empty_frame(CATALOGS[modality])
        )
    return ReportTables(catalogs=catalogs, missing=tuple(missing), **frames)


class ItemLookup:
    """Catalog rows (and extracted audio tracks) of the items the listed pairs point at."""

    def __init__(self, tables: ReportTables, item_ids: set[str]):
        self.rows: dict[str, tuple[str, dict]] = {}
        frames = {**tables.catalogs, EXTRACTED: tables.extracted_audio}
        for table, frame in frames.items():
            for row in frame[frame["item_id"].isin(item_ids)].to_dict("records"):
                self.rows.setdefault(row["item_id"], (table, row))

    def get(self, item_id: str) -> tuple[str, dict] | None:
        return self.rows.get(item_id)

    def file(self, item_id: str) -> ItemFile | None:
        found = self.get(item_id)
        if found is None:
            return None
        table, row = found
        return ItemFile(table, item_id, row["source"], row["path"])


def plain(value):
    """pandas' missing values (NaN, NA) as None, so templates can test them."""
    return None if not isinstance(value, str) and pd.isna(value) else value


def indexed(frame: pd.DataFrame, key: str, keep: set[str]) -> dict[str, dict]:
    """Rows whose ``key`` is in ``keep``, by that key."""
    rows = frame[frame[key].isin(keep)].to_dict("records")
    return {row[key]: {name: plain(value) for name, value in row.items()} for row in rows}
