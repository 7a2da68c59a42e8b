"""Combining votes: confidences worked out by hand from the weights and the prior."""

import pytest

from crosspair.weak.label_model import (
    BELOW_THRESHOLD,
    cast_votes,
    confidence,
    decide,
    judge,
    rules_version,
)
from crosspair.weak.rules import ABSTAIN, DROP, KEEP, LabelSettings, Rule, WeakCandidate


def _rule(name, weight=1.0, veto=False):
    return Rule(name, lambda candidate, settings: ABSTAIN, weight, veto)


RULES = [_rule("a", 2.0), _rule("b", 1.0), _rule("c", 0.5), _rule("v", 1.0, veto=True)]


@pytest.mark.parametrize(
    "votes, expected",
    [
        ({}, 0.5),  # the prior alone: half a vote each way
        ({"a": ABSTAIN, "b": ABSTAIN}, 0.5),
        ({"b": KEEP}, 1.5 / 2),  # (1 + 0.5) / (1 + 1)
        ({"a": KEEP}, 2.5 / 3),
        ({"a": KEEP, "b": KEEP}, 3.5 / 4),
        ({"a": KEEP, "b": DROP}, 2.5 / 4),
        ({"a": DROP, "b": KEEP, "c": KEEP}, 2.0 / 4.5),  # (1.5 + 0.5) / (1.5 + 2 + 1)
        ({"a": DROP, "b": DROP}, 0.5 / 4),
        ({"a": KEEP, "b": KEEP, "v": DROP}, 0.0),  # a veto decides alone
        ({"a": KEEP, "v": ABSTAIN}, 2.5 / 3),
    ],
)
def test_confidence_is_the_weighted_keep_share_with_a_neutral_prior(votes, expected):
    assert confidence(votes, RULES) == pytest.approx(expected)


def test_decision_and_reason_at_the_threshold():
    kept = decide({"a": KEEP, "b": DROP}, RULES, threshold=0.625)  # exactly 2.5 / 4
    assert (kept.decision, kept.reason) == (KEEP, "")
    dropped = decide({"a": KEEP, "b": DROP}, RULES, threshold=0.63)
    assert (dropped.decision, dropped.reason) == (DROP, "b")
    vetoed = decide({"a": KEEP, "b": DROP, "v": DROP}, RULES, threshold=0.0)
    assert (vetoed.confidence, vetoed.decision) == (0.0, KEEP)  # threshold 0 keeps all
    unsure = decide({"a": ABSTAIN}, RULES, threshold=0.6)
    assert (unsure.decision, unsure.reason) == (DROP, BELOW_THRESHOLD)
    both = decide({"a": DROP, "c": DROP, "b": KEEP}, RULES, threshold=0.6)
    assert both.reason == "a;c"  # in rule order


def test_built_in_rules_on_one_candidate_by_hand():
    # "Logo": boilerplate (2) and too_short (1) drop; nothing keeps -> 0.5 / (3 + 1)
    verdict = judge(WeakCandidate("alt_text", "Logo", image_path="img/brand.png"))
    assert verdict.confidence == pytest.approx(0.125)
    assert (verdict.decision, verdict.reason) == (DROP, "boilerplate;too_short")
    # a figcaption of two words: figcaption keeps (2), too_short drops (1) -> 2.5 / 4
    caption = judge(WeakCandidate("figcaption", "Harbour view", image_path="img/h.jpg"))
    assert caption.confidence == pytest.approx(0.625) and caption.decision == KEEP
    two_words = WeakCandidate("figcaption", "Harbour view")
    strict = judge(two_words, LabelSettings(threshold=0.7))
    assert strict.decision == DROP and strict.reason == "too_short"
    # with min_words 2 too_short abstains: 2.5 / 3
    assert judge(two_words, LabelSettings(min_words=2)).confidence == pytest.approx(2.5 / 3)


def test_a_rule_that_returns_something_else_is_an_error():
    bad = Rule("bad", lambda candidate, settings: "maybe")
    with pytest.raises(ValueError, match="'bad' returned 'maybe'"):
        cast_votes(WeakCandidate("alt_text", "x"), LabelSettings(), [bad])


def test_rules_version_changes_with_weights():
    assert rules_version(RULES) == rules_version(list(RULES))
    assert rules_version(RULES) != rules_version([_rule("a", 3.0), *RULES[1:]])
    assert len(rules_version(RULES)) == 12
