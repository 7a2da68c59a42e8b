"""The weak-supervision assets, materialised by Dagster over the fixture site."""

import json

import pandas as pd
import yaml
from dagster import AssetSelection, materialize

from assets import ingest, weak
from crosspair.schemas import PAIRS, WEAK_LABEL_VOTES
from dagster_project.io_manager import TableIOManager
from dagster_project.resources import CrosspairSettings
from tests.weak.conftest import html_source

CATALOG_BUILDS = {"image_catalog_build", "text_catalog_build"}


def _table(tables, name: str) -> pd.DataFrame:
    """A whole table, or the concatenation of its per-source partition files."""
    whole = tables / f"{name}.parquet"
    parts = [whole] if whole.is_file() else sorted(tables.glob(f"partitions/{name}/*.parquet"))
    return pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)


def test_votes_and_pairs_materialise(site, tmp_path, dagster_instance):
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"version": 1, "sources": [html_source()]}))
    data = tmp_path / "data"
    resources = {
        "settings": CrosspairSettings(
            sources_path=str(sources),
            data_dir=str(data),
            erasure_ledger=str(tmp_path / "no_ledger.jsonl"),
        ),
        "io_manager": TableIOManager(data_dir=str(data)),
    }
    ingest_assets = [
        ingest.discovery,
        *(a for a in ingest.catalog_assets if a.node_def.name in CATALOG_BUILDS),
    ]
    # discovery and the catalogs may keep one partition per source; then the source's name
    # is the partition key and the weak assets read every partition
    partitions = ingest.discovery.partitions_def
    if partitions is not None:
        dagster_instance.add_dynamic_partitions(partitions.name, ["site"])
    ingested = materialize(
        ingest_assets,
        instance=dagster_instance,
        resources=resources,
        partition_key="site" if partitions is not None else None,
    )
    assert ingested.success
    result = materialize(
        [*ingest_assets, weak.weak_label_votes, weak.weak_pairs],
        selection=AssetSelection.assets("weak_label_votes", "weak_pairs"),
        instance=dagster_instance,
        resources=resources,
    )
    assert result.success
    data_tables = data / "tables"

    votes = pd.read_parquet(data_tables / "weak_label_votes.parquet")
    pairs = pd.read_parquet(data_tables / "weak_pairs.parquet")
    WEAK_LABEL_VOTES.validate(votes, lazy=True)
    PAIRS.validate(pairs, lazy=True)
    assert (len(votes), int((votes["decision"] == "keep").sum()), len(pairs)) == (10, 4, 4)

    # every pair points at catalogued items, and keeps its votes and threshold
    images, texts = _table(data_tables, "image_catalog"), _table(data_tables, "text_catalog")
    assert set(pairs["left_id"]) <= set(images["item_id"])
    assert set(pairs["right_id"]) <= set(texts["item_id"])
    assert set(images["path"]) == {"img/fox.jpg", "img/coffee-cup.png", "img/logo.png"}
    assert set(texts["kind"]) == {"alt_text", "figcaption", "paragraph"}
    kept = votes[votes["decision"] == "keep"].set_index("text_id")
    for row in pairs.itertuples():
        params = json.loads(row.params)
        assert row.score == kept.loc[row.right_id, "confidence"]
        assert params["threshold"] == 0.6 and params["votes"]["empty_text"] == "abstain"

    # dropped candidates stay visible, with their reasons, in the metadata too
    materialization = result.asset_materializations_for_node("weak_label_votes")[0]
    metadata = materialization.metadata
    assert (metadata["# Kept"].value, metadata["# Dropped"].value) == (4, 6)
    assert "boilerplate;too_short" in metadata["drop reasons"].value
    # rule | weight | veto | keep | drop | abstain: one descriptive alt text among 10 candidates
    rule_rows = {
        cells[0]: cells[1:]
        for line in metadata["rules"].value.splitlines()[2:]
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
    }
    assert rule_rows["descriptive_alt"] == ["1", "False", "1", "0", "9"]
    assert rule_rows["empty_text"] == ["1", "True", "0", "1", "9"]
