"""Fixtures for alignment tests: one shared backend, the speech data, synthesised speech."""

import json

import numpy as np
import pytest

from crosspair.align import get_backend
from crosspair.synth.espeak import synthesize


@pytest.fixture(scope="session")
def backend():
    return get_backend("pocketsphinx")


@pytest.fixture(scope="session")
def speech_text(shared_data):
    return shared_data / "speech_text"


@pytest.fixture(scope="session")
def transcripts(speech_text):
    rows = [json.loads(line) for line in (speech_text / "transcripts.jsonl").open()]
    return {row["audio_file"]: row for row in rows}


def spoken(text: str, voice: str = "en-us", rate: int = 160):
    """espeak speech at 16 kHz with 0.3 s of silence around it, as float32, plus its words."""
    speech = synthesize(text, voice=voice, rate_wpm=rate).resampled(16000).padded(0.3, 0.3)
    return speech.samples.astype(np.float32) / 32768.0, speech.words
