"""Apply human decisions to a pair table: matches win over other methods, non-matches go.

>>> reviewed, removed = apply_human_overrides(pairs, decisions)  # doctest: +SKIP
"""

from __future__ import annotations

import logging

import pandas as pd

from crosspair.annotation.adjudication import HUMAN, MATCH, NO_MATCH, human_pair_row
from crosspair.annotation.tables import REMOVED_PAIRS
from crosspair.pairing import pairs_frame
from crosspair.schemas import PAIRS, empty_frame

log = logging.getLogger(__name__)

_KEY = ["left_id", "right_id"]


def apply_human_overrides(
    pairs: pd.DataFrame,
    decisions: pd.DataFrame,
    match_label: str = MATCH,
    no_match_label: str = NO_MATCH,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pair table after human review, and the pairs it lost (``REMOVED_PAIRS``).

    - a ``match`` decision replaces every pair of the same (left, right) by one ``human`` pair
      whose params name the replaced methods (``overrides``); a match no method found is added;
    - a ``no_match`` decision removes the pairs of that (left, right);
    - unresolved decisions change nothing.

    Each replaced or removed row is returned with its reason, so nothing vanishes silently.
    """
    by_key = decisions.set_index(_KEY)
    matches = by_key[by_key["decision"] == match_label]
    rejected = by_key[by_key["decision"] == no_match_label]
    keys = pd.MultiIndex.from_frame(pairs[_KEY])
    is_rejected = keys.isin(rejected.index)
    is_replaced = keys.isin(matches.index)

    removed = []
    for row in pairs[is_rejected].to_dict("records"):
        decision = rejected.loc[(row["left_id"], row["right_id"])]
        removed.append({**row, "reason": _reason(no_match_label, decision)})

    new_rows = []
    replaced = pairs[is_replaced]
    for key, decision in matches.iterrows():
        old = replaced[(replaced["left_id"] == key[0]) & (replaced["right_id"] == key[1])]
        old_methods = sorted(set(old["method"]) - {HUMAN})
        extra = {"overrides": ";".join(old_methods)} if old_methods else {}
        new = human_pair_row({**decision.to_dict(), "left_id": key[0], "right_id": key[1]}, **extra)
        new_rows.append(new)
        for row in old.to_dict("records"):
            why = f"replaced by human pair {new['pair_id']}: " + _reason(match_label, decision)
            removed.append({**row, "reason": why})

    kept = pairs[~is_rejected & ~is_replaced]
    table = pairs_frame([*kept.to_dict("records"), *new_rows])
    removed_table = (
        pd.DataFrame(removed, columns=list(REMOVED_PAIRS.columns))
        .sort_values(["source", "group_id", "right_id", "method"], kind="mergesort")
        .reset_index(drop=True)
        if removed
        else empty_frame(REMOVED_PAIRS)
    )
    log.info(
        "human review: %d pairs replaced or added, %d removed (%d rows in, %d out)",
        len(new_rows),
        int(is_rejected.sum()),
        len(pairs),
        len(table),
    )
    return table[list(PAIRS.columns)], removed_table


def _reason(label: str, decision: pd.Series) -> str:
    return f"human {label}: {decision['votes']} by {decision['annotator']} ({decision['rule']})"
