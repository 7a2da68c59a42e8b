"""Read a Label Studio JSON export: one judgement per completed annotation of each task.

The export is a list of tasks; each task carries crosspair's ids in ``data`` (``left_id`` and
``right_id``, or ``pair_id``) and its ``annotations``, each with ``completed_by``, a ``result``
list holding one ``choices`` entry, and ``was_cancelled``. Cancelled annotations and ones
without a single choice are skipped and listed with their reason. A lone UTF-16 surrogate
escape such as ``"\\ud800"`` is valid JSON but not text a table can hold: the file is rejected,
naming the task and the field.

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
from crosspair.storable import is_storable

log = logging.getLogger(__name__)

_EXPORT_AGAIN = "export the project again from Label Studio with Export → JSON"
_SURROGATE_FIX = (
    "write the character itself or a complete surrogate pair, or export the project again"
)
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
        text = path.read_text(encoding="utf-8-sig")
        tasks = json.loads(text)
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
    emails = _user_emails(tasks)
    for index, task in enumerate(tasks):
        # strictly decoded UTF-8 holds no surrogate: only a \u escape can make one
        field = _lone_surrogate_at(task) if "\\u" in text else None
        if field is not None:
            raise AnnotationFileError(
                path,
                f"task #{index}, {field}",
                "holds a lone surrogate escape (e.g. \\ud800), which is not text",
                _SURROGATE_FIX,
            )
        _read_task(task, index, path, shown, choice_name, parsed, emails)
    log.info(
        "%s: %d judgements from %d tasks, %d annotations skipped",
        shown,
        len(parsed.judgements),
        len(tasks),
        len(parsed.skipped),
    )
    return parsed


def _read_task(
    task, index: int, path: Path, shown: str, choice_name, parsed: ParsedFile, emails: dict
):
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
            "annotator": _annotator(annotation.get("completed_by"), emails, path, here),
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


def _annotator(completed_by, emails: dict[str, str], path: Path, where: str) -> str:
    """The annotator of an annotation: the user's email where the export gives one, else the id.

    Exports write ``completed_by`` as the user id, or as a user object with ``id`` and
    ``email``. A bare id takes the email that the same export gives that id elsewhere
    (``emails``), so a user is one annotator whichever form an annotation uses; CSV files name
    annotators by email too.
    """
    if isinstance(completed_by, dict):
        email, user_id = completed_by.get("email"), completed_by.get("id")
        completed_by = email if isinstance(email, str) and email.strip() else user_id
    elif (key := _user_key(completed_by)) is not None:
        completed_by = emails.get(key, key)
    if completed_by in (None, ""):
        raise AnnotationFileError(
            path, where, "has no completed_by (annotator)", _EXPORT_AGAIN + " with user ids"
        )
    annotator = _user_key(completed_by)
    if annotator is None:
        raise AnnotationFileError(
            path,
            where,
            f"completed_by is {completed_by!r}, not a user id, email or user object",
            _EXPORT_AGAIN + " with user ids",
        )
    return annotator


def _user_key(value) -> str | None:
    """A user id or email as text: spaces trimmed, 7.0 written 7; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | str):
        return str(value).strip()
    return None


def _user_emails(tasks: list) -> dict[str, str]:
    """User id -> email, from the user objects of an export's annotations."""
    emails: dict[str, str] = {}
    for task in tasks:
        annotations = task.get("annotations") if isinstance(task, dict) else None
        for annotation in annotations if isinstance(annotations, list) else []:
            user = annotation.get("completed_by") if isinstance(annotation, dict) else None
            if isinstance(user, dict) and isinstance(user.get("email"), str) and user["email"]:
                key = _user_key(user.get("id"))
                if key:
                    emails.setdefault(key, user["email"].strip())
    return emails


def _lone_surrogate_at(task) -> str | None:
    """Where in ``task`` a key or string holds a lone surrogate (e.g. ``data.left_id``), if any.

    Walks the task with a stack, not recursion: json.loads accepts nesting deeper than a
    recursive walk could follow.
    """
    stack: list[tuple[str, object]] = [("", task)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, str):
            if not is_storable(value):
                return at or "the task"
        elif isinstance(value, dict):
            for key in value:
                if not is_storable(key):
                    return f"a key of {at or 'the task'}"
            stack += [(f"{at}.{key}" if at else key, item) for key, item in value.items()][::-1]
        elif isinstance(value, list):
            stack += [(f"{at}[{n}]", item) for n, item in enumerate(value)][::-1]
    return None


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
