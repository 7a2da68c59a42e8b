"""A real git + DVC repo: build, change a source, build again, then restore the first build."""

import hashlib
import json
from pathlib import Path

import pytest

from tests.corpus import write_small_corpus
from tests.dataset_repo import create_dataset_repo

pytestmark = pytest.mark.slow


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_checkout_restores_an_earlier_build_byte_for_byte(tmp_path, shared_data):
    repo = create_dataset_repo(tmp_path, lambda raw: write_small_corpus(raw, shared_data))

    repo.build()
    repo.commit("v1")
    repo.git("tag", "v1")
    repo.dvc("push", "-q")
    first = _snapshot(repo.path / "data" / "exports")
    assert any(name.endswith(".tar") for name in first)
    assert "dataset_card.md" in first

    captions = repo.path / "raw" / "images" / "captions.jsonl"
    lines = [json.loads(line) for line in captions.read_text().splitlines()]
    lines[0]["captions"][0] = "A changed caption about plates of food."
    captions.write_text("".join(json.dumps(line) + "\n" for line in lines))
    repo.build()
    repo.commit("v2")
    second = _snapshot(repo.path / "data" / "exports")
    assert second != first

    repo.git("checkout", "-q", "v1")
    repo.dvc("checkout", "-q")
    assert _snapshot(repo.path / "data" / "exports") == first
    status = repo.dvc("status")
    assert "up to date" in status.lower() or status.strip() == ""
