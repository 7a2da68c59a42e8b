"""What a user does in the Dagster UI, done through its GraphQL API against a real `dagster dev`.

The README's steps: export the sources file, data folder and annotations, start `dagster dev`;
the sensor registers one partition per source; a backfill materialises the partitioned ingest
assets over every source; one run materialises the rest (not the erasure group); every check
then has a result on its asset, with the metadata the UI shows.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import psutil
import pytest

from tests.conftest import REPO
from tests.corpus import write_small_corpus

pytestmark = pytest.mark.slow

BACKFILL = """mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
BACKFILL_STATUS = """query($id: String!) {
  partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } } }"""
LOCATIONS = """{ repositoriesOrError {
  ... on RepositoryConnection { nodes { name location { name } } } } }"""
LAUNCH_RUN = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
RUN_STATUS = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"""
DONE_BACKFILL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}
DONE_RUN = {"SUCCESS", "FAILURE", "CANCELED"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GraphQL:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}/graphql"

    def __call__(self, query: str, **variables) -> dict:
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = urllib.request.Request(self.url, body, {"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            reply = json.load(answer)
        assert "errors" not in reply, reply["errors"]
        return reply["data"]


def _wait(ask, timeout_s: float, step_s: float = 2.0):
    """``ask()`` until it returns something truthy; the last exception if it never does."""
    deadline, last = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        try:
            found = ask()
            if found:
                return found
        except OSError as error:  # the server is not up yet
            last = error
        time.sleep(step_s)
    raise TimeoutError(f"gave up after {timeout_s} s ({last})")


def _stop(process: subprocess.Popen) -> None:
    """`dagster dev` ignores SIGTERM when started in the background: kill it and its children."""
    family = psutil.Process(process.pid).children(recursive=True)
    os.killpg(process.pid, signal.SIGKILL)
    for child in family:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def ui(tmp_path_factory, shared_data):
    root = tmp_path_factory.mktemp("ui")
    sources = write_small_corpus(root / "raw", shared_data)
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CROSSPAIR_SOURCES": str(sources),
        "CROSSPAIR_DATA": str(root / "ui_build"),
        "CROSSPAIR_ANNOTATIONS": f"optional:{root / 'raw' / 'annotations'}",
    }
    port = _free_port()
    dagster = Path(sys.executable).with_name("dagster")
    process = subprocess.Popen(
        [str(dagster), "dev", "-w", "workspace.yaml", "-p", str(port)],
        cwd=REPO,
        env=env,
        stdout=(root / "dagster_dev.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield GraphQL(port), root
    finally:
        _stop(process)


def _nodes(graphql) -> list[dict]:
    query = "{ assetNodes { assetKey { path } isPartitioned partitionKeys groupName } }"
    return graphql(query)["assetNodes"]


@pytest.fixture(scope="module")
def materialised(ui):
    graphql, root = ui
    registered = _wait(lambda: [n for n in _nodes(graphql) if n["partitionKeys"]], 180)
    partitioned = [n["assetKey"] for n in _nodes(graphql) if n["isPartitioned"]]
    rest = [
        n["assetKey"]
        for n in _nodes(graphql)
        if not n["isPartitioned"] and n["groupName"] != "erasure"
    ]

    launched = graphql(BACKFILL, params={"assetSelection": partitioned, "allPartitions": True})
    backfill = launched["launchPartitionBackfill"]["backfillId"]

    def backfill_done():
        state = graphql(BACKFILL_STATUS, id=backfill)["partitionBackfillOrError"]["status"]
        return state if state in DONE_BACKFILL else None

    backfill_status = _wait(backfill_done, 900, 5)

    location = graphql(LOCATIONS)["repositoriesOrError"]["nodes"][0]
    selector = {
        "repositoryLocationName": location["location"]["name"],
        "repositoryName": location["name"],
        "jobName": "__ASSET_JOB",
        "assetSelection": rest,
    }
    launched = graphql(LAUNCH_RUN, params={"selector": selector, "runConfigData": {}})
    run = launched["launchRun"]["run"]["runId"]

    def run_done():
        state = graphql(RUN_STATUS, id=run)["runOrError"]["status"]
        return state if state in DONE_RUN else None

    return {
        "partition_keys": sorted(registered[0]["partitionKeys"]),
        "partitioned": partitioned,
        "backfill": backfill_status,
        "rest": _wait(run_done, 900, 5),
        "data": root / "ui_build",
    }


CHECKS = """{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks {
    name executionForLatestMaterialization { status evaluation { success description
    metadataEntries { label } } } } } } } }"""


def test_the_sensor_registers_one_partition_per_source(materialised):
    assert materialised["partition_keys"] == ["coco", "speech"]
    assert len(materialised["partitioned"]) == 16  # discovery, rejects, 7 catalogs and rejects


def test_the_backfill_and_the_rest_succeed(materialised):
    assert materialised["backfill"] == "COMPLETED_SUCCESS"
    assert materialised["rest"] == "SUCCESS"
    pairs = pd.read_parquet(materialised["data"] / "tables" / "pairs.parquet")
    assert len(pairs) == 17  # 15 captions of 3 COCO images, 2 transcripts
    assert (materialised["data"] / "exports" / "dataset_card.md").is_file()


def test_every_check_has_a_result_with_its_metadata(ui, materialised):
    graphql, _ = ui
    executions = {
        f"{'/'.join(node['assetKey']['path'])}:{check['name']}": check[
            "executionForLatestMaterialization"
        ]
        for node in graphql(CHECKS)["assetNodes"]
        for check in node["assetChecksOrError"].get("checks", [])
    }
    assert len(executions) > 60
    assert {e["status"] for e in executions.values()} == {"SUCCEEDED"}  # each one ran
    conservation = executions["rejects:conservation"]["evaluation"]
    assert conservation["success"] is True
    labels = {entry["label"] for entry in conservation["metadataEntries"]}
    assert labels  # what the UI shows beside the result
    schema = executions["pairs:schema"]["evaluation"]
    assert schema["success"] is True
