"""The leakage check: no group of related pairs crosses splits."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetIn, AssetKey, asset_check

from checks.result import to_result
from crosspair.catalog import item_keys
from crosspair.splits import leakage_violations
from crosspair.validation import CheckOutcome

_CATALOGS = ("image", "audio", "video", "mesh", "text", "code")


@asset_check(
    asset=AssetKey("split_assignments"),
    name="no_leakage",
    blocking=True,
    additional_ins={
        "pairs": AssetIn("pairs"),
        "near_duplicates": AssetIn("near_duplicates"),
        "extracted_audio": AssetIn("extracted_audio"),
        **{f"{m}_catalog": AssetIn(f"{m}_catalog") for m in _CATALOGS},
    },
    description="pairs sharing a media item, a near-duplicate cluster or a person are all in "
    "one split",
)
def no_leakage_check(
    context: AssetCheckExecutionContext,
    split_assignments: pd.DataFrame,
    pairs: pd.DataFrame,
    near_duplicates: pd.DataFrame,
    extracted_audio: pd.DataFrame,
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
):
    items = item_keys(
        image_catalog,
        audio_catalog,
        video_catalog,
        mesh_catalog,
        text_catalog,
        code_catalog,
        extracted_audio,
    )
    violations = leakage_violations(split_assignments, pairs, items, near_duplicates)
    outcome = CheckOutcome.build(
        violations.empty,
        {"pairs": len(split_assignments), "groups_crossing_splits": len(violations)},
        violations,
    )
    return to_result(outcome)


split_checks = [no_leakage_check]
