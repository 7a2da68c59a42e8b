"""Combine judgements per (left, right) into one decision, and matches into human pairs.

Rule ``majority``: the label given by the most annotators wins, if at least
``min_annotators`` judged the pair; a tie for the most votes leaves the pair unresolved (with
two labels this is a strict majority). Unresolved pairs stay in the decisions table with the
reason, so no judgement disappears.

>>> decisions = adjudicate(judgements, min_annotators=3)  # doctest: +SKIP
>>> pairs = human_pairs(decisions)                         # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging

import pandas as pd

from crosspair.annotation.tables import HUMAN_DECISIONS, UNRESOLVED
from crosspair.ids import pair_id
from crosspair.pairing import pairs_frame
from crosspair.schemas import empty_frame

log = logging.getLogger(__name__)

HUMAN = "human"
MAJORITY = "majority"
MATCH = "match"
NO_MATCH = "no_match"
_KEY = ["source", "left_id", "left_modality", "right_id", "right_modality"]


def adjudicate(judgements: pd.DataFrame, min_annotators: int = 2) -> pd.DataFrame:
    """One ``HUMAN_DECISIONS`` row per judged (left, right), sorted like the pair table."""
    if min_annotators < 1:
        raise ValueError(f"min_annotators is {min_annotators}; it must be 1 or more")
    if judgements.empty:
        return empty_frame(HUMAN_DECISIONS)
    rule = f"{MAJORITY}(min_annotators={min_annotators})"
    rows = []
    for key, group in judgements.groupby(_KEY, sort=True):
        votes = group["label"].value_counts()
        votes = votes.sort_index()  # JSON and ties in label order, not by chance
        top = int(votes.max())
        leaders = sorted(votes[votes == top].index)
        annotators = sorted(group["annotator"].unique())
        decision, reason = leaders[0], ""
        if len(annotators) < min_annotators:
            decision = UNRESOLVED
            reason = f"too few annotators: {len(annotators)} of {min_annotators}"
        elif len(leaders) > 1:
            decision = UNRESOLVED
            reason = f"tie: {' = '.join(leaders)} ({top} each)"
        rows.append(
            {
                **dict(zip(_KEY, key, strict=True)),
                "decision": decision,
                "share": top / len(group),
                "annotators": len(annotators),
                "annotator": ";".join(annotators),
                "votes": json.dumps({k: int(v) for k, v in votes.items()}, sort_keys=True),
                "rule": rule,
                "reason": reason,
            }
        )
    table = pd.DataFrame(rows, columns=list(HUMAN_DECISIONS.columns))
    unresolved = int((table["decision"] == UNRESOLVED).sum())
    log.info("%d pairs adjudicated, %d unresolved", len(table), unresolved)
    return table


def human_params(decision: pd.Series | dict, **extra) -> str:
    """The params JSON of a human pair: annotators, votes and the rule that decided it."""
    params = {
        "annotator": decision["annotator"],
        "votes": json.loads(decision["votes"]),
        "rule": decision["rule"],
        **extra,
    }
    return json.dumps(params, sort_keys=True)


def human_pair_row(decision: pd.Series | dict, **extra) -> dict:
    """A pair-table row for one adjudicated match (method ``human``, score = share agreeing)."""
    return {
        "pair_id": pair_id(decision["left_id"], decision["right_id"], HUMAN),
        "group_id": decision["left_id"],
        "source": decision["source"],
        "left_id": decision["left_id"],
        "left_modality": decision["left_modality"],
        "right_id": decision["right_id"],
        "right_modality": decision["right_modality"],
        "method": HUMAN,
        "score": float(decision["share"]),
        "params": human_params(decision, **extra),
    }


def human_pairs(decisions: pd.DataFrame, match_label: str = MATCH) -> pd.DataFrame:
    """The adjudicated matches as a pair table (schema ``PAIRS``)."""
    matches = decisions[decisions["decision"] == match_label]
    return pairs_frame([human_pair_row(row) for row in matches.to_dict("records")])
