"""Our perceptual near-duplicate detection against imagededup's PHash on the same files.

Files (written to a temporary folder, not timed): the 40 COCO photos of the shared data, each
with seven near-duplicates: resized to half, JPEG re-compressed at quality 25, cropped by 5%
per side, rotated by 3 degrees, brightened by 30%, converted to greyscale, and stored turned
by 90 degrees with an EXIF orientation tag that turns it back for display. Distinct images:
the COCO photos themselves, scikit-image's sample photos, and generated pictures from
``synthetic_corpus.py``. Ground truth: two files are duplicates when they come from the same
photo.

Timed, best of ``--repeat``, in one process (imagededup with multiprocessing off):

- crosspair: ``imagehash.phash`` of each file as the image probe takes it (decoded, EXIF
  orientation applied), then ``crosspair.duplicates.near_duplicate_clusters``;
- imagededup: ``PHash.encode_images`` then ``PHash.find_duplicates`` on the encodings.

Agreement: precision and recall of the duplicate pairs each tool reports, at each tool's
default distance (ours 6 bits, imagededup 10) and at the other's, for direct pairs (within the
distance) and, for crosspair, for the pairs inside its clusters (what the split uses).
``--search N`` also times the search step alone over N random 64-bit hashes.

Needs imagededup, which imports torchvision: run it with ``.venv-vision/bin/python``
(``make vision-env``).

    .venv-vision/bin/python bench/dedup_vs_imagededup.py [--repeat 3] [--search 5000]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps
from results_file import host_facts, save_report

COCO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "image_text" / "images"
OURS_DISTANCE = 6  # dagster_project.resources.CrosspairSettings.near_duplicate_distance
THEIRS_DISTANCE = 10  # imagededup's default max_distance_threshold
SKIMAGE_PHOTOS = (
    "astronaut",
    "brick",
    "camera",
    "cat",
    "coffee",
    "coins",
    "grass",
    "gravel",
    "horse",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "page",
    "rocket",
    "text",
)
EXIF_ORIENTATION = 0x0112


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=Path, default=COCO, help="folder of original photos")
    parser.add_argument("--generated", type=int, default=40, help="generated distinct pictures")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool; the best counts")
    parser.add_argument(
        "--search", type=int, default=5_000, help="hashes to search alone (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--out", type=Path, default=Path("bench/results/dedup.json"))
    return parser.parse_args(argv)


# -- the files ----------------------------------------------------------------------------------


def variants(image: Image.Image) -> dict[str, Image.Image]:
    """Seven near-duplicates of one photo, by name."""
    width, height = image.size
    dx, dy = round(width * 0.05), round(height * 0.05)
    return {
        "resized": image.resize((width // 2, height // 2), Image.Resampling.LANCZOS),
        "recompressed": image,  # saved at quality 25 below
        "cropped": image.crop((dx, dy, width - dx, height - dy)),
        "rotated": image.rotate(3, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)),
        "brighter": ImageEnhance.Brightness(image).enhance(1.3),
        "greyscale": image.convert("L"),
        # stored turned a quarter to the left; orientation 6 tells viewers to turn it back
        "exif_turned": image.transpose(Image.Transpose.ROTATE_90),
    }


def write_files(folder: Path, originals: list[Path], generated: int, seed: int) -> dict[str, str]:
    """Write every file; returns file name -> family (the photo it comes from, or itself)."""
    folder.mkdir(parents=True)
    family: dict[str, str] = {}
    for index, path in enumerate(originals):
        stem = f"p{index:02d}"
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
        image.save(folder / f"{stem}_original.jpg", quality=90)
        family[f"{stem}_original.jpg"] = stem
        for name, copy in variants(image).items():
            target = folder / f"{stem}_{name}.jpg"
            if name == "exif_turned":
                exif = Image.Exif()
                exif[EXIF_ORIENTATION] = 6
                copy.save(target, quality=90, exif=exif)
            else:
                copy.save(target, quality=25 if name == "recompressed" else 90)
            family[target.name] = stem

    for name, image in distinct_photos():
        image.save(folder / f"skimage_{name}.jpg", quality=90)
        family[f"skimage_{name}.jpg"] = f"skimage_{name}"
    for index in range(generated):
        name = f"generated_{index:03d}.jpg"
        image = generated_picture(seed, index)
        image.save(folder / name, quality=90)
        family[name] = name
    return family


def distinct_photos():
    """scikit-image's bundled sample photos (those that need a download are skipped)."""
    from skimage import data

    for name in SKIMAGE_PHOTOS:
        try:
            pixels = getattr(data, name)()
        except Exception:  # noqa: BLE001  (a sample that would need the network)
            continue
        if pixels.dtype != np.uint8:
            pixels = pixels.astype(np.float64)
            span = max(float(np.ptp(pixels)), 1e-9)
            pixels = (255 * (pixels - pixels.min()) / span).astype(np.uint8)
        yield name, Image.fromarray(pixels).convert("RGB")


