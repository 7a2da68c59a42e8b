"""Dataset releases: a git tag on a built, committed version, with a card that says what changed.

``create_release`` refuses unless ``dvc status`` is clean and tracked files are committed, so a
tag always names data that can be restored with ``git checkout TAG && dvc checkout``. It writes
``releases/TAG.md`` (the build's dataset card plus the pairs added, removed and moved between
splits since the previous release), appends a line to ``releases/index.jsonl``, pushes the data
with ``dvc push``, commits both files and tags that commit.

``releases/index.jsonl`` is the machine-readable list of releases, one JSON object a line in the
order they were made (tag, data commit, previous tag, message, counts, time); the previous
release is its last line. The previous version's tables are read through DVC at its tag.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from crosspair.export.card import REPORT_LINK, markdown_table
from crosspair.versioned_tables import VersionedTables

log = logging.getLogger(__name__)

RELEASES = Path("releases")
INDEX = RELEASES / "index.jsonl"
CARD = Path("exports") / "dataset_card.md"
LISTED = 20  # rows of each change list shown in the card
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DVC_FILES = re.compile(r"(^|/)(dvc\.yaml|dvc\.lock|params\.yaml|[^/]+\.dvc)$")
_PAIR_COLUMNS = ["pair_id", "source", "method", "left_modality", "left_id", "right_id"]


class ReleaseError(Exception):
    """A release that cannot be made; the message names the cause and the way out."""


@dataclass
class ReleaseChanges:
    """Pairs added, removed and moved between splits from one version to the next."""

    previous: str | None
    added: pd.DataFrame
    removed: pd.DataFrame
    moved: pd.DataFrame
    pairs: int


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; a failure becomes a ReleaseError with git's message."""
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        raise ReleaseError(f"`git {' '.join(args)}` failed in {repo}: {done.stderr.strip()}")
    return done.stdout.rstrip()


def read_index(repo: str | Path) -> list[dict]:
    """Every release made in this version's history, oldest first (empty when none)."""
    path = Path(repo) / INDEX
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise ReleaseError(
                f"{path} line {number} is not JSON ({err}); fix or remove it"
            ) from None
    return entries


