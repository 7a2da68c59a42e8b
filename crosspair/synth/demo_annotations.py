"""Simulated human review for the demo: three made-up annotators judge five ``demo_code`` pairs.

Nobody looked at these pairs: this module writes the judgements, and the file names, the
annotators' addresses and each task's ``meta`` say so. They come in the two formats crosspair
imports: a Label Studio JSON export of the model pairs sent for review
(``simulated_label_studio.json``) and a CSV spot check of manifest pairs with two control
questions (``simulated.csv``). Item ids are computed with ``crosspair.ids`` from the sources
file, as discovery computes them, so the files name the demo's own items. In a build:

- ``calendar.isleap`` ↔ the pool docstring of ``calendar.monthrange`` (a wrong model pair):
  no_match by two of three (the third was fooled by the shared module) → removed;
- ``difflib.get_close_matches`` ↔ its pool docstring (a model pair): match 3/3 → human pair;
- ``textwrap.dedent`` ↔ its own docstring (a manifest pair): match 3/3 → human pair;
- ``shlex.quote`` and ``html.escape`` each with the other's docstring (controls, no pair):
  no_match 3/3 → nothing changes.

Krippendorff's alpha of the 15 judgements is 0.75 (floor 0.6 by default).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from crosspair.ids import item_id, pair_id
from crosspair.semantic.ranking import MODEL_PREFIX
from crosspair.sources import SourcesConfig
from crosspair.synth.demo_pool import (
    CODE_SOURCE,
    ORPHAN,
    POOL,
    code_record_id,
    pool_id_of,
    pool_text_key,
)

LABEL_STUDIO_FILE = "simulated_label_studio.json"
CSV_FILE = "simulated.csv"
ANNOTATORS = tuple(f"simulated-annotator-{n}@demo.crosspair.example" for n in (1, 2, 3))
MATCH, NO_MATCH = "match", "no_match"
PROJECT = 1
NOTE = "simulated judgements written by crosspair.synth.demo_annotations; nobody annotated this"

# Label Studio: model pairs (code ↔ a pool docstring) with each annotator's label, in order.
MODEL_PAIR_REVIEW = [
    ("calendar.isleap", ORPHAN, (NO_MATCH, NO_MATCH, MATCH)),
    ("difflib.get_close_matches", "difflib.get_close_matches", (MATCH, MATCH, MATCH)),
]
# CSV: code ↔ the manifest docstring of a function; the last two are swapped controls.
SPOT_CHECK = [
    ("textwrap.dedent", "textwrap.dedent", (MATCH, MATCH, MATCH)),
    ("shlex.quote", "html.escape", (NO_MATCH, NO_MATCH, NO_MATCH)),
    ("html.escape", "shlex.quote", (NO_MATCH, NO_MATCH, NO_MATCH)),
]


class DemoIds:
    """Item ids of the code source's functions, docstrings and pool texts."""

    def __init__(self, config: SourcesConfig):
        self.source = config.by_name(CODE_SOURCE)
        self.manifest = self.source.manifest.path
        self.pool = self.source.match.pool
        path = config.root_of(self.source) / self.manifest
        lines = path.read_text(encoding="utf-8").splitlines()
        self.records = {r["task_id"]: r for r in map(json.loads, lines)}

    def code(self, dotted: str) -> str:
        return item_id(self.source.name, self.manifest, code_record_id(dotted))

    def docstring(self, dotted: str) -> str:
        return item_id(self.source.name, self.manifest, f"{code_record_id(dotted)}#0")

    def pool_text(self, dotted: str) -> str:
        return item_id(self.source.name, self.pool, pool_text_key(pool_id_of(dotted)))

    def code_text(self, dotted: str) -> str:
        return self.records[code_record_id(dotted)]["code"]


def _time(day: int, minute: int) -> str:
    return f"2024-05-{day:02d}T10:{minute:02d}:00.000000Z"


def _annotator(number: int) -> dict:
    """An older export's user object, so the annotator's (made-up) address is its name."""
    return {"id": number, "email": ANNOTATORS[number - 1], "first_name": "Simulated"}


def label_studio_export(ids: DemoIds) -> list[dict]:
    """The review of model pairs as Label Studio exports a project (Export → JSON)."""
    texts = {target: text for _, text, target in POOL}
    method = MODEL_PREFIX + ids.source.match.model
    tasks = []
    for task_id, (function, documented, labels) in enumerate(MODEL_PAIR_REVIEW, start=1):
        left, right = ids.code(function), ids.pool_text(documented)
        annotations = [
            {
                "id": (task_id - 1) * len(labels) + number,
                "completed_by": _annotator(number),
                "result": [
                    {
                        "value": {"choices": [label]},
                        "id": f"t{task_id}a{number}",
                        "from_name": "label",
                        "to_name": "left",
                        "type": "choices",
                        "origin": "manual",
                    }
                ],
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": _time(2, 10 * task_id + number),
                "updated_at": _time(2, 10 * task_id + number),
                "lead_time": 20.0 + number,
                "prediction": {},
                "result_count": 0,
                "task": task_id,
                "project": PROJECT,
                "parent_prediction": None,
                "parent_annotation": None,
            }
            for number, label in enumerate(labels, start=1)
        ]
        data = {
            "pair_id": pair_id(left, right, method),
            "left_id": left,
            "right_id": right,
            "source": ids.source.name,
            "method": method,
            "left_modality": "code",
            "right_modality": "text",
            "left": ids.code_text(function),
            "right": texts[documented],
        }
        tasks.append(
            {
                "id": task_id,
                "annotations": annotations,
                "file_upload": "simulated-model-pairs.json",
                "drafts": [],
                "predictions": [],
                "data": data,
                "meta": {"simulated": True, "note": NOTE},
                "created_at": _time(1, task_id),
                "updated_at": _time(2, 10 * task_id + len(labels)),
                "inner_id": task_id,
                "total_annotations": len(annotations),
                "cancelled_annotations": 0,
                "total_predictions": 0,
                "comment_count": 0,
                "unresolved_comment_count": 0,
                "last_comment_updated_at": None,
                "project": PROJECT,
                "updated_by": len(labels),
                "comment_authors": [],
            }
        )
    return tasks


def spot_check_csv(ids: DemoIds) -> str:
    """The spot check as ``annotator,item,candidate,label`` rows (extra columns are ignored)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["annotator", "item", "candidate", "label", "created_at", "task_id", "note"])
    for task, (function, documented, labels) in enumerate(SPOT_CHECK, start=1):
        control = "control: another function's docstring" if function != documented else ""
        for number, label in enumerate(labels, start=1):
            writer.writerow(
                [
                    ANNOTATORS[number - 1],
                    ids.code(function),
                    ids.docstring(documented),
                    label,
                    _time(3, 10 * task + number),
                    f"spot-{task}",
                    "; ".join(filter(None, ["simulated", control])),
                ]
            )
    return buffer.getvalue()


def write_simulated_annotations(folder: Path, config: SourcesConfig) -> list[Path]:
    """Write both files into ``folder`` (made if missing); returns their paths."""
    ids = DemoIds(config)
    folder.mkdir(parents=True, exist_ok=True)
    export = json.dumps(label_studio_export(ids), indent=2, ensure_ascii=False) + "\n"
    files = {LABEL_STUDIO_FILE: export, CSV_FILE: spot_check_csv(ids)}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]
