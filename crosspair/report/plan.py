"""Which previews the listed pairs need: one job per image and video, one waveform job per
pair with an audio side (with its timed words, or with the keyframes and A/V offset of its
video)."""

from __future__ import annotations

import pandas as pd

from crosspair.export.webdataset import Resolve
from crosspair.report.charts import Word
from crosspair.report.previews import KEYFRAMES, THUMBNAIL, WAVEFORM, PreviewJob
from crosspair.report.tables import ItemLookup, ReportTables, indexed

NO_SOURCES = "no preview: the report was written without source folders"


def _audio_side(pair) -> tuple[str, str] | None:
    """(audio item, other item) of a pair with an audio side, the left one first."""
    if pair.left_modality == "audio":
        return pair.left_id, pair.right_id
    if pair.right_modality == "audio":
        return pair.right_id, pair.left_id
    return None


def _words_by_pair(word_alignment: pd.DataFrame, pair_ids: set[str]) -> dict[str, tuple]:
    """The timed words of each of ``pair_ids``, in transcript order (one pass over the table)."""
    rows = word_alignment[word_alignment["pair_id"].isin(pair_ids) & word_alignment["timed"]]
    words: dict[str, list[Word]] = {}
    for row in rows.sort_values(["pair_id", "token_index"]).itertuples(index=False):
        words.setdefault(row.pair_id, []).append(
            Word(str(row.token), float(row.start_s), float(row.end_s))
        )
    return {pair_id: tuple(timed) for pair_id, timed in words.items()}


def preview_jobs(
    selected: pd.DataFrame, tables: ReportTables, items: ItemLookup, resolve: Resolve | None
) -> tuple[list[PreviewJob], dict[str, str]]:
    """One job per image and video, one waveform job per pair with an audio side; and the
    errors of items whose files cannot even be located, by item id."""
    jobs: dict[str, PreviewJob] = {}
    errors: dict[str, str] = {}
    listed = set(selected["pair_id"])
    syncs = indexed(tables.sync_offsets, "pair_id", listed)
    summaries = indexed(tables.alignment_summary, "pair_id", listed)
    words = _words_by_pair(tables.word_alignment, set(summaries))
    strips: set[str] = set()  # videos whose keyframe strip a waveform job draws

    def locate(item_id: str) -> str | None:
        item = items.file(item_id)
        if item is None:
            errors[item_id] = "not in any catalog"
            return None
        if resolve is None:
            errors[item_id] = NO_SOURCES
            return None
        try:
            return str(resolve(item))
        except (KeyError, ValueError) as err:
            errors[item_id] = str(err)
            return None

    for pair in selected.itertuples(index=False):
        for item_id, modality in (
            (pair.left_id, pair.left_modality),
            (pair.right_id, pair.right_modality),
        ):
            key = f"{modality}:{item_id}"
            if modality in ("image", "video") and key not in jobs and key not in strips:
                path = locate(item_id)
                if path is not None:
                    kind = THUMBNAIL if modality == "image" else KEYFRAMES
                    jobs[key] = PreviewJob(kind, item_id, path)
        sides = _audio_side(pair)
        if sides is None:
            continue
        audio_path = locate(sides[0])
        if audio_path is None:
            continue
        job = PreviewJob(WAVEFORM, pair.pair_id, audio_path)
        if pair.pair_id in summaries:
            summary = summaries[pair.pair_id]
            title = f"{summary['n_timed']} of {summary['n_tokens']} words timed"
            timed = words.get(pair.pair_id, ())
            job = PreviewJob(WAVEFORM, pair.pair_id, audio_path, words=timed, title=title)
        elif pair.pair_id in syncs and pair.left_modality == "video":
            sync = syncs[pair.pair_id]
            video_path = locate(pair.left_id)
            offset = sync["offset_s"] if sync["reason"] == "" else None
            if video_path is not None:
                jobs.pop(f"video:{pair.left_id}", None)  # the waveform job draws this strip
                strips.add(f"video:{pair.left_id}")
                job = PreviewJob(
                    WAVEFORM,
                    pair.pair_id,
                    audio_path,
                    video_id=pair.left_id,
                    video_path=video_path,
                    offset_s=offset,
                )
        jobs[f"waveform:{pair.pair_id}"] = job
    return list(jobs.values()), errors
