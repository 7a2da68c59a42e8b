"""Heuristic pairing: join catalogued items by manifest references and file stems.

Each function takes catalog tables and returns rows of the pair table (schema ``PAIRS``).
A pair's group is its left item: the five captions of one image are five pairs of one group.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import PurePosixPath

import pandas as pd

from crosspair.ids import pair_id
from crosspair.schemas import PAIRS, UNPAIRED, empty_frame

log = logging.getLogger(__name__)

MANIFEST_REFERENCE = "manifest_reference"
MANIFEST_RECORD = "manifest_record"
FILE_STEM = "file_stem"
EMBEDDED_STREAM = "embedded_stream"

# Tags that side files carry between the media stem and their own extension.
_SIDE_TAGS = re.compile(r"(\.(audio|subtitles|subs|captions|transcript))$", re.IGNORECASE)
_LANGUAGE_TAG = re.compile(r"\.[a-z]{2,3}(-[A-Za-z]{2})?$")
_MEDIA_SUFFIX = re.compile(r"\.(mp4|mkv|webm|mov|avi|wav|flac|mp3|jpg|jpeg|png)$", re.IGNORECASE)
_STEM_SEPARATORS = ("_", "-", ".", " ")


def _pair_rows(left: pd.DataFrame, right: pd.DataFrame, method: str, params) -> list[dict]:
    """Pair rows for aligned left/right frames; ``params`` is a dict or a per-row function."""
    rows = []
    for (_, lrow), (_, rrow) in zip(left.iterrows(), right.iterrows(), strict=True):
        row_params = params(lrow, rrow) if callable(params) else params
        rows.append(
            {
                "pair_id": pair_id(lrow["item_id"], rrow["item_id"], method),
                "group_id": lrow["item_id"],
                "source": lrow["source"],
                "left_id": lrow["item_id"],
                "left_modality": lrow["modality"],
                "right_id": rrow["item_id"],
                "right_modality": rrow["modality"],
                "method": method,
                "params": json.dumps(row_params, sort_keys=True),
            }
        )
    return rows


def pairs_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a pair table in schema order, sorted by group then right item."""
    if not rows:
        return empty_frame(PAIRS)
    frame = pd.DataFrame(rows, columns=list(PAIRS.columns))
    frame = frame.drop_duplicates(subset=["left_id", "right_id", "method"])
    return frame.sort_values(["source", "group_id", "right_id"], kind="mergesort").reset_index(
        drop=True
    )


