"""What discovery hands to the per-item work: one candidate per file or manifest record."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    """An item found in a source, not yet decoded.

    ``path`` is relative to the source root (for records: the manifest's path) and
    ``abs_path`` is the checked absolute path of the file to decode (None for records whose
    content is in ``payload``).
    """

    item_id: str
    source: str
    modality: str
    path: str
    record_key: str
    abs_path: str | None
    licence: str
    subject_ids: str
    payload: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Rejected(Exception):
    """Raised by a probe for an item that cannot be used; becomes a row of the rejects table."""

    reason: str
    detail: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


def reject_row(candidate: Candidate, stage: str, reason: str, detail: str) -> dict:
    """A rejects-table row for a candidate."""
    return {
        "source": candidate.source,
        "modality": candidate.modality,
        "path": candidate.path,
        "record_key": candidate.record_key,
        "item_id": candidate.item_id,
        "stage": stage,
        "reason": reason,
        "detail": detail,
    }


def catalog_base(candidate: Candidate, size_bytes: int, sha256: str) -> dict:
    """The catalog columns every modality shares."""
    return {
        "item_id": candidate.item_id,
        "source": candidate.source,
        "modality": candidate.modality,
        "path": candidate.path,
        "record_key": candidate.record_key,
        "size_bytes": int(size_bytes),
        "sha256": sha256,
        "licence": candidate.licence,
        "subject_ids": candidate.subject_ids,
    }
