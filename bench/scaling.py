"""Time and memory per stage at 10k, 100k and 1M records, as ratios to the 10k run.

Each scale is generated (``record_corpus.py``, not timed) and then built in its own child
process, so its peak RSS is its own. The stages are the crosspair calls of the Dagster assets,
each writing its tables to Parquet as the IO manager would:

discover (sources, discovery, discovered table) · catalog (every modality's probes) ·
pairing (manifest, record and side-file pairs, their union, unpaired items) ·
near_duplicates (pHash clusters) · splits (leakage groups, assignments) · manifests (per-split
Parquet) · shards (WebDataset tars) · provenance · lineage_index · checks (pandera on the pair
and catalog tables, the Great Expectations pair suite, conservation, leakage).

Per stage: wall seconds, CPU time per record relative to the smallest run (x1 = linear; below
1 where a fixed cost is spread over more records), the marginal CPU time per record between two
scales relative to that between the first two (the slope: above 1 means superlinear), and the
peak RSS during the stage, sampled every 0.2 s. WebDataset shards run up to ``--shards-max``
records (default: a million); above it the lineage index gets no shard column. A watchdog
thread ends a child whose RSS passes ``--ceiling-gib`` with a message naming the stage; the
run fails when the largest scale needs more than ``--max-gib``.

    .venv/bin/python bench/scaling.py [--scales 10000 100000 1000000] [--quick] [--workers 0]
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
import threading
import time
from pathlib import Path

from ingest_vs_sha256sum import QUIET_ENV, cpu_seconds
from record_corpus import open_or_generate
from results_file import host_facts, save_report
from scaling_stages import STAGES, Stages

MEMORY_EXIT = 86  # a child's exit status when the watchdog stopped it
SAMPLE_S = 0.2
GIB = 1024**3
QUICK_SCALES = [10_000, 100_000]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_SCALES}")
    parser.add_argument("--workers", type=int, default=0, help="probe processes (0 = in process)")
    parser.add_argument(
        "--shards-max", type=int, default=1_000_000, help="largest scale that writes shards"
    )
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--corpus", type=Path, help="keep the corpora here (one folder per scale)")
    parser.add_argument("--max-gib", type=float, default=24.0, help="the largest scale must fit")
    parser.add_argument(
        "--ceiling-gib",
        type=float,
        help="stop a child above this RSS (default: 90%% of --max-gib or of available memory)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results/scaling.json"))
    parser.add_argument("--reprint", type=Path, help="print the tables of an earlier run's JSON")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # a corpus folder
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.scales = QUICK_SCALES
    args.scales = sorted(set(args.scales))
    if args.scales[0] < 1000:
        parser.error("--scales must be at least 1000 records")
    return args


def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def available_bytes() -> int:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


class Watchdog(threading.Thread):
    """Samples RSS; keeps each stage's peak; ends the process above the ceiling."""

    def __init__(self, ceiling: int):
        super().__init__(daemon=True)
        self.ceiling = ceiling
        self.stage = "imports"
        self.peak = 0

    def start_stage(self, name: str) -> None:
        self.stage, self.peak = name, rss_bytes()

    def run(self) -> None:
        while True:
            rss = rss_bytes()
            self.peak = max(self.peak, rss)
            if rss > self.ceiling:
                print(
                    f"MEMORY: RSS {rss / GIB:.1f} GiB passed the ceiling of "
                    f"{self.ceiling / GIB:.1f} GiB during stage '{self.stage}'; stopped",
                    file=sys.stderr,
                    flush=True,
                )
                os._exit(MEMORY_EXIT)
            time.sleep(SAMPLE_S)


