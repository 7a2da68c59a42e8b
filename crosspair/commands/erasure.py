"""``crosspair forget`` and ``crosspair scan``: GDPR erasure through every version.

crosspair forget --subject 61 --requested-by dpo@example.org --reason "Art. 17, ticket 42"
crosspair forget --item images/000000062554.jpg --requested-by dpo --reason "..." --repo ds
crosspair scan --subject 61 --repo ds      # exit 1 and a list of hits if anything is left
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def _targets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subject", action="append", default=[], help="person id (repeatable)")
    parser.add_argument(
        "--item",
        action="append",
        default=[],
        help="item id, or a path relative to a source root, optionally 'source:path' (repeatable)",
    )
    parser.add_argument("--repo", default=".", help="the dataset repo (git + DVC)")
    parser.add_argument(
        "--sources",
        default=None,
        help="sources file in the repo (default: params.yaml's, or raw/sources.yaml)",
    )


def add_commands(subparsers) -> None:
    forget = subparsers.add_parser(
        "forget", help="erase a person or an item from the workspace, every version and remote"
    )
    _targets(forget)
    forget.add_argument("--requested-by", required=True, help="who asked (a role or ticket)")
    forget.add_argument("--reason", required=True, help="why, e.g. the legal basis")
    forget.add_argument("--ledger", default="erasure/ledger.jsonl", help="relative to --repo")
    forget.set_defaults(func=_forget)

    scan = subparsers.add_parser("scan", help="find a person's or an item's data anywhere")
    _targets(scan)
    scan.add_argument("--sha256", action="append", default=[], help="known media hash")
    scan.add_argument(
        "--file", action="append", default=[], help="a copy of the media; its sha256 is looked for"
    )
    scan.add_argument("--json", action="store_true", help="print the hits as JSON")
    scan.set_defaults(func=_scan)


def _say(text: str) -> None:
    """Answers go to stdout (logs go to stderr)."""
    sys.stdout.write(text + "\n")


def _check(args) -> None:
    if not args.subject and not args.item:
        raise SystemExit("give at least one `--subject ID` or `--item ID`")


def _forget(args) -> int:
    _check(args)
    from crosspair.cli import _quiet_environment, dagster_home
    from crosspair.erasure.forget import ErasureError, forget
    from crosspair.erasure.ledger import LedgerError
    from crosspair.erasure.store import StoreError

    _quiet_environment()
    repo = Path(args.repo).resolve()
    home = dagster_home(os.environ.get("DAGSTER_HOME") or str(repo / ".dagster"))

    from dagster import DagsterInstance

    from dagster_project.erasure import DagsterRunHistory, run_erase_job

    try:
        result = forget(
            repo,
            args.subject,
            args.item,
            args.requested_by,
            args.reason,
            sources=args.sources,
            ledger=args.ledger,
            history=DagsterRunHistory(home),
        )
    except (ErasureError, LedgerError, StoreError) as err:
        log.error("%s", err)
        return 1
    with DagsterInstance.from_config(str(home)) as instance:
        run = run_erase_job(
            result.report_json, repo / args.ledger, instance, result.entry.request_id
        )
    summary = result.report["summary"]
    _say(f"request {result.entry.request_id}{'' if result.created else ' (already in ledger)'}")
    _say(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()))
    for note in result.report.get("notes", []):
        _say(f"note: {note}")
    _say(f"report: {result.report_json}\n        {result.report_md}")
    _say(f"dagster run: {run.run_id}")
    return 0 if run.success else 1


def _scan(args) -> int:
    _check(args)
    from crosspair.cli import _quiet_environment
    from crosspair.erasure.forget import default_sources, request_for
    from crosspair.erasure.scan import scan
    from crosspair.erasure.store import StoreError
    from crosspair.ids import sha256_file

    _quiet_environment()
    repo = Path(args.repo).resolve()
    sources = args.sources or default_sources(repo)
    request = request_for(repo, sources, args.subject, args.item)
    hashes = tuple(args.sha256) + tuple(sha256_file(path) for path in args.file)
    try:
        hits = scan(repo, request, sources=sources, sha256s=hashes)
    except StoreError as err:
        log.error("%s", err)
        return 2
    if args.json:
        _say(json.dumps([hit.__dict__ for hit in hits], indent=1))
    else:
        for hit in hits:
            _say(f"{hit.location}\t{hit.path}\t{hit.match}")
        _say(f"{len(hits)} hits")
    return 1 if hits else 0
