"""An incremental build after 1% of the files changed, against a full build of the same files.

The corpus (not timed) is ``--parts`` copies of ``synthetic_corpus.py``'s layout with different
seeds, four sources each (images with captions, speech with transcripts, meshes, sensor
CSVs): 20 sources by default, in one sources file. Then, in one process with one Dagster
instance and one data folder (imports done first):

1. full build (``dagster_project.build.materialise_all``): primes the instance, not compared;
2. incremental build with nothing changed (``build_incremental``): its fixed cost;
3. ``--changed`` of all media files (1%) get new pixels, all in one image source;
4. incremental build: that source's partitions run again, the others are reused;
5. full build of the same files: the baseline of the ratio.

The run fails unless step 4 materialises exactly the changed source, and unless the tables of
steps 4 and 5 are equal (``provenance`` without its run id). Printed: wall and CPU seconds of
each build, the ratios incremental / full, and which partitions ran and why.

    .venv/bin/python bench/incremental.py [--parts 5] [--items-per-part 40] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from ingest_vs_sha256sum import QUIET_ENV, cpu_seconds, warm_page_cache
from PIL import Image
from results_file import host_facts, save_report
from synthetic_corpus import open_or_generate

RUN_SPECIFIC = {"provenance": ["run_id"]}
CHANGED_SOURCE = "p00_bench_images"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", type=int, default=5, help="corpus copies, 4 sources each")
    parser.add_argument("--items-per-part", type=int, default=40, help="media files per copy")
    parser.add_argument("--changed", type=float, default=0.01, help="share of files to change")
    parser.add_argument("--quick", action="store_true", help="--items-per-part 20")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--corpus", type=Path, help="keep the corpus here and reuse it next time")
    parser.add_argument("--out", type=Path, default=Path("bench/results/incremental.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.items_per_part = 20
    if args.parts < 1 or args.items_per_part < 20 or not 0 < args.changed < 1:
        parser.error("--parts at least 1, --items-per-part at least 20, --changed in (0, 1)")
    return args


def make_corpus(root: Path, parts: int, items: int, seed: int) -> tuple[Path, list[str]]:
    """``parts`` synthetic corpora side by side, their sources renamed into one file."""
    sources, media = [], []
    for part in range(parts):
        corpus = open_or_generate(root / f"part{part:02d}", items, seed + part)
        doc = yaml.safe_load(corpus.sources.read_text(encoding="utf-8"))
        for source in doc["sources"]:
            source["name"] = f"p{part:02d}_{source['name']}"
            source["root"] = f"part{part:02d}/{source['root']}"
            sources.append(source)
        media += [f"part{part:02d}/{rel}" for rel in corpus.media]
    path = root / "sources.yaml"
    text = yaml.safe_dump({"version": 1, "sources": sources}, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path, media


def change_images(root: Path, media: list[str], share: float, seed: int) -> list[str]:
    """Give ``share`` of all media files new pixels, every one an image of the changed source."""
    images = sorted(rel for rel in media if rel.startswith("part00/image_text/"))
    count = max(1, round(len(media) * share))
    if count > len(images):
        raise SystemExit(f"cannot change {count} files: {CHANGED_SOURCE} holds {len(images)}")
    rng = np.random.default_rng(seed)
    changed = [images[int(i)] for i in sorted(rng.choice(len(images), count, replace=False))]
    for rel in changed:
        path = root / rel
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
        # a lighter copy with a dark band: a different file of the same size class
        pixels = np.clip(pixels + 40, 0, 255).astype(np.uint8)
        pixels[: max(1, pixels.shape[0] // 8)] = 0
        Image.fromarray(pixels).save(path, "JPEG", quality=90)
    return changed


def timed_build(kind: str, sources: Path, data: Path, instance, log: Path) -> dict:
    """One build, its log appended to ``log``; wall and CPU seconds, partitions run and
    reused, slowest steps."""
    from dagster_project.build import build_incremental, failed_checks

    with log.open("a", encoding="utf-8") as out, contextlib.redirect_stderr(out):
        cpu, started = cpu_seconds(), time.perf_counter()
        report = build_incremental(sources, data, instance, full=kind == "full")
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if not report.success or failed_checks(report):
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"{kind} build failed: checks {failed_checks(report)}\n{tail}")
    steps: dict[str, float] = {}
    for event in report.get_step_success_events():
        steps[event.step_key] = steps.get(event.step_key, 0) + event.event_specific_data.duration_ms
    return {
        "kind": kind,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "runs": len(report.runs),
        "materialised": report.materialised,
        "reasons": report.reasons,
        "fresh": len(report.fresh),
        "slowest_steps_s": {
            k: round(v / 1000, 2) for k, v in sorted(steps.items(), key=lambda s: -s[1])[:6]
        },
    }


def read_tables(data: Path) -> dict:
    import pandas as pd

    return {
        path.stem: pd.read_parquet(path).drop(columns=RUN_SPECIFIC.get(path.stem, []))
        for path in sorted((data / "tables").glob("*.parquet"))
    }


def compare(incremental: dict, full: dict) -> list[str]:
    """Names of the tables that are equal; fails on any difference."""
    import pandas as pd

    if set(incremental) != set(full):
        raise SystemExit(f"different tables: {sorted(set(incremental) ^ set(full))}")
    for name in sorted(full):
        try:
            pd.testing.assert_frame_equal(incremental[name], full[name])
        except AssertionError as error:
            raise SystemExit(f"{name} differs between incremental and full: {error}") from None
    return sorted(full)


def benchmark(args: argparse.Namespace, root: Path, scratch: Path) -> dict:
    from dagster import DagsterInstance

    import dagster_project.build  # noqa: F401  (imports are not part of any build)

    sources, media = make_corpus(root, args.parts, args.items_per_part, args.seed)
    names = [s["name"] for s in yaml.safe_load(sources.read_text(encoding="utf-8"))["sources"]]
    warm_page_cache(root, media)
    home, data, log = scratch / "dagster-home", scratch / "data", scratch / "builds.log"
    home.mkdir()
    builds = []
    with DagsterInstance.local_temp(str(home)) as instance:
        print(f"{len(names)} sources, {len(media)} media files: priming full build", flush=True)
        builds.append(timed_build("full", sources, data, instance, log))
        print("incremental build, nothing changed", flush=True)
        builds.append(timed_build("incremental", sources, data, instance, log))
        changed = change_images(root, media, args.changed, args.seed)
        print(f"changed {len(changed)} files of {CHANGED_SOURCE}; incremental build", flush=True)
        builds.append(timed_build("incremental", sources, data, instance, log))
        after_incremental = read_tables(data)
        print("full build of the same files", flush=True)
        builds.append(timed_build("full", sources, data, instance, log))
        equal = compare(after_incremental, read_tables(data))

    if builds[1]["materialised"]:
        raise SystemExit(f"nothing changed, yet {builds[1]['materialised']} were rebuilt")
    if builds[2]["materialised"] != [CHANGED_SOURCE]:
        raise SystemExit(f"expected only {CHANGED_SOURCE} rebuilt, got {builds[2]['materialised']}")
    return {
        "sources": len(names),
        "media_files": len(media),
        "changed": changed,
        "builds": builds,
        "tables_equal": equal,
    }


def print_report(report: dict) -> None:
    primed, noop, incremental, full = report["builds"]
    print(
        f"\n{report['sources']} sources, {report['media_files']} media files; "
        f"{len(report['changed'])} changed ({len(report['changed']) / report['media_files']:.1%}),"
        f" all in {CHANGED_SOURCE}; 1-min load {report['host']['load_1min_before']:.1f} before, "
        f"{report['host']['load_1min_after']:.1f} after\n"
    )
    print(f"{'build':<40}{'wall s':>9}{'CPU s':>9}{'runs':>6}  partitions run")
    for label, build in (
        ("full (priming, not compared)", primed),
        ("incremental, nothing changed", noop),
        ("incremental, 1% changed", incremental),
        ("full, same files", full),
    ):
        ran = ", ".join(build["materialised"]) if build["materialised"] else "none"
        if len(build["materialised"]) > 3:
            ran = f"all {len(build['materialised'])}"
        print(
            f"{label:<40}{build['seconds']:>9.2f}{build['cpu_seconds']:>9.2f}"
            f"{build['runs']:>6}  {ran}"
        )
    r = report["ratios"]
    print(
        f"\nincremental / full: wall {r['incremental_wall']:.2f}x, CPU {r['incremental_cpu']:.2f}x"
        f"; nothing changed / full: wall {r['noop_wall']:.2f}x, CPU {r['noop_cpu']:.2f}x"
    )
    print(f"why {CHANGED_SOURCE} ran: {incremental['reasons'].get(CHANGED_SOURCE)}")
    steps = ", ".join(f"{k} {v:.1f}" for k, v in incremental["slowest_steps_s"].items())
    print(f"slowest steps of the incremental build (s): {steps}")
    print(f"tables equal after incremental and full: {len(report['tables_equal'])}")


def main() -> None:
    args = parse_args()
    os.environ.update(QUIET_ENV)
    wall = time.perf_counter()
    load_before = os.getloadavg()[0]
    scratch = Path(tempfile.mkdtemp(prefix="crosspair-incremental-"))
    try:
        root = args.corpus.resolve() if args.corpus else scratch / "corpus"
        if args.corpus and (root / "sources.yaml").exists():
            # files changed by an earlier run: start from a fresh copy of the corpus
            shutil.rmtree(root / "part00")
        report = benchmark(args, root, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _, noop, incremental, full = report["builds"]
    report = {
        "benchmark": "incremental",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": host_facts(load_before),
        "ratios": {
            "incremental_wall": round(incremental["seconds"] / full["seconds"], 3),
            "incremental_cpu": round(incremental["cpu_seconds"] / full["cpu_seconds"], 3),
            "noop_wall": round(noop["seconds"] / full["seconds"], 3),
            "noop_cpu": round(noop["cpu_seconds"] / full["cpu_seconds"], 3),
        },
        **report,
        "total_wall_s": round(time.perf_counter() - wall, 1),
    }
    print_report(report)
    save_report(report, args.out)


if __name__ == "__main__":
    main()
