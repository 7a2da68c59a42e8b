"""Check on human annotation: agreement at or above the floor before decisions are used."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetKey, asset_check

from checks.result import to_result
from crosspair.annotation.floor import agreement_floor
from dagster_project.resources import CrosspairSettings


@asset_check(
    asset=AssetKey("annotation_agreement"),
    name="agreement_floor",
    description="Krippendorff's alpha of every source and of all judgements at or above the "
    "floor (setting agreement_floor); unmeasurable alpha warns; no judgements pass. Below "
    "the floor, the pairs asset leaves human decisions out",
)
def agreement_floor_check(
    context: AssetCheckExecutionContext,
    settings: CrosspairSettings,
    annotation_agreement: pd.DataFrame,
):
    verdict = agreement_floor(annotation_agreement, settings.agreement_floor)
    return to_result(verdict.outcome, warn_only=verdict.warn_only)


annotation_checks = [agreement_floor_check]
