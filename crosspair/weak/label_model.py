"""Votes to a confidence and a decision: a weighted vote with a neutral prior.

    confidence = (K + P/2) / (K + D + P)

K and D are the summed weights of the rules voting keep and drop, P the prior weight (1):
half a vote for each side, so no evidence gives 0.5 and one rule of weight 1 voting keep
gives 0.75. A veto rule voting drop makes the confidence 0. A candidate is kept at
``confidence >= threshold``; a dropped one's reason names the rules that voted drop, or
``below_threshold`` when none did (no rule found enough to keep it).

TODO: a generative label model (rule accuracies learnt from their agreements, as in Snorkel)
would weigh correlated rules better; hand weights keep every score explainable for now.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crosspair.weak.rules import (
    DROP,
    KEEP,
    VOTES,
    LabelSettings,
    Rule,
    WeakCandidate,
    registered_rules,
)

PRIOR_WEIGHT = 1.0
BELOW_THRESHOLD = "below_threshold"


@dataclass(frozen=True)
class Verdict:
    votes: dict[str, str]  # rule name -> keep/drop/abstain, in rule order
    confidence: float
    decision: str  # keep or drop
    reason: str  # ";"-joined names of the rules that voted drop ("" when kept)


def cast_votes(
    candidate: WeakCandidate, settings: LabelSettings, rules: Sequence[Rule]
) -> dict[str, str]:
    """Every rule's vote on one candidate; a rule returning anything else is an error."""
    votes = {}
    for rule in rules:
        vote = rule.vote(candidate, settings)
        if vote not in VOTES:
            raise ValueError(f"labelling rule {rule.name!r} returned {vote!r}, not one of {VOTES}")
        votes[rule.name] = vote
    return votes


def confidence(votes: Mapping[str, str], rules: Sequence[Rule]) -> float:
    """The weighted share of keep votes, with ``PRIOR_WEIGHT`` split evenly between sides."""
    by_name = {rule.name: rule for rule in rules}
    if any(vote == DROP and by_name[name].veto for name, vote in votes.items()):
        return 0.0
    keep = sum(by_name[name].weight for name, vote in votes.items() if vote == KEEP)
    drop = sum(by_name[name].weight for name, vote in votes.items() if vote == DROP)
    return (keep + PRIOR_WEIGHT / 2) / (keep + drop + PRIOR_WEIGHT)


def decide(votes: Mapping[str, str], rules: Sequence[Rule], threshold: float) -> Verdict:
    """Confidence, keep/drop at ``threshold``, and the reason of a drop."""
    score = confidence(votes, rules)
    if score >= threshold:
        return Verdict(dict(votes), score, KEEP, "")
    against = [name for name, vote in votes.items() if vote == DROP]
    return Verdict(dict(votes), score, DROP, ";".join(against) or BELOW_THRESHOLD)


def judge(
    candidate: WeakCandidate,
    settings: LabelSettings | None = None,
    rules: Sequence[Rule] | None = None,
) -> Verdict:
    """Run the rules (the registry's by default) on a candidate and decide."""
    settings = settings or LabelSettings()
    rules = registered_rules() if rules is None else list(rules)
    return decide(cast_votes(candidate, settings, rules), rules, settings.threshold)


def rules_version(rules: Sequence[Rule]) -> str:
    """A short digest of the rule set (names, weights, vetoes): changes when the rules do."""
    spec = ";".join(f"{r.name}:{r.weight:g}:{int(r.veto)}" for r in rules)
    return hashlib.sha256(f"prior:{PRIOR_WEIGHT:g};{spec}".encode()).hexdigest()[:12]
