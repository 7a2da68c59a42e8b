"""Train/val/test splits that keep related pairs together and stay put as sources grow.

A model evaluated on a picture it was trained on (or on its resized copy, or on another photo
of the same person) scores better than it should. So pairs are first joined into leakage
groups: pairs that share an item, items with identical bytes, near-duplicate images and
items showing the same person. Every group then goes to one split, chosen by hashing a stable
anchor of the group, so the same inputs always give the same split.

>>> assignments, excluded = assign_splits(pairs, items)          # doctest: +SKIP
>>> later, excluded = assign_splits(pairs_v2, items_v2, previous=assignments)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crosspair.schemas import SPLIT_ASSIGNMENTS, SPLITS

logger = logging.getLogger(__name__)

DEFAULT_RATIOS: Mapping[str, float] = {"train": 0.8, "val": 0.1, "test": 0.1}


def _edges(
    pairs: pd.DataFrame, items: pd.DataFrame, near_duplicates: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series]:
    """Both ends of every link; item nodes are bare ids, other nodes carry a prefix."""
    ends = [(pairs["left_id"], pairs["right_id"])]

    sha = items["sha256"].fillna("")
    known = items[sha != ""]
    ends.append((known["item_id"], "sha:" + known["sha256"]))

    if near_duplicates is not None and len(near_duplicates):
        ends.append((near_duplicates["item_id"], "near:" + near_duplicates["cluster_id"]))

    subjects = items[["item_id", "subject_ids"]].copy()
    subjects["subject"] = subjects["subject_ids"].fillna("").str.split(";")
    subjects = subjects.explode("subject")
    subjects = subjects[subjects["subject"].fillna("") != ""]
    ends.append((subjects["item_id"], "subject:" + subjects["subject"]))

    left = pd.concat([pd.Series(a, dtype=object) for a, _ in ends], ignore_index=True)
    right = pd.concat([pd.Series(b, dtype=object) for _, b in ends], ignore_index=True)
    return left, right


def _smallest(keys: pd.Series, labels: pd.Series) -> dict:
    """The smallest label per key (sorting is far faster than a groupby min on strings)."""
    frame = pd.DataFrame({"key": keys.to_numpy(), "label": labels.to_numpy()})
    first = frame.sort_values(["key", "label"]).drop_duplicates("key")
    return dict(zip(first["key"], first["label"], strict=True))


def leakage_groups(
    pairs: pd.DataFrame, items: pd.DataFrame, near_duplicates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Label each pair with its leakage group: the connected component of shared items, bytes,
    near-duplicate clusters and subject ids (union-find, done as a sparse graph).

    ``items`` has item_id, sha256 and subject_ids for every catalogued item; items outside
    pairs still count, since an unpaired item can link two paired ones. The label is the
    group's anchor: ``subject:<smallest subject id>`` if any member shows a person, otherwise
    ``item:<smallest left item id>``.
    """
    if pairs.empty:
        return pd.DataFrame({"pair_id": pd.Series(dtype=object), "leakage_group": []})
    left, right = _edges(pairs, items, near_duplicates)
    codes, nodes = pd.factorize(pd.concat([left, right], ignore_index=True))
    n_edges = len(left)
    graph = coo_matrix(
        (np.ones(n_edges, dtype=np.int8), (codes[:n_edges], codes[n_edges:])),
        shape=(len(nodes), len(nodes)),
    )
    _, labels = connected_components(graph, directed=False)
    component = pd.Series(labels, index=nodes)

    result = pd.DataFrame(
        {"pair_id": pairs["pair_id"].to_numpy(), "left_id": pairs["left_id"].to_numpy()}
    )
    result["component"] = component.loc[result["left_id"]].to_numpy()
    anchors = _smallest(result["component"], "item:" + result["left_id"])
    subjects = component[component.index.str.startswith("subject:")]
    anchors.update(_smallest(pd.Series(subjects.to_numpy()), pd.Series(subjects.index)))

    result["leakage_group"] = result["component"].map(anchors)
    result = result[["pair_id", "leakage_group"]].sort_values("pair_id").reset_index(drop=True)
    logger.info("leakage groups: %d pairs in %d groups", len(result), len(set(anchors.values())))
    return result


def _normalised(ratios: Mapping[str, float]) -> list[tuple[str, float]]:
    unknown = sorted(set(ratios) - set(SPLITS))
    if unknown:
        raise ValueError(f"ratios name unknown splits {unknown}; use {list(SPLITS)}")
    if any(value < 0 for value in ratios.values()) or sum(ratios.values()) <= 0:
        raise ValueError(f"ratios must be non-negative and not all zero, got {dict(ratios)}")
    total = float(sum(ratios.values()))
    return [(split, ratios[split] / total) for split in SPLITS if split in ratios]


