"""Counts, histograms and pair selection of the report, on small hand-made tables."""

import json

import pandas as pd

from crosspair.report import ReportTables, headline_counts, render_report
from crosspair.report.pairs import select_pairs
from crosspair.report.summary import HISTOGRAM_BINS, histogram, report_histograms
from crosspair.schemas import PAIRS, REJECTS, SPLIT_ASSIGNMENTS, empty_frame
from crosspair.semantic.tables import PAIR_SCORES


def _pair(number: int, source: str, method: str = "manifest") -> dict:
    return {
        "pair_id": f"{number:016x}",
        "group_id": f"{number:016x}",
        "source": source,
        "left_id": f"{number + 100:016x}",
        "left_modality": "image",
        "right_id": f"{number + 200:016x}",
        "right_modality": "text",
        "method": method,
        "score": float("nan"),
        "params": "{}",
    }


def _tables(pairs: list[dict], splits: dict[int, str], rejects: int = 0) -> ReportTables:
    assignments = pd.DataFrame(
        [
            {"pair_id": f"{n:016x}", "group_id": f"{n:016x}", "leakage_group": f"g{n}", "split": s}
            for n, s in splits.items()
        ],
        columns=list(SPLIT_ASSIGNMENTS.columns),
    )
    reject_rows = pd.DataFrame(
        [
            {
                "source": "a",
                "modality": "image",
                "path": f"bad{i}.jpg",
                "record_key": "",
                "item_id": f"{i + 900:016x}",
                "stage": "probe",
                "reason": "corrupt" if i % 2 else "truncated",
                "detail": "",
            }
            for i in range(rejects)
        ],
        columns=list(REJECTS.columns),
    )
    frame = pd.DataFrame(pairs, columns=list(PAIRS.columns)) if pairs else empty_frame(PAIRS)
    return ReportTables(
        catalogs={}, pairs=frame, split_assignments=assignments, rejects=reject_rows
    )


def test_histogram_bins_by_hand():
    result = histogram("x", "X", "x", {"b": pd.Series([5.0]), "a": pd.Series([0.0, 10.0])}, "")
    assert len(result.edges) == HISTOGRAM_BINS + 1
    assert result.edges[0] == 0.0 and result.edges[-1] == 10.0 and result.edges[1] == 0.5
    expected_a = [1] + [0] * 18 + [1]  # 10.0 is the right edge: the last bin holds it
    expected_b = [0] * 10 + [1] + [0] * 9  # 5.0 opens bin 10 ([5.0, 5.5))
    assert result.series == {"a": expected_a, "b": expected_b}
    assert list(result.series) == ["a", "b"] and result.total == 3


def test_histogram_of_one_value_and_of_nothing():
    single = histogram("x", "X", "x", {"a": pd.Series([2.0, 2.0, float("nan")])}, "")
    assert single.edges[0] == 1.5 and single.edges[-1] == 2.5
    assert single.series["a"][10] == 2 and single.total == 2  # NaN left out
    empty = histogram("x", "X", "x", {"a": pd.Series([], dtype=float)}, "nothing here")
    assert empty.total == 0 and empty.edges == [] and empty.empty_note == "nothing here"


def test_select_pairs_takes_each_source_in_turn():
    pairs = pd.DataFrame(
        [_pair(n, "a") for n in range(1, 6)] + [_pair(6, "b")] + [_pair(7, "c"), _pair(8, "c")]
    )
    chosen = select_pairs(pairs, 4)
    # first round: a's 1, b's 6, c's 7; second round starts with a's 2
    assert [int(p, 16) for p in chosen["pair_id"]] == [1, 2, 6, 7]
    assert len(select_pairs(pairs, 100)) == 8


def test_headline_counts_only_count_assigned_pairs_that_exist():
    tables = _tables(
        [_pair(1, "a"), _pair(2, "a"), _pair(3, "a")],
        {1: "train", 2: "test", 9: "val"},  # pair 9 is no longer in the pair table
        rejects=3,
    )
    counts = headline_counts(tables)
    assert counts["pairs"] == 3
    assert (counts["pairs-train"], counts["pairs-val"], counts["pairs-test"]) == (1, 0, 1)
    assert counts["rejects"] == 3 and counts["items"] == 0


def test_an_empty_build_still_gets_a_report(tmp_path):
    index = render_report(_tables([], {}, rejects=3), tmp_path / "report", "v0")
    html = index.read_text()
    assert '<span class="value" id="count-pairs" data-count="pairs">0</span>' in html
    assert 'id="rejects-truncated">2<' in html and 'id="rejects-corrupt">1<' in html
    assert "No pairs." in html and not list(tmp_path.glob("report/pairs-*.html"))
    summary = json.loads((tmp_path / "report" / "report.json").read_text())
    assert summary["pages"] == [] and summary["rejects_by_reason"] == [
        {"reason": "truncated", "count": 2},
        {"reason": "corrupt", "count": 1},
    ]


def test_rendering_again_removes_pages_of_a_larger_report(tmp_path):
    many = [_pair(n, "a") for n in range(1, 61)]  # two pages of 50
    render_report(_tables(many, {}), tmp_path, "v1")
    assert sorted(p.name for p in tmp_path.glob("pairs-*.html")) == [
        "pairs-001.html",
        "pairs-002.html",
    ]
    render_report(_tables(many[:3], {}), tmp_path, "v2")
    assert [p.name for p in tmp_path.glob("pairs-*.html")] == ["pairs-001.html"]


def test_pairs_scored_by_a_model_afterwards_show_in_the_score_histogram():
    model_pair = {**_pair(1, "a", method="model:minilm"), "score": 0.9}
    tables = _tables([model_pair, _pair(2, "a"), _pair(3, "a")], {1: "train"})

    def scored(number: int, method: str, score: float) -> dict:
        row = {column: "" for column in PAIR_SCORES.columns}
        pair_id = f"{number:016x}"
        return {**row, "pair_id": pair_id, "method": method, "model_name": "mini", "score": score}

    tables.pair_scores = pd.DataFrame(
        # pair 1 keeps its own score; pair 2 was scored afterwards; pair 9 no longer exists
        [scored(1, "model:minilm", 0.1), scored(2, "manifest", 0.4), scored(9, "manifest", 0.5)]
    )
    scores = next(h for h in report_histograms(tables) if h.name == "pair_scores")
    assert {name: sum(counts) for name, counts in scores.series.items()} == {
        "model:minilm": 1,
        "manifest, scored by mini": 1,
    }
    assert scores.total == 2


def test_the_score_histogram_says_why_it_is_empty():
    tables = _tables([_pair(1, "a"), _pair(2, "a")], {1: "train"})
    scores = next(h for h in report_histograms(tables) if h.name == "pair_scores")
    assert scores.total == 0
    assert scores.empty_note == (
        "No pair has a score: all 2 pairs come from heuristics, and no model scored them."
    )
