"""Noisy-pair detection on hand-made scores with hand-worked outliers and better matches."""

import numpy as np
import pandas as pd
import pytest

from crosspair.semantic.noisy import (
    flagged_share,
    noisy_pairs,
    noisy_share_outcome,
    robust_z,
)
from crosspair.semantic.tables import NOISY_PAIRS, PAIR_SCORES


def _id(prefix: str, index: int) -> str:
    return f"{prefix}{index:015x}"


def _scores(values, best=None, source="src") -> pd.DataFrame:
    """One pair per score, left item i ↔ text i; ``best`` maps i → (better left i, its score)."""
    best = best or {}
    rows = []
    for index, score in enumerate(values):
        better, better_score = best.get(index, (index, score))
        rows.append(
            {
                "pair_id": _id("a" if source == "src" else "f", index),
                "source": source,
                "method": "manifest_record",
                "left_id": _id("c", index),
                "left_modality": "code",
                "right_id": _id("d", index),
                "right_modality": "text",
                "model_name": "m",
                "model_version": "1",
                "score": score,
                "rank": 1 if better == index else 2,
                "candidates": len(values),
                "best_left_id": _id("c", better),
                "best_score": better_score,
            }
        )
    return PAIR_SCORES.validate(pd.DataFrame(rows))


def test_robust_z_matches_hand_computation():
    # median 0.80; absolute deviations 0, .02, .02, .01, .01, 0, .70 → MAD 0.01
    values = np.array([0.80, 0.82, 0.78, 0.81, 0.79, 0.80, 0.10])
    z = robust_z(values)
    assert z[6] == pytest.approx(0.6745 * -0.70 / 0.01)
    assert z[2] == pytest.approx(0.6745 * -0.02 / 0.01)


def test_robust_z_falls_back_to_mean_deviation_when_mad_is_zero():
    # median 1, MAD 0; mean absolute deviation = 2/5 = 0.4
    z = robust_z(np.array([1.0, 1.0, 1.0, 1.0, 3.0]))
    assert z[4] == pytest.approx(0.7979 * 2.0 / 0.4)
    assert z[0] == 0.0


def test_flags_low_outliers_and_better_matches():
    values = [0.80, 0.82, 0.78, 0.81, 0.79, 0.80, 0.10]
    # pair 4's text fits item 0 better by 0.11 (> margin 0.05): flagged;
    # pair 1's text fits item 2 better by only 0.02: not flagged;
    # pair 6 is a low outlier and its text fits item 3 better.
    scores = _scores(values, best={4: (0, 0.90), 1: (2, 0.84), 6: (3, 0.50)})
    flagged = NOISY_PAIRS.validate(noisy_pairs(scores, z_limit=3.5, margin=0.05))

    assert list(flagged["pair_id"]) == [_id("a", 6), _id("a", 4)]  # lowest score first
    low, better = flagged.iloc[0], flagged.iloc[1]
    assert low["reason"] == "low_score;better_match"
    assert low["robust_z"] == pytest.approx(0.6745 * -0.70 / 0.01, abs=1e-4)
    assert low["better_id"] == _id("c", 3) and low["better_score"] == 0.50
    assert better["reason"] == "better_match"
    assert better["better_id"] == _id("c", 0) and better["better_score"] == 0.90
    assert "0.900 > 0.790" in better["detail"]


def test_small_sources_get_no_outlier_flags():
    flagged = noisy_pairs(_scores([0.9, 0.8, 0.1]), min_pairs=5)
    assert flagged.empty


def test_flagged_share_and_ceiling():
    noisy_source = _scores([0.80, 0.82, 0.78, 0.81, 0.79, 0.80, 0.10])
    clean_source = _scores([0.5, 0.5, 0.5], source="fine")
    scores = pd.concat([noisy_source, clean_source], ignore_index=True)
    flagged = noisy_pairs(scores)

    shares = flagged_share(scores, flagged).set_index("source")
    assert shares.loc["src", "scored"] == 7 and shares.loc["src", "flagged"] == 1
    assert shares.loc["src", "share"] == pytest.approx(1 / 7)
    assert shares.loc["fine", "share"] == 0.0

    outcome, _ = noisy_share_outcome(scores, flagged, ceiling=0.1)
    assert not outcome.passed
    assert list(outcome.failures["source"]) == ["src"]
    assert outcome.summary["flagged_pairs"] == 1 and outcome.summary["scored_pairs"] == 10
    assert noisy_share_outcome(scores, flagged, ceiling=0.2)[0].passed
