"""Check on semantic pairing: no source may have too many pairs flagged as noisy."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetIn, AssetKey, asset_check

from assets.metadata import markdown_table
from checks.result import to_result
from crosspair.semantic.noisy import noisy_share_outcome
from dagster_project.resources import CrosspairSettings


@asset_check(
    asset=AssetKey("noisy_pairs"),
    name="noisy_share",
    blocking=False,
    additional_ins={"pair_scores": AssetIn("pair_scores")},
    description="per source, the share of scored pairs flagged as noisy; fails above the "
    "max_noisy_share setting",
)
def noisy_share_check(
    context: AssetCheckExecutionContext,
    settings: CrosspairSettings,
    noisy_pairs: pd.DataFrame,
    pair_scores: pd.DataFrame,
) -> AssetCheckResult:
    outcome, shares = noisy_share_outcome(pair_scores, noisy_pairs, settings.max_noisy_share)
    result = to_result(outcome)
    return AssetCheckResult(
        passed=result.passed,
        severity=result.severity,
        description=result.description,
        metadata={
            **result.metadata,
            "flagged share by source": markdown_table(shares.round({"share": 4}), rows=len(shares)),
        },
    )


semantic_checks = [noisy_share_check]
