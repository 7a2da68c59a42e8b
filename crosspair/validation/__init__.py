"""Plain-Python validation behind the Dagster asset checks: tables in, a CheckOutcome out.

Each module owns one kind of check (schema, file integrity, statistics, Great Expectations on
pairs, item conservation); ``checks/`` only wires them into Dagster. Great Expectations is
imported only when the pair suite first runs.
"""

from crosspair.validation.conservation import check_conservation
from crosspair.validation.expectations import run_pair_expectations
from crosspair.validation.integrity import check_integrity
from crosspair.validation.outcome import MAX_FAILURE_ROWS, CheckOutcome
from crosspair.validation.schema import validate_table
from crosspair.validation.statistics import (
    exact_duplicates_report,
    modality_imbalance,
    near_duplicates_report,
    text_length_outliers,
)

__all__ = [
    "MAX_FAILURE_ROWS",
    "CheckOutcome",
    "check_conservation",
    "check_integrity",
    "exact_duplicates_report",
    "modality_imbalance",
    "near_duplicates_report",
    "run_pair_expectations",
    "text_length_outliers",
    "validate_table",
]
