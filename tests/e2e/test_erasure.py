"""GDPR erasure through every version of a real dataset repo.

v1 is built from the six real sets (git + DVC, raw/ tracked by DVC, a local remote); for v2
one COCO image gains a caption. Both are tagged and pushed. Then one `crosspair forget`
erases a LibriSpeech speaker (`--subject 61`) and a COCO image (`--item`), and afterwards
nothing of either is left in any version, the cache or the remote, while every other item of
v1 and v2 is as it was. A second copy is killed mid-purge and rerun, and must end the same.
"""

import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance

from crosspair.erasure.ledger import DEFAULT_LEDGER, ensure_key
from crosspair.erasure.purge import PAUSE_ENV
from crosspair.erasure.rewrite import sample_key
from crosspair.erasure.scan import scan
from crosspair.erasure.targets import Request
from tests.dataset_repo import GIT_ENV, DatasetRepo, create_dataset_repo, shared_sources_under

pytestmark = pytest.mark.slow

SUBJECT = "61"
SPEECH = "speech_text/audio/61-70968-0000.flac"
ALIGNMENT = "speech_text/alignments/61-70968-0000.TextGrid"  # named by the speaker's record
IMAGE = "images/000000062554.jpg"
NEW_CAPTION = "Bowls of noodles and broccoli, seen from above."
REQUESTED_BY = "dpo@example.org"
REASON = "Art. 17 GDPR, ticket 4711"
PAUSE_AFTER = 25  # mid-way through the cache: phase A has 5 actions, the purge ~100
SKIPPED = (".git/", ".dagster/", ".dvc/tmp/", ".dvc/cache/")
# the ledger and report carry the time of the request, provenance a run id (and so does the
# dvc.lock that names it), discovered_items and its per-source partitions the absolute paths
# of the copy
VOLATILE = {
    DEFAULT_LEDGER,
    "dvc.lock",
    "data/tables/provenance.parquet",
    "data/tables/discovered_items.parquet",
}
VOLATILE_FOLDERS = ("data/tables/partitions/discovered_items/",)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): _sha(path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _build_state(path: Path) -> dict:
    """Catalogs, shard members and raw files of the checkout at ``path``."""
    import tarfile

    tables = path / "data" / "tables"
    catalogs = {p.stem: pd.read_parquet(p) for p in sorted(tables.glob("*_catalog.parquet"))}
    shards = {}
    for tar in sorted((path / "data" / "exports" / "shards").rglob("*.tar")):
        with tarfile.open(tar) as archive:
            shards[tar.name] = [
                (m.name, m.size, m.mtime, m.mode, m.uname, _sha(archive.extractfile(m).read()))
                for m in archive.getmembers()
            ]
    return {"catalogs": catalogs, "shards": shards, "raw": _snapshot(path / "raw")}


def _objects(repo: DatasetRepo) -> dict[tuple[str, str], str]:
    found = {}
    for name, folder in (("cache", repo.path / ".dvc" / "cache"), ("remote:local", repo.remote)):
        for rel, sha in _snapshot(folder / "files" / "md5").items():
            found[(name, rel)] = sha
    return found


def _copy(history, dest: Path) -> DatasetRepo:
    dest.mkdir()
    subprocess.run(["cp", "-a", str(history.repo.path), str(history.repo.remote), str(dest)])
    return DatasetRepo(dest / "dataset", dest / "remote")


def _forget_args(history) -> list[str]:
    return [
        "forget",
        "--subject",
        SUBJECT,
        "--item",
        history.image_id,
        "--requested-by",
        REQUESTED_BY,
        "--reason",
        REASON,
    ]


def _erased_ids(state: dict) -> set[str]:
    """The speaker's recording and the image, with their texts."""
    audio, images = state["catalogs"]["audio_catalog"], state["catalogs"]["image_catalog"]
    speaker = audio[audio["subject_ids"].str.split(";").map(lambda s: SUBJECT in s)]
    media = pd.concat([speaker, images[images["path"] == IMAGE]])
    texts = state["catalogs"]["text_catalog"]
    anchored = [
        (s, a) in set(zip(media["source"], media["path"], strict=True))
        for s, a in zip(texts["source"], texts["anchor"], strict=True)
    ]
    return set(media["item_id"]) | set(texts.loc[anchored, "item_id"])


def _final_state(repo: DatasetRepo, before: dict) -> dict:
    """What an erasure leaves: every object that existed before, the workspace, the audit."""
    now = _objects(repo)
    workspace = {
        rel: sha
        for rel, sha in _snapshot(repo.path).items()
        if not rel.startswith((*SKIPPED, *VOLATILE_FOLDERS, "erasure/r")) and rel not in VOLATILE
    }
    ledger = [
        {k: v for k, v in json.loads(line).items() if k != "requested_at"}
        for line in (repo.path / DEFAULT_LEDGER).read_text().splitlines()
    ]
    (report,) = (repo.path / "erasure" / "reports").glob("*.json")
    audit = json.loads(report.read_text())
    return {
        "objects": {key: now.get(key) for key in before},
        "workspace": workspace,
        "ledger": ledger,
        "artifacts": audit["artifacts"],
        "summary": audit["summary"],
    }


@pytest.fixture(scope="module")
def history(tmp_path_factory, shared_data):
    """v1 and v2 of the six real sets, tagged and pushed; what each held before any erasure."""
    root = tmp_path_factory.mktemp("erasure") / "base"
    repo = create_dataset_repo(root, lambda raw: shared_sources_under(raw, shared_data))
    repo.dvc("remote", "modify", "local", "url", "../remote")  # relative: copies stay apart
    ensure_key(repo.path / DEFAULT_LEDGER)  # one key for every copy, so their ledgers agree
    repo.git("commit", "-q", "--allow-empty", "-m", "a commit before any data")
    no_data = repo.git("rev-parse", "HEAD").strip()
    repo.build()
    repo.commit("v1")
    repo.git("tag", "v1")
    repo.dvc("push", "-q")
    v1 = _build_state(repo.path)

    captions = repo.path / "raw" / "image_text" / "captions.jsonl"
    records = [json.loads(line) for line in captions.read_text().splitlines()]
    records[1]["captions"].append(NEW_CAPTION)
    captions.write_text("".join(json.dumps(r) + "\n" for r in records))
    repo.build()
    repo.commit("v2")
    repo.git("tag", "v2")
    repo.dvc("push", "-q")
    v2 = _build_state(repo.path)

    images = v1["catalogs"]["image_catalog"]
    image_id = images.set_index("path").loc[IMAGE, "item_id"]
    return SimpleNamespace(
        repo=repo,
        before={"v1": v1, "v2": v2},
        objects=_objects(repo),
        no_data=no_data,
        image_id=image_id,
        erased={label: _erased_ids(state) for label, state in (("v1", v1), ("v2", v2))},
        files={
            SPEECH: _sha((shared_data / SPEECH).read_bytes()),
            IMAGE: _sha((shared_data / "image_text" / IMAGE).read_bytes()),
        },
    )


@pytest.fixture(scope="module")
def erased(history, tmp_path_factory):
    """A copy of the repo after one uninterrupted `crosspair forget`."""
    repo = _copy(history, tmp_path_factory.mktemp("uninterrupted") / "copy")
    done = repo.crosspair(*_forget_args(history))
    return SimpleNamespace(repo=repo, stdout=done.stdout, state=_final_state(repo, history.objects))


def test_the_scanner_finds_them_everywhere_before_the_erasure(history):
    request = Request(frozenset({SUBJECT}), frozenset({history.image_id}))
    hits = scan(history.repo.path, request, sha256s=tuple(history.files.values()))

    places = {hit.location for hit in hits}
    assert {"version v1", "version v2", "cache", "remote:local", "workspace"} <= places
    raw_hits = {hit.path for hit in hits if hit.location == "workspace"}
    assert {f"raw/{SPEECH}", f"raw/{ALIGNMENT}", f"raw/image_text/{IMAGE}"} <= raw_hits


def test_after_the_erasure_nothing_of_them_is_left_anywhere(history, erased):
    hashes = [arg for sha in history.files.values() for arg in ("--sha256", sha)]
    done = erased.repo.crosspair(
        "scan", "--subject", SUBJECT, "--item", history.image_id, *hashes, "--json", check=False
    )

    assert done.returncode == 0, done.stdout[-3000:]
    assert json.loads(done.stdout) == []
    assert not (erased.repo.path / "raw" / SPEECH).exists()
    assert not (erased.repo.path / "raw" / ALIGNMENT).exists()
    assert not (erased.repo.path / "erasure" / ".work").exists()


@pytest.mark.parametrize("label", ["v1", "v2"])
def test_every_other_item_of_each_version_is_intact(history, erased, label):
    repo, before = erased.repo, history.before[label]
    gone = history.erased[label]
    branch = repo.git("rev-parse", "--abbrev-ref", "HEAD").strip()
    repo.git("checkout", "-q", label)
    try:
        repo.dvc("checkout", "-q")
        after = _build_state(repo.path)
        status = repo.dvc("status")
    finally:
        repo.git("checkout", "-q", branch)
        repo.dvc("checkout", "-q")

    for name, table in before["catalogs"].items():
        expected = table[~table["item_id"].isin(gone)].reset_index(drop=True)
        pd.testing.assert_frame_equal(after["catalogs"][name], expected, check_like=False)
    assert sum(len(t) for t in before["catalogs"].values()) - len(gone) == sum(
        len(t) for t in after["catalogs"].values()
    )

    removed = 0
    groups = set(history.erased[label])  # a sample's key is its left item's id
    for shard, members in before["shards"].items():
        kept = [m for m in members if sample_key(m[0]) not in groups]
        assert after["shards"][shard] == kept  # names, headers and bytes of every other member
        removed += len(members) - len(kept)
    assert removed > 0

    lost = {f"{SPEECH}", ALIGNMENT, f"image_text/{IMAGE}"}
    manifests = {"speech_text/transcripts.jsonl", "image_text/captions.jsonl"}
    assert set(after["raw"]) == set(before["raw"]) - lost
    for rel, sha in after["raw"].items():
        assert (sha == before["raw"][rel]) != (rel in manifests)
    assert "modified" in status or "not in cache" in status  # as the report says


def test_the_report_names_every_changed_artifact_and_never_the_person(history, erased):
    repo = erased.repo
    (json_report,) = (repo.path / "erasure" / "reports").glob("*.json")
    report = json.loads(json_report.read_text())
    named = {
        (row["location"], row["path"].removeprefix("files/md5/")) for row in report["artifacts"]
    }

    now = _objects(repo)
    changed = {key for key, sha in history.objects.items() if now.get(key) != sha}
    assert changed and changed <= named
    assert {("workspace", "raw/speech_text/audio/<erased file>")} <= named
    versions = {note["version"]: note for note in report["versions"]}
    assert history.no_data[:10] not in versions and report["commits_without_data"] == 1
    assert "Not listed: 1 commit(s) without DVC outputs, which hold no data." in (
        json_report.with_suffix(".md").read_text()
    )
    for label in ("v1", "v2"):
        assert set(versions[label]["outputs_changed"]) == {"raw", "data/tables", "data/exports"}
        assert versions[label]["checkout"] == "whole, minus the erased data"
    assert report["verification"] == {"hits_after_erasure": 0}

    private = [
        f'"{SUBJECT}"',
        "61-70968",
        "000000062554",
        history.image_id,
        *history.files.values(),
    ]
    for path in [repo.path / DEFAULT_LEDGER, *(repo.path / "erasure" / "reports").iterdir()]:
        text = path.read_text()
        assert not [p for p in private if p in text], path


def test_the_erasure_shows_in_dagster_with_what_it_removed(history, erased):
    (json_report,) = (erased.repo.path / "erasure" / "reports").glob("*.json")
    report = json.loads(json_report.read_text())
    with DagsterInstance.from_config(str(erased.repo.path / ".dagster")) as instance:
        runs = [run for run in instance.get_runs() if run.job_name == "erase"]
        events = {
            name: instance.get_latest_materialization_event(AssetKey(name))
            for name in ("erasure_report", "erasure_ledger")
        }

    assert len(runs) == 1 and runs[0].tags["crosspair/erasure_request"] == report["request_id"]
    assert {event.run_id for event in events.values()} == {runs[0].run_id}
    metadata = events["erasure_report"].asset_materialization.metadata
    assert metadata["# Artifacts"].value == len(report["artifacts"])
    assert metadata["# Deleted"].value == report["summary"]["deleted"]
    assert "files/md5/" in metadata["artifacts"].value
    assert events["erasure_ledger"].asset_materialization.metadata["# Requests"].value == 1


def test_forgetting_again_finds_nothing_left_and_keeps_the_report(history, erased):
    reports = _snapshot(erased.repo.path / "erasure" / "reports")
    commits = erased.repo.git("rev-list", "--count", "HEAD")

    done = erased.repo.crosspair(*_forget_args(history))

    assert "already in ledger" in done.stdout
    assert _snapshot(erased.repo.path / "erasure" / "reports") == reports
    assert erased.repo.git("rev-list", "--count", "HEAD") == commits


def _wait_for_pause(process: subprocess.Popen, timeout: float = 900) -> None:
    lines: queue.Queue = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stderr], daemon=True
    ).start()
    while True:
        line = lines.get(timeout=timeout)
        if f"paused after {PAUSE_AFTER} actions" in line:
            return


def test_kill_9_mid_erasure_then_rerun_ends_as_an_uninterrupted_run(history, erased, tmp_path):
    repo = _copy(history, tmp_path / "copy")
    env = {
        **os.environ,
        **GIT_ENV,
        "DAGSTER_HOME": str(repo.path / ".dagster"),
        PAUSE_ENV: str(PAUSE_AFTER),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "crosspair.cli", *_forget_args(history)],
        cwd=repo.path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_pause(process)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    assert list((repo.path / "erasure" / ".work").glob("*.json"))  # the plan, kept for the rerun
    now = _objects(repo)
    done = sum(1 for key, sha in history.objects.items() if now.get(key) != sha)
    target = sum(1 for key, sha in erased.state["objects"].items() if sha != history.objects[key])
    assert 0 < done < target  # killed half way

    repo.crosspair(*_forget_args(history))

    assert _final_state(repo, history.objects) == erased.state
