"""The Dask side of ``map_items``: chunks of items as tasks on a cluster, one client per process.

A LocalCluster (``EngineConfig(kind="dask", workers=N)``) or an existing scheduler
(``address``) runs each chunk of items in a worker process. The client, and the cluster it
started, are made once per process and engine setting and reused by every later call (every
asset of a build); ``close_dask`` or the end of the process closes them.

Waiting on an existing scheduler is bounded: its handshake must answer within the engine's
``connect_timeout_s`` (10 s by default), and a scheduler with no workers gets
``WORKER_WAIT_S`` (30 s) for one to join; either failing raises an ``EngineError``.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import logging
import math
import os
import pickle
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from crosspair.engine import EngineConfig, EngineError

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Seconds a map waits for the first worker to join a scheduler that has none; tests shorten it.
WORKER_WAIT_S = 30.0


def chunk_size(n_items: int, n_workers: int, chunksize: int) -> int:
    """Items per Dask task: at most ``chunksize``, small enough for two tasks per worker."""
    return max(1, min(chunksize, math.ceil(n_items / (2 * max(1, n_workers)))))


def _run_chunk(payload: bytes) -> list:
    """Run one chunk on a worker; unpickled here so a worker missing code fails this task.

    (Left to Dask, a task the worker cannot unpickle breaks its scheduler stream and the map
    waits for ever.)
    """
    try:
        fn, chunk = pickle.loads(payload)  # noqa: S301 - our own client pickled it
    except Exception as err:
        raise EngineError(
            f"a Dask worker on {socket.gethostname()} cannot load the work it was sent "
            f"({type(err).__name__}: {err}); install the same crosspair code on every worker"
        ) from err
    return [fn(item) for item in chunk]


def map_on_dask(fn: Callable[[T], R], batch: Sequence[T], engine: EngineConfig) -> list[R]:
    """``fn`` over ``batch`` on the engine's cluster, in input order (``map_items`` calls it)."""
    if not batch:
        return []
    from distributed import worker_client

    here = _scheduler_of_this_worker()
    if here is not None and engine.address in ("", here):
        with worker_client() as client:  # a Dagster step on a Dask worker: use its cluster
            return _gather(client, fn, batch, engine)
    return _gather(dask_client(engine), fn, batch, engine)


def _gather(client, fn: Callable[[T], R], batch: Sequence[T], engine: EngineConfig) -> list[R]:
    import cloudpickle
    from distributed import CancelledError, KilledWorker
    from distributed.client import FutureCancelledError
    from distributed.comm import CommClosedError

    n_workers = sum(client.nthreads().values())  # one thread per worker on a LocalCluster
    if not n_workers:  # tasks would wait for ever for a worker: wait a bounded time instead
        _wait_for_workers(client, engine)
        n_workers = sum(client.nthreads().values())
    size = chunk_size(len(batch), n_workers, engine.chunksize)
    chunks = [list(batch[i : i + size]) for i in range(0, len(batch), size)]
    name = getattr(fn, "__name__", "map_items")
    log.info(
        "%s: %d items of %s in %d chunks over %d workers",
        engine.where,
        len(batch),
        name,
        len(chunks),
        n_workers,
    )
    payloads = [cloudpickle.dumps((fn, chunk)) for chunk in chunks]
    futures = client.map(_run_chunk, payloads, key=name, pure=False)
    try:
        results = client.gather(futures)
    except (KilledWorker, CommClosedError, CancelledError, FutureCancelledError) as err:
        client.cancel(futures)
        where = engine.where if engine.address else f"{engine.where} at {client.scheduler.address}"
        raise EngineError(
            f"{where}: {name} lost its worker or scheduler ({type(err).__name__}: {err}); "
            "the items are fine, the cluster is not: check the workers' logs and memory, "
            "then build again"
        ) from err
    return [result for chunk in results for result in chunk]


def _scheduler_of_this_worker() -> str | None:
    """The scheduler address when this code runs inside a Dask worker task, else None."""
    from distributed import get_worker

    try:
        return get_worker().scheduler.address
    except ValueError:
        return None


# One client (and LocalCluster) per engine setting per process, so that every asset of a build
# reuses it; closed at exit or by ``close_dask``.
_SESSIONS: dict[tuple[str, int], tuple] = {}
_LOCK = threading.Lock()


def dask_client(engine: EngineConfig):
    """The process's Dask client for this engine setting, connecting or starting it once."""
    key = (engine.address, engine.workers)
    with _LOCK:
        session = _SESSIONS.get(key)
        if session is not None:
            if session[0].status == "running":
                return session[0]
            _close(*session)  # the scheduler went away: start or connect afresh
        _SESSIONS[key] = _connect(engine)
        return _SESSIONS[key][0]


