"""Ingest time of crosspair against `sha256sum` over the same files, printed as a ratio.

The corpus (``synthetic_corpus.py``) is generated first and not timed. The page cache is then
warmed by reading every file once, so both sides read from memory. Measured, best of
``--repeat`` runs each:

- baseline: coreutils ``sha256sum`` over exactly the media files and manifests, in batches of
  at most 64 KiB of arguments as ``xargs`` would pass them (one process at a time, and also
  N at a time for each ``--workers N`` above 1);
- crosspair ingest: load the sources file, ``discover``, ``discovered_frame``, and
  ``build_catalog`` of every modality from ``candidates_from_frame`` (what the Dagster
  ``discovery`` and ``*_catalog_build`` assets run), which decodes each item, measures its
  metadata and hashes it; once per ``--workers`` value;
- with ``--dagster``: the whole Dagster build job (every asset and check, exports included).

For reference, crosspair's own file hash (``crosspair.ids.sha256_file``) is timed alone over the
same files: it shows how much of the ingest time hashing can explain.

Each crosspair variant runs in a fresh child process, so its peak RSS is its own; library
imports happen before the clock starts. Wall and CPU time (user + system, children included)
are both compared; the CPU ratio is the one other load on the machine moves least. The
crosspair catalogs must hold every item with no rejects, and their sha256 column must equal
what ``sha256sum`` printed, or the run fails.

    .venv/bin/python bench/ingest_vs_sha256sum.py [--items 10000] [--workers 0 2] [--dagster]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from results_file import host_facts, save_report
from synthetic_corpus import Corpus, open_or_generate

BATCH_ARG_BYTES = 64 * 1024
QUIET_ENV = {
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DVC_NO_ANALYTICS": "1",
    "GX_ANALYTICS_ENABLED": "False",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="media files to generate")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[0], help="crosspair worker counts to time"
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs per side; the best counts")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--corpus", type=Path, help="keep the corpus here and reuse it next time")
    parser.add_argument("--dagster", action="store_true", help="also time the full Dagster build")
    parser.add_argument("--out", type=Path, default=Path("bench/results/ingest.json"))
    # internal: one crosspair measurement in a child process
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.items < 1 or args.repeat < 1 or min(args.workers) < 0:
        parser.error("--items and --repeat must be at least 1, --workers at least 0")
    return args


# -- the baseline -----------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (sha256sum, pool workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def warm_page_cache(root: Path, paths: list[str]) -> int:
    """Read every file once so neither side pays for the disk; returns the bytes read."""
    total = 0
    for rel in paths:
        with open(root / rel, "rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
    return total


def batches(paths: list[str], limit: int = BATCH_ARG_BYTES) -> list[list[str]]:
    """Split paths into command lines of at most ``limit`` bytes, as xargs does."""
    out: list[list[str]] = [[]]
    size = 0
    for path in paths:
        cost = len(path.encode()) + 1
        if out[-1] and size + cost > limit:
            out.append([])
            size = 0
        out[-1].append(path)
        size += cost
    return out


def _sha256sum(root: Path, batch: list[str]) -> str:
    done = subprocess.run(
        ["sha256sum", "--", *batch], cwd=root, capture_output=True, text=True, check=True
    )
    return done.stdout


def sha256sum_run(root: Path, paths: list[str], processes: int) -> tuple[float, float, dict]:
    """Wall and CPU seconds of sha256sum over ``paths``, ``processes`` at a time; digests."""
    chunks = batches(paths)
    cpu, started = cpu_seconds(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=processes) as pool:
        outputs = list(pool.map(lambda batch: _sha256sum(root, batch), chunks))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    digests = {}
    for line in "".join(outputs).splitlines():
        digest, path = line.split("  ", 1)
        digests[path] = digest
    if len(digests) != len(paths):
        raise SystemExit(f"sha256sum printed {len(digests)} digests for {len(paths)} files")
    return seconds, cpu, digests


def hashlib_run(root: Path, paths: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of crosspair's own file hash (hashlib) over the same files."""
    from crosspair.ids import sha256_file

    cpu, started = cpu_seconds(), time.perf_counter()
    for rel in paths:
        sha256_file(root / rel)
    return time.perf_counter() - started, cpu_seconds() - cpu


def media_digest(lines: list[str]) -> str:
    """One hash over sorted 'sha256  path' lines, so two sides' digests compare in one value."""
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


# -- crosspair, in a child process --------------------------------------------------------------


