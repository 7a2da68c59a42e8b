"""The annotation tables besides ``schemas.JUDGEMENTS`` (one definition each).

- ``JUDGEMENT_REJECTS``: annotations read but not used, with the reason;
- ``ANNOTATION_AGREEMENT``: agreement per source and over all sources (``source == "(all)"``);
- ``HUMAN_DECISIONS``: one adjudicated decision per (left, right), unresolved ones included;
- ``REMOVED_PAIRS``: pairs that human decisions took out of a pair table, with the reason.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.pandas import Check, Column

from crosspair.schemas import MODALITIES, PAIRS

_ID = Check.str_matches(r"^[0-9a-f]{16}$", name="stable_id")
_SHARE = Check.in_range(0.0, 1.0)
_KAPPA = Check.in_range(-1.0, 1.0)

ALL_SOURCES = "(all)"
UNRESOLVED = "unresolved"
UNREADABLE_FILE = "unreadable_file"
REJECT_REASONS = (
    "cancelled",  # the annotator cancelled (skipped) the task in Label Studio
    "no_choice",
    "several_choices",
    "unknown_label",
    "unknown_item",
    "unknown_pair",
    "conflicting_ids",  # a task's pair_id names another pair than its left_id and right_id
    "superseded",  # the same annotator judged the same pair again later
    "self_pair",  # an item judged against itself
    "unpairable_modalities",  # e.g. image ↔ image: crosspair makes no such pair
    "cross_source",  # a new pair of two sources' items: pairs are made within one source
    UNREADABLE_FILE,  # a malformed file: none of its judgements are used
)

JUDGEMENT_REJECTS = pa.DataFrameSchema(
    {
        "source_file": Column(str),
        "task_id": Column(str),
        "annotator": Column(str),
        "left_id": Column(str, description="as written in the file"),
        "right_id": Column(str),
        "pair_ref": Column(str, description="pair id named by the file, if any"),
        "label": Column(str),
        "reason": Column(str, Check.isin(REJECT_REASONS)),
        "detail": Column(str),
    },
    name="annotation_rejects",
    strict=True,
    ordered=True,
)

ANNOTATION_AGREEMENT = pa.DataFrameSchema(
    {
        "source": Column(str, description=f"a source, or '{ALL_SOURCES}'"),
        "items": Column("int64", Check.ge(0), description="(left, right) pairs judged"),
        "items_compared": Column("int64", Check.ge(0), description="judged by 2+ annotators"),
        "annotators": Column("int64", Check.ge(0)),
        "judgements": Column("int64", Check.ge(0)),
        "percent_agreement": Column(float, _SHARE, nullable=True),
        "cohen_kappa": Column(float, _KAPPA, nullable=True, description="exactly 2 annotators"),
        "fleiss_kappa": Column(float, nullable=True, description="3+ annotators"),
        "kappa_items": Column("int64", Check.ge(0), description="items the kappa is over"),
        "krippendorff_alpha": Column(float, nullable=True, description="nominal, NaN allowed"),
    },
    name="annotation_agreement",
    strict=True,
    ordered=True,
    unique=["source"],
)

HUMAN_DECISIONS = pa.DataFrameSchema(
    {
        "source": Column(str),
        "left_id": Column(str, _ID),
        "left_modality": Column(str, Check.isin(MODALITIES)),
        "right_id": Column(str, _ID),
        "right_modality": Column(str, Check.isin(MODALITIES)),
        "decision": Column(str, description=f"the winning label, or '{UNRESOLVED}'"),
        "share": Column(float, _SHARE, description="share of annotators for the top label"),
        "annotators": Column("int64", Check.ge(1)),
        "annotator": Column(str, description="annotator ids, sorted, ';'-joined"),
        "votes": Column(str, description="JSON object: label → count"),
        "rule": Column(str),
        "reason": Column(str, description="why unresolved; '' when resolved"),
    },
    name="human_decisions",
    strict=True,
    ordered=True,
    unique=["left_id", "right_id"],
)

REMOVED_PAIRS = pa.DataFrameSchema(
    {**PAIRS.columns, "reason": Column(str, Check.str_length(min_value=1))},
    name="removed_pairs",
    strict=True,
    ordered=True,
)
