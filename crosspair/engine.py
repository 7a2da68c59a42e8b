"""One way to run per-item work: ``map_items(fn, items, engine)``.

Everything that touches one item at a time (decode, hash, extract, align) goes through here,
so the same function runs in process, in a process pool, or on a Dask cluster by
configuration. ``fn`` must be a picklable top-level function and must not raise for bad items
(probes turn failures into reject rows); items must carry absolute paths, since a Dask worker
may run in another folder or on another machine.

>>> map_items(probe, candidates, EngineConfig(kind="dask", workers=2))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Literal, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

KINDS = ("local", "dask")
# what distributed's Client accepts: [tcp|tls|ws|wss|ucx]://host:port, or host:port
_SCHEDULER_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d+$"
)


def workers_from_env() -> int:
    """``CROSSPAIR_WORKERS`` as a number of processes (0 when unset), or a ValueError naming it."""
    text = os.environ.get("CROSSPAIR_WORKERS", "").strip() or "0"
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"CROSSPAIR_WORKERS={text!r} is not a whole number of worker processes; "
            "set it to e.g. 4, or unset it (0: in process)"
        ) from None


class EngineError(RuntimeError):
    """The engine itself failed (no scheduler, a lost worker), not one of the items."""


@dataclass(frozen=True)
class EngineConfig:
    """``local``: in this process (workers 0 or 1) or a pool of ``workers`` processes.

    ``dask``: a Dask cluster, the scheduler at ``address`` or, when that is empty, a
    LocalCluster of ``workers`` processes (0 = one per core) started once per process.
    Items go to the cluster in chunks of at most ``chunksize``.
    """

    kind: Literal["local", "dask"] = "local"
    workers: int = 0
    chunksize: int = 16
    address: str = ""
    connect_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"engine kind {self.kind!r} is unknown; use one of {KINDS}")
        if self.chunksize < 1:
            raise ValueError(f"chunksize must be at least 1, not {self.chunksize}")
        if self.workers < 0:
            raise ValueError(f"workers must be 0 (in this process) or more, not {self.workers}")
        if self.address and not _SCHEDULER_ADDRESS.match(self.address):
            raise ValueError(
                f"Dask scheduler address {self.address!r} is not one; write tcp://HOST:PORT "
                "(e.g. tcp://10.0.0.5:8786), or leave it empty for a local cluster"
            )

    @classmethod
    def from_env(cls) -> EngineConfig:
        """From CROSSPAIR_ENGINE, CROSSPAIR_WORKERS and CROSSPAIR_DASK_ADDRESS."""
        return cls(
            kind=os.environ.get("CROSSPAIR_ENGINE", "local"),  # type: ignore[arg-type]
            workers=workers_from_env(),
            address=os.environ.get("CROSSPAIR_DASK_ADDRESS", ""),
        )

    @property
    def where(self) -> str:
        """The engine in words, for logs and errors."""
        if self.kind == "local":
            return f"local engine ({self.workers} worker processes)"
        if self.address:
            return f"dask engine at {self.address}"
        return f"dask engine on a LocalCluster of {self.workers or os.cpu_count()} workers"


def map_items(
    fn: Callable[[T], R], items: Iterable[T], engine: EngineConfig | None = None
) -> list[R]:
    """Apply ``fn`` to every item, keeping input order."""
    engine = engine or EngineConfig()
    batch: Sequence[T] = list(items)
    if engine.kind == "dask":
        from crosspair.dask_engine import map_on_dask  # distributed loads only when asked for

        return map_on_dask(fn, batch, engine)
    if engine.workers <= 1 or len(batch) < 2 * engine.chunksize:
        return [fn(item) for item in batch]
    if multiprocessing.current_process().daemon:  # e.g. a Dask worker: no child processes
        log.warning("%s: daemonic process cannot start a pool; mapping in process", engine.where)
        return [fn(item) for item in batch]
    log.info("mapping %d items over %d processes", len(batch), engine.workers)
    with ProcessPoolExecutor(max_workers=engine.workers) as pool:
        return list(pool.map(fn, batch, chunksize=engine.chunksize))
