"""A fingerprint per source: what its discovery and catalog rows depend on, in one digest.

Two builds that see the same fingerprint for a source would write the same discovery and
catalog rows for it, so an incremental build reuses that source's tables. The digest covers

- the source's entry in the sources file and its resolved root folder;
- every file its globs match (media and side files), every file its manifest names and its
  match pool, as sorted relative paths with size and modification time (``st_mtime_ns``), or
  "missing";
- with saved pages (``html``): every file under the root. A page may point at any file inside
  the root (relative, site-root, ``site_url`` and ``file://`` URLs), and a file it points at
  that is missing today may be added tomorrow; listing the root covers both without parsing
  the pages once more, at the cost of a rebuild when an unrelated file under the root changes.
  Directory symlinks are recorded with their target (the walk does not follow them);
- the bytes (sha256) of the files that hold texts: the manifest, the match pool and the saved
  pages. No integrity check re-reads a text's file, so these are hashed, not stat'ed;
- the erasure ledger's bytes, and the code that discovers and decodes items (the crosspair
  modules the ingest assets import, at any depth).

Media files are fingerprinted by size and mtime, not by content: hashing would read every
file a second time in each build, since the blocking ``integrity`` check already re-hashes
every catalogued file against its sha256. An edit that keeps both size and mtime is therefore
not missed silently: the integrity check fails and names the file (rebuild with ``--full``).
Keep the build's data folder out of an ``html`` source's root, or every build decodes that
source again.

>>> fingerprints(load_sources("sources.yaml"))   # doctest: +SKIP
{'coco': SourceFingerprint(source='coco', digest='3f1c…', files=4, bytes=512311), ...}
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from crosspair.sources import Source, SourcesConfig

log = logging.getLogger(__name__)

FORMAT = 2  # bump when the digest's inputs change, so every partition is rebuilt once
# TODO: decoder library versions (Pillow, PyAV, soundfile, trimesh) are not part of the digest;
# after upgrading them, build with `--full`.
PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SourceFingerprint:
    """The digest of one source and what it saw: files fingerprinted and their bytes."""

    source: str
    digest: str
    files: int
    bytes: int


def fingerprints(
    config: SourcesConfig,
    *,
    names: Iterable[str] | None = None,
    ledger: str | Path | None = None,
    code: str = "",
) -> dict[str, SourceFingerprint]:
    """Fingerprints of the sources (or the named ones), by name.

    ``ledger`` is the erasure ledger (absent is fine); ``code`` is a :func:`code_digest` of
    the code that discovers and decodes items.
    """
    wanted = None if names is None else set(names)
    shared = {
        "format": FORMAT,
        "ledger": _file_sha256(Path(ledger)) if ledger else None,
        "code": code,
    }
    return {
        source.name: _fingerprint(source, config.root_of(source), shared)
        for source in config.sources
        if wanted is None or source.name in wanted
    }


def _fingerprint(source: Source, root: Path, shared: dict) -> SourceFingerprint:
    # saved pages may point at any file inside the root (see the module docstring)
    under, links = _walk(root) if source.html is not None else (set(), [])
    files = [_stat_entry(root, rel) for rel in sorted(_source_files(source, root) | under)]
    texts = {rel: _text_sha256(root, rel) for rel in sorted(_text_files(source, root))}
    document = {
        **shared,
        "source": source.model_dump(mode="json"),
        "root": str(root),
        "text_sha256": texts,
        "files": files,
        "folder_links": links,
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("ascii")).hexdigest()
    total = sum(entry[1] for entry in files if entry[1] is not None)
    log.debug("source %s: %d files, %d bytes, %s", source.name, len(files), total, digest)
    return SourceFingerprint(source.name, digest, len(files), total)


def _source_files(source: Source, root: Path) -> set[str]:
    """Relative paths of what discovery names: glob matches, manifest-named files, the pool."""
    found = _globbed(root, [*source.files, *source.sidecars.subtitles, *source.sidecars.audio])
    found |= _text_files(source, root)
    if source.manifest is not None and source.manifest.media_field:
        found.update(_named_media(root / source.manifest.path, source.manifest.media_field))
    return found


def _text_files(source: Source, root: Path) -> set[str]:
    """Relative paths of the files whose bytes are texts: manifest, pool, saved pages."""
    found: set[str] = set()
    if source.manifest is not None:
        found.add(Path(source.manifest.path).as_posix())
    if source.match is not None:
        found.add(Path(source.match.pool).as_posix())
    if source.html is not None:
        found |= _globbed(root, source.html.pages)
    return found


def _globbed(root: Path, patterns: list[str]) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for pattern in patterns
        for path in root.glob(pattern)
        if not path.is_dir()
    }


def _walk(root: Path) -> tuple[set[str], list[list[str]]]:
    """(every file below ``root``, symlinks to files included; [path, target] of every symlink
    to a folder), relative. Links to folders are not followed: their target is recorded, and
    a target inside the root is walked where it lies."""
    files, links = set(), []
    for folder, folders, names in os.walk(root):
        for name in names:
            files.add(Path(folder, name).relative_to(root).as_posix())
        for name in folders:
            path = Path(folder, name)
            if path.is_symlink():
                links.append([path.relative_to(root).as_posix(), os.readlink(path)])
    return files, sorted(links)


def _named_media(manifest: Path, field: str) -> Iterator[str]:
    """The media paths a JSONL manifest names; unreadable lines are discovery's business."""
    if not manifest.is_file():
        return
    with manifest.open("rb") as handle:
        for raw in handle:
            try:
                record = json.loads(raw.removeprefix(b"\xef\xbb\xbf"))
            except (ValueError, RecursionError):
                continue
            value = record.get(field) if isinstance(record, dict) else None
            if isinstance(value, str) and value and "\x00" not in value:
                yield os.path.normpath(value).replace(os.sep, "/")


