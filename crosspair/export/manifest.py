"""Per-split Parquet manifests: one row per pair with both sides' paths, hashes and licences.

They let a reader filter pairs (by licence, source, method) without opening a shard, and
their bytes are deterministic so DVC sees no change when nothing changed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crosspair.export.item_index import item_index
from crosspair.schemas import SPLIT_MANIFEST, SPLITS

logger = logging.getLogger(__name__)

_SIDE_FIELDS = ["modality", "kind", "path", "sha256", "licence", "subject_ids", "text"]
ARROW_SCHEMA = pa.schema([(name, pa.string()) for name in SPLIT_MANIFEST.columns])


def manifest_rows(
    pairs: pd.DataFrame,
    assignments: pd.DataFrame,
    catalogs: Mapping[str, pd.DataFrame],
    extracted_audio: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assigned pairs joined with both sides' catalog rows, in SPLIT_MANIFEST columns."""
    index = item_index(catalogs, extracted_audio)[_SIDE_FIELDS]
    table = pairs.merge(
        assignments[["pair_id", "leakage_group", "split"]], on="pair_id", how="inner"
    )
    for side in ("left", "right"):
        missing = sorted(set(table[f"{side}_id"]) - set(index.index))
        if missing:
            raise KeyError(
                f"{len(missing)} {side} items are in no catalog (first: {missing[0]}); pass "
                "every catalog the pairs use, and extracted_audio for audio taken from videos"
            )
        sides = index.add_prefix(f"{side}_").drop(columns=f"{side}_modality")
        table = table.merge(sides, left_on=f"{side}_id", right_index=True, how="left")
    table = table[list(SPLIT_MANIFEST.columns)].sort_values("pair_id").reset_index(drop=True)
    return SPLIT_MANIFEST.validate(table)


def write_split_manifests(
    pairs: pd.DataFrame,
    assignments: pd.DataFrame,
    catalogs: Mapping[str, pd.DataFrame],
    out_dir: str | Path,
    extracted_audio: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write ``{split}.parquet`` for every split (empty ones too, so readers find all three)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = manifest_rows(pairs, assignments, catalogs, extracted_audio)

    written = {}
    for split in SPLITS:
        part = rows[rows["split"] == split]
        arrow = pa.Table.from_pandas(part, schema=ARROW_SCHEMA, preserve_index=False)
        path = out_dir / f"{split}.parquet"
        pq.write_table(arrow, path, compression="zstd")
        written[split] = path
        logger.info("manifest %s: %d pairs", path, len(part))
    return written
