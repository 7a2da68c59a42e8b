"""Where a dataset repo's DVC objects are, and which version refers to which object.

DVC keeps one file per object, named by its md5, in the cache (``.dvc/cache/files/md5``)
and in each remote (same layout). A version is a git commit whose ``dvc.lock`` and ``*.dvc``
files name its outputs; a directory output names a ``.dir`` listing object whose entries
name the objects of its files. Reading ``git show REV:dvc.lock`` for every commit gives the
objects of every past version without checking any of them out.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from crosspair.erasure.files import TMP_SUFFIX

log = logging.getLogger(__name__)

OBJECTS = Path("files") / "md5"
_MD5 = re.compile(r"^[0-9a-f]{32}(\.dir)?$")


class StoreError(RuntimeError):
    """The repo's git or DVC state cannot be read; the message names what and the fix."""


@dataclass(frozen=True)
class Store:
    """A folder of DVC objects laid out as ``xx/yyyy…``: the cache or a local remote."""

    name: str  # "cache" or "remote:<name>"
    root: Path

    def path(self, md5: str) -> Path:
        return self.root / md5[:2] / md5[2:]

    def has(self, md5: str) -> bool:
        return self.path(md5).is_file()

    def objects(self) -> list[str]:
        """Every object's md5 (``….dir`` for listings), sorted."""
        if not self.root.is_dir():
            return []
        found = []
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or len(folder.name) != 2:
                continue
            for entry in sorted(folder.iterdir()):
                name = folder.name + entry.name
                if entry.is_file() and not name.endswith(TMP_SUFFIX) and _MD5.match(name):
                    found.append(name)
        return found


@dataclass(frozen=True)
class Out:
    """One DVC output of one version: its path in the repo and its object."""

    path: str
    md5: str

    @property
    def is_dir(self) -> bool:
        return self.md5.endswith(".dir")


@dataclass(frozen=True)
class Version:
    """A git commit with its label: its tags, or its short hash."""

    commit: str
    label: str
    outs: tuple[Out, ...] = ()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        raise StoreError(f"`git {' '.join(args)}` failed in {repo}: {done.stderr.strip()}")
    return done.stdout


def dvc_stores(repo: Path) -> tuple[list[Store], list[str]]:
    """The cache and every local remote; and the names of remotes that are not local folders."""
    from dvc.repo import Repo

    try:
        dvc_repo = Repo(str(repo))
    except Exception as err:  # noqa: BLE001 - DVC raises many kinds; the message is what counts
        raise StoreError(f"{repo} is not a DVC repository ({err}); pass `--repo` to it") from None
    try:
        stores = [Store("cache", Path(dvc_repo.cache.local.path))]
        other = []
        for name, config in sorted(dvc_repo.config.get("remote", {}).items()):
            url = str(config.get("url", ""))
            if "://" in url and not url.startswith("file://"):
                other.append(name)
                continue
            folder = Path(url.removeprefix("file://"))
            if not folder.is_absolute():
                folder = (repo / ".dvc" / folder).resolve()
            stores.append(Store(f"remote:{name}", folder / OBJECTS))
        return stores, other
    finally:
        dvc_repo.close()


def site_cache_dir(repo: Path) -> Path:
    """DVC's per-repo cache of file hashes and indexes (outside the repo, rebuildable)."""
    from dvc.repo import Repo

    dvc_repo = Repo(str(repo))
    try:
        return Path(dvc_repo.site_cache_dir)
    finally:
        dvc_repo.close()


def _remotes_in_history(repo: Path, history: list[Version], stores: list[Store]) -> list[str]:
    """Remotes older commits name that are not this checkout's (they are not purged)."""
    from configobj import ConfigObj, ConfigObjError

    current = {store.root.resolve() for store in stores}
    found: dict[tuple[str, str], str] = {}
    for version in history:
        try:
            text = git(repo, "show", f"{version.commit}:.dvc/config")
            config = ConfigObj(text.splitlines())
        except (StoreError, ConfigObjError):
            continue
        for section, values in config.items():
            if not section.startswith("remote ") or not isinstance(values, dict):
                continue
            url = str(values.get("url", ""))
            local = url.removeprefix("file://")
            if "://" not in local:
                path = Path(local) if Path(local).is_absolute() else repo / ".dvc" / local
                if (path.resolve() / OBJECTS) in current:
                    continue
            name = section.removeprefix("remote ").strip('"')
            found.setdefault((name, url), version.label)
    return [
        f"{name} ({url}, named from {label} on)" for (name, url), label in sorted(found.items())
    ]