def _with_splits(pairs: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    table = pairs[_PAIR_COLUMNS].merge(assignments[["pair_id", "split"]], on="pair_id", how="left")
    table["split"] = table["split"].fillna("(excluded)")
    return table.sort_values("pair_id").reset_index(drop=True)


def release_changes(
    previous_pairs: pd.DataFrame | None,
    previous_assignments: pd.DataFrame | None,
    pairs: pd.DataFrame,
    assignments: pd.DataFrame,
    previous: str | None = None,
) -> ReleaseChanges:
    """Pairs added and removed (by pair id) and pairs whose split differs between versions."""
    current = _with_splits(pairs, assignments)
    if previous_pairs is None:
        empty = current.iloc[0:0]
        moved = pd.DataFrame(columns=["pair_id", "from_split", "to_split"])
        return ReleaseChanges(previous, empty, empty, moved, len(current))

    before = _with_splits(previous_pairs, previous_assignments)
    added = current[~current["pair_id"].isin(before["pair_id"])].reset_index(drop=True)
    removed = before[~before["pair_id"].isin(current["pair_id"])].reset_index(drop=True)
    # only pairs in a split both times: entering or leaving the exclusions is no move
    both = previous_assignments[["pair_id", "split"]].merge(
        assignments[["pair_id", "split"]], on="pair_id", suffixes=("_from", "_to")
    )
    moved = both[both["split_from"] != both["split_to"]].rename(
        columns={"split_from": "from_split", "split_to": "to_split"}
    )
    moved = moved.sort_values("pair_id").reset_index(drop=True)
    return ReleaseChanges(previous, added, removed, moved, len(current))


def _listed(frame: pd.DataFrame, title: str) -> list[str]:
    lines = [f"### {title}", ""]
    if frame.empty:
        return [*lines, "None.", ""]
    lines.append(markdown_table(frame.head(LISTED)))
    if len(frame) > LISTED:
        lines.append(f"\n… and {len(frame) - LISTED} more.")
    return [*lines, ""]


def changes_section(changes: ReleaseChanges) -> str:
    """The card's "Changes since PREVIOUS" section."""
    if changes.previous is None:
        return (
            "## Changes since the previous release\n\n"
            f"None: this is the first release ({changes.pairs} pairs).\n"
        )
    lines = [
        f"## Changes since {changes.previous}",
        "",
        f"- Pairs added: {len(changes.added)}",
        f"- Pairs removed: {len(changes.removed)}",
        f"- Pairs that moved between splits: {len(changes.moved)}",
        f"- Pairs now: {changes.pairs}",
        "",
    ]
    lines += _listed(changes.added, "Pairs added")
    lines += _listed(changes.removed, "Pairs removed")
    lines += _listed(changes.moved, "Pairs that moved between splits")
    return "\n".join(lines).rstrip("\n") + "\n"


def release_card(
    card: str,
    tag: str,
    commit: str,
    message: str,
    changes: ReleaseChanges,
    exports: str = "../data/exports",
) -> str:
    """The build's card with its version set to ``tag``, a release note and the changes.

    The card sits in ``releases/``, so its link to the HTML report is made relative to there
    (``exports``: the build's exports folder seen from ``releases/``).
    """
    card = re.sub(r"^Version: .*$", f"Version: {tag}", card, count=1, flags=re.MULTILINE)
    card = card.replace(f"]({REPORT_LINK})", f"]({exports}/{REPORT_LINK})")
    note = [
        "## Release",
        "",
        f"- Tag: {tag}",
        f"- Data commit: {commit}",
        f"- Previous release: {changes.previous or 'none'}",
    ]
    if message:
        note.append(f"- Message: {message}")
    return card.rstrip("\n") + "\n\n" + "\n".join(note) + "\n\n" + changes_section(changes)


def _require_clean(repo: Path, tag: str) -> None:
    """Tracked files committed, no uncommitted DVC files, and ``dvc status`` clean."""
    changed = git(repo, "status", "--porcelain", "--untracked-files=no")
    if changed:
        raise ReleaseError(
            f"{repo} has uncommitted changes to tracked files:\n{changed}\n"
            f"commit them (`git add -A && git commit`) before `crosspair release {tag}`"
        )
    untracked = git(repo, "ls-files", "--others", "--exclude-standard").splitlines()
    dvc_files = [name for name in untracked if _DVC_FILES.search(name)]
    if dvc_files:
        raise ReleaseError(
            f"DVC files not committed in {repo}: {', '.join(dvc_files)}; "
            f"`git add` and commit them before `crosspair release {tag}`"
        )

    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(repo)) as dvc_repo:
            status = dvc_repo.status()
    except DvcException as err:
        raise ReleaseError(
            f"`dvc status` failed in {repo}: {err}; is --repo a DVC repository (`dvc init`)?"
        ) from err
    if status:
        stale = ", ".join(sorted(status))
        raise ReleaseError(
            f"`dvc status` in {repo} is not clean ({stale}): run `dvc repro`, commit dvc.lock, "
            f"then `crosspair release {tag}`"
        )


def tag_exists(repo: Path, tag: str) -> bool:
    done = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", f"refs/tags/{tag}"], cwd=repo, capture_output=True
    )
    return done.returncode == 0


def _previous_release(repo: Path) -> str | None:
    entries = read_index(repo)
    if not entries:
        return None
    tag = entries[-1]["tag"]
    if not tag_exists(repo, tag):
        raise ReleaseError(
            f"{repo / INDEX} names {tag} as the latest release but the tag is missing; "
            f"restore it (`git fetch --tags`) or remove its line from {INDEX}"
        )
    return tag


def _tables(version: VersionedTables) -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = version.read("pairs", columns=_PAIR_COLUMNS)
    assignments = version.read("split_assignments", columns=["pair_id", "split"])
    if pairs is None or assignments is None:
        where = f"tag {version.rev}" if version.rev else "the workspace"
        raise ReleaseError(
            f"{where} has no {version.data}/tables/pairs.parquet or split_assignments.parquet; "
            "is --data the folder the build writes to?"
        )
    return pairs.to_pandas(), assignments.to_pandas()


