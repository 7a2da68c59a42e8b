"""A real dataset repository for tests: git + DVC + a local remote, raw data tracked by DVC."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import SHARED_SOURCES

GIT_ENV = {
    "GIT_AUTHOR_NAME": "crosspair test",
    "GIT_AUTHOR_EMAIL": "test@crosspair.invalid",
    "GIT_COMMITTER_NAME": "crosspair test",
    "GIT_COMMITTER_EMAIL": "test@crosspair.invalid",
    "DVC_NO_ANALYTICS": "1",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "False",
}


class DatasetRepo:
    """A folder with ``raw/`` (DVC-tracked sources), a build stage and a local remote."""

    def __init__(self, path: Path, remote: Path):
        self.path = path
        self.remote = remote

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, **GIT_ENV, "DAGSTER_HOME": str(self.path / ".dagster")}
        done = subprocess.run(command, cwd=self.path, env=env, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                f"{done.stderr[-3000:]}"
            )
        return done

    def git(self, *args: str) -> str:
        return self.run("git", *args).stdout

    def dvc(self, *args: str) -> str:
        return self.run(sys.executable, "-m", "dvc", *args).stdout

    def crosspair(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(sys.executable, "-m", "crosspair.cli", *args, check=check)

    def build(self) -> None:
        """Track raw/ and rebuild: what a user does after changing a source."""
        self.dvc("add", "-q", "raw")
        self.dvc("repro", "-q")

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-qm", message)

    @property
    def sources(self) -> Path:
        return self.path / "raw" / "sources.yaml"


def shared_sources_under(raw: Path, shared_data: Path) -> Path:
    """Copy the six real sets into ``raw`` and write their sources file with local roots."""
    config = yaml.safe_load(SHARED_SOURCES.read_text())
    for source in config["sources"]:
        relative = Path(source["root"]).relative_to("../../shared/data")
        shutil.copytree(shared_data / relative, raw / relative, dirs_exist_ok=True)
        source["root"] = relative.as_posix()
    path = raw / "sources.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def create_dataset_repo(root: Path, fill_raw) -> DatasetRepo:
    """git init + dvc init + local remote; ``fill_raw(raw_dir)`` writes sources.yaml in raw/."""
    path = root / "dataset"
    (path / "raw").mkdir(parents=True)
    fill_raw(path / "raw")
    repo = DatasetRepo(path, root / "remote")
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
    (path / "dvc.yaml").write_text(yaml.safe_dump(stage))
    (path / ".gitignore").write_text(".dagster/\n")
    repo.git("init", "-q")
    repo.dvc("init", "-q")
    repo.dvc("remote", "add", "-d", "local", str(repo.remote))
    return repo
