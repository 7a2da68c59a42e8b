"""Catalog tables: decode every candidate of one modality into rows or rejects."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

import pandas as pd

from crosspair.discover import Discovery
from crosspair.engine import EngineConfig, map_items
from crosspair.items import Candidate
from crosspair.schemas import CATALOGS, REJECTS, empty_frame

log = logging.getLogger(__name__)

DISCOVERED_COLUMNS = [
    "item_id",
    "source",
    "modality",
    "path",
    "record_key",
    "abs_path",
    "licence",
    "subject_ids",
    "payload",
]


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="mergesort").reset_index(drop=True)


def discovered_frame(discovery: Discovery) -> pd.DataFrame:
    """All candidates as a table (payload as JSON) so later steps can be rerun alone."""
    rows = [
        {
            "item_id": c.item_id,
            "source": c.source,
            "modality": c.modality,
            "path": c.path,
            "record_key": c.record_key,
            "abs_path": c.abs_path or "",
            "licence": c.licence,
            "subject_ids": c.subject_ids,
            "payload": json.dumps(c.payload, sort_keys=True, ensure_ascii=False),
        }
        for c in discovery.candidates
    ]
    frame = pd.DataFrame(rows, columns=DISCOVERED_COLUMNS)
    return _sorted(frame, ["source", "modality", "path", "record_key"])


def candidates_from_frame(frame: pd.DataFrame, modality: str | None = None) -> list[Candidate]:
    """Turn rows of ``discovered_frame`` back into candidates (optionally of one modality)."""
    if modality is not None:
        frame = frame[frame["modality"] == modality]
    return [
        Candidate(
            item_id=row.item_id,
            source=row.source,
            modality=row.modality,
            path=row.path,
            record_key=row.record_key,
            abs_path=row.abs_path or None,
            licence=row.licence,
            subject_ids=row.subject_ids,
            payload=json.loads(row.payload),
        )
        for row in frame.itertuples(index=False)
    ]


def rejects_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Rejects as a table in the schema's column order, sorted for stable bytes."""
    rows = list(rows)
    if not rows:
        return empty_frame(REJECTS)
    frame = pd.DataFrame(rows, columns=list(REJECTS.columns))
    return _sorted(frame, ["source", "modality", "path", "record_key", "item_id"])


def build_catalog(
    modality: str, candidates: list[Candidate], engine: EngineConfig | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Probe candidates of one modality: (catalog, rejects), both sorted and typed."""
    from crosspair.probe import probe  # decoders load lazily

    schema = CATALOGS[modality]
    outcomes = map_items(probe, candidates, engine)
    rows = [row for row, _ in outcomes if row is not None]
    rejects = [reject for _, reject in outcomes if reject is not None]
    if rows:
        catalog = pd.DataFrame(rows, columns=list(schema.columns))
        catalog = _sorted(catalog, ["source", "path", "record_key"])
        for name, column in schema.columns.items():
            if str(column.dtype) in {"Int64"}:
                catalog[name] = catalog[name].astype("Int64")
    else:
        catalog = empty_frame(schema)
    log.info("%s catalog: %d rows, %d rejects", modality, len(catalog), len(rejects))
    return catalog, rejects_frame(rejects)


def item_keys(*tables: pd.DataFrame) -> pd.DataFrame:
    """item_id, sha256 and subject_ids over several tables: what leakage grouping needs."""
    columns = ["item_id", "sha256", "subject_ids"]
    parts = [
        (table if "subject_ids" in table else table.assign(subject_ids=""))[columns]
        for table in tables
        if len(table)
    ]
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    return pd.concat(parts, ignore_index=True)
