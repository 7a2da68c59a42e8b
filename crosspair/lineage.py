"""Lineage audit: which versions, splits, shards and pairs hold an item or a subject's items.

Answers requests such as "where is this image used?" or "which releases carry speaker 61?" by
reading each release's tables through DVC at its tag (see ``crosspair.releases``) and the
working tree's tables from disk. A version with a ``lineage_index`` table (see
``crosspair.lineage_index``) is answered from one row group of it; an older version without
one is answered by scanning its pairs, split assignments and shard index.

>>> for hits in audit(".", subject_id="61"):  # doctest: +SKIP
...     print(hits.version, len(hits.pairs))
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from crosspair.lineage_index import subject_key
from crosspair.releases import read_index
from crosspair.schemas import CATALOGS
from crosspair.versioned_tables import VersionedTables

log = logging.getLogger(__name__)

CATALOG_TABLES = (*(f"{modality}_catalog" for modality in CATALOGS), "extracted_audio")
ITEM_COLUMNS = ["item_id", "table", "source", "modality", "path", "subject_ids"]
# one row per pair; ``matched`` says which side holds the item(s) asked about, ``item_ids``
# which items those are; the pair's WebDataset sample is keyed by its group_id
HIT_COLUMNS = ["pair_id", "group_id", "matched", "item_ids", "split", "shard"]
EXCLUDED = "(excluded)"


class LineageError(Exception):
    """A version that cannot be read; the message names it and the way out."""


@dataclass
class VersionHits:
    """What one version holds of the item or subject asked about."""

    version: str
    commit: str
    items: pd.DataFrame  # ITEM_COLUMNS
    pairs: pd.DataFrame  # HIT_COLUMNS

    def to_dict(self) -> dict:
        return {
            "version": self.version,
            "commit": self.commit,
            "items": self.items.to_dict("records"),
            "pairs": self.pairs.to_dict("records"),
        }


def _isin(column: str, values: list[str]) -> ds.Expression:
    # typed, so that an empty list is still a list of strings
    return pc.field(column).isin(pa.array(values, type=pa.string()))


def _subject_mask(subject_id: str):
    """A mask function over ``subject_ids``, a ';'-joined list: whole entries match only
    ("61" is not "612"), and each distinct value of a dictionary column is tested once."""
    if not subject_id or ";" in subject_id:
        raise ValueError(f"subject id {subject_id!r}: give one non-empty id without ';'")
    pattern = f"(^|;){re.escape(subject_id)}(;|$)"

    def mask(table: pa.Table) -> pa.ChunkedArray:
        chunks = []
        for chunk in table.column("subject_ids").chunks:
            if pa.types.is_dictionary(chunk.type):
                hits = pc.match_substring_regex(chunk.dictionary, pattern=pattern)
                chunks.append(pc.take(hits, chunk.indices))
            else:
                chunks.append(pc.match_substring_regex(chunk, pattern=pattern))
        return pa.chunked_array(chunks, type=pa.bool_())

    return mask


def _items(
    tables: VersionedTables,
    item_id: str | None,
    subject_id: str | None,
    names: tuple[str, ...] = CATALOG_TABLES,
) -> pd.DataFrame:
    """Catalog rows of the item, or of the subject (with audio extracted from its videos)."""
    where, keys = (
        (pc.field("item_id") == item_id, ["item_id"])
        if item_id is not None
        else (_subject_mask(subject_id), ["subject_ids"])
    )
    columns = ["item_id", "source", "modality", "path", "subject_ids"]
    frames = []
    for name in names:
        if name == "extracted_audio":
            continue
        found = tables.read(name, columns, where, keys)
        if found is not None and found.num_rows:
            frames.append(found.to_pandas().assign(table=name))
    items = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ITEM_COLUMNS)

    if "extracted_audio" in names:
        # extracted audio has no subject column: it belongs to the people of its video
        owners = items.loc[items["modality"] == "video"].set_index("item_id")["subject_ids"]
        if item_id is None:
            where, keys = _isin("video_id", owners.index.tolist()), ["video_id"]
        extracted = tables.read(
            "extracted_audio", ["item_id", "video_id", "source", "path"], where, keys
        )
        if extracted is not None and extracted.num_rows:
            extracted = extracted.to_pandas()
            extracted = extracted.assign(
                table="extracted_audio",
                modality="audio",
                subject_ids=extracted["video_id"].map(owners).fillna(""),
            )
            items = pd.concat([items, extracted.drop(columns="video_id")], ignore_index=True)
    return items.reindex(columns=ITEM_COLUMNS).drop_duplicates("item_id").reset_index(drop=True)


def _collapse(sides: pd.DataFrame) -> pd.DataFrame:
    """Rows of (pair, side, item, split, shard) → one HIT row per pair."""
    if sides.empty:
        return pd.DataFrame(columns=HIT_COLUMNS)
    grouped = sides.sort_values(["pair_id", "side", "item_id"]).groupby("pair_id", sort=False)
    hits = grouped.agg(
        group_id=("group_id", "first"),
        sides=("side", "nunique"),
        side=("side", "first"),
        item_ids=("item_id", lambda ids: ";".join(dict.fromkeys(ids))),
        split=("split", "first"),
        shard=("shard", "first"),
    ).reset_index()
    hits["matched"] = hits["side"].where(hits["sides"] == 1, "both")
    hits["split"] = hits["split"].replace("", EXCLUDED)
    hits = hits.sort_values(["split", "group_id", "pair_id"]).reset_index(drop=True)
    return hits[HIT_COLUMNS]


def _hits_from_index(tables: VersionedTables, key: str) -> pd.DataFrame | None:
    """The pairs under ``key`` in this version's lineage index; None when it has no index."""
    found = tables.read("lineage_index", None, pc.field("key") == key)
    if found is None:
        return None
    return found.to_pandas()


