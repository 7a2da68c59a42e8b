"""Checks on timing: picture and sound in sync within the tolerance."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetKey, asset_check

from checks.result import to_result
from crosspair.validation import CheckOutcome


@asset_check(
    asset=AssetKey("sync_offsets"),
    name="within_tolerance",
    blocking=True,
    description="video ↔ audio pairs whose reliable offset estimate exceeds the tolerance "
    "(a warning; unreliable estimates are listed in the asset, not here)",
)
def sync_within_tolerance(context: AssetCheckExecutionContext, sync_offsets: pd.DataFrame):
    reliable = sync_offsets[sync_offsets["reason"] == ""]
    beyond = reliable[reliable["within_tolerance"].eq(False)]
    outcome = CheckOutcome.build(
        beyond.empty,
        {"pairs": len(sync_offsets), "reliable": len(reliable), "beyond_tolerance": len(beyond)},
        beyond,
    )
    return to_result(outcome, warn_only=True)


timing_checks = [sync_within_tolerance]
