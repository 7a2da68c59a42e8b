"""Agreement figures against hand-worked values, and against reference libraries on larger data."""

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest

from crosspair.annotation.agreement import (
    agreement_table,
    cohen_kappa,
    fleiss_kappa,
    label_counts,
    percent_agreement,
)
from crosspair.annotation.tables import ALL_SOURCES, ANNOTATION_AGREEMENT
from crosspair.ids import item_id

M, N = "match", "no_match"


def _judgements(ratings: dict[str, list[str | None]], source: str = "coco") -> pd.DataFrame:
    """annotator → one label (or None: not judged) per item; item k pairs image k with text k."""
    rows = []
    for annotator, labels in ratings.items():
        for k, label in enumerate(labels):
            if label is not None:
                rows.append(
                    {
                        "annotator": annotator,
                        "source": source,
                        "left_id": item_id(source, f"img{k}.jpg"),
                        "right_id": item_id(source, "captions.jsonl", f"img{k}.jpg#0"),
                        "label": label,
                    }
                )
    return pd.DataFrame(rows)


# Two annotators, ten items:
#   a: M M M M M M N N N N
#   b: M M M M M N N N N M
# They agree on items 1-5 and 7-9: p_o = 8/10 = 0.8.
# a says M 6 times, b 6 times: p_e = 0.6 * 0.6 + 0.4 * 0.4 = 0.52.
# Cohen's kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48 = 7/12 = 0.58333.
# Krippendorff (nominal): 20 pairable values; each agreeing item adds 2 to o_cc, each
# disagreeing item 1 to o_MN and o_NM: o_MM = 10, o_NN = 6, o_MN = o_NM = 2; n_M = 12, n_N = 8.
# alpha = 1 - (n - 1) * (o_MN + o_NM) / (2 * n_M * n_N) = 1 - 19 * 4 / 192 = 29/48 = 0.60417.
TWO = {"a": [M] * 6 + [N] * 4, "b": [M] * 5 + [N] * 4 + [M]}

# Three annotators, five items (Fleiss):
#   item 1: M M M -> P_1 = (3*2 + 0) / (3*2) = 1
#   item 2: M M N -> P_2 = (2*1 + 1*0) / 6 = 1/3
#   item 3: N N N -> P_3 = 1
#   item 4: M N N -> P_4 = 1/3
#   item 5: M M M -> P_5 = 1
# P_bar = (3 + 2/3) / 5 = 11/15 (also the percent agreement).
# p_M = 9/15 = 0.6, p_N = 0.4: P_e = 0.36 + 0.16 = 0.52.
# Fleiss' kappa = (11/15 - 0.52) / 0.48 = (16/75) / (12/25) = 4/9 = 0.44444.
# Krippendorff: each ordered pair of values in an item weighs 1/(3-1):
#   o_MM = 3 + 1 + 0 + 0 + 3 = 7, o_NN = 0 + 0 + 3 + 1 + 0 = 4, o_MN = o_NM = 1 + 1 = 2;
#   n_M = 9, n_N = 6, n = 15: alpha = 1 - 14 * 4 / (2 * 9 * 6) = 1 - 56/108 = 13/27 = 0.48148.
THREE = {
    "a": [M, M, N, M, M],
    "b": [M, M, N, N, M],
    "c": [M, N, N, N, M],
}

# Three annotators, four items, some not judged:
#   item 1: a=M b=M c=-    item 2: a=M b=N c=N    item 3: a=N b=- c=N    item 4: a=M b=- c=-
# 8 judgements; item 4 has one rating: it counts as judged but is compared with nothing.
# Percent agreement over items 1-3: (1 + 1/3 + 1) / 3 = 7/9.
# Fleiss over the most common rating count (2: items 1 and 3): both agree, P_bar = 1,
#   p_M = p_N = 0.5, P_e = 0.5, kappa = (1 - 0.5) / 0.5 = 1.
# Krippendorff: o_MM = 2 (item 1), o_NN = 1 (item 2) + 2 (item 3) = 3, o_MN = o_NM = 1;
#   n_M = 3, n_N = 4, n = 7: alpha = 1 - 6 * 2 / (2 * 3 * 4) = 1 - 12/24 = 0.5.
MISSING = {
    "a": [M, M, N, M],
    "b": [M, N, None, None],
    "c": [None, N, N, None],
}


def _row(table: pd.DataFrame, source: str) -> dict:
    return table.set_index("source").loc[source].to_dict()


def test_two_annotators_by_hand():
    judgements = _judgements(TWO)
    counts = label_counts(judgements, (M, N))
    assert percent_agreement(counts) == pytest.approx(0.8)
    assert cohen_kappa(TWO["a"], TWO["b"]) == pytest.approx(7 / 12)

    table = agreement_table(judgements)
    ANNOTATION_AGREEMENT.validate(table)
    row = _row(table, "coco")
    assert row == pytest.approx(
        {
            "items": 10,
            "items_compared": 10,
            "annotators": 2,
            "judgements": 20,
            "percent_agreement": 0.8,
            "cohen_kappa": 7 / 12,
            "fleiss_kappa": math.nan,
            "kappa_items": 10,
            "krippendorff_alpha": 29 / 48,
        },
        nan_ok=True,
    )
    assert _row(table, ALL_SOURCES) == pytest.approx(row, nan_ok=True)


