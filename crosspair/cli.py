"""``crosspair`` command line: make the demo input and build a dataset through Dagster."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("crosspair")

# Libraries that log routine INFO lines (migrations, plugin registration) on every run.
NOISY_LOGGERS = ("alembic", "great_expectations", "numexpr")

DAGSTER_YAML = """\
# Written by `crosspair build`: local SQLite storage, no telemetry.
telemetry:
  enabled: false
"""


def _quiet_environment() -> None:
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def dagster_home(path: str | None = None) -> Path:
    """A persistent Dagster instance folder (so runs show in `dagster dev`), made if missing."""
    home = Path(path or os.environ.get("DAGSTER_HOME") or ".dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_build(
    sources: str,
    data_dir: str,
    workers: int = 0,
    engine: str = "local",
    dask_address: str = "",
    full: bool = False,
) -> bool:
    """Build through Dagster, decoding again only the sources that changed (all with ``full``).

    True when nothing blocking failed.
    """
    _quiet_environment()
    dagster_home()

    from dagster import DagsterInstance

    from crosspair.sources import load_sources
    from dagster_project.build import build_incremental, failed_checks, failure_tables

    load_sources(sources)  # fail fast, before Dagster starts, with the file and field named
    with DagsterInstance.get() as instance:
        result = build_incremental(
            sources, data_dir, instance, workers, engine, dask_address, full=full
        )
    log.info(
        "sources decoded again: %s; reused: %s; dropped: %s",
        ", ".join(result.materialised) or "none",
        ", ".join(result.fresh) or "none",
        ", ".join(result.dropped) or "none",
    )
    for name in failed_checks(result, "WARN"):
        log.warning("check warned: %s", name)
    errors = failed_checks(result, "ERROR")
    tables = failure_tables(result)
    for name in errors:
        log.error("check failed: %s\n%s", name, tables.get(name, ""))
    if any(name.endswith(":integrity") for name in errors) and not full:
        log.error("a source file changed without a new size or time? rebuild with `--full`")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                log.error("step %s failed: %s", event.step_key, _cause(event.step_failure_data))
    ok = result.success and not errors
    if ok:
        log.info("build succeeded (last run %s)", result.run_id)
    else:
        why = "steps failed" if not result.success else f"{len(errors)} blocking check(s) failed"
        log.error("build FAILED: %s (last run %s)", why, result.run_id)
    return ok


def _cause(failure) -> str:
    """The error of a failed step that the user can act on, not Dagster's wrapper around it.

    Crosspair's own error when the cause chain has one (the outermost: an ``EngineError`` says
    what to do, the ``ConnectionRefusedError`` it was raised from does not), else the
    innermost error.
    """
    error = failure.error if failure else None
    if error is None:
        return "no error recorded"
    while error.cause is not None and not _is_ours(error):
        error = error.cause
    return error.message.strip()  # "ValueError: ..." as Python prints it


def _is_ours(error) -> bool:
    """Whether a serialised error's class is defined in the crosspair package.

    Python prints a class from outside builtins with its module: "crosspair.engine.EngineError".
    """
    return error.message.split(":", 1)[0].strip().startswith("crosspair.")


def _demo_input(args) -> int:
    from crosspair.demo import generate_demo

    path = generate_demo(Path(args.out))
    log.info("demo sources written to %s", path)
    return 0


def _build(args) -> int:
    from crosspair.engine import EngineConfig, workers_from_env

    try:  # before Dagster starts, so a typo costs no build
        if args.workers is None:
            args.workers = workers_from_env()
        EngineConfig(kind=args.engine, workers=args.workers, address=args.dask_address)
    except ValueError as err:
        log.error(
            "%s (--engine, --workers, --dask-address, or env CROSSPAIR_ENGINE, "
            "CROSSPAIR_WORKERS, CROSSPAIR_DASK_ADDRESS)",
            err,
        )
        return 2
    ok = run_build(
        args.sources, args.data, args.workers, args.engine, args.dask_address, full=args.full
    )
    return 0 if ok else 1


# Modules that add their own subcommands: each has ``add_commands(subparsers)`` and sets
# ``func`` on its parsers. A missing module (a feature not built yet) is skipped.
COMMAND_MODULES = (
    "crosspair.commands.versions",
    "crosspair.commands.erasure",
    "crosspair.report.command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crosspair", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo_input = sub.add_parser("demo-input", help="write the built-in demo sources")
    demo_input.add_argument("--out", default="data/demo_input")
    demo_input.set_defaults(func=_demo_input)

    build = sub.add_parser("build", help="ingest, pair, validate, split and export")
    build.add_argument(
        "--sources", default=os.environ.get("CROSSPAIR_SOURCES", "data/demo_input/sources.yaml")
    )
    build.add_argument("--data", default=os.environ.get("CROSSPAIR_DATA", "data"))
    build.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes for per-item work (0 = in process; default: env CROSSPAIR_WORKERS or 0)",
    )
    build.add_argument(
        "--engine",
        choices=("local", "dask"),
        default=os.environ.get("CROSSPAIR_ENGINE", "local"),
        help="where per-item work runs: this machine's processes, or a Dask cluster",
    )
    build.add_argument(
        "--dask-address",
        default=os.environ.get("CROSSPAIR_DASK_ADDRESS", ""),
        help="Dask scheduler (tcp://host:8786); empty = a LocalCluster of --workers processes",
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="decode every source again, not only those whose files changed",
    )
    build.set_defaults(func=_build)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from crosspair.sources import SourcesError

    try:
        return args.func(args)
    except SourcesError as err:
        log.error("%s", err)
        return 2


if __name__ == "__main__":
    sys.exit(main())
