"""Score existing pairs with an embedding model, and rank each pair among its alternatives.

For every family of pairs (one source, method and pair of modalities) the right item (a text)
is compared with every left item of the family: the pair's score is the cosine with its own
left item, and ``rank``/``best_left_id`` say whether another left item fits the text better.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crosspair.schemas import empty_frame
from crosspair.semantic.scorer import IMAGE, TEXT, EmbeddingScorer, normalise_rows
from crosspair.semantic.tables import PAIR_SCORES

log = logging.getLogger(__name__)

TEXT_BEARING = frozenset({"text", "code"})
FAMILY = ["source", "method", "left_modality", "right_modality"]
SKIPPED_COLUMNS = ["source", "left_modality", "right_modality", "pairs", "reason"]
NO_IMAGE_MODEL = "no image-text model configured: set clip_checkpoint"


@dataclass
class ItemVectors:
    """Embeddings of items by id from one scorer, each item embedded once.

    TODO: embedding runs in the calling process, not through crosspair.engine, so a Dask
    build does not spread it; corpora far beyond ~100k texts would want batches on workers.
    """

    scorer: EmbeddingScorer
    texts: Mapping[str, str] = field(default_factory=dict)
    image_paths: Mapping[str, Path] = field(default_factory=dict)
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def of(self, ids: list[str], modality: str) -> np.ndarray:
        """One row per id (repeats allowed), embedded as an image or as its text."""
        missing = [item for item in dict.fromkeys(ids) if item not in self._cache]
        if missing:
            if modality == IMAGE:
                vectors = self.scorer.embed_images(
                    [self._lookup(self.image_paths, i) for i in missing]
                )
            else:
                vectors = self.scorer.embed_texts([self._lookup(self.texts, i) for i in missing])
            self._cache.update(zip(missing, vectors, strict=True))
        if not ids:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._cache[item] for item in ids])

    @staticmethod
    def _lookup(table: Mapping, item: str):
        try:
            return table[item]
        except KeyError:
            raise KeyError(
                f"item {item} is in a pair but not in the catalogs given to the scorer; "
                "rebuild the catalogs and pairs together"
            ) from None


def scoring_kind(left_modality: str, right_modality: str) -> str | None:
    """Which kind of model scores a pair: "text" (both sides text-bearing), "image", or None."""
    if left_modality in TEXT_BEARING and right_modality in TEXT_BEARING:
        return TEXT
    if {left_modality, right_modality} == {IMAGE, TEXT}:
        return IMAGE
    return None


def _score_family(family: pd.DataFrame, vectors: ItemVectors) -> pd.DataFrame:
    left_modality, right_modality = family["left_modality"].iat[0], family["right_modality"].iat[0]
    left_ids = sorted(set(family["left_id"]))
    lefts = normalise_rows(vectors.of(left_ids, left_modality))
    rights = normalise_rows(vectors.of(list(family["right_id"]), right_modality))
    similarity = np.clip(rights @ lefts.T, -1.0, 1.0)  # one row per pair, one column per left

    own = np.searchsorted(left_ids, family["left_id"].to_numpy())
    rows = np.arange(len(family))
    scores = similarity[rows, own]
    best = similarity.argmax(axis=1)
    return pd.DataFrame(
        {
            "pair_id": family["pair_id"].to_numpy(),
            "source": family["source"].to_numpy(),
            "method": family["method"].to_numpy(),
            "left_id": family["left_id"].to_numpy(),
            "left_modality": left_modality,
            "right_id": family["right_id"].to_numpy(),
            "right_modality": right_modality,
            "model_name": vectors.scorer.name,
            "model_version": vectors.scorer.version,
            "score": scores.astype(float),
            "rank": (similarity > scores[:, None]).sum(axis=1).astype("int64") + 1,
            "candidates": np.int64(len(left_ids)),
            "best_left_id": np.asarray(left_ids, dtype=object)[best],
            "best_score": similarity[rows, best].astype(float),
        }
    )


def score_existing_pairs(
    pairs: pd.DataFrame, vectors_by_kind: Mapping[str, ItemVectors]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pair scores, skipped families): every pair a configured model can score, and why not.

    ``vectors_by_kind`` maps "text" and/or "image" to the embeddings to score those pairs with.
    """
    scored, skipped = [], []
    for key, family in pairs.groupby(FAMILY, sort=True):
        source, _, left_modality, right_modality = key
        kind = scoring_kind(left_modality, right_modality)
        if kind is not None and kind in vectors_by_kind:
            scored.append(_score_family(family.reset_index(drop=True), vectors_by_kind[kind]))
            continue
        reason = _skip_reason(kind, left_modality, right_modality)
        skipped.append((source, left_modality, right_modality, len(family), reason))
    table = pd.concat(scored, ignore_index=True) if scored else empty_frame(PAIR_SCORES)
    table = table.sort_values(["source", "method", "left_id", "right_id"], kind="mergesort")
    skipped_table = _skipped_table(skipped)
    log.info(
        "scored %d pairs; %d pairs have no model", len(table), int(skipped_table["pairs"].sum())
    )
    return table.reset_index(drop=True), skipped_table


def unscored_pairs(pairs: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The pairs of ``pairs`` that ``scores`` has no row for, counted per source and modality
    pair with the reason (the skipped table of :func:`score_existing_pairs`)."""
    left_out = pairs[~pairs["pair_id"].isin(scores["pair_id"])]
    families = left_out.groupby(["source", "left_modality", "right_modality"], sort=True)
    rows = [
        (source, left, right, len(family), _skip_reason(scoring_kind(left, right), left, right))
        for (source, left, right), family in families
    ]
    return _skipped_table(rows)


def _skip_reason(kind: str | None, left_modality: str, right_modality: str) -> str:
    if kind == IMAGE:
        return NO_IMAGE_MODEL
    if kind == TEXT:
        return "no text model was given to score them"
    return f"no model scores {left_modality} ↔ {right_modality}"


def _skipped_table(rows: list[tuple]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=SKIPPED_COLUMNS).astype({"pairs": "int64"})
    return table.groupby(["source", "left_modality", "right_modality", "reason"], as_index=False)[
        "pairs"
    ].sum()[SKIPPED_COLUMNS]
