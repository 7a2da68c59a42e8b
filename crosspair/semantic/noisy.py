"""Noisy correspondence: scored pairs whose two sides probably do not belong together.

Two signs, judged per source and method from the ``pair_scores`` table:

- ``low_score``: the score is a low outlier among the source's pairs (modified z-score
  0.6745 · (score − median) / MAD below ``-z_limit``; robust to the outliers it looks for);
- ``better_match``: the pair's text fits another left item of the source better, by more
  than ``margin`` (the better item and its score are reported).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from crosspair.schemas import empty_frame
from crosspair.semantic.tables import NOISY_PAIRS
from crosspair.validation.outcome import CheckOutcome

log = logging.getLogger(__name__)

MAD_SCALE = 0.6745  # MAD of a normal distribution is 0.6745 standard deviations
MEAN_AD_SCALE = 0.7979  # mean absolute deviation of a normal, in standard deviations


def robust_z(values: np.ndarray) -> np.ndarray:
    """Modified z-scores (Iglewicz and Hoaglin); mean absolute deviation when the MAD is 0."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return values
    median = float(np.median(values))
    deviations = np.abs(values - median)
    mad = float(np.median(deviations))
    if mad > 0:
        return MAD_SCALE * (values - median) / mad
    mean_ad = float(np.mean(deviations))
    if mean_ad > 0:
        return MEAN_AD_SCALE * (values - median) / mean_ad
    return np.zeros_like(values)


def noisy_pairs(
    scores: pd.DataFrame, z_limit: float = 3.5, margin: float = 0.05, min_pairs: int = 5
) -> pd.DataFrame:
    """One row per flagged pair of ``scores`` (schema ``PAIR_SCORES``), with its reasons.

    Sources with fewer than ``min_pairs`` scored pairs get no ``low_score`` flags: a handful of
    scores has no meaningful spread.
    """
    rows = []
    for _, group in scores.groupby(["source", "method"], sort=True):
        z = robust_z(group["score"].to_numpy()) if len(group) >= min_pairs else np.zeros(len(group))
        low = z < -z_limit
        better = (group["best_left_id"] != group["left_id"]).to_numpy() & (
            (group["best_score"] - group["score"]).to_numpy() > margin
        )
        for position in np.flatnonzero(low | better):
            rows.append(_flag(group.iloc[position], z[position], low[position], better[position]))
    if not rows:
        return empty_frame(NOISY_PAIRS)
    table = pd.DataFrame(rows, columns=list(NOISY_PAIRS.columns))
    log.info("%d of %d scored pairs flagged as noisy", len(table), len(scores))
    return table.sort_values(["source", "score", "pair_id"], kind="mergesort").reset_index(
        drop=True
    )


def _flag(pair: pd.Series, z: float, low: bool, better: bool) -> dict:
    reasons, details = [], []
    if low:
        reasons.append("low_score")
        details.append(f"score {pair['score']:.3f} is an outlier in its source (z = {z:.2f})")
    if better:
        reasons.append("better_match")
        details.append(
            f"its {pair['right_modality']} fits {pair['best_left_id']} better "
            f"({pair['best_score']:.3f} > {pair['score']:.3f}; ranked {pair['rank']} "
            f"of {pair['candidates']})"
        )
    return {
        "pair_id": pair["pair_id"],
        "source": pair["source"],
        "method": pair["method"],
        "left_id": pair["left_id"],
        "right_id": pair["right_id"],
        "model_name": pair["model_name"],
        "score": float(pair["score"]),
        "robust_z": round(float(z), 4),
        "reason": ";".join(reasons),
        "better_id": pair["best_left_id"] if better else "",
        "better_score": float(pair["best_score"]) if better else np.nan,
        "detail": "; ".join(details),
    }


def flagged_share(scores: pd.DataFrame, flagged: pd.DataFrame) -> pd.DataFrame:
    """Per source: scored pairs, flagged pairs and the flagged share."""
    scored = scores.groupby("source").size().rename("scored")
    noisy = flagged.groupby("source").size().rename("flagged")
    table = pd.concat([scored, noisy], axis=1).fillna(0).astype("int64")
    table["share"] = (table["flagged"] / table["scored"].where(table["scored"] > 0)).fillna(0.0)
    return table.reset_index(names="source")


def noisy_share_outcome(
    scores: pd.DataFrame,
    flagged: pd.DataFrame,
    ceiling: float,
    not_scored: pd.DataFrame | None = None,
) -> tuple[CheckOutcome, pd.DataFrame]:
    """(outcome, shares): fails when a source flags more than ``ceiling`` of its scored pairs.

    ``not_scored`` (per source, the pairs no model scored and why; see
    :func:`crosspair.semantic.scoring.unscored_pairs`) goes into the summary, so a pass over
    few or no scored pairs says what it did not judge instead of passing in silence.
    """
    shares = flagged_share(scores, flagged)
    over = shares[shares["share"] > ceiling].assign(ceiling=ceiling)
    not_scored = not_scored if not_scored is not None else pd.DataFrame(columns=["source"])
    unjudged = sorted(set(not_scored["source"]) - set(shares["source"]))
    reasons = sorted(set(not_scored["reason"])) if len(not_scored) else []
    summary = {
        "scored_pairs": int(shares["scored"].sum()),
        "flagged_pairs": int(shares["flagged"].sum()),
        "max_share": round(float(shares["share"].max()), 4) if len(shares) else 0.0,
        "ceiling": ceiling,
        "pairs_not_scored": int(not_scored["pairs"].sum()) if len(not_scored) else 0,
        "sources_judged": ", ".join(shares["source"]) or "none",
        "sources_not_judged": ", ".join(unjudged) or "none",
        "why_not_scored": "; ".join(reasons) or "none left unscored",
    }
    return CheckOutcome.build(over.empty, summary, over.round({"share": 4})), shares


def describe_noisy_share(outcome: CheckOutcome) -> str:
    """The check's one-line verdict; says so first when nothing, or not everything, was judged."""
    summary = outcome.summary
    scored, not_scored = summary["scored_pairs"], summary["pairs_not_scored"]
    if scored == 0 and not not_scored:
        return "NOT JUDGED: there are no pairs to score, so there is no noisy share"
    if scored == 0:
        return (
            f"NOT JUDGED: no pair was scored ({not_scored} pairs not scored: "
            f"{summary['why_not_scored']}), so the noisy share is unknown"
        )
    verdict = "passed" if outcome.passed else "FAILED"
    text = (
        f"{verdict}: {summary['flagged_pairs']} of {scored} scored pairs flagged; sources above "
        f"the ceiling {summary['ceiling']}: {summary['failures_total']}"
    )
    if not_scored:
        text += (
            f"; {not_scored} pairs not judged (sources without any score: "
            f"{summary['sources_not_judged']}; {summary['why_not_scored']})"
        )
    return text