def _joined_sides(joined: pd.DataFrame, right_extra: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a text⋈media merge (text columns suffixed ``_text``) into left and right frames."""
    left = joined[["item_id", "source", "modality"]].reset_index(drop=True)
    right = pd.DataFrame(
        {
            "item_id": joined["item_id_text"].to_numpy(),
            "modality": joined["modality_text"].to_numpy(),
            right_extra: joined[right_extra].to_numpy(),
        }
    )
    return left, right


def pair_by_reference(media: pd.DataFrame, texts: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Media ↔ texts whose manifest record names the media's path (same source)."""
    texts = texts[texts["kind"] == kind].rename(columns={"path": "manifest"})
    joined = texts.merge(
        media[["item_id", "source", "path", "modality"]],
        left_on=["source", "anchor"],
        right_on=["source", "path"],
        suffixes=("_text", ""),
    )
    left, right = _joined_sides(joined, "record_key")
    rows = _pair_rows(
        left,
        right,
        MANIFEST_REFERENCE,
        lambda lrow, rrow: {"kind": kind, "record_key": rrow["record_key"]},
    )
    return pairs_frame(rows)


def pair_code_docstrings(code: pd.DataFrame, texts: pd.DataFrame) -> pd.DataFrame:
    """Code ↔ docstring taken from the same manifest record."""
    docs = texts[texts["kind"] == "docstring"].drop(columns=["record_key"])
    joined = docs.merge(
        code[["item_id", "source", "record_key", "modality"]],
        left_on=["source", "anchor"],
        right_on=["source", "record_key"],
        suffixes=("_text", ""),
    )
    left, right = _joined_sides(joined, "anchor")
    rows = _pair_rows(left, right, MANIFEST_RECORD, lambda lrow, rrow: {"record": rrow["anchor"]})
    return pairs_frame(rows)


def side_file_base(path: str) -> str:
    """The media stem a side file points at: ``clip.eng.srt`` and ``clip.mp4.audio.mp3`` → clip."""
    name = PurePosixPath(path).name
    base = name.rsplit(".", 1)[0] if "." in name else name
    for pattern in (_SIDE_TAGS, _LANGUAGE_TAG, _MEDIA_SUFFIX):
        base = pattern.sub("", base)
    return base


def match_side_file(side_path: str, media: pd.DataFrame) -> tuple[str | None, str]:
    """Find the one media row (same folder) a side file belongs to: (item_id, rule or reason)."""
    base = side_file_base(side_path)
    folder = str(PurePosixPath(side_path).parent)
    same_folder = media[media["path"].map(lambda p: str(PurePosixPath(p).parent)) == folder]
    stems = same_folder["path"].map(lambda p: PurePosixPath(p).stem)
    exact = same_folder[stems == base]
    if len(exact) == 1:
        return exact.iloc[0]["item_id"], "exact_stem"
    prefixed = same_folder[
        stems.map(lambda s: any(s.startswith(base + sep) for sep in _STEM_SEPARATORS))
    ]
    if len(prefixed) == 1:
        return prefixed.iloc[0]["item_id"], "stem_prefix"
    if len(exact) + len(prefixed) > 1:
        return None, f"ambiguous: {len(exact) + len(prefixed)} media files share stem '{base}'"
    return None, f"no media file with stem '{base}'"


def pair_side_files(media: pd.DataFrame, sides: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Media ↔ side files (subtitles, separate audio) by file stem; unmatched sides reported."""
    rows, unmatched = [], []
    for _, side in sides.iterrows():
        source_media = media[media["source"] == side["source"]]
        match, rule = match_side_file(side["path"], source_media)
        if match is None:
            unmatched.append(_unpaired(side, f"{side['modality']} side file ↔ media", rule))
            continue
        left = source_media[source_media["item_id"] == match].iloc[[0]]
        rows += _pair_rows(
            left.reset_index(drop=True),
            side.to_frame().T.reset_index(drop=True),
            FILE_STEM,
            {"rule": rule, "side_stem": side_file_base(side["path"])},
        )
    return pairs_frame(rows), unmatched


def pair_embedded_audio(videos: pd.DataFrame, tracks: pd.DataFrame) -> pd.DataFrame:
    """Video ↔ the audio track extracted from its own container."""
    if tracks.empty:
        return empty_frame(PAIRS)
    joined = tracks.merge(
        videos[["item_id", "source", "modality"]],
        left_on="video_id",
        right_on="item_id",
        suffixes=("_track", ""),
    )
    left = joined[["item_id", "source", "modality"]].reset_index(drop=True)
    right = pd.DataFrame(
        {
            "item_id": joined["item_id_track"],
            "modality": "audio",
            "stream_index": joined["stream_index"],
        }
    )
    rows = _pair_rows(
        left,
        right,
        EMBEDDED_STREAM,
        lambda lrow, rrow: {"stream_index": int(rrow["stream_index"])},
    )
    return pairs_frame(rows)


def _unpaired(row, wanted: str, reason: str) -> dict:
    return {
        "item_id": row["item_id"],
        "source": row["source"],
        "modality": row["modality"],
        "path": row["path"],
        "wanted": wanted,
        "reason": reason,
    }


def unpaired_items(
    left_catalogs: dict[str, pd.DataFrame],
    pairs: pd.DataFrame,
    rejects: pd.DataFrame,
    videos: pd.DataFrame | None = None,
    extra: list[dict] | None = None,
    tracks: pd.DataFrame | None = None,
    texts: pd.DataFrame | None = None,
    unmatched_pool: pd.DataFrame | None = None,
    weak: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Items that got no pair they should have, each with the reason (nothing vanishes silently).

    Left-side items of ``left_catalogs``; ``videos`` without audio, or, given the extracted
    ``tracks``, whose audio could not be extracted; ``texts`` whose media (or code record)
    was rejected, so they stay in the text catalog with nothing to pair with; and the pool
    texts a model left without a pair (``unmatched_pool``, rows with their reason), unless
    another pair (a human one) took them in. ``weak`` rows (``weak_unpaired``) replace the
    others of their items, since the weak labels know why a page's image or text went unpaired;
    those of items in any pair, or rejected, are left out.
    """
    paired = set(pairs["left_id"])
    rows = list(extra or [])
    text_rejects = rejects[rejects["modality"] == "text"]
    for modality, catalog in left_catalogs.items():
        for _, item in catalog[~catalog["item_id"].isin(paired)].iterrows():
            # a text's record key is "<path>#<n>", or "<path>|<record id>#<n>" with an id field
            anchored = text_rejects[
                (text_rejects["source"] == item["source"])
                & text_rejects["record_key"].str.startswith(
                    (item["path"] + "#", item["path"] + "|")
                )
            ]
            if not anchored.empty:
                reason = "its text was rejected: " + ", ".join(sorted(set(anchored["reason"])))
            else:
                reason = "no text references it in the manifest"
            rows.append(_unpaired(item, f"{modality} ↔ text", reason))
    if videos is not None:
        rows += _videos_without_audio(videos, tracks)
    if texts is not None:
        rows += _texts_of_rejected_media(texts, pairs, rejects)
    if unmatched_pool is not None:
        in_a_pair = set(pairs["left_id"]) | set(pairs["right_id"])
        rows += unmatched_pool[~unmatched_pool["item_id"].isin(in_a_pair)].to_dict("records")
    frame = pd.DataFrame(rows, columns=list(UNPAIRED.columns))
    if weak is not None and len(weak):
        # a page's image or text that a person paired after all, or that was rejected, is not
        # left unpaired by the weak labels
        settled = set(pairs["left_id"]) | set(pairs["right_id"]) | set(rejects["item_id"])
        weak = weak[~weak["item_id"].isin(settled)]
        frame = pd.concat([frame[~frame["item_id"].isin(weak["item_id"])], weak])
    if frame.empty:
        return empty_frame(UNPAIRED)
    order = ["source", "path", "wanted", "item_id"]
    return frame.sort_values(order, kind="mergesort").reset_index(drop=True)


def _videos_without_audio(videos: pd.DataFrame, tracks: pd.DataFrame | None) -> list[dict]:
    """Videos with no audio stream, and (given ``tracks``) those whose stream was not extracted."""
    rows = []
    has_audio = videos["has_audio"].astype(bool)
    for _, video in videos[~has_audio].iterrows():
        rows.append(_unpaired(video, "video ↔ own audio", "no audio stream in the container"))
    if tracks is not None:
        failed = videos[has_audio & ~videos["item_id"].isin(tracks["video_id"])]
        for _, video in failed.iterrows():
            rows.append(
                _unpaired(video, "video ↔ own audio", "its audio stream could not be extracted")
            )
    return rows


def _texts_of_rejected_media(
    texts: pd.DataFrame, pairs: pd.DataFrame, rejects: pd.DataFrame
) -> list[dict]:
    """Texts left in the catalog whose anchor (media path, or code record) was rejected."""
    media = rejects[rejects["modality"] != "text"]
    anchors = media["record_key"].where(media["modality"] == "code", media["path"])
    reasons: dict[tuple[str, str], set[str]] = {}
    for source, anchor, reason in zip(media["source"], anchors, media["reason"], strict=True):
        if anchor:
            reasons.setdefault((source, anchor), set()).add(reason)
    rows = []
    for _, text in texts[~texts["item_id"].isin(pairs["right_id"])].iterrows():
        found = reasons.get((text["source"], text["anchor"]))
        if found:
            reason = "its media was rejected: " + ", ".join(sorted(found))
            rows.append(_unpaired(text, "text ↔ its media", reason))
    return rows
