"""Noisy-pair detection on hand-made scores with hand-worked outliers and better matches."""

import numpy as np
import pandas as pd
import pytest

from crosspair.ids import pair_id
from crosspair.schemas import PAIRS, empty_frame
from crosspair.semantic.noisy import (
    describe_noisy_share,
    flagged_share,
    noisy_pairs,
    noisy_share_outcome,
    robust_z,
)
from crosspair.semantic.scoring import NO_IMAGE_MODEL, unscored_pairs
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


def _image_caption_pairs(count: int, source: str = "photos") -> pd.DataFrame:
    rows = [
        {
            "pair_id": pair_id(_id("e", index), _id("b", index), "manifest_reference"),
            "group_id": _id("e", index),
            "source": source,
            "left_id": _id("e", index),
            "left_modality": "image",
            "right_id": _id("b", index),
            "right_modality": "text",
            "method": "manifest_reference",
            "score": np.nan,
            "params": "{}",
        }
        for index in range(count)
    ]
    return PAIRS.validate(pd.DataFrame(rows))


def test_pairs_no_model_scored_are_counted_with_the_reason():
    scores = _scores([0.8, 0.7])
    scored = scores.assign(group_id=scores["left_id"], score=np.nan, params="{}")
    pairs = pd.concat([scored[list(PAIRS.columns)], _image_caption_pairs(3)], ignore_index=True)
    table = unscored_pairs(pairs, scores)
    assert table.to_dict("records") == [
        {
            "source": "photos",
            "left_modality": "image",
            "right_modality": "text",
            "pairs": 3,
            "reason": NO_IMAGE_MODEL,
        }
    ]


def test_nothing_scored_passes_but_says_it_judged_nothing_and_why():
    pairs = _image_caption_pairs(10)
    scores = empty_frame(PAIR_SCORES)
    not_scored = unscored_pairs(pairs, scores)
    outcome, shares = noisy_share_outcome(scores, empty_frame(NOISY_PAIRS), 0.2, not_scored)
    assert outcome.passed and shares.empty
    assert outcome.summary["scored_pairs"] == 0 and outcome.summary["pairs_not_scored"] == 10
    assert outcome.summary["sources_judged"] == "none"
    assert outcome.summary["sources_not_judged"] == "photos"
    assert outcome.summary["why_not_scored"] == NO_IMAGE_MODEL
    assert describe_noisy_share(outcome) == (
        f"NOT JUDGED: no pair was scored (10 pairs not scored: {NO_IMAGE_MODEL}), so the "
        "noisy share is unknown"
    )


def test_no_pairs_at_all_is_not_judged_either():
    empty = empty_frame(PAIR_SCORES)
    outcome, _ = noisy_share_outcome(empty, empty_frame(NOISY_PAIRS), 0.2, None)
    assert outcome.passed
    assert describe_noisy_share(outcome) == (
        "NOT JUDGED: there are no pairs to score, so there is no noisy share"
    )


def test_a_partly_scored_build_still_fails_and_names_what_it_did_not_judge():
    scores = _scores([0.80, 0.82, 0.78, 0.81, 0.79, 0.80, 0.10])
    flagged = noisy_pairs(scores)
    not_scored = unscored_pairs(_image_caption_pairs(4), scores)
    outcome, _ = noisy_share_outcome(scores, flagged, 0.1, not_scored)
    assert not outcome.passed
    assert list(outcome.failures["source"]) == ["src"]
    assert outcome.summary["sources_judged"] == "src"
    assert outcome.summary["sources_not_judged"] == "photos"
    assert describe_noisy_share(outcome) == (
        "FAILED: 1 of 7 scored pairs flagged; sources above the ceiling 0.1: 1; 4 pairs not "
        f"judged (sources without any score: photos; {NO_IMAGE_MODEL})"
    )
    passed, _ = noisy_share_outcome(scores, flagged, 0.2, not_scored)
    assert describe_noisy_share(passed).startswith(
        "passed: 1 of 7 scored pairs flagged; sources above the ceiling 0.2: 0; "
    )
