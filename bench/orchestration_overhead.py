"""What Dagster costs: the full build job through Dagster against the same calls in plain Python.

Both sides build the same generated corpus (``synthetic_corpus.py``, not timed) from a warm
page cache, each in a fresh child process with its imports done before the clock starts:

- Dagster: ``dagster_project.build.materialise_all`` (in-process executor) on a
  ``DagsterInstance.local_temp``: every asset and check, the IO manager writing each asset to
  Parquet and reading it back for each consumer, metadata, event log;
- plain: ``plain_build.build``, the crosspair functions each asset and check calls, in
  sequence, tables kept in memory and written once.

The run fails unless both write the same set of tables and equal pair, split assignment,
exclusion and split manifest tables; every other common table is compared and reported.
Printed: wall and CPU seconds of each side, the ratios Dagster / plain, and the difference.

    .venv/bin/python bench/orchestration_overhead.py [--items 500] [--repeat 1] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest_vs_sha256sum import QUIET_ENV, cpu_seconds, warm_page_cache
from results_file import host_facts, save_report
from synthetic_corpus import open_or_generate

QUICK_ITEMS = 200
# these must be equal, or the comparison is not fair and the run fails
STRICT_TABLES = (
    "pairs",
    "split_assignments",
    "split_exclusions",
    "train_split",
    "val_split",
    "test_split",
)
RUN_SPECIFIC = {"provenance": ["run_id"]}  # columns that name the run, so differ by design


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=500, help="media files to generate")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ITEMS} items")
    parser.add_argument("--repeat", type=int, default=1, help="builds per side; the best counts")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--corpus", type=Path, help="keep the corpus here and reuse it next time")
    parser.add_argument("--out", type=Path, default=Path("bench/results/orchestration.json"))
    parser.add_argument("--measure", choices=["plain", "dagster"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.items = QUICK_ITEMS
    if args.items < 1 or args.repeat < 1:
        parser.error("--items and --repeat must be at least 1")
    return args


# -- one build, in a child process ------------------------------------------------------------


def measure_plain(sources: Path, data: Path) -> dict:
    started = time.perf_counter()
    import plain_build

    from crosspair.probe import probe_function

    for modality in ("image", "audio", "video", "mesh", "sensor", "text", "code"):
        probe_function(modality)
    import_s = time.perf_counter() - started

    cpu, started = cpu_seconds(), time.perf_counter()
    build = plain_build.build(sources, data)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    failed = [
        f"{c['asset']}:{c['name']}"
        for c in build.checks
        if not c["passed"] and c["severity"] == "ERROR"
    ]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "import_s": import_s,
        "steps": build.seconds,
        "failed_checks": sorted(failed),
        "checks": len(build.checks),
        "assets": sorted(build.assets),
    }


def measure_dagster(sources: Path, data: Path) -> dict:
    started = time.perf_counter()
    from dagster import DagsterInstance

    from crosspair.probe import probe_function
    from dagster_project.build import failed_checks, materialise_all

    for modality in ("image", "audio", "video", "mesh", "sensor", "text", "code"):
        probe_function(modality)
    import_s = time.perf_counter() - started

    home = data.parent / f"{data.name}-dagster-home"
    home.mkdir(parents=True)
    cpu, started = cpu_seconds(), time.perf_counter()
    with DagsterInstance.local_temp(str(home)) as instance:
        result = materialise_all(sources, data, instance, 0)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    steps = {
        event.step_key: event.event_specific_data.duration_ms / 1000
        for event in result.get_step_success_events()
    }
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "import_s": import_s,
        "success": bool(result.success),
        "steps": dict(sorted(steps.items(), key=lambda item: -item[1])),
        "failed_checks": failed_checks(result, "ERROR"),
        "checks": len(result.get_asset_check_evaluations()),
        "assets": sorted(
            {e.asset_key.to_user_string() for e in result.all_events if e.is_step_materialization}
        ),
    }


def measure(args: argparse.Namespace) -> None:
    sources = args.corpus / "sources.yaml"
    run = measure_plain if args.measure == "plain" else measure_dagster
    result = run(sources, args.data)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.result.write_text(json.dumps(result), encoding="utf-8")


def run_child(kind: str, corpus: Path, data: Path, scratch: Path) -> dict:
    """One build in a fresh interpreter; its log goes to a file, shown if it fails."""
    result, log = scratch / f"{data.name}.json", scratch / f"{data.name}.log"
    command = [sys.executable, __file__, "--measure", kind, "--corpus", str(corpus)]
    command += ["--data", str(data), "--result", str(result)]
    with log.open("w") as out:
        done = subprocess.run(command, stdout=out, stderr=out, env={**os.environ, **QUIET_ENV})
    if done.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise SystemExit(f"{kind} build failed ({done.returncode}):\n" + "\n".join(tail))
    return json.loads(result.read_text(encoding="utf-8"))


# -- comparing what both wrote ----------------------------------------------------------------


def compare_assets(plain: dict, dagster: dict) -> None:
    """Fail unless the plain build mirrors every asset the Dagster build materialised."""
    missing = sorted(set(dagster["assets"]) - set(plain["assets"]))
    extra = sorted(set(plain["assets"]) - set(dagster["assets"]))
    if missing or extra:
        raise SystemExit(
            "the builds made different assets; update bench/plain_build.py to mirror the "
            f"build job: only Dagster {missing}, only plain {extra}"
        )


def compare_tables(plain: Path, dagster: Path) -> dict:
    """Fail unless both wrote the same tables and equal pair/split tables; report the rest."""
    import pandas as pd

    names = {path.name for path in (plain / "tables").iterdir()}
    # Dagster also keeps the per-source partitions of the ingest tables in a folder of their own
    dagster_names = {path.name for path in (dagster / "tables").iterdir() if path.is_file()}
    if names != dagster_names:
        raise SystemExit(
            "the builds wrote different tables; update bench/plain_build.py to mirror the "
            f"assets: only plain {sorted(names - dagster_names)}, "
            f"only Dagster {sorted(dagster_names - names)}"
        )
    equal, different = [], {}
    for name in sorted(n for n in names if n.endswith(".parquet")):
        table = name.removesuffix(".parquet")
        left = pd.read_parquet(plain / "tables" / name)
        right = pd.read_parquet(dagster / "tables" / name)
        drop = RUN_SPECIFIC.get(table, [])
        try:
            pd.testing.assert_frame_equal(left.drop(columns=drop), right.drop(columns=drop))
            equal.append(table)
        except AssertionError as error:
            if table in STRICT_TABLES:
                raise SystemExit(f"{table} differs between the builds: {error}") from None
            different[table] = str(error).splitlines()[0]
    return {"equal": equal, "different": different}


# -- the report -------------------------------------------------------------------------------


def summarise(runs: dict[str, list[dict]]) -> dict:
    best = {kind: min(results, key=lambda r: r["seconds"]) for kind, results in runs.items()}
    plain, dagster = best["plain"], best["dagster"]
    steps = len(dagster["steps"])
    return {
        "plain_s": round(plain["seconds"], 3),
        "dagster_s": round(dagster["seconds"], 3),
        "plain_cpu_s": round(plain["cpu_seconds"], 3),
        "dagster_cpu_s": round(dagster["cpu_seconds"], 3),
        "wall_ratio": round(dagster["seconds"] / plain["seconds"], 3),
        "cpu_ratio": round(dagster["cpu_seconds"] / plain["cpu_seconds"], 3),
        "overhead_s": round(dagster["seconds"] - plain["seconds"], 3),
        "dagster_steps": steps,
        "overhead_per_step_s": round((dagster["seconds"] - plain["seconds"]) / steps, 3),
        "checks": {"plain": plain["checks"], "dagster": dagster["checks"]},
    }


def print_report(report: dict) -> None:
    s, corpus = report["summary"], report["corpus"]
    print(
        f"\ncorpus: {corpus['media_files']:,} media files, {corpus['text_records']:,} text "
        f"records; best of {report['repeat']}; {report['host']['cpus']} CPUs, 1-min load "
        f"{report['host']['load_1min_before']:.1f} before, {report['host']['load_1min_after']:.1f}"
        " after\n"
    )
    print(f"{'build':<44}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}")
    for kind, label in (("plain", "plain Python (same crosspair calls)"), ("dagster", "Dagster")):
        best = min(report["runs"][kind], key=lambda r: r["seconds"])
        print(
            f"{label:<44}{best['seconds']:>9.2f}{best['cpu_seconds']:>9.2f}"
            f"{best['peak_rss_mb']:>13.0f}"
        )
    print(
        f"\nDagster / plain: wall {s['wall_ratio']:.2f}x, CPU {s['cpu_ratio']:.2f}x; "
        f"Dagster adds {s['overhead_s']:.1f} s over {s['dagster_steps']} steps "
        f"({s['overhead_per_step_s']:.2f} s per step); {s['checks']['dagster']} checks each"
    )
    plain_steps = min(report["runs"]["plain"], key=lambda r: r["seconds"])["steps"]
    print("plain steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in plain_steps.items()))
    dagster_steps = min(report["runs"]["dagster"], key=lambda r: r["seconds"])["steps"]
    slowest = list(dagster_steps.items())[:8]
    print("slowest Dagster steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in slowest))
    tables = report["tables"]
    print(
        f"tables equal: {len(tables['equal'])} (pairs, splits and manifests required); "
        f"different: {tables['different'] or 'none'}"
    )


def main() -> None:
    args = parse_args()
    if args.measure:
        measure(args)
        return
    wall = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="crosspair-overhead-"))
    try:
        corpus_dir = args.corpus.resolve() if args.corpus else scratch / "corpus"
        print(f"corpus: {corpus_dir} ({args.items:,} items, seed {args.seed})", flush=True)
        corpus = open_or_generate(corpus_dir, args.items, args.seed)
        warm_page_cache(corpus.root, corpus.media + corpus.manifests)
        load_before = os.getloadavg()[0]
        runs: dict[str, list[dict]] = {"plain": [], "dagster": []}
        tables = None
        for attempt in range(args.repeat):
            # alternate the order so neither side always runs on a warmer machine
            order = ("plain", "dagster") if attempt % 2 == 0 else ("dagster", "plain")
            for kind in order:
                print(f"build {attempt + 1}/{args.repeat}: {kind}", flush=True)
                data = scratch / f"{kind}-{attempt}"
                runs[kind].append(run_child(kind, corpus.root, data, scratch))
                failed = runs[kind][-1]["failed_checks"]
                if failed:
                    raise SystemExit(f"{kind} build: blocking checks failed: {failed}")
            if tables is None:
                compare_assets(runs["plain"][0], runs["dagster"][0])
                tables = compare_tables(scratch / "plain-0", scratch / "dagster-0")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    report = {
        "benchmark": "orchestration_overhead",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": host_facts(load_before),
        "repeat": args.repeat,
        "corpus": {
            "seed": corpus.seed,
            "media_files": len(corpus.media),
            "media_counts": corpus.media_counts,
            "text_records": corpus.text_records,
        },
        "summary": None,
        "tables": tables,
        "runs": runs,
    }
    report["summary"] = summarise(runs)
    report["total_wall_s"] = round(time.perf_counter() - wall, 1)
    print_report(report)
    save_report(report, args.out)


if __name__ == "__main__":
    main()
