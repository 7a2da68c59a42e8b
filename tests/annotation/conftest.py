"""A small catalogued corpus to annotate, and Label Studio export records as Label Studio writes
them (every field of a real export, not only those crosspair reads)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from crosspair.export.item_index import item_index
from crosspair.ids import item_id, pair_id

COCO = "coco_captions"
CODE = "stdlib_code"


def _image(path: str) -> dict:
    return {"item_id": item_id(COCO, path), "source": COCO, "modality": "image", "path": path}


def _caption(image_path: str, n: int, text: str) -> dict:
    key = f"{image_path}#{n}"
    return {
        "item_id": item_id(COCO, "captions.jsonl", key),
        "source": COCO,
        "modality": "text",
        "path": "captions.jsonl",
        "record_key": key,
        "kind": "caption",
        "anchor": image_path,
        "text": text,
    }


@dataclass
class Corpus:
    """Two sources: COCO images with captions, and standard-library code with docstrings."""

    catalogs: dict[str, pd.DataFrame]
    images: list[str]  # item ids
    captions: list[str]
    code: list[str]
    docstrings: list[str]

    @property
    def items(self) -> pd.DataFrame:
        return item_index(self.catalogs)


@pytest.fixture
def corpus() -> Corpus:
    image_paths = [f"images/0000000{n}.jpg" for n in (62554, 99053, 126107)]
    images = [_image(p) for p in image_paths]
    captions = [
        _caption(image_paths[0], 0, "A man riding a wave on top of a surfboard."),
        _caption(image_paths[0], 1, "Two dogs play with a red frisbee in the park."),
        _caption(image_paths[1], 0, "A plate of food with broccoli and rice."),
        _caption(image_paths[2], 0, "A red double decker bus on a city street."),
    ]
    code = [
        {
            "item_id": item_id(CODE, "functions.jsonl", name),
            "source": CODE,
            "modality": "code",
            "path": "functions.jsonl",
            "record_key": name,
            "code": f"def {name}(x):\n    return x\n",
        }
        for name in ("textwrap.dedent", "os.path.join")
    ]
    docstrings = [
        {
            "item_id": item_id(CODE, "functions.jsonl", f"{name}#doc"),
            "source": CODE,
            "modality": "text",
            "path": "functions.jsonl",
            "record_key": f"{name}#doc",
            "kind": "docstring",
            "anchor": name,
            "text": doc,
        }
        for name, doc in (
            ("textwrap.dedent", "Remove any common leading whitespace from every line."),
            ("os.path.join", "Join two or more pathname components."),
        )
    ]
    catalogs = {
        "image": pd.DataFrame(images),
        "text": pd.DataFrame(captions + docstrings),
        "code": pd.DataFrame(code),
    }
    return Corpus(
        catalogs=catalogs,
        images=[row["item_id"] for row in images],
        captions=[row["item_id"] for row in captions],
        code=[row["item_id"] for row in code],
        docstrings=[row["item_id"] for row in docstrings],
    )


def pair_row(left: str, right: str, method: str, source: str, left_modality: str, **params):
    """A pair-table row as the pairing code writes it (score empty for heuristics)."""
    return {
        "pair_id": pair_id(left, right, method),
        "group_id": left,
        "source": source,
        "left_id": left,
        "left_modality": left_modality,
        "right_id": right,
        "right_modality": "text",
        "method": method,
        "score": params.pop("score", float("nan")),
        "params": json.dumps(params, sort_keys=True),
    }


def ls_annotation(
    annotation_id: int,
    user,
    choices: list[str] | None,
    created_at: str = "2024-05-02T09:15:00.000000Z",
    cancelled: bool = False,
    task: int = 1,
) -> dict:
    """One annotation of a Label Studio JSON export (``choices`` None: an empty result)."""
    result = []
    if choices is not None:
        result.append(
            {
                "value": {"choices": choices},
                "id": f"r{annotation_id}",
                "from_name": "label",
                "to_name": "left",
                "type": "choices",
                "origin": "manual",
            }
        )
    return {
        "id": annotation_id,
        "completed_by": user,
        "result": result,
        "was_cancelled": cancelled,
        "ground_truth": False,
        "created_at": created_at,
        "updated_at": created_at,
        "draft_created_at": None,
        "lead_time": 12.4,
        "prediction": {},
        "result_count": 0,
        "unique_id": f"a8f1c2d0-{annotation_id:04d}",
        "import_id": None,
        "last_action": None,
        "bulk_created": False,
        "task": task,
        "project": 3,
        "updated_by": user if isinstance(user, int) else None,
        "parent_prediction": None,
        "parent_annotation": None,
        "last_created_by": None,
    }


def ls_task(task_id: int, data: dict, annotations: list[dict]) -> dict:
    """One task of a Label Studio JSON export."""
    cancelled = sum(1 for a in annotations if a["was_cancelled"])
    return {
        "id": task_id,
        "annotations": annotations,
        "file_upload": "8c1e2a4f-to_annotate.json",
        "drafts": [],
        "predictions": [],
        "data": data,
        "meta": {},
        "created_at": "2024-05-01T08:00:00.000000Z",
        "updated_at": "2024-05-02T09:15:00.000000Z",
        "inner_id": task_id,
        "total_annotations": len(annotations) - cancelled,
        "cancelled_annotations": cancelled,
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 3,
        "updated_by": 1,
        "comment_authors": [],
    }


def write_json(path: Path, value) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path
