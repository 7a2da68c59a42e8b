"""Word TextGrids: intervals tile the audio and keep the word times."""

import re

from crosspair.synth.espeak import WordEvent
from crosspair.synth.textgrid import words_textgrid


def test_words_and_silences_tile_the_whole_duration():
    words = [WordEvent("hello", 0.25, 0.6), WordEvent('say "hi"', 0.6, 1.1)]
    grid = words_textgrid(words, 1.5)
    bounds = [float(x) for x in re.findall(r"xm(?:in|ax) = ([0-9.]+)", grid)][4:]
    pairs = list(zip(bounds[::2], bounds[1::2], strict=True))
    assert pairs == [(0.0, 0.25), (0.25, 0.6), (0.6, 1.1), (1.1, 1.5)]
    assert 'text = "say ""hi"""' in grid
    assert "intervals: size = 4" in grid
