"""Look for a person's data everywhere crosspair keeps it; after an erasure, find nothing.

Where: the files of every version (read from its DVC objects, plus its git-tracked files),
the workspace (including the Dagster instance and the erasure ledger and reports), the DVC
cache, every local remote, and DVC's site cache; not code or documentation files, and not
virtual environments or tools' caches (``is_code_or_docs``). What: the request is first
resolved the way an erasure resolves it (item ids, their pairs, texts and tracks, media
sha256); then each file is checked by its whole sha256, Parquet rows (ids, subject ids,
hashes), tar members (names and bytes, and the ids and texts in their ``.json``/``.txt``),
listing entries, manifest records, and the bytes of anything else.

>>> hits = scan(Path("."), Request(subjects=frozenset({"61"})))   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from crosspair.erasure.files import TMP_SUFFIX
from crosspair.erasure.resolve import resolve
from crosspair.erasure.rewrite import classify, examine
from crosspair.erasure.store import ObjectIndex, git, read_listing, site_cache_dir
from crosspair.erasure.targets import Request, Targets

log = logging.getLogger(__name__)

MIN_TEXT = 20  # shorter texts (a caption "A dog.") are too common to prove anything
BLOB_LIMIT = 5 << 20  # git-tracked files larger than this are not read
# Code and documentation are not where crosspair keeps data, and their examples (a subject id
# in the README, an item path in a test) would match the short needles: a dataset repo made
# from a crosspair clone could then never finish an erasure. They are left out, by name.
CODE_AND_DOCS_SUFFIXES = frozenset(
    {".py", ".pyi", ".pyx", ".c", ".h", ".js", ".ts", ".css", ".md", ".rst", ".toml", ".cfg"}
    | {".ini", ".sh", ".lock"}
)
CODE_AND_DOCS_NAMES = frozenset({"Makefile", "LICENSE", ".gitignore", ".dvcignore"})
# folders of tools that hold no dataset: caches, and virtual environments (found by pyvenv.cfg)
TOOL_FOLDERS = frozenset(
    {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", "node_modules"}
)
# package metadata pip writes (``pip install -e .`` copies the README into PKG-INFO)
PACKAGE_METADATA_SUFFIXES = (".egg-info", ".dist-info")


@dataclass(frozen=True)
class Hit:
    """One place that still holds the person's data."""

    location: str
    path: str
    match: str


class _Checker:
    def __init__(self, targets: Targets):
        self.targets = targets
        self.needles = sorted(targets.needles()) + sorted(
            t for t in targets.texts if len(t) >= MIN_TEXT
        )
        self.short = sorted(
            f for s in targets.subjects for f in (f'"{s}"', f"subject:{s}", f"'{s}'")
        )
        self._memo: dict[tuple[str, str], list[str]] = {}

    def structured(self, data: bytes, name: str, md5: str = "") -> list[str]:
        """Why a data file or object still holds erased data ([] when it does not)."""
        key = (hashlib.sha256(data).hexdigest(), md5)
        if key not in self._memo:
            outcome = examine(data, name, self.targets, md5=md5)
            found = []
            if outcome.op == "delete":
                found.append(f"{outcome.kind}: erased bytes")
            elif outcome.op == "rewrite":
                found.append(f"{outcome.kind}: {outcome.removed} {outcome.unit}")
            if outcome.kind in ("tar", "jsonl", "text", "dir"):
                found += self.raw(data, text=outcome.kind != "tar")
            if outcome.kind == "parquet":
                found += self.paths_in_table(data)
            self._memo[key] = found
        return self._memo[key]

    def paths_in_table(self, data: bytes) -> list[str]:
        """Cells that hold an erased item's path (or a record key that starts with one)."""
        paths = self.targets.media_paths | self.targets.raw_paths
        if not paths:
            return []
        table = pq.read_table(io.BytesIO(data))
        cells = 0
        for name in table.column_names:
            if not pa.types.is_string(table.column(name).type):
                continue
            for value in table.column(name).to_pylist():
                if value and (value in paths or value.split("#", 1)[0].split("|")[0] in paths):
                    cells += 1
        return [f"parquet: {cells} cells name an erased file"] if cells else []

    def raw(self, data: bytes, text: bool | None = None) -> list[str]:
        """Needles (and, in text files, the subject id in quotes) in a file's bytes."""
        if text is None:
            text = classify("", data) in ("text", "jsonl")
        needles = self.needles + (self.short if text else [])
        kinds: dict[str, int] = {}
        for needle in needles:
            if needle.encode() in data:
                kind = _kind(needle, self.targets)
                kinds[kind] = kinds.get(kind, 0) + 1
        return [f"bytes: {n} × {kind}" for kind, n in sorted(kinds.items())]


