"""Speech with exact word timings from the libespeak-ng that ships inside espeakng-loader.

The synthesiser runs in-process through ctypes. Its synth callback hands over audio blocks
together with WORD and PHONEME events whose ``sample`` field counts output samples from the
start of the utterance, so the word boundaries are known exactly and can serve as ground
truth for forced alignment.

>>> speech = synthesize("We moved from 12 to 3 offices.")          # doctest: +SKIP
>>> [w.word for w in speech.words]                                   # doctest: +SKIP
['We', 'moved', 'from', '12', 'to', '3', 'offices']

How word times are derived (one word = one whitespace-separated token of the text):

- start: the ``sample`` of the token's first WORD event. espeak places it where the previous
  word's last phoneme ends, so a word that opens with a stop includes the stop's closure.
  Tokens that espeak speaks as several words ("2019") give several WORD events; they merge.
- end: the start of the first pause phoneme (a name starting with ``_``) after the token's
  last spoken phoneme, if one comes before the next token starts; otherwise the next token's
  start; for the last token, the end of the audio. Pauses at commas and sentence ends are
  therefore not counted as part of a word.
- espeak's English dictionary reads some pairs as one word ("in the", "of the", "for a
  while") and then sends one WORD event for both. A zero-width space is put before every
  token of the text given to espeak, which splits those pairs (their stress changes a
  little; texts without such pairs give identical samples with or without it).
- A token that still has no WORD event of its own (a lone dash, which espeak does not say)
  joins the word before it, so every span stays true but there can be fewer words than
  tokens.

Determinism: espeak keeps its pitch-flutter phase in a function-level static that no API call
resets, so the same text gives slightly different samples depending on what was spoken
before in the process. Voices are therefore loaded from a generated voice file that copies
the stock language (and variant) settings and adds ``flutter 0``; with that and a fixed
random seed per call, equal inputs give equal samples. ``roughness 8`` is set for the same
reason (the roughness modulation counts glottal cycles in a static). Klatt variants
(``+klatt``...) keep more hidden state and are not repeatable; espeak's gain control is static
too but only acts when the output would clip, which the stock English voices did not.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from math import gcd
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# espeak_AUDIO_OUTPUT, espeak_EVENT_TYPE, option and parameter codes from speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_PHONEME = 7
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_RAND_SEED = 1

RATE_RANGE_WPM = (80, 450)
_DETERMINISTIC_SETTINGS = ("flutter 0", "roughness 8")
_WORD_BREAK = "\u200b"  # zero-width space


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class EspeakError(RuntimeError):
    """libespeak-ng could not be loaded, could not find a voice, or failed to synthesise."""


@dataclass(frozen=True)
class WordEvent:
    """One spoken token: its text (outer punctuation removed) and its span in seconds."""

    word: str
    start_s: float
    end_s: float
    char_offset: int | None = None  # where the token starts in the synthesised text


@dataclass(frozen=True, eq=False)
class Speech:
    """Mono int16 audio with the timing of every spoken word."""

    samples: np.ndarray
    sample_rate: int
    words: list[WordEvent] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def resampled(self, sample_rate: int) -> Speech:
        """The same speech at another rate (polyphase filter); word times do not change."""
        if sample_rate == self.sample_rate:
            return self
        from scipy.signal import resample_poly  # here: importing scipy.signal takes ~1 s

        factor = gcd(sample_rate, self.sample_rate)
        audio = resample_poly(
            self.samples.astype(np.float64), sample_rate // factor, self.sample_rate // factor
        )
        samples = np.clip(np.round(audio), -32768, 32767).astype(np.int16)
        return Speech(samples, sample_rate, list(self.words))

    def padded(self, lead_s: float = 0.0, tail_s: float = 0.0) -> Speech:
        """Silence before and after (aligners need some); word times shift by the lead."""
        lead = round(lead_s * self.sample_rate)
        tail = round(tail_s * self.sample_rate)
        samples = np.concatenate([np.zeros(lead, np.int16), self.samples, np.zeros(tail, np.int16)])
        shift = lead / self.sample_rate
        words = [
            WordEvent(w.word, w.start_s + shift, w.end_s + shift, w.char_offset) for w in self.words
        ]
        return Speech(samples, self.sample_rate, words)


class _Engine:
    """The process-wide libespeak-ng: loaded and initialised once, used under a lock."""

    def __init__(self) -> None:
        import espeakng_loader

        self.data_path = Path(espeakng_loader.get_data_path())
        lib_path = espeakng_loader.get_library_path()
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as err:
            raise EspeakError(f"cannot load {lib_path}: {err}; reinstall espeakng-loader") from err

        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByFile.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByFile.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int

        options = _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, str(self.data_path).encode(), options
        )
        if rate <= 0:
            raise EspeakError(f"espeak_Initialize failed with data at {self.data_path}")
        self.lib = lib
        self.sample_rate = rate
        self.lock = threading.Lock()
        self._blocks: list[np.ndarray] = []
        self._events: list[tuple[int, int, int, str]] = []
        self._callback = _SynthCallback(self._on_synth)  # kept alive as long as the engine
        lib.espeak_SetSynthCallback(self._callback)
        self._voice_dir = Path(tempfile.mkdtemp(prefix="crosspair-espeak-"))
        atexit.register(shutil.rmtree, self._voice_dir, True)
        self._voice_files: dict[str, Path] = {}
        log.info("libespeak-ng ready at %d Hz (data %s)", rate, self.data_path)

    def _on_synth(self, wav, n_samples, events) -> int:
        if n_samples > 0:
            self._blocks.append(np.ctypeslib.as_array(wav, shape=(n_samples,)).copy())
        index = 0
        while events and events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            name = ""
            if event.type == _EVENT_PHONEME:
                name = event.id.string.decode("utf-8", "replace")
            self._events.append((event.type, event.text_position, event.sample, name))
            index += 1
        return 0

    def voice_file(self, voice: str) -> Path:
        """A voice file equal to the stock ``lang[+variant]`` voice minus its hidden state."""
        if voice in self._voice_files:
            return self._voice_files[voice]
        language, _, variant = voice.partition("+")
        languages = {p.name.lower(): p for p in (self.data_path / "lang").rglob("*") if p.is_file()}
        base = languages.get(language.lower())
        if base is None:
            raise EspeakError(f"unknown espeak voice '{language}'; see {self.data_path / 'lang'}")
        lines = base.read_text(encoding="utf-8").splitlines()
        if variant:
            variant_path = self.data_path / "voices" / "!v" / variant
            if not variant_path.is_file():
                raise EspeakError(f"unknown espeak variant '{variant}'; see {variant_path.parent}")
            for line in variant_path.read_text(encoding="utf-8").splitlines():
                if line.split(maxsplit=1)[:1] not in (["name"], ["language"]):
                    lines.append(line)
        lines.extend(_DETERMINISTIC_SETTINGS)
        path = self._voice_dir / f"voice{len(self._voice_files)}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self._voice_files[voice] = path
        return path

    def run(self, text: str, voice: str, rate_wpm: int) -> tuple[np.ndarray, list]:
        """Synthesise one text; returns the samples and the raw (type, pos, sample, name) events."""
        with self.lock:
            status = self.lib.espeak_SetVoiceByFile(str(self.voice_file(voice)).encode())
            if status != 0:
                raise EspeakError(f"espeak could not load voice '{voice}' (status {status})")
            self.lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
            self.lib.espeak_ng_SetRandSeed(_RAND_SEED)
            self._blocks, self._events = [], []
            data = text.encode("utf-8")
            status = self.lib.espeak_Synth(
                data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            if status != 0:
                raise EspeakError(f"espeak_Synth failed (status {status}) for text {text[:40]!r}")
            blocks, events = self._blocks, self._events
            self._blocks, self._events = [], []
        samples = np.concatenate(blocks) if blocks else np.zeros(0, np.int16)
        return samples.astype(np.int16, copy=False), events


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine()
        return _engine


def _is_pause(name: str) -> bool:
    return name.startswith("_")


def _separate_tokens(text: str) -> tuple[str, list[int]]:
    """The text with a zero-width space before each token after the first, and for every
    character of it the index of the character it stands for in ``text``."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if index > 0 and not char.isspace() and text[index - 1].isspace():
            pieces.append(_WORD_BREAK)
            origin.append(index)
        pieces.append(char)
        origin.append(index)
    return "".join(pieces), origin