def measure(args: argparse.Namespace) -> None:
    """Child mode: run every stage once over the corpus in ``--measure``; write JSON."""
    watchdog = Watchdog(int(args.ceiling_gib * GIB))
    watchdog.start()
    started = time.perf_counter()
    import pandas  # noqa: F401  (imports are not part of any stage)

    import crosspair.catalog  # noqa: F401
    import crosspair.validation.expectations  # noqa: F401
    from crosspair.probe import probe_function

    for modality in ("image", "audio", "mesh", "sensor", "text", "code"):
        probe_function(modality)
    import_s = time.perf_counter() - started

    data = Path(tempfile.mkdtemp(prefix="crosspair-scaling-"))
    try:
        stamp = json.loads((args.measure / "records.json").read_text(encoding="utf-8"))
        shards = stamp["records"] <= args.shards_max
        stages = Stages(args.measure / "sources.yaml", data, args.workers, shards)
        result: dict = {"import_s": round(import_s, 2), "rss_after_imports": rss_bytes()}
        result["skipped"] = [] if shards else ["shards"]
        for name in STAGES:
            watchdog.start_stage(name)
            cpu, begun = cpu_seconds(), time.perf_counter()
            getattr(stages, name)()
            result[name] = {
                "seconds": round(time.perf_counter() - begun, 3),
                "cpu_seconds": round(cpu_seconds() - cpu, 3),
                "peak_rss": max(watchdog.peak, rss_bytes()),
                "rss_after": rss_bytes(),
            }
            print(f"  {name}: {result[name]['seconds']:.1f} s", file=sys.stderr, flush=True)
        result["rows"] = {
            name: len(table)
            for name, table in stages.t.items()
            if name in {"discovered_items", "pairs", "split_assignments", "lineage_index"}
            or name.endswith("_catalog")
        }
    finally:
        shutil.rmtree(data, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss"] = usage.ru_maxrss * 1024
    result["peak_worker_rss"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    args.result.write_text(json.dumps(result), encoding="utf-8")


def run_scale(args: argparse.Namespace, corpus: Path, scratch: Path) -> dict:
    """One scale in a fresh interpreter; stage lines stream to the terminal."""
    result = scratch / f"{corpus.name}.json"
    command = [sys.executable, __file__, "--measure", str(corpus), "--result", str(result)]
    command += ["--workers", str(args.workers), "--ceiling-gib", str(args.ceiling_gib)]
    command += ["--shards-max", str(args.shards_max)]
    done = subprocess.run(command, env={**os.environ, **QUIET_ENV}, stdout=subprocess.DEVNULL)
    if done.returncode == MEMORY_EXIT:
        return {"aborted": f"memory above the ceiling of {args.ceiling_gib:.1f} GiB"}
    if done.returncode != 0:
        raise SystemExit(f"scale {corpus.name} failed with status {done.returncode}")
    return json.loads(result.read_text(encoding="utf-8"))


# -- the report -------------------------------------------------------------------------------


def ratios(scales: list[dict]) -> None:
    """Per stage: us per record and its ratio to the smallest scale; the marginal cost per
    record between consecutive scales, relative to the first such step; memory ratios."""
    done = [scale for scale in scales if "aborted" not in scale]
    base = done[0]
    for name in STAGES:
        slopes = []
        for index, scale in enumerate(done):
            stage = scale[name]
            # CPU seconds: other load on the shared machine moves them far less than wall time
            stage["us_per_record"] = round(1e6 * stage["cpu_seconds"] / scale["records"], 2)
            stage["peak_rss_ratio"] = round(stage["peak_rss"] / base[name]["peak_rss"], 2)
            if name in scale["skipped"] or name in base["skipped"]:
                continue
            stage["per_record_ratio"] = round(
                stage["us_per_record"] / max(base[name]["us_per_record"], 1e-9), 2
            )
            if index and name not in done[index - 1]["skipped"]:
                before = done[index - 1]
                added = scale["records"] - before["records"]
                slopes.append(1e6 * (stage["cpu_seconds"] - before[name]["cpu_seconds"]) / added)
                stage["marginal_us_per_record"] = round(slopes[-1], 2)
                stage["slope_ratio"] = round(slopes[-1] / slopes[0], 2) if slopes[0] > 0 else None
    for scale in done:
        kept = [name for name in STAGES if name not in scale["skipped"]]
        scale["total_s"] = round(sum(scale[name]["seconds"] for name in kept), 2)
        scale["total_cpu_s"] = round(sum(scale[name]["cpu_seconds"] for name in kept), 2)
        scale["us_per_record"] = round(1e6 * scale["total_cpu_s"] / scale["records"], 2)
        scale["peak_rss_ratio"] = round(scale["peak_rss"] / base["peak_rss"], 2)
        # over the stages both runs have, so a skipped stage does not look like a speed-up
        both = [name for name in kept if name not in base["skipped"]]
        per_record = sum(scale[name]["cpu_seconds"] for name in both) / scale["records"]
        base_per_record = sum(base[name]["cpu_seconds"] for name in both) / base["records"]
        scale["per_record_ratio"] = round(per_record / base_per_record, 2)


def _cell(stage: dict, skipped: bool) -> str:
    if skipped:
        return f"{'skipped':>9}{'':>25}{stage['peak_rss'] / GIB:>8.2f} "
    ratio = stage.get("per_record_ratio")
    slope = stage.get("slope_ratio")
    return (
        f"{stage['seconds']:>9.2f}{stage['us_per_record']:>9.1f}"
        f"{'-' if ratio is None else f'{ratio:.2f}':>8}"
        f"{'-' if slope is None else f'{slope:.2f}':>8}{stage['peak_rss'] / GIB:>8.2f} "
    )


def print_report(report: dict) -> None:
    scales = [s for s in report["scales"] if "aborted" not in s]
    print(
        f"\n{report['host']['cpus']} CPUs, 1-min load {report['host']['load_1min_before']:.1f} "
        f"before, {report['host']['load_1min_after']:.1f} after; workers={report['workers']}; "
        "records = items found by discovery\n"
        f"s = wall seconds; us/rec = CPU microseconds per record; x rec = that / the same at "
        f"{scales[0]['records']:,} (1 = linear);\nslope = marginal CPU time per record from the "
        "previous scale / that of the first step (above 1: superlinear);\n"
        "GiB = peak RSS of the process during the stage\n"
    )
    width = 42
    print(f"{'stage':<16}" + "".join(f"{s['records']:>{width - 1},} " for s in scales))
    print(f"{'':<16}" + f"{'s':>9}{'us/rec':>9}{'x rec':>8}{'slope':>8}{'GiB':>8} " * len(scales))
    for name in STAGES:
        cells = "".join(_cell(s[name], name in s["skipped"]) for s in scales)
        print(f"{name:<16}{cells}")
    totals = "".join(
        f"{s['total_s']:>9.1f}{s['us_per_record']:>9.1f}{'':>16}{s['peak_rss'] / GIB:>8.2f} "
        for s in scales
    )
    print(f"{'all stages':<16}{totals}")
    print(
        "\npeak RSS relative to the smallest scale: "
        + ", ".join(f"{s['records']:,}: {s['peak_rss_ratio']:.2f}x" for s in scales)
    )
    for s in report["scales"]:
        if "aborted" in s:
            print(f"{s['records']:,} records: ABORTED, {s['aborted']}")


def main() -> None:
    args = parse_args()
    if args.ceiling_gib is None:
        args.ceiling_gib = round(0.9 * min(args.max_gib, available_bytes() / GIB), 1)
    if args.measure:
        measure(args)
        return
    if args.reprint:
        report = json.loads(args.reprint.read_text(encoding="utf-8"))
        ratios(report["scales"])
        print_report(report)
        return
    wall = time.perf_counter()
    load_before = os.getloadavg()[0]
    scratch = Path(tempfile.mkdtemp(prefix="crosspair-scaling-"))
    base = args.corpus.resolve() if args.corpus else scratch
    print(f"corpora under {base}; child RSS ceiling {args.ceiling_gib:.1f} GiB", flush=True)
    results = []
    try:
        for records in args.scales:
            folder = base / f"records-{records}"
            print(f"{records:,} records: generating (not timed)", flush=True)
            stamp = open_or_generate(folder, records, args.seed)
            print(
                f"{records:,} records: building ({stamp['media_files']:,} media files)", flush=True
            )
            result = {"records": stamp["discovered"], "corpus": stamp}
            result.update(run_scale(args, folder, scratch))
            results.append(result)
            if "aborted" in result:
                print(f"{records:,} records: {result['aborted']}; larger scales skipped")
                break
            if not args.corpus:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    ratios(results)
    report = {
        "benchmark": "scaling",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": {
            **host_facts(load_before),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB, 1),
        },
        "workers": args.workers,
        "shards_max": args.shards_max,
        "max_gib": args.max_gib,
        "ceiling_gib": args.ceiling_gib,
        "scales": results,
        "total_wall_s": round(time.perf_counter() - wall, 1),
    }
    print_report(report)
    save_report(report, args.out)

    largest = results[-1]
    if "aborted" in largest or largest["records"] < args.scales[-1] * 0.99:
        raise SystemExit(f"the {args.scales[-1]:,}-record run did not finish")
    if largest["peak_rss"] > args.max_gib * GIB:
        raise SystemExit(
            f"the {largest['records']:,}-record run peaked at {largest['peak_rss'] / GIB:.1f} GiB, "
            f"above --max-gib {args.max_gib}"
        )


if __name__ == "__main__":
    main()