def generated_picture(seed: int, index: int) -> Image.Image:
    """A picture from the ingest benchmark's generator (gradient with coloured shapes)."""
    import synthetic_corpus

    with tempfile.TemporaryDirectory() as scratch:
        rng = np.random.default_rng([seed, synthetic_corpus.MODALITY_SEEDS["image"], index])
        record = synthetic_corpus._write_image(Path(scratch), index, rng)
        with Image.open(Path(scratch) / record["file_name"]) as image:
            return image.convert("RGB")


# -- the two tools -----------------------------------------------------------------------------


def crosspair_hashes(folder: Path, names: list[str]) -> dict[str, str]:
    """pHash of each file as crosspair's image probe takes it (EXIF orientation applied)."""
    import imagehash

    hashes = {}
    for name in names:
        with Image.open(folder / name) as image:
            image.load()
            hashes[name] = str(imagehash.phash(ImageOps.exif_transpose(image)))
    return hashes


def run_crosspair(folder: Path, names: list[str]) -> tuple[float, dict, object]:
    import pandas as pd

    from crosspair.duplicates import near_duplicate_clusters

    started = time.perf_counter()
    hashes = crosspair_hashes(folder, names)
    table = pd.DataFrame({"item_id": list(hashes), "phash": list(hashes.values())})
    clusters = near_duplicate_clusters(table, OURS_DISTANCE)
    return time.perf_counter() - started, hashes, clusters


def run_imagededup(folder: Path) -> tuple[float, dict, dict]:
    from imagededup.methods import PHash

    phasher = PHash(verbose=False)
    started = time.perf_counter()
    encodings = phasher.encode_images(image_dir=str(folder), num_enc_workers=0)
    found = phasher.find_duplicates(
        encoding_map=encodings, max_distance_threshold=THEIRS_DISTANCE, num_dist_workers=0
    )
    return time.perf_counter() - started, encodings, found


# -- agreement ---------------------------------------------------------------------------------


def hash_ints(hashes: dict[str, str]) -> tuple[list[str], np.ndarray]:
    names = sorted(hashes)
    return names, np.array([int(hashes[n], 16) for n in names], dtype=np.uint64)


def pairs_within(hashes: dict[str, str], distance: int) -> set[tuple[str, str]]:
    """Every pair of files whose hashes differ in at most ``distance`` bits."""
    names, values = hash_ints(hashes)
    bits = np.bitwise_count(values[:, None] ^ values[None, :])
    rows, cols = np.nonzero(np.triu(bits <= distance, k=1))
    return {(names[a], names[b]) for a, b in zip(rows, cols, strict=True)}


def cluster_pairs(clusters) -> set[tuple[str, str]]:
    """Every pair inside one of crosspair's clusters."""
    pairs = set()
    for _, members in clusters.groupby("cluster_id")["item_id"]:
        pairs.update(itertools.combinations(sorted(members), 2))
    return pairs


def truth_pairs(family: dict[str, str]) -> set[tuple[str, str]]:
    by_family: dict[str, list[str]] = {}
    for name, key in family.items():
        by_family.setdefault(key, []).append(name)
    pairs = set()
    for members in by_family.values():
        pairs.update(itertools.combinations(sorted(members), 2))
    return pairs


def _variant(pair: tuple[str, str]) -> str:
    """The transformation an original ↔ variant pair tests, or 'variant ↔ variant'."""
    a, b = pair
    if b.endswith("_original.jpg"):
        a, b = b, a
    if not a.endswith("_original.jpg"):
        return "variant ↔ variant"
    return b.split("_", 1)[1].removesuffix(".jpg")