def ingest_once(sources: Path, workers: int) -> tuple[dict[str, float], dict]:
    """Discovery and every catalog; returns seconds per stage and what was catalogued."""
    from crosspair.catalog import (
        build_catalog,
        candidates_from_frame,
        discovered_frame,
        rejects_frame,
    )
    from crosspair.discover import discover
    from crosspair.engine import EngineConfig
    from crosspair.schemas import CATALOGS
    from crosspair.sources import load_sources

    engine = EngineConfig(workers=workers)
    stages: dict[str, float] = {}
    cpu, started = cpu_seconds(), time.perf_counter()
    config = load_sources(sources)
    found = discover(config)
    items = discovered_frame(found)
    rejects = [rejects_frame(found.rejects)]
    stages["discover"] = time.perf_counter() - started

    catalogs = {}
    for modality in CATALOGS:
        begun = time.perf_counter()
        candidates = candidates_from_frame(items, modality)
        catalogs[modality], modality_rejects = build_catalog(modality, candidates, engine)
        rejects.append(modality_rejects)
        stages[modality] = time.perf_counter() - begun
    stages["total"] = time.perf_counter() - started
    stages["cpu"] = cpu_seconds() - cpu

    corpus_root = sources.resolve().parent
    roots = {s.name: config.root_of(s).relative_to(corpus_root).as_posix() for s in config.sources}
    lines = [
        f"{row.sha256}  {roots[row.source]}/{row.path}"
        for modality, table in catalogs.items()
        if modality not in {"text", "code"}
        for row in table.itertuples(index=False)
    ]
    seen = {
        "discovered": len(items),
        "catalog_rows": {m: len(t) for m, t in catalogs.items() if len(t)},
        "rejects": sum(len(r) for r in rejects),
        "media_hashed": len(lines),
        "media_digest": media_digest(lines),
    }
    return stages, seen


def dagster_once(sources: Path, workers: int) -> tuple[dict[str, float], dict]:
    """The whole build job through a throw-away Dagster instance and data folder."""
    import pandas as pd
    from dagster import DagsterInstance

    from dagster_project.build import failed_checks, materialise_all

    with tempfile.TemporaryDirectory(prefix="crosspair-bench-") as scratch:
        home, data = Path(scratch) / "home", Path(scratch) / "data"
        home.mkdir()
        cpu, started = cpu_seconds(), time.perf_counter()
        with DagsterInstance.local_temp(str(home)) as instance:
            result = materialise_all(sources, data, instance, workers)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        steps = {
            event.step_key: event.event_specific_data.duration_ms / 1000
            for event in result.get_step_success_events()
        }
        tables = {
            path.stem: len(pd.read_parquet(path, columns=[]))
            for path in sorted((data / "tables").glob("*.parquet"))
        }
    seen = {
        "success": bool(result.success),
        "failed_checks": failed_checks(result, "ERROR"),
        "warned_checks": failed_checks(result, "WARN"),
        "rows": {name: n for name, n in tables.items() if name.endswith(("_catalog", "pairs"))},
        "rejects": tables.get("rejects", 0),
    }
    slowest = sorted(steps.items(), key=lambda item: -item[1])[:8]
    return {**dict(slowest), "total": seconds, "cpu": cpu}, seen


def measure(args: argparse.Namespace) -> None:
    """Child mode: time one variant ``--repeat`` times and write the result as JSON."""
    kind, workers = args.measure.split(":")
    workers = int(workers)
    sources = args.corpus / "sources.yaml"

    started = time.perf_counter()
    import crosspair.catalog  # noqa: F401  (imports are not part of ingest time)
    import crosspair.discover  # noqa: F401
    from crosspair.probe import probe_function

    for modality in ("image", "audio", "mesh", "sensor", "text"):
        probe_function(modality)
    if kind == "dagster":
        import dagster_project.build  # noqa: F401
    import_s = time.perf_counter() - started

    runs = []
    for _ in range(1 if kind == "dagster" else args.repeat):
        runs.append((dagster_once if kind == "dagster" else ingest_once)(sources, workers))
    cpu = [round(stages.pop("cpu"), 4) for stages, _ in runs]
    best_stages, seen = min(runs, key=lambda run: run[0]["total"])
    result = {
        "seconds": [round(stages["total"], 4) for stages, _ in runs],
        "cpu_seconds": cpu,
        "stages": {name: round(value, 4) for name, value in best_stages.items()},
        "import_s": round(import_s, 3),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        **seen,
    }
    args.result.write_text(json.dumps(result), encoding="utf-8")


