"""Audio–video sync: how far a video's sound is from its picture, with a confidence.

``estimate_offset`` cross-correlates an audio onset envelope with a visual change signal,
both on the container timeline; ``sync_table`` runs it over the video ↔ audio rows of a pair
table and flags pairs beyond a tolerance (schema ``SYNC_OFFSETS`` in ``tables``).

Modules: ``visual`` (frame change signal), ``onsets`` (audio onset envelope),
``correlation`` (grid, lag, confidence), ``estimate``, ``pairs``, ``tables``, ``shift``
(known-offset material for tests and the benchmark).
"""

from crosspair.sync.estimate import SyncEstimate, estimate_offset
from crosspair.sync.pairs import sync_table
from crosspair.sync.tables import SYNC_OFFSETS

__all__ = ["SYNC_OFFSETS", "SyncEstimate", "estimate_offset", "sync_table"]
