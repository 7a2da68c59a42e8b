"""Annotation files → one judgements table (``schemas.JUDGEMENTS``) and its rejects.

Every judgement is checked here, whatever file it came from: both items must be catalogued
(a pair id must name a known pair, and the pair of the item ids when a task names both), the
label must be in the label set, the two items must make a pair crosspair can make, turned to
its direction (``crosspair.annotation.direction``), and an annotator who judged the same pair
twice keeps the latest judgement. Whatever fails becomes a reject row, and so does a file that
cannot be read or whose name is not UTF-8: the other files are still imported.

>>> files, note = find_annotation_files("annotations/")                      # doctest: +SKIP
>>> result = import_judgements(files, item_index(catalogs, tracks), pairs)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crosspair.annotation.adjudication import MATCH, NO_MATCH
from crosspair.annotation.direction import orient
from crosspair.annotation.files import find_annotation_files, read_annotation_file
from crosspair.annotation.records import (
    DEFAULT_LABELS,
    AnnotationFileError,
    RawJudgement,
    file_reject,
    label_set,
    skipped_row,
)
from crosspair.annotation.tables import JUDGEMENT_REJECTS
from crosspair.schemas import JUDGEMENTS, empty_frame
from crosspair.storable import is_storable
from crosspair.weak.pages import shown_name

__all__ = ["ImportResult", "find_annotation_files", "import_judgements", "read_annotation_file"]

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """The judgements table, its rejects, the files read, and warnings about the import."""

    judgements: pd.DataFrame
    rejects: pd.DataFrame
    files: list[str]
    warnings: list[str] = field(default_factory=list)


def import_judgements(
    paths: Iterable[str | Path],
    items: pd.DataFrame,
    pairs: pd.DataFrame | None = None,
    labels: Sequence[str] = DEFAULT_LABELS,
    choice_name: str | None = None,
    base: str | Path | None = None,
) -> ImportResult:
    """Read every file and check each judgement against ``items`` (``item_index``: item id →
    source, modality) and, for files that name pairs by id, ``pairs``.

    ``labels`` are read as the files' labels are (``"No match"`` is ``no_match``). ``base``
    makes the recorded file names relative, so tables do not depend on the folder.
    """
    allowed = set(label_set(labels))
    warnings = _label_set_warnings(allowed)
    raw: list[RawJudgement] = []
    rejects: list[dict] = []
    shown_files = []
    for path in map(Path, paths):
        shown = _display(path, base)
        # tables hold text: a name the OS gave as undecodable bytes is recorded escaped
        readable_name = is_storable(shown)
        shown = shown if readable_name else shown_name(shown)
        shown_files.append(shown)
        try:
            if not readable_name:
                raise AnnotationFileError(
                    shown, "file name", f"'{shown}' is not valid UTF-8", "rename the file"
                )
            parsed = read_annotation_file(path, choice_name, shown)
        except AnnotationFileError as err:
            # one broken file costs its own judgements, not the others'; the reject says why
            log.warning("%s not imported: %s", shown, err)
            rejects.append(file_reject(shown, err))
            continue
        raw += parsed.judgements
        rejects += parsed.skipped

    known_pairs = _pair_lookup(pairs)
    paired = set(known_pairs.values())
    rows, turned = [], 0
    for judgement in raw:
        row, reject = _resolve(judgement, items, known_pairs, paired, allowed)
        if reject is not None:
            rejects.append(reject)
            continue
        rows.append(row)
        turned += row["left_id"] == judgement.right_id
    if turned:
        log.info("%d judgements named their pair right to left: turned round", turned)
    table, superseded = _latest_only(rows)
    rejects += superseded

    reject_table = (
        pd.DataFrame(rejects, columns=list(JUDGEMENT_REJECTS.columns))
        if rejects
        else empty_frame(JUDGEMENT_REJECTS)
    )
    log.info(
        "%d judgements kept, %d rejected, from %d file(s)",
        len(table),
        len(reject_table),
        len(shown_files),
    )
    return ImportResult(table, reject_table, shown_files, warnings)


def _label_set_warnings(allowed: set[str]) -> list[str]:
    """Say so when no label of the set can change a pair: the judgements would decide nothing."""
    if allowed & {MATCH, NO_MATCH}:
        return []
    warning = (
        f"the label set (setting annotation_labels) is {', '.join(sorted(allowed)) or 'empty'}: "
        f"adjudication acts only on '{MATCH}' (adds or keeps a human pair) and '{NO_MATCH}' "
        "(removes the pair), so no judgement will change a pair; include match and no_match"
    )
    log.warning("%s", warning)  # a label may hold a %
    return [warning]


def _display(path: Path, base: str | Path | None) -> str:
    if base is not None:
        try:
            return path.resolve().relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _pair_lookup(pairs: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    if pairs is None or pairs.empty:
        return {}
    return dict(
        zip(pairs["pair_id"], zip(pairs["left_id"], pairs["right_id"], strict=True), strict=True)
    )


def _resolve(
    judgement: RawJudgement, items: pd.DataFrame, known_pairs: dict, paired: set, allowed: set
):
    """(judgement row, None) when usable, else (None, reject row)."""
    left, right = judgement.left_id, judgement.right_id
    if left and right and judgement.pair_ref in known_pairs:
        first, second = known_pairs[judgement.pair_ref]
        if {first, second} != {left, right}:  # either way round is the same pair
            where = f"{judgement.where}: " if judgement.where else ""
            detail = (
                f"{where}pair_id {judgement.pair_ref} is the pair of {first} and {second}, "
                f"not of {left} and {right}; correct the task's data"
            )
            return None, skipped_row(judgement, "conflicting_ids", detail)
    if not (left and right):
        if judgement.pair_ref not in known_pairs:
            detail = f"pair {judgement.pair_ref} is in no pair table"
            return None, skipped_row(judgement, "unknown_pair", detail)
        left, right = known_pairs[judgement.pair_ref]
    named = {**judgement.__dict__, "left_id": left, "right_id": right}
    unknown = [
        f"{side} item {i}" for side, i in (("left", left), ("right", right)) if i not in items.index
    ]
    if unknown:
        detail = " and ".join(unknown) + " in no catalog"
        return None, skipped_row(named, "unknown_item", detail)
    if judgement.label not in allowed:
        detail = f"'{judgement.label}' is not one of {', '.join(sorted(allowed))}"
        return None, skipped_row(judgement, "unknown_label", detail)
    left, right, reason, detail = orient(left, right, items, paired)
    if reason:
        where = f"{judgement.where}: " if judgement.where else ""
        return None, skipped_row(named, reason, where + detail)
    return {
        "annotator": judgement.annotator,
        "source": str(items.at[left, "source"]),
        "left_id": left,
        "left_modality": str(items.at[left, "modality"]),
        "right_id": right,
        "right_modality": str(items.at[right, "modality"]),
        "label": judgement.label,
        "source_file": judgement.source_file,
        "task_id": judgement.task_id,
        "created_at": judgement.created_at,
    }, None


def _latest_only(rows: list[dict]) -> tuple[pd.DataFrame, list[dict]]:
    """One judgement per (annotator, left, right): the latest created, else the last read."""
    if not rows:
        return empty_frame(JUDGEMENTS), []
    frame = pd.DataFrame(rows, columns=list(JUDGEMENTS.columns))
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["created_at", "_order"], na_position="first", kind="mergesort")
    key = ["annotator", "left_id", "right_id"]
    latest = frame.drop_duplicates(key, keep="last")
    older = frame[~frame.index.isin(latest.index)]
    kept_where = latest.set_index(key)[["source_file", "task_id"]]
    superseded = []
    for row in older.to_dict("records"):
        file, task = kept_where.loc[tuple(row[k] for k in key)]
        detail = f"a later judgement of the same pair by {row['annotator']}: {file}, task {task}"
        superseded.append(skipped_row(row, "superseded", detail))
    table = latest.drop(columns="_order").sort_values(
        ["source", "left_id", "right_id", "annotator"], kind="mergesort"
    )
    return table.reset_index(drop=True), superseded
