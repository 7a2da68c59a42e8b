"""Resolve a request into :class:`Targets` by reading every version's raw data and tables.

Raw data: for every DVC listing that holds a sources file, discovery runs twice on a
skeleton of that version's raw folder (empty placeholders for media, real bytes for the
sources file and the manifests), once as is and once with the request as ``is_erased``; what
the second run leaves out is what the request erases, with the same rules ingest uses
(texts go with their media, side files with their video). Tables: catalogs are matched by
item id and subject ids, then pairs, texts and extracted tracks that hang on an erased item
follow it. Nothing is changed here.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow.parquet as pq
import yaml

from crosspair.discover import Discovery, discover
from crosspair.erasure.rewrite import names_erased
from crosspair.erasure.store import ObjectIndex, read_listing
from crosspair.erasure.targets import RecordRule, Request, Targets
from crosspair.ids import sha256_file
from crosspair.sources import SourcesConfig, SourcesError, load_sources, parse_sources

log = logging.getLogger(__name__)

MEDIA = {"image", "audio", "video", "mesh", "sensor"}


def resolve(
    repo: Path, request: Request, index: ObjectIndex, sources: str = "raw/sources.yaml"
) -> Targets:
    """Everything the request erases, in the workspace and in every object of every store.

    Byte-identical copies of an erased file are erased too: DVC stores identical files as one
    object, so the purge cannot delete one and keep the other. Every item whose file (in a
    version's raw listing, or in the workspace) has the bytes of an erased file joins the
    request, which is then resolved again, until no new copy turns up; ``copy_ids`` holds
    them. A workspace raw file that is no item but has erased bytes leaves ``raw/`` too.
    """
    copies: set[str] = set()
    workspace = _Workspace(repo / sources)
    while True:
        wanted = Request(request.subjects, request.items | copies)
        targets = _resolve_once(repo, wanted, index, sources)
        found = targets.copy_ids | _workspace_copies(workspace, targets)
        new = found - wanted.items
        if not new:
            break
        copies |= new
    targets.copy_ids = copies - request.items
    _workspace_strays(repo, workspace, targets)
    if targets.copy_ids:
        log.warning(
            "%d more items are erased: byte-identical to an erased item", len(targets.copy_ids)
        )
    log.info("request resolves to %s", targets.counts())
    return targets


def _resolve_once(repo: Path, request: Request, index: ObjectIndex, sources: str) -> Targets:
    sources_path = PurePosixPath(sources)
    targets = Targets(
        subjects=set(request.subjects),
        sources_name=sources_path.name,
        sources_dir=str(sources_path.parent),
    )
    listings = {}
    for md5 in _unique_objects(index, lambda md5: md5.endswith(".dir")):
        data = index.read(md5)
        listings[md5] = read_listing(data) if data is not None else []
        for entry in listings[md5]:
            if PurePosixPath(entry["relpath"]).name == targets.sources_name:
                targets.merge(_from_listing(index, listings[md5], entry["relpath"], request))
    workspace_sources = repo / sources
    if workspace_sources.is_file():
        targets.merge(_from_tree(load_sources(workspace_sources), request, None))

    tables = [_frame(index.read(md5)) for md5 in _parquet_objects(index)]
    tables += [_frame(path.read_bytes()) for path in _workspace_parquet(repo, index)]
    _follow_tables([t for t in tables if t is not None], targets, request)
    for entries in listings.values():  # per-item files, named by an erased id
        named = [e["md5"] for e in entries if names_erased(e["relpath"], targets.ids)]
        targets.delete_md5s.update(named)

    for md5 in sorted(targets.delete_md5s):
        data = index.read(md5)
        if data is not None:
            targets.sha256s.add(hashlib.sha256(data).hexdigest())
    return targets


class _Workspace:
    """The workspace's raw items and file hashes, each found or read once per ``resolve``."""

    def __init__(self, sources_path: Path):
        self.sources_path = sources_path
        self._items: list[tuple[str, Path]] | None = None
        self._hashes: dict[Path, str] = {}

    def items(self) -> list[tuple[str, Path]]:
        """(item id, file) of every item of the sources file that has a file on disk."""
        if self._items is None:
            candidates = []
            if self.sources_path.is_file():
                candidates = discover(load_sources(self.sources_path)).candidates
            self._items = [(c.item_id, Path(c.abs_path)) for c in candidates if c.abs_path]
        return self._items

    def sha256(self, path: Path) -> str:
        key = path.resolve()
        if key not in self._hashes:
            self._hashes[key] = sha256_file(key)
        return self._hashes[key]


def _workspace_copies(workspace: _Workspace, targets: Targets) -> set[str]:
    """Ids of workspace items whose file has the bytes of an erased file (any version's)."""
    if not targets.sha256s:
        return set()
    return {
        item_id
        for item_id, path in workspace.items()
        if item_id not in targets.item_ids
        and path.is_file()
        and workspace.sha256(path) in targets.sha256s
    }


def _workspace_strays(repo: Path, workspace: _Workspace, targets: Targets) -> None:
    """Workspace raw files that are no item but hold erased bytes: the purge deletes them, so
    they leave ``raw/`` before the rebuild too (the sources file and manifests stay)."""
    folder = repo / targets.sources_dir
    if not folder.is_dir() or not targets.sha256s:
        return
    keep = {targets.sources_name} | {rule.manifest for rule in targets.record_rules}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(folder).as_posix()
        if rel in keep or rel in targets.raw_paths:
            continue
        if workspace.sha256(path) in targets.sha256s:
            targets.raw_paths.add(rel)


def _unique_objects(index: ObjectIndex, wanted) -> list[str]:
    found = {md5 for _, md5 in index.all_objects() if wanted(md5)}
    found |= {md5 for md5 in index.refs if wanted(md5)}
    return sorted(found)


def _parquet_objects(index: ObjectIndex) -> list[str]:
    found = []
    for md5 in _unique_objects(index, lambda md5: not md5.endswith(".dir")):
        for store in index.stores:
            if store.has(md5):
                with open(store.path(md5), "rb") as handle:
                    if handle.read(4) == b"PAR1":
                        found.append(md5)
                break
    return found


def _workspace_parquet(repo: Path, index: ObjectIndex) -> list[Path]:
    head = index.head
    found = []
    for out in head:
        folder = repo / out.path
        candidates = sorted(folder.rglob("*")) if folder.is_dir() else [folder]
        for path in candidates:
            if path.is_file():
                with open(path, "rb") as handle:
                    if handle.read(4) == b"PAR1":
                        found.append(path)
    return found


def _frame(data: bytes | None) -> pd.DataFrame | None:
    if data is None:
        return None
    try:
        return pq.read_table(io.BytesIO(data)).to_pandas()
    except Exception as err:  # noqa: BLE001 - an unreadable table is skipped, and said so
        log.warning("a Parquet object could not be read (%s); it is matched by bytes only", err)
        return None


# -- raw data -----------------------------------------------------------------------------


def _from_listing(
    index: ObjectIndex, entries: list[dict], sources_rel: str, request: Request
) -> Targets:
    """Discovery on a skeleton of one listing's raw folder."""
    prefix = PurePosixPath(sources_rel).parent
    try:
        raw = yaml.safe_load(index.read(_md5_of(entries, sources_rel)) or b"") or {}
    except yaml.YAMLError as err:
        log.warning("listing with %s: not YAML (%s); skipped", sources_rel, err)
        return Targets()
    if not isinstance(raw, dict):
        return Targets()
    with tempfile.TemporaryDirectory(prefix="crosspair-erasure-") as tmp:
        base = Path(tmp) / "raw"
        inside = [
            s
            for s in (raw.get("sources") or [])
            if isinstance(s, dict) and _inside(prefix, str(s.get("root", "")))
        ]
        try:
            config = parse_sources({**raw, "sources": inside}, base_dir=base, origin=sources_rel)
        except SourcesError as err:
            log.warning("listing with %s: sources file not usable (%s); skipped", sources_rel, err)
            return Targets()
        manifests = {
            (config.root_of(s) / s.manifest.path).relative_to(base).as_posix()
            for s in config.sources
            if s.manifest is not None
        }
        md5_of = {}
        for entry in entries:
            rel = PurePosixPath(entry["relpath"])
            if prefix != PurePosixPath(".") and not rel.is_relative_to(prefix):
                continue
            local = (
                rel.as_posix()
                if prefix == PurePosixPath(".")
                else rel.relative_to(prefix).as_posix()
            )
            md5_of[local] = entry["md5"]
            path = base / local
            path.parent.mkdir(parents=True, exist_ok=True)
            real = local in manifests or local == PurePosixPath(sources_rel).name
            path.write_bytes((index.read(entry["md5"]) or b"") if real else b"")
        for source in config.sources:
            config.root_of(source).mkdir(parents=True, exist_ok=True)
        return _from_tree(config, request, md5_of)


def _md5_of(entries: list[dict], relpath: str) -> str:
    return next(e["md5"] for e in entries if e["relpath"] == relpath)


def _inside(prefix: PurePosixPath, root: str) -> bool:
    joined = os.path.normpath(os.path.join(str(prefix), root))
    return not joined.startswith("..") and not os.path.isabs(root)


def _from_tree(config: SourcesConfig, request: Request, md5_of: dict | None) -> Targets:
    """What discovery leaves out of a raw folder when the request is erased."""
    base = Path(config.base_dir).resolve()
    everything = discover(config)
    kept = discover(config, is_erased=request.matches)
    kept_ids = {c.item_id for c in kept.candidates} | {r["item_id"] for r in kept.rejects}
    found = Targets()
    erased = [c for c in everything.candidates if c.item_id not in kept_ids]
    found.item_ids |= {c.item_id for c in erased}
    found.item_ids |= {r["item_id"] for r in everything.rejects if r["item_id"] not in kept_ids}
    erased_media = {(c.source, c.path) for c in erased if c.modality != "text"}
    for candidate in erased:
        source = config.by_name(candidate.source)
        manifest = source.manifest
        manifest_rel = _relative(config.root_of(source) / manifest.path, base) if manifest else ""
        if candidate.abs_path is not None:
            found.raw_paths.add(_relative(Path(candidate.abs_path), base))
            found.media_paths.add(candidate.path)
        if candidate.modality == "code" and manifest and manifest.id_field:
            found.record_rules.add(
                RecordRule(manifest_rel, manifest.id_field, candidate.record_key)
            )
        elif candidate.modality != "text" and manifest and manifest.media_field:
            found.record_rules.add(RecordRule(manifest_rel, manifest.media_field, candidate.path))
        elif candidate.modality == "text" and manifest and candidate.abs_path is None:
            text = candidate.payload.get("text")
            if text:
                found.texts.add(text)
            anchor = candidate.payload.get("anchor", "")
            if (candidate.source, anchor) not in erased_media and manifest.media_field:
                position = int(candidate.record_key.rsplit("#", 1)[-1] or 0)
                found.record_rules.add(
                    RecordRule(
                        manifest_rel, manifest.media_field, anchor, manifest.text_field, position
                    )
                )
    found.raw_paths |= _files_named_by_records(config, found.record_rules, base)
    if md5_of is not None:
        found.delete_md5s |= {md5_of[p] for p in found.raw_paths if p in md5_of}
        found.copy_ids |= {  # the same object as an erased file: a byte-identical copy
            c.item_id
            for c in everything.candidates
            if c.item_id not in found.item_ids
            and c.abs_path is not None
            and md5_of.get(_relative(Path(c.abs_path), base)) in found.delete_md5s
        }
    _log_found(everything, kept, found)
    return found


def _files_named_by_records(config: SourcesConfig, rules, base: Path) -> set[str]:
    """Other files a dropped record names (an alignment, a side file): they go with it."""
    named: set[str] = set()
    for source in config.sources:
        manifest = source.manifest
        if manifest is None:
            continue
        root = config.root_of(source)
        path = root / manifest.path
        mine = [r for r in rules if r.manifest == _relative(path, base) and r.index < 0]
        if not mine or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict):
                continue
            if not any(str(record.get(r.field)) == r.value for r in mine):
                continue
            for value in record.values():
                if not isinstance(value, str) or not value or os.path.isabs(value):
                    continue
                target = Path(os.path.normpath(root / value))
                if target.is_relative_to(root) and target.is_file():
                    named.add(_relative(target, base))
    return named


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(os.path.normpath(path), base)).as_posix()


