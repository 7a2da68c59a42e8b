"""What an erasure removes: the request in clear, and everything it resolves to.

A :class:`Request` is what the person asked for (subject ids, item ids). :class:`Targets` is
what that means in the data of every version: the items (and the texts, tracks and side
files that hang on them), their pairs and pair groups, the sha256 of their media, the DVC
objects to delete, the raw files and manifest records to drop. Targets live only in the
private work file of an erasure in progress and are deleted with it.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field

from crosspair.ids import item_id
from crosspair.items import Candidate

_ITEM_ID = re.compile(r"^[0-9a-f]{16}$")
# needles shorter than this are only looked for in text files and as whole values
LONG_NEEDLE = 12


@dataclass(frozen=True)
class Request:
    """Subject ids and item ids in clear, as given on the command line."""

    subjects: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()

    def matches(self, candidate: Candidate) -> bool:
        if candidate.item_id in self.items:
            return True
        return bool(self.subjects & set(filter(None, candidate.subject_ids.split(";"))))


def item_ids_for(value: str, source_names: list[str]) -> set[str]:
    """An ``--item`` value as item ids: itself if it is one, else a path in any source.

    ``images/x.jpg`` is the path relative to a source root; ``coco:images/x.jpg`` names the
    source too.
    """
    if _ITEM_ID.match(value):
        return {value}
    source, _, path = value.partition(":") if ":" in value else ("", "", value)
    names = [source] if source else source_names
    path = os.path.normpath(path).replace(os.sep, "/")
    return {item_id(name, path, "") for name in names}


@dataclass(frozen=True)
class RecordRule:
    """A manifest record to drop (``index`` -1) or one text of it to blank.

    ``manifest`` is the JSONL file relative to the sources file's folder; the record is the
    one whose ``field`` holds ``value``.
    """

    manifest: str
    field: str
    value: str
    text_field: str = ""
    index: int = -1


@dataclass
class Targets:
    """Everything an erasure removes, across every version (clear values; private)."""

    subjects: set[str] = field(default_factory=set)
    item_ids: set[str] = field(default_factory=set)
    pair_ids: set[str] = field(default_factory=set)
    group_ids: set[str] = field(default_factory=set)
    sha256s: set[str] = field(default_factory=set)
    delete_md5s: set[str] = field(default_factory=set)
    raw_paths: set[str] = field(default_factory=set)
    record_rules: set[RecordRule] = field(default_factory=set)
    media_paths: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    # items erased because their file is byte-identical to an erased item's (not requested)
    copy_ids: set[str] = field(default_factory=set)
    sources_name: str = "sources.yaml"
    sources_dir: str = "raw"

    @property
    def ids(self) -> set[str]:
        return self.item_ids | self.pair_ids | self.group_ids

    @property
    def leakage_labels(self) -> set[str]:
        return {f"subject:{s}" for s in self.subjects}

    def needles(self) -> set[str]:
        """Strings whose presence in a file means the file still holds erased data."""
        found = self.ids | self.sha256s | self.media_paths | self.raw_paths
        return {n for n in found if len(n) >= LONG_NEEDLE}

    def merge(self, other: Targets) -> None:
        for name in (
            "subjects",
            "item_ids",
            "pair_ids",
            "group_ids",
            "sha256s",
            "delete_md5s",
            "raw_paths",
            "record_rules",
            "media_paths",
            "texts",
            "copy_ids",
        ):
            getattr(self, name).update(getattr(other, name))

    def counts(self) -> dict[str, int]:
        """Sizes only, safe for reports and Dagster metadata."""
        counts = {
            "items": len(self.item_ids),
            "pairs": len(self.pair_ids),
            "pair_groups": len(self.group_ids),
            "media_hashes": len(self.sha256s),
            "raw_files": len(self.raw_paths),
            "manifest_records": len(self.record_rules),
        }
        if self.copy_ids:  # included in "items"
            counts["identical_copies"] = len(self.copy_ids)
        return counts

    def to_json(self) -> dict:
        data: dict = {}
        for name in self.__dataclass_fields__:
            if name == "record_rules":
                continue
            value = getattr(self, name)
            data[name] = sorted(value) if isinstance(value, set) else value
        data["record_rules"] = [asdict(rule) for rule in sorted(self.record_rules, key=_rule_key)]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Targets:
        values = dict(data)
        rules = {RecordRule(**rule) for rule in values.pop("record_rules", [])}
        for name, value in values.items():
            if isinstance(value, list):
                values[name] = set(value)
        return cls(**values, record_rules=rules)


def _rule_key(rule: RecordRule) -> tuple:
    return (rule.manifest, rule.field, rule.value, rule.text_field, rule.index)
