"""Resolve and plan on a small real git + DVC repo: deterministic, read-only, then idempotent."""

import hashlib
import json

import pytest

from crosspair.erasure.plan import plan_objects, plan_workspace_raw
from crosspair.erasure.purge import apply_actions
from crosspair.erasure.resolve import resolve
from crosspair.erasure.store import ObjectIndex
from crosspair.erasure.targets import Request, item_ids_for
from tests.corpus import write_small_corpus
from tests.dataset_repo import DatasetRepo

pytestmark = pytest.mark.slow

FLAC = "speech/audio/61-70968-0000.flac"


def _everything(repo: DatasetRepo) -> dict[str, str]:
    files = {}
    for folder in (repo.path, repo.remote):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".git" not in path.parts and "tmp" not in path.parts:
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


@pytest.fixture
def repo(tmp_path, shared_data) -> DatasetRepo:
    """Two versions of a small raw folder (v2 drops one caption record), pushed to a remote."""
    repo = DatasetRepo(tmp_path / "dataset", tmp_path / "remote")
    (repo.path / "raw").mkdir(parents=True)
    write_small_corpus(repo.path / "raw", shared_data)
    repo.git("init", "-q")
    repo.dvc("init", "-q")
    repo.dvc("remote", "add", "-d", "local", "../remote")
    repo.dvc("add", "-q", "raw")
    repo.commit("v1")
    repo.git("tag", "v1")
    captions = repo.path / "raw" / "images" / "captions.jsonl"
    captions.write_text("".join(captions.read_text().splitlines(keepends=True)[1:]))
    repo.dvc("add", "-q", "raw")
    repo.commit("v2")
    repo.git("tag", "v2")
    repo.dvc("push", "-q")
    return repo


def test_plan_is_deterministic_and_reads_only(repo):
    before = _everything(repo)
    request = Request(subjects=frozenset({"61"}))

    first = resolve(repo.path, request, ObjectIndex.build(repo.path))
    second = resolve(repo.path, request, ObjectIndex.build(repo.path))
    plans = [plan_objects(repo.path, t, ObjectIndex.build(repo.path)) for t in (first, second)]

    assert first.to_json() == second.to_json()
    assert plans[0] == plans[1] == sorted(plans[0], key=lambda a: a.sort_key())
    assert first.raw_paths == {FLAC}
    assert _everything(repo) == before
    cache = [(a.path, a.kind, a.op) for a in plans[0] if a.location == "cache"]
    remote = [(a.path, a.kind, a.op) for a in plans[0] if a.location == "remote:local"]
    # the flac object, both raw listings, the transcripts (one object in v1 and v2)
    assert sorted(kind for _, kind, _ in cache) == ["dir", "dir", "jsonl", "media"]
    assert ("media", "delete") in {(kind, op) for _, kind, op in cache}
    assert set(remote) <= set(cache) and len(remote) == 3  # the remote has v2's listing only
    listing = next(a for a in plans[0] if a.kind == "dir")
    assert set(listing.versions) <= {"v1", "v2"} and listing.refs == ("raw",)


def test_applying_a_plan_twice_changes_nothing_the_second_time(repo):
    index = ObjectIndex.build(repo.path)
    targets = resolve(repo.path, Request(subjects=frozenset({"61"})), index)
    stores = {store.name: store for store in index.stores}
    actions = plan_workspace_raw(repo.path, targets) + plan_objects(repo.path, targets, index)

    apply_actions(actions, repo.path, targets, stores)
    after_once = _everything(repo)
    apply_actions(actions, repo.path, targets, stores)

    assert _everything(repo) == after_once
    assert plan_objects(repo.path, targets, ObjectIndex.build(repo.path)) == []
    assert not (repo.path / "raw" / FLAC).exists()
    for version in ObjectIndex.build(repo.path).versions:
        listing = json.loads(ObjectIndex.build(repo.path).read(version.outs[0].md5))
        assert all("61-70968" not in entry["relpath"] for entry in listing)
        assert any(entry["relpath"].endswith("LJ002-0020.wav") for entry in listing)
    transcripts = (repo.path / "raw" / "speech" / "transcripts.jsonl").read_text()
    assert "61-70968" not in transcripts and "LJ002-0020" in transcripts


def test_the_plan_resolves_an_item_path_of_a_past_version_only(repo, shared_data):
    v1_only = "images/000000062554.jpg"  # its record left the manifest in v2, its file did not
    request = Request(items=frozenset(item_ids_for(f"coco:{v1_only}", [])))
    targets = resolve(repo.path, request, ObjectIndex.build(repo.path))

    assert f"images/{v1_only}" in targets.raw_paths
    picture = (shared_data / "image_text" / v1_only).read_bytes()
    assert hashlib.sha256(picture).hexdigest() in targets.sha256s
    assert any(rule.value == v1_only for rule in targets.record_rules)
