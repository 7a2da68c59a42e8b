"""The lineage index: every item and every subject, with the pairs, splits and shards that hold it.

One row per (key, pair, side), where the key is an item id or ``subject:`` and a subject id,
sorted by key and stored in small row groups: the Parquet statistics then let a reader skip all
but one row group, so "where is item X?" reads a few thousand rows, not the whole pair table.

>>> lineage_index(pairs, assignments, shards, catalogs, extracted)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from crosspair.schemas import LINEAGE_INDEX, empty_frame

log = logging.getLogger(__name__)

SUBJECT = "subject:"
ROW_GROUP_ROWS = 16_384  # a lookup reads one group: ~16k rows, a few milliseconds
# how the index is written: zstd stores hex ids in about 60% of what snappy needs
PARQUET_OPTIONS = {"row_group_size": ROW_GROUP_ROWS, "compression": "zstd"}


def subject_key(subject_id: str) -> str:
    """The index key of a subject (item ids are hex, so they never start with it)."""
    return SUBJECT + subject_id


def _items(catalogs: Mapping[str, pd.DataFrame], extracted_audio: pd.DataFrame | None):
    """item_id, item_table and subject_ids of every catalogued item and extracted track."""
    frames = [
        catalog[["item_id", "subject_ids"]].assign(item_table=f"{name}_catalog")
        for name, catalog in sorted(catalogs.items())
        if len(catalog)
    ]
    if extracted_audio is not None and len(extracted_audio):
        # an extracted track belongs to the people of its video
        video = catalogs.get("video")
        owners = (
            video.set_index("item_id")["subject_ids"]
            if video is not None
            else pd.Series(dtype=object)
        )
        subjects = extracted_audio["video_id"].map(owners).fillna("")
        frames.append(
            pd.DataFrame(
                {
                    "item_id": extracted_audio["item_id"],
                    "subject_ids": subjects,
                    "item_table": "extracted_audio",
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["item_id", "subject_ids", "item_table"])
    return pd.concat(frames, ignore_index=True).drop_duplicates("item_id")


def _shard_of_pair(shards: pd.DataFrame) -> pd.Series:
    samples = shards[["shard", "pair_ids"]].assign(pair_id=shards["pair_ids"].str.split(";"))
    samples = samples.explode("pair_id")
    return samples.drop_duplicates("pair_id").set_index("pair_id")["shard"]


def lineage_index(
    pairs: pd.DataFrame,
    assignments: pd.DataFrame,
    shards: pd.DataFrame,
    catalogs: Mapping[str, pd.DataFrame],
    extracted_audio: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``LINEAGE_INDEX`` rows: each pair under its two items and under their subjects."""
    if pairs.empty:
        return empty_frame(LINEAGE_INDEX)
    items = _items(catalogs, extracted_audio)
    sides = pd.concat(
        [
            pd.DataFrame(
                {
                    "item_id": pairs[f"{side}_id"].to_numpy(),
                    "pair_id": pairs["pair_id"].to_numpy(),
                    "group_id": pairs["group_id"].to_numpy(),
                    "side": side,
                }
            )
            for side in ("left", "right")
        ],
        ignore_index=True,
    )
    sides = sides.merge(items, on="item_id", how="left")
    sides["item_table"] = sides["item_table"].fillna("")
    sides["subject_ids"] = sides["subject_ids"].fillna("")

    by_item = sides.assign(key=sides["item_id"])
    with_subjects = sides[sides["subject_ids"] != ""]
    by_subject = with_subjects.assign(subject=with_subjects["subject_ids"].str.split(";"))
    by_subject = by_subject.explode("subject")
    by_subject["key"] = SUBJECT + by_subject["subject"]

    index = pd.concat([by_item, by_subject], ignore_index=True)
    index["split"] = index["pair_id"].map(assignments.set_index("pair_id")["split"]).fillna("")
    index["shard"] = index["pair_id"].map(_shard_of_pair(shards)).fillna("") if len(shards) else ""
    index = index.sort_values(["key", "pair_id", "side"], kind="mergesort")
    index = index[list(LINEAGE_INDEX.columns)].reset_index(drop=True)
    log.info(
        "lineage index: %d rows for %d pairs (%d subject rows)",
        len(index),
        len(pairs),
        len(by_subject),
    )
    return index
