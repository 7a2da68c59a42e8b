"""Blocking integrity checks: catalogued files are still there and unchanged."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetKey, asset_check

from checks.result import to_result
from crosspair.schemas import CATALOGS
from crosspair.validation.integrity import check_integrity
from dagster_project.resources import CrosspairSettings


def integrity_check(asset_name: str):
    """File present, sha256 unchanged, audio duration consistent with its sample count."""

    @asset_check(
        asset=AssetKey(asset_name),
        name="integrity",
        blocking=True,
        description="every file still exists with the catalogued size and sha256; audio "
        "duration agrees with frames / sample rate",
    )
    def _check(
        context: AssetCheckExecutionContext, settings: CrosspairSettings, table: pd.DataFrame
    ):
        outcome = check_integrity(table, settings.resolve, settings.duration_tolerance_s)
        return to_result(outcome)

    return _check


integrity_checks = [integrity_check(f"{modality}_catalog") for modality in CATALOGS]
integrity_checks.append(integrity_check("extracted_audio"))
