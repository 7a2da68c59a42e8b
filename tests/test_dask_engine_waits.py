"""The Dask engine gives up, with an EngineError, on a scheduler that cannot run the work.

A scheduler with no workers and an address that accepts connections but never answers used
to hang a build for ever; both now fail after a bounded wait (shortened here to 1-2 s).
"""

import logging
import socket
import threading
import time

import pytest
from distributed import LocalCluster
from PIL import Image

from crosspair import dask_engine
from crosspair.cli import main
from crosspair.dask_engine import close_dask
from crosspair.engine import EngineConfig, EngineError, map_items

# connecting to a scheduler that does answer must not fail on a loaded CI machine
CONNECT_S = 30


def double(item: int) -> int:
    return 2 * item


@pytest.fixture
def scheduler_without_workers():
    """A real scheduler (in this process) that no worker has joined."""
    cluster = LocalCluster(
        n_workers=0,
        processes=False,  # workers, when a test adds them, are threads of this process
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.WARNING,
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
    )
    yield cluster
    close_dask()  # the engine's client first, then the scheduler it talks to
    cluster.close()


@pytest.fixture
def silent_address():
    """tcp://127.0.0.1:PORT of a server that accepts every connection and never says a word,
    and the connections it accepted."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)  # so that the thread sees the end of the test
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}", accepted
    done.set()
    thread.join(timeout=5)
    server.close()
    for connection in accepted:
        connection.close()
    close_dask()


def test_a_scheduler_without_workers_is_an_engine_error(scheduler_without_workers, monkeypatch):
    monkeypatch.setattr(dask_engine, "WORKER_WAIT_S", 1.0)
    address = scheduler_without_workers.scheduler_address
    engine = EngineConfig(kind="dask", address=address, connect_timeout_s=CONNECT_S)
    with pytest.raises(EngineError) as caught:
        map_items(double, [1, 2], engine)
    message = str(caught.value)
    assert message.startswith(
        f"dask engine at {address}: the Dask scheduler has no workers (none joined within 1 s); "
    )
    assert f"start some (`dask worker {address}`" in message
    assert dask_engine._SESSIONS == {}  # the failed client is closed, not kept for the next map


def test_a_worker_that_joins_during_the_wait_runs_the_map(scheduler_without_workers):
    address = scheduler_without_workers.scheduler_address
    engine = EngineConfig(kind="dask", address=address, connect_timeout_s=CONNECT_S)
    # the map waits (WORKER_WAIT_S, 30 s) for the worker this timer starts half a second in
    joiner = threading.Timer(0.5, scheduler_without_workers.scale, args=(1,))
    joiner.start()
    try:
        assert map_items(double, [1, 2, 3], engine) == [2, 4, 6]
    finally:
        joiner.cancel()


def test_workers_that_leave_a_connected_scheduler_are_waited_for_then_an_error(
    scheduler_without_workers, monkeypatch
):
    monkeypatch.setattr(dask_engine, "WORKER_WAIT_S", 1.0)
    cluster = scheduler_without_workers
    cluster.scale(1)
    cluster.wait_for_workers(1, timeout=30)
    address = cluster.scheduler_address
    engine = EngineConfig(kind="dask", address=address, connect_timeout_s=CONNECT_S)
    assert map_items(double, [5], engine) == [10]
    cluster.scale(0)
    client = dask_engine.dask_client(engine)  # the session the next map reuses
    for _ in range(300):  # a guard against hanging: the scheduler retires it in a second or two
        if not client.nthreads():
            break
        time.sleep(0.1)
    else:
        pytest.fail("the worker never left the scheduler")
    with pytest.raises(EngineError, match="has no workers \\(none joined within 1 s\\)"):
        map_items(double, [5], engine)


def test_an_address_that_accepts_but_never_answers_is_an_engine_error(silent_address):
    silent_address, accepted = silent_address
    engine = EngineConfig(kind="dask", address=silent_address, connect_timeout_s=1)
    with pytest.raises(EngineError) as caught:
        map_items(double, [1, 2], engine)
    message = str(caught.value)
    assert message.startswith(
        f"dask engine at {silent_address}: no Dask scheduler answered within 1 s (TimeoutError)"
    )
    assert "not its dashboard's" in message
    assert accepted  # it did connect: the handshake, not the connect, went unanswered
    assert dask_engine._SESSIONS == {}


def test_the_cli_names_the_engine_error_when_a_step_fails(
    scheduler_without_workers, tmp_path, monkeypatch, caplog
):
    """A real build through Dagster: the step's summary line is our error, not distributed's."""
    monkeypatch.setattr(dask_engine, "WORKER_WAIT_S", 1.0)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.chdir(tmp_path)
    images = tmp_path / "raw" / "images"
    images.mkdir(parents=True)
    for name, shade in (("dark", 30), ("light", 220)):
        Image.new("RGB", (32, 32), (shade, shade, shade)).save(images / f"{name}.png")
    sources = tmp_path / "raw" / "sources.yaml"
    sources.write_text(
        "version: 1\nsources:\n- name: shades\n  modality: image\n  root: .\n"
        "  files: ['images/*.png']\n  licence: CC0-1.0\n  origin: made by this test\n"
    )
    address = scheduler_without_workers.scheduler_address
    code = main(
        ["build", "--sources", str(sources), "--data", str(tmp_path / "data")]
        + ["--engine", "dask", "--dask-address", address]
    )
    assert code == 1
    failed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("step ")]
    assert failed, caplog.text
    for line in failed:
        assert (
            f"failed: crosspair.engine.EngineError: dask engine at {address}: "
            "the Dask scheduler has no workers (none joined within 1 s)"
        ) in line
