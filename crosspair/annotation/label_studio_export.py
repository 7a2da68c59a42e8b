"""Pairs → Label Studio tasks, so people can judge them; their export reads back unchanged.

Each task's ``data`` holds crosspair's ids (``pair_id``, ``left_id``, ``right_id``), the
method and score that proposed the pair, and what to show: a text item's text, or a media
item's path behind ``media_prefix`` (e.g. ``/data/local-files/?d=`` for Label Studio's local
file storage). ``labeling_config`` writes the matching project config.

>>> tasks = label_studio_tasks(pairs, item_index(catalogs, tracks))  # doctest: +SKIP
>>> write_tasks("to_annotate.json", tasks)                           # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd

from crosspair.annotation.records import DEFAULT_LABELS

CHOICE_NAME = "label"
_TAGS = {"image": "Image", "audio": "Audio", "video": "Video"}


def label_studio_tasks(
    pairs: pd.DataFrame, items: pd.DataFrame, media_prefix: str = ""
) -> list[dict]:
    """One Label Studio task per pair; ``items`` is ``item_index(catalogs, extracted_audio)``."""
    tasks = []
    for row in pairs.to_dict("records"):
        data = {
            "pair_id": row["pair_id"],
            "left_id": row["left_id"],
            "right_id": row["right_id"],
            "source": row["source"],
            "method": row["method"],
            "score": None if _missing(row["score"]) else float(row["score"]),
            "left_modality": row["left_modality"],
            "right_modality": row["right_modality"],
            "left": _shown(items, row["left_id"], row["pair_id"], media_prefix),
            "right": _shown(items, row["right_id"], row["pair_id"], media_prefix),
        }
        tasks.append({"data": data})
    return tasks


def write_tasks(path: str | Path, tasks: list[dict]) -> Path:
    """Write tasks as the JSON list Label Studio imports."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tasks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def labeling_config(
    left_modality: str, right_modality: str, labels: Sequence[str] = DEFAULT_LABELS
) -> str:
    """A Label Studio labelling config showing both sides and one single choice of ``labels``."""
    choices = "\n".join(f"    <Choice value={quoteattr(label)}/>" for label in labels)
    return (
        "<View>\n"
        f"  {_view_tag('left', left_modality)}\n"
        f"  {_view_tag('right', right_modality)}\n"
        f'  <Choices name="{CHOICE_NAME}" toName="left" choice="single" required="true">\n'
        f"{choices}\n"
        "  </Choices>\n"
        "</View>\n"
    )


def _view_tag(name: str, modality: str) -> str:
    return f'<{_TAGS.get(modality, "Text")} name="{name}" value="${name}"/>'


def _shown(items: pd.DataFrame, item_id: str, pair: str, media_prefix: str) -> str:
    if item_id not in items.index:
        raise KeyError(
            f"pair {pair}: item {item_id} is in no catalog; pass every catalog the pairs use "
            "(and extracted_audio for audio taken from videos)"
        )
    item = items.loc[item_id]
    if isinstance(item["text"], str):
        return item["text"]
    return f"{media_prefix}{item['path']}"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
