"""The dataset_report asset through a real Dagster run over the demo build's stored tables."""

from pathlib import Path

from dagster import DagsterInstance, materialize

from assets.report import dataset_report
from dagster_project.build import build_run_config
from dagster_project.definitions import all_assets
from dagster_project.io_manager import TableIOManager
from dagster_project.resources import CrosspairSettings
from tests.report.demo_build import expected_counts, html_counts


def test_asset_writes_the_report_beside_the_card_with_its_counts(demo_build):
    config = build_run_config(demo_build.sources, demo_build.data_dir)["resources"]
    resources = {
        "settings": CrosspairSettings(**config["settings"]["config"], version="v-asset"),
        "io_manager": TableIOManager(**config["io_manager"]["config"]),
    }
    with DagsterInstance.local_temp(str(demo_build.dagster_home)) as instance:
        result = materialize(
            all_assets,
            selection=[dataset_report],
            resources=resources,
            instance=instance,
        )
    assert result.success
    metadata = result.asset_materializations_for_node("dataset_report")[0].metadata

    exports = demo_build.data_dir / "exports"
    index = exports / "report" / "index.html"
    assert Path(metadata["index"].value) == index
    assert metadata["url"].value == index.as_uri()
    expected = expected_counts(demo_build)
    assert metadata["# Pairs"].value == expected["pairs"]
    assert metadata["# Rejects"].value == expected["rejects"] >= 2  # our two broken files
    assert metadata["# Pairs in train"].value == expected["pairs-train"]
    assert metadata["# Previews not made"].value == 0
    assert html_counts(index.read_text()) == expected
    assert 'id="report-version">v-asset<' in index.read_text()

    # the card of the same build links to it by a path relative to itself
    card = (exports / "dataset_card.md").read_text()
    assert "[HTML report](report/index.html)" in card
    assert (exports / "report" / "index.html").is_file()
