"""The numbers of a report: headline counts, rejects by reason and histogram data.

Plain dicts and lists, so the same values go into the HTML, ``report.json`` and Dagster
metadata.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crosspair.report.tables import ReportTables
from crosspair.schemas import MODALITIES, SPLITS

HISTOGRAM_BINS = 20


def headline_counts(tables: ReportTables) -> dict[str, int]:
    """Items per modality, pairs, pairs per split, exclusions, rejects, unpaired, timings.

    Keys are the HTML ids without their ``count-`` prefix: ``items-image``, ``pairs-train``.
    """
    counts = {f"items-{m}": len(tables.catalog(m)) for m in MODALITIES}
    counts["items"] = sum(counts.values())
    counts["pairs"] = len(tables.pairs)
    assigned = tables.split_assignments[
        tables.split_assignments["pair_id"].isin(tables.pairs["pair_id"])
    ]
    for split in SPLITS:
        counts[f"pairs-{split}"] = int((assigned["split"] == split).sum())
    counts["pairs-excluded"] = len(tables.split_exclusions)
    counts["rejects"] = len(tables.rejects)
    counts["unpaired"] = len(tables.unpaired_items)
    counts["aligned-pairs"] = len(tables.alignment_summary)
    counts["synced-pairs"] = len(tables.sync_offsets)
    return counts


def rejects_by_reason(rejects: pd.DataFrame) -> list[dict]:
    """Reject counts per reason, most frequent first (ties by name)."""
    if rejects.empty:
        return []
    counts = rejects.groupby("reason").size().reset_index(name="count")
    counts = counts.sort_values(["count", "reason"], ascending=[False, True])
    return [{"reason": r.reason, "count": int(r.count)} for r in counts.itertuples(index=False)]


def pairs_by_method(pairs: pd.DataFrame) -> list[dict]:
    """Pair counts per source, modalities and method, most frequent first."""
    columns = ["source", "left_modality", "right_modality", "method"]
    if pairs.empty:
        return []
    counted = pairs.groupby(columns).size().reset_index(name="pairs")
    ordered = counted.sort_values(["pairs", *columns], ascending=[False, *[True] * len(columns)])
    return ordered.to_dict("records")


def alignment_by_status(summary: pd.DataFrame) -> list[dict]:
    """Aligned pairs, tokens, timed tokens and mean coverage per alignment status."""
    rows = []
    for status, part in summary.groupby("status", sort=True):
        rows.append(
            {
                "status": status,
                "pairs": len(part),
                "tokens": int(part["n_tokens"].sum()),
                "timed": int(part["n_timed"].sum()),
                "coverage": f"{part['coverage'].mean():.1%}",
            }
        )
    return rows


def sync_rows(tables: ReportTables) -> list[dict]:
    """One row per measured video: offset in ms, confidence, tolerance and reason."""
    videos = tables.catalog("video").set_index("item_id")["path"].to_dict()
    rows = []
    for row in tables.sync_offsets.sort_values("pair_id").itertuples(index=False):
        offset = row.offset_s
        within = row.within_tolerance
        rows.append(
            {
                "pair_id": row.pair_id,
                "video": videos.get(row.video_id, row.video_id),
                "offset_ms": "" if pd.isna(offset) else f"{offset * 1000:+.1f}",
                "confidence": f"{row.confidence:.2f}",
                "within": "" if pd.isna(within) else ("yes" if within else "no"),
                "reason": row.reason,
            }
        )
    return rows


@dataclass(frozen=True)
class Histogram:
    """Counts per bin of one or more labelled series sharing the same bin edges."""

    name: str
    title: str
    xlabel: str
    edges: list[float]
    series: dict[str, list[int]]
    empty_note: str = ""

    @property
    def total(self) -> int:
        return sum(sum(counts) for counts in self.series.values())

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "xlabel": self.xlabel,
            "edges": self.edges,
            "series": self.series,
            "total": self.total,
        }


def histogram(
    name: str, title: str, xlabel: str, groups: dict[str, pd.Series], empty_note: str
) -> Histogram:
    """Shared-edge histogram of finite values per group; groups with no values are dropped."""
    values = {
        label: series.astype(float).to_numpy()[np.isfinite(series.astype(float).to_numpy())]
        for label, series in sorted(groups.items())
    }
    values = {label: v for label, v in values.items() if len(v)}
    if not values:
        return Histogram(name, title, xlabel, [], {}, empty_note)
    every = np.concatenate(list(values.values()))
    low, high = float(every.min()), float(every.max())
    if low == high:  # one distinct value: a single bin around it
        low, high = low - 0.5, high + 0.5
    edges = np.histogram_bin_edges(every, bins=HISTOGRAM_BINS, range=(low, high))
    series = {label: np.histogram(v, bins=edges)[0].tolist() for label, v in values.items()}
    return Histogram(name, title, xlabel, [round(float(e), 6) for e in edges], series)


def _pair_scores(tables: ReportTables) -> dict[str, pd.Series]:
    """Scores per method: a pair's own, else the one a model gave it (``pair_scores``)."""
    scored = tables.pairs[tables.pairs["score"].notna()]
    scores = {str(method): part["score"] for method, part in scored.groupby("method", sort=True)}
    pairs = set(tables.pairs["pair_id"])
    rescored = tables.pair_scores[
        tables.pair_scores["pair_id"].isin(pairs - set(scored["pair_id"]))
    ]
    for (method, model), part in rescored.groupby(["method", "model_name"], sort=True):
        scores[f"{method}, scored by {model}"] = part["score"]
    return scores


def report_histograms(tables: ReportTables) -> list[Histogram]:
    """Text lengths, pair scores, word alignment scores and durations, A/V sync offsets."""
    texts = tables.catalog("text")
    text_lengths = {str(kind): part["n_words"] for kind, part in texts.groupby("kind", sort=True)}
    scores = _pair_scores(tables)
    timed = tables.word_alignment[tables.word_alignment["timed"]]
    word_durations = {"words": (timed["end_s"] - timed["start_s"]) * 1000.0}
    reliable = tables.sync_offsets[tables.sync_offsets["reason"] == ""]
    unreliable = len(tables.sync_offsets) - len(reliable)
    return [
        histogram("text_lengths", "Text length", "words per text", text_lengths, "No texts."),
        histogram(
            "pair_scores",
            "Pair scores",
            "score",
            scores,
            f"No pair has a score: all {len(tables.pairs)} pairs come from heuristics, "
            "and no model scored them.",
        ),
        histogram(
            "alignment_scores",
            "Word alignment scores",
            "score of a timed word",
            {"words": timed["score"]},
            "No timed words.",
        ),
        histogram(
            "word_durations",
            "Word durations",
            "ms per timed word",
            word_durations,
            "No timed words.",
        ),
        histogram(
            "sync_offsets",
            f"A/V offsets ({unreliable} without a reliable estimate)",
            "sound minus picture, ms",
            {"reliable": reliable["offset_s"] * 1000.0},
            f"No reliable A/V offset ({unreliable} pairs without one).",
        ),
    ]
