"""`crosspair provenance`, `crosspair release` and `crosspair audit`: a dataset's versions.

The work is done in ``crosspair.provenance``, ``crosspair.releases`` and ``crosspair.lineage``;
these commands parse arguments and print answers (readable text, or JSON with ``--json``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys

log = logging.getLogger(__name__)


def add_commands(subparsers) -> None:
    """Add the provenance, release and audit subcommands to the `crosspair` parser."""
    prov = subparsers.add_parser("provenance", help="where a pair or an item's pairs came from")
    which = prov.add_mutually_exclusive_group(required=True)
    which.add_argument("--pair", help="pair id")
    which.add_argument("--item", help="item id: every pair with it on either side")
    prov.add_argument("--data", default=os.environ.get("CROSSPAIR_DATA", "data"))
    prov.add_argument("--json", action="store_true", help="one JSON object per line")
    prov.set_defaults(func=_provenance)

    release = subparsers.add_parser("release", help="tag a built, committed dataset version")
    release.add_argument("tag", help="the new tag, e.g. v2")
    release.add_argument("--message", "-m", default="", help="release note and tag message")
    release.add_argument("--repo", default=".", help="the dataset's git + DVC repository")
    release.add_argument("--data", default="data", help="data folder, relative to --repo")
    release.add_argument(
        "--allow-split-moves",
        action="store_true",
        help="release even if pairs changed split since the previous release",
    )
    release.set_defaults(func=_release)

    audit = subparsers.add_parser(
        "audit", help="which versions, splits, shards and pairs hold an item or a subject"
    )
    what = audit.add_mutually_exclusive_group(required=True)
    what.add_argument("--item", help="item id")
    what.add_argument("--subject", help="subject (person) id, as in the catalogs' subject_ids")
    audit.add_argument("--repo", default=".", help="the dataset's git + DVC repository")
    audit.add_argument("--data", default="data", help="data folder, relative to --repo")
    audit.add_argument("--json", action="store_true", help="print one JSON document")
    audit.set_defaults(func=_audit)


def _provenance(args) -> int:
    from crosspair.provenance import lookup

    try:
        rows = lookup(args.data, pair_id=args.pair, item_id=args.item)
    except FileNotFoundError as err:
        log.error("%s", err)
        return 2
    if rows.empty:
        log.error(
            "no pair %s in %s", f"with item {args.item}" if args.item else args.pair, args.data
        )
        return 1
    for row in rows.to_dict("records"):
        sys.stdout.write(_json_line(row) if args.json else _provenance_text(row))
    return 0


def _json_line(row: dict) -> str:
    """One strict JSON line: a missing number (NaN, e.g. the score of a heuristic pair) is null."""
    clean = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
    return json.dumps(clean, allow_nan=False) + "\n"


def _provenance_text(row: dict) -> str:
    made_by = ", ".join(
        f"{name} {row[name]}" for name in ("model_name", "model_version", "annotator") if row[name]
    )
    lines = [f"pair {row['pair_id']}  (group {row['group_id']})"]
    for side in ("left", "right"):
        lines.append(
            f"  {side:<6} {row[f'{side}_modality']:<6} {row[f'{side}_id']}  "
            f"{row[f'{side}_source']}: {row[f'{side}_path']}"
        )
        lines.append(f"         sha256 {row[f'{side}_sha256']}")
        lines.append(f"         licence {row[f'{side}_licence']}")
    lines.append(f"  method {row['method']} {row['params']}")
    lines.append(f"  made by {made_by or 'heuristic (no model, no annotator)'}")
    lines.append(f"  code {row['code_version']}  run {row['run_id']}")
    return "\n".join(lines) + "\n\n"


def _release(args) -> int:
    from crosspair.releases import ReleaseError, create_release

    try:
        path = create_release(
            args.repo,
            args.tag,
            args.message,
            data=args.data,
            allow_split_moves=args.allow_split_moves,
        )
    except ReleaseError as err:
        log.error("release %s refused: %s", args.tag, err)
        return 2
    sys.stdout.write(f"released {args.tag}: {path}\n")
    return 0


def _audit(args) -> int:
    from crosspair.lineage import LineageError, audit

    try:
        results = audit(args.repo, item_id=args.item, subject_id=args.subject, data=args.data)
    except (ValueError, LineageError) as err:
        log.error("%s", err)
        return 2
    query = {"item": args.item} if args.item else {"subject": args.subject}
    if args.json:
        document = {"query": query, "versions": [hits.to_dict() for hits in results]}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        label = f"item {args.item}" if args.item else f"subject {args.subject}"
        sys.stdout.write(label + "\n\n" + "".join(_version_text(hits) for hits in results))
    found = any(len(hits.items) or len(hits.pairs) for hits in results)
    return 0 if found else 1


def _version_text(hits) -> str:
    name = f"{hits.version} ({hits.commit})" if hits.commit else hits.version
    if hits.items.empty and hits.pairs.empty:
        return f"{name}: not in this version\n\n"
    splits = ", ".join(sorted(set(hits.pairs["split"]))) or "-"
    shards = ", ".join(sorted(set(hits.pairs["shard"]) - {""})) or "-"
    lines = [
        f"{name}: {len(hits.items)} items, {len(hits.pairs)} pairs; "
        f"splits: {splits}; shards: {shards}"
    ]
    for item in hits.items.itertuples(index=False):
        lines.append(f"  item {item.item_id} {item.modality} {item.source}: {item.path}")
    if len(hits.pairs):
        columns = ["split", "shard", "group_id", "pair_id", "matched", "item_ids"]
        table = hits.pairs[columns].to_string(index=False)
        lines += ["  " + line for line in table.splitlines()]
    return "\n".join(lines) + "\n\n"
