"""What an annotation file reader returns: judgements as read, and annotations it skipped.

Readers only parse; ids, labels and duplicates are checked later, in one place
(``crosspair.annotation.judgements``), so both file formats are treated alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crosspair.annotation.tables import UNREADABLE_FILE

DEFAULT_LABELS = ("match", "no_match")
_SEPARATORS = re.compile(r"[\s\-]+")


class AnnotationFileError(ValueError):
    """A file that cannot be read as annotations: names the file, the place and the fix."""

    def __init__(self, path: str | Path, where: str, problem: str, fix: str):
        self.path, self.where, self.problem, self.fix = str(path), where, problem, fix
        super().__init__(f"{path}: {where}: {problem}. Fix: {fix}")


@dataclass(frozen=True)
class RawJudgement:
    """One annotator's label for one (item, candidate), ids not yet checked."""

    annotator: str
    left_id: str
    right_id: str
    label: str
    source_file: str
    task_id: str
    pair_ref: str = ""  # a crosspair pair id, when the file names the pair instead of its items
    created_at: pd.Timestamp | None = None
    where: str = ""  # the line or task in the file, for reject details


@dataclass
class ParsedFile:
    """Judgements read from one file, and annotations skipped with their reason."""

    judgements: list[RawJudgement] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def normalise_label(raw: str) -> str:
    """``"No match"``, ``"no-match"`` and ``"no_match"`` are one label: ``no_match``."""
    return _SEPARATORS.sub("_", str(raw).strip()).lower()


def label_set(labels: Iterable[str]) -> tuple[str, ...]:
    """A configured label set read as the files' labels are: ``("Match", "No match")`` is
    ``("match", "no_match")``, each label once, in the order given."""
    return tuple(dict.fromkeys(normalise_label(label) for label in labels))


RELATIVE_TIMES = frozenset({"now", "today"})  # the words pandas reads as a time


def parse_time(value, path: str | Path, where: str) -> pd.Timestamp | None:
    """An ISO 8601 time as UTC (a time without zone is taken as UTC); empty gives None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        # pandas reads a bare number as nanoseconds since 1970, which would misorder judgements
        number = isinstance(value, int | float) and not isinstance(value, bool)
        kind = "a number" if number else f"a {type(value).__name__}"
        raise AnnotationFileError(
            path,
            where,
            f"created_at is {value!r}, {kind}, not a date and time string",
            'write it as an ISO 8601 string, e.g. "2024-05-01T10:00:00Z", or leave it empty',
        )
    if value.strip().lower() in RELATIVE_TIMES:  # pandas reads them as the time of the import
        raise AnnotationFileError(
            path,
            where,
            f"created time {value!r} is relative to when the import runs",
            "write when the judgement was made, in ISO 8601, e.g. 2024-05-01T10:00:00Z",
        )
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise AnnotationFileError(
            path,
            where,
            f"created time {value!r} is not a date and time ({err})",
            "write it as ISO 8601, e.g. 2024-05-01T10:00:00Z, or leave it empty",
        ) from None
    if stamp is pd.NaT:
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def file_reject(shown: str, error: AnnotationFileError) -> dict[str, str]:
    """A reject row for a file that could not be read: none of its judgements are used."""
    detail = f"{error.where}: {error.problem}; no judgement of the file is used. Fix: {error.fix}"
    return skipped_row({"source_file": shown}, UNREADABLE_FILE, detail)


def skipped_row(judgement: RawJudgement | dict, reason: str, detail: str) -> dict[str, str]:
    """A reject row (schema ``JUDGEMENT_REJECTS``) for an annotation left out."""
    fields = judgement if isinstance(judgement, dict) else judgement.__dict__
    return {
        "source_file": str(fields.get("source_file", "")),
        "task_id": str(fields.get("task_id", "")),
        "annotator": str(fields.get("annotator", "")),
        "left_id": str(fields.get("left_id", "")),
        "right_id": str(fields.get("right_id", "")),
        "pair_ref": str(fields.get("pair_ref", "")),
        "label": str(fields.get("label", "")),
        "reason": reason,
        "detail": detail,
    }
