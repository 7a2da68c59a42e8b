"""Velocity change between frames: where a seen motion starts, stops or turns around.

Sounds of impacts, bounces and steps happen when motion *changes*, not while it goes on, so
this signal is the visual counterpart of an audio onset. For each frame, every pixel is matched
backwards into the previous frame and forwards into the next one (block matching on a
two-level pyramid of the small gray picture); both velocities are anchored on the same pixel,
so their difference is the change of velocity of whatever that pixel shows. Steady motion gives
about zero, a bounce twice its speed. Each pixel is weighted by how much better a displacement
explains it than standing still, so flat or static areas, where a match means nothing, add
nothing.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import uniform_filter

COARSE_REACH_PX = 4  # search radius at half size: ±8 px of the small picture per frame
COARSE_BLOCK_PX = 5
FINE_BLOCK_PX = 7
MIN_SIDE_PX = 8  # below this the half-size level is skipped
_TIE_BREAK = 1e-3  # per pixel of displacement: among equal matches, the shortest wins


def _half(picture: np.ndarray) -> np.ndarray:
    height, width = picture.shape[0] // 2 * 2, picture.shape[1] // 2 * 2
    cropped = picture[:height, :width]
    return cropped.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))


def _coarse(anchor: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Integer displacement (dy, dx) per anchor pixel into ``other``, exhaustive search."""
    height, width = anchor.shape
    reach = COARSE_REACH_PX
    dy, dx = (axis.reshape(-1) for axis in np.mgrid[-reach : reach + 1, -reach : reach + 1])
    padded = np.pad(other, reach, mode="edge")
    candidates = sliding_window_view(padded, (height, width)).reshape(-1, height, width)
    cost = uniform_filter(np.abs(candidates - anchor), (1, COARSE_BLOCK_PX, COARSE_BLOCK_PX))
    cost += _TIE_BREAK * np.hypot(dy, dx)[:, None, None]
    best = np.argmin(cost, axis=0)
    return np.stack([dy[best], dx[best]])


def displacement(anchor: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel displacement from ``anchor`` into ``other`` and its evidence (gray levels).

    Evidence is the block's mean absolute difference when standing still minus the one at the
    chosen displacement: 0 where nothing moved or nothing can be told apart.
    """
    height, width = anchor.shape
    if min(height, width) >= MIN_SIDE_PX:
        start = 2 * _coarse(_half(anchor), _half(other))
        start = np.repeat(np.repeat(start, 2, axis=1), 2, axis=2)
        pad = ((0, 0), (0, height - start.shape[1]), (0, width - start.shape[2]))
        start = np.pad(start, pad, mode="edge")
    else:
        start = np.zeros((2, height, width), int)

    rows, cols = np.mgrid[0:height, 0:width]
    best_cost = np.full((height, width), np.inf)
    best = np.zeros((2, height, width))
    for ddy in (-1, 0, 1):  # refine the coarse guess by one pixel at full size
        for ddx in (-1, 0, 1):
            vy, vx = start[0] + ddy, start[1] + ddx
            moved = other[np.clip(rows + vy, 0, height - 1), np.clip(cols + vx, 0, width - 1)]
            cost = uniform_filter(np.abs(anchor - moved), FINE_BLOCK_PX)
            cost += _TIE_BREAK * np.hypot(vy, vx)
            better = cost < best_cost
            best_cost = np.where(better, cost, best_cost)
            best[0], best[1] = np.where(better, vy, best[0]), np.where(better, vx, best[1])
    still = uniform_filter(np.abs(anchor - other), FINE_BLOCK_PX)
    return best, np.clip(still - best_cost, 0, None)


def velocity_change(
    before: np.ndarray, now: np.ndarray, after: np.ndarray, dt_in_s: float, dt_out_s: float
) -> float:
    """Evidence-weighted mean |v_out − v_in| (pixels/s) of the pixels of frame ``now``."""
    came, came_evidence = displacement(now, before)  # where each pixel was a frame ago
    goes, goes_evidence = displacement(now, after)
    change = np.hypot(*(goes / dt_out_s + came / dt_in_s))
    # a stop or a start is seen on one side only: either side's evidence counts
    weight = np.maximum(came_evidence, goes_evidence)
    return float((weight * change).mean())