def _word_events(
    text: str, origin: list[int], events: list, n_samples: int, sample_rate: int
) -> list[WordEvent]:
    """Merge WORD events into whitespace tokens and end each at its trailing pause."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    starts: dict[int, int] = {}  # token index -> first WORD sample
    for kind, position, sample, _ in events:
        if kind != _EVENT_WORD:
            continue
        # espeak counts characters from 1, in the text it was given
        char = origin[min(max(position - 1, 0), len(origin) - 1)]
        index = next((i for i, (s, e, _) in enumerate(tokens) if char < e), None)
        if index is not None and index not in starts:
            starts[index] = min(max(sample, 0), n_samples)
    phonemes = [(sample, name) for kind, _, sample, name in events if kind == _EVENT_PHONEME]

    spoken = sorted(starts)
    words = []
    for rank, index in enumerate(spoken):
        start = starts[index]
        limit = starts[spoken[rank + 1]] if rank + 1 < len(spoken) else n_samples
        inside = [(s, name) for s, name in phonemes if start <= s < limit]
        last_spoken = max((s for s, name in inside if not _is_pause(name)), default=start)
        pauses = [s for s, name in inside if _is_pause(name) and s > last_spoken]
        end = min(pauses) if pauses else limit
        # tokens with no WORD event of their own (a lone dash) join the word before them
        following = spoken[rank + 1] if rank + 1 < len(spoken) else len(tokens)
        raw = " ".join(token for _, _, token in tokens[index:following])
        word = re.sub(r"^\W+|\W+$", "", raw) or raw
        char_start = tokens[index][0]
        words.append(WordEvent(word, start / sample_rate, end / sample_rate, char_start))
    return words


def synthesize(text: str, voice: str = "en-us", rate_wpm: int = 160) -> Speech:
    """Speak ``text`` with an espeak voice (``lang`` or ``lang+variant``, e.g. ``en-us+m3``).

    Returns espeak's native rate (22050 Hz); use ``Speech.resampled`` for another.
    """
    if not text.strip():
        raise ValueError("nothing to synthesise: the text is empty")
    low, high = RATE_RANGE_WPM
    if not low <= rate_wpm <= high:
        raise ValueError(f"rate_wpm={rate_wpm} is outside espeak's {low}-{high} words a minute")
    engine = _get_engine()
    spoken, origin = _separate_tokens(text)
    samples, events = engine.run(spoken, voice, rate_wpm)
    words = _word_events(text, origin, events, len(samples), engine.sample_rate)
    seconds = len(samples) / engine.sample_rate
    log.debug("synthesised %d words in %.2f s of audio, voice %s", len(words), seconds, voice)
    return Speech(samples, engine.sample_rate, words)
