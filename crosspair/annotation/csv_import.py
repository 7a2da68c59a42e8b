"""Read judgements from a CSV file with the columns ``annotator,item,candidate,label``.

``item`` is the left item id, ``candidate`` the right one. Optional columns: ``created_at``
(ISO 8601) and ``task_id`` (default: the line number). Any other column is ignored; a column
crosspair reads may appear only once.

>>> parsed = read_csv_judgements("annotations/batch1.csv")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from crosspair.annotation.records import (
    AnnotationFileError,
    ParsedFile,
    RawJudgement,
    normalise_label,
    parse_time,
)

log = logging.getLogger(__name__)

REQUIRED = ("annotator", "item", "candidate", "label")
OPTIONAL = ("created_at", "task_id")
_HEADER_FIX = "make the first line the header annotator,item,candidate,label"


def read_csv_judgements(path: str | Path, display_path: str | None = None) -> ParsedFile:
    """One judgement per data line; a missing column or an empty cell is an error."""
    path = Path(path)
    shown = display_path or str(path)
    parsed = ParsedFile()
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)  # a stray quote is an error
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise AnnotationFileError(
                    path,
                    "line 1 (header)",
                    f"missing column(s) {', '.join(missing)} "
                    f"(found: {', '.join(header) or 'none'})",
                    _HEADER_FIX,
                )
            # a repeated column would silently give its last cell; other columns are ignored
            repeated = [n for n in (*REQUIRED, *OPTIONAL) if header.count(n) > 1]
            if repeated:
                raise AnnotationFileError(
                    path,
                    "line 1 (header)",
                    f"repeated column(s) {', '.join(repeated)} (found: {', '.join(header)})",
                    "keep one column of each name: delete or rename the others",
                )
            reader.fieldnames = header
            for row in reader:
                parsed.judgements.append(_judgement(row, reader.line_num, path, shown))
    except UnicodeDecodeError as err:
        raise AnnotationFileError(
            path, f"byte {err.start}", "not UTF-8 text", "save the file as UTF-8 CSV"
        ) from None
    except csv.Error as err:
        raise AnnotationFileError(
            path,
            "CSV structure",
            str(err),
            "check quoting: close every quoted cell, and double a quote inside one",
        ) from None
    log.info("%s: %d judgements", shown, len(parsed.judgements))
    return parsed


def _judgement(row: dict, line: int, path: Path, shown: str) -> RawJudgement:
    where = f"line {line}"
    if None in row:  # more cells than header columns
        raise AnnotationFileError(
            path, where, f"{len(row[None])} cell(s) beyond the header", "quote cells with commas"
        )
    cells = {name: (row.get(name) or "").strip() for name in REQUIRED}
    empty = [name for name, value in cells.items() if not value]
    if empty:
        raise AnnotationFileError(
            path,
            where,
            f"empty {', '.join(empty)}",
            "fill every required cell, or delete the line",
        )
    return RawJudgement(
        annotator=cells["annotator"],
        left_id=cells["item"],
        right_id=cells["candidate"],
        label=normalise_label(cells["label"]),
        source_file=shown,
        task_id=(row.get("task_id") or "").strip() or where,
        created_at=parse_time(row.get("created_at"), path, where),
        where=where,
    )
