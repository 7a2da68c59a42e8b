"""Alignments as Praat TextGrids (the format of the MFA reference alignments): write and read."""

from __future__ import annotations

import re
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
    return tiers_textgrid({"words": [(w.start_s, w.end_s, w.word) for w in words]}, duration_s)


def _tier_lines(number: int, name: str, intervals, end: float) -> list[str]:
    lines = [
        f"    item [{number}]:",
        '        class = "IntervalTier"',
        f"        name = {_quote(name)}",
        "        xmin = 0",
        f"        xmax = {end}",
        f"        intervals: size = {len(intervals)}",
    ]
    for index, (start, stop, text) in enumerate(intervals, start=1):
        lines += [
            f"        intervals [{index}]:",
            f"            xmin = {start}",
            f"            xmax = {stop}",
            f"            text = {_quote(text)}",
        ]
    return lines


def tile(spans: Sequence[tuple[float, float, str]], duration_s: float) -> list:
    """Labelled spans in time order, with empty intervals filling the gaps up to the end."""
    return _intervals([WordEvent(text, start, end) for start, end, text in spans], duration_s)


def tiers_textgrid(tiers: dict[str, Sequence[tuple[float, float, str]]], duration_s: float) -> str:
    """A long-format TextGrid with one interval tier per entry of ``tiers`` (name -> spans)."""
    end = round(duration_s, 6)
    lines = [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        "",
        "xmin = 0",
        f"xmax = {end}",
        "tiers? <exists>",
        f"size = {len(tiers)}",
        "item []:",
    ]
    for number, (name, spans) in enumerate(tiers.items(), start=1):
        lines += _tier_lines(number, name, tile(spans, duration_s), end)
    return "\n".join(lines) + "\n"


_TOKEN = re.compile(r'"((?:[^"]|"")*)"|\[[^\]]*\]|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)')


def read_textgrid(text: str) -> dict[str, list[tuple[float, float, str]]]:
    """Tiers of a TextGrid in long or short text format: name -> [(start, end, label)].

    Labels are kept as written (empty ones too); point tiers give ``(time, time, mark)``.
    Bracketed indices of the long format (``intervals [3]:``) are skipped, numbers and
    quoted strings are read in order, which is how both formats store the same fields.
    """
    values: list[float | str] = []
    for match in _TOKEN.finditer(text):
        if match.group(1) is not None:
            values.append(match.group(1).replace('""', '"'))
        elif match.group(2) is not None:
            values.append(float(match.group(2)))
    # "ooTextFile", "TextGrid", xmin, xmax, number of tiers, then each tier
    position = 5
    tiers: dict[str, list[tuple[float, float, str]]] = {}
    for _ in range(int(values[4])):
        kind, name, _, _, size = values[position : position + 5]
        position += 5
        spans = []
        for _ in range(int(size)):
            if kind == "IntervalTier":
                start, stop, label = values[position : position + 3]
                position += 3
            else:
                start, label = values[position : position + 2]
                stop = start
                position += 2
            spans.append((float(start), float(stop), str(label)))
        tiers[str(name)] = spans
    return tiers
