"""Filters that take erased data out of one file's bytes, keeping everything else as it was.

Each filter returns the new bytes and how much it removed, or nothing when there is nothing
to remove, so applying one twice is the same as applying it once: that is what makes an
interrupted erasure safe to rerun. Kept Parquet rows, tar members, listing entries and JSONL
lines are carried over unchanged (tar members byte for byte, headers included).

>>> outcome = examine(data, "files/md5/ab/cd…", targets)   # doctest: +SKIP
>>> outcome.op, outcome.removed, outcome.unit               # doctest: +SKIP
('rewrite', 5, 'rows')
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from crosspair.erasure.targets import RecordRule, Targets


@dataclass(frozen=True)
class Outcome:
    """What erasing does to one file: nothing (``op`` None), ``delete`` or ``rewrite``."""

    kind: str
    op: str | None = None
    data: bytes | None = None
    removed: int = 0
    unit: str = ""


def classify(name: str, data: bytes) -> str:
    """``dir``, ``parquet``, ``tar``, ``jsonl``, ``text`` or ``media`` (anything binary)."""
    if name.endswith(".dir"):
        return "dir"
    if data[:4] == b"PAR1":
        return "parquet"
    if len(data) >= 262 and data[257:262] == b"ustar":
        return "tar"
    if b"\x00" in data[:8192]:
        return "media"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "media"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if name.endswith(".jsonl") or (first.startswith("{") and first.rstrip().endswith("}")):
        return "jsonl"
    return "text"


def examine(
    data: bytes, name: str, targets: Targets, manifest: str | None = None, md5: str = ""
) -> Outcome:
    """Decide what erasing does to a file or object named ``name`` holding ``data``.

    ``manifest`` is the file's path relative to the sources folder when it is known to be a
    raw manifest (then only that manifest's record rules apply; otherwise all do); ``md5``
    is the object's name when it is a DVC object.
    """
    kind = classify(name, data)
    if names_erased(name, targets.ids):  # a per-item file (an alignment named by its id)
        return Outcome(kind, "delete")
    if (md5 and md5 in targets.delete_md5s) or hashlib.sha256(data).hexdigest() in targets.sha256s:
        return Outcome(kind, "delete")
    if kind == "parquet":
        return _rewritten(kind, *filter_parquet(data, row_filter(targets)), "rows")
    if kind == "tar":
        return _rewritten(kind, *filter_tar(data, targets.ids, targets.sha256s), "members")
    if kind == "dir":
        return _rewritten(kind, *filter_listing(data, targets), "entries")
    if kind == "jsonl":
        rules = [r for r in targets.record_rules if manifest is None or r.manifest == manifest]
        return _rewritten(kind, *filter_jsonl(data, rules, targets.ids), "records")
    if kind == "text":
        return _rewritten(kind, *filter_lines(data, targets.needles()), "lines")
    return Outcome(kind)


def names_erased(path: str, ids: set[str]) -> bool:
    """True if a path component, up to its first dot, is an erased id (``ab12….TextGrid``)."""
    return any(part.split(".", 1)[0] in ids for part in PurePosixPath(path).parts)


def _rewritten(kind: str, data: bytes | None, removed: int, unit: str) -> Outcome:
    if data is None:
        return Outcome(kind, unit=unit)
    return Outcome(kind, "rewrite", data, removed, unit)


# -- Parquet ------------------------------------------------------------------------------


def row_filter(targets: Targets) -> Callable[[str, str], bool]:
    """``erased(column, value)``: a cell that ties its row to erased data."""
    exact = targets.ids | targets.sha256s
    subjects, labels, ids = targets.subjects, targets.leakage_labels, targets.ids

    def erased(column: str, value: str) -> bool:
        if value in exact:
            return True
        if column.endswith("subject_ids"):
            return bool(subjects.intersection(value.split(";")))
        if column == "leakage_group":
            return value in labels
        return ";" in value and bool(ids.intersection(value.split(";")))

    return erased


def filter_parquet(data: bytes, erased: Callable[[str, str], bool]) -> tuple[bytes | None, int]:
    """Drop every row with a cell ``erased`` flags; keep schema, metadata and compression."""
    table = pq.read_table(io.BytesIO(data))
    keep = [True] * table.num_rows
    for name in table.column_names:
        column = table.column(name)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        for row, value in enumerate(column.to_pylist()):
            if keep[row] and value is not None and erased(name, value):
                keep[row] = False
    removed = keep.count(False)
    if not removed:
        return None, 0
    kept = table.filter(pa.array(keep))
    out = io.BytesIO()
    pq.write_table(kept, out, compression=_compression(data))
    return out.getvalue(), removed


def _compression(data: bytes) -> str:
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    if metadata.num_row_groups and metadata.num_columns:
        return metadata.row_group(0).column(0).compression.lower()
    return "snappy"


# -- WebDataset tar -----------------------------------------------------------------------


def sample_key(member: str) -> str:
    """The WebDataset key of a tar member: its folder plus its name up to the first dot."""
    path = PurePosixPath(member)
    key = path.name.split(".", 1)[0]
    return key if str(path.parent) == "." else f"{path.parent}/{key}"


def filter_tar(data: bytes, keys: set[str], sha256s: set[str]) -> tuple[bytes | None, int]:
    """Drop every member of a sample whose key is erased or that holds erased media bytes."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        members = archive.getmembers()
        contents = {m.name: archive.extractfile(m).read() if m.isfile() else b"" for m in members}
        fmt = archive.format
    dropped = {
        sample_key(m.name)
        for m in members
        if PurePosixPath(sample_key(m.name)).name in keys
        or hashlib.sha256(contents[m.name]).hexdigest() in sha256s
    }
    removed = sum(1 for m in members if sample_key(m.name) in dropped)
    if not removed:
        return None, 0
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as writer:
        for member in members:
            if sample_key(member.name) not in dropped:
                writer.addfile(member, io.BytesIO(contents[member.name]))
    return out.getvalue(), removed


# -- DVC directory listings ---------------------------------------------------------------


def filter_listing(data: bytes, targets: Targets) -> tuple[bytes | None, int]:
    """Drop entries of deleted objects and of erased raw files from a ``.dir`` listing.

    Raw paths are relative to the sources file's folder, found in the listing itself.
    """
    entries = json.loads(data)
    prefixes = [
        str(PurePosixPath(e["relpath"]).parent)
        for e in entries
        if PurePosixPath(e["relpath"]).name == targets.sources_name
    ]

    def relative(relpath: str) -> set[str]:
        found = set()
        for prefix in prefixes:
            if prefix == ".":
                found.add(relpath)
            elif relpath.startswith(prefix + "/"):
                found.add(relpath[len(prefix) + 1 :])
        return found

    kept = [
        e
        for e in entries
        if e.get("md5") not in targets.delete_md5s
        and not (relative(e["relpath"]) & targets.raw_paths)
        and not names_erased(e["relpath"], targets.ids)
    ]
    removed = len(entries) - len(kept)
    if not removed:
        return None, 0
    return json.dumps(kept).encode("utf-8"), removed


# -- JSONL manifests and other text -------------------------------------------------------


def _normalised(value) -> str | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    return os.path.normpath(str(value)).replace(os.sep, "/") if value != "" else None


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def filter_jsonl(
    data: bytes, rules: list[RecordRule], ids: set[str] = frozenset()
) -> tuple[bytes | None, int]:
    """Drop records a rule names or that hold an erased id (or blank the one text a rule
    names); other lines stay as they were, byte for byte."""
    if not rules and not ids:
        return None, 0
    lines = data.decode("utf-8").splitlines(keepends=True)
    out, removed = [], 0
    for line in lines:
        try:
            record = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            out.append(line)
            continue
        hits = [
            rule
            for rule in rules
            if _normalised(record.get(rule.field)) == os.path.normpath(rule.value)
            or str(record.get(rule.field)) == rule.value
        ]
        if any(rule.index < 0 for rule in hits) or any(v in ids for v in _strings(record)):
            removed += 1
            continue
        blanked = False
        for rule in hits:
            texts = record.get(rule.text_field)
            if isinstance(texts, list) and rule.index < len(texts) and texts[rule.index]:
                texts[rule.index] = ""
                blanked = True
            elif isinstance(texts, str) and rule.index == 0 and texts:
                record[rule.text_field] = ""
                blanked = True
        if blanked:
            removed += 1
            ending = "\n" if line.endswith("\n") else ""
            line = json.dumps(record, ensure_ascii=False) + ending
        out.append(line)
    if not removed:
        return None, 0
    return "".join(out).encode("utf-8"), removed


def filter_lines(data: bytes, needles: set[str]) -> tuple[bytes | None, int]:
    """Drop lines of a text file that name erased data (ids, hashes, paths)."""
    if not needles:
        return None, 0
    lines = data.decode("utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not any(needle in line for needle in needles)]
    removed = len(lines) - len(kept)
    if not removed:
        return None, 0
    return "".join(kept).encode("utf-8"), removed
