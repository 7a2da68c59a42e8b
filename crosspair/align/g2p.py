"""Pronunciations for words outside the dictionary: espeak-ng's phonemes mapped to ARPAbet.

espeak-ng (the library inside espeakng-loader, already used for speech synthesis) reads any
word with its letter-to-sound rules. ``espeak_TextToPhonemes`` returns its ASCII phoneme
mnemonics ("h@l'oU"); with a space as separator they come one by one, and the table below turns
each into the CMU ARPAbet phones the pocketsphinx en-us model knows.
"""

from __future__ import annotations

import ctypes
import logging
import re
from functools import lru_cache

log = logging.getLogger(__name__)

# espeak en-us mnemonic -> ARPAbet (stress dropped; the acoustic model ignores it)
ESPEAK_TO_ARPABET: dict[str, tuple[str, ...]] = {
    # consonants
    "p": ("P",),
    "b": ("B",),
    "t": ("T",),
    "t#": ("T",),
    "d": ("D",),
    "k": ("K",),
    "g": ("G",),
    "f": ("F",),
    "v": ("V",),
    "T": ("TH",),
    "D": ("DH",),
    "s": ("S",),
    "z": ("Z",),
    "S": ("SH",),
    "Z": ("ZH",),
    "h": ("HH",),
    "m": ("M",),
    "n": ("N",),
    "n-": ("AH", "N"),
    "N": ("NG",),
    "l": ("L",),
    "L": ("L",),
    "@L": ("AH", "L"),
    "r": ("R",),
    "r-": ("R",),
    "w": ("W",),
    "j": ("Y",),
    "tS": ("CH",),
    "dZ": ("JH",),
    "x": ("K",),
    "C": ("HH",),
    "?": ("T",),
    "W": ("W",),
    # vowels
    "a": ("AE",),
    "a#": ("AH",),
    "aa": ("AE",),
    "A": ("AA",),
    "A:": ("AA",),
    "A@": ("AA", "R"),
    "0": ("AA",),
    "O": ("AO",),
    "O:": ("AO",),
    "O2": ("AO",),
    "O@": ("AO", "R"),
    "o@": ("AO", "R"),
    "V": ("AH",),
    "@": ("AH",),
    "@2": ("AH",),
    "@5": ("AH",),
    "@-": ("AH",),
    "3": ("ER",),
    "3:": ("ER",),
    "E": ("EH",),
    "e": ("EH",),
    "e@": ("EH", "R"),
    "I": ("IH",),
    "I2": ("IH",),
    "I#": ("IH",),
    "i": ("IY",),
    "i:": ("IY",),
    "i@": ("IY", "AH"),
    "i@3": ("IH", "R"),
    "U": ("UH",),
    "u:": ("UW",),
    "u": ("UW",),
    "U@": ("UH", "R"),
    "aI": ("AY",),
    "aI@": ("AY", "ER"),
    "aI3": ("AY", "ER"),
    "aU": ("AW",),
    "aU@": ("AW", "ER"),
    "eI": ("EY",),
    "oU": ("OW",),
    "o": ("OW",),
    "OI": ("OY",),
}
_MARKS = re.compile(r"[',;%=_|!]")  # stress, syllable and pause marks around mnemonics

_TEXTMODE_UTF8 = 1
_PHONEME_SEPARATOR_SPACE = ord(" ") << 8


def espeak_to_arpabet(mnemonics: str) -> list[str]:
    """ARPAbet phones for a space-separated string of espeak mnemonics; unknown ones dropped."""
    phones: list[str] = []
    for raw in mnemonics.split():
        name = _MARKS.sub("", raw)
        if not name:
            continue
        mapped = ESPEAK_TO_ARPABET.get(name) or ESPEAK_TO_ARPABET.get(name.rstrip("0123456789"))
        if mapped is None:
            log.debug("no ARPAbet phone for espeak phoneme %r", name)
            continue
        phones.extend(mapped)
    return phones


class EspeakG2P:
    """Letter-to-sound through the process-wide libespeak-ng; thread safe through its lock."""

    def __init__(self, voice: str = "en-us") -> None:
        # the synthesiser's engine: one libespeak-ng per process, initialised once
        from crosspair.synth.espeak import _get_engine

        self._engine = _get_engine()
        self._voice = voice
        lib = self._engine.lib
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p

    def mnemonics(self, word: str) -> str:
        """espeak's phoneme mnemonics for ``word``, space separated."""
        engine = self._engine
        pieces: list[str] = []
        with engine.lock:
            engine.lib.espeak_SetVoiceByFile(str(engine.voice_file(self._voice)).encode())
            text = ctypes.c_char_p(word.encode("utf-8"))
            # the pointer advances clause by clause until the text is used up
            while text.value:
                out = engine.lib.espeak_TextToPhonemes(
                    ctypes.byref(text), _TEXTMODE_UTF8, _PHONEME_SEPARATOR_SPACE
                )
                if out is None:
                    break
                pieces.append(out.decode("utf-8", "replace"))
        return " ".join(pieces)

    def pronounce(self, word: str) -> list[str]:
        """ARPAbet phones for any word ([] when espeak says nothing for it)."""
        return espeak_to_arpabet(self.mnemonics(word))


@lru_cache(maxsize=1)
def default_g2p() -> EspeakG2P:
    return EspeakG2P()