def scores(found: set, truth: set) -> dict:
    """Precision and recall of reported pairs; recall per transformation."""
    hits = found & truth
    by_kind: dict[str, list[int]] = {}
    for pair in truth:
        counts = by_kind.setdefault(_variant(pair), [0, 0])
        counts[0] += pair in found
        counts[1] += 1
    return {
        "reported": len(found),
        "true_positives": len(hits),
        "precision": round(len(hits) / len(found), 4) if found else None,
        "recall": round(len(hits) / len(truth), 4) if truth else None,
        "recall_by_variant": {k: round(v[0] / v[1], 3) for k, v in sorted(by_kind.items())},
    }


def search_only(n: int, seed: int) -> dict:
    """Time the search step alone over ``n`` random hashes (a tenth in planted near pairs)."""
    import pandas as pd
    from imagededup.methods import PHash

    from crosspair.duplicates import near_duplicate_clusters

    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    planted = n // 20
    chosen = rng.choice(n, size=2 * planted, replace=False)
    flips = np.uint64(1) << rng.integers(0, 64, size=planted).astype(np.uint64)
    values[chosen[planted:]] = values[chosen[:planted]] ^ flips
    hashes = {f"h{i:07d}": f"{v:016x}" for i, v in enumerate(values)}
    table = pd.DataFrame({"item_id": list(hashes), "phash": list(hashes.values())})

    started = time.perf_counter()
    near_duplicate_clusters(table, OURS_DISTANCE)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    PHash(verbose=False).find_duplicates(
        encoding_map=hashes, max_distance_threshold=OURS_DISTANCE, num_dist_workers=0
    )
    theirs = time.perf_counter() - started
    return {"hashes": n, "crosspair_s": round(ours, 3), "imagededup_s": round(theirs, 3)}


def tool_pairs(found: dict[str, list]) -> set[tuple[str, str]]:
    """imagededup's {file: [duplicates]} as a set of sorted pairs."""
    return {tuple(sorted((a, b))) for a, dupes in found.items() for b in dupes}


def agreement(folder: Path, family: dict, ours: tuple, theirs: tuple) -> dict:
    """Precision and recall of each tool's pairs, and how far the two tools' hashes differ."""
    from imagededup.methods import PHash

    _, our_hashes, clusters = ours
    _, encodings, found = theirs
    truth = truth_pairs(family)
    at_ours = PHash(verbose=False).find_duplicates(
        encoding_map=encodings, max_distance_threshold=OURS_DISTANCE, num_dist_workers=0
    )
    names = sorted(our_hashes)
    a = np.array([int(our_hashes[n], 16) for n in names], dtype=np.uint64)
    b = np.array([int(encodings[n], 16) for n in names], dtype=np.uint64)
    bits = np.bitwise_count(a ^ b)
    return {
        "files": len(family),
        "truth_pairs": len(truth),
        "crosspair_direct_6": scores(pairs_within(our_hashes, OURS_DISTANCE), truth),
        "crosspair_clusters_6": scores(cluster_pairs(clusters), truth),
        "crosspair_direct_10": scores(pairs_within(our_hashes, THEIRS_DISTANCE), truth),
        "imagededup_10": scores(tool_pairs(found), truth),
        "imagededup_6": scores(tool_pairs(at_ours), truth),
        "hash_bits_differing": {
            "identical_files": int((bits == 0).sum()),
            "median": float(np.median(bits)),
            "max": int(bits.max()),
        },
    }


