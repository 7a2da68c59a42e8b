"""The rebuild step of an erasure, on a real git + DVC repo whose raw folder a stage writes."""

import sys

import yaml

from crosspair.erasure.forget import _rebuild
from crosspair.erasure.store import ObjectIndex
from tests.dataset_repo import DatasetRepo

GENERATE = (
    "import pathlib; p = pathlib.Path('gen'); p.mkdir(exist_ok=True); "
    "[(p / f'{n}.txt').write_text(n) for n in ('alice', 'bob')]; "
    "(p / 'sources.yaml').write_text('sources: []')"
)
COUNT = (
    "import pathlib; texts = list(pathlib.Path('gen').glob('*.txt')); "
    "pathlib.Path('count.txt').write_text(str(len(texts)))"
)


def test_a_raw_folder_written_by_a_stage_is_committed_as_erased_and_rebuilt(tmp_path):
    repo = DatasetRepo(tmp_path / "dataset", tmp_path / "remote")
    repo.path.mkdir()
    repo.git("init", "-q")
    repo.dvc("init", "-q")
    stages = {
        "generate": {"cmd": f'{sys.executable} -c "{GENERATE}"', "outs": ["gen"]},
        "count": {"cmd": f'{sys.executable} -c "{COUNT}"', "deps": ["gen"], "outs": ["count.txt"]},
    }
    (repo.path / "dvc.yaml").write_text(yaml.safe_dump({"stages": stages}))
    repo.dvc("repro", "-q")
    repo.commit("v1")
    assert (repo.path / "count.txt").read_text() == "2"

    (repo.path / "gen" / "bob.txt").unlink()  # what forget does to the person's raw files
    ledger = repo.path / "erasure" / "ledger.jsonl"
    ledger.parent.mkdir()
    ledger.write_text("")
    _rebuild(repo.path, ObjectIndex.build(repo.path), "gen/sources.yaml", "r1", ledger)

    # not restored from the run cache: the stage's output is recorded without bob and the
    # stages after it ran again
    assert sorted(p.name for p in (repo.path / "gen").iterdir()) == ["alice.txt", "sources.yaml"]
    assert (repo.path / "count.txt").read_text() == "1"
    assert "up to date" in repo.dvc("status")
    assert repo.git("status", "--short") == ""
    assert repo.git("log", "-1", "--format=%s").strip() == "erasure r1: rebuild"
