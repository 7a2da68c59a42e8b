"""Two releases of the six real sets in a git + DVC repository: cards, audit, and restoring v1.

v1 is built from the shared data as it is; for v2 one COCO image gains a sixth caption and
another loses its last one. Both builds run through `dvc repro` (Dagster inside), both releases
through `crosspair release`.
"""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from crosspair.ids import item_id, pair_id
from tests.dataset_repo import create_dataset_repo, shared_sources_under

pytestmark = pytest.mark.slow

SOURCE = "coco_captions"
TABLES = ("pairs", "split_assignments", "webdataset_shards", "audio_catalog", "image_catalog")
NEW_CAPTION = "A table seen from above, crowded with plates of food."


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _tables(repo) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_parquet(repo.path / "data" / "tables" / f"{name}.parquet") for name in TABLES
    }


def _caption_pair(record: dict, index: int) -> str:
    """The pair id of one caption of a COCO record, from the id rules alone."""
    image = item_id(SOURCE, record["file_name"])
    key = f"{record['file_name']}|{record['coco_image_id']}#{index}"
    return pair_id(image, item_id(SOURCE, "captions.jsonl", key), "manifest_reference")


def _change_captions(path: Path) -> tuple[dict, dict]:
    """Add a caption to the first record and drop the last caption of the second."""
    records = [json.loads(line) for line in path.read_text().splitlines()]
    grown, shrunk = records[0], records[1]
    grown["captions"].append(NEW_CAPTION)
    shrunk["captions"].pop()
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return grown, shrunk


def _audit(repo, *args: str) -> dict[str, dict]:
    done = repo.crosspair("audit", *args, "--json")
    return {version["version"]: version for version in json.loads(done.stdout)["versions"]}


@pytest.fixture(scope="module")
def releases(tmp_path_factory, shared_data):
    """Build and release v1 and v2, audit, then check v1 out again; every answer is kept."""
    root = tmp_path_factory.mktemp("releases")
    repo = create_dataset_repo(root, lambda raw: shared_sources_under(raw, shared_data))
    repo.build()
    repo.commit("shared data")
    repo.crosspair("release", "v1", "--message", "first release")
    found = {"v1_exports": _snapshot(repo.path / "data" / "exports"), "v1": _tables(repo)}

    found["grown"], found["shrunk"] = _change_captions(repo.path / "raw/image_text/captions.jsonl")
    found["refused_stale"] = repo.crosspair("release", "v2", check=False)
    repo.build()
    found["refused_uncommitted"] = repo.crosspair("release", "v2", check=False)
    repo.commit("one caption more, one fewer")
    repo.crosspair("release", "v2", "--message", "captions edited")
    found["v2"] = _tables(repo)
    found["card"] = (repo.path / "data" / "exports" / "dataset_card.md").read_text()
    found["v2_card"] = (repo.path / "releases" / "v2.md").read_text()
    found["index"] = [json.loads(line) for line in (repo.path / "releases/index.jsonl").open()]
    found["cloud"] = repo.dvc("status", "--cloud")

    image = item_id(SOURCE, found["grown"]["file_name"])
    found["image"] = image
    found["audit_item"] = _audit(repo, "--item", image)
    found["audit_item_text"] = repo.crosspair("audit", "--item", image).stdout
    found["audit_subject"] = _audit(repo, "--subject", "61")
    rows = repo.crosspair("provenance", "--item", image, "--json").stdout.splitlines()
    found["provenance"] = {row["pair_id"]: row for row in map(json.loads, rows)}

    repo.git("checkout", "-q", "v1")
    repo.dvc("checkout", "-q")
    found["restored_exports"] = _snapshot(repo.path / "data" / "exports")
    return found


def test_checkout_of_v1_gives_its_exports_back_byte_for_byte(releases):
    assert any(name.endswith(".tar") for name in releases["v1_exports"])
    assert releases["restored_exports"] == releases["v1_exports"]


def test_a_release_is_refused_until_the_build_is_current_and_committed(releases):
    stale, uncommitted = releases["refused_stale"], releases["refused_uncommitted"]
    assert stale.returncode == 2
    assert "`dvc status`" in stale.stderr and "run `dvc repro`" in stale.stderr
    assert uncommitted.returncode == 2
    assert "uncommitted changes to tracked files" in uncommitted.stderr
    assert "dvc.lock" in uncommitted.stderr


