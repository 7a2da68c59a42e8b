"""map_items on the local engine and on a real two-worker Dask LocalCluster."""

import os
import pickle
import sys

import cloudpickle
import dask
import pytest
from distributed import get_task_stream

from crosspair import dask_engine
from crosspair.cli import build_parser, main
from crosspair.dask_engine import chunk_size, close_dask
from crosspair.engine import EngineConfig, EngineError, map_items, workers_from_env
from dagster_project.resources import CrosspairSettings

DASK = EngineConfig(kind="dask", workers=2, chunksize=4)

# The workers cannot import this test module (pytest imports it by path): send its functions
# by value, as a notebook's would be.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def square_with_pid(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


def exit_on_seven(item: int) -> int:
    if item == 7:
        os._exit(3)  # the worker process dies: an infrastructure failure, not a bad item
    return item


def raise_on_seven(item: int) -> int:
    if item == 7:
        raise ValueError("seven is a bug in fn, not a bad item")
    return item


def nested_map(items: list[int]) -> list[int]:
    """Per-item work started from inside a Dask task, as a Dagster step on a Dask worker does."""
    return [square for square, _ in map_items(square_with_pid, items, DASK)]


def local_pool_inside_worker(items: list[int]) -> list[int]:
    return [square for square, _ in map_items(square_with_pid, items, EngineConfig(workers=2))]


