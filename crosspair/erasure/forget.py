"""``crosspair forget``: erase a person or an item from every version of a dataset repo.

The steps, each safe to repeat, so a rerun after a crash picks up where the first run died:

1. append the request to the ledger (keyed hashes only; the same request is not added twice);
2. resolve it against every version's raw data and tables, and save that in a private work
   file before anything is changed;
3. take the raw files and manifest records out of the workspace, ``dvc add`` the raw folder,
   ``dvc repro`` (ingest skips erased items through the ledger too), commit, ``dvc push``;
4. plan every object in the cache and the local remotes (and the Dagster runs and DVC site
   cache that name the data), save the plan, apply it;
5. scan everything for what is left (must be nothing), write the audit report, commit it, and
   delete the work file.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from crosspair.erasure.ledger import DEFAULT_LEDGER, WORK_DIR, Ledger, LedgerEntry
from crosspair.erasure.plan import Action, WorkFile, plan_objects, plan_workspace_raw
from crosspair.erasure.purge import SiteCacheHandler, apply_actions
from crosspair.erasure.report import build_report, write_report
from crosspair.erasure.resolve import resolve
from crosspair.erasure.scan import Hit, scan
from crosspair.erasure.store import ObjectIndex, site_cache_dir
from crosspair.erasure.targets import Request, item_ids_for
from crosspair.sources import load_sources

log = logging.getLogger(__name__)

REPORTS = "erasure/reports"


class ErasureError(RuntimeError):
    """An erasure cannot go on; the message says what failed and what to do."""


class RunHistory(Protocol):
    """Run records (Dagster's) that may hold previews of erased data."""

    def runs_holding(self, needles: set[str]) -> list[str]:
        """Ids of runs whose stored events or logs contain any needle."""

    def apply(self, action: Action) -> bool:
        """Delete the run ``action.path``; False if it is already gone."""

    def finish(self) -> None:
        """Compact the storage so deleted records leave no bytes behind."""


@dataclass(frozen=True)
class ErasureResult:
    """What ``forget`` did: the request, whether it was new, and the report."""

    entry: LedgerEntry
    created: bool
    report: dict
    report_json: Path
    report_md: Path


def default_sources(repo: Path) -> str:
    """The sources file of a dataset repo: ``sources`` in params.yaml, else raw/sources.yaml."""
    params = repo / "params.yaml"
    if params.is_file():
        value = (yaml.safe_load(params.read_text(encoding="utf-8")) or {}).get("sources")
        if isinstance(value, str):
            return value
    return "raw/sources.yaml"


def _run(repo: Path, *command: str, env: dict | None = None) -> str:
    env = {**os.environ, **env} if env else None
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise ErasureError(
            f"`{' '.join(command)}` failed in {repo} ({done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}\nFix the cause and run the same "
            "`crosspair forget` again: it resumes where it stopped"
        )
    return done.stdout


def _dvc(repo: Path, *args: str, env: dict | None = None) -> str:
    return _run(repo, sys.executable, "-m", "dvc", *args, env=env)


def request_for(repo: Path, sources: str, subjects: list[str], items: list[str]) -> Request:
    """The clear request, with ``--item`` paths turned into item ids of the repo's sources."""
    path = repo / sources
    names = [s.name for s in load_sources(path).sources] if path.is_file() else []
    resolved = set()
    for value in items:
        ids = item_ids_for(value, names)
        if not ids:
            raise ErasureError(f"`--item {value}`: not an item id and {path} has no sources")
        resolved |= ids
    return Request(frozenset(subjects), frozenset(resolved))


def forget(
    repo: Path,
    subjects: list[str],
    items: list[str],
    requested_by: str,
    reason: str,
    *,
    sources: str | None = None,
    ledger: str = DEFAULT_LEDGER,
    history: RunHistory | None = None,
) -> ErasureResult:
    """Erase the subjects and items from the workspace, every version, cache and remotes."""
    repo = Path(repo).resolve()
    if not (repo / ".dvc").is_dir():
        raise ErasureError(f"{repo} is not a DVC repository; pass `--repo` to your dataset repo")
    sources = sources or default_sources(repo)
    request = request_for(repo, sources, subjects, items)
    book = Ledger(repo / ledger)
    entry, created = book.append(request.subjects, request.items, requested_by, reason)
    work = WorkFile.load(book.path.parent / WORK_DIR / f"{entry.request_id}.json")

    if work.targets is None:
        work.targets = resolve(repo, request, ObjectIndex.build(repo), sources)
        work.save()
    targets = work.targets
    notes = _record_copies(book, entry, targets)

    if work.phase_a is None:
        work.phase_a = plan_workspace_raw(repo, targets)
        work.save()
    index = ObjectIndex.build(repo)
    stores = {store.name: store for store in index.stores}
    counted = apply_actions(work.phase_a, repo, targets, stores)
    _rebuild(repo, index, sources, entry.request_id, book.path)

    index = ObjectIndex.build(repo)
    if work.phase_b is None:
        actions = plan_objects(repo, targets, index)
        if history is not None:
            actions += [
                Action("dagster", run_id, "run", "delete")
                for run_id in history.runs_holding(targets.needles())
            ]
        if (actions or work.phase_a) and site_cache_dir(repo).exists():
            # it holds hashes keyed by the paths of files just deleted; DVC rebuilds it
            actions.append(Action("dvc_site_cache", "site_cache", "cache", "delete"))
        work.phase_b = actions
        work.extra["report"] = _report_name(repo / REPORTS, entry.request_id, work)
        work.save()  # targets.delete_md5s grew while planning
    handlers = {"dvc_site_cache": SiteCacheHandler(site_cache_dir(repo))}
    if history is not None:
        handlers["dagster"] = history
    apply_actions(work.phase_b, repo, targets, stores, handlers, counted)
    if history is not None:
        history.finish()

    hits = scan(repo, targets=targets, exclude=(work.path,))
    if hits:
        raise ErasureError(_describe_hits(hits, work.path))
    name = work.extra.get("report")
    if name is None:  # an erasure done before, and nothing new to erase: keep its report
        name = entry.request_id
        log.info("request %s: nothing left to erase; its report stands", entry.request_id)
        report = json.loads((repo / REPORTS / f"{name}.json").read_text(encoding="utf-8"))
        json_path, md_path = repo / REPORTS / f"{name}.json", repo / REPORTS / f"{name}.md"
    else:
        report = build_report(
            entry,
            work.phase_a + work.phase_b,
            index.versions,
            targets.counts(),
            index.other_remotes,
            len(hits),
            notes,
        )
        json_path, md_path = write_report(report, repo / REPORTS, name)
        _commit(repo, [REPORTS], f"erasure {entry.request_id}: audit report")
    work.remove()
    if work.path.parent.is_dir() and not any(work.path.parent.iterdir()):
        work.path.parent.rmdir()
    log.info(
        "erasure %s done: %d artifacts deleted, %d rewritten",
        entry.request_id,
        report["summary"]["deleted"],
        report["summary"]["rewritten"],
    )
    return ErasureResult(entry, created, report, json_path, md_path)


def _record_copies(book: Ledger, entry: LedgerEntry, targets) -> list[str]:
    """Put the byte-identical copies the request resolved to in the ledger, so that ingest
    leaves them out too; the note for the report (counts only).

    The request's own entry is already written (and hash-chained) and its id is a hash of
    what was asked, so the copies get an entry of their own that names the request; the same
    copies give the same entry, so a rerun adds nothing.
    """
    if not targets.copy_ids:
        return []
    copies, _ = book.append(
        [],
        targets.copy_ids,
        entry.requested_by,
        f"byte-identical copies of items erased by request {entry.request_id}",
    )
    return [
        f"{len(targets.copy_ids)} items added: byte-identical to an erased item (DVC keeps "
        f"identical files as one object, so one cannot be erased without the others); ledger "
        f"entry {copies.request_id}"
    ]


def _report_name(folder: Path, rid: str, work: WorkFile) -> str | None:
    """``rid`` for the first pass of a request; ``rid-2``… for later passes that found more;
    None when a later pass found nothing (the first report stands)."""
    if not (folder / f"{rid}.json").exists():
        return rid
    if not (work.phase_a or work.phase_b):
        return None
    number = 2
    while (folder / f"{rid}-{number}.json").exists():
        number += 1
    return f"{rid}-{number}"


def _describe_hits(hits: list[Hit], work: Path) -> str:
    shown = "\n".join(f"  {h.location}: {h.path} ({h.match})" for h in hits[:20])
    return (
        f"erased data is still present in {len(hits)} places after the purge:\n{shown}\n"
        f"The plan is kept in {work}; remove what holds these (or report a bug), then run the "
        "same `crosspair forget` again"
    )


def _rebuild(repo: Path, index: ObjectIndex, sources: str, rid: str, ledger: Path) -> None:
    """Record the raw folder without the person, ``dvc repro``, commit, ``dvc push`` if a remote
    is set.

    A raw folder tracked by a ``.dvc`` file is ``dvc add``-ed. One that a stage writes (the
    demo's ``data/demo_input``) is ``dvc commit``-ed as it now is: otherwise ``dvc repro`` would
    restore the stage's old output, person included, from the run cache and skip the build.
    """
    raw_outs = [
        out.path
        for out in index.head
        if sources == out.path or sources.startswith(out.path.rstrip("/") + "/")
    ]
    tracked = set(_run(repo, "git", "ls-files", "*.dvc").split())
    for out in raw_outs:
        if f"{out}.dvc" in tracked:
            _dvc(repo, "add", "-q", out)
        else:
            _dvc(repo, "commit", "-f", "-q", out)
    # the build's discovery reads the same ledger (the default path, unless --ledger moved it)
    _dvc(repo, "repro", "-q", env={"CROSSPAIR_ERASURE_LEDGER": str(ledger)})
    changed = [p for p in ["dvc.lock", *tracked] if (repo / p).exists()]
    _commit(repo, [*changed, str(ledger.parent.relative_to(repo))], f"erasure {rid}: rebuild")
    if _default_remote(repo):
        _dvc(repo, "push", "-q")


def _default_remote(repo: Path) -> str:
    try:
        return _dvc(repo, "remote", "default").strip()
    except ErasureError:
        return ""


def _commit(repo: Path, paths: list[str], message: str) -> None:
    _run(repo, "git", "add", "-A", "--", *paths)
    staged = subprocess.run(
        ["git", "diff", "--cached", "--quiet"], cwd=repo, capture_output=True
    ).returncode
    if staged:
        _run(repo, "git", "commit", "-q", "-m", message)