def test_v2_card_lists_the_added_and_removed_pairs_and_no_split_moves(releases):
    added = _caption_pair(releases["grown"], len(releases["grown"]["captions"]) - 1)
    removed = _caption_pair(releases["shrunk"], len(releases["shrunk"]["captions"]))
    v1, v2 = set(releases["v1"]["pairs"]["pair_id"]), set(releases["v2"]["pairs"]["pair_id"])
    assert v2 - v1 == {added} and v1 - v2 == {removed}

    card = releases["v2_card"]
    # the build's card, with its version, and its report link made to work from releases/
    built = releases["card"].replace("Version: unreleased", "Version: v2")
    built = built.replace("](report/index.html)", "](../data/exports/report/index.html)")
    assert "](../data/exports/report/index.html)" in built
    assert card.startswith(built)
    assert "## Changes since v1" in card
    assert "- Pairs added: 1\n- Pairs removed: 1\n- Pairs that moved between splits: 0" in card
    assert added in card and removed in card
    assert [(e["tag"], e["previous"], e["added"], e["removed"]) for e in releases["index"]] == [
        ("v1", None, 0, 0),
        ("v2", "v1", 1, 1),
    ]
    assert "in sync" in releases["cloud"]


def _split_and_shard(tables: dict, pairs: set[str]) -> dict[str, tuple[str, str]]:
    splits = tables["split_assignments"].set_index("pair_id")["split"]
    shard_of = {
        pair: row.shard
        for row in tables["webdataset_shards"].itertuples()
        for pair in row.pair_ids.split(";")
    }
    return {pair: (splits[pair], shard_of[pair]) for pair in pairs}


def test_audit_of_a_coco_image_lists_both_releases_with_split_and_shard(releases):
    audit = releases["audit_item"]
    assert list(audit) == ["v1", "v2", "workspace"]
    captions = len(releases["grown"]["captions"])
    for version, count in (("v1", captions - 1), ("v2", captions)):
        tables = releases[version]
        pairs = tables["pairs"]
        expected = set(pairs.loc[pairs["left_id"] == releases["image"], "pair_id"])
        assert len(expected) == count
        found = {row["pair_id"]: (row["split"], row["shard"]) for row in audit[version]["pairs"]}
        assert found == _split_and_shard(tables, expected)
        assert [item["path"] for item in audit[version]["items"]] == [
            releases["grown"]["file_name"]
        ]
    assert audit["workspace"]["pairs"] == audit["v2"]["pairs"]

    text = releases["audit_item_text"]
    assert f"item {releases['image']}" in text
    heads = {line.split(" ")[0]: line for line in text.splitlines() if " pairs; splits: " in line}
    assert list(heads) == ["v1", "v2", "workspace"]
    for version, count in (("v1", captions - 1), ("v2", captions)):
        (split, shard), *_ = {(p["split"], p["shard"]) for p in audit[version]["pairs"]}
        assert f": 1 items, {count} pairs; splits: {split}; shards: {shard}" in heads[version]


def test_audit_of_librispeech_speaker_61_lists_its_pair_in_every_version(releases):
    audio = releases["v1"]["audio_catalog"]
    speaker = audio.loc[audio["subject_ids"] == "61", "item_id"].item()
    pairs = releases["v1"]["pairs"]
    expected = pairs.loc[pairs["left_id"] == speaker, "pair_id"].tolist()
    assert len(expected) == 1
    for version, hits in releases["audit_subject"].items():
        assert [pair["pair_id"] for pair in hits["pairs"]] == expected, version
        assert hits["pairs"][0]["matched"] == "both"  # the audio and its transcript
        assert sorted(item["table"] for item in hits["items"]) == ["audio_catalog", "text_catalog"]
    assert list(releases["audit_subject"]) == ["v1", "v2", "workspace"]


def test_provenance_of_the_new_caption_pair(releases):
    rows = releases["provenance"]
    pairs = releases["v2"]["pairs"]
    assert set(rows) == set(pairs.loc[pairs["left_id"] == releases["image"], "pair_id"])
    image = releases["v2"]["image_catalog"].set_index("item_id").loc[releases["image"]]
    row = rows[_caption_pair(releases["grown"], len(releases["grown"]["captions"]) - 1)]
    assert (row["left_id"], row["left_source"], row["left_path"]) == (
        releases["image"],
        SOURCE,
        releases["grown"]["file_name"],
    )
    assert (row["left_sha256"], row["left_licence"]) == (image["sha256"], image["licence"])
    assert row["method"] == "manifest_reference" and row["right_modality"] == "text"
    assert json.loads(row["params"])["kind"] == "caption"
    assert len({r["run_id"] for r in rows.values()}) == 1
