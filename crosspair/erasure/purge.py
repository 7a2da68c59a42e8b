"""Apply a plan: delete or rewrite each file, skipping what an earlier run already did.

Every write goes to a temporary file and is moved into place with ``os.replace``, so a
``kill -9`` at any moment leaves each file either as it was or as it should be; rerunning
the same plan then finishes the job and ends in the same state as a run never interrupted.

Test hook: ``CROSSPAIR_ERASE_PAUSE_AFTER=N`` makes the purge log "paused after N actions"
and sleep once N actions are done, so a test can ``SIGKILL`` it at a known point.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from crosspair.erasure.files import remove, temp_path, write_atomic
from crosspair.erasure.plan import Action
from crosspair.erasure.rewrite import examine
from crosspair.erasure.store import Store
from crosspair.erasure.targets import Targets

log = logging.getLogger(__name__)

PAUSE_ENV = "CROSSPAIR_ERASE_PAUSE_AFTER"


class Handler(Protocol):
    """Applies actions at a location that is not a folder of files (e.g. Dagster runs)."""

    def apply(self, action: Action) -> bool:
        """Do the action; True if it changed anything, False if it was already done."""


class SiteCacheHandler:
    """Deletes DVC's per-repo site cache (file hashes and indexes that name raw paths)."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def apply(self, action: Action) -> bool:
        if self.folder is None or not self.folder.exists():
            return False
        shutil.rmtree(self.folder)
        return True


def _pause_after() -> int | None:
    value = os.environ.get(PAUSE_ENV, "")
    return int(value) if value.isdigit() else None


def apply_actions(
    actions: list[Action],
    repo: Path,
    targets: Targets,
    stores: Mapping[str, Store],
    handlers: Mapping[str, Handler] | None = None,
    counted: int = 0,
) -> int:
    """Apply each action in order; returns how many actions were processed in all.

    ``counted`` is the number processed by earlier phases of the same run (for the hook).
    """
    handlers = handlers or {}
    pause = _pause_after()
    changed = 0
    for action in actions:
        if _apply(action, repo, targets, stores, handlers):
            changed += 1
        counted += 1
        if pause is not None and counted == pause:
            log.warning("test hook %s: paused after %d actions", PAUSE_ENV, counted)
            time.sleep(3600)
    log.info("%d actions applied, %d already done", changed, len(actions) - changed)
    return counted


def _apply(
    action: Action,
    repo: Path,
    targets: Targets,
    stores: Mapping[str, Store],
    handlers: Mapping[str, Handler],
) -> bool:
    if action.location in handlers:
        return handlers[action.location].apply(action)
    if action.location == "workspace":
        path = repo / action.path
    elif action.location in stores:
        path = stores[action.location].root / action.path
    else:
        log.warning("%s %s: no such location here; skipped", action.location, action.path)
        return False
    remove(temp_path(path))  # a write a crash interrupted
    if action.op == "delete":
        return remove(path)
    if not path.is_file():
        log.warning("%s %s is gone; nothing to rewrite", action.location, action.path)
        return False
    outcome = examine(path.read_bytes(), path.name, targets, action.manifest, action.md5)
    if outcome.op is None:
        return False
    if outcome.op == "delete":
        return remove(path)
    write_atomic(path, outcome.data)
    return True
