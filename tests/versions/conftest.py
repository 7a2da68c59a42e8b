"""One real small build through Dagster (three COCO images, two speech files), shared by the
provenance, lineage and release tests of this folder."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from dagster_project.build import failed_checks, materialise_all
from tests.conftest import SHARED_DATA
from tests.corpus import write_small_corpus


@dataclass
class SmallBuild:
    root: Path  # the build's data folder is root / "data"
    run_id: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.data / "tables" / f"{name}.parquet")


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> SmallBuild:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA}")
    root = tmp_path_factory.mktemp("small_build")
    sources = write_small_corpus(root / "raw", SHARED_DATA)
    home = root / "dagster_home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        result = materialise_all(sources, root / "data", instance)
    assert result.success and failed_checks(result) == [], failed_checks(result)
    return SmallBuild(root, result.run_id)
