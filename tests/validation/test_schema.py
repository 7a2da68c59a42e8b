"""validate_table on real catalog rows: clean tables pass, each broken cell is reported."""

from __future__ import annotations

from crosspair.schemas import IMAGE_CATALOG, PAIRS, empty_frame
from crosspair.validation import CheckOutcome, validate_table


def test_real_image_catalog_passes(image_catalog):
    outcome = validate_table(image_catalog, IMAGE_CATALOG)

    assert isinstance(outcome, CheckOutcome)
    assert outcome.passed
    assert outcome.summary["rows"] == 8
    assert outcome.summary["failures_total"] == 0
    assert outcome.failures.empty


def test_broken_cells_are_all_reported(image_catalog):
    broken = image_catalog.copy()
    broken.loc[2, "width"] = 0
    broken.loc[3, "phash"] = broken.loc[3, "phash"].upper() + "0"
    broken.loc[5, "item_id"] = broken.loc[4, "item_id"]

    outcome = validate_table(broken, IMAGE_CATALOG)

    assert not outcome.passed
    cases = set(outcome.failures[["column", "index"]].itertuples(index=False, name=None))
    assert cases == {("width", "2"), ("phash", "3"), ("item_id", "4"), ("item_id", "5")}
    assert outcome.summary["failing_rows"] == 4
    assert outcome.summary["failing_columns"] == "item_id, phash, width"
    assert set(outcome.failures.columns) >= {"column", "check", "index", "failure_case"}
    assert outcome.failures.map(lambda value: isinstance(value, str)).all().all()
    width = outcome.failures.set_index("column").loc["width"]
    assert (width["check"], width["failure_case"]) == ("greater_than(0)", "0")


def test_missing_and_extra_columns_are_table_level(image_catalog):
    outcome = validate_table(image_catalog.drop(columns=["phash"]).assign(extra=1), IMAGE_CATALOG)

    assert not outcome.passed
    table_level = outcome.failures[outcome.failures["index"] == ""]
    assert set(table_level["check"]) == {"column_in_schema", "column_in_dataframe"}
    assert set(table_level["failure_case"]) == {"extra", "phash"}


def test_pair_table_compound_uniqueness(coco_pairs):
    assert validate_table(coco_pairs, PAIRS).passed
    assert validate_table(empty_frame(PAIRS), PAIRS).passed

    doubled = coco_pairs.copy()
    doubled.loc[1, ["left_id", "right_id", "method"]] = doubled.loc[
        0, ["left_id", "right_id", "method"]
    ]
    outcome = validate_table(doubled, PAIRS)

    assert not outcome.passed
    assert set(outcome.failures["check"]) == {"multiple_fields_uniqueness"}
    assert set(outcome.failures["index"]) == {"0", "1"}


def test_failures_are_bounded(coco_pairs):
    bad = coco_pairs.assign(left_modality="hologram")

    outcome = validate_table(bad, PAIRS)

    assert not outcome.passed
    assert outcome.summary["failures_total"] == 40
    assert len(outcome.failures) == outcome.summary["failures_shown"] == 40
    many = validate_table(bad.assign(right_modality="smell", source=1), PAIRS)
    assert many.summary["failures_total"] > 50
    assert len(many.failures) == 50
