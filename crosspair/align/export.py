"""Alignments written for other tools: Praat TextGrids and lhotse supervisions.

lhotse keeps alignments inside a ``SupervisionSegment`` as ``alignment={"word": [...],
"phone": [...]}``, each item an ``AlignmentItem(symbol, start, duration, score)``; written as
a JSON object with those four keys in that order, which ``AlignmentItem.deserialize`` reads.
Untimed words are left out of both formats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from crosspair.align.result import AlignmentResult, PhoneTiming, WordTiming
from crosspair.synth.textgrid import tiers_textgrid


def to_textgrid(result: AlignmentResult, duration_s: float) -> str:
    """A TextGrid with ``words`` and ``phones`` tiers covering ``[0, duration_s]``."""
    words = [(w.start_s, w.end_s, w.word) for w in result.words if w.timed]
    phones = [(p.start_s, p.end_s, p.phone) for p in result.phones if p.end_s > p.start_s]
    return tiers_textgrid({"words": words, "phones": phones}, duration_s)


def _item(symbol: str, start: float, end: float, score: float | None) -> dict:
    return {
        "symbol": symbol,
        "start": round(start, 4),
        "duration": round(max(end - start, 0.0), 4),
        "score": None if score is None else round(score, 4),
    }


def to_lhotse_supervision(
    result: AlignmentResult,
    recording_id: str,
    duration_s: float,
    text: str,
    supervision_id: str | None = None,
    language: str = "en",
) -> dict:
    """A lhotse ``SupervisionSegment`` as a dict, covering the whole recording."""
    words = [_item(w.word, w.start_s, w.end_s, w.score) for w in result.words if w.timed]
    phones = [_item(p.phone, p.start_s, p.end_s, p.score) for p in result.phones]
    return {
        "id": supervision_id or recording_id,
        "recording_id": recording_id,
        "start": 0.0,
        "duration": round(duration_s, 6),
        "channel": 0,
        "text": text,
        "language": language,
        "alignment": {"word": words, "phone": phones},
    }


def write_lhotse_supervisions(path: str | Path, supervisions: Iterable[dict]) -> Path:
    """Write supervisions as JSON lines, the layout ``lhotse.load_manifest`` reads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for supervision in supervisions:
            handle.write(json.dumps(supervision, ensure_ascii=False) + "\n")
    return path


def result_from_tables(pair_id: str, words, phones, summary_row) -> AlignmentResult:
    """Rebuild one pair's result from the word, phone and summary tables."""

    def number(value):
        return None if value is None or value != value else float(value)  # NaN → None

    mine = words[words["pair_id"] == pair_id].sort_values("token_index")
    timings = [
        WordTiming(row.token, number(row.start_s), number(row.end_s), number(row.score))
        for row in mine.itertuples(index=False)
    ]
    phone_rows = phones[phones["pair_id"] == pair_id].sort_values("phone_index")
    phone_timings = [
        PhoneTiming(
            int(row.token_index), row.phone, float(row.start_s), float(row.end_s), number(row.score)
        )
        for row in phone_rows.itertuples(index=False)
    ]
    return AlignmentResult(timings, phone_timings, summary_row["status"], summary_row["reason"])


def export_alignments(words, phones, summary, texts, out_dir: str | Path) -> int:
    """A TextGrid per aligned pair and one lhotse supervisions file; returns files written.

    ``texts`` is the text catalog (for the transcript and its language). Pairs with nothing
    timed get no TextGrid but still a supervision, so the export lists every pair.
    """
    out_dir = Path(out_dir)
    grids = out_dir / "textgrid"
    grids.mkdir(parents=True, exist_ok=True)
    for stale in grids.glob("*.TextGrid"):
        stale.unlink()
    texts = texts.set_index("item_id")
    supervisions, written = [], 0
    for row in summary.sort_values("pair_id").to_dict("records"):
        result = result_from_tables(row["pair_id"], words, phones, row)
        duration = float(row["duration_s"])
        if any(w.timed for w in result.words) and duration > 0:
            (grids / f"{row['pair_id']}.TextGrid").write_text(
                to_textgrid(result, duration), encoding="utf-8"
            )
            written += 1
        text = texts.loc[row["text_id"]]
        supervisions.append(
            to_lhotse_supervision(
                result,
                recording_id=row["audio_id"],
                duration_s=duration,
                text=str(text["text"]),
                supervision_id=row["pair_id"],
                language=str(text.get("language") or "en"),
            )
        )
    write_lhotse_supervisions(out_dir / "supervisions.jsonl", supervisions)
    return written + 1
