"""Tables of semantic pairing: model scores of existing pairs, and pairs flagged as noisy."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.pandas import Check, Column

from crosspair.schemas import MODALITIES

_ID = Check.str_matches(r"^[0-9a-f]{16}$", name="stable_id")
_COSINE = Check.in_range(-1.0, 1.0)

PAIR_SCORES = pa.DataFrameSchema(
    {
        "pair_id": Column(str, _ID, unique=True),
        "source": Column(str),
        "method": Column(str, description="how the pair was made (heuristic or model)"),
        "left_id": Column(str, _ID),
        "left_modality": Column(str, Check.isin(MODALITIES)),
        "right_id": Column(str, _ID),
        "right_modality": Column(str, Check.isin(MODALITIES)),
        "model_name": Column(str),
        "model_version": Column(str),
        "score": Column(float, _COSINE, description="cosine of the two items' embeddings"),
        "rank": Column(
            "int64",
            Check.ge(1),
            description="rank of the left item among the source's left items for the right item",
        ),
        "candidates": Column("int64", Check.ge(1), description="left items it was ranked among"),
        "best_left_id": Column(str, _ID, description="left item the right item fits best"),
        "best_score": Column(float, _COSINE),
    },
    name="pair_scores",
    strict=True,
    ordered=True,
)

NOISY_REASONS = ("low_score", "better_match")

NOISY_PAIRS = pa.DataFrameSchema(
    {
        "pair_id": Column(str, _ID, unique=True),
        "source": Column(str),
        "method": Column(str),
        "left_id": Column(str, _ID),
        "right_id": Column(str, _ID),
        "model_name": Column(str),
        "score": Column(float, _COSINE),
        "robust_z": Column(float, description="modified z-score of the score in its source"),
        "reason": Column(str, description="low_score and/or better_match, joined by ';'"),
        "better_id": Column(str, description="left item that fits better; empty if none"),
        "better_score": Column(float, nullable=True),
        "detail": Column(str),
    },
    name="noisy_pairs",
    strict=True,
    ordered=True,
)