def split_of(
    anchor: str, ratios: Mapping[str, float] = DEFAULT_RATIOS, salt: str = "crosspair"
) -> str:
    """The split a leakage-group anchor hashes to (blake2b of salt and anchor, in [0, 1))."""
    return _split_at(_position(anchor, salt), _normalised(ratios))


def _position(anchor: str, salt: str) -> float:
    digest = hashlib.blake2b(f"{salt}\x1f{anchor}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _split_at(position: float, buckets: list[tuple[str, float]]) -> str:
    cumulative = 0.0
    for split, share in buckets:
        cumulative += share
        if position < cumulative:
            return split
    return buckets[-1][0]


def _ordered(splits) -> list[str]:
    return [split for split in SPLITS if split in set(splits)]


def assign_splits(
    pairs: pd.DataFrame,
    items: pd.DataFrame,
    near_duplicates: pd.DataFrame | None = None,
    ratios: Mapping[str, float] = DEFAULT_RATIOS,
    salt: str = "crosspair",
    previous: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give every pair a split; returns (SPLIT_ASSIGNMENTS rows, excluded pairs with a reason).

    Why ``previous``: a published test set must not change when sources grow, or scores
    across versions stop being comparable and old test pairs leak into new training. So pairs
    already assigned keep their split, and new pairs of such a group follow it. When a new item
    joins groups that earlier runs put in different splits, the old pairs stay where they were
    and the group's new pairs are excluded (``would_leak: bridges <splits>``) rather than
    leaking across them.

    Leakage-free wins over stability in one case: when new information joins old pairs that
    were published in different splits by itself (a subject id added to two records, a file
    replaced by a copy of another), so the old pairs leak even without the new ones. Then the
    whole group moves to the split holding most of its old pairs (ties broken by hashing the
    group's anchor), with a WARNING per moved group. The return value is unchanged; the
    moved pairs are exactly those whose split differs from ``previous``, which
    :func:`split_moves` lists.
    """
    buckets = _normalised(ratios)
    groups = leakage_groups(pairs, items, near_duplicates)
    table = pairs[["pair_id", "group_id"]].merge(groups, on="pair_id", how="left")
    anchors = table["leakage_group"].unique()
    table["split"] = table["leakage_group"].map(
        {anchor: _split_at(_position(anchor, salt), buckets) for anchor in anchors}
    )
    table["reason"] = ""

    if previous is not None and len(previous):
        table = _keep_previous(table, previous, pairs, items, near_duplicates, salt)

    excluded = table.loc[table["reason"] != "", ["pair_id", "reason"]]
    kept = table.loc[table["reason"] == "", list(SPLIT_ASSIGNMENTS.columns)]
    kept = kept.sort_values("pair_id").reset_index(drop=True)
    excluded = excluded.sort_values("pair_id").reset_index(drop=True)
    SPLIT_ASSIGNMENTS.validate(kept)
    counts = kept["split"].value_counts().reindex(SPLITS, fill_value=0).to_dict()
    logger.info("split assignments: %s; %d pairs excluded", counts, len(excluded))
    return kept, excluded


def _keep_previous(
    table: pd.DataFrame,
    previous: pd.DataFrame,
    pairs: pd.DataFrame,
    items: pd.DataFrame,
    near_duplicates: pd.DataFrame | None,
    salt: str,
) -> pd.DataFrame:
    """Pin pairs to their earlier split and settle new pairs of groups that already have one."""
    earlier = previous.set_index("pair_id")
    known = table["pair_id"].isin(earlier.index)
    table.loc[known, "split"] = table.loc[known, "pair_id"].map(earlier["split"])
    dropped = len(earlier) - int(known.sum())
    if dropped:
        logger.info("%d previously assigned pairs are gone from the pairs table", dropped)

    old = table.loc[known, ["leakage_group", "split"]].drop_duplicates()
    n_old = old.groupby("leakage_group")["split"].nunique()
    settled = old[old["leakage_group"].isin(n_old.index[n_old == 1])]
    follow = ~known & table["leakage_group"].isin(settled["leakage_group"])
    table.loc[follow, "split"] = table.loc[follow, "leakage_group"].map(
        settled.set_index("leakage_group")["split"]
    )

    apart = n_old.index[n_old > 1]
    leaking = set()
    if len(apart):
        leaking = _leaking_without_new_pairs(table[known], pairs, items, near_duplicates)
    for anchor in apart:
        in_group = table["leakage_group"] == anchor
        if anchor in leaking:
            _move_group(table, in_group & known, in_group, anchor, salt)
            continue
        splits = _ordered(old.loc[old["leakage_group"] == anchor, "split"])
        # the old pairs keep their split and earlier label, so the table shows them apart as
        # they were published
        table.loc[in_group & known, "leakage_group"] = table.loc[in_group & known, "pair_id"].map(
            earlier["leakage_group"]
        )
        new = in_group & ~known
        if new.any():
            reason = f"would_leak: bridges {','.join(splits)}"
            table.loc[new, "reason"] = reason
            logger.warning(
                "leakage group %s: %d new pairs excluded, they %s", anchor, int(new.sum()), reason
            )
    return table


def _leaking_without_new_pairs(
    old: pd.DataFrame,
    pairs: pd.DataFrame,
    items: pd.DataFrame,
    near_duplicates: pd.DataFrame | None,
) -> set[str]:
    """Current groups whose previously assigned pairs span splits even with no new pair."""
    violations = leakage_violations(old[["pair_id", "split"]], pairs, items, near_duplicates)
    leaking = {pair for ids in violations["pair_ids"] for pair in ids.split(";")}
    return set(old.loc[old["pair_id"].isin(leaking), "leakage_group"])


def _move_group(
    table: pd.DataFrame, old: pd.Series, in_group: pd.Series, anchor: str, salt: str
) -> None:
    """Put a whole group in the split holding most of its old pairs (ties: the anchor's hash)."""
    counts = table.loc[old, "split"].value_counts()
    tied = _ordered(counts.index[counts == counts.max()])
    target = split_of(anchor, {split: 1.0 for split in tied}, salt)
    moving = old & (table["split"] != target)
    logger.warning(
        "leakage group %s: %d published pairs moved from %s to %s, since new information joins "
        "pairs that earlier builds put in different splits (see split_moves)",
        anchor,
        int(moving.sum()),
        ",".join(_ordered(table.loc[moving, "split"])),
        target,
    )
    table.loc[in_group, "split"] = target


def split_moves(previous: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Pairs whose split differs from ``previous``: the pairs :func:`assign_splits` moved to
    end a leak between old pairs. Columns: pair_id, leakage_group, from_split, to_split.

    >>> later, excluded = assign_splits(pairs, items, previous=assignments)  # doctest: +SKIP
    >>> split_moves(assignments, later)                                      # doctest: +SKIP
    """
    both = previous[["pair_id", "split"]].merge(
        assignments[["pair_id", "leakage_group", "split"]], on="pair_id", suffixes=("_from", "")
    )
    moved = both[both["split_from"] != both["split"]]
    moved = moved.rename(columns={"split_from": "from_split", "split": "to_split"})
    columns = ["pair_id", "leakage_group", "from_split", "to_split"]
    return moved[columns].sort_values("pair_id").reset_index(drop=True)


def leakage_violations(
    assignments: pd.DataFrame,
    pairs: pd.DataFrame,
    items: pd.DataFrame,
    near_duplicates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Leakage groups that span more than one split; empty when the split is clean.

    Groups are recomputed over the assigned pairs only, with only the items those pairs use,
    so pairs excluded by :func:`assign_splits` (and unpaired items) cannot link anything.
    Columns: leakage_group, splits (";"-joined), n_pairs, pair_ids (";"-joined).
    """
    assigned = pairs[pairs["pair_id"].isin(assignments["pair_id"])]
    used = set(assigned["left_id"]) | set(assigned["right_id"])
    used_items = items[items["item_id"].isin(used)]
    used_near = None
    if near_duplicates is not None:
        used_near = near_duplicates[near_duplicates["item_id"].isin(used)]

    columns = ["leakage_group", "splits", "n_pairs", "pair_ids"]
    groups = leakage_groups(assigned, used_items, used_near)
    table = groups.merge(assignments[["pair_id", "split"]], on="pair_id")
    if table.empty:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    n_splits = table.groupby("leakage_group")["split"].nunique()
    spanning = table[table["leakage_group"].isin(n_splits.index[n_splits > 1])]
    bad = (
        spanning.sort_values("pair_id")
        .groupby("leakage_group")
        .agg(
            splits=("split", lambda s: ";".join(_ordered(s))),
            n_pairs=("pair_id", "size"),
            pair_ids=("pair_id", ";".join),
        )
        .reset_index()
    )
    if len(bad):
        logger.warning("leakage: %d groups span more than one split", len(bad))
    return bad[columns].sort_values("leakage_group").reset_index(drop=True)
