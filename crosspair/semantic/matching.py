"""New pairs for a source's match pool: each unlinked text ranked against the source's items.

A code item is represented by its code (docstrings removed), an image by the image itself
when the model embeds images, and any other item by the mean of its paired texts' embeddings
(an image with five captions is where its captions point). Items with no representation are
counted, not matched. Every pool text left without a pair comes back with the reason, for
``unpaired_items``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crosspair.pairing import pairs_frame
from crosspair.schemas import UNPAIRED, empty_frame
from crosspair.semantic.config import Match
from crosspair.semantic.ranking import MODEL_PREFIX, RankingRule, ranked_pairs
from crosspair.semantic.scorer import IMAGE, TEXT, cosine_matrix, normalise_rows
from crosspair.semantic.scoring import ItemVectors
from crosspair.semantic.unmatched import unmatched_rows, unselected

log = logging.getLogger(__name__)

ITEM_COLUMNS = ["item_id", "source", "modality"]


@dataclass(frozen=True)
class MatchReport:
    """What one source's matching did: counts for metadata, and the pool texts left unpaired
    (schema ``UNPAIRED``, with the reason)."""

    source: str
    pool_texts: int
    candidates: int
    unrepresented: int
    pairs: int
    unmatched: pd.DataFrame = field(
        default_factory=lambda: empty_frame(UNPAIRED), compare=False, repr=False
    )

    def counts(self) -> dict[str, str | int]:
        """One row of the "matching by source" metadata table."""
        return {
            "source": self.source,
            "pool_texts": self.pool_texts,
            "candidates": self.candidates,
            "unrepresented": self.unrepresented,
            "pairs": self.pairs,
            "unmatched_texts": len(self.unmatched),
        }


def rule_of(match: Match) -> RankingRule:
    return RankingRule(
        top_k=match.top_k,
        threshold=match.threshold,
        mutual_best=match.mutual_best,
        one_to_one=match.one_to_one,
    )


def item_representations(
    items: pd.DataFrame, pairs: pd.DataFrame, vectors: ItemVectors
) -> tuple[pd.DataFrame, np.ndarray]:
    """(items that can be represented, their unit vectors), in the order of ``items``."""
    if items.empty:
        return items[ITEM_COLUMNS], np.zeros((0, 0), dtype=np.float32)
    modality = items["modality"].iat[0]
    if modality == "code" or (modality == IMAGE and IMAGE in vectors.scorer.modalities):
        kind = modality if modality == IMAGE else TEXT
        return items[ITEM_COLUMNS], vectors.of(list(items["item_id"]), kind)

    # Anything else: the centroid of the texts already paired with it.
    texts = pairs[pairs["left_id"].isin(items["item_id"]) & (pairs["right_modality"] == TEXT)]
    if texts.empty:
        return items[ITEM_COLUMNS].iloc[0:0], np.zeros((0, 0), dtype=np.float32)
    text_vectors = vectors.of(list(texts["right_id"]), TEXT)
    kept, centroids = [], []
    for position, item in enumerate(items["item_id"]):
        rows = np.flatnonzero(texts["left_id"].to_numpy() == item)
        if rows.size:
            kept.append(position)
            centroids.append(text_vectors[rows].mean(axis=0))
    return items[ITEM_COLUMNS].iloc[kept], normalise_rows(np.stack(centroids))


def match_pool(
    match: Match,
    pool: pd.DataFrame,
    items: pd.DataFrame,
    pairs: pd.DataFrame,
    vectors: ItemVectors,
) -> tuple[pd.DataFrame, MatchReport]:
    """Pairs (item ↔ pool text) chosen by ``match``'s rule, and a report of what was done.

    ``pool`` holds the source's pool texts, ``items`` the source's own items (one modality),
    ``pairs`` its existing pairs (for items represented by their texts).
    """
    either = pool if not pool.empty else items
    source = str(either["source"].iat[0]) if not either.empty else ""
    candidates, item_vectors = item_representations(items, pairs, vectors)
    unrepresented = len(items) - len(candidates)
    if unrepresented:
        log.info("source %s: %d items have nothing to match by", source, unrepresented)
    if pool.empty or candidates.empty:
        why = _no_candidates(items, vectors)
        unmatched = unmatched_rows(pool, match, _modality(items), why)
        report = MatchReport(source, len(pool), 0, unrepresented, 0, unmatched)
        return pairs_frame([]), report

    pool_vectors = vectors.of(list(pool["item_id"]), TEXT)
    similarity = cosine_matrix(pool_vectors, item_vectors)
    rule = rule_of(match)
    found = ranked_pairs(
        pool[ITEM_COLUMNS],
        candidates,
        similarity,
        rule,
        model_name=vectors.scorer.name,
        model_version=vectors.scorer.version,
        method=MODEL_PREFIX + match.model,
    )
    why = unselected(similarity, rule, list(candidates["item_id"]))
    unmatched = unmatched_rows(pool, match, _modality(items), why)
    report = MatchReport(source, len(pool), len(candidates), unrepresented, len(found), unmatched)
    log.info(
        "source %s: %d model pairs from %d pool texts, %d texts unmatched",
        source,
        len(found),
        len(pool),
        len(unmatched),
    )
    return found, report


def unmatched_pool(pool: pd.DataFrame, match: Match, modality: str, why: str) -> MatchReport:
    """The report of a pool that could not be matched at all (no model, no usable items)."""
    source = str(pool["source"].iat[0]) if not pool.empty else ""
    unmatched = unmatched_rows(pool, match, modality, why)
    return MatchReport(source, len(pool), 0, 0, 0, unmatched)


def _modality(items: pd.DataFrame) -> str:
    return str(items["modality"].iat[0]) if not items.empty else "media"


def _no_candidates(items: pd.DataFrame, vectors: ItemVectors) -> str:
    if items.empty:
        return "no catalogued item of the source to match it with"
    modality = _modality(items)
    return (
        f"none of the source's {len(items)} {modality} items has a paired text, and "
        f"{vectors.scorer.name} represents {modality} items only by their paired texts"
    )
