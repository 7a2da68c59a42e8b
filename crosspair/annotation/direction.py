"""Which way round a judged pair goes, and which judged pairs crosspair cannot make.

A file may name a pair's items in either order. A pair already in the pair table keeps its
direction; a new pair takes the direction every method uses (``crosspair.pairing``): media or
code on the left, text on the right, and a video on the left of its audio. Self-pairs, pairs of
two modalities no method pairs (image ↔ image) and new pairs across sources are rejected.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

TEXT = "text"
# (left, right) modalities of the pairs crosspair's methods make; sensor streams are paired
# with each other outside the pair table (crosspair.sensors)
PAIRABLE = frozenset(
    {(media, TEXT) for media in ("image", "audio", "video", "mesh", "code")} | {("video", "audio")}
)
SELF_PAIR = "self_pair"
UNPAIRABLE = "unpairable_modalities"
CROSS_SOURCE = "cross_source"


def orient(
    left: str, right: str, items: pd.DataFrame, paired: Collection[tuple[str, str]]
) -> tuple[str, str, str, str]:
    """``(left, right, "", "")`` in the pair's direction, or ``("", "", reason, detail)``.

    ``items`` is the item index (item id → ``source``, ``modality``) and holds both ids;
    ``paired`` holds the (left, right) ids of the pair table.
    """
    if left == right:
        return "", "", SELF_PAIR, f"item {left} is judged against itself; a pair has two items"
    if (left, right) in paired:
        return left, right, "", ""
    if (right, left) in paired:
        return right, left, "", ""

    modality = {item: str(items.at[item, "modality"]) for item in (left, right)}
    if (modality[right], modality[left]) in PAIRABLE:
        left, right = right, left
    elif (modality[left], modality[right]) not in PAIRABLE:
        detail = (
            f"{modality[left]} {left} ↔ {modality[right]} {right}: crosspair pairs media or "
            "code with text, and a video with its audio"
        )
        return "", "", UNPAIRABLE, detail

    sources = {item: str(items.at[item, "source"]) for item in (left, right)}
    if sources[left] != sources[right]:
        detail = (
            f"left item {left} is in {sources[left]}, right item {right} in {sources[right]}; "
            "a new pair needs two items of one source"
        )
        return "", "", CROSS_SOURCE, detail
    return left, right, "", ""
