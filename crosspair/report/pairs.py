"""The pair browser's content: which pairs to list, and one card (a plain dict for the
template) per pair."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import pandas as pd

from crosspair.report.previews import (
    PreviewResult,
    keyframes_path,
    thumbnail_path,
    waveform_path,
)
from crosspair.report.tables import EXTRACTED, ItemLookup, ReportTables, indexed

MAX_TEXT_CHARS = 1500
MAX_CODE_LINES = 30


def select_pairs(pairs: pd.DataFrame, max_pairs: int) -> pd.DataFrame:
    """At most ``max_pairs`` pairs, taken in turn from each (source, method) so that every
    kind of pair shows; sorted by source, method and pair id."""
    ordered = pairs.sort_values(["source", "method", "pair_id"], kind="stable")
    rank = ordered.groupby(["source", "method"], sort=False).cumcount()
    chosen = ordered.assign(_rank=rank).sort_values(
        ["_rank", "source", "method", "pair_id"], kind="stable"
    )
    chosen = chosen.head(max_pairs).drop(columns="_rank")
    return chosen.sort_values(["source", "method", "pair_id"], kind="stable").reset_index(drop=True)


def _text(value: str, limit: int = MAX_TEXT_CHARS) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _side(
    item_id: str, modality: str, items: ItemLookup, pair_id: str, done: Mapping, errors: Mapping
) -> dict:
    found = items.get(item_id)
    side = dict.fromkeys(("image", "label", "body", "code", "caption", "frame_times"), "")
    side.update(modality=modality, item_id=item_id, error=errors.get(item_id, ""))
    if found is None:
        side["error"] = side["error"] or "not in any catalog"
        return side
    table, row = found
    side["caption"] = row["path"] + (f" #{row['record_key']}" if row.get("record_key") else "")
    wanted = {
        "image": thumbnail_path(item_id),
        "video": keyframes_path(item_id),
        "audio": waveform_path(pair_id),
    }.get(modality)
    if wanted:
        if done.get(wanted) == "":
            side["image"] = wanted
        else:
            side["error"] = side["error"] or done.get(wanted) or "no preview"
    if table == "text":
        side["label"], side["body"] = row["kind"], _text(row["text"])
    elif table == "code":
        lines = row["code"].splitlines()
        shown = "\n".join(lines[:MAX_CODE_LINES])
        more = len(lines) - MAX_CODE_LINES
        side["label"] = f"{row['language']} · {row['entry_point']}"
        side["code"] = shown + (f"\n# … {more} more lines" if more > 0 else "")
    elif table == "mesh":
        closed = "watertight" if row["watertight"] else "not watertight"
        # TODO: no rendered view of meshes yet; the card shows their size only
        side["label"] = f"{row['format']} · {row['vertices']} vertices · {row['faces']} faces"
        side["body"] = closed
    elif table == "audio":
        side["label"] = f"{row['duration_s']:.2f} s · {row['sample_rate']} Hz"
    elif table == EXTRACTED:
        seconds = row["frames"] / row["sample_rate"]
        side["label"] = f"track {row['stream_index']} of its video · {seconds:.2f} s"
    elif table == "video" and row.get("duration_s") is not None:
        side["label"] = f"{row['width']}×{row['height']} · {row['fps']:g} fps"
    return side


def _score(value) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "—" if missing else f"{value:.3f}"


def pair_cards(
    selected: pd.DataFrame,
    tables: ReportTables,
    items: ItemLookup,
    results: list[PreviewResult],
    errors: Mapping[str, str],
) -> list[dict]:
    """One dict per listed pair: its two sides, split, method, score and timing."""
    done: dict[str, str] = {}  # report path -> "" when written, else why not
    frame_times: dict[str, tuple[float, ...]] = {}
    for result in results:
        done.update({path: "" for path, _ in result.files})
        done.update(dict(result.failed))
        if result.video_id and result.frame_times_s:
            frame_times[result.video_id] = result.frame_times_s
    splits = dict(
        zip(tables.split_assignments["pair_id"], tables.split_assignments["split"], strict=True)
    )
    excluded = dict(
        zip(tables.split_exclusions["pair_id"], tables.split_exclusions["reason"], strict=True)
    )
    listed = set(selected["pair_id"])
    summaries = indexed(tables.alignment_summary, "pair_id", listed)
    syncs = indexed(tables.sync_offsets, "pair_id", listed)

    cards = []
    for pair in selected.itertuples(index=False):
        card = {
            "pair_id": pair.pair_id,
            "source": pair.source,
            "method": pair.method,
            "score": _score(pair.score),
            "split": splits.get(pair.pair_id, "excluded" if pair.pair_id in excluded else "none"),
            "split_note": excluded.get(pair.pair_id, ""),
            "params": json.dumps(json.loads(pair.params or "{}"), sort_keys=True),
            "left": _side(pair.left_id, pair.left_modality, items, pair.pair_id, done, errors),
            "right": _side(pair.right_id, pair.right_modality, items, pair.pair_id, done, errors),
            "alignment": summaries.get(pair.pair_id),
            "sync": syncs.get(pair.pair_id),
        }
        for side in (card["left"], card["right"]):
            if side["modality"] == "video":
                times = frame_times.get(side["item_id"], ())
                side["frame_times"] = ", ".join(f"{t:.2f} s" for t in times)
        cards.append(card)
    return cards
