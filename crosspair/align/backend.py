"""The aligner interface every backend implements, and the registry that names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from crosspair.align.result import AlignmentResult

SAMPLE_RATE = 16_000
SILENT_PEAK = 1e-4  # about -80 dBFS: nothing but digital silence
NOISE = "<noise>"  # a word that stands for a non-speech sound: absorb it, do not time it


@runtime_checkable
class AlignmentBackend(Protocol):
    """Forced alignment of known words to 16 kHz mono float32 audio.

    ``align`` must not raise for bad input (silence, empty word list, a transcript that does
    not match): it returns a result with a status and a reason instead. It returns exactly one
    ``WordTiming`` per input word, in order, with times in seconds from the start of ``audio``,
    inside ``[0, len(audio) / 16000]`` and never going backwards.
    """

    name: str
    version: str

    def align(self, audio: np.ndarray, words: list[str]) -> AlignmentResult: ...


_FACTORIES: dict[str, Callable[..., AlignmentBackend]] = {}


def register_backend(name: str, factory: Callable[..., AlignmentBackend]) -> None:
    """Make ``get_backend(name, **options)`` build a backend with ``factory(**options)``."""
    _FACTORIES[name] = factory


def available_backends() -> list[str]:
    _register_builtin()
    return sorted(_FACTORIES)


def get_backend(name: str = "pocketsphinx", **options) -> AlignmentBackend:
    """A backend by name; options go to its constructor."""
    _register_builtin()
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(sorted(_FACTORIES))
        raise ValueError(
            f"unknown alignment backend '{name}'; known: {known} (add one with register_backend)"
        ) from None
    return factory(**options)


def _register_builtin() -> None:
    if "pocketsphinx" not in _FACTORIES:
        from crosspair.align.sphinx import PocketsphinxBackend

        register_backend("pocketsphinx", PocketsphinxBackend)
    if "whisperx" not in _FACTORIES:
        from crosspair.align.whisperx_backend import WhisperXBackend

        register_backend("whisperx", WhisperXBackend)