def _hits_by_scan(tables: VersionedTables, item_ids: list[str]) -> pd.DataFrame:
    """The same rows as the index gives, from the pairs, split and shard tables themselves."""
    columns = ["pair_id", "group_id", "item_id", "side", "split", "shard", "item_table"]
    if not item_ids:
        return pd.DataFrame(columns=columns)
    touching = _isin("left_id", item_ids) | _isin("right_id", item_ids)
    found = tables.read(
        "pairs", ["pair_id", "group_id", "left_id", "right_id"], touching, ["left_id", "right_id"]
    )
    if found is None or not found.num_rows:
        return pd.DataFrame(columns=columns)
    pairs = found.to_pandas()
    sides = pd.concat(
        [
            pairs[pairs[f"{side}_id"].isin(item_ids)]
            .rename(columns={f"{side}_id": "item_id"})
            .assign(side=side)[["pair_id", "group_id", "item_id", "side"]]
            for side in ("left", "right")
        ],
        ignore_index=True,
    )

    pair_ids = pairs["pair_id"].tolist()
    splits = tables.read(
        "split_assignments", ["pair_id", "split"], _isin("pair_id", pair_ids), ["pair_id"]
    )
    split_of = splits.to_pandas().set_index("pair_id")["split"] if splits is not None else {}
    sides["split"] = sides["pair_id"].map(split_of).fillna("")

    groups = pairs["group_id"].unique().tolist()
    shards = tables.read(
        "webdataset_shards", ["shard", "pair_ids"], _isin("group_id", groups), ["group_id"]
    )
    shard_of = {}
    if shards is not None:
        for row in shards.to_pylist():
            shard_of.update(dict.fromkeys(row["pair_ids"].split(";"), row["shard"]))
    sides["shard"] = sides["pair_id"].map(shard_of).fillna("")
    return sides


def audit_version(
    tables: VersionedTables,
    *,
    item_id: str | None = None,
    subject_id: str | None = None,
    commit: str = "",
    use_index: bool = True,
) -> VersionHits:
    """The items matching the query in one version, and every pair that holds them."""
    if (item_id is None) == (subject_id is None):
        raise ValueError("give exactly one of item_id or subject_id")
    key = item_id if item_id is not None else subject_key(subject_id)
    sides = _hits_from_index(tables, key) if use_index else None

    if sides is not None and item_id is not None:
        # the index names the item's catalog: read only that one (all, if it is unpaired)
        names = tuple(sorted(set(sides["item_table"]) - {""})) or CATALOG_TABLES
        items = _items(tables, item_id, None, names)
    else:
        items = _items(tables, item_id, subject_id)
    if sides is None:
        ids = items["item_id"].tolist()
        if item_id is not None and item_id not in ids:
            ids.append(item_id)  # paired but in no catalog: still worth finding
        sides = _hits_by_scan(tables, ids)
    return VersionHits(tables.name, commit, items, _collapse(sides))


def _commit(repo: Path, rev: str | None) -> str:
    target = f"{rev}^{{commit}}" if rev else "HEAD"
    done = subprocess.run(
        ["git", "rev-parse", "--short", target], cwd=repo, capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def audit(
    repo: str | Path,
    *,
    item_id: str | None = None,
    subject_id: str | None = None,
    data: str = "data",
    releases: bool = True,
) -> list[VersionHits]:
    """Every release listed in ``releases/index.jsonl`` (oldest first), then the workspace."""
    repo = Path(repo).resolve()
    tags = [entry["tag"] for entry in read_index(repo)] if releases else []
    results = []
    for rev in [*tags, None]:
        tables = VersionedTables(repo, rev, data=data)
        try:
            hits = audit_version(
                tables, item_id=item_id, subject_id=subject_id, commit=_commit(repo, rev)
            )
        except (ValueError, KeyError):
            raise
        except Exception as err:
            if rev is None:
                raise
            raise LineageError(
                f"release {rev}: cannot read {data}/tables through DVC ({err}); fetch its data "
                f"(`dvc fetch --all-tags`, from a remote that holds it) and audit again"
            ) from err
        finally:
            tables.close()
        log.info("%s: %d items, %d pairs", hits.version, len(hits.items), len(hits.pairs))
        results.append(hits)
    return results
