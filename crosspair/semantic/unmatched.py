"""Why a pool text got no model pair: one ``unpaired_items`` row per such text, with the reason.

A source's pool can be left unmatched as a whole (no model, or no item to match with), and a
selection leaves texts out one by one: ``threshold`` drops weak matches, ``one_to_one`` gives
each item to one text at most, ``mutual_best`` keeps a text only when its best item prefers it
as well. Nothing of a pool disappears without one of these reasons.

>>> unselected(np.array([[0.9], [0.8]]), RankingRule(one_to_one=True), ["a"])  # doctest: +SKIP
{1: 'lost the one-to-one assignment: 2 texts for 1 items; its best item a (cosine 0.800) ...'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from crosspair.schemas import UNPAIRED, empty_frame
from crosspair.semantic.config import Match
from crosspair.semantic.ranking import Match as Chosen
from crosspair.semantic.ranking import RankingRule, select


def unselected(
    similarity: np.ndarray, rule: RankingRule, candidate_ids: Sequence[str]
) -> dict[int, str]:
    """Query row → why ``rule`` chose no candidate for it (rows it chose are left out)."""
    similarity = np.asarray(similarity, dtype=float)
    if similarity.size == 0:
        return {}
    chosen = {match.query for match in select(similarity, rule)}
    # what the rule picks before the threshold tells a weak match from a lost one
    unthresholded: dict[int, Chosen] = {}
    for match in select(similarity, replace(rule, threshold=None)):
        unthresholded.setdefault(match.query, match)
    best = similarity.argmax(axis=1)
    queries, candidates = similarity.shape

    reasons = {}
    for query in range(queries):
        if query in chosen:
            continue
        top = int(best[query])
        top_text = f"{candidate_ids[top]} (cosine {similarity[query, top]:.3f})"
        match = unthresholded.get(query)
        if match is not None:
            reasons[query] = (
                f"below the threshold {rule.threshold}: {rule.selection} chose "
                f"{candidate_ids[match.candidate]} at cosine {match.score:.3f}"
                + ("" if match.candidate == top else f"; its best item was {top_text}")
            )
        elif rule.one_to_one:
            reasons[query] = (
                f"lost the one-to-one assignment: {queries} texts for {candidates} items; "
                f"its best item {top_text} went to another text"
            )
        else:
            reasons[query] = (
                f"not mutual best: its best item {top_text} fits another pool text better"
            )
    return reasons


def unmatched_rows(
    pool: pd.DataFrame, match: Match, modality: str, reasons: Mapping[int, str] | str
) -> pd.DataFrame:
    """Rows (schema ``UNPAIRED``) for pool texts left without a model pair.

    ``pool`` holds the pool texts (``item_id``, ``source``) in matrix-row order; ``reasons`` maps
    a row to its reason, or is one reason for every text (the pool was not matched at all).
    """
    if isinstance(reasons, str):
        reasons = dict.fromkeys(range(len(pool)), reasons)
    if not reasons:
        return empty_frame(UNPAIRED)
    positions = sorted(reasons)
    texts = pool.iloc[positions]
    frame = pd.DataFrame(
        {
            "item_id": texts["item_id"].to_numpy(),
            "source": texts["source"].to_numpy(),
            "modality": "text",
            "path": match.pool,
            "wanted": f"pool {match.kind} ↔ {modality} item (model:{match.model})",
            "reason": [reasons[position] for position in positions],
        },
        columns=list(UNPAIRED.columns),
    )
    return frame.sort_values(["source", "path", "item_id"], kind="mergesort").reset_index(drop=True)
