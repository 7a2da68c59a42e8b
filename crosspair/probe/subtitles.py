"""A small, strict SubRip (.srt) reader: the cues' start, end and text.

The ``srt`` package publishes no wheel, so this reads the format itself. It follows the same
rules: a cue is an optional number line, a ``start --> end`` line and text lines; a blank
line inside a cue's text is kept as part of it; anything that is not a cue is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = r"(\d+):([0-5]?\d):([0-5]?\d)[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_INDEX = re.compile(r"^\s*\d+\s*$")


class SubtitleError(ValueError):
    """Text that is not SubRip; the message gives the line where reading stopped."""


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str


def parse_srt(text: str) -> list[Cue]:
    """Cues of an SRT document (BOM and CRLF allowed); ``SubtitleError`` if it is not SRT."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[Cue] = []
    number = 0
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        end = _block_end(lines, number)
        block = lines[number:end]
        timing_at = 1 if _INDEX.match(block[0]) and len(block) > 1 else 0
        timing = _TIMING.match(block[timing_at])
        if timing is not None:
            start_s, end_s = _seconds(timing.groups()[:4]), _seconds(timing.groups()[4:])
            cues.append(Cue(start_s, end_s, "\n".join(block[timing_at + 1 :])))
        elif cues and not any("-->" in line for line in block[:2]):
            # a blank line inside the previous cue's text: the text goes on
            previous = cues[-1]
            cues[-1] = Cue(previous.start_s, previous.end_s, "\n".join([previous.text, *block]))
        else:
            raise SubtitleError(f"line {number + 1} does not start a cue: {block[0][:80]!r}")
        number = end
    return cues


def _block_end(lines: list[str], start: int) -> int:
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return end


def _seconds(parts) -> float:
    hours, minutes, seconds, millis = parts
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000
