"""Every source's match pool matched in one go: model pairs, the texts left out, a report.

The model for each pool is loaded once per build; an image-text model comes from the caller
(``image_vectors``), since where images live and which checkpoint to use are build settings.
A pool that cannot be matched at all (no model, or a modality no model can match) still
reports every text, with the reason, so nothing leaves the build silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from crosspair.pairing import pairs_frame
from crosspair.schemas import UNPAIRED, empty_frame
from crosspair.semantic.matching import match_pool, unmatched_pool
from crosspair.semantic.pool import pool_texts
from crosspair.semantic.scorer import load_scorer
from crosspair.semantic.scoring import ItemVectors
from crosspair.sources import Source

log = logging.getLogger(__name__)

IMAGE_MODEL = "open_clip"


@dataclass
class PoolMatching:
    """Model pairs of every pool, the pool texts left unpaired, one report row per source."""

    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    report: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def match_sources(
    sources: Iterable[Source],
    catalogs: Mapping[str, pd.DataFrame],
    text_catalog: pd.DataFrame,
    heuristic_pairs: pd.DataFrame,
    texts: Mapping[str, str],
    image_vectors: Callable[[], tuple[ItemVectors | None, str]],
) -> PoolMatching:
    """Match each source's ``match`` pool against its items (``catalogs`` by modality)."""
    vectors: dict[str, ItemVectors | None] = {}
    unavailable: dict[str, str] = {}
    found, reports, notes = [], [], []
    for source in sources:
        if source.match is None:
            continue
        pool = pool_texts(text_catalog, source.name, source.match.pool)
        model = source.match.model
        if model not in vectors and model == IMAGE_MODEL:
            vectors[model], unavailable[model] = image_vectors()
        elif model not in vectors:
            vectors[model] = ItemVectors(load_scorer(model), texts=texts)
        catalog = catalogs.get(source.modality)
        if vectors[model] is None:
            why = f"no model: {unavailable[model]}"
        elif catalog is None:
            why = f"{source.modality} items cannot be matched to texts"
        else:
            items = catalog[catalog["source"] == source.name]
            pairs, report = match_pool(source.match, pool, items, heuristic_pairs, vectors[model])
            found.append(pairs)
            reports.append(report)
            continue
        notes.append(f"{source.name}: {len(pool)} pool texts not matched, {why}")
        log.warning("source %s: %d pool texts not matched: %s", source.name, len(pool), why)
        reports.append(unmatched_pool(pool, source.match, source.modality, why))

    table = pairs_frame(pd.concat(found, ignore_index=True).to_dict("records") if found else [])
    unmatched = [report.unmatched for report in reports if len(report.unmatched)]
    left_out = (
        pd.concat(unmatched, ignore_index=True).sort_values(
            ["source", "path", "item_id"], kind="mergesort", ignore_index=True
        )
        if unmatched
        else empty_frame(UNPAIRED)
    )
    return PoolMatching(table, left_out, pd.DataFrame([r.counts() for r in reports]), notes)
