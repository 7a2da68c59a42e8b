"""Check on semantic pairing: no source may have too many pairs flagged as noisy."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetIn, AssetKey, asset_check

from assets.metadata import markdown_table
from checks.result import to_result
from crosspair.semantic.noisy import describe_noisy_share, noisy_share_outcome
from crosspair.semantic.scoring import unscored_pairs
from dagster_project.resources import CrosspairSettings


@asset_check(
    asset=AssetKey("noisy_pairs"),
    name="noisy_share",
    blocking=False,
    additional_ins={"pair_scores": AssetIn("pair_scores"), "pairs": AssetIn("pairs")},
    description="per source, the share of scored pairs flagged as noisy; fails above the "
    "max_noisy_share setting. Pairs no model scored are not judged: the result says how many "
    "and why (NOT JUDGED when none was scored)",
)
def noisy_share_check(
    context: AssetCheckExecutionContext,
    settings: CrosspairSettings,
    noisy_pairs: pd.DataFrame,
    pair_scores: pd.DataFrame,
    pairs: pd.DataFrame,
) -> AssetCheckResult:
    not_scored = unscored_pairs(pairs, pair_scores)
    outcome, shares = noisy_share_outcome(
        pair_scores, noisy_pairs, settings.max_noisy_share, not_scored
    )
    result = to_result(outcome)
    description = describe_noisy_share(outcome)
    context.log.info("noisy_share: %s", description)
    return AssetCheckResult(
        passed=result.passed,
        severity=result.severity,
        description=description,
        metadata={
            **result.metadata,
            "flagged share by source": markdown_table(shares.round({"share": 4}), rows=len(shares)),
            "pairs not scored": markdown_table(not_scored, rows=len(not_scored)),
        },
    )


semantic_checks = [noisy_share_check]
