"""The scanner reads data, not code: a dataset repo made from a crosspair clone can be erased.

A crosspair clone's README and tests name subject 61 and COCO paths as examples, and its
virtual environment holds third-party files with short numbers in quotes; none of that is a
person's data, and none of it may keep an erasure from finishing. A data file in git that
names the subject still counts.
"""

import pytest

from crosspair.erasure.scan import is_code_or_docs, scan
from crosspair.erasure.targets import Request
from tests.corpus import write_small_corpus
from tests.dataset_repo import DatasetRepo

pytestmark = pytest.mark.slow


@pytest.fixture
def clone_like_repo(tmp_path, shared_data) -> DatasetRepo:
    repo = DatasetRepo(tmp_path / "dataset", tmp_path / "remote")
    (repo.path / "raw").mkdir(parents=True)
    write_small_corpus(repo.path / "raw", shared_data)
    (repo.path / "README.md").write_text('crosspair forget --subject 61  # or "61"\n')
    (repo.path / "tests").mkdir()
    (repo.path / "tests" / "test_erase.py").write_text('SUBJECT = "61"\n')
    (repo.path / "notes.jsonl").write_text('{"speaker": "61", "said": "fine"}\n')
    venv = repo.path / ".venv"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "vocab.json").write_text('{"61": 61}\n')
    egg_info = repo.path / "crosspair.egg-info"  # pip install -e . copies the README here
    egg_info.mkdir()
    (egg_info / "PKG-INFO").write_text('crosspair forget --subject 61  # or "61"\n')
    (repo.path / ".gitignore").write_text(".venv/\n*.egg-info/\n")
    repo.git("init", "-q")
    repo.dvc("init", "-q")
    repo.dvc("add", "-q", "raw")
    repo.commit("v1")
    return repo


def test_code_docs_and_the_venv_are_not_hits_but_data_files_are(clone_like_repo):
    hits = scan(clone_like_repo.path, Request(subjects=frozenset({"61"})))
    paths = {hit.path for hit in hits}
    assert "raw/speech/audio/61-70968-0000.flac" in paths  # the speaker's recording
    assert "notes.jsonl" in paths  # a data file that names the subject
    assert "notes.jsonl (git)" in paths  # ... in the committed version too
    assert not [
        p for p in paths if "README" in p or "test_erase" in p or ".venv" in p or "egg-info" in p
    ]


@pytest.mark.parametrize(
    ("path", "skipped"),
    [
        ("README.md", True),
        ("crosspair/erasure/scan.py", True),
        ("Makefile", True),
        ("pyproject.toml", True),
        ("raw/speech/transcripts.jsonl", False),
        ("annotations/judged.csv", False),
        ("sources.yaml", False),
        ("data/exports/dataset_card.md", True),
    ],
)
def test_which_files_count_as_code_or_docs(path, skipped):
    assert is_code_or_docs(path) is skipped
