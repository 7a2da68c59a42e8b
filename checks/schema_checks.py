"""Blocking pandera checks: every table matches its one schema definition."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetKey, asset_check

from checks.result import to_result
from crosspair import schemas
from crosspair.validation.schema import validate_table

TABLE_SCHEMAS = {
    **{f"{modality}_catalog": schema for modality, schema in schemas.CATALOGS.items()},
    "rejects": schemas.REJECTS,
    "extracted_audio": schemas.EXTRACTED_AUDIO,
    "pairs": schemas.PAIRS,
    "unpaired_items": schemas.UNPAIRED,
    "split_assignments": schemas.SPLIT_ASSIGNMENTS,
}


def schema_check(asset_name: str, schema):
    """A blocking check that validates ``asset_name`` against ``schema`` (all failures)."""

    @asset_check(
        asset=AssetKey(asset_name),
        name="schema",
        blocking=True,
        description=f"pandera schema '{schema.name}', every failure collected (lazy)",
    )
    def _check(context: AssetCheckExecutionContext, table: pd.DataFrame):
        return to_result(validate_table(table, schema))

    return _check


schema_checks = [schema_check(name, schema) for name, schema in TABLE_SCHEMAS.items()]
