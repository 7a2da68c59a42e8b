"""Read a Label Studio JSON export: one judgement per completed annotation of each task.

The export is a list of tasks; each task carries crosspair's ids in ``data`` (``left_id`` and
``right_id``, or ``pair_id``) and its ``annotations``, each with ``completed_by``, a ``result``
list holding one ``choices`` entry, and ``was_cancelled``. Cancelled annotations and ones
without a single choice are skipped and listed with their reason.

>>> parsed = read_label_studio("annotations/project-3.json")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from crosspair.annotation.records import (
    AnnotationFileError,
    ParsedFile,
    RawJudgement,
    normalise_label,
    parse_time,
    skipped_row,
)

log = logging.getLogger(__name__)

_EXPORT_AGAIN = "export the project again from Label Studio with Export → JSON"
_TASK_IDS = (
    "put left_id and right_id (or pair_id) in each task's data, as crosspair's exporter does"
)


def read_label_studio(
    path: str | Path, choice_name: str | None = None, display_path: str | None = None
) -> ParsedFile:
    """Judgements of every task in the export at ``path``.

    ``choice_name`` picks one ``<Choices>`` control by name when the labelling config has
    several; ``display_path`` is the file name recorded in the rows (default: ``path``).
    """
    path = Path(path)
    shown = display_path or str(path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as err:
        raise AnnotationFileError(
            path,
            f"line {err.lineno} column {err.colno}",
            f"not valid JSON ({err.msg})",
            _EXPORT_AGAIN,
        ) from None
    except UnicodeDecodeError as err:
        raise AnnotationFileError(
            path, f"byte {err.start}", "not UTF-8 text", _EXPORT_AGAIN
        ) from None
    except RecursionError:
        # json recurses once per nested array or object; an export nests a few levels, so a
        # file past Python's recursion limit is not one
        raise AnnotationFileError(
            path, "structure", "JSON nested too deeply to read", _EXPORT_AGAIN
        ) from None
    if not isinstance(tasks, list):
        raise AnnotationFileError(
            path,
            "top level",
            f"expected a list of tasks, found a JSON {type(tasks).__name__}",
            _EXPORT_AGAIN + " (JSON-MIN, CSV and single tasks are not exports of annotations)",
        )

    parsed = ParsedFile()
    for index, task in enumerate(tasks):
        _read_task(task, index, path, shown, choice_name, parsed)
    log.info(
        "%s: %d judgements from %d tasks, %d annotations skipped",
        shown,
        len(parsed.judgements),
        len(tasks),
        len(parsed.skipped),
    )
    return parsed


def _read_task(task, index: int, path: Path, shown: str, choice_name, parsed: ParsedFile):
    task_name = f"task #{index}"
    if not isinstance(task, dict):
        raise AnnotationFileError(path, task_name, "is not a JSON object", _EXPORT_AGAIN)
    task_id = str(task.get("id", index))
    where = f"task #{index} (id {task_id})"
    data = task.get("data")
    if not isinstance(data, dict):
        raise AnnotationFileError(path, where, "has no 'data' object", _EXPORT_AGAIN)
    annotations = task.get("annotations")
    if not isinstance(annotations, list):
        raise AnnotationFileError(
            path, where, "has no 'annotations' list", _EXPORT_AGAIN + " (not the task list)"
        )
    left, right, pair_ref = _task_ids(data, path, where)

    for number, annotation in enumerate(annotations):
        here = f"{where}, annotation #{number}"
        if not isinstance(annotation, dict):
            raise AnnotationFileError(path, here, "is not a JSON object", _EXPORT_AGAIN)
        base = {
            "annotator": _annotator(annotation.get("completed_by"), path, here),
            "left_id": left,
            "right_id": right,
            "pair_ref": pair_ref,
            "source_file": shown,
            "task_id": task_id,
        }
        if annotation.get("was_cancelled"):
            parsed.skipped.append(skipped_row(base, "cancelled", f"{here} was cancelled"))
            continue
        choices = _choices(annotation.get("result"), choice_name, path, here)
        if len(choices) != 1:
            reason = "no_choice" if not choices else "several_choices"
            detail = f"{here}: {len(choices)} choices {choices}; one label is needed"
            parsed.skipped.append(skipped_row(base, reason, detail))
            continue
        parsed.judgements.append(
            RawJudgement(
                **base,
                label=normalise_label(choices[0]),
                created_at=parse_time(annotation.get("created_at"), path, here),
                where=here,
            )
        )


def _task_ids(data: dict, path: Path, where: str) -> tuple[str, str, str]:
    """(left_id, right_id, pair_ref) of a task; either both item ids or a pair id is needed."""
    ids = {key: data.get(key) for key in ("left_id", "right_id", "pair_id")}
    for key, value in ids.items():
        if value is not None and not isinstance(value, str):
            raise AnnotationFileError(
                path, where, f"data.{key} is {value!r}, not a string", _TASK_IDS
            )
    left, right, pair_ref = (ids[key] or "" for key in ("left_id", "right_id", "pair_id"))
    if (left and right) or pair_ref:
        return left, right, pair_ref
    raise AnnotationFileError(
        path, where, "data has neither left_id and right_id nor pair_id", _TASK_IDS
    )


def _annotator(completed_by, path: Path, where: str) -> str:
    """Label Studio writes the user id, or (older versions) a user object with an email."""
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    if isinstance(completed_by, bool) or completed_by in (None, ""):
        raise AnnotationFileError(
            path, where, "has no completed_by (annotator)", _EXPORT_AGAIN + " with user ids"
        )
    return str(completed_by)


def _choices(result, choice_name: str | None, path: Path, where: str) -> list[str]:
    """Every choice made in the annotation's ``choices`` results (of ``choice_name`` if set)."""
    # TODO: only <Choices> controls are read; ratings, text areas or per-region labels of a
    # richer labelling config are ignored.
    if not isinstance(result, list):
        raise AnnotationFileError(path, where, "has no 'result' list", _EXPORT_AGAIN)
    entries = [
        entry
        for entry in result
        if isinstance(entry, dict)
        and entry.get("type") == "choices"
        and (choice_name is None or entry.get("from_name") == choice_name)
    ]
    controls = sorted({str(entry.get("from_name")) for entry in entries})
    if len(controls) > 1:
        raise AnnotationFileError(
            path,
            where,
            f"choices from several controls {controls}",
            "name the control that holds the match label (choice_name)",
        )
    chosen: list[str] = []
    for entry in entries:
        values = (entry.get("value") or {}).get("choices")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise AnnotationFileError(
                path, where, f"value.choices is {values!r}, not a list of labels", _EXPORT_AGAIN
            )
        chosen += values
    return chosen