def _outs_of(text: str, base: PurePosixPath, lock: bool) -> list[Out]:
    data = yaml.safe_load(text) or {}
    specs = []
    if lock:
        for stage in (data.get("stages") or {}).values():
            specs.extend(stage.get("outs") or [])
    else:
        specs.extend(data.get("outs") or [])
    outs = []
    for spec in specs:
        md5 = spec.get("md5")
        if md5 and spec.get("path"):
            path = PurePosixPath(base, spec["path"]).as_posix().removeprefix("./")
            outs.append(Out(path, md5))
    return outs


def outs_at(repo: Path, commit: str) -> tuple[Out, ...]:
    """The DVC outputs a commit's ``dvc.lock`` and ``*.dvc`` files name."""
    outs: list[Out] = []
    for name in git(repo, "ls-tree", "-r", "--name-only", commit).splitlines():
        path = PurePosixPath(name)
        is_lock = path.name == "dvc.lock"
        if not is_lock and (path.suffix != ".dvc" or path.parts[0] == ".dvc"):
            continue
        text = git(repo, "show", f"{commit}:{name}")
        try:
            outs.extend(_outs_of(text, path.parent, is_lock))
        except yaml.YAMLError as err:
            log.warning(
                "%s at %s is not YAML (%s); its outputs are not followed", name, commit, err
            )
    return tuple(sorted(set(outs), key=lambda out: (out.path, out.md5)))


def versions(repo: Path) -> list[Version]:
    """Every commit reachable from a branch or tag, oldest first, with its outputs."""
    if not (repo / ".git").exists():
        raise StoreError(f"{repo} is not a git repository; pass `--repo` to your dataset repo")
    commits = git(repo, "rev-list", "--all", "--topo-order", "--reverse").split()
    tags: dict[str, list[str]] = defaultdict(list)
    # `git show-ref` fails when nothing matches; `for-each-ref` lists no tags as no lines
    listed = git(repo, "for-each-ref", "refs/tags", "--format=%(objectname) %(refname)")
    peeled = git(repo, "for-each-ref", "refs/tags", "--format=%(*objectname) %(refname)")
    for line in (listed + peeled).splitlines() if commits else []:
        if line.startswith(" "):  # a lightweight tag has no object to peel to
            continue
        sha, ref = line.split(" ", 1)
        tags[sha].append(ref.removeprefix("refs/tags/").removesuffix("^{}"))
    result = []
    for commit in commits:
        label = ",".join(sorted(set(tags.get(commit, [])))) or commit[:10]
        result.append(Version(commit, label, outs_at(repo, commit)))
    return result


def read_listing(data: bytes) -> list[dict]:
    """Entries of a ``.dir`` object: ``[{"md5": …, "relpath": …}, …]``."""
    entries = json.loads(data)
    if not isinstance(entries, list):
        raise ValueError("a .dir listing is a JSON list")
    return entries


@dataclass
class ObjectIndex:
    """Every object in the cache and the local remotes, and where each version uses it."""

    repo: Path
    stores: list[Store]
    other_remotes: list[str]
    versions: list[Version]
    # md5 -> {(version label, path in that version's checkout)}
    refs: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    head: tuple[Out, ...] = ()

    @classmethod
    def build(cls, repo: Path) -> ObjectIndex:
        stores, other = dvc_stores(repo)
        index = cls(repo, stores, other, versions(repo))
        index.other_remotes += _remotes_in_history(repo, index.versions, stores)
        commit = git(repo, "rev-parse", "--verify", "-q", "HEAD").strip() if index.versions else ""
        index.head = next((v.outs for v in index.versions if v.commit == commit), ())
        for version in index.versions:
            for out in version.outs:
                index._ref(out.md5, version.label, out.path)
                if not out.is_dir:
                    continue
                data = index.read(out.md5)
                if data is None:
                    continue
                try:
                    entries = read_listing(data)
                except ValueError:
                    continue
                for entry in entries:
                    index._ref(entry["md5"], version.label, f"{out.path}/{entry['relpath']}")
        return index

    def _ref(self, md5: str, label: str, path: str) -> None:
        self.refs.setdefault(md5, set()).add((label, path))

    def read(self, md5: str) -> bytes | None:
        """An object's bytes from the first store that has it (None, and noted, if none has)."""
        for store in self.stores:
            if store.has(md5):
                return store.path(md5).read_bytes()
        self.missing.add(md5)
        return None

    def all_objects(self) -> list[tuple[Store, str]]:
        return [(store, md5) for store in self.stores for md5 in store.objects()]

    def labels(self, md5: str) -> list[str]:
        return sorted({label for label, _ in self.refs.get(md5, ())}, key=self.order)

    def paths(self, md5: str) -> list[str]:
        return sorted({path for _, path in self.refs.get(md5, ())})

    def order(self, label: str) -> int:
        for position, version in enumerate(self.versions):
            if version.label == label:
                return position
        return len(self.versions)
