"""Majority decisions, human pairs, and human decisions applied to a pair table."""

import json

import pandas as pd
import pytest

from crosspair.annotation import adjudicate, apply_human_overrides, human_pairs
from crosspair.annotation.tables import HUMAN_DECISIONS, REMOVED_PAIRS, UNRESOLVED
from crosspair.ids import pair_id
from crosspair.pairing import pairs_frame
from crosspair.schemas import PAIRS
from tests.annotation.conftest import COCO, CODE, pair_row

M, N = "match", "no_match"
RULE = "majority(min_annotators=2)"


def _judged(corpus) -> tuple[dict, pd.DataFrame]:
    """Five judged pairs: a 2-1 match, a 2-0 no-match, a tie, one lone vote, a code match."""
    img, cap, code, doc = corpus.images, corpus.captions, corpus.code, corpus.docstrings
    pairs = {
        "p1": (COCO, img[0], "image", cap[0], {"a": M, "b": M, "c": N}),
        "p2": (COCO, img[0], "image", cap[1], {"a": N, "b": N}),
        "p3": (COCO, img[1], "image", cap[2], {"a": M, "b": N}),
        "p4": (COCO, img[2], "image", cap[3], {"a": M}),
        "p5": (CODE, code[1], "code", doc[1], {"b": M, "c": M}),
    }
    rows = [
        {
            "annotator": annotator,
            "source": source,
            "left_id": left,
            "left_modality": modality,
            "right_id": right,
            "right_modality": "text",
            "label": label,
            "source_file": "annotations/batch.csv",
            "task_id": f"{name}-{annotator}",
            "created_at": pd.NaT,
        }
        for name, (source, left, modality, right, votes) in pairs.items()
        for annotator, label in votes.items()
    ]
    return pairs, pd.DataFrame(rows)


def _decision(pair, decision, share, annotators, votes, reason=""):
    source, left, modality, right, _ = pair
    return {
        "source": source,
        "left_id": left,
        "left_modality": modality,
        "right_id": right,
        "right_modality": "text",
        "decision": decision,
        "share": share,
        "annotators": len(annotators.split(";")),
        "annotator": annotators,
        "votes": json.dumps(votes, sort_keys=True),
        "rule": RULE,
        "reason": reason,
    }


def _sorted(frame: pd.DataFrame, *by: str) -> pd.DataFrame:
    return frame.sort_values(list(by), kind="mergesort").reset_index(drop=True)


def test_majority_decisions_with_ties_and_too_few_annotators(corpus):
    pairs, judgements = _judged(corpus)
    decisions = adjudicate(judgements, min_annotators=2)
    HUMAN_DECISIONS.validate(decisions)
    expected = pd.DataFrame(
        [
            _decision(pairs["p1"], M, 2 / 3, "a;b;c", {M: 2, N: 1}),
            _decision(pairs["p2"], N, 1.0, "a;b", {N: 2}),
            _decision(
                pairs["p3"], UNRESOLVED, 0.5, "a;b", {M: 1, N: 1}, "tie: match = no_match (1 each)"
            ),
            _decision(pairs["p4"], UNRESOLVED, 1.0, "a", {M: 1}, "too few annotators: 1 of 2"),
            _decision(pairs["p5"], M, 1.0, "b;c", {M: 2}),
        ]
    )
    key = ("source", "left_id", "right_id")
    pd.testing.assert_frame_equal(decisions, _sorted(expected, *key))

    strict = adjudicate(judgements, min_annotators=3).set_index("right_id")["decision"]
    assert strict.to_dict() == {
        corpus.captions[0]: M,
        corpus.captions[1]: UNRESOLVED,
        corpus.captions[2]: UNRESOLVED,
        corpus.captions[3]: UNRESOLVED,
        corpus.docstrings[1]: UNRESOLVED,
    }
    with pytest.raises(ValueError, match="min_annotators is 0"):
        adjudicate(judgements, min_annotators=0)


def _human(pair, share, annotators, votes, **extra):
    source, left, modality, right, _ = pair
    params = {"annotator": annotators, "votes": votes, "rule": RULE, **extra}
    return {
        "pair_id": pair_id(left, right, "human"),
        "group_id": left,
        "source": source,
        "left_id": left,
        "left_modality": modality,
        "right_id": right,
        "right_modality": "text",
        "method": "human",
        "score": share,
        "params": json.dumps(params, sort_keys=True),
    }


def test_adjudicated_matches_are_human_pairs(corpus):
    pairs, judgements = _judged(corpus)
    table = human_pairs(adjudicate(judgements))
    PAIRS.validate(table)
    expected = pairs_frame(
        [
            _human(pairs["p1"], 2 / 3, "a;b;c", {M: 2, N: 1}),
            _human(pairs["p5"], 1.0, "b;c", {M: 2}),
        ]
    )
    pd.testing.assert_frame_equal(table, expected)


def test_overrides_replace_remove_add_and_keep_the_rest(corpus):
    pairs, judgements = _judged(corpus)
    decisions = adjudicate(judgements)
    img, cap = corpus.images, corpus.captions
    x1 = pair_row(img[0], cap[0], "manifest_reference", COCO, "image", kind="caption")
    x2 = pair_row(img[0], cap[1], "model:minilm", COCO, "image", score=0.31, model_name="minilm")
    x3 = pair_row(img[1], cap[2], "manifest_reference", COCO, "image", kind="caption")
    x4 = pair_row(img[2], cap[3], "manifest_reference", COCO, "image", kind="caption")
    x6 = pair_row(corpus.code[0], corpus.docstrings[0], "manifest_record", CODE, "code")
    before = pairs_frame([x1, x2, x3, x4, x6])

    reviewed, removed = apply_human_overrides(before, decisions)

    p1 = _human(pairs["p1"], 2 / 3, "a;b;c", {M: 2, N: 1}, overrides="manifest_reference")
    p5 = _human(pairs["p5"], 1.0, "b;c", {M: 2})  # a match no method had found: added
    pd.testing.assert_frame_equal(reviewed, pairs_frame([x3, x4, x6, p1, p5]))
    PAIRS.validate(reviewed)

    replaced_reason = (
        f"replaced by human pair {p1['pair_id']}: human match: "
        '{"match": 2, "no_match": 1} by a;b;c (majority(min_annotators=2))'
    )
    no_match_reason = 'human no_match: {"no_match": 2} by a;b (majority(min_annotators=2))'
    expected_removed = pd.DataFrame(
        [{**x1, "reason": replaced_reason}, {**x2, "reason": no_match_reason}]
    )
    key = ("source", "group_id", "right_id", "method")
    pd.testing.assert_frame_equal(removed, _sorted(expected_removed, *key))
    REMOVED_PAIRS.validate(removed)

    # nothing lost: every pair is kept, or removed with a reason
    assert set(before["pair_id"]) <= set(reviewed["pair_id"]) | set(removed["pair_id"])


def test_no_decisions_change_nothing(corpus):
    before = pairs_frame(
        [pair_row(corpus.images[0], corpus.captions[0], "manifest_reference", COCO, "image")]
    )
    reviewed, removed = apply_human_overrides(before, adjudicate(before.iloc[:0]))
    pd.testing.assert_frame_equal(reviewed, before)
    assert removed.empty and list(removed.columns) == list(REMOVED_PAIRS.columns)
    empty, nothing = apply_human_overrides(pairs_frame([]), adjudicate(before.iloc[:0]))
    assert empty.empty and nothing.empty
