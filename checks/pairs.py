"""Checks on the pair table and on item conservation."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetIn, AssetKey, asset_check

from assets.metadata import by_modality
from checks.result import to_result
from crosspair.schemas import CATALOGS
from crosspair.validation.conservation import check_conservation
from crosspair.validation.expectations import run_pair_expectations


@asset_check(
    asset=AssetKey("pairs"),
    name="expectations",
    blocking=True,
    description="Great Expectations suite: ids unique and well formed, modalities "
    "known, (left, right, method) unique, params are JSON objects",
)
def pair_expectations_check(context: AssetCheckExecutionContext, pairs: pd.DataFrame):
    return to_result(run_pair_expectations(pairs))


@asset_check(
    asset=AssetKey("rejects"),
    name="conservation",
    blocking=True,
    additional_ins={
        "discovered_items": AssetIn("discovered_items"),
        "discovery_rejects": AssetIn("discovery_rejects"),
        **{f"{m}_catalog": AssetIn(f"{m}_catalog") for m in CATALOGS},
    },
    description="per source, items found = catalog rows + reject rows; none lost or doubled",
)
def conservation_check(
    context: AssetCheckExecutionContext,
    rejects: pd.DataFrame,
    discovered_items: pd.DataFrame,
    discovery_rejects: pd.DataFrame,
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    sensor_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
):
    found = pd.concat(
        [discovered_items[["source", "item_id"]], discovery_rejects[["source", "item_id"]]],
        ignore_index=True,
    )
    catalogs = by_modality(locals())  # the *_catalog inputs, keyed by modality
    return to_result(check_conservation(found, catalogs, rejects))


pair_checks = [pair_expectations_check, conservation_check]
