"""Ranking on a hand-made similarity matrix whose answers are worked out by hand."""

import json

import numpy as np
import pandas as pd
import pytest

from crosspair.ids import pair_id
from crosspair.schemas import PAIRS
from crosspair.semantic.ranking import (
    RankingRule,
    mutual_best,
    one_to_one,
    ranked_pairs,
    threshold_for,
    top_k,
)
from crosspair.semantic.scorer import cosine_matrix, score_pairs

# rows: queries q0..q2, columns: candidates c0..c2
SIMILARITY = np.array(
    [
        [0.90, 0.80, 0.10],
        [0.85, 0.30, 0.20],
        [0.20, 0.70, 0.60],
    ]
)


def _pairs(matches):
    return [(m.query, m.candidate, round(m.score, 6), m.rank) for m in matches]


def test_top_k_keeps_the_k_best_per_query_in_order():
    assert _pairs(top_k(SIMILARITY, 2)) == [
        (0, 0, 0.9, 1),
        (0, 1, 0.8, 2),
        (1, 0, 0.85, 1),
        (1, 1, 0.3, 2),
        (2, 1, 0.7, 1),
        (2, 2, 0.6, 2),
    ]


def test_top_k_threshold_drops_weak_matches():
    assert _pairs(top_k(SIMILARITY, 1, threshold=0.8)) == [(0, 0, 0.9, 1), (1, 0, 0.85, 1)]


def test_top_k_rejects_k_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        top_k(SIMILARITY, 0)


def test_mutual_best_needs_both_sides_to_agree():
    # q1's best is c0, but c0 prefers q0; q2's best is c1, but c1 prefers q0.
    assert _pairs(mutual_best(SIMILARITY)) == [(0, 0, 0.9, 1)]


def test_one_to_one_maximises_the_total_not_greedily():
    # Of the six assignments, q0-c1 + q1-c0 + q2-c2 = 2.25 is the largest; greedy (q0-c0
    # first) would reach at most 1.8.
    assert _pairs(one_to_one(SIMILARITY)) == [(0, 1, 0.8, 2), (1, 0, 0.85, 1), (2, 2, 0.6, 2)]


def test_one_to_one_threshold_applies_after_the_assignment():
    assert _pairs(one_to_one(SIMILARITY, threshold=0.7)) == [(0, 1, 0.8, 2), (1, 0, 0.85, 1)]


def test_one_to_one_on_more_candidates_than_queries():
    wide = np.array([[0.1, 0.9, 0.8], [0.2, 0.95, 0.3]])
    # q1-c1 + q0-c2 = 1.75 beats q0-c1 + q1-c0 = 1.1 and q0-c1 + q1-c2 = 1.2
    assert _pairs(one_to_one(wide)) == [(0, 2, 0.8, 2), (1, 1, 0.95, 1)]


def test_threshold_for_prefers_the_source_own():
    assert threshold_for("coco", {"coco": 0.4}, 0.2) == 0.4
    assert threshold_for("other", {"coco": 0.4}, 0.2) == 0.2
    assert threshold_for("other", None, None) is None


def test_cosine_helpers_match_hand_computed_values():
    a = np.array([[3.0, 4.0], [1.0, 0.0]])
    b = np.array([[4.0, 3.0], [0.0, 2.0]])
    # (3*4 + 4*3) / (5*5) = 0.96; (3*0 + 4*2) / (5*2) = 0.8; row 2: 0.8 and 0.0
    assert np.allclose(cosine_matrix(a, b), [[0.96, 0.8], [0.8, 0.0]])
    assert np.allclose(score_pairs(a, b), [0.96, 0.0])
    assert cosine_matrix(a, b).dtype == np.float32


def _items(prefix: str, modality: str, count: int) -> pd.DataFrame:
    ids = [f"{prefix}{index:015x}" for index in range(count)]
    return pd.DataFrame({"item_id": ids, "source": "src", "modality": modality})


def test_ranked_pairs_rows_put_the_candidate_left():
    queries, candidates = _items("a", "text", 3), _items("b", "code", 3)
    rule = RankingRule(one_to_one=True, threshold=0.7)
    table = ranked_pairs(
        queries,
        candidates,
        SIMILARITY,
        rule,
        model_name="m",
        model_version="1",
        method="model:minilm",
    )
    PAIRS.validate(table)
    assert list(table["left_id"]) == [candidates.item_id[0], candidates.item_id[1]]
    assert list(table["right_id"]) == [queries.item_id[1], queries.item_id[0]]
    assert list(table["group_id"]) == list(table["left_id"])
    assert list(table["score"]) == [0.85, 0.8]
    first = table.iloc[0]
    assert first["pair_id"] == pair_id(first["left_id"], first["right_id"], "model:minilm")
    assert json.loads(first["params"]) == {
        "model_name": "m",
        "model_version": "1",
        "rank": 1,
        "k": 1,
        "threshold": 0.7,
        "assignment": "one_to_one",
    }


def test_ranked_pairs_checks_the_matrix_shape():
    with pytest.raises(ValueError, match="expected"):
        ranked_pairs(
            _items("a", "text", 2),
            _items("b", "code", 3),
            SIMILARITY,
            RankingRule(),
            model_name="m",
            model_version="1",
            method="model:x",
        )
