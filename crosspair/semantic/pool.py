"""Discovery of a source's match pool: unlinked texts that become text items of the source.

Each text of the pool file is a text candidate with record key ``pool:<id>#<n>`` and no anchor,
so no heuristic pairs it; ``model_pairs`` pairs it with the source's items by a model. Lines
that cannot be read become ``invalid_record`` rejects and repeated ids ``duplicate_record``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from crosspair.ids import item_id
from crosspair.items import Candidate
from crosspair.jsonl import line_id, read_records, repeated_id

log = logging.getLogger(__name__)

POOL_KEY_PREFIX = "pool:"

Reject = Callable[[Candidate, str, str], None]


def pool_candidates(source, root: Path, reject: Reject) -> list[Candidate]:
    """Text candidates of ``source.match.pool``; unreadable lines go to ``reject``."""
    match = source.match
    path = (root / match.pool).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise FileNotFoundError(
            f"source '{source.name}': match pool {path} not found inside {root}; "
            "fix 'match.pool' in the sources file"
        )

    def candidate(record_key: str, text) -> Candidate:
        return Candidate(
            item_id=item_id(source.name, match.pool, record_key),
            source=source.name,
            modality="text",
            path=match.pool,
            record_key=record_key,
            abs_path=None,
            licence=source.licence,
            # TODO: pools carry no subject field yet, so erasure by person cannot reach them.
            subject_ids="",
            payload={"text": "" if text is None else text, "kind": match.kind, "anchor": ""},
        )

    found: list[Candidate] = []
    seen: dict[str, int] = {}
    for number, record, error in read_records(path):
        if record is None:
            reject(candidate(f"{POOL_KEY_PREFIX}{line_id(number)}", ""), "invalid_record", error)
            continue
        own_id = record.get(match.id_field) if match.id_field else None
        text_id = str(own_id) if own_id not in (None, "") else line_id(number)
        value = record.get(match.text_field)
        # an empty list is one empty text, so the line is rejected rather than lost
        texts = (value if isinstance(value, list) else [value]) or [""]
        for index, text in enumerate(texts):
            key = f"{POOL_KEY_PREFIX}{text_id}#{index}"
            if text_id in seen:
                repeated = candidate(f"{key}@line{number}", text)
                detail = repeated_id(match.pool, number, text_id, seen[text_id])
                reject(repeated, "duplicate_record", detail)
            else:
                found.append(candidate(key, text))
        seen.setdefault(text_id, number)
    log.info("source %s: %d pool texts in %s", source.name, len(found), match.pool)
    return found


def pool_texts(text_catalog: pd.DataFrame, source: str, pool: str) -> pd.DataFrame:
    """The catalogued texts of one source's pool, in catalog order."""
    mask = (
        (text_catalog["source"] == source)
        & (text_catalog["path"] == pool)
        & text_catalog["record_key"].str.startswith(POOL_KEY_PREFIX)
    )
    return text_catalog[mask].reset_index(drop=True)