def run_child(variant: str, corpus: Path, repeat: int, scratch: Path) -> dict:
    """Run one crosspair variant in a fresh interpreter; its log goes to a file."""
    result, log = scratch / f"{variant}.json".replace(":", "_"), scratch / "child.log"
    command = [
        sys.executable,
        __file__,
        "--measure",
        variant,
        "--corpus",
        str(corpus),
        "--repeat",
        str(repeat),
        "--result",
        str(result),
    ]
    with log.open("w") as stderr:
        done = subprocess.run(
            command, stdout=stderr, stderr=stderr, env={**os.environ, **QUIET_ENV}
        )
    if done.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise SystemExit(f"{variant} failed ({done.returncode}):\n" + "\n".join(tail))
    return json.loads(result.read_text(encoding="utf-8"))


# -- the report ---------------------------------------------------------------------------------


def check_ingest(name: str, seen: dict, corpus: Corpus, expected_digest: str) -> None:
    """Stop when crosspair did not catalogue every item, or hashed other bytes than sha256sum."""
    expected = {m: n for m, n in corpus.media_counts.items() if n}
    expected["text"] = corpus.text_records
    problems = []
    if seen["catalog_rows"] != expected:
        problems.append(f"catalog rows {seen['catalog_rows']} != {expected}")
    if seen["rejects"]:
        problems.append(f"{seen['rejects']} rejects")
    if seen["media_digest"] != expected_digest:
        problems.append("catalog sha256 values differ from sha256sum's")
    if problems:
        raise SystemExit(f"{name}: " + "; ".join(problems))


_WIDTHS = (44, 5, 8, 8, 8, 8, 7, 10, 9, 9)


def _row(cells) -> str:
    """The first cell left-aligned, the numbers right-aligned."""
    padded = [cells[0].ljust(_WIDTHS[0])]
    padded += [cell.rjust(width) for cell, width in zip(cells[1:], _WIDTHS[1:], strict=True)]
    return "  ".join(padded)


def print_report(report: dict) -> None:
    corpus, lines = report["corpus"], report["lines"]
    media = corpus["media_files"]
    per_modality = ", ".join(f"{n:,} {m}" for m, n in corpus["media_counts"].items())
    texts = ", ".join(f"{n:,} {kind}s" for kind, n in corpus["text_records"].items() if n)
    print(
        f"\ncorpus: {media:,} media files ({per_modality}) + {corpus['manifests']} JSONL "
        f"manifests holding {sum(corpus['text_records'].values()):,} text records ({texts}); "
        f"{corpus['hashed_mb']:.1f} MB hashed by sha256sum"
    )
    print(
        f"page cache warm; best of {report['repeat']} (Dagster: 1 run); "
        f"{report['host']['cpus']} CPUs, 1-min load {report['host']['load_1min_before']:.1f} "
        f"before, {report['host']['load_1min_after']:.1f} after; items = media files\n"
    )
    header = (
        "what",
        "procs",
        "best s",
        "CPU s",
        "items/s",
        "MB/s",
        "ratio",
        "same procs",
        "CPU ratio",
        "RSS MB",
    )
    print(_row(header))
    for line in lines:
        rss = "-" if line["peak_rss_mb"] is None else f"{line['peak_rss_mb']:.0f}"
        if line.get("peak_worker_rss_mb"):
            rss += f"+{line['peak_worker_rss_mb']:.0f}"
        cells = (
            line["what"],
            str(line["processes"]),
            f"{line['best_s']:.3f}",
            f"{line['best_cpu_s']:.3f}",
            f"{line['items_per_s']:,.0f}",
            f"{line['mb_per_s']:,.1f}",
            f"{line['ratio']:.1f}x",
            f"{line['ratio_same_processes']:.1f}x",
            f"{line['cpu_ratio']:.1f}x",
            rss,
        )
        print(_row(cells))
    print(
        "\nratio = wall seconds / sha256sum wall seconds (1 process); same procs = against\n"
        "sha256sum run as many processes at a time; CPU ratio = user+system seconds (with\n"
        "child processes) / sha256sum's, the number least moved by other load on the machine.\n"
        "RSS: peak of the measuring process (+ its largest child, a pool worker); not measured\n"
        "for the hash-only lines. Wall seconds per stage:"
    )
    for line in lines:
        if line.get("stages"):
            stages = ", ".join(f"{k} {v:.2f}" for k, v in line["stages"].items() if v >= 0.05)
            print(f"  {line['what']}: {stages} (imports before timing: {line['import_s']:.1f} s)")


