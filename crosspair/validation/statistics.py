"""Distribution checks over catalogs and pairs: text lengths, duplicates, pairing coverage."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from crosspair.validation.catalogs import stack_catalogs
from crosspair.validation.outcome import CheckOutcome

logger = logging.getLogger(__name__)

# 0.6745 is the 0.75 quantile of the standard normal: it makes MAD comparable to a std dev
_MAD_SCALE = 0.6745
# mean absolute deviation of a normal is 0.7979 sigma; used when more than half the values tie
_MEAN_AD_SCALE = 0.7979
_PREVIEW_CHARS = 80


def text_length_outliers(
    texts: pd.DataFrame,
    z: float = 3.5,
    min_words: int = 1,
    max_words: int | None = None,
) -> CheckOutcome:
    """Texts whose word count is far from their (source, kind) group, or outside hard limits.

    ``texts`` has item_id, source, kind, text, n_words. The score is the modified z-score
    0.6745 * (n - median) / MAD (Iglewicz and Hoaglin); above ``z`` in either direction is an
    outlier. Meant as a warning: long captions are unusual, not wrong.
    """
    texts = texts.reset_index(drop=True)
    if "n_words" not in texts.columns:
        texts = texts.assign(n_words=texts["text"].map(lambda text: len(str(text).split())))

    frames = []
    for _, group in texts.groupby(["source", "kind"], sort=True, dropna=False):
        words = group["n_words"].to_numpy(dtype=float)
        median = float(np.median(words))
        frames.append(group.assign(median_words=median, z_score=_modified_z(words, median)))
    scored = pd.concat(frames) if frames else texts.assign(median_words=[], z_score=[])

    reasons = pd.Series("", index=scored.index, dtype=object)
    reasons[scored["z_score"].abs() > z] = "z_score"
    reasons[scored["n_words"] < min_words] = "below_min_words"
    if max_words is not None:
        reasons[scored["n_words"] > max_words] = "above_max_words"
    outliers = scored.loc[reasons != ""].assign(reason=reasons[reasons != ""])

    failures = pd.DataFrame(
        {
            "item_id": outliers["item_id"],
            "source": outliers["source"],
            "kind": outliers["kind"],
            "n_words": outliers["n_words"].astype(int),
            "median_words": outliers["median_words"],
            "z_score": outliers["z_score"].round(3),
            "reason": outliers["reason"],
            "text": outliers["text"].map(_preview),
        }
    ).sort_values("z_score", key=abs, ascending=False)
    summary: dict[str, int | float | str] = {
        "texts": len(texts),
        "groups": len(frames),
        "outliers": len(failures),
        "z_threshold": float(z),
    }
    for reason, count in failures["reason"].value_counts().sort_index().items():
        summary[f"reason.{reason}"] = int(count)
    logger.info("text lengths: %d outliers among %d texts", len(failures), len(texts))
    return CheckOutcome.build(failures.empty, summary, failures)


def _modified_z(values: np.ndarray, median: float) -> np.ndarray:
    deviations = np.abs(values - median)
    mad = float(np.median(deviations))
    if mad > 0:
        return _MAD_SCALE * (values - median) / mad
    mean_ad = float(np.mean(deviations))
    if mean_ad > 0:
        return (values - median) / (mean_ad / _MEAN_AD_SCALE)
    return np.zeros_like(values, dtype=float)


def _preview(text: object) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _PREVIEW_CHARS else text[: _PREVIEW_CHARS - 1] + "…"


DUPLICATE_COLUMNS = ["sha256", "scope", "item_id", "source", "modality", "path", "record_key"]


def exact_duplicates_report(catalogs: dict[str, pd.DataFrame]) -> CheckOutcome:
    """Items whose sha256 another item shares, within one source or across sources.

    Pass the catalogs whose duplicates matter (media, usually); identical short texts such as
    "A cat." are common and harmless in a text catalog.
    """
    columns = ["item_id", "source", "modality", "path", "record_key", "sha256"]
    items = stack_catalogs(catalogs, columns)
    items = items.loc[items["sha256"].fillna("") != ""]  # an unknown hash matches nothing
    counts = items.groupby("sha256")["item_id"].transform("size")
    duplicates = items.loc[counts > 1].copy()
    sources_per_hash = duplicates.groupby("sha256")["source"].transform("nunique")
    duplicates["scope"] = np.where(sources_per_hash > 1, "across_sources", "within_source")
    duplicates = duplicates.sort_values(["sha256", "source", "item_id"])[DUPLICATE_COLUMNS]

    groups = duplicates.drop_duplicates("sha256")
    summary: dict[str, int | float | str] = {
        "items": len(items),
        "duplicate_groups": len(groups),
        "duplicate_items": len(duplicates),
        "within_source_groups": int((groups["scope"] == "within_source").sum()),
        "across_source_groups": int((groups["scope"] == "across_sources").sum()),
    }
    logger.info(
        "exact duplicates: %d groups covering %d of %d items",
        len(groups),
        len(duplicates),
        len(items),
    )
    return CheckOutcome.build(duplicates.empty, summary, duplicates)


def near_duplicates_report(near_duplicates: pd.DataFrame) -> CheckOutcome:
    """Clusters of perceptually similar images with more than one member.

    Takes what ``crosspair.duplicates.near_duplicate_clusters`` returns: item_id, cluster_id,
    nearest_id and the phash Hamming distance to it. That function lists only images with a
    twin; singleton rows, if a caller keeps them, are counted but never fail.
    """
    sizes = near_duplicates.groupby("cluster_id")["item_id"].transform("size")
    members = near_duplicates.loc[sizes > 1].assign(cluster_size=sizes[sizes > 1])
    members = members.sort_values(
        ["cluster_size", "cluster_id", "item_id"], ascending=[False, True, True]
    )
    failures = members[["cluster_id", "cluster_size", "item_id", "nearest_id", "distance"]]

    clusters = members["cluster_id"].nunique()
    summary: dict[str, int | float | str] = {
        "rows": len(near_duplicates),
        "clusters": int(near_duplicates["cluster_id"].nunique()),
        "duplicate_clusters": int(clusters),
        "images_in_duplicate_clusters": len(members),
        "largest_cluster": int(sizes.max()) if len(sizes) else 0,
    }
    logger.info("near duplicates: %d clusters with %d images", clusters, len(members))
    return CheckOutcome.build(members.empty, summary, failures)


IMBALANCE_COLUMNS = [
    "source",
    "reason",
    "media_items",
    "unpaired_items",
    "unpaired_share",
    "pairs",
    "items_per_modality",
    "pairs_per_method",
    "unpaired_examples",
]


def modality_imbalance(
    catalogs: dict[str, pd.DataFrame],
    pairs: pd.DataFrame,
    max_unpaired_share: float = 0.5,
) -> CheckOutcome:
    """Per source: items per modality, pairs per method, share of media items left unpaired.

    Media items are catalogued items that are not text; one counts as paired when its id is on
    either side of any pair. A source fails when its unpaired share exceeds
    ``max_unpaired_share``, or when it has catalogued items and no pairs at all.
    """
    items = stack_catalogs(catalogs, ["item_id", "source", "modality"])
    paired_ids = set(pairs["left_id"]) | set(pairs["right_id"])
    summary: dict[str, int | float | str] = {"sources": 0, "pairs": len(pairs)}
    rows = []
    for source in sorted(set(items["source"]) | set(pairs["source"])):
        source_items = items.loc[items["source"] == source]
        source_pairs = pairs.loc[pairs["source"] == source]
        media = source_items.loc[source_items["modality"] != "text", "item_id"]
        unpaired = sorted(set(media) - paired_ids)
        share = len(unpaired) / len(media) if len(media) else 0.0
        per_modality = source_items["modality"].value_counts().sort_index()
        per_method = source_pairs["method"].value_counts().sort_index()

        summary["sources"] += 1
        for modality, count in per_modality.items():
            summary[f"{source}.items.{modality}"] = int(count)
        for method, count in per_method.items():
            summary[f"{source}.pairs.{method}"] = int(count)
        summary[f"{source}.unpaired_share"] = round(share, 4)

        reason = ""
        if len(source_items) and source_pairs.empty:
            reason = "no_pairs"
        elif share > max_unpaired_share:
            reason = "unpaired_share_above_max"
        rows.append(
            {
                "source": source,
                "reason": reason,
                "media_items": len(media),
                "unpaired_items": len(unpaired),
                "unpaired_share": round(share, 4),
                "pairs": len(source_pairs),
                "items_per_modality": _counts(per_modality),
                "pairs_per_method": _counts(per_method),
                "unpaired_examples": ";".join(unpaired[:5]),
            }
        )

    report = pd.DataFrame(rows, columns=IMBALANCE_COLUMNS)
    failures = report.loc[report["reason"] != ""]
    summary["failing_sources"] = len(failures)
    logger.info("modality balance: %d of %d sources fail", len(failures), len(report))
    return CheckOutcome.build(failures.empty, summary, failures)


def _counts(counts: pd.Series) -> str:
    return ";".join(f"{key}={int(value)}" for key, value in counts.items())
