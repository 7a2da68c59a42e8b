"""The agreement floor: fail below it, warn when alpha cannot be measured, pass without data."""

import math

import pandas as pd
import pytest

from crosspair.annotation.agreement import agreement_table
from crosspair.annotation.floor import NO_JUDGEMENTS, agreement_floor
from crosspair.annotation.tables import ALL_SOURCES, ANNOTATION_AGREEMENT
from crosspair.schemas import empty_frame


def _agreement(alphas: dict[str, float]) -> pd.DataFrame:
    rows = [
        {
            "source": source,
            "items": 10,
            "items_compared": 10,
            "annotators": 2,
            "judgements": 20,
            "percent_agreement": 0.8,
            "cohen_kappa": 0.5,
            "fleiss_kappa": math.nan,
            "kappa_items": 10,
            "krippendorff_alpha": alpha,
        }
        for source, alpha in alphas.items()
    ]
    return ANNOTATION_AGREEMENT.validate(pd.DataFrame(rows))


def test_no_judgements_pass_and_say_so():
    verdict = agreement_floor(empty_frame(ANNOTATION_AGREEMENT), 0.6)
    assert verdict.outcome.passed and not verdict.warn_only
    assert verdict.outcome.summary["note"] == NO_JUDGEMENTS


def test_any_source_below_the_floor_fails():
    verdict = agreement_floor(_agreement({"coco": 0.82, "stdlib": 0.41, ALL_SOURCES: 0.66}), 0.6)
    assert not verdict.outcome.passed and not verdict.warn_only
    assert list(verdict.outcome.failures["source"]) == ["stdlib"]
    assert verdict.outcome.summary["lowest_alpha"] == 0.41
    assert verdict.outcome.summary["sources"] == 2


def test_alpha_at_the_floor_passes_and_unmeasured_alpha_only_warns():
    assert agreement_floor(_agreement({"coco": 0.6, ALL_SOURCES: 0.6}), 0.6).outcome.passed
    verdict = agreement_floor(_agreement({"coco": math.nan, ALL_SOURCES: math.nan}), 0.6)
    assert not verdict.outcome.passed and verdict.warn_only
    assert verdict.outcome.summary["lowest_alpha"] == "not measured"


def test_labels_outside_the_label_set_are_an_error_not_a_wrong_figure():
    judgements = pd.DataFrame(
        {
            "annotator": ["a", "b"],
            "source": ["coco", "coco"],
            "left_id": ["0" * 16] * 2,
            "right_id": ["1" * 16] * 2,
            "label": ["match", "unsure"],
        }
    )
    with pytest.raises(ValueError, match=r"labels \['unsure'\] are not in the label set"):
        agreement_table(judgements)
    assert len(agreement_table(judgements, ("match", "no_match", "unsure"))) == 2
