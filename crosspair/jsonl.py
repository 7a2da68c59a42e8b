"""Read a JSON Lines file record by record, turning each unreadable line into an error text.

Manifests and match pools are written by people and other tools, so any line may be broken:
not UTF-8, not JSON, nested beyond what the parser can follow, not an object, or holding a
lone UTF-16 surrogate escape such as ``"\\ud800"`` (valid JSON, but not text that can be
stored). Each of those yields ``(line number, None, why)`` and reading goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from crosspair.storable import is_storable


def read_records(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, record or None, error) for every non-blank line of ``path``."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as err:
                yield number, None, f"line {number} is not UTF-8 ({err.reason}); re-encode it"
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                yield number, None, f"line {number} is not JSON: {err.msg}"
                continue
            except RecursionError:
                yield number, None, f"line {number} nests too deeply to read"
                continue
            if not isinstance(record, dict):
                yield number, None, f"line {number} is not a JSON object"
                continue
            if "\\u" in line and not is_storable(json.dumps(record, ensure_ascii=False)):
                yield (
                    number,
                    None,
                    f"line {number} holds a lone surrogate escape (e.g. \\ud800), which is not "
                    "text; write the character itself or a complete surrogate pair",
                )
                continue
            yield number, record, ""


def line_id(number: int) -> str:
    """The id given to a record that has none of its own: its line number."""
    return f"line:{number}"


def repeated_id(path: str, number: int, record_id: str, first_line: int) -> str:
    """Why the record on line ``number`` is rejected: line ``first_line`` already has its id.

    An id made from a line number (``line_id``) can clash with a real id; the text says so,
    since neither line may show that id.
    """
    detail = f"{path} line {number} repeats id {record_id!r} of line {first_line}"
    named = [n for n in (first_line, number) if record_id == line_id(n)]
    if named:
        detail += f" (line {named[0]} has no id and is named after its line number)"
    return detail + "; ids must be unique"
