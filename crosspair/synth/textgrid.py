"""Word alignments as Praat TextGrids, the format the MFA reference alignments use."""

from __future__ import annotations

from collections.abc import Sequence

from crosspair.synth.espeak import WordEvent


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _intervals(words: Sequence[WordEvent], duration_s: float) -> list[tuple[float, float, str]]:
    """Tile [0, duration] with the words and empty intervals for the silences between them."""
    intervals = []
    cursor = 0.0
    for word in words:
        start, end = round(word.start_s, 6), round(word.end_s, 6)
        if start > cursor:
            intervals.append((cursor, start, ""))
        intervals.append((max(start, cursor), end, word.word))
        cursor = end
    if duration_s > cursor:
        intervals.append((cursor, round(duration_s, 6), ""))
    return intervals


def words_textgrid(words: Sequence[WordEvent], duration_s: float) -> str:
    """A long-format TextGrid with one interval tier, ``words``, covering the whole audio."""
    end = round(duration_s, 6)
    intervals = _intervals(words, duration_s)
    lines = [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        "",
        "xmin = 0",
        f"xmax = {end}",
        "tiers? <exists>",
        "size = 1",
        "item []:",
        "    item [1]:",
        '        class = "IntervalTier"',
        '        name = "words"',
        "        xmin = 0",
        f"        xmax = {end}",
        f"        intervals: size = {len(intervals)}",
    ]
    for number, (start, stop, text) in enumerate(intervals, start=1):
        lines += [
            f"        intervals [{number}]:",
            f"            xmin = {start}",
            f"            xmax = {stop}",
            f"            text = {_quote(text)}",
        ]
    return "\n".join(lines) + "\n"
