"""The plan of an erasure: a sorted list of actions, each on one file, object or run.

Planning reads and changes nothing. The plan is saved (with the resolved targets) in a
private work file before the first action runs, and a rerun after a crash loads it instead of
planning again, since by then some of the data it was planned from is already gone. Each
action can tell whether it is done, so applying the same plan twice is safe.

>>> actions = plan_objects(repo, targets, ObjectIndex.build(repo))   # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from crosspair.erasure.files import remove, write_atomic
from crosspair.erasure.rewrite import Outcome, examine
from crosspair.erasure.store import ObjectIndex, Store
from crosspair.erasure.targets import Targets

log = logging.getLogger(__name__)

# Where an action happens, in plan order. Stores are "cache" and "remote:<name>".
LOCATION_ORDER = {"workspace": 0, "cache": 1, "remote": 2, "dagster": 3, "dvc_site_cache": 4}


@dataclass(frozen=True)
class Action:
    """Delete or rewrite one file.

    ``path`` is relative to the location: the repo for ``workspace``, the object folder
    (``ab/cdef…``) for a store, a run id for ``dagster``. ``versions`` and ``refs`` say which
    versions use the object and under which paths; ``manifest`` is the context a rewrite of
    a raw manifest needs.
    """

    location: str
    path: str
    kind: str
    op: str
    removed: int = 0
    unit: str = ""
    versions: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    manifest: str | None = None

    @property
    def md5(self) -> str:
        if self.location == "cache" or self.location.startswith("remote:"):
            return self.path.replace("/", "", 1)
        return ""

    def sort_key(self) -> tuple:
        place = LOCATION_ORDER.get(self.location.split(":", 1)[0], 9)
        return (place, self.location, self.path)


def _manifest_context(paths: list[str], targets: Targets) -> str | None:
    """The one raw manifest (relative to the sources folder) these repo paths are, if any."""
    folder = PurePosixPath(targets.sources_dir)
    found = set()
    for path in map(PurePosixPath, paths):
        if folder != PurePosixPath(".") and not path.is_relative_to(folder):
            return None
        found.add(path.relative_to(folder).as_posix())
    return found.pop() if len(found) == 1 else None


def _workspace_action(repo: Path, path: Path, targets: Targets, manifest=None) -> Action | None:
    rel = _repo_rel(repo, path)
    outcome = examine(path.read_bytes(), rel, targets, manifest=manifest)
    if outcome.op is None:
        return None
    return Action(
        "workspace",
        rel,
        outcome.kind,
        outcome.op,
        outcome.removed,
        outcome.unit,
        ("workspace",),
        (rel,),
        manifest,
    )


def plan_workspace_raw(repo: Path, targets: Targets) -> list[Action]:
    """Raw files and manifest records to take out of the workspace before rebuilding."""
    folder = repo / targets.sources_dir
    actions = [
        Action(
            "workspace", _repo_rel(repo, folder / rel), "media", "delete", versions=("workspace",)
        )
        for rel in sorted(targets.raw_paths)
        if (folder / rel).is_file()
    ]
    for manifest in sorted({rule.manifest for rule in targets.record_rules}):
        if (folder / manifest).is_file():
            action = _workspace_action(repo, folder / manifest, targets, manifest)
            actions += [action] if action else []
    return sorted(actions, key=Action.sort_key)


def _repo_rel(repo: Path, path: Path) -> str:
    return path.relative_to(repo).as_posix()


def plan_objects(repo: Path, targets: Targets, index: ObjectIndex) -> list[Action]:
    """Every object in every store, and every workspace file of the current outputs.

    Media go first: the objects they delete are added to ``targets.delete_md5s`` so that
    listings drop their entries too.
    """
    objects = index.all_objects()
    listings = [(store, md5) for store, md5 in objects if md5.endswith(".dir")]
    others = [(store, md5) for store, md5 in objects if not md5.endswith(".dir")]
    actions = []
    for store, md5 in others:
        action = _object_action(store, md5, targets, index)
        if action is not None:
            actions.append(action)
            if action.op == "delete":
                targets.delete_md5s.add(md5)
    for store, md5 in listings:
        action = _object_action(store, md5, targets, index)
        if action is not None:
            actions.append(action)
    actions.extend(_workspace_actions(repo, targets, index))
    return sorted(actions, key=Action.sort_key)


def _object_action(store: Store, md5: str, targets: Targets, index: ObjectIndex) -> Action | None:
    paths = index.paths(md5)
    manifest = _manifest_context(paths, targets) if paths else None
    data = store.path(md5).read_bytes()
    try:
        outcome = examine(data, md5, targets, manifest=manifest, md5=md5)
    except Exception as err:  # noqa: BLE001 - any unreadable object is judged by its bytes
        if not any(needle.encode() in data for needle in targets.needles()):
            log.warning(
                "%s %s cannot be read (%s); no erased data in its bytes", store.name, md5, err
            )
            return None
        log.warning("%s %s cannot be rewritten (%s); it will be deleted", store.name, md5, err)
        outcome = Outcome("unreadable", "delete")
    if outcome.op is None:
        return None
    return Action(
        store.name,
        f"{md5[:2]}/{md5[2:]}",
        outcome.kind,
        outcome.op,
        outcome.removed,
        outcome.unit,
        tuple(index.labels(md5)) or ("(no version)",),
        tuple(paths),
        manifest,
    )


def _workspace_actions(repo: Path, targets: Targets, index: ObjectIndex) -> list[Action]:
    actions = []
    for out in index.head:
        root = repo / out.path
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in (p for p in files if p.is_file()):
            manifest = _manifest_context([_repo_rel(repo, path)], targets)
            action = _workspace_action(repo, path, targets, manifest)
            actions += [action] if action else []
    return actions


@dataclass
class WorkFile:
    """The private state of one erasure in progress: targets and the planned actions.

    It holds item ids and hashes in clear, so it lives in the git-ignored ``.work`` folder
    and is deleted when the erasure completes.
    """

    path: Path
    targets: Targets | None = None
    phase_a: list[Action] | None = None
    phase_b: list[Action] | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> WorkFile:
        work = cls(path)
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            work.targets = Targets.from_json(data["targets"]) if data.get("targets") else None
            for phase in ("phase_a", "phase_b"):
                if data.get(phase) is not None:
                    setattr(work, phase, [_action(a) for a in data[phase]])
            work.extra = data.get("extra", {})
        return work

    def save(self) -> None:
        data = {
            "targets": self.targets.to_json() if self.targets else None,
            "phase_a": None if self.phase_a is None else [asdict(a) for a in self.phase_a],
            "phase_b": None if self.phase_b is None else [asdict(a) for a in self.phase_b],
            "extra": self.extra,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True).encode(), 0o600)

    def remove(self) -> None:
        remove(self.path)


def _action(data: dict) -> Action:
    data = dict(data)
    data["versions"] = tuple(data.get("versions", ()))
    data["refs"] = tuple(data.get("refs", ()))
    return Action(**data)