def print_report(report: dict) -> None:
    t, agree = report["timing"], report["agreement"]
    print(
        f"\n{agree['files']} files ({report['originals']} photos x 8, {report['distinct']} "
        f"distinct), {agree['truth_pairs']} true duplicate pairs; best of {report['repeat']}; "
        f"1-min load {report['host']['load_1min_before']:.1f}\n"
    )
    print(f"{'tool':<44}{'seconds':>9}{'files/s':>9}")
    for key, label in (
        ("crosspair_s", "crosspair (imagehash pHash + clusters)"),
        ("imagededup_s", "imagededup PHash (encode + find)"),
    ):
        print(f"{label:<44}{t[key]:>9.3f}{agree['files'] / t[key]:>9.0f}")
    print(f"time ratio crosspair / imagededup: {t['ratio']:.2f}x")
    if report.get("search"):
        s = report["search"]
        print(
            f"search only, {s['hashes']:,} random hashes at 6 bits: crosspair "
            f"{s['crosspair_s']:.2f} s, imagededup {s['imagededup_s']:.2f} s, "
            f"ratio {s['ratio']:.2f}x"
        )
    rows = (
        ("crosspair_direct_6", "crosspair, within 6 bits (default)"),
        ("crosspair_clusters_6", "crosspair, same cluster (splits use these)"),
        ("crosspair_direct_10", "crosspair, within 10 bits"),
        ("imagededup_10", "imagededup, within 10 bits (default)"),
        ("imagededup_6", "imagededup, within 6 bits"),
    )
    kinds = list(agree[rows[0][0]]["recall_by_variant"])
    short = [kind.replace("variant ↔ variant", "var-var")[:8] for kind in kinds]
    print(
        f"\n{'duplicate pairs':<44}{'found':>6}{'prec.':>7}{'recall':>7}  recall of original ↔ ..."
    )
    print(f"{'':<64}" + "".join(f"{name:>9}" for name in short))
    for key, label in rows:
        row = agree[key]
        per_kind = "".join(f"{row['recall_by_variant'][kind]:>9.2f}" for kind in kinds)
        print(
            f"{label:<44}{row['reported']:>6}{row['precision'] or 0:>7.3f}"
            f"{row['recall'] or 0:>7.3f}  {per_kind}"
        )
    h = agree["hash_bits_differing"]
    print(
        f"hash bits differing between the tools on the same file: median {h['median']:.0f}, "
        f"max {h['max']}, identical on {h['identical_files']} files"
    )


def main() -> None:
    args = parse_args()
    try:
        import imagededup  # noqa: F401
    except Exception as error:  # noqa: BLE001  (torchvision fails beside the CPU torch)
        raise SystemExit(
            f"imagededup does not import here ({error}); run this benchmark with "
            "`.venv-vision/bin/python` (`make vision-env` builds it)"
        ) from None
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import imagededup.methods  # noqa: F401  (its loggers exist once it is imported)

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("imagededup"):  # each module logs every search at INFO
            logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "Parameter num_enc_workers", RuntimeWarning)
    originals = sorted(args.images.glob("*.jpg"))
    if not originals:
        raise SystemExit(f"no *.jpg in {args.images}; pass --images FOLDER")

    wall = time.perf_counter()
    load_before = os.getloadavg()[0]
    scratch = Path(tempfile.mkdtemp(prefix="crosspair-dedup-"))
    try:
        folder = scratch / "images"
        family = write_files(folder, originals, args.generated, args.seed)
        names = sorted(family)
        for name in names:  # warm the page cache
            (folder / name).read_bytes()
        ours, theirs = [], []
        for _ in range(args.repeat):
            ours.append(run_crosspair(folder, names))
            theirs.append(run_imagededup(folder))
        best_ours = min(ours, key=lambda run: run[0])
        best_theirs = min(theirs, key=lambda run: run[0])
        if set(best_theirs[1]) != set(names):
            raise SystemExit(f"imagededup encoded {len(best_theirs[1])} of {len(names)} files")
        report = {
            "benchmark": "dedup_vs_imagededup",
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "host": host_facts(load_before),
            "repeat": args.repeat,
            "originals": len(originals),
            "distinct": len(names) - 8 * len(originals),
            "timing": {
                "crosspair_s": round(best_ours[0], 4),
                "imagededup_s": round(best_theirs[0], 4),
                "ratio": round(best_ours[0] / best_theirs[0], 3),
                "crosspair_runs_s": [round(run[0], 4) for run in ours],
                "imagededup_runs_s": [round(run[0], 4) for run in theirs],
            },
            "agreement": agreement(folder, family, best_ours, best_theirs),
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.search:
        search = search_only(args.search, args.seed)
        search["ratio"] = round(search["crosspair_s"] / search["imagededup_s"], 3)
        report["search"] = search
    report["total_wall_s"] = round(time.perf_counter() - wall, 1)
    print_report(report)
    save_report(report, args.out)


if __name__ == "__main__":
    main()
