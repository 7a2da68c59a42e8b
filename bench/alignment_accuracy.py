"""Word-boundary accuracy and speed of forced alignment against two kinds of ground truth.

1. MFA reference TextGrids (``shared/data/speech_text/alignments``): the transcript from
   transcripts.jsonl is aligned and every word that also appears in the reference (matched
   in order with difflib, since the references differ a little from the transcripts) gives
   two boundaries, start and end. The utterance-level 61-70968-0000 grid and the 24-bit
   duplicate of cold_corpus are left out.
2. espeak-ng sentences, whose word boundaries are known exactly from the synthesiser.

Prints the share of boundaries within 25/50/100 ms, the mean error, and the real-time factor
(audio seconds / processing seconds; 1.0 = real time), then writes
bench/results/alignment.json.

    .venv/bin/python bench/alignment_accuracy.py
    .venv/bin/python bench/alignment_accuracy.py --backend whisperx --model-dir DIR  # GPU
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crosspair.align import align_audio, align_file  # noqa: E402
from crosspair.align.whisperx_backend import choose_backend  # noqa: E402
from crosspair.synth.espeak import synthesize  # noqa: E402
from crosspair.synth.textgrid import read_textgrid  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "speech_text"
RESULTS = ROOT / "bench" / "results" / "alignment.json"
TOLERANCES_S = (0.025, 0.05, 0.1)
SKIP_GRIDS = {"alignments/61-70968-0000.TextGrid"}  # utterance-level only

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "We moved from 12 to 3 offices on 15.09.2021.",
    "She sells sea shells by the sea shore every summer.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "The train leaves at 10:30 and arrives two hours later.",
    "A large rainbow appeared after the storm had passed.",
    "Our budget grew by 45% to $12.50 per person.",
    "He read the letter twice before he put it away.",
    "Mr Johnson bought 3 tickets for the concert in 1999.",
    "Birds were singing in the garden as the sun came up.",
    "The museum opens on the 21st of March.",
    "Can you tell me where the nearest station is?",
    "Water boils at one hundred degrees at sea level.",
    "They painted the old fence a bright shade of green.",
    "Children laughed while the puppy chased its own tail.",
    "The committee will meet again next Thursday afternoon.",
    "My grandmother baked bread every Sunday morning.",
    "The pilot announced that we would land in 20 minutes.",
    "Thousands of people gathered in the square to celebrate.",
    "He forgot his umbrella, so he got completely soaked.",
    "The report lists 7 problems and 2 possible solutions.",
    "Fresh snow covered the mountains by early December.",
    "Every student received a copy of the new schedule.",
    "The engineer checked the bridge for signs of damage.",
]
VOICES = [("en-us", 160), ("en-us+m3", 175), ("en-us+f2", 150), ("en", 185)]


def _clean(token: str) -> str:
    return re.sub(r"^\W+|\W+$", "", token.lower())


def _errors(ours: list, reference: list) -> list[float]:
    """|ours - reference| for start and end of every word matched in order by its text."""
    a = [_clean(w[2]) for w in ours]
    b = [_clean(w[2]) for w in reference]
    errors = []
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            mine, theirs = ours[block.a + k], reference[block.b + k]
            if mine[0] is None:  # untimed: counts as a miss beyond every tolerance
                errors += [float("inf"), float("inf")]
                continue
            errors += [abs(mine[0] - theirs[0]), abs(mine[1] - theirs[1])]
    return errors


def _summary(errors: list[float], audio_s: float, wall_s: float, cpu_s: float) -> dict:
    e = np.asarray(errors)
    finite = e[np.isfinite(e)]
    out = {f"within_{round(t * 1000)}ms": float(np.mean(e <= t)) for t in TOLERANCES_S}
    out.update(
        boundaries=int(len(e)),
        untimed_boundaries=int(len(e) - len(finite)),
        mean_error_ms=float(finite.mean() * 1000) if len(finite) else None,
        median_error_ms=float(np.median(finite) * 1000) if len(finite) else None,
        audio_s=round(audio_s, 2),
        wall_s=round(wall_s, 2),
        cpu_s=round(cpu_s, 2),
        realtime_factor=round(audio_s / wall_s, 1),
        realtime_factor_cpu=round(audio_s / cpu_s, 1),
    )
    return out


def _timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn(*args)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def bench_textgrids(backend) -> dict:
    rows = [json.loads(line) for line in (DATA / "transcripts.jsonl").open()]
    seen, errors, per_file = set(), [], {}
    audio_s = wall_s = cpu_s = 0.0
    for row in rows:
        grid = row.get("alignment_file") or ""
        if not grid.endswith(".TextGrid") or grid in SKIP_GRIDS or grid in seen:
            continue
        seen.add(grid)
        tiers = read_textgrid((DATA / grid).read_text(encoding="utf-8"))
        reference = [(s, e, t) for s, e, t in tiers["words"] if t and not t.startswith(("[", "<"))]
        audio = DATA / row["audio_file"]
        aligned, wall, cpu = _timed(align_file, audio, row["text"], backend)
        ours = [(w.start_s, w.end_s, w.word) for w in aligned.result.words]
        file_errors = _errors(ours, reference)
        errors += file_errors
        audio_s, wall_s, cpu_s = audio_s + aligned.duration_s, wall_s + wall, cpu_s + cpu
        per_file[row["audio_file"]] = {
            "within_50ms": float(np.mean(np.asarray(file_errors) <= 0.05)),
            "status": aligned.result.status,
            "realtime_factor": round(aligned.duration_s / wall, 1),
        }
    return {**_summary(errors, audio_s, wall_s, cpu_s), "files": per_file}


def bench_synthetic(backend) -> dict:
    errors, audio_s, wall_s, cpu_s = [], 0.0, 0.0, 0.0
    for index, sentence in enumerate(SENTENCES):
        voice, rate = VOICES[index % len(VOICES)]
        speech = synthesize(sentence, voice=voice, rate_wpm=rate).resampled(16000).padded(0.3, 0.3)
        samples = speech.samples.astype(np.float32) / 32768.0
        aligned, wall, cpu = _timed(align_audio, samples, sentence, backend)
        ours = [(w.start_s, w.end_s, w.word) for w in aligned.result.words]
        truth = [(w.start_s, w.end_s, w.word) for w in speech.words]
        errors += _errors(ours, truth)
        audio_s, wall_s, cpu_s = audio_s + aligned.duration_s, wall_s + wall, cpu_s + cpu
    return {**_summary(errors, audio_s, wall_s, cpu_s), "sentences": len(SENTENCES)}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backend",
        default="pocketsphinx",
        choices=["pocketsphinx", "whisperx", "auto"],
        help="aligner to measure (whisperx: a local wav2vec2 model, on CUDA when present)",
    )
    parser.add_argument("--model-dir", help="WhisperX alignment model directory")
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        backend = choose_backend(args.backend, args.model_dir)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f"{error} (here: --model-dir DIR)") from None
    # warm up: decoder, espeak and silero-vad load once, outside the timed runs
    align_audio(
        synthesize("warm up").resampled(16000).padded(0.3, 0.3).samples / 32768.0,
        "warm up",
        backend,
    )
    results = {
        "backend": {"name": backend.name, "version": backend.version},
        "textgrids": bench_textgrids(backend),
        "synthetic": bench_synthetic(backend),
        "targets": {
            "textgrids_within_50ms": 0.9,
            "synthetic_within_50ms": 0.95,
            "realtime_factor": 20,
        },
    }
    for name in ("textgrids", "synthetic"):
        r = results[name]
        print(
            f"{name:10s} boundaries={r['boundaries']:4d}  "
            f"<=25ms {r['within_25ms']:.1%}  <=50ms {r['within_50ms']:.1%}  "
            f"<=100ms {r['within_100ms']:.1%}  mean {r['mean_error_ms']:.1f} ms  "
            f"RTF {r['realtime_factor']}x wall ({r['realtime_factor_cpu']}x CPU) "
            f"over {r['audio_s']} s of audio"
        )
    for path, r in results["textgrids"]["files"].items():
        rtf = r["realtime_factor"]
        print(f"  {path}: <=50ms {r['within_50ms']:.1%}, {r['status']}, RTF {rtf}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
