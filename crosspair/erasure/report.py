"""The audit report of one erasure: every artifact touched, per version, in JSON and Markdown.

It names object paths, repo paths and versions, never the person: paths of deleted files
(which carry the erased item's file name) are shown with the name withheld, and subject and
item ids appear nowhere. It also says what each past version now checks out to, and that
``dvc status`` reports rewritten outputs as "not in cache" (their objects keep their old md5
names but no longer hold the bytes that md5 was computed from).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path, PurePosixPath

from crosspair.erasure.files import write_atomic
from crosspair.erasure.ledger import LedgerEntry
from crosspair.erasure.plan import Action
from crosspair.erasure.store import Version

WITHHELD = "<erased file>"
VERB = {"delete": "deleted", "rewrite": "rewritten"}


def _withheld(path: str) -> str:
    """A deleted file's path without its name (the name may carry the person's id)."""
    parent = str(PurePosixPath(path).parent)
    return WITHHELD if parent == "." else f"{parent}/{WITHHELD}"


def artifact(action: Action) -> dict:
    """One report row; file names of deleted items are withheld."""
    deleted = action.op == "delete"
    location_is_store = action.location == "cache" or action.location.startswith("remote:")
    if action.location == "dagster":
        path = f"run {action.path}"
    elif action.location == "dvc_site_cache":
        path = "DVC site cache of this repo"
    elif location_is_store:
        path = f"files/md5/{action.path}"
    else:
        path = _withheld(action.path) if deleted else action.path
    return {
        "location": action.location,
        "path": path,
        "kind": action.kind,
        "action": VERB[action.op],
        "removed": {action.unit: action.removed} if action.unit else {},
        "versions": list(action.versions),
        "paths_in_versions": sorted({_withheld(p) if deleted else p for p in action.refs}),
    }


def version_notes(versions: list[Version], actions: list[Action]) -> list[dict]:
    """Per version: which outputs changed, and whether it can still be checked out whole.

    Commits without DVC outputs (code-only history, a repo's first commits) hold no data and
    are left out; ``build_report`` counts them.
    """
    rewritten: dict[str, set[str]] = defaultdict(set)
    lost: dict[str, set[str]] = defaultdict(set)
    for action in actions:
        if action.location in ("workspace", "dagster", "dvc_site_cache"):
            continue
        for label in action.versions:
            if action.op == "rewrite":
                rewritten[label].update(action.refs)
            elif action.kind == "unreadable":  # a table or shard that could not be rewritten
                lost[label].update(action.refs)
    notes = []
    for version in (v for v in versions if v.outs):
        outs = sorted(
            {
                out.path
                for out in version.outs
                for ref in rewritten.get(version.label, ())
                if ref == out.path or ref.startswith(out.path + "/")
            }
        )
        deleted = {a.md5 for a in actions if a.op == "delete" and a.md5}
        lost[version.label].update(
            out.path for out in version.outs if not out.is_dir and out.md5 in deleted
        )
        whole = not lost[version.label]
        notes.append(
            {
                "version": version.label,
                "commit": version.commit,
                "outputs_changed": outs,
                "checkout": (
                    "whole, minus the erased data"
                    if whole
                    else "incomplete: " + ", ".join(sorted(lost[version.label]))
                ),
                "dvc_status": (
                    "after `git checkout` + `dvc checkout`, reports "
                    + ", ".join(outs)
                    + " as changed ('modified' / 'not in cache'): their objects were rewritten "
                    "in place and no longer match the md5 this version records"
                    if outs
                    else "unchanged"
                ),
            }
        )
    return notes


def build_report(
    entry: LedgerEntry,
    actions: list[Action],
    versions: list[Version],
    counts: dict[str, int],
    other_remotes: list[str],
    hits: int,
    notes: list[str] | tuple[str, ...] = (),
) -> dict:
    """The report as a JSON-ready dict (deterministic for the same plan)."""
    rows = [artifact(a) for a in actions]
    removed: dict[str, int] = defaultdict(int)
    for action in actions:
        if action.unit:
            removed[f"{action.unit}_removed"] += action.removed
    return {
        "request_id": entry.request_id,
        "requested_at": entry.requested_at,
        "requested_by": entry.requested_by,
        "reason": entry.reason,
        "resolved": counts,
        "notes": list(notes),
        "summary": {
            "artifacts": len(rows),
            "deleted": sum(1 for a in actions if a.op == "delete"),
            "rewritten": sum(1 for a in actions if a.op == "rewrite"),
            **dict(sorted(removed.items())),
        },
        "artifacts": rows,
        "versions": version_notes(versions, actions),
        "commits_without_data": sum(1 for version in versions if not version.outs),
        "remotes_not_purged": other_remotes,
        "verification": {"hits_after_erasure": hits},
    }


def render_markdown(report: dict) -> str:
    """The same report for people."""
    lines = [
        f"# Erasure {report['request_id']}",
        "",
        f"- requested at: {report['requested_at']}",
        f"- requested by: {report['requested_by']}",
        f"- reason: {report['reason']}",
        "- resolved to: " + ", ".join(f"{v} {k}" for k, v in report["resolved"].items()),
        "- summary: " + ", ".join(f"{v} {k}" for k, v in report["summary"].items()),
        f"- scan after erasure: {report['verification']['hits_after_erasure']} hits",
    ]
    lines += [f"- note: {note}" for note in report.get("notes", [])]
    if report["remotes_not_purged"]:
        lines.append(
            "- **not purged** (not local folders; purge them with the storage's own tools): "
            + ", ".join(report["remotes_not_purged"])
        )
    lines += ["", "## Versions", ""]
    if skipped := report.get("commits_without_data"):
        lines += [f"Not listed: {skipped} commit(s) without DVC outputs, which hold no data.", ""]
    lines += ["| version | outputs changed | checkout | dvc status |"]
    lines.append("|---|---|---|---|")
    for note in report["versions"]:
        lines.append(
            f"| {note['version']} | {', '.join(note['outputs_changed']) or '-'} | "
            f"{note['checkout']} | {note['dvc_status']} |"
        )
    lines += ["", "## Artifacts", "", "| location | path | kind | action | removed | versions |"]
    lines.append("|---|---|---|---|---|---|")
    for row in report["artifacts"]:
        removed = ", ".join(f"{v} {k}" for k, v in row["removed"].items()) or "-"
        lines.append(
            f"| {row['location']} | `{row['path']}` | {row['kind']} | {row['action']} | "
            f"{removed} | {', '.join(row['versions'])} |"
        )
    return "\n".join(lines) + "\n"


def write_report(report: dict, folder: Path, name: str | None = None) -> tuple[Path, Path]:
    """``NAME.json`` and ``NAME.md`` (NAME: the request id) under ``folder``, atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    name = name or report["request_id"]
    json_path, md_path = folder / f"{name}.json", folder / f"{name}.md"
    write_atomic(json_path, (json.dumps(report, indent=2, sort_keys=True) + "\n").encode())
    write_atomic(md_path, render_markdown(report).encode("utf-8"))
    return json_path, md_path
