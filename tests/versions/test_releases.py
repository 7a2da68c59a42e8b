"""Releases in a real git + DVC repository holding a real small build's tables and exports."""

import json
import shutil

import pandas as pd
import pytest

from crosspair.lineage import audit
from crosspair.lineage_index import lineage_index
from crosspair.releases import ReleaseError, create_release, read_index
from crosspair.versioned_tables import VersionedTables
from tests.dataset_repo import DatasetRepo

pytestmark = pytest.mark.slow

CHANGED = ("pairs", "split_assignments", "webdataset_shards") + tuple(
    f"{m}_catalog" for m in ("image", "audio", "text")
)


@pytest.fixture
def data_repo(tmp_path, small_build) -> DatasetRepo:
    """The small build's data, tracked by DVC as two folders and committed."""
    repo = DatasetRepo(tmp_path / "dataset", tmp_path / "remote")
    for folder in ("tables", "exports"):
        shutil.copytree(small_build.data / folder, repo.path / "data" / folder)
    repo.git("init", "-q")
    repo.dvc("init", "-q")
    repo.dvc("remote", "add", "-d", "local", str(repo.remote))
    repo.dvc("add", "-q", "data/tables", "data/exports")
    repo.commit("build")
    return repo


def _change_tables(repo: DatasetRepo, move: str, remove: str) -> None:
    """Move one pair to another split and drop another, as a changed build would; the
    lineage index is rebuilt from the changed tables, as the build would rebuild it."""
    tables = repo.path / "data" / "tables"
    read = {name: pd.read_parquet(tables / f"{name}.parquet") for name in CHANGED}
    assignments = read["split_assignments"]
    moved = assignments["pair_id"] == move
    assignments.loc[moved, "split"] = (
        "test" if assignments.loc[moved, "split"].item() != "test" else "val"
    )
    for name in ("pairs", "split_assignments"):
        read[name] = read[name][read[name]["pair_id"] != remove]
        read[name].to_parquet(tables / f"{name}.parquet", index=False)
    catalogs = {m: read[f"{m}_catalog"] for m in ("image", "audio", "text")}
    index = lineage_index(
        read["pairs"], read["split_assignments"], read["webdataset_shards"], catalogs
    )
    index.to_parquet(tables / "lineage_index.parquet", index=False)
    repo.dvc("add", "-q", "data/tables")
    repo.commit("moved and removed a pair")


def test_split_moves_are_refused_unless_allowed(data_repo, small_build):
    first = create_release(data_repo.path, "v1", "first release")
    card = first.read_text()
    assert first == data_repo.path / "releases" / "v1.md"
    assert "Version: v1" in card and "Version: unreleased" not in card
    assert "None: this is the first release (17 pairs)." in card
    # the report link works from releases/, where the release card sits
    assert "[HTML report](../data/exports/report/index.html)" in card
    assert data_repo.git("cat-file", "-t", "v1").strip() == "tag"
    assert "in sync" in data_repo.dvc("status", "--cloud")

    original = small_build.table("split_assignments")
    move, remove = original["pair_id"].iloc[0], original["pair_id"].iloc[1]
    before = original.set_index("pair_id").loc[move, "split"]
    _change_tables(data_repo, move, remove)

    with pytest.raises(ReleaseError, match=rf"1 pairs moved between splits since v1: {move}"):
        create_release(data_repo.path, "v2")
    assert not (data_repo.path / "releases" / "v2.md").exists()
    assert [entry["tag"] for entry in read_index(data_repo.path)] == ["v1"]
    assert data_repo.git("tag", "--list").split() == ["v1"]

    second = create_release(data_repo.path, "v2", allow_split_moves=True).read_text()
    assert "## Changes since v1" in second
    assert "- Pairs added: 0\n- Pairs removed: 1\n- Pairs that moved between splits: 1" in second
    assert remove in second and move in second
    entries = read_index(data_repo.path)
    assert [(e["tag"], e["previous"], e["removed"], e["moved"]) for e in entries] == [
        ("v1", None, 0, 0),
        ("v2", "v1", 1, 1),
    ]

    # the first version's table, read through DVC at its tag, is the original one
    at_v1 = VersionedTables(data_repo.path, "v1").read("split_assignments").to_pandas()
    pd.testing.assert_frame_equal(at_v1, original)

    left = small_build.table("pairs").set_index("pair_id").loc[move, "left_id"]
    results = audit(data_repo.path, item_id=left)
    assert [hits.version for hits in results] == ["v1", "v2", "workspace"]
    split_of = [hits.pairs.set_index("pair_id").loc[move, "split"] for hits in results]
    assert split_of[0] == before and split_of[1] == split_of[2] != before


def test_a_release_needs_a_clean_committed_build(data_repo):
    with pytest.raises(ReleaseError, match="use letters, digits"):
        create_release(data_repo.path, "v 1")

    pairs = data_repo.path / "data" / "tables" / "pairs.parquet"
    saved = pairs.read_bytes()
    pd.read_parquet(pairs).iloc[1:].to_parquet(pairs, index=False)
    with pytest.raises(ReleaseError, match=r"`dvc status` .* is not clean .*data/tables\.dvc"):
        create_release(data_repo.path, "v1")
    pairs.write_bytes(saved)

    (data_repo.path / ".dvcignore").write_text("# changed\n")
    with pytest.raises(
        ReleaseError, match=r"uncommitted changes to tracked files:\n M \.dvcignore"
    ):
        create_release(data_repo.path, "v1")
    data_repo.git("checkout", "--", ".dvcignore")

    create_release(data_repo.path, "v1")
    with pytest.raises(ReleaseError, match="tag v1 already exists"):
        create_release(data_repo.path, "v1")
    line = json.loads((data_repo.path / "releases" / "index.jsonl").read_text())
    assert (line["tag"], line["pairs"], line["previous"]) == ("v1", 17, None)
