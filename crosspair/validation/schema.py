"""Schema validation of any crosspair table, every failing cell reported at once."""

from __future__ import annotations

import logging

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from crosspair.validation.outcome import CheckOutcome

logger = logging.getLogger(__name__)

FAILURE_COLUMNS = ["schema_context", "column", "check", "index", "failure_case"]


def validate_table(df: pd.DataFrame, schema: pa.DataFrameSchema) -> CheckOutcome:
    """Run ``schema`` lazily on ``df``; failures are pandera's failure cases as strings.

    >>> from crosspair.schemas import PAIRS, empty_frame
    >>> validate_table(empty_frame(PAIRS), PAIRS).passed
    True
    """
    name = schema.name or "table"
    summary: dict[str, int | float | str] = {"schema": name, "rows": len(df)}
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as err:
        failures = _as_strings(err.failure_cases)
        row_failures = failures.loc[failures["index"] != "", "index"]
        summary.update(
            failure_cases=len(failures),
            failing_rows=int(row_failures.nunique()),
            failing_columns=", ".join(sorted(failures["column"].unique())),
            failing_checks=", ".join(sorted(failures["check"].unique())),
        )
        logger.info("%s: %d failure cases in %d rows", name, len(failures), len(df))
        return CheckOutcome.build(False, summary, failures)

    summary.update(failure_cases=0, failing_rows=0)
    logger.info("%s: %d rows valid", name, len(df))
    return CheckOutcome.build(True, summary, pd.DataFrame(columns=FAILURE_COLUMNS))


def _as_strings(cases: pd.DataFrame) -> pd.DataFrame:
    """Pandera's failure cases with every cell a string ("" where pandera has none)."""
    out = pd.DataFrame(index=range(len(cases)))
    for column in FAILURE_COLUMNS:
        values = cases[column] if column in cases else [None] * len(cases)
        # a missing failure_case is a null cell; a missing index is a table-level failure
        missing = "<null>" if column == "failure_case" else ""
        out[column] = [_text(value, missing) for value in values]
    return out


def _text(value: object, missing: str) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return missing
    return str(value)
