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