def _push(repo: Path, tag: str) -> int:
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(repo)) as dvc_repo:
            return dvc_repo.push()
    except DvcException as err:
        raise ReleaseError(
            f"`dvc push` failed in {repo}: {err}; set a remote (`dvc remote add -d NAME URL`) "
            f"and run `crosspair release {tag}` again (nothing was committed or tagged)"
        ) from err


def _commit_release(repo: Path, tag: str, message: str, text: str, entry: dict) -> Path:
    """Write the card and the index line and commit them; on failure leave the tree as it was."""
    out = repo / RELEASES / f"{tag}.md"
    index = repo / INDEX
    before = index.read_text(encoding="utf-8") if index.is_file() else None
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    index.write_text((before or "") + json.dumps(entry, sort_keys=True) + "\n", encoding="utf-8")
    try:
        git(repo, "add", "--", str(out.relative_to(repo)), str(INDEX))
        git(repo, "commit", "-q", "-m", f"Release {tag}" + (f"\n\n{message}" if message else ""))
    except ReleaseError:
        subprocess.run(
            ["git", "reset", "-q", "--", str(INDEX), str(out.relative_to(repo))],
            cwd=repo,
            capture_output=True,
        )
        out.unlink()
        if before is None:
            index.unlink()
        else:
            index.write_text(before, encoding="utf-8")
        raise
    return out


def create_release(
    repo: str | Path,
    tag: str,
    message: str = "",
    *,
    data: str = "data",
    allow_split_moves: bool = False,
) -> Path:
    """Write, commit and tag ``releases/TAG.md`` for the committed build; returns the card path."""
    repo = Path(repo).resolve()
    if not _TAG.match(tag):
        raise ReleaseError(f"tag {tag!r}: use letters, digits, '.', '_' and '-' only (e.g. v2)")
    if tag_exists(repo, tag):
        raise ReleaseError(f"tag {tag} already exists in {repo}; choose a new tag")
    _require_clean(repo, tag)
    card_path = repo / data / CARD
    if not card_path.is_file():
        raise ReleaseError(f"{card_path} not found: build the dataset (`dvc repro`) first")

    previous = _previous_release(repo)
    pairs, assignments = _tables(VersionedTables(repo, data=data))
    previous_pairs = previous_assignments = None
    if previous is not None:
        older = VersionedTables(repo, previous, data=data)
        try:
            previous_pairs, previous_assignments = _tables(older)
        finally:
            older.close()
    changes = release_changes(previous_pairs, previous_assignments, pairs, assignments, previous)
    if len(changes.moved) and not allow_split_moves:
        listed = ", ".join(
            f"{row.pair_id} ({row.from_split}→{row.to_split})"
            for row in changes.moved.head(10).itertuples()
        )
        raise ReleaseError(
            f"{len(changes.moved)} pairs moved between splits since {previous}: {listed}; "
            "a pair must keep its split across releases (keep the split salt and ratios), "
            "or pass --allow-split-moves to release anyway"
        )

    commit = git(repo, "rev-parse", "HEAD")
    pushed = _push(repo, tag)
    exports = Path(os.path.relpath(card_path.parent, repo / RELEASES)).as_posix()
    text = release_card(
        card_path.read_text(encoding="utf-8"), tag, commit, message, changes, exports
    )
    entry = {
        "tag": tag,
        "commit": commit,
        "previous": previous,
        "message": message,
        "pairs": changes.pairs,
        "added": len(changes.added),
        "removed": len(changes.removed),
        "moved": len(changes.moved),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = _commit_release(repo, tag, message, text, entry)
    git(repo, "tag", "-a", tag, "-m", message or f"crosspair release {tag}")
    log.info(
        "released %s: %d pairs (+%d, -%d since %s), %d files pushed",
        tag,
        changes.pairs,
        len(changes.added),
        len(changes.removed),
        previous or "nothing",
        pushed,
    )
    return out
