"""`crosspair report` (or `python -m crosspair.report`): the HTML report of a finished build."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def add_commands(subparsers) -> None:
    """Add the report subcommand to the `crosspair` parser."""
    report = subparsers.add_parser("report", help="static HTML report of a built dataset")
    add_arguments(report)
    report.set_defaults(func=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=os.environ.get("CROSSPAIR_DATA", "data"))
    parser.add_argument(
        "--sources",
        default=os.environ.get("CROSSPAIR_SOURCES", "data/demo_input/sources.yaml"),
        help="the build's sources file, to find media for previews ('' for none)",
    )
    parser.add_argument("--out", default="", help="default: DATA/exports/report")
    parser.add_argument("--version", default="unreleased", help="version shown in the report")


def run(args) -> int:
    from crosspair.export.webdataset import resolver_from_roots
    from crosspair.report.writer import write_report
    from crosspair.sources import load_sources

    resolve = None
    if args.sources:
        config = load_sources(args.sources)
        roots = {source.name: config.root_of(source) for source in config.sources}
        resolve = resolver_from_roots(roots, args.data)
    out = Path(args.out) if args.out else Path(args.data) / "exports" / "report"
    try:
        index = write_report(args.data, out, args.version, resolve=resolve)
    except FileNotFoundError as err:
        log.error("%s", err)
        return 2
    log.info("report: %s", index.resolve().as_uri())
    return 0