def main() -> None:
    args = parse_args()
    if args.measure:
        measure(args)
        return
    wall = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="crosspair-bench-"))
    try:
        corpus_dir = args.corpus.resolve() if args.corpus else scratch / "corpus"
        print(f"corpus: {corpus_dir} ({args.items:,} items, seed {args.seed})", flush=True)
        corpus = open_or_generate(corpus_dir, args.items, args.seed)
        report = benchmark(args, corpus, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report["total_wall_s"] = round(time.perf_counter() - wall, 1)
    print_report(report)
    save_report(report, args.out)


def _line(what: str, processes: int, runs: list[float], cpu: list[float], base, size) -> dict:
    """One table row; ``base`` maps processes to sha256sum's best (wall, CPU) seconds and
    ``size`` is (media files, MB hashed)."""
    best, best_cpu = min(runs), min(cpu)
    return {
        "what": what,
        "processes": processes,
        "runs_s": [round(r, 4) for r in runs],
        "best_s": round(best, 4),
        "cpu_runs_s": [round(c, 4) for c in cpu],
        "best_cpu_s": round(best_cpu, 4),
        "items_per_s": round(size[0] / best, 1),
        "mb_per_s": round(size[1] / best, 1),
        "ratio": round(best / base[1][0], 2),
        "ratio_same_processes": round(best / base.get(processes, base[1])[0], 2),
        "cpu_ratio": round(best_cpu / base[1][1], 2),
        # the hash-only lines have none: a child's ru_maxrss counts this process it forked from
        "peak_rss_mb": None,
    }


def time_baselines(args, corpus: Corpus, hashed: list[str], size) -> tuple[list, dict, str]:
    """sha256sum at 1 (and each worker count's) processes, then crosspair's hash alone."""
    lines, base, digest = [], {}, ""
    for processes in sorted({1, *(w for w in args.workers if w > 1)}):
        print(f"timing sha256sum, {processes} process(es) at a time", flush=True)
        runs, cpu = [], []
        for _ in range(args.repeat):
            seconds, cpu_s, digests = sha256sum_run(corpus.root, hashed, processes)
            runs.append(seconds)
            cpu.append(cpu_s)
        base[processes] = (min(runs), min(cpu))
        digest = media_digest([f"{digests[p]}  {p}" for p in corpus.media])
        lines.append(_line("sha256sum (xargs-style batches)", processes, runs, cpu, base, size))

    print("timing crosspair.ids.sha256_file over the same files", flush=True)
    runs, cpu = zip(*(hashlib_run(corpus.root, hashed) for _ in range(args.repeat)), strict=True)
    what = "crosspair.ids.sha256_file only (reference)"
    lines.append(_line(what, 1, list(runs), list(cpu), base, size))
    return lines, base, digest


def benchmark(args: argparse.Namespace, corpus: Corpus, scratch: Path) -> dict:
    """Warm the cache, time the baselines, then each crosspair variant in its own process."""
    load_before = os.getloadavg()[0]
    hashed = corpus.media + corpus.manifests
    size = (len(corpus.media), warm_page_cache(corpus.root, hashed) / 1e6)
    lines, base, digest = time_baselines(args, corpus, hashed, size)

    variants = [f"ingest:{w}" for w in args.workers] + (["dagster:0"] if args.dagster else [])
    for variant in variants:
        kind, workers = variant.split(":")
        print(f"timing crosspair {kind}, workers={workers}", flush=True)
        child = run_child(variant, corpus.root, args.repeat, scratch)
        processes = int(workers) if int(workers) > 1 else 1  # map_items: 0 and 1 are in process
        if kind == "ingest":
            what = f"crosspair discover+catalogs, workers={workers}"
            check_ingest(what, child, corpus, digest)
        else:
            what = "crosspair Dagster build (all assets+checks)"
            if not child["success"] or child["failed_checks"]:
                raise SystemExit(f"{what} failed: checks {child['failed_checks']}")
        row = _line(what, processes, child["seconds"], child["cpu_seconds"], base, size)
        lines.append({**row, **child})

    return {
        "benchmark": "ingest_vs_sha256sum",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": host_facts(load_before),
        "repeat": args.repeat,
        "corpus": {
            "path": str(corpus.root) if args.corpus else None,
            "seed": corpus.seed,
            "media_files": len(corpus.media),
            "media_counts": corpus.media_counts,
            "manifests": len(corpus.manifests),
            "text_records": corpus.text_counts,
            "hashed_files": len(hashed),
            "hashed_mb": round(size[1], 1),
            "generate_s": corpus.generate_s,
        },
        "lines": lines,
    }


if __name__ == "__main__":
    main()