def _kind(needle: str, targets: Targets) -> str:
    """Name what a needle is without repeating it."""
    if needle in targets.sha256s:
        return "media sha256"
    if needle in targets.ids:
        return "item/pair id"
    if needle in targets.texts:
        return "text of an erased item"
    if needle.strip("\"'").removeprefix("subject:") in targets.subjects:
        return "subject id"
    return "file path of an erased item"


def scan(
    repo: Path,
    request: Request | None = None,
    *,
    sources: str = "raw/sources.yaml",
    targets: Targets | None = None,
    sha256s: tuple[str, ...] = (),
    exclude: tuple[Path, ...] = (),
) -> list[Hit]:
    """Every place under ``repo``, its DVC stores and site cache that holds the data."""
    repo = Path(repo).resolve()
    index = ObjectIndex.build(repo)
    if targets is None:
        targets = resolve(repo, request or Request(), index, sources)
    targets.sha256s |= set(sha256s)
    check = _Checker(targets)
    hits: list[Hit] = []
    hits += _versions(repo, index, check)
    for store, md5 in index.all_objects():
        for why in check.structured(store.path(md5).read_bytes(), md5, md5):
            hits.append(Hit(store.name, f"{md5[:2]}/{md5[2:]}", why))
    hits += _workspace(repo, index, check, {Path(p).resolve() for p in exclude})
    folder = site_cache_dir(repo)
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            hits += [Hit("dvc_site_cache", path.name, why) for why in check.raw(path.read_bytes())]
    log.info("scan: %d hits", len(hits))
    return hits


def _versions(repo: Path, index: ObjectIndex, check: _Checker) -> list[Hit]:
    hits = []
    for version in index.versions:
        where = f"version {version.label}"
        for out in version.outs:
            data = index.read(out.md5)
            if data is None:
                continue
            hits += [
                Hit(where, f"{out.path} (listing)", w)
                for w in check.structured(data, out.md5, out.md5)
            ]
            entries = read_listing(data) if out.is_dir else [{"md5": out.md5, "relpath": ""}]
            for entry in entries:
                blob = index.read(entry["md5"])
                if blob is None:
                    continue
                path = f"{out.path}/{entry['relpath']}".rstrip("/")
                hits += [Hit(where, path, w) for w in check.structured(blob, path, entry["md5"])]
        for line in git(repo, "ls-tree", "-r", "-l", version.commit).splitlines():
            meta, name = line.split("\t", 1)
            _, kind, sha, size = meta.split()
            if kind != "blob" or not size.isdigit() or int(size) > BLOB_LIMIT:
                continue
            if is_code_or_docs(name):
                continue
            blob = _git_blob(repo, sha)
            hits += [Hit(where, f"{name} (git)", why) for why in check.raw(blob)]
    return hits


def _git_blob(repo: Path, sha: str) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "blob", sha], cwd=repo, capture_output=True, check=True
    ).stdout


def is_code_or_docs(path: str) -> bool:
    """True for source code and documentation files, which the scan leaves out."""
    name = path.rsplit("/", 1)[-1]
    return name in CODE_AND_DOCS_NAMES or Path(name).suffix.lower() in CODE_AND_DOCS_SUFFIXES


def _tool_folder(folder: Path) -> bool:
    return (
        folder.name in TOOL_FOLDERS
        or folder.name.endswith(PACKAGE_METADATA_SUFFIXES)
        or (folder / "pyvenv.cfg").is_file()
    )


def _workspace(repo: Path, index: ObjectIndex, check: _Checker, exclude: set[Path]) -> list[Hit]:
    """Every file under the repo but .git, the DVC cache (scanned as a store), tools' folders
    and code; data outputs always."""
    outs = [repo / out.path for out in index.head]
    skip = {repo / ".git", repo / ".dvc" / "cache"}
    hits = []
    for folder, dirs, files in os.walk(repo):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if here / d not in skip and not _tool_folder(here / d))
        for name in sorted(files):
            path = here / name
            if path in exclude or not path.is_file():
                continue
            rel = path.relative_to(repo).as_posix()
            is_data = any(path == out or out in path.parents for out in outs)
            if not is_data and is_code_or_docs(rel):
                continue
            data = path.read_bytes()
            if is_data or name.endswith(TMP_SUFFIX):
                found = check.structured(data, rel)
            else:
                found = check.raw(data)
            hits += [Hit("workspace", rel, why) for why in found]
    return hits
