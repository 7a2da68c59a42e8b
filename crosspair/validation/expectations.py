"""The Great Expectations suite on the pair table, run in an ephemeral, in-memory context.

GE is imported inside the functions (the import costs seconds) with analytics switched off,
and the context, suite and validation definition are built once per process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from functools import cache
from typing import Any

import pandas as pd

from crosspair.schemas import MODALITIES
from crosspair.validation.outcome import MAX_FAILURE_ROWS, CheckOutcome

logger = logging.getLogger(__name__)

ID_REGEX = r"^[0-9a-f]{16}$"
ID_COLUMNS = ("pair_id", "group_id", "left_id", "right_id")
# a value that parses as JSON and is wrapped in braces is a JSON object; GE's json-schema
# expectation would do this in one step but raises (instead of failing rows) on invalid JSON
JSON_OBJECT_REGEX = r"^\s*\{[\s\S]*\}\s*$"
FAILURE_COLUMNS = ["expectation", "column", "index", "pair_id", "value", "unexpected_count"]

#: Failing values listed per failed expectation (all are counted in the summary).
ROWS_PER_EXPECTATION = 10

_RUN_LOCK = threading.Lock()


def pair_expectations() -> list[Any]:
    """The expectations every pair table must meet (GE expectation objects)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    expect = gx.expectations
    # No minimum row count: zero pairs is a legitimate build (a sensor-only sources file), and
    # a source with items but no pairs is flagged by the modality_imbalance check instead.
    suite = [expect.ExpectColumnValuesToBeUnique(column="pair_id")]
    suite += [expect.ExpectColumnValuesToNotBeNull(column=c) for c in (*ID_COLUMNS, "method")]
    suite += [expect.ExpectColumnValuesToMatchRegex(column=c, regex=ID_REGEX) for c in ID_COLUMNS]
    suite += [
        expect.ExpectColumnValuesToBeInSet(column=c, value_set=list(MODALITIES))
        for c in ("left_modality", "right_modality")
    ]
    suite += [
        expect.ExpectCompoundColumnsToBeUnique(column_list=["left_id", "right_id", "method"]),
        expect.ExpectColumnValuesToNotBeNull(column="params"),
        expect.ExpectColumnValuesToBeJsonParseable(column="params"),
        expect.ExpectColumnValuesToMatchRegex(column="params", regex=JSON_OBJECT_REGEX),
    ]
    return suite


@cache
def _validation_definition():
    """Ephemeral context, pandas datasource, whole-dataframe batch and suite, built once."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    started = time.perf_counter()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("crosspair")
        .add_dataframe_asset("pairs")
        .add_batch_definition_whole_dataframe("whole_table")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="pairs"))
    for expectation in pair_expectations():
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="pairs", data=batch, suite=suite)
    )
    logger.info("built GE pair suite in %.2f s", time.perf_counter() - started)
    return definition


def run_pair_expectations(pairs: pd.DataFrame) -> CheckOutcome:
    """Validate a pair table with the GE suite.

    ``summary`` has one entry per expectation, "<type>(<column>)": the unexpected count for
    row expectations, "passed"/"failed" for table ones, "error" where GE could not evaluate it
    (a missing column, say). ``failures`` has up to ``ROWS_PER_EXPECTATION`` failing values per
    failed expectation, so one flood does not hide the others; ``index`` is the row position.
    """
    definition = _validation_definition()
    pairs = pairs.reset_index(drop=True)
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": ROWS_PER_EXPECTATION}
    started = time.perf_counter()
    with _RUN_LOCK:  # one validation definition is shared by the whole process
        result = definition.run(batch_parameters={"dataframe": pairs}, result_format=result_format)
    seconds = time.perf_counter() - started

    summary: dict[str, int | float | str] = {"rows": len(pairs)}
    failures: list[dict] = []
    failed = unexpected_total = 0
    for item in result.results:
        name = _name(item.expectation_config)
        column = item.expectation_config.kwargs.get("column", "")
        error = _exception_message(item.exception_info)
        if error is not None:
            summary[name] = "error"
            failures.append(_row(name, column, "", "", error, 0))
        elif "unexpected_count" in item.result:
            summary[name] = int(item.result["unexpected_count"])
            unexpected_total += summary[name]
        else:
            summary[name] = "passed" if item.success else "failed"
        if item.success:
            continue
        failed += 1
        if error is None:
            failures += _failure_rows(name, column, item.result, pairs)

    summary.update(
        expectations=len(result.results),
        expectations_failed=failed,
        unexpected_values=unexpected_total,
        seconds=round(seconds, 3),
    )
    logger.info(
        "GE pairs: %d of %d expectations failed on %d rows in %.2f s",
        failed,
        len(result.results),
        len(pairs),
        seconds,
    )
    failures_frame = pd.DataFrame(failures, columns=FAILURE_COLUMNS)
    return CheckOutcome.build(failed == 0, summary, failures_frame, limit=MAX_FAILURE_ROWS)


def _name(config: Any) -> str:
    kwargs = config.kwargs
    target = kwargs.get("column") or ",".join(kwargs.get("column_list") or [])
    return f"{config.type}({target})" if target else config.type


def _failure_rows(name: str, column: str, result: dict, pairs: pd.DataFrame) -> list[dict]:
    count = int(result.get("unexpected_count", 1))
    indices = result.get("partial_unexpected_index_list") or []
    values = result.get("partial_unexpected_list") or []
    if not indices:  # table-level expectations report an observed value instead of rows
        return [_row(name, column, "", "", f"observed {result.get('observed_value')}", count)]
    rows = []
    for index, value in zip(indices, values, strict=False):
        pair_id = pairs.at[index, "pair_id"] if "pair_id" in pairs.columns else ""
        rows.append(_row(name, column, str(index), pair_id, value, count))
    return rows


def _row(name: str, column: str, index: str, pair_id: object, value: object, count: int) -> dict:
    return {
        "expectation": name,
        "column": column,
        "index": index,
        "pair_id": "" if pair_id is None or pd.isna(pair_id) else str(pair_id),
        "value": str(value),
        "unexpected_count": count,
    }


def _exception_message(info: Any) -> str | None:
    """GE nests exceptions per metric; return the first raised message, if any."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        message = _exception_message(value)
        if message is not None:
            return message
    return None