def _connect(engine: EngineConfig) -> tuple:
    from distributed import Client, LocalCluster

    # distributed logs every worker, client and connection at INFO: keep its warnings only
    quiet = logging.getLogger("distributed")
    quiet.setLevel(max(quiet.getEffectiveLevel(), logging.WARNING))
    if engine.address:
        try:
            _handshake(engine.address, engine.connect_timeout_s)
            client = Client(engine.address, timeout=engine.connect_timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise EngineError(
                f"{engine.where}: no Dask scheduler answered within "
                f"{engine.connect_timeout_s:g} s ({_describe(err)}); check that the address is "
                "a scheduler's (port 8786 by default, not its dashboard's), start one "
                "(`dask scheduler`, then `dask worker ADDRESS`) or leave the address empty "
                "(`--dask-address`, CROSSPAIR_DASK_ADDRESS) for a local cluster"
            ) from err
        try:
            if not client.nthreads():
                _wait_for_workers(client, engine)
            _check_workers(client, engine)
        except BaseException:
            client.close()
            raise
        log.info("connected to the Dask scheduler at %s", engine.address)
        return client, None
    cluster = LocalCluster(
        n_workers=engine.workers or os.cpu_count() or 1,
        threads_per_worker=1,  # decoders and aligners are not all thread-safe
        processes=True,
        silence_logs=logging.WARNING,
        # no dashboard; the scheduler's health endpoint on a free local port, not 8787
        dashboard_address=None,
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
    )
    log.info("started a Dask LocalCluster at %s", cluster.scheduler_address)
    return Client(cluster, set_as_default=False), cluster


def _handshake(address: str, timeout: float) -> None:
    """Open one connection to the scheduler and close it, all within ``timeout`` seconds.

    ``Client(address, timeout=...)`` bounds only the TCP connect: distributed's ``connect``
    then reads the peer's handshake with no deadline, so a peer that accepts connections and
    never answers (a wrong port, a stuck process) would hang the build for ever.
    """
    from distributed.comm import connect
    from distributed.security import Security

    args = Security().get_connection_args("client")  # TLS settings from dask's config, as Client

    async def open_and_close() -> None:
        comm = await connect(address, timeout=timeout, **args)
        await comm.close()

    # a loop in a thread of its own: the caller may be running one (a notebook, an async op)
    with ThreadPoolExecutor(1, thread_name_prefix="crosspair-dask-handshake") as pool:
        pool.submit(asyncio.run, asyncio.wait_for(open_and_close(), timeout)).result()


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def _wait_for_workers(client, engine: EngineConfig) -> None:
    """Wait up to ``WORKER_WAIT_S`` for a scheduler with no workers to get one."""
    address = client.scheduler.address
    where = engine.where if engine.address else f"{engine.where} at {address}"
    log.info("%s: the scheduler has no workers; waiting %g s for one", where, WORKER_WAIT_S)
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except TimeoutError as err:
        raise EngineError(
            f"{where}: the Dask scheduler has no workers (none joined within {WORKER_WAIT_S:g} s); "
            f"start some (`dask worker {address}`, in an environment with crosspair installed) "
            "or leave the address empty (`--dask-address`, CROSSPAIR_DASK_ADDRESS) for a local "
            "cluster"
        ) from err


def _check_workers(client, engine: EngineConfig) -> None:
    """Every worker of an existing cluster must be able to import crosspair.

    (A worker that cannot unpickle ``_run_chunk`` would break its connection, not fail a task.)
    """

    def has_crosspair() -> bool:  # a local function: sent by value, runs without crosspair
        return importlib.util.find_spec("crosspair") is not None

    lacking = sorted(address for address, ok in client.run(has_crosspair).items() if not ok)
    if lacking:
        client.close()
        raise EngineError(
            f"{engine.where}: workers {', '.join(lacking)} cannot import crosspair; install it "
            "(the same version) in the workers' environment"
        )
    # TODO: workers that join after this check are not checked.


def close_dask() -> None:
    """Close every client and LocalCluster this process started."""
    with _LOCK:
        sessions = list(_SESSIONS.values())
        _SESSIONS.clear()
    for session in sessions:
        _close(*session)


def _close(client, cluster) -> None:
    try:
        client.close()
        if cluster is not None:
            cluster.close()
    except Exception as err:  # closing at exit must not mask the build's own outcome
        log.debug("closing a Dask session: %s", err)


atexit.register(close_dask)
