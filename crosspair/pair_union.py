"""One pair table from every way of making pairs: heuristics, models and weak labels.

When several methods pair the same two items the table keeps one row, made by the strongest
method, and names the others in its parameters (``also_by``), so agreement between methods
stays visible. Human decisions are applied afterwards (``crosspair.annotation``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

import pandas as pd

from crosspair.pairing import pairs_frame

log = logging.getLogger(__name__)

WEAK_SUPERVISION = "weak_supervision"
MODEL_PREFIX = "model:"
HUMAN = "human"


def method_rank(method: str) -> int:
    """Lower is stronger: people, then manifests and file structure, then models, then rules."""
    if method == HUMAN:
        return 0
    if method == WEAK_SUPERVISION:
        return 3
    if method.startswith(MODEL_PREFIX):
        return 2
    return 1


def union_pairs(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Every pair table in one, one row per (left, right) item pair, strongest method first."""
    frames = [table for table in tables if not table.empty]
    if not frames:
        return pairs_frame([])
    table = pd.concat(frames, ignore_index=True)
    table["_rank"] = table["method"].map(method_rank)
    table = table.sort_values(["_rank", "method", "pair_id"], kind="mergesort")
    others = (
        table.groupby(["left_id", "right_id"], sort=False)["method"]
        .agg(lambda methods: sorted(set(methods[1:]) - {methods.iloc[0]}))
        .rename("_also_by")
    )
    kept = table.drop_duplicates(["left_id", "right_id"], keep="first")
    kept = kept.join(others, on=["left_id", "right_id"])
    merged = int(len(table) - len(kept))
    if merged:
        log.info("%d pairs found by more than one method were merged", merged)
    kept["params"] = [
        _with_also_by(params, also_by)
        for params, also_by in zip(kept["params"], kept["_also_by"], strict=True)
    ]
    return pairs_frame(kept.drop(columns=["_rank", "_also_by"]).to_dict("records"))


def _with_also_by(params: str, also_by: list[str]) -> str:
    if not also_by:
        return params
    entry = json.loads(params) if params else {}
    entry["also_by"] = also_by
    return json.dumps(entry, sort_keys=True)
