"""Every ratio of the benchmarks `make bench` runs, read back from ``bench/results/*.json``.

Each benchmark prints its own table; this prints the ratios of all of them together, with the
date of the run that wrote each file, so one screen shows the whole `make bench`.

    .venv/bin/python bench/summary.py [--results bench/results]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path


def ingest(report: dict) -> list[tuple[str, str]]:
    rows = []
    for line in report["lines"]:
        if line["what"].startswith("sha256sum") and line["processes"] == 1:
            continue
        what = line["what"]
        if what.startswith("sha256sum"):
            what = f"sha256sum, {line['processes']} processes at a time"
        rows.append(
            (
                f"{what} / sha256sum",
                f"wall {line['ratio']:.2f}x, CPU {line['cpu_ratio']:.2f}x",
            )
        )
    return rows


def orchestration(report: dict) -> list[tuple[str, str]]:
    s = report["summary"]
    return [
        (
            f"Dagster / plain Python build ({report['corpus']['media_files']} media files)",
            f"wall {s['wall_ratio']:.2f}x, CPU {s['cpu_ratio']:.2f}x "
            f"(+{s['overhead_s']:.0f} s, {s['dagster_s']:.0f} vs {s['plain_s']:.0f} s)",
        )
    ]


def steepest(slope: tuple[float, str]) -> str:
    return f"; steepest slope: {slope[1]} {slope[0]:.2f}x"


def scaling(report: dict) -> list[tuple[str, str]]:
    scales = [s for s in report["scales"] if "aborted" not in s]
    rows = []
    for scale in scales[1:]:
        stages = {n: st for n, st in scale.items() if isinstance(st, dict) and "seconds" in st}
        ratio = max((st.get("per_record_ratio") or 0, n) for n, st in stages.items())
        slope = max((st.get("slope_ratio") or 0, n) for n, st in stages.items())
        rows.append(
            (
                f"scaling {scale['records']:,} / {scales[0]['records']:,} records",
                f"CPU per record {scale['per_record_ratio']:.2f}x (most: {ratio[1]} "
                f"{ratio[0]:.2f}x{steepest(slope) if scale is not scales[1] else ''}), peak RSS "
                f"{scale['peak_rss_ratio']:.2f}x = {scale['peak_rss'] / 1024**3:.1f} GiB",
            )
        )
    for scale in report["scales"]:
        if "aborted" in scale:
            rows.append((f"scaling {scale['records']:,}", f"ABORTED: {scale['aborted']}"))
    return rows


def dedup(report: dict) -> list[tuple[str, str]]:
    t, a = report["timing"], report["agreement"]
    rows = [
        (
            "near-duplicates: crosspair / imagededup time",
            f"{t['ratio']:.2f}x ({a['files']} files)",
        )
    ]
    if report.get("search"):
        s = report["search"]
        rows.append(
            (f"search alone, {s['hashes']:,} hashes: crosspair / imagededup", f"{s['ratio']:.2f}x")
        )
    for key, label in (
        ("crosspair_direct_6", "crosspair at 6 bits"),
        ("imagededup_10", "imagededup at 10 bits"),
    ):
        row = a[key]
        rows.append((f"{label}: precision, recall", f"{row['precision']:.3f}, {row['recall']:.3f}"))
    return rows


def incremental(report: dict) -> list[tuple[str, str]]:
    r = report["ratios"]
    return [
        (
            f"incremental (1% changed) / full build, {report['sources']} sources",
            f"wall {r['incremental_wall']:.2f}x, CPU {r['incremental_cpu']:.2f}x",
        ),
        (
            "incremental (nothing changed) / full build",
            f"wall {r['noop_wall']:.2f}x, CPU {r['noop_cpu']:.2f}x",
        ),
    ]


def alignment(report: dict) -> list[tuple[str, str]]:
    rows = []
    for name, label in (("textgrids", "MFA TextGrids"), ("synthetic", "espeak ground truth")):
        r = report[name]
        rows.append(
            (
                f"word boundaries within 50 ms, {label}",
                f"{r['within_50ms']:.1%} (25 ms {r['within_25ms']:.1%}, "
                f"100 ms {r['within_100ms']:.1%}), {r['realtime_factor']}x real time",
            )
        )
    return rows


def av_sync(report: dict) -> list[tuple[str, str]]:
    totals = report["totals"]
    return [
        (
            f"A/V offsets within 1 frame, {label}",
            f"{totals[key]['share']:.1%} ({totals[key]['within']}/{totals[key]['n']})",
        )
        for key, label in (("audible", "clips with audible events"), ("reliable", "reliable"))
    ]


def semantic(report: dict) -> list[tuple[str, str]]:
    captions, code = report["captions"], report["code"]
    return [
        (
            "COCO caption -> same-image captions, MiniLM / TF-IDF recall@1",
            f"{captions['minilm']['recall@1']:.3f} / {captions['tfidf']['recall@1']:.3f} = "
            f"{captions['minilm']['recall@1'] / captions['tfidf']['recall@1']:.2f}x "
            f"(recall@5 {captions['minilm']['recall@5']:.3f})",
        ),
        (
            "HumanEval docstring -> code, MiniLM / TF-IDF recall@1",
            f"{code['minilm']['recall@1']:.3f} / {code['tfidf']['recall@1']:.3f} = "
            f"{code['minilm']['recall@1'] / code['tfidf']['recall@1']:.2f}x",
        ),
    ]


def lineage(report: dict) -> list[tuple[str, str]]:
    rows = []
    for name, line in report["lines"].items():
        if name.startswith("audit"):
            ratio = line["ratio_to pd.read_parquet(pairs)"]
            rows.append(
                (f"{name} / read of the pair table ({report['pairs']:,} pairs)", f"{ratio:.3f}x")
            )
    return rows


READERS = {
    "ingest.json": ingest,
    "orchestration.json": orchestration,
    "scaling.json": scaling,
    "dedup.json": dedup,
    "incremental.json": incremental,
    "alignment.json": alignment,
    "av_sync.json": av_sync,
    "semantic.json": semantic,
    "lineage.json": lineage,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    print("\nratios of this `make bench` (each measured against a baseline of the same run)\n")
    for name, read in READERS.items():
        path = args.results / name
        if not path.is_file():
            print(f"{name}: missing (its benchmark did not run)")
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        written = datetime.fromtimestamp(path.stat().st_mtime).isoformat(sep=" ")
        print(f"{report.get('benchmark', path.stem)} ({report.get('date', written)[:16]}):")
        for label, value in read(report):
            print(f"  {label:<62} {value}")


if __name__ == "__main__":
    main()
