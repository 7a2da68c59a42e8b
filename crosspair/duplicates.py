"""Exact and near-duplicate media, so the split can keep copies of one picture together.

Exact duplicates share a sha256. Near-duplicates are images whose perceptual hashes
(``imagehash.phash``, 64 bits as 16 hex chars) differ in at most ``max_distance`` bits; they
are joined into clusters as connected components, so a chain A~B~C is one cluster even when
A and C are further apart. That over-joins a little, which is the safe side for leakage.

>>> exact_duplicates(pd.DataFrame({"item_id": ["b", "a"], "sha256": ["x", "x"]}))
  item_id duplicate_group
0       a               a
1       b               a
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crosspair.hamming import HASH_BITS, close_pairs

logger = logging.getLogger(__name__)


def exact_duplicates(items: pd.DataFrame) -> pd.DataFrame:
    """Items whose bytes are identical to another item's; the group is its smallest item_id.

    Only items with at least one twin are listed; empty sha256 values are ignored.
    """
    known = items.loc[items["sha256"].fillna("") != "", ["item_id", "sha256"]]
    shared = known[known.duplicated("sha256", keep=False)]
    groups = shared.groupby("sha256")["item_id"].transform("min")
    result = pd.DataFrame({"item_id": shared["item_id"], "duplicate_group": groups})
    result = result.sort_values(["duplicate_group", "item_id"]).reset_index(drop=True)
    logger.info(
        "exact duplicates: %d items in %d groups", len(result), result["duplicate_group"].nunique()
    )
    return result


def _hash_ints(images: pd.DataFrame) -> np.ndarray:
    """The 64-bit phash values as unsigned integers; names the item when a hash is malformed."""
    values = np.empty(len(images), dtype=np.uint64)
    for index, (item, phash) in enumerate(zip(images["item_id"], images["phash"], strict=True)):
        try:
            if not isinstance(phash, str) or len(phash) != HASH_BITS // 4:
                raise ValueError
            values[index] = int(phash, 16)
        except ValueError:
            raise ValueError(
                f"item {item}: phash {phash!r} is not 16 hex characters; re-run the image probe"
            ) from None
    return values


def near_duplicate_clusters(images: pd.DataFrame, max_distance: int = 6) -> pd.DataFrame:
    """Clusters of images within ``max_distance`` bits of each other (phash Hamming distance).

    Returns one row per image that has at least one near-duplicate: ``cluster_id`` (the
    smallest item_id of the cluster), ``nearest_id`` (closest other image, ties to the smaller
    id) and ``distance`` (bits to it). Images with the same hash are compared once, as one
    hash; the search is ``crosspair.hamming.close_pairs`` (multi-index hashing above a few
    thousand distinct hashes).
    """
    started = time.perf_counter()
    ordered = images[["item_id", "phash"]].sort_values("item_id").reset_index(drop=True)
    ids = ordered["item_id"].to_numpy()
    # ids are sorted, so a hash's first row is its smallest item_id
    unique, first_row, hash_of_row, copies = np.unique(
        _hash_ints(ordered), return_index=True, return_inverse=True, return_counts=True
    )
    left, right, bits = close_pairs(unique, max_distance)

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), (len(unique),) * 2)
    _, labels = connected_components(graph, directed=False)
    nearest_row, nearest_bits = _nearest_other_row(
        first_row,
        hash_of_row,
        copies,
        np.concatenate((left, right)),
        np.concatenate((right, left)),
        np.concatenate((bits, bits)),
    )

    has_twin = nearest_bits <= max_distance
    result = pd.DataFrame(
        {
            "item_id": ids[has_twin],
            "label": labels[hash_of_row][has_twin],
            "nearest_id": ids[nearest_row[has_twin]],
            "distance": nearest_bits[has_twin].astype("int64"),
        }
    )
    result["cluster_id"] = result.groupby("label")["item_id"].transform("min")
    result = result[["item_id", "cluster_id", "nearest_id", "distance"]]
    result = result.sort_values(["cluster_id", "item_id"]).reset_index(drop=True)
    logger.info(
        "near duplicates: %d of %d images (%d distinct hashes) in %d clusters (max %d bits) "
        "in %.2f s",
        len(result),
        len(ids),
        len(unique),
        result["cluster_id"].nunique(),
        max_distance,
        time.perf_counter() - started,
    )
    return result


def _nearest_other_row(first_row, hash_of_row, copies, source, target, bits):
    """Per row: the closest other row (ties to the smaller row) and its distance in bits.

    A row sharing its hash is 0 bits from that hash's first row (the first row: from the
    second). Any other row takes its hash's nearest close hash (``source`` -> ``target`` at
    ``bits``) and that hash's first row, the smallest one with it. A row with neither gets
    ``HASH_BITS + 1`` bits.
    """
    best_row = np.full(len(copies), -1, dtype=np.int64)
    best_bits = np.full(len(copies), HASH_BITS + 1, dtype=np.int64)
    if len(source):
        order = np.lexsort((first_row[target], bits, source))  # by source, bits, then row
        first_of_source = order[np.r_[True, np.diff(source[order]) != 0]]
        best_row[source[first_of_source]] = first_row[target[first_of_source]]
        best_bits[source[first_of_source]] = bits[first_of_source]
    nearest_row, nearest_bits = best_row[hash_of_row], best_bits[hash_of_row]

    rows = np.arange(len(hash_of_row))
    shared = copies[hash_of_row] > 1
    own_first = first_row[hash_of_row]
    # each hash's rows in row order; the second of them follows its first
    by_hash = np.argsort(hash_of_row, kind="stable")
    second_row = by_hash[np.minimum(np.cumsum(copies) - copies + 1, len(rows) - 1)]
    nearest_row[shared] = np.where(rows == own_first, second_row[hash_of_row], own_first)[shared]
    nearest_bits[shared] = 0
    return nearest_row, nearest_bits
