"""Do catalogued items still match what is on disk? Existence, size, sha256, audio header."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pandas as pd
import soundfile

from crosspair.ids import sha256_file, sha256_text
from crosspair.validation.outcome import CheckOutcome

logger = logging.getLogger(__name__)

FAILURE_COLUMNS = ["item_id", "source", "modality", "path", "problem", "expected", "actual"]
#: Catalog columns whose text is the item itself, for records that live inside a manifest.
CONTENT_COLUMNS = ("text", "code")

Resolver = Callable[[pd.Series], Path]


def check_integrity(
    catalog: pd.DataFrame,
    resolve: Resolver,
    duration_tolerance_s: float = 0.05,
    workers: int = 4,
) -> CheckOutcome:
    """Re-verify every catalog row against its source.

    File rows: ``resolve(row)`` gives the absolute path; the file must exist and keep its
    ``size_bytes`` (where the table has it) and ``sha256``. Audio rows (also those of the
    extracted-audio table) need ``frames / sample_rate`` to agree with ``duration_s`` where
    present and, where soundfile can read the header, the same frames and sample rate.
    Header frames may differ from catalogued (decoded) frames by at most the tolerance. Record
    rows (``record_key`` set, a ``text`` or ``code`` column) have no file of their own: the
    sha256 of that column must match instead.
    """
    rows = [row for _, row in catalog.iterrows()]
    content_column = next((c for c in CONTENT_COLUMNS if c in catalog.columns), None)
    is_record = [_is_record(row, content_column) for row in rows]

    # hashing releases the GIL, so threads overlap the reads of large media
    check = partial(
        _check_row, content_column=content_column, resolve=resolve, tolerance_s=duration_tolerance_s
    )
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(check, rows, is_record))

    failures = pd.DataFrame(
        [failure for failures, _ in results for failure in failures], columns=FAILURE_COLUMNS
    )
    headers = [header for _, header in results if header is not None]
    summary: dict[str, int | float | str] = {
        "rows": len(rows),
        "file_rows": is_record.count(False),
        "record_rows": is_record.count(True),
        "audio_rows": len(headers),
        "audio_headers_read": sum(headers),
        "failing_items": int(failures["item_id"].nunique()),
    }
    for problem, count in failures["problem"].value_counts().sort_index().items():
        summary[f"problem.{problem}"] = int(count)
    logger.info(
        "integrity: %d rows (%d files, %d records), %d failing items",
        len(rows),
        summary["file_rows"],
        summary["record_rows"],
        summary["failing_items"],
    )
    return CheckOutcome.build(failures.empty, summary, failures)


def _is_record(row: pd.Series, content_column: str | None) -> bool:
    return content_column is not None and bool(_str(row.get("record_key")))


def _check_row(
    row: pd.Series,
    is_record: bool,
    *,
    content_column: str | None,
    resolve: Resolver,
    tolerance_s: float,
) -> tuple[list[dict], bool | None]:
    """Failures of one row, and whether an audio header was read (None: not an audio row)."""
    if is_record:
        problems = _check_record(row, content_column)
    else:
        problems = _check_file(row, resolve)

    header_read = None
    if _is_audio(row):
        header_read = False
        if not any(problem[0] == "missing_file" for problem in problems):
            audio_problems, header_read = _check_audio(row, resolve, tolerance_s)
            problems += audio_problems
    return [_failure(row, *problem) for problem in problems], header_read


def _check_record(row: pd.Series, content_column: str | None) -> list[tuple]:
    content = row.get(content_column)
    if not isinstance(content, str):
        return [("missing_content", f"{content_column} text", repr(content))]
    actual = sha256_text(content)
    if actual != row["sha256"]:
        return [("sha256_mismatch", row["sha256"], actual)]
    return []


def _check_file(row: pd.Series, resolve: Resolver) -> list[tuple]:
    try:
        path = Path(resolve(row))
    except Exception as err:  # the resolver is the caller's code; report, don't crash the check
        return [("unresolvable_path", "an absolute path", f"{type(err).__name__}: {err}")]
    if not path.is_file():
        return [("missing_file", str(path), "no such file")]

    size = path.stat().st_size
    expected_size = row.get("size_bytes")
    if expected_size is not None and not pd.isna(expected_size) and size != int(expected_size):
        # a changed size already proves a changed file; skip hashing it
        return [("size_mismatch", str(int(expected_size)), str(size))]
    actual = sha256_file(path)
    if actual != row["sha256"]:
        return [("sha256_mismatch", row["sha256"], actual)]
    return []


def _is_audio(row: pd.Series) -> bool:
    """Audio catalog rows, and modality-less rows with frames and sample rate (extracted audio)."""
    if "modality" in row.index:
        return row["modality"] == "audio"
    return "frames" in row.index and "sample_rate" in row.index


def _check_audio(row: pd.Series, resolve: Resolver, tolerance_s: float) -> tuple[list, bool]:
    problems: list[tuple] = []
    frames, rate = row.get("frames"), row.get("sample_rate")
    if _missing(frames, rate) or int(rate) <= 0:
        return [("missing_audio_fields", "frames and sample_rate", "null or 0")], False

    computed = int(frames) / int(rate)
    if "duration_s" in row.index:
        duration = row["duration_s"]
        if _missing(duration):
            problems.append(("missing_audio_fields", "duration_s", "null"))
        elif not math.isclose(computed, float(duration), rel_tol=0.0, abs_tol=tolerance_s):
            problems.append(("duration_mismatch", f"{float(duration):.4f}", f"{computed:.4f}"))

    header = _read_header(row, resolve)
    if header is None:
        return problems, False
    # the catalog keeps the frames decoded to the end, which may exceed an estimating header
    # (MP3) by a few frames; a gap beyond the tolerance means the file changed
    if abs(header.frames - int(frames)) > tolerance_s * int(rate):
        problems.append(("header_frames_mismatch", str(int(frames)), str(header.frames)))
    if header.samplerate != int(rate):
        problems.append(("header_rate_mismatch", str(int(rate)), str(header.samplerate)))
    return problems, True


def _read_header(row: pd.Series, resolve: Resolver):
    """soundfile's view of the file, or None where it cannot read it (then only math is checked)."""
    if _str(row.get("record_key")):
        return None
    try:
        return soundfile.info(str(resolve(row)))
    except Exception as err:  # formats libsndfile lacks are catalogued through other decoders
        logger.debug("no soundfile header for %s: %s", row.get("item_id"), err)
        return None


def _failure(row: pd.Series, problem: str, expected: str, actual: str) -> dict:
    return {
        "item_id": _str(row.get("item_id")),
        "source": _str(row.get("source")),
        "modality": _str(row.get("modality")),
        "path": _str(row.get("path")),
        "problem": problem,
        "expected": str(expected),
        "actual": str(actual),
    }


def _missing(*values: object) -> bool:
    return any(value is None or pd.isna(value) for value in values)


def _str(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
