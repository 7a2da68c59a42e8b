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

logger = logging.getLogger(__name__)

HASH_BITS = 64
_CHUNK_ROWS = 1024
# one chunk's XOR block (8 bytes a cell) and its popcount (1 byte): about this many bytes, so
# a million images take ~128 MiB at a time instead of ~9 GiB
_CHUNK_BYTES = 128 * 1024**2
_POPCOUNT8 = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)


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


def _popcount(values: np.ndarray) -> np.ndarray:
    """Set bits per uint64, as uint8."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values).astype(np.uint8)
    as_bytes = values.view(np.uint8).reshape(*values.shape, 8)
    return _POPCOUNT8[as_bytes].sum(axis=-1, dtype=np.uint8)


def near_duplicate_clusters(images: pd.DataFrame, max_distance: int = 6) -> pd.DataFrame:
    """Clusters of images within ``max_distance`` bits of each other (phash Hamming distance).

    Returns one row per image that has at least one near-duplicate: ``cluster_id`` (the
    smallest item_id of the cluster), ``nearest_id`` (closest other image, ties to the smaller
    id) and ``distance`` (bits to it). Distances are computed in row chunks against all hashes,
    at most 1,024 rows and about 128 MiB at a time. The time is quadratic in the number of
    images (~26 s of CPU at 60,000 on one core).
    """
    started = time.perf_counter()
    ordered = images[["item_id", "phash"]].sort_values("item_id").reset_index(drop=True)
    ids = ordered["item_id"].to_numpy()
    hashes = _hash_ints(ordered)
    n = len(hashes)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    nearest = np.zeros(n, dtype=np.int64)
    nearest_distance = np.full(n, HASH_BITS + 1, dtype=np.int64)
    # TODO: the all-pairs search is quadratic (about 5 min of CPU at 200,000 images, 45 min at
    # 600,000); beyond ~100k images it needs an index (multi-index hashing or a BK-tree).
    chunk_rows = max(1, min(_CHUNK_ROWS, _CHUNK_BYTES // (9 * max(n, 1))))
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        distances = _popcount(hashes[start:stop, None] ^ hashes[None, :])
        # an image is not its own neighbour
        distances[np.arange(stop - start), np.arange(start, stop)] = HASH_BITS + 1
        # argmin takes the first minimum, i.e. the smallest item_id, since ids are sorted
        nearest[start:stop] = distances.argmin(axis=1)
        nearest_distance[start:stop] = distances[np.arange(stop - start), nearest[start:stop]]
        close_rows, close_cols = np.nonzero(distances <= max_distance)
        rows.append(close_rows + start)
        cols.append(close_cols)

    edges_from = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    edges_to = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(edges_from), dtype=np.int8), (edges_from, edges_to)), (n, n))
    _, labels = connected_components(graph, directed=False)

    has_twin = nearest_distance <= max_distance
    result = pd.DataFrame(
        {
            "item_id": ids[has_twin],
            "label": labels[has_twin],
            "nearest_id": ids[nearest[has_twin]],
            "distance": nearest_distance[has_twin].astype("int64"),
        }
    )
    # ids are sorted, so the first member of each component is its smallest id
    result["cluster_id"] = result.groupby("label")["item_id"].transform("min")
    result = result[["item_id", "cluster_id", "nearest_id", "distance"]]
    result = result.sort_values(["cluster_id", "item_id"]).reset_index(drop=True)
    logger.info(
        "near duplicates: %d of %d images in %d clusters (max %d bits) in %.2f s",
        len(result),
        n,
        result["cluster_id"].nunique(),
        max_distance,
        time.perf_counter() - started,
    )
    return result