def _log_found(everything: Discovery, kept: Discovery, found: Targets) -> None:
    log.info(
        "raw folder: %d of %d items erased, %d raw files",
        len(everything.candidates)
        + len(everything.rejects)
        - len(kept.candidates)
        - len(kept.rejects),
        len(everything.candidates) + len(everything.rejects),
        len(found.raw_paths),
    )


# -- tables -------------------------------------------------------------------------------


def _anchor_of(record_key: str) -> str:
    """The media path or code id a text's record key starts with (``path|id#0`` → path)."""
    return record_key.rsplit("#", 1)[0].split("|", 1)[0].split("@line", 1)[0]


def _follow_tables(tables: list[pd.DataFrame], targets: Targets, request: Request) -> None:
    """Match catalog rows, then follow texts, pairs and tracks to a fixed point."""
    erased = set(targets.item_ids) | set(request.items)
    subjects = set(request.subjects)
    for table in tables:
        if {"item_id", "subject_ids"} <= set(table.columns):
            tokens = table["subject_ids"].fillna("").astype(str).str.split(";")
            hit = tokens.map(lambda values: bool(subjects.intersection(values)))
            erased |= set(table.loc[hit, "item_id"])

    while True:
        before = len(erased) + len(targets.pair_ids)
        anchors = _anchors(tables, erased)
        for table in tables:
            columns = set(table.columns)
            if {"item_id", "source", "anchor"} <= columns:
                hit = [
                    (s, a) in anchors for s, a in zip(table["source"], table["anchor"], strict=True)
                ]
                erased |= set(table.loc[hit, "item_id"])
            if {"item_id", "source", "record_key"} <= columns and "subject_ids" not in columns:
                keys = table["record_key"].fillna("").astype(str).map(_anchor_of)
                hit = [(s, k) in anchors for s, k in zip(table["source"], keys, strict=True)]
                erased |= set(table.loc[hit, "item_id"])
            if {"item_id", "video_id"} <= columns:
                erased |= set(table.loc[table["video_id"].isin(erased), "item_id"])
            if {"pair_id", "left_id", "right_id"} <= columns:
                left = table["left_id"].isin(erased)
                right = table["right_id"].isin(erased)
                erased |= set(table.loc[left, "right_id"])
                targets.pair_ids |= set(table.loc[left | right, "pair_id"])
                if "group_id" in columns:
                    targets.group_ids |= set(table.loc[left | right, "group_id"])
        if len(erased) + len(targets.pair_ids) == before:
            break

    targets.item_ids |= erased
    for table in tables:
        columns = set(table.columns)
        if "item_id" not in columns:
            continue
        rows = table[table["item_id"].isin(erased)]
        if "sha256" in columns and "video_id" in columns:  # tracks extracted from videos
            targets.sha256s |= set(rows["sha256"].dropna())
        elif {"sha256", "modality"} <= columns:
            targets.sha256s |= set(rows.loc[rows["modality"].isin(MEDIA), "sha256"].dropna())
        if {"path", "modality"} <= columns:
            targets.media_paths |= set(rows.loc[rows["modality"].isin(MEDIA), "path"].dropna())
        if "text" in columns:
            targets.texts |= {t for t in rows["text"].dropna() if isinstance(t, str) and t}


def _anchors(tables: list[pd.DataFrame], erased: set[str]) -> set[tuple[str, str]]:
    """(source, path) of erased media and (source, id) of erased code records."""
    anchors = set()
    for table in tables:
        if not {"item_id", "source", "modality", "path", "record_key"} <= set(table.columns):
            continue
        rows = table[table["item_id"].isin(erased)]
        for source, modality, path, key in zip(
            rows["source"], rows["modality"], rows["path"], rows["record_key"], strict=True
        ):
            if modality == "code":
                anchors.add((source, key))
            elif modality != "text":
                anchors.add((source, path))
    return anchors