def test_three_annotators_by_hand():
    judgements = _judgements(THREE)
    assert fleiss_kappa(label_counts(judgements, (M, N))) == pytest.approx(4 / 9)
    row = _row(agreement_table(judgements), "coco")
    assert row == pytest.approx(
        {
            "items": 5,
            "items_compared": 5,
            "annotators": 3,
            "judgements": 15,
            "percent_agreement": 11 / 15,
            "cohen_kappa": math.nan,
            "fleiss_kappa": 4 / 9,
            "kappa_items": 5,
            "krippendorff_alpha": 13 / 27,
        },
        nan_ok=True,
    )


def test_missing_judgements_by_hand():
    row = _row(agreement_table(_judgements(MISSING)), "coco")
    assert row == pytest.approx(
        {
            "items": 4,
            "items_compared": 3,
            "annotators": 3,
            "judgements": 8,
            "percent_agreement": 7 / 9,
            "cohen_kappa": math.nan,
            "fleiss_kappa": 1.0,
            "kappa_items": 2,
            "krippendorff_alpha": 0.5,
        },
        nan_ok=True,
    )


def test_agreement_per_source_and_overall():
    judgements = pd.concat(
        [_judgements(TWO, "coco"), _judgements(THREE, "stdlib")], ignore_index=True
    )
    table = agreement_table(judgements)
    assert list(table["source"]) == ["coco", "stdlib", ALL_SOURCES]
    overall = _row(table, ALL_SOURCES)
    assert (overall["items"], overall["annotators"], overall["judgements"]) == (15, 3, 35)
    # overall: 15 items, 35 ratings; checked against the package on the stacked matrix
    matrix = np.full((3, 15), np.nan)
    codes = {M: 0, N: 1}
    for row, name in enumerate("abc"):
        for k, label in enumerate(TWO.get(name, [None] * 10)):
            if label is not None:
                matrix[row, k] = codes[label]
        for k, label in enumerate(THREE[name]):
            matrix[row, 10 + k] = codes[label]
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert overall["krippendorff_alpha"] == pytest.approx(expected)
    assert math.isnan(overall["cohen_kappa"])  # three annotators overall: Fleiss instead


def test_undefined_figures_are_nan_not_errors():
    same = _judgements({"a": [M, M, M], "b": [M, M, M]})
    row = _row(agreement_table(same), "coco")
    assert row["percent_agreement"] == 1.0
    assert math.isnan(row["cohen_kappa"]) and math.isnan(row["krippendorff_alpha"])
    alone = _row(agreement_table(_judgements({"a": [M, N]})), "coco")
    assert (alone["items_compared"], alone["kappa_items"]) == (0, 0)
    assert math.isnan(alone["percent_agreement"]) and math.isnan(alone["krippendorff_alpha"])
    assert agreement_table(same.iloc[:0]).empty


def _generated(annotators: int, items: int, coverage: float, seed: int, labels):
    """Noisy annotators around a true label per item; each judges an item with ``coverage``."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, len(labels), size=items)
    matrix = np.full((annotators, items), np.nan)
    for a in range(annotators):
        accuracy = 0.6 + 0.35 * rng.random()
        for k in range(items):
            if rng.random() < coverage:
                right = rng.random() < accuracy
                matrix[a, k] = truth[k] if right else rng.integers(0, len(labels))
    ratings = {
        f"ann{a}": [None if np.isnan(v) else labels[int(v)] for v in matrix[a]]
        for a in range(annotators)
    }
    return matrix, _judgements(ratings)


def test_alpha_matches_the_krippendorff_package_on_generated_data():
    labels = ("match", "no_match", "unsure")
    matrix, judgements = _generated(6, 400, 0.55, seed=11, labels=labels)
    row = _row(agreement_table(judgements, labels), "coco")
    expected = krippendorff.alpha(
        reliability_data=matrix, value_domain=[0, 1, 2], level_of_measurement="nominal"
    )
    assert 0.1 < expected < 0.9  # neither trivial nor perfect
    assert row["krippendorff_alpha"] == pytest.approx(expected, abs=1e-12)
    assert row["judgements"] == int(np.isfinite(matrix).sum())


def test_cohen_matches_sklearn_on_generated_data():
    metrics = pytest.importorskip("sklearn.metrics")
    labels = ("match", "no_match")
    matrix, judgements = _generated(2, 300, 0.8, seed=5, labels=labels)
    both = np.isfinite(matrix).all(axis=0)
    expected = metrics.cohen_kappa_score(matrix[0, both], matrix[1, both])
    row = _row(agreement_table(judgements, labels), "coco")
    assert row["kappa_items"] == int(both.sum())
    assert row["cohen_kappa"] == pytest.approx(expected, abs=1e-12)


def test_fleiss_matches_statsmodels_on_generated_data():
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    labels = ("match", "no_match", "unsure")
    matrix, judgements = _generated(4, 250, 1.0, seed=3, labels=labels)
    table, _ = inter_rater.aggregate_raters(matrix.T.astype(int), n_cat=3)
    expected = inter_rater.fleiss_kappa(table, method="fleiss")
    row = _row(agreement_table(judgements, labels), "coco")
    assert row["fleiss_kappa"] == pytest.approx(expected, abs=1e-12)
    assert fleiss_kappa(table.astype(float)) == pytest.approx(expected, abs=1e-12)


def test_a_label_set_written_as_annotators_see_it_is_read_like_the_judgements():
    judgements = _judgements(TWO)
    table = agreement_table(judgements, ["Match", "No match"])
    pd.testing.assert_frame_equal(table, agreement_table(judgements))
