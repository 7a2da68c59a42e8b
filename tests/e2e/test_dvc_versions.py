"""A real git + DVC repo: build, change a source, build again, then restore the first build."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.corpus import write_small_corpus

pytestmark = pytest.mark.slow


def _run(repo: Path, *command: str) -> str:
    env = {
        **os.environ,
        "DAGSTER_HOME": str(repo / ".dagster"),
        "DVC_NO_ANALYTICS": "1",
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "GIT_AUTHOR_NAME": "crosspair test",
        "GIT_AUTHOR_EMAIL": "test@crosspair.invalid",
        "GIT_COMMITTER_NAME": "crosspair test",
        "GIT_COMMITTER_EMAIL": "test@crosspair.invalid",
    }
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _dvc(repo: Path, *args: str) -> str:
    return _run(repo, sys.executable, "-m", "dvc", *args)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_checkout_restores_an_earlier_build_byte_for_byte(tmp_path, shared_data):
    repo = tmp_path / "dataset"
    repo.mkdir()
    write_small_corpus(repo / "raw", shared_data)
    stage = {
        "stages": {
            "build": {
                "cmd": f'"{sys.executable}" -m crosspair.cli build --sources raw/sources.yaml '
                "--data data",
                "deps": ["raw"],
                "outs": ["data/tables", "data/derived", "data/exports"],
            }
        }
    }
    (repo / "dvc.yaml").write_text(yaml.safe_dump(stage))
    (repo / ".gitignore").write_text(".dagster/\n")
    _run(repo, "git", "init", "-q")
    _dvc(repo, "init", "-q")
    _dvc(repo, "remote", "add", "-d", "local", str(tmp_path / "remote"))

    _dvc(repo, "repro")
    _run(repo, "git", "add", "-A")
    _run(repo, "git", "commit", "-qm", "v1")
    _run(repo, "git", "tag", "v1")
    _dvc(repo, "push", "-q")
    first = _snapshot(repo / "data" / "exports")
    assert any(name.endswith(".tar") for name in first)
    assert "dataset_card.md" in first

    captions = repo / "raw" / "images" / "captions.jsonl"
    lines = [json.loads(line) for line in captions.read_text().splitlines()]
    lines[0]["captions"][0] = "A changed caption about plates of food."
    captions.write_text("".join(json.dumps(line) + "\n" for line in lines))
    _dvc(repo, "repro")
    _run(repo, "git", "add", "-A")
    _run(repo, "git", "commit", "-qm", "v2")
    second = _snapshot(repo / "data" / "exports")
    assert second != first

    _run(repo, "git", "checkout", "-q", "v1")
    _dvc(repo, "checkout", "-q")
    assert _snapshot(repo / "data" / "exports") == first
    status = _dvc(repo, "status")
    assert "up to date" in status.lower() or status.strip() == ""