@pytest.fixture(scope="module")
def cluster_client():
    """The engine's own LocalCluster (2 workers); no retries, so a lost worker fails at once."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        dask_engine.dask_client(DASK)
    client, cluster = dask_engine._SESSIONS[(DASK.address, DASK.workers)]
    yield client, cluster.scheduler_address
    close_dask()


def test_chunk_size_stays_under_chunksize_and_feeds_every_worker():
    assert chunk_size(100, 2, 16) == 16
    assert chunk_size(100, 2, 4) == 4
    assert chunk_size(6, 2, 16) == 2  # ceil(6 / (2 workers x 2 tasks))
    assert chunk_size(1, 8, 16) == 1
    assert chunk_size(7, 0, 16) == 4  # no worker yet: count one


def test_local_pool_keeps_order():
    items = list(range(-20, 20))
    pooled = map_items(square_with_pid, items, EngineConfig(workers=2, chunksize=1))
    assert [square for square, _ in pooled] == [i * i for i in items]
    assert {pid for _, pid in pooled} != {os.getpid()}


def test_dask_keeps_order_and_runs_on_the_workers(cluster_client):
    client, _ = cluster_client
    items = list(range(-25, 25))
    results = map_items(square_with_pid, items, DASK)
    assert [square for square, _ in results] == [i * i for i in items]
    worker_pids = set(client.run(os.getpid).values())
    assert len(worker_pids) == 2
    assert {pid for _, pid in results} <= worker_pids


def test_dask_sends_one_task_per_chunk(cluster_client):
    client, _ = cluster_client
    with get_task_stream(client) as stream:
        results = map_items(square_with_pid, range(50), DASK)
    assert len(results) == 50
    tasks = [task for task in stream.data if task["key"].startswith("square_with_pid-")]
    assert len(tasks) == 13  # 50 items in chunks of 4 = 12 full chunks and one of 2


def test_dask_on_no_items_connects_to_nothing():
    nowhere = EngineConfig(kind="dask", address="tcp://127.0.0.1:9", connect_timeout_s=1)
    assert map_items(square_with_pid, [], nowhere) == []


def test_existing_scheduler_by_address(cluster_client):
    _, address = cluster_client
    engine = EngineConfig(kind="dask", address=address, chunksize=3)
    items = list(range(10))
    assert [s for s, _ in map_items(square_with_pid, items, engine)] == [i * i for i in items]


def test_address_that_does_not_answer_names_engine_and_address():
    engine = EngineConfig(kind="dask", address="tcp://127.0.0.1:9", connect_timeout_s=1)
    with pytest.raises(EngineError) as caught:
        map_items(square_with_pid, [1, 2], engine)
    message = str(caught.value)
    assert "dask engine at tcp://127.0.0.1:9" in message
    assert "no Dask scheduler answered within 1 s" in message


def test_lost_worker_is_an_engine_error(cluster_client):
    _, address = cluster_client
    with pytest.raises(EngineError) as caught:
        map_items(exit_on_seven, range(10), DASK)
    message = str(caught.value)
    assert f"dask engine on a LocalCluster of 2 workers at {address}: exit_on_seven" in message
    assert "exit_on_seven lost its worker or scheduler (KilledWorker" in message
    by_address = EngineConfig(kind="dask", address=address)
    with pytest.raises(EngineError, match=f"dask engine at {address}: exit_on_seven"):
        map_items(exit_on_seven, range(10), by_address)
    assert map_items(raise_on_seven, range(3), DASK) == [0, 1, 2]  # the nanny restarted them


def test_an_exception_from_fn_is_raised_as_itself(cluster_client):
    with pytest.raises(ValueError, match="seven is a bug"):
        map_items(raise_on_seven, range(10), DASK)


def test_map_items_inside_a_dask_task_uses_that_cluster(cluster_client):
    assert map_items(nested_map, [[1, 2, 3], [4, 5]], DASK) == [[1, 4, 9], [16, 25]]
    inner = map_items(local_pool_inside_worker, [list(range(40))], DASK)
    assert inner == [[i * i for i in range(40)]]  # a daemonic worker maps in process


def test_engine_config_from_env_and_validation(monkeypatch):
    monkeypatch.setenv("CROSSPAIR_ENGINE", "dask")
    monkeypatch.setenv("CROSSPAIR_WORKERS", "3")
    monkeypatch.setenv("CROSSPAIR_DASK_ADDRESS", "tcp://10.0.0.5:8786")
    assert EngineConfig.from_env() == EngineConfig(
        kind="dask", workers=3, address="tcp://10.0.0.5:8786"
    )
    with pytest.raises(ValueError, match="engine kind 'spark' is unknown"):
        EngineConfig(kind="spark")
    with pytest.raises(ValueError, match="workers must be 0 .* or more, not -2"):
        EngineConfig(workers=-2)
    for wrong in ("not-a-url", "http://h:8786", "tcp://h", "tcp://h:port"):
        with pytest.raises(ValueError, match="write tcp://HOST:PORT"):
            EngineConfig(kind="dask", address=wrong)
    for right in ("tcp://h:8786", "h.example.org:8786", "tls://10.0.0.5:8786", "tcp://[::1]:8786"):
        assert EngineConfig(kind="dask", address=right).address == right
    assert pickle.loads(pickle.dumps(DASK)) == DASK


def test_settings_and_cli_choose_the_engine():
    settings = CrosspairSettings(engine_kind="dask", dask_address="tcp://h:8786", workers=2)
    assert settings.engine == EngineConfig(kind="dask", workers=2, address="tcp://h:8786")
    args = build_parser().parse_args(
        ["build", "--engine", "dask", "--dask-address", "tcp://h:8786", "--workers", "2"]
    )
    assert (args.engine, args.dask_address, args.workers) == ("dask", "tcp://h:8786", 2)


def test_crosspair_workers_reaches_the_settings_and_the_build(monkeypatch, caplog):
    monkeypatch.setenv("CROSSPAIR_WORKERS", "3")
    assert CrosspairSettings().engine.workers == 3
    assert workers_from_env() == 3

    monkeypatch.setenv("CROSSPAIR_WORKERS", "four")
    with pytest.raises(ValueError, match="CROSSPAIR_WORKERS='four' is not a whole number"):
        workers_from_env()
    args = build_parser().parse_args(["build", "--sources", "absent.yaml"])
    assert args.workers is None  # resolved when the build starts
    with caplog.at_level("ERROR", logger="crosspair"):
        assert args.func(args) == 2  # refused before Dagster starts
    assert "CROSSPAIR_WORKERS='four' is not a whole number of worker processes" in caplog.text
    assert "or env CROSSPAIR_ENGINE, CROSSPAIR_WORKERS, CROSSPAIR_DASK_ADDRESS" in caplog.text

    monkeypatch.delenv("CROSSPAIR_WORKERS")
    assert workers_from_env() == 0


def test_work_a_worker_cannot_load_fails_with_the_reason(cluster_client, tmp_path, monkeypatch):
    (tmp_path / "only_here.py").write_text("def double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # this process only; the workers never see it
    from only_here import double

    with pytest.raises(EngineError) as caught:
        map_items(double, [1, 2, 3], DASK)
    message = str(caught.value)
    assert "cannot load the work it was sent (ModuleNotFoundError" in message
    assert "only_here" in message


def test_the_cli_refuses_a_bad_engine_setting_before_building(tmp_path, caplog):
    code = main(
        ["build", "--sources", str(tmp_path / "none.yaml"), "--data", str(tmp_path / "data")]
        + ["--engine", "dask", "--dask-address", "http://h:8786"]
    )
    assert code == 2
    assert "Dask scheduler address 'http://h:8786' is not one" in caplog.text
    assert not (tmp_path / "data").exists()
