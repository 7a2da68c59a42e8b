"""Multi-index hashing finds exactly the pairs that comparing every hash with every other finds."""

import numpy as np
import pytest

from crosspair import hamming
from crosspair.hamming import ALL_PAIRS_MAX, close_pairs, popcount


def clustered_hashes(count: int, seed: int) -> np.ndarray:
    """Random 64-bit hashes, most of them 0-9 bits from one of a few hundred centres."""
    rng = np.random.default_rng(seed)
    centres = rng.integers(0, 2**64, count // 20, dtype=np.uint64)
    hashes = centres[rng.integers(0, len(centres), count)]
    for row in range(count):
        for bit in rng.choice(64, rng.integers(0, 10), replace=False):
            hashes[row] ^= np.uint64(1) << np.uint64(bit)
    hashes[: count // 10] = rng.integers(0, 2**64, count // 10, dtype=np.uint64)  # loners
    hashes[-5:] = hashes[0]  # exact copies too
    return hashes


def every_pair(hashes: np.ndarray, max_distance: int) -> set[tuple[int, int, int]]:
    distances = popcount(hashes[:, None] ^ hashes[None, :]).astype(int)
    first, second = np.nonzero(np.triu(distances <= max_distance, k=1))
    return set(zip(first.tolist(), second.tolist(), distances[first, second].tolist(), strict=True))


@pytest.mark.parametrize("max_distance", [0, 2, 6, 10])
def test_multi_index_pairs_equal_every_pair(max_distance):
    hashes = clustered_hashes(ALL_PAIRS_MAX + 1_000, seed=max_distance)
    first, second, bits = close_pairs(hashes, max_distance)
    expected = every_pair(hashes, max_distance)
    assert set(zip(first.tolist(), second.tolist(), bits.tolist(), strict=True)) == expected
    assert len(first) == len(expected)  # each pair once
    assert (first < second).all()
    assert len(expected) > (100 if max_distance == 0 else 1_000)  # many pairs to find


def test_blocks_cover_the_64_bits_once():
    blocks = hamming._blocks(6)
    assert [width for _, width in blocks] == [10, 9, 9, 9, 9, 9, 9]
    assert [shift for shift, _ in blocks] == [0, 10, 19, 28, 37, 46, 55]


def test_worked_example_by_hand():
    # 0b0000 ~ 0b0011: 2 bits; 0b0011 ~ 0b1111: 2 bits; 0b0000 ~ 0b1111: 4 bits
    first, second, bits = close_pairs(np.array([0b0000, 0b0011, 0b1111], dtype=np.uint64), 2)
    assert (first.tolist(), second.tolist(), bits.tolist()) == ([0, 1], [1, 2], [2, 2])


def test_no_hashes_no_pairs():
    first, second, bits = close_pairs(np.empty(0, dtype=np.uint64), 6)
    assert len(first) == len(second) == len(bits) == 0