def _stat_entry(root: Path, rel: str) -> list:
    """[path, size, mtime_ns], or [path, None, None] for a missing file or one outside the root."""
    joined = os.path.normpath(os.path.join(root, rel))
    if os.path.isabs(rel) or not joined.startswith(str(root) + os.sep):
        return [rel, None, None]
    try:
        stat = os.stat(joined)  # follows symlinks: a retargeted link counts as a change
    except OSError:
        return [rel, None, None]
    return [rel, stat.st_size, stat.st_mtime_ns]


def _text_sha256(root: Path, rel: str) -> str | None:
    """sha256 of a text file inside the root; None for a missing one or one outside the root."""
    entry = _stat_entry(root, rel)
    return None if entry[1] is None else _file_sha256(root / rel)


def _file_sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_digest(modules: Iterable[str], files: Iterable[str | Path] = ()) -> str:
    """sha256 over the source of ``modules``, the crosspair modules they import (at any depth,
    lazy imports included) and ``files``: the code whose change must rebuild every source."""
    paths = sorted(_module_closure(tuple(modules))) + sorted(str(Path(f).resolve()) for f in files)
    return _digest_files(tuple(paths))


@cache
def _digest_files(paths: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        relative = (
            Path(path).relative_to(PACKAGE.parent)
            if Path(path).is_relative_to(PACKAGE.parent)
            else Path(path).name
        )
        digest.update(f"{relative}\0".encode())
        digest.update(Path(path).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@cache
def _module_closure(roots: tuple[str, ...]) -> frozenset[str]:
    """Files of the ``crosspair`` modules reachable from ``roots`` by import statements."""
    seen: dict[str, str] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or not (name == "crosspair" or name.startswith("crosspair.")):
            continue
        path, is_package = _module_file(name)
        if path is None:
            continue  # a name imported from a module, not a module
        seen[name] = str(path)
        todo.extend(_imports(path, name if is_package else name.rpartition(".")[0]))
        if "." in name:
            todo.append(name.rpartition(".")[0])  # a package's __init__ runs first
    return frozenset(seen.values())


def _module_file(name: str) -> tuple[Path | None, bool]:
    """The file of a crosspair module, found on disk without importing it; (None, False) if
    the name is no module."""
    base = PACKAGE.parent.joinpath(*name.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py", True
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py"), False
    return None, False


def _imports(path: Path, package: str) -> Iterator[str]:
    """Module names a file imports, relative imports resolved, ``from m import x`` as m and m.x."""
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
