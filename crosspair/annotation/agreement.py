"""How far annotators agree: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.

An item is one (left, right) pair; a rating is one annotator's label for it. Percent agreement
is the mean, over items with two or more ratings, of the share of rating pairs that agree (for
two annotators: the share of items they label alike). Cohen's kappa is given when exactly two
annotators judged a source, Fleiss' kappa when three or more did; Krippendorff's alpha
(nominal, from the ``krippendorff`` package) always, missing ratings allowed.

>>> agreement_table(judgements)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import krippendorff
import numpy as np
import pandas as pd

from crosspair.annotation.records import DEFAULT_LABELS, label_set
from crosspair.annotation.tables import ALL_SOURCES, ANNOTATION_AGREEMENT
from crosspair.schemas import empty_frame

log = logging.getLogger(__name__)

ITEM = ["left_id", "right_id"]


def label_counts(ratings: pd.DataFrame, labels: Sequence[str]) -> np.ndarray:
    """Items × labels: how many annotators gave each label to each item."""
    counts = pd.crosstab([ratings[c] for c in ITEM], ratings["label"])
    return counts.reindex(columns=list(labels), fill_value=0).to_numpy(dtype=float)


def percent_agreement(counts: np.ndarray) -> float:
    """Mean share of agreeing rating pairs over items rated at least twice (NaN if none)."""
    per_item = counts.sum(axis=1)
    counts, per_item = counts[per_item >= 2], per_item[per_item >= 2]
    if len(per_item) == 0:
        return float("nan")
    agreeing = (counts * (counts - 1)).sum(axis=1) / (per_item * (per_item - 1))
    return float(agreeing.mean())


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two annotators' labels for the same items, in the same order."""
    first, second = np.asarray(first), np.asarray(second)
    if len(first) == 0:
        return float("nan")
    observed = float((first == second).mean())
    labels = np.union1d(first, second)
    expected = float(sum((first == lab).mean() * (second == lab).mean() for lab in labels))
    return _chance_corrected(observed, expected)


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa of an items × labels count table with the same number of ratings per item."""
    per_item = counts.sum(axis=1)
    if len(per_item) == 0 or per_item[0] < 2 or not np.all(per_item == per_item[0]):
        raise ValueError("Fleiss' kappa needs the same number (2+) of ratings for every item")
    n = per_item[0]
    observed = float(((counts * (counts - 1)).sum(axis=1) / (n * (n - 1))).mean())
    shares = counts.sum(axis=0) / counts.sum()
    return _chance_corrected(observed, float((shares**2).sum()))


def krippendorff_alpha(ratings: pd.DataFrame, labels: Sequence[str]) -> float:
    """Nominal Krippendorff's alpha; NaN when fewer than two labels occur in comparable items."""
    per_item = ratings.groupby(ITEM)["annotator"].transform("size")
    comparable = ratings[per_item >= 2]
    if comparable["label"].nunique() < 2:
        return float("nan")
    codes = {label: code for code, label in enumerate(labels)}
    matrix = (
        comparable.assign(code=comparable["label"].map(codes).astype(float))
        .pivot_table(index="annotator", columns=ITEM, values="code", aggfunc="first")
        .to_numpy(dtype=float)
    )
    return float(
        krippendorff.alpha(
            reliability_data=matrix,
            value_domain=list(range(len(labels))),
            level_of_measurement="nominal",
        )
    )


def _chance_corrected(observed: float, expected: float) -> float:
    return float("nan") if np.isclose(expected, 1.0) else (observed - expected) / (1 - expected)


def agreement_row(ratings: pd.DataFrame, source: str, labels: Sequence[str]) -> dict:
    """One ``ANNOTATION_AGREEMENT`` row for the judgements of one source (or of all)."""
    counts = label_counts(ratings, labels)
    per_item = counts.sum(axis=1)
    annotators = sorted(ratings["annotator"].unique())
    cohen = fleiss = float("nan")
    kappa_items = 0
    if len(annotators) == 2:
        both = ratings.pivot_table(
            index=ITEM, columns="annotator", values="label", aggfunc="first"
        ).dropna()
        kappa_items = len(both)
        cohen = cohen_kappa(both[annotators[0]], both[annotators[1]])
    elif len(annotators) >= 3:
        fleiss, kappa_items = _fleiss_on_common_count(counts, per_item)
    return {
        "source": source,
        "items": len(counts),
        "items_compared": int((per_item >= 2).sum()),
        "annotators": len(annotators),
        "judgements": len(ratings),
        "percent_agreement": percent_agreement(counts),
        "cohen_kappa": cohen,
        "fleiss_kappa": fleiss,
        "kappa_items": kappa_items,
        "krippendorff_alpha": krippendorff_alpha(ratings, labels),
    }


def _fleiss_on_common_count(counts: np.ndarray, per_item: np.ndarray) -> tuple[float, int]:
    """Fleiss' kappa over the items with the most common number (2+) of ratings.

    Fleiss' kappa assumes every item got the same number of ratings (not the same raters);
    the larger count wins a tie. Krippendorff's alpha uses every item.
    """
    rated = per_item[per_item >= 2]
    if len(rated) == 0:
        return float("nan"), 0
    values, frequency = np.unique(rated, return_counts=True)
    n = values[frequency == frequency.max()].max()
    chosen = counts[per_item == n]
    return fleiss_kappa(chosen), len(chosen)


def agreement_table(
    judgements: pd.DataFrame, labels: Sequence[str] = DEFAULT_LABELS
) -> pd.DataFrame:
    """Agreement per source, then over all sources (``source == "(all)"``); empty if no rows.

    ``labels`` are read as the judgements' labels were (``"No match"`` is ``no_match``).
    """
    if judgements.empty:
        return empty_frame(ANNOTATION_AGREEMENT)
    labels = label_set(labels)
    unknown = sorted(set(judgements["label"]) - set(labels))
    if unknown:
        raise ValueError(
            f"labels {unknown} are not in the label set {list(labels)}; pass the label set the "
            "judgements were imported with"
        )
    rows = [
        agreement_row(group, str(source), labels)
        for source, group in judgements.groupby("source", sort=True)
    ]
    rows.append(agreement_row(judgements, ALL_SOURCES, labels))
    table = pd.DataFrame(rows, columns=list(ANNOTATION_AGREEMENT.columns))
    log.info("agreement over %d judgements in %d source(s)", len(judgements), len(rows) - 1)
    return table.astype({c: "int64" for c in ("items", "items_compared", "annotators")})
