"""Exact duplicates on hand-made tables, near-duplicates on real COCO images."""

from __future__ import annotations

import imagehash
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy.sparse.csgraph import connected_components

from crosspair.duplicates import exact_duplicates, near_duplicate_clusters
from crosspair.hamming import ALL_PAIRS_MAX, popcount
from crosspair.ids import item_id
from crosspair.schemas import EXACT_DUPLICATES, NEAR_DUPLICATES
from tests.test_hamming import clustered_hashes

ORIGINAL_NAME = "000000062554.jpg"


def test_exact_duplicates_groups_items_sharing_bytes():
    items = pd.DataFrame(
        {
            "item_id": ["c" * 16, "a" * 16, "b" * 16, "d" * 16, "e" * 16, "f" * 16],
            "sha256": ["1" * 64, "1" * 64, "2" * 64, "1" * 64, "3" * 64, "3" * 64],
        }
    )
    result = exact_duplicates(items)
    EXACT_DUPLICATES.validate(result)
    assert result.to_dict("records") == [
        {"item_id": "a" * 16, "duplicate_group": "a" * 16},
        {"item_id": "c" * 16, "duplicate_group": "a" * 16},
        {"item_id": "d" * 16, "duplicate_group": "a" * 16},
        {"item_id": "e" * 16, "duplicate_group": "e" * 16},
        {"item_id": "f" * 16, "duplicate_group": "e" * 16},
    ]


def test_exact_duplicates_ignores_unknown_hashes():
    items = pd.DataFrame({"item_id": ["a" * 16, "b" * 16], "sha256": ["", ""]})
    assert exact_duplicates(items).empty


def test_near_duplicates_chain_into_one_cluster_with_nearest_and_distance():
    base = 0x0123456789ABCDEF
    hashes = {
        "a" * 16: base,
        "b" * 16: base ^ 0b111,  # 3 bits from a
        "c" * 16: base ^ 0b111 ^ (0b11111 << 10),  # 5 from b, 8 from a: joined through b
        "d" * 16: ~base & (2**64 - 1),  # far from all
    }
    images = pd.DataFrame(
        {"item_id": list(hashes), "phash": [f"{h:016x}" for h in hashes.values()]}
    )
    result = near_duplicate_clusters(images, max_distance=6)
    NEAR_DUPLICATES.validate(result)
    assert result.to_dict("records") == [
        {"item_id": "a" * 16, "cluster_id": "a" * 16, "nearest_id": "b" * 16, "distance": 3},
        {"item_id": "b" * 16, "cluster_id": "a" * 16, "nearest_id": "a" * 16, "distance": 3},
        {"item_id": "c" * 16, "cluster_id": "a" * 16, "nearest_id": "b" * 16, "distance": 5},
    ]


def test_near_duplicates_names_the_item_with_a_bad_hash():
    images = pd.DataFrame({"item_id": ["a" * 16], "phash": ["xyz"]})
    with pytest.raises(ValueError, match="a{16}"):
        near_duplicate_clusters(images)


def test_recompressed_copy_clusters_with_its_original_only(tmp_path, shared_data):
    coco = shared_data / "image_text" / "images"
    original = coco / ORIGINAL_NAME
    copy = tmp_path / "copy.jpg"
    with Image.open(original) as image:
        image.resize((image.width // 2, image.height // 2)).save(copy, quality=60)

    paths = sorted(coco.glob("*.jpg")) + [copy]
    rows = []
    for path in paths:
        with Image.open(path) as image:
            rows.append(
                {"item_id": item_id("coco", path.name), "phash": str(imagehash.phash(image))}
            )
    images = pd.DataFrame(rows)
    original_id, copy_id = item_id("coco", original.name), item_id("coco", copy.name)

    result = near_duplicate_clusters(images).set_index("item_id")
    assert result.loc[copy_id, "cluster_id"] == result.loc[original_id, "cluster_id"]
    assert result.loc[copy_id, "nearest_id"] == original_id
    cluster = result[result["cluster_id"] == result.loc[copy_id, "cluster_id"]]
    assert set(cluster.index) == {original_id, copy_id}
    # the 40 COCO images are distinct photos: none is a near-duplicate of another
    assert set(result.index) == {original_id, copy_id}


def brute_force_clusters(images: pd.DataFrame, max_distance: int) -> pd.DataFrame:
    """The definition, computed the slow way: every image against every other."""
    ordered = images.sort_values("item_id").reset_index(drop=True)
    hashes = np.array([int(h, 16) for h in ordered["phash"]], dtype=np.uint64)
    distances = popcount(hashes[:, None] ^ hashes[None, :]).astype(int)
    np.fill_diagonal(distances, 65)
    _, labels = connected_components(distances <= max_distance, directed=False)
    nearest = distances.argmin(axis=1)  # the first minimum: the smaller id
    rows = []
    for row in np.flatnonzero(distances.min(axis=1) <= max_distance):
        members = np.flatnonzero(labels == labels[row])
        rows.append(
            {
                "item_id": ordered["item_id"][row],
                "cluster_id": ordered["item_id"][members.min()],
                "nearest_id": ordered["item_id"][nearest[row]],
                "distance": int(distances[row, nearest[row]]),
            }
        )
    return pd.DataFrame(rows).sort_values(["cluster_id", "item_id"]).reset_index(drop=True)


def test_clusters_equal_the_brute_force_definition_with_many_hashes():
    hashes = clustered_hashes(ALL_PAIRS_MAX + 1_000, seed=3)  # the multi-index search runs
    images = pd.DataFrame(
        {
            "item_id": [f"{(i * 7919) % 10**6:016x}" for i in range(len(hashes))],
            "phash": [f"{int(h):016x}" for h in hashes],
        }
    )
    result = near_duplicate_clusters(images, max_distance=6)
    NEAR_DUPLICATES.validate(result)
    expected = brute_force_clusters(images, max_distance=6)
    pd.testing.assert_frame_equal(result, expected)
    assert (result["distance"] == 0).sum() >= 6  # the exact copies point at each other


def test_ten_thousand_random_hashes_find_the_one_planted_pair():
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 2**63, 10_000, dtype=np.int64).astype(np.uint64)
    hashes[-1] = hashes[0] ^ np.uint64(0b101)  # one planted near-duplicate, 2 bits off
    images = pd.DataFrame(
        {
            "item_id": [f"{i:016x}" for i in range(10_000)],
            "phash": [f"{int(h):016x}" for h in hashes],
        }
    )
    result = near_duplicate_clusters(images)
    assert set(result["item_id"]) == {f"{0:016x}", f"{9_999:016x}"}
    assert result["distance"].tolist() == [2, 2]


def test_no_images_no_clusters():
    images = pd.DataFrame({"item_id": pd.Series([], dtype=str), "phash": pd.Series([], dtype=str)})
    assert near_duplicate_clusters(images).empty
