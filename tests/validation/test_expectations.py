"""The Great Expectations pair suite on real COCO pairs, each broken in one row."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from crosspair.schemas import PAIRS, empty_frame
from crosspair.validation import run_pair_expectations
from crosspair.validation.expectations import pair_expectations


def test_clean_real_pairs_pass(coco_pairs):
    outcome = run_pair_expectations(coco_pairs)

    assert outcome.passed, outcome.failures
    assert outcome.summary["expectations"] == len(pair_expectations()) == 16
    assert outcome.summary["expectations_failed"] == 0
    assert outcome.summary["expect_column_values_to_be_unique(pair_id)"] == 0
    assert "expect_table_row_count_to_be_between" not in outcome.summary
    assert outcome.failures.empty


def test_the_context_is_built_once_per_process(coco_pairs):
    from crosspair.validation import expectations

    expectations._validation_definition.cache_clear()
    first = run_pair_expectations(coco_pairs)
    second = run_pair_expectations(coco_pairs)
    info = expectations._validation_definition.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # the second run reuses the first's context
    assert first.summary["expectations_failed"] == second.summary["expectations_failed"] == 0


BROKEN = {
    "duplicate_pair_id": (
        {"pair_id": "<row 0>"},
        {"expect_column_values_to_be_unique(pair_id)": 2},
    ),
    "bad_id": (
        {"left_id": "0123456789ABCDEF"},
        {"expect_column_values_to_match_regex(left_id)": 1},
    ),
    "null_pair_id": (
        {"pair_id": None},
        {"expect_column_values_to_not_be_null(pair_id)": 1},
    ),
    "unknown_modality": (
        {"right_modality": "smell"},
        {"expect_column_values_to_be_in_set(right_modality)": 1},
    ),
    "null_method": (
        {"method": None},
        {"expect_column_values_to_not_be_null(method)": 1},
    ),
    "params_not_json": (
        {"params": "{field: captions}"},
        {"expect_column_values_to_be_json_parseable(params)": 1},
    ),
    "params_json_list": (
        {"params": json.dumps(["captions", 1])},
        {"expect_column_values_to_match_regex(params)": 1},
    ),
    "params_null": (
        {"params": None},
        {"expect_column_values_to_not_be_null(params)": 1},
    ),
    "same_items_same_method": (
        {"right_id": "<row 0>", "pair_id": "00000000000000ff"},
        {"expect_compound_columns_to_be_unique(left_id,right_id,method)": 2},
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_one_broken_row_fails_exactly_its_expectation(coco_pairs, case):
    changes, expected = BROKEN[case]
    pairs = coco_pairs.copy()
    for column, value in changes.items():
        pairs.at[3, column] = pairs.at[0, column] if value == "<row 0>" else value

    outcome = run_pair_expectations(pairs)

    assert not outcome.passed
    failed = {
        name: count
        for name, count in outcome.summary.items()
        if name.startswith("expect_") and count not in (0, "passed")
    }
    assert failed == expected
    assert outcome.summary["expectations_failed"] == 1
    assert "3" in set(outcome.failures["index"])


def test_empty_table_passes(coco_pairs):
    """Zero pairs is a legitimate build (sensor-only sources), not a broken pair table."""
    outcome = run_pair_expectations(coco_pairs.iloc[:0])

    assert outcome.passed, outcome.failures
    assert outcome.summary["rows"] == 0
    assert outcome.summary["expectations"] == 16
    assert outcome.summary["expectations_failed"] == 0
    assert outcome.summary["unexpected_values"] == 0
    assert outcome.failures.empty


def test_empty_pair_table_of_a_pairing_asset_passes():
    """The exact zero-row frame the pairing assets emit, with the schema's dtypes."""
    outcome = run_pair_expectations(empty_frame(PAIRS))

    assert outcome.passed, outcome.failures
    assert outcome.summary["expect_column_values_to_be_unique(pair_id)"] == 0


def test_missing_column_is_an_error_row(coco_pairs):
    outcome = run_pair_expectations(coco_pairs.drop(columns=["method"]))

    assert not outcome.passed
    assert outcome.summary["expect_column_values_to_not_be_null(method)"] == "error"
    error = outcome.failures[outcome.failures["column"] == "method"]
    assert "method" in error.iloc[0]["value"]


def test_failures_are_bounded_per_expectation(coco_pairs):
    pairs = coco_pairs.assign(left_modality="smell", right_modality="touch")

    outcome = run_pair_expectations(pairs)

    assert outcome.summary["expect_column_values_to_be_in_set(left_modality)"] == 40
    per_expectation = outcome.failures["expectation"].value_counts()
    assert per_expectation.to_dict() == {
        "expect_column_values_to_be_in_set(left_modality)": 10,
        "expect_column_values_to_be_in_set(right_modality)": 10,
    }
    assert outcome.summary["unexpected_values"] == 80
    assert isinstance(outcome.failures, pd.DataFrame)
