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

Each crosspair variant runs in a fresh child process, so its peak RSS is its own; library
imports happen before the clock starts. The crosspair catalogs must hold every item with no
rejects, and their sha256 column must equal what ``sha256sum`` printed, or the run fails.

    .venv/bin/python bench/ingest_vs_sha256sum.py [--items 10000] [--workers 0 2] [--dagster]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


def sha256sum_run(root: Path, paths: list[str], processes: int) -> tuple[float, dict[str, str]]:
    """Seconds for sha256sum over ``paths``, at most ``processes`` at a time, and the digests."""
    chunks = batches(paths)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=processes) as pool:
        outputs = list(pool.map(lambda batch: _sha256sum(root, batch), chunks))
    seconds = time.perf_counter() - started
    digests = {}
    for line in "".join(outputs).splitlines():
        digest, path = line.split("  ", 1)
        digests[path] = digest
    if len(digests) != len(paths):
        raise SystemExit(f"sha256sum printed {len(digests)} digests for {len(paths)} files")
    return seconds, digests


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
    started = time.perf_counter()
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
        started = time.perf_counter()
        with DagsterInstance.local_temp(str(home)) as instance:
            result = materialise_all(sources, data, instance, workers)
        seconds = time.perf_counter() - started
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
    return {"total": seconds}, seen


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
    best_stages, seen = min(runs, key=lambda run: run[0]["total"])
    result = {
        "seconds": [round(stages["total"], 4) for stages, _ in runs],
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


_WIDTHS = (44, 5, 8, 8, 8, 7, 16, 9)


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
        f"{report['host']['cpus']} CPUs; items = media files\n"
    )
    header = ("what", "procs", "best s", "items/s", "MB/s", "ratio", "ratio same procs", "RSS MB")
    print(_row(header))
    for line in lines:
        rss = f"{line['peak_rss_mb']:.0f}"
        if line.get("peak_worker_rss_mb"):
            rss += f"+{line['peak_worker_rss_mb']:.0f}"
        cells = (
            line["what"],
            str(line["processes"]),
            f"{line['best_s']:.3f}",
            f"{line['items_per_s']:,.0f}",
            f"{line['mb_per_s']:,.1f}",
            f"{line['ratio']:.1f}x",
            f"{line['ratio_same_processes']:.1f}x",
            rss,
        )
        print(_row(cells))
    print("\nratio = seconds / sha256sum seconds (1 process); 'same procs' = vs sha256sum run")
    print("as many at a time. RSS: peak of the measuring process (+ largest pool worker).")
    for line in lines:
        if line.get("stages"):
            stages = ", ".join(f"{k} {v:.2f}" for k, v in line["stages"].items() if v >= 0.005)
            print(f"{line['what']}: {stages} s (imports before timing: {line['import_s']:.1f} s)")


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
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}; whole run {report['total_wall_s']:.0f} s")


def benchmark(args: argparse.Namespace, corpus: Corpus, scratch: Path) -> dict:
    hashed = corpus.media + corpus.manifests
    hashed_bytes = warm_page_cache(corpus.root, hashed)
    media_bytes_mb = hashed_bytes / 1e6

    def line(what: str, processes: int, runs: list[float], base: dict[int, float]) -> dict:
        best = min(runs)
        return {
            "what": what,
            "processes": processes,
            "runs_s": [round(r, 4) for r in runs],
            "best_s": round(best, 4),
            "items_per_s": round(len(corpus.media) / best, 1),
            "mb_per_s": round(media_bytes_mb / best, 1),
            "ratio": round(best / base[1], 2),
            "ratio_same_processes": round(best / base.get(processes, base[1]), 2),
        }

    lines = []
    base: dict[int, float] = {}
    digest = ""
    for processes in sorted({1, *(w for w in args.workers if w > 1)}):
        print(f"timing sha256sum, {processes} process(es) at a time", flush=True)
        runs = []
        for _ in range(args.repeat):
            seconds, digests = sha256sum_run(corpus.root, hashed, processes)
            runs.append(seconds)
        base[processes] = min(runs)
        digest = media_digest([f"{digests[p]}  {p}" for p in corpus.media])
        lines.append(line("sha256sum (xargs-style batches)", processes, runs, base))
        # sha256sum processes are the only children so far: their largest RSS
        lines[-1]["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    variants = [f"ingest:{w}" for w in args.workers]
    if args.dagster:
        variants.append("dagster:0")
    for variant in variants:
        kind, workers = variant.split(":")
        print(f"timing crosspair {kind}, workers={workers}", flush=True)
        child = run_child(variant, corpus.root, args.repeat, scratch)
        processes = int(workers) if int(workers) > 1 else 1
        if kind == "ingest":
            what = f"crosspair discover+catalogs, workers={workers}"
            check_ingest(what, child, corpus, digest)
        else:
            what = "crosspair Dagster build (all assets+checks)"
            if not child["success"] or child["failed_checks"]:
                raise SystemExit(f"{what} failed: checks {child['failed_checks']}")
        lines.append({**line(what, processes, child["seconds"], base), **child})

    return {
        "benchmark": "ingest_vs_sha256sum",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "repeat": args.repeat,
        "corpus": {
            "path": str(corpus.root) if args.corpus else None,
            "seed": corpus.seed,
            "media_files": len(corpus.media),
            "media_counts": corpus.media_counts,
            "manifests": len(corpus.manifests),
            "text_records": corpus.text_counts,
            "hashed_files": len(hashed),
            "hashed_mb": round(media_bytes_mb, 1),
            "generate_s": corpus.generate_s,
        },
        "lines": lines,
    }


if __name__ == "__main__":
    main()
