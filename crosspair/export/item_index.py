"""One lookup table over every catalogued item, so exports can resolve either side of a pair."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

ITEM_COLUMNS = [
    "item_id",
    "table",
    "source",
    "modality",
    "path",
    "record_key",
    "sha256",
    "licence",
    "subject_ids",
    "kind",
    "language",
    "text",
]


def item_index(
    catalogs: Mapping[str, pd.DataFrame], extracted_audio: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Items of all catalogs (and audio extracted from videos), indexed by item_id.

    ``table`` names where the item came from (a catalog name or ``extracted_audio``);
    ``text`` holds a text item's text or a code item's code, None for media. Extracted audio
    inherits licence and subjects from its video.
    """
    frames = []
    for name, catalog in sorted(catalogs.items()):
        frame = catalog.reindex(columns=ITEM_COLUMNS)
        frame["table"] = name
        if "code" in catalog:
            frame["text"] = catalog["code"]
            frame["kind"] = "code"
        frames.append(frame)

    if extracted_audio is not None and len(extracted_audio):
        video = catalogs.get("video", pd.DataFrame(columns=["item_id", "licence", "subject_ids"]))
        owner = video.set_index("item_id")[["licence", "subject_ids"]]
        frame = extracted_audio.reindex(columns=ITEM_COLUMNS)
        frame["table"] = "extracted_audio"
        frame["modality"] = "audio"
        frame["record_key"] = ""
        frame["licence"] = extracted_audio["video_id"].map(owner["licence"]).fillna("")
        frame["subject_ids"] = extracted_audio["video_id"].map(owner["subject_ids"]).fillna("")
        frames.append(frame)

    if not frames:
        return pd.DataFrame(columns=ITEM_COLUMNS).set_index("item_id")
    index = pd.concat(frames, ignore_index=True)
    index = index.astype(object).where(index.notna(), None)
    twice = index.loc[index["item_id"].duplicated(), "item_id"]
    if len(twice):
        raise ValueError(
            f"item ids listed in more than one catalog: {sorted(twice)[:5]}; "
            "each item must be catalogued once"
        )
    return index.set_index("item_id")


def item_records(index: pd.DataFrame) -> dict[str, dict]:
    """``item_index`` rows as plain dicts by item id (each with its ``item_id``), for loops."""
    records = index.to_dict("index")
    for item_id, record in records.items():
        record["item_id"] = item_id
    return records


def lookup(items: Mapping[str, dict], item_id: str, pair_id: str) -> dict:
    """The record of one side of a pair; the error names the pair and the way out."""
    try:
        return items[item_id]
    except KeyError:
        raise KeyError(
            f"pair {pair_id}: item {item_id} is in no catalog; pass every catalog the pairs use "
            "(and extracted_audio for audio taken from videos)"
        ) from None
