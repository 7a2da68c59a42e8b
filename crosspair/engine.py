"""One way to run per-item work: ``map_items(fn, items, engine)``.

Everything that touches one item at a time (decode, hash, extract) goes through here, so the
same function runs in process, in a process pool, or on a Dask cluster by configuration.
``fn`` must be a picklable top-level function and must not raise for bad items (probes turn
failures into reject rows).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Literal, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class EngineConfig:
    """``local`` runs in this process (workers=0) or a process pool; ``dask`` is planned."""

    kind: Literal["local"] = "local"
    workers: int = 0
    chunksize: int = 16

    @classmethod
    def from_env(cls) -> EngineConfig:
        workers = int(os.environ.get("CROSSPAIR_WORKERS", "0"))
        return cls(workers=workers)


def map_items(
    fn: Callable[[T], R], items: Iterable[T], engine: EngineConfig | None = None
) -> list[R]:
    """Apply ``fn`` to every item, keeping input order."""
    engine = engine or EngineConfig()
    batch: Sequence[T] = list(items)
    if engine.workers <= 1 or len(batch) < 2 * engine.chunksize:
        return [fn(item) for item in batch]
    log.info("mapping %d items over %d processes", len(batch), engine.workers)
    with ProcessPoolExecutor(max_workers=engine.workers) as pool:
        return list(pool.map(fn, batch, chunksize=engine.chunksize))
