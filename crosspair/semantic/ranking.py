"""Turn a similarity matrix into pairs: top-k per query, mutual best, or one-to-one.

Rows of the matrix are queries (e.g. unlinked captions), columns are candidates (the items they
may describe). Every selection returns ``Match`` tuples; ``ranked_pairs`` makes them rows of
the pair table, each with its cosine as score and how it was chosen in its parameters.

>>> similarity = np.array([[0.9, 0.2], [0.8, 0.7]])
>>> [(m.query, m.candidate) for m in one_to_one(similarity)]
[(0, 0), (1, 1)]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from crosspair.ids import pair_id
from crosspair.pairing import pairs_frame

MODEL_PREFIX = "model:"


class Match(NamedTuple):
    """One chosen (query row, candidate column) with its similarity and rank for the query."""

    query: int
    candidate: int
    score: float
    rank: int


@dataclass(frozen=True)
class RankingRule:
    """How to choose pairs from a similarity matrix.

    ``one_to_one`` wins over ``mutual_best``, which wins over ``top_k``; ``threshold`` (if set)
    drops every match scoring below it.
    """

    top_k: int = 1
    threshold: float | None = None
    mutual_best: bool = False
    one_to_one: bool = False

    @property
    def selection(self) -> str:
        if self.one_to_one:
            return "one_to_one"
        return "mutual_best" if self.mutual_best else "top_k"


def _ranks(similarity: np.ndarray) -> np.ndarray:
    """Rank (1 = best) of every candidate for every query; ties keep column order."""
    order = np.argsort(-similarity, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(similarity.shape[0])[:, None]
    ranks[rows, order] = np.arange(1, similarity.shape[1] + 1)
    return ranks


def _kept(matches: list[Match], threshold: float | None) -> list[Match]:
    if threshold is None:
        return matches
    return [match for match in matches if match.score >= threshold]


def top_k(similarity: np.ndarray, k: int, threshold: float | None = None) -> list[Match]:
    """The ``k`` best candidates of every query (ties in column order), best first."""
    if k < 1:
        raise ValueError(f"top_k must be at least 1, got {k}")
    similarity = np.asarray(similarity, dtype=float)
    if similarity.size == 0:
        return []
    order = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    matches = [
        Match(query, int(column), float(similarity[query, column]), rank)
        for query in range(similarity.shape[0])
        for rank, column in enumerate(order[query], start=1)
    ]
    return _kept(matches, threshold)


def mutual_best(similarity: np.ndarray, threshold: float | None = None) -> list[Match]:
    """Pairs where each side is the other's best (first in column/row order on ties)."""
    similarity = np.asarray(similarity, dtype=float)
    if similarity.size == 0:
        return []
    best_candidate = similarity.argmax(axis=1)
    best_query = similarity.argmax(axis=0)
    matches = [
        Match(query, int(column), float(similarity[query, column]), 1)
        for query, column in enumerate(best_candidate)
        if best_query[column] == query
    ]
    return _kept(matches, threshold)


def one_to_one(similarity: np.ndarray, threshold: float | None = None) -> list[Match]:
    """The assignment with the largest total similarity, each row and column used at most once.

    Matches below ``threshold`` are dropped after the assignment, so a weak pair never takes a
    partner away from another.
    """
    similarity = np.asarray(similarity, dtype=float)
    if similarity.size == 0:
        return []
    rows, columns = linear_sum_assignment(similarity, maximize=True)
    ranks = _ranks(similarity)
    matches = [
        Match(int(row), int(column), float(similarity[row, column]), int(ranks[row, column]))
        for row, column in zip(rows, columns, strict=True)
    ]
    return _kept(matches, threshold)


def select(similarity: np.ndarray, rule: RankingRule) -> list[Match]:
    """The matches a rule asks for."""
    if rule.one_to_one:
        return one_to_one(similarity, rule.threshold)
    if rule.mutual_best:
        return mutual_best(similarity, rule.threshold)
    return top_k(similarity, rule.top_k, rule.threshold)


def threshold_for(
    source: str, thresholds: Mapping[str, float] | None, default: float | None
) -> float | None:
    """The score threshold of one source: its own if given, else the default."""
    if thresholds and source in thresholds:
        return thresholds[source]
    return default


def ranked_pairs(
    queries: pd.DataFrame,
    candidates: pd.DataFrame,
    similarity: np.ndarray,
    rule: RankingRule,
    *,
    model_name: str,
    model_version: str,
    method: str,
    queries_on_left: bool = False,
) -> pd.DataFrame:
    """Pair-table rows for the matches ``rule`` picks from ``similarity``.

    ``queries`` and ``candidates`` hold ``item_id``, ``source`` and ``modality`` in the order of
    the matrix rows and columns. By default the candidate (media or code) is the pair's left
    side and its group, the query (a text) its right side.
    """
    similarity = np.asarray(similarity, dtype=float)
    expected = (len(queries), len(candidates))
    if similarity.shape != expected:
        raise ValueError(f"similarity has shape {similarity.shape}, expected {expected}")
    queries = queries.reset_index(drop=True)
    candidates = candidates.reset_index(drop=True)

    rows = []
    for match in select(similarity, rule):
        query, candidate = queries.loc[match.query], candidates.loc[match.candidate]
        left, right = (query, candidate) if queries_on_left else (candidate, query)
        params = {
            "model_name": model_name,
            "model_version": model_version,
            "rank": match.rank,
            "k": rule.top_k,
            "threshold": rule.threshold,
            "assignment": rule.selection,
        }
        rows.append(
            {
                "pair_id": pair_id(left["item_id"], right["item_id"], method),
                "group_id": left["item_id"],
                "source": left["source"],
                "left_id": left["item_id"],
                "left_modality": left["modality"],
                "right_id": right["item_id"],
                "right_modality": right["modality"],
                "method": method,
                "score": float(np.clip(match.score, -1.0, 1.0)),
                "params": json.dumps(params, sort_keys=True),
            }
        )
    return pairs_frame(rows)
